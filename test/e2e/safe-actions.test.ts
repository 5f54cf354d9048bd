/**
 * Browser: actions the customer sees, or that cannot be undone, say what will happen and ask first —
 * suspend and resume (each e-mails the customer, Art. 21), and a notice, whose audience is chosen:
 * one customer picked by name, or every customer, never everyone by leaving a field empty.
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

describe("safe actions", () => {
  it("suspend and resume ask first and say the customer is told; cancelling changes nothing", async () => {
    const { browser, base, db } = e2e;
    const c = await db
      .selectFrom("contracts")
      .select(["id", "status"])
      .where("number", "=", "C-DEMO-0001")
      .executeTakeFirstOrThrow();
    const topics = async () =>
      (await db.selectFrom("notices").select("topic").where("contract_id", "=", c.id).execute()).map(
        (n) => n.topic,
      );
    const status = async () =>
      (await db.selectFrom("contracts").select("status").where("id", "=", c.id).executeTakeFirstOrThrow())
        .status;
    const page = await browser.newPage();
    await logIn(page, base, "operator");
    await page.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await page.goto(`${base}/console/contracts/${c.id}`);
    // The reasons of Art. 21(1) come from the server, each with its item; the button cites the chosen one.
    const reasons = page.getByLabel("停止の事由");
    await expect.poll(() => reasons.locator("option").count()).toBe(12);
    expect(await reasons.locator("option").first().textContent()).toBe("料金等の未払い (第21条第1項第1号)");
    await page.getByRole("button", { name: "停止 (第21条第1項第1号)" }).click();
    const ask = page.getByRole("alertdialog");
    expect(await ask.textContent()).toContain("契約者に停止のお知らせをすぐにメールで送ります");
    await page.screenshot({ path: path.join(ARTIFACTS, "console-suspend-confirm-ja.png"), fullPage: true });
    await ask.getByRole("button", { name: "やめる" }).click();
    expect(await status()).toBe("active");
    expect(await topics()).not.toContain("contract.suspended");
    await page.getByLabel("Language / 言語").first().selectOption("en");
    await page.getByRole("button", { name: "Suspend (Art. 21(1)(1))" }).click();
    expect(await page.getByRole("alertdialog").textContent()).toContain(
      "The customer is e-mailed a suspension notice at once",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "console-suspend-confirm-en.png"), fullPage: true });
    await page.getByRole("button", { name: "Suspend and notify" }).click();
    await page.getByTestId("contract-status").getByText("suspended").waitFor();
    expect(await status()).toBe("suspended");
    await page.getByRole("button", { name: "Resume" }).click();
    expect(await page.getByRole("alertdialog").textContent()).toContain(
      "e-mailed that the service has resumed",
    );
    await page.getByRole("button", { name: "Resume and notify" }).click();
    await page.getByTestId("contract-status").getByText("active").waitFor();
    expect(await topics()).toEqual(expect.arrayContaining(["contract.suspended", "contract.resumed"]));
    // The timeline reads in the page's language: no event, status, reason or actor codes.
    const timeline = page.getByRole("table").filter({ hasText: "Service suspended" });
    const en = (await timeline.textContent()) ?? "";
    expect(en).toContain("Service resumed");
    expect(en).toContain("Unpaid fees");
    expect(en).toContain("Provider");
    expect(en).not.toMatch(/[\u3040-\u30ff]/);
    await page.getByLabel("Language / 言語").first().selectOption("ja");
    const ja = (await page.getByRole("table").filter({ hasText: "提供停止" }).textContent()) ?? "";
    for (const word of ["提供停止", "提供再開", "料金等の未払い", "当社", "契約中"])
      expect(ja).toContain(word);
    expect(ja).not.toMatch(/established|suspended|resumed|unpaid_fees|staff|system|active/);
    await page.screenshot({ path: path.join(ARTIFACTS, "console-timeline-ja.png"), fullPage: true });
    await page.close();
  });

  it("a notice goes to a customer chosen by name, or to everyone only when chosen and confirmed", async () => {
    const { browser, base, db } = e2e;
    const count = async (kind: "notice" | "announcement") =>
      (
        await db
          .selectFrom("notices")
          .select("id")
          .where("kind", "=", kind)
          .where("topic", "=", "manual")
          .execute()
      ).length;
    const page = await browser.newPage();
    await logIn(page, base, "operator");
    await page.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await page.getByRole("link", { name: "通知", exact: true }).click();
    const form = page.getByRole("form", { name: "通知を送る" });
    await form.getByLabel("件名").fill("メンテナンスのお知らせ");
    await form.getByLabel("本文").fill("12月10日 2:00〜4:00 に監視基盤のメンテナンスを行います。");
    // Nobody chosen: refused, nothing sent (it used to go to every customer).
    await form.getByRole("button", { name: "通知を送る" }).click();
    await form.getByText("契約者を選んでください。").waitFor();
    expect(await count("notice")).toBe(0);
    expect(await count("announcement")).toBe(0);
    // One customer, by name.
    await form.getByLabel("宛先の契約者を名前で検索").fill("テスト工業");
    await form.getByLabel("宛先の契約者", { exact: true }).selectOption({ label: "合同会社テスト工業" });
    await form.getByRole("button", { name: "通知を送る" }).click();
    expect(await form.getByRole("alertdialog").textContent()).toContain(
      "合同会社テスト工業 に、このお知らせを",
    );
    await form.getByRole("button", { name: "送る", exact: true }).click();
    await expect.poll(() => count("notice")).toBe(1);
    // Everyone: chosen explicitly, and asked.
    await form.getByLabel("件名").fill("年末年始の窓口について");
    await form
      .getByLabel("本文")
      .fill("12月29日〜1月3日は電話窓口を休業します。監視と障害対応は通常どおりです。");
    await form.getByLabel("宛先", { exact: true }).selectOption("all");
    await form.getByRole("button", { name: "通知を送る" }).click();
    // (The form's name follows the language; the dialog is the page's only one.)
    const ask = page.getByRole("alertdialog");
    expect(await ask.textContent()).toContain("契約中のすべての契約者に");
    await page.screenshot({ path: path.join(ARTIFACTS, "console-broadcast-confirm-ja.png"), fullPage: true });
    await page.getByLabel("Language / 言語").first().selectOption("en");
    // English is its own chunk: the words change once it has arrived.
    await expect
      .poll(() => ask.textContent())
      .toContain("Send this notice to every customer with a live contract");
    await page.screenshot({ path: path.join(ARTIFACTS, "console-broadcast-confirm-en.png"), fullPage: true });
    await ask.getByRole("button", { name: "Send to all" }).click();
    await expect.poll(() => count("announcement")).toBe(1);
    await page.close();
  });
});
