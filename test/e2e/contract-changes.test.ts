/**
 * Browser: a customer-admin asks for a bigger plan and one more server in the portal, sees what it
 * will cost from when before sending it; staff find it in the queue and confirm it; the month's
 * invoice then bills the new plan and its initial fee (Art. 20(2)–(4), 29(4)). Demo data:
 * C-DEMO-0002 of 合同会社テスト工業 (basic + backup), its customer-admin tesuto-admin.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { monthOf, tokyoDate } from "../../src/core/dates.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

describe("changing a contract's content", () => {
  it("a customer requests an upgrade with its preview, staff confirm it, the month's invoice shows it", async () => {
    const { browser, base, db } = e2e;
    const today = tokyoDate(new Date());
    const month = monthOf(today);
    const contract = await db
      .selectFrom("contracts")
      .select(["id", "plan"])
      .where("number", "=", "C-DEMO-0002")
      .executeTakeFirstOrThrow();
    expect(contract.plan).toBe("basic");

    const cust = await browser.newPage();
    await logIn(cust, base, "tesuto-admin");
    await cust.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();
    await cust.getByRole("link", { name: "契約", exact: true }).click();
    await cust.getByRole("link", { name: "C-DEMO-0002" }).click();
    const form = cust.getByRole("form", { name: "契約内容の変更を申し込む" });
    await form.getByLabel("プラン").selectOption("premium");
    await form.getByLabel("追加するサーバ").fill("db-9.tesuto.example, Ubuntu 24.04");
    await form.getByRole("button", { name: "料金を確認する" }).click();
    const preview = cust.getByTestId("change-preview");
    await preview.waitFor();
    const text = (await preview.textContent()) ?? "";
    expect(text).toContain(`受付日(新しい料金等の適用開始日): ${today}`);
    expect(text).toContain("プラン: ベーシック → プレミアム");
    expect(text).toContain("サーバ追加: db-9.tesuto.example");
    // This month at the highest rate with the initial fee; from next month the new monthly fee.
    expect(text).toContain("40,000円");
    expect(text).toContain("360,000円");
    expect(text).toContain("160,000円");
    expect(text).toContain("初期費用(1回限り): 200,000円");
    await cust.screenshot({ path: path.join(ARTIFACTS, "portal-contract-change-ja.png"), fullPage: true });
    await cust.getByLabel("Language / 言語").first().selectOption("en");
    await cust.getByText("Initial fees (once): ¥200,000").waitFor();
    await cust.screenshot({ path: path.join(ARTIFACTS, "portal-contract-change-en.png"), fullPage: true });
    await cust.getByRole("button", { name: "Send this request" }).click();
    await cust
      .getByRole("status")
      .getByText("Your change request has been received.", { exact: false })
      .waitFor();
    await cust.getByTestId("contract-changes").getByText("Awaiting confirmation").waitFor();
    await cust.getByLabel("Language / 言語").first().selectOption("ja");
    await cust.getByTestId("contract-changes").getByText("確認待ち").waitFor();
    expect(
      (
        await db
          .selectFrom("contracts")
          .select("plan")
          .where("id", "=", contract.id)
          .executeTakeFirstOrThrow()
      ).plan,
    ).toBe("basic");

    const staff = await browser.newPage();
    await logIn(staff, base, "operator");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await staff.getByRole("link", { name: "契約内容の変更", exact: true }).click();
    const queue = staff.getByTestId("change-queue");
    await queue.getByText("プラン: ベーシック → プレミアム").waitFor();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-contract-changes-ja.png"), fullPage: true });
    await staff.getByLabel("Language / 言語").first().selectOption("en");
    await queue.getByText("Plan: Basic → Premium").waitFor();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-contract-changes-en.png"), fullPage: true });
    await staff.getByLabel("Language / 言語").first().selectOption("ja");
    await queue.getByRole("link", { name: "C-DEMO-0002" }).click();
    await staff.getByTestId("contract-changes").getByRole("button", { name: "実効を確認する" }).click();
    await staff.getByTestId("contract-changes").getByText(`変更済み (実効確認日 ${today})`).waitFor();
    await staff.getByText("ベーシック → プレミアム").first().waitFor();
    const after = await db
      .selectFrom("contracts")
      .select(["plan", "servers"])
      .where("id", "=", contract.id)
      .executeTakeFirstOrThrow();
    expect(after.plan).toBe("premium");
    expect((after.servers as { hostname: string }[]).map((s) => s.hostname)).toContain("db-9.tesuto.example");
    // The menu's limits are part of the price book (Art. 20(3)).
    await staff.getByRole("link", { name: "料金表" }).click();
    const limits = staff.getByTestId("menu-limits");
    await limits.getByRole("row").filter({ hasText: "plan:premium" }).getByText("不可").waitFor();
    await staff.getByRole("heading", { name: "変更できる範囲(サービスメニュー・第20条第3項)" }).screenshot({
      path: path.join(ARTIFACTS, "console-menu-limits-ja.png"),
    });
    await limits.screenshot({ path: path.join(ARTIFACTS, "console-menu-limits-table-ja.png") });
    await staff.getByLabel("Language / 言語").first().selectOption("en");
    await limits.getByRole("row").filter({ hasText: "plan:basic" }).getByText("10").waitFor();
    await staff.getByRole("heading", { name: "What changes the menu allows (Art. 20(3))" }).waitFor();
    await limits.screenshot({ path: path.join(ARTIFACTS, "console-menu-limits-table-en.png") });
    await staff.close();

    // Billing staff run the month: its invoice bills premium and its initial fee (Art. 29(4)).
    const bill = await browser.newPage();
    await logIn(bill, base, "billing");
    await bill.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await bill.getByRole("link", { name: "請求", exact: true }).click();
    await bill.getByLabel("対象月").first().fill(month);
    await bill.getByLabel("続けて発行する(請求書番号を付番)").uncheck();
    await bill.getByRole("button", { name: "実行する" }).click();
    await bill.getByText(/作成 [1-9]\d* 件/).waitFor();
    const inv = await db
      .selectFrom("invoices")
      .select(["id", "total"])
      .where("contract_id", "=", contract.id)
      .where("month", "=", month)
      .executeTakeFirstOrThrow();
    await bill.goto(`${base}/console/invoices/${inv.id}`);
    const lines = bill.getByRole("table", { name: "明細" });
    await lines.getByText("運用支援サービス プレミアム 月額", { exact: true }).waitFor();
    await lines.getByText("初期費用 プレミアム", { exact: true }).waitFor();
    // The month is charged once, at premium; the line's note, in the reader's language, names the basic
    // version it replaced and the article (Art. 29(4)).
    await lines.getByText(/運用支援サービス ベーシック 月額 × 1、30,000円.*第29条第4項/).waitFor();
    const codes = await db
      .selectFrom("invoice_lines")
      .select("item_code")
      .where("invoice_id", "=", inv.id)
      .execute();
    expect(codes.map((c) => c.item_code).sort()).toEqual([
      "initial-premium",
      "monthly-premium",
      "option-backup",
    ]);
    expect(Number(inv.total)).toBe(Math.floor(360_000 * 1.1));
    await bill.screenshot({ path: path.join(ARTIFACTS, "console-invoice-after-change.png"), fullPage: true });
    await bill.close();
    await cust.close();
  });
});
