/**
 * Browser: two-factor enrolment (Art. 35 account security) shows a QR code an authenticator app can
 * scan as well as the secret; a code from that secret finishes the enrolment. The demo admin must
 * enrol at the first log-in.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../../src/identity/totp.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

describe("two-factor enrolment", () => {
  it("shows a QR code and the secret; a code from the secret completes it", async () => {
    const { browser, base } = e2e;
    const page = await browser.newPage();
    await logIn(page, base, "admin");
    await page.getByRole("button", { name: "設定を開始" }).click();
    const qr = page.getByRole("img", { name: "二要素認証の登録用QRコード" });
    await qr.waitFor();
    const box = await qr.boundingBox();
    expect(box?.width).toBeGreaterThanOrEqual(150);
    // The code is drawn from the otpauth URI: a version-3+ symbol has hundreds of dark modules.
    const d = (await page.getByTestId("totp-qr").locator("path").getAttribute("d")) ?? "";
    expect(d.split("M").length).toBeGreaterThan(200);
    const secret = (await page.getByTestId("totp-secret").textContent())!;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(await page.locator(".uri code").textContent()).toContain(`secret=${secret}`);
    await page.screenshot({ path: path.join(ARTIFACTS, "totp-enrol-ja.png"), fullPage: true });
    await page.getByLabel("Language / 言語").first().selectOption("en");
    await page.getByRole("img", { name: "QR code for two-factor enrolment" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "totp-enrol-en.png"), fullPage: true });
    await page.getByLabel("Language / 言語").first().selectOption("ja");
    await page.getByLabel("認証コード").fill(totpCode(secret, new Date()));
    await page.getByRole("button", { name: "確認", exact: true }).click();
    await page.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await page.close();
  });
});
