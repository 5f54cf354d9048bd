/**
 * Browser: billing staff make a credit note (適格返還請求書) against an issued invoice from its page,
 * issue it, see the documents kept as issued; a correction of the credited invoice is refused in the
 * reader's words until the credit note is dealt with; the settings page marks the demo registration
 * number. Japanese, then English; screenshots in test-artifacts/credit-*.png.
 */
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBilling } from "../../src/billing/runs.ts";
import { systemClock } from "../../src/core/clock.ts";
import { addMonthsToMonth, monthOf, tokyoDate } from "../../src/core/dates.ts";
import { issueMonthOn } from "../helpers.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `credit-${name}.png`), fullPage: true });

describe("credit notes and kept documents in the console", () => {
  it("makes and issues a credit note, keeps what was issued, refuses the correction until the credit is dealt with", async () => {
    const { browser, base, db } = e2e;
    const today = tokyoDate(new Date());
    const last = addMonthsToMonth(monthOf(today), -1);
    await runBilling({ db, clock: systemClock }, last);
    await issueMonthOn({ db }, last, today);
    const inv = await db
      .selectFrom("invoices as i")
      .innerJoin("contracts as c", "c.id", "i.contract_id")
      .select(["i.id", "i.number"])
      .where("c.number", "=", "C-DEMO-0001")
      .where("i.month", "=", last)
      .executeTakeFirstOrThrow();

    const staff = await browser.newPage();
    await logIn(staff, base, "billing");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    // Issued by the month's run: kept by the job (the worker runs it) or when first read, whichever is
    // first; the page lists it with its hash.
    const first = await staff.request.get(`${base}/api/v1/invoices/${inv.id}/pdf`);
    expect(first.headers()["x-content-sha256"]).toMatch(/^[0-9a-f]{64}$/);
    await staff.goto(`${base}/console/invoices/${inv.id}`);
    await staff.getByTestId("invoice-status").getByText("発行済").waitFor();
    await staff
      .getByTestId("kept-documents")
      .getByText(/発行時のPDF \(JA\)/)
      .waitFor();
    expect(await staff.getByTestId("kept-documents").textContent()).toContain(
      `SHA-256 ${first.headers()["x-content-sha256"]!.slice(0, 16)}`,
    );

    // The credit note: reason, amount per rate; made as a draft, then issued.
    const form = staff.getByRole("form", { name: "返還請求書を作る(適格返還請求書)" });
    await form.getByLabel("返還の理由").fill("障害対応の遅延による値引き");
    await form.getByLabel("内容").fill("10月分 値引き");
    await form.getByLabel("返還額(税抜・円)").fill("999999999");
    await form.getByRole("button", { name: "返還請求書(下書き)を作る" }).click();
    // More than was billed at the rate: refused in the reader's words, nothing made.
    const refusal = form.getByRole("alert");
    await refusal.waitFor();
    const refusalText = await refusal.textContent();
    expect(refusalText).toMatch(
      /10% の返還額 999,999,999円 が、請求書 INV-\d{4}-\d{6} の請求額 [\d,]+円 から返還済みの 0円 を引いた残りを超えます/,
    );
    expect(refusalText).toContain("第34条");
    expect(await db.selectFrom("invoices").select("id").where("kind", "=", "credit").execute()).toHaveLength(
      0,
    );
    await form.getByLabel("返還額(税抜・円)").fill("10000");
    await form.getByRole("button", { name: "返還請求書(下書き)を作る" }).click();
    await staff.getByText("返還請求書(下書き)を作成しました。").waitFor();
    await staff.getByRole("link", { name: "開く", exact: true }).click();
    await staff.getByRole("heading", { name: /返還請求書 下書き/ }).waitFor();
    await staff.getByRole("button", { name: "発行する" }).click();
    await staff.getByTestId("invoice-status").getByText("発行済").waitFor();
    expect(await staff.getByTestId("credit-reason").textContent()).toBe("障害対応の遅延による値引き");
    await staff
      .getByTestId("kept-documents")
      .getByText(/発行時のPDF \(JA\)/)
      .waitFor();
    const credit = await db
      .selectFrom("invoices")
      .select(["id", "number", "total"])
      .where("kind", "=", "credit")
      .executeTakeFirstOrThrow();
    expect(credit.total).toBe(-11_000);
    await shot(staff, "note-ja");

    // The month's journal for 弥生会計 (Shift_JIS, 25 fields): the sale and the return, as booked.
    await staff.goto(`${base}/console/billing`);
    await staff.getByLabel("対象月").nth(1).fill(monthOf(today));
    const yayoi = staff.getByTestId("journal-exports").getByRole("link", { name: "弥生会計" });
    const href = await yayoi.getAttribute("href");
    expect(href).toBe(`/api/v1/billing/months/${monthOf(today)}/journal.csv?format=yayoi`);
    const journal = new TextDecoder("shift_jis").decode(
      await (await staff.request.get(`${base}${href}`)).body(),
    );
    const rows = journal
      .trimEnd()
      .split("\r\n")
      .map((r) => r.split(","));
    expect(rows.every((r) => r.length >= 25)).toBe(true);
    expect(rows.some((r) => r[4] === "売掛金" && r[10] === "売上高" && journal.includes(inv.number!))).toBe(
      true,
    );
    expect(rows.some((r) => r[4] === "売上値引高" && r[8] === "11000" && r[9] === "1000")).toBe(true);

    // The credited invoice names its credit note; correcting it is refused until the credit is voided.
    await staff.goto(`${base}/console/invoices/${inv.id}`);
    await staff.getByTestId("credited-by").getByText(credit.number!).waitFor();
    await staff.getByLabel("無効・訂正の理由").fill("宛名の誤り");
    await staff.getByRole("button", { name: "訂正請求書を作る" }).click();
    const refused = staff.getByRole("alert");
    await refused.waitFor();
    expect(await refused.textContent()).toContain(
      `請求書 ${inv.number} には返還請求書 ${credit.number} が発行されています。先に返還請求書を無効にしてから`,
    );
    expect(
      (await db.selectFrom("invoices").select("status").where("id", "=", inv.id).executeTakeFirstOrThrow())
        .status,
    ).toBe("issued");
    await shot(staff, "invoice-ja");

    // In English: every label of the page, and the refusal, in English.
    await staff.getByLabel("Language / 言語").first().selectOption("en");
    await staff.getByText("Credit notes against this invoice").waitFor();
    await staff.getByText("Kept exactly as issued (Electronic Books Maintenance Act)").waitFor();
    await staff.getByLabel("Reason for voiding or correcting").fill("Wrong addressee");
    await staff.getByRole("button", { name: "Make a corrected invoice" }).click();
    await staff
      .getByText(`The credit note ${credit.number} refers to ${inv.number}: void the credit note first`)
      .waitFor();
    await shot(staff, "invoice-en");
    await staff.goto(`${base}/console/invoices/${credit.id}`);
    await staff.getByText("Reason for the return").waitFor();
    await shot(staff, "note-en");

    // The settings page says the registration number is a demo one; the journal's accounts are set
    // per accounting package, and the export names them.
    await staff.getByRole("link", { name: "Price book" }).click();
    await staff.getByTestId("demo-registration-number").waitFor();
    const accounts = staff.getByRole("form", { name: "Accounts and tax categories" });
    await accounts.getByLabel("Accounting software").selectOption("moneyforward");
    await accounts.getByLabel("Bank account receiving payments").fill("普通預金(みずほ)");
    await accounts.getByRole("button", { name: "Save" }).click();
    await accounts.getByRole("status").waitFor();
    const mf = new TextDecoder("shift_jis").decode(
      await (
        await staff.request.get(
          `${base}/api/v1/billing/months/${monthOf(today)}/journal.csv?format=moneyforward`,
        )
      ).body(),
    );
    expect(mf.split("\r\n")[0]).toContain("取引No");
    await shot(staff, "settings-en");
    const stored = await db
      .selectFrom("billing_settings")
      .select("journal_accounts")
      .executeTakeFirstOrThrow();
    expect(stored.journal_accounts).toMatchObject({
      moneyforward: { accounts: { bank: "普通預金(みずほ)" } },
    });
  });
});
