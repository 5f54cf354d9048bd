/**
 * Browser: a customer-admin manages the company's users in the portal (add one, with the initial
 * password shown once; deactivate after confirming; ask the provider for a password reset), and the
 * provider's operator finds the request on the console home and resets it on the customer's page
 * (Art. 35(17)). Japanese and English, desktop and phone width, with screenshots.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

describe("company users", () => {
  it("a customer-admin adds, deactivates and asks a reset for a user; staff reset it from the queue", async () => {
    const { browser, base, db } = e2e;
    const portal = await browser.newPage();
    await logIn(portal, base, "sample-admin");
    await portal.getByRole("link", { name: "ユーザー", exact: true }).click();
    await portal.getByRole("heading", { name: "ユーザー", exact: true }).waitFor();
    const table = portal.getByTestId("company-users");
    await table.getByTestId("user-sample-member").waitFor();
    // One's own account cannot be changed: no buttons on that row.
    const own = table.getByTestId("user-sample-admin");
    await own.getByText("自分のアカウントは変更できません").waitFor();
    expect(await own.getByRole("button").count()).toBe(0);

    await portal.getByLabel("氏名").fill("山田 花子");
    await portal.getByLabel("ログインID").fill("sample-yamada");
    await portal.getByLabel("メールアドレス").fill("yamada@sample.example");
    await portal.getByRole("button", { name: "追加する" }).click();
    const password = await portal.getByTestId("initial-password").textContent();
    expect(password?.length).toBeGreaterThanOrEqual(12);
    await table.getByTestId("user-sample-yamada").waitFor();
    await portal.screenshot({ path: path.join(ARTIFACTS, "portal-users-ja.png"), fullPage: true });

    // Deactivate: the first click says what happens; only the confirmation does it.
    const row = table.getByTestId("user-sample-yamada");
    await row.getByRole("button", { name: "無効にする: 山田 花子" }).click();
    const dialog = portal.getByRole("alertdialog");
    await dialog.getByText("セッションはすぐに終了し").waitFor();
    expect((await userRow(db, "sample-yamada")).disabled_at).toBeNull();
    await dialog.getByRole("button", { name: "無効にする" }).click();
    await row.getByText("無効", { exact: true }).waitFor();
    expect((await userRow(db, "sample-yamada")).disabled_at).not.toBeNull();

    // The member asks nothing of the provider until the admin does.
    const member = table.getByTestId("user-sample-member");
    await member.getByRole("button", { name: "パスワード再設定を依頼: 鈴木 二郎" }).click();
    await portal.getByRole("alertdialog").getByRole("button", { name: "パスワード再設定を依頼" }).click();
    await member.getByText("パスワード再設定を依頼済み", { exact: false }).waitFor();
    await expect.poll(async () => (await userRow(db, "sample-member")).reset_requested_at).not.toBeNull();

    await portal.getByLabel("Language / 言語").first().selectOption("en");
    await portal.getByRole("heading", { name: "Users", exact: true }).waitFor();
    await member.getByText("password reset asked", { exact: false }).waitFor();
    await portal.screenshot({ path: path.join(ARTIFACTS, "portal-users-en.png"), fullPage: true });
    await portal.setViewportSize({ width: 375, height: 800 });
    await portal.screenshot({ path: path.join(ARTIFACTS, "portal-users-en-375.png"), fullPage: true });
    const width = await portal.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    await portal.close();

    // The operator: the home queue, then the customer's page, where the reset shows the password once.
    const staff = await browser.newPage();
    await logIn(staff, base, "operator");
    const queue = staff.getByTestId("queue-resets");
    await queue.getByText("鈴木 二郎").waitFor();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-home-resets-ja.png"), fullPage: true });
    await queue.getByRole("link", { name: /鈴木 二郎/ }).click();
    const users = staff.getByTestId("company-users");
    const asked = users.getByTestId("user-sample-member");
    await asked.getByRole("button", { name: "パスワードを再設定: 鈴木 二郎" }).click();
    await staff.getByRole("alertdialog").getByRole("button", { name: "パスワードを再設定" }).click();
    const issued = await staff.getByTestId("initial-password").textContent();
    expect(issued?.length).toBeGreaterThanOrEqual(12);
    await expect.poll(async () => (await userRow(db, "sample-member")).reset_requested_at).toBeNull();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-customer-users-ja.png"), fullPage: true });
    await staff.getByLabel("Language / 言語").first().selectOption("en");
    await users.getByRole("columnheader", { name: "Login ID" }).waitFor();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-customer-users-en.png"), fullPage: true });
    await staff.close();

    // The member signs in with the new initial password and must change it (Art. 10).
    const back = await browser.newPage();
    await logIn(back, base, "sample-member", issued!);
    await back.getByRole("heading", { name: "パスワードの変更" }).waitFor();
    await back.close();
  });
});

function userRow(db: E2E["db"], loginId: string) {
  return db
    .selectFrom("users")
    .select(["disabled_at", "reset_requested_at"])
    .where("login_id", "=", loginId)
    .executeTakeFirstOrThrow();
}
