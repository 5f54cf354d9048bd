/**
 * Browser: billing staff keep the price book, run and issue the monthly billing, open an invoice and
 * its PDF, record a partial and an over-payment, import cloud usage; the customer sees the invoices,
 * their payment status and the credit in the portal. Runs on the demo data (C-DEMO-0001 of
 * 株式会社サンプル商事 starts on the 1st of the month three months ago).
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonthsToMonth, monthOf, tokyoDate } from "../../src/core/dates.ts";
import { nextBankBusinessDay } from "../../src/core/holidays.ts";
import { issueMonthOn } from "../helpers.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

const yen = (n: number) => `${n.toLocaleString("ja-JP")}円`;

describe("billing pages", () => {
  it("staff run, issue and collect a month's billing; the customer sees invoices, PDFs, payments and credit", async () => {
    const { browser, base, db } = e2e;
    const thisMonth = monthOf(tokyoDate(new Date()));
    const older = addMonthsToMonth(thisMonth, -2);
    const last = addMonthsToMonth(thisMonth, -1);
    const invoiceOf = (month: string) =>
      db
        .selectFrom("invoices as i")
        .innerJoin("contracts as c", "c.id", "i.contract_id")
        .select(["i.id", "i.number", "i.total", "i.status", "i.due_date", "i.customer_id"])
        .where("c.number", "=", "C-DEMO-0001")
        .where("i.month", "=", month)
        .executeTakeFirst();

    const staff = await browser.newPage();
    await logIn(staff, base, "billing");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();

    // Price book: a catalogue work item, then a new price from a later date.
    await staff.getByRole("link", { name: "料金表" }).click();
    const addItem = staff.getByRole("form", { name: "料金項目を追加" });
    await addItem.getByLabel("コード").fill("log-review");
    await addItem.getByLabel("名称(日本語)").fill("ログ調査作業");
    await addItem.getByLabel("名称(英語)").fill("Log review work");
    await addItem.getByLabel("単価(円・税抜)").fill("20000");
    await addItem.getByRole("button", { name: "追加する" }).click();
    await staff.getByRole("cell", { name: "log-review" }).waitFor();
    const addPrice = staff.getByRole("form", { name: "単価の改定(適用開始日から)" });
    await addPrice.getByLabel("コード").selectOption("log-review");
    await addPrice.getByLabel("適用開始日").fill("2099-04-01");
    await addPrice.getByLabel("単価(円・税抜)").fill("25000");
    await addPrice.getByRole("button", { name: "追加する" }).click();
    await staff.getByText("2099-04-01〜 25,000円").waitFor();
    // A bad registration number is refused with the reason, and nothing is saved.
    const settings = staff.getByRole("form", { name: "発行者と請求の設定(適格請求書)" });
    const regField = settings.getByLabel("登録番号");
    const registration = await regField.inputValue();
    await regField.fill("T123");
    await settings.getByRole("button", { name: "保存する" }).click();
    await settings.getByRole("alert").waitFor();
    expect(await settings.getByRole("alert").textContent()).toMatch(
      /登録番号: T と 13 桁の数字で入力してください/,
    );
    const stored = await db.selectFrom("billing_settings").select("registration_number").executeTakeFirst();
    expect(stored?.registration_number ?? registration).toBe(registration);

    // The older month: run it (queued; the page follows its progress). Its drafts were issued back
    // then, on the 1st of the month after (the due date an invoice states is decided at issue, Art.
    // 31(3)), so by now it is past its due date: overdue.
    await staff.getByRole("link", { name: "請求", exact: true }).click();
    await staff.getByLabel("対象月").first().fill(older);
    await staff.getByRole("button", { name: "実行する" }).click();
    const result = staff.getByTestId("run-result");
    await result.waitFor();
    expect(await result.textContent()).toMatch(/作成 [1-9]\d* 件.*発行 0 件/);
    await issueMonthOn({ db }, older, `${addMonthsToMonth(older, 1)}-01`);
    const first = await invoiceOf(older);
    expect(first?.status).toBe("issued");
    expect(first!.due_date < tokyoDate(new Date())).toBe(true);
    const listMonth = staff.getByLabel("対象月").nth(1);
    await listMonth.fill(last);
    await listMonth.fill(older);
    await staff.getByRole("link", { name: first!.number! }).first().waitFor();
    // Running it again creates nothing.
    await staff.getByLabel("続けて発行する(請求書番号を付番)").uncheck();
    await staff.getByRole("button", { name: "実行する" }).click();
    await staff.getByText(/作成 0 件/).waitFor();

    // Last month: drafts, then "issue all" from the invoice list.
    await staff.getByLabel("対象月").first().fill(last);
    await staff.getByRole("button", { name: "実行する" }).click();
    await staff.getByText(/作成 [1-9]\d* 件/).waitFor();
    await staff.getByRole("button", { name: /この月の下書き \d+ 件を発行する/ }).click();
    // Numbering is for good: the page says how many and asks first.
    const ask = staff.getByRole("alertdialog");
    expect(await ask.textContent()).toMatch(
      new RegExp(`${last} の下書き \\d+ 件に請求書番号を付けて発行します`),
    );
    await ask.getByRole("button", { name: "発行する" }).click();
    await staff.getByText(/件を発行しました。/).waitFor();
    const second = await invoiceOf(last);
    expect(second?.status).toBe("issued");
    expect(
      await staff.getByRole("link", { name: "CSVをダウンロード(会計ソフト用)" }).getAttribute("href"),
    ).toBe(`/api/v1/billing/months/${last}/invoices.csv`);

    // The overdue list shows the older invoice with its late fee (Art. 33).
    await staff.reload();
    const overdue = staff.getByRole("region", { name: /支払期日を過ぎた請求書/ });
    await overdue.getByRole("link", { name: first!.number! }).waitFor();
    const row = overdue.getByRole("row").filter({ hasText: first!.number! });
    expect(await row.textContent()).toContain(yen(first!.total));
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-billing.png"), fullPage: true });

    // The invoice page: lines with articles, per-rate totals, and the PDF.
    await staff.getByRole("link", { name: second!.number! }).first().click();
    await staff.getByTestId("invoice-status").getByText("発行済").waitFor();
    expect(await staff.getByTestId("invoice-total").textContent()).toBe(yen(second!.total));
    // Each line's article and the note explaining its amount, in the reader's language (Art. 29(6)).
    const lines = staff.getByRole("table", { name: "明細" });
    await lines.getByText("第29条第1項", { exact: true }).first().waitFor();
    await lines
      .getByText(/分の月間費用.*日割り計算はいたしません\(第29条第6項\)。/)
      .first()
      .waitFor();
    expect(await lines.getByText("Art. 29(1)").count()).toBe(0);
    const pdfHref = await staff.getByTestId("invoice-pdf").getAttribute("href");
    const pdf = await staff.request.get(`${base}${pdfHref}`);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
    // Voiding needs a reason: the button alone is refused and the invoice stays issued.
    await staff.getByRole("button", { name: "無効にする" }).click();
    await staff.getByText("理由を入力してください。").waitFor();
    expect((await invoiceOf(last))?.status).toBe("issued");
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-invoice.png"), fullPage: true });

    // Payments: a bad amount is refused; a partial payment on the newer invoice; then the rest
    // of everything owed plus 3,000 yen, which stays as the customer's credit.
    await staff.getByRole("link", { name: "入金" }).click();
    const pay = staff.getByRole("form", { name: "入金の登録(振込・現金など)" });
    // The customer is found by typing part of its name (the server searches), then chosen.
    await pay.getByLabel("契約者を名前で検索").fill("サンプル");
    await pay.getByLabel("契約者", { exact: true }).selectOption({ label: "株式会社サンプル商事" });
    await pay.getByLabel("金額(円)").fill("-5");
    await pay.getByRole("button", { name: "登録する" }).click();
    await staff.getByRole("alert").waitFor();
    expect(await db.selectFrom("payments").select("id").execute()).toHaveLength(0);
    await pay.getByLabel("金額(円)").fill("10000");
    await pay.getByLabel(/充当先の請求書番号/).fill(second!.number!);
    await pay.getByRole("button", { name: "登録する" }).click();
    await staff
      .getByTestId("payment-recorded")
      .getByText(`${yen(10000)} を登録しました。充当 ${yen(10000)}、前受(次回充当) ${yen(0)}。`)
      .waitFor();
    // Everything the customer still owes (the direct-debit journey may have issued this month's
    // invoice before this one ran), so that 3,000 yen is left over as credit.
    const open = await db
      .selectFrom("invoices")
      .select((eb) => eb.fn.sum<string>("total").as("total"))
      .select((eb) => eb.fn.sum<string>("paid_amount").as("paid"))
      .where("customer_id", "=", first!.customer_id)
      .where("status", "=", "issued")
      .executeTakeFirstOrThrow();
    const rest = Number(open.total) - Number(open.paid);
    expect(rest).toBeGreaterThanOrEqual(first!.total + second!.total - 10000);
    await pay.getByLabel("金額(円)").fill(String(rest + 3000));
    await pay.getByRole("button", { name: "登録する" }).click();
    await staff
      .getByTestId("payment-recorded")
      .getByText(`前受(次回充当) ${yen(3000)}`)
      .waitFor();
    expect(
      (
        await db
          .selectFrom("invoices")
          .select(["paid_amount", "total"])
          .where("id", "in", [first!.id, second!.id])
          .execute()
      ).every((i) => i.paid_amount === i.total),
    ).toBe(true);

    // Cloud usage (generic CSV) for this month becomes a usage charge of the contract.
    const usage = staff.getByRole("form", { name: "クラウド利用料の取込" });
    await usage.getByLabel("形式").selectOption("generic");
    await usage.getByLabel("ファイル").setInputFiles({
      name: "usage.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        `contract_number,month,description,amount,currency,tax_category\r\nC-DEMO-0001,${thisMonth},AWS利用料,12345,JPY,10\r\n`,
      ),
    });
    await usage.getByRole("button", { name: "取り込む" }).click();
    await usage
      .getByRole("status")
      .getByText(/新規 1/)
      .waitFor();
    const charge = await db
      .selectFrom("charges")
      .select(["amount", "kind"])
      .where("kind", "=", "usage")
      .executeTakeFirstOrThrow();
    expect(charge.amount).toBe(12345);

    // A late start for the provider's reasons (Art. 36(2)): recorded on the contract page.
    const demo = await db
      .selectFrom("contracts")
      .select(["id", "start_date"])
      .where("number", "=", "C-DEMO-0001")
      .executeTakeFirstOrThrow();
    await staff.goto(`${base}/console/contracts/${demo.id}`);
    const late = staff.getByRole("form", { name: /利用開始の遅延/ });
    await late.getByLabel("利用開始予定日").fill(`${demo.start_date.slice(0, 8)}03`);
    await late.getByLabel("実際の利用開始日").fill(`${demo.start_date.slice(0, 8)}06`);
    await late.getByRole("button", { name: "登録" }).click();
    await staff.getByTestId("extension").getByText(/^3日/).waitFor();

    // The customer: both invoices paid, 3,000 yen of credit, the PDF of their own invoice.
    const customer = await browser.newPage();
    await logIn(customer, base, "sample-admin");
    await customer.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();
    await customer.getByRole("link", { name: "請求書・お支払い" }).click();
    expect(await customer.getByTestId("credit-balance").textContent()).toContain(yen(3000));
    expect(await customer.getByTestId("open-balance").textContent()).toBe(yen(0));
    const mine = customer.getByRole("row").filter({ hasText: second!.number! });
    await mine.getByText("支払済").waitFor();
    await mine.getByRole("link", { name: second!.number! }).click();
    await customer.getByTestId("invoice-payment").getByText("支払済").waitFor();
    expect(await customer.getByRole("button", { name: "無効にする" }).count()).toBe(0);
    const ownPdf = await customer.request.get(`${base}/api/v1/invoices/${second!.id}/pdf`);
    expect(ownPdf.status()).toBe(200);
    await customer.screenshot({ path: path.join(ARTIFACTS, "portal-invoices.png"), fullPage: true });

    // The contract page's billing panel: the usage charge of this month and the damages cap.
    await customer.getByRole("link", { name: "C-DEMO-0001" }).click();
    await customer.getByRole("heading", { name: "料金とSLA" }).waitFor();
    await customer.getByText("AWS利用料").first().waitFor();
    const cap = await customer.getByTestId("damages-cap").textContent();
    expect(cap).toMatch(/^[\d,]+円 \(第39条\)$/);
  });

  it("direct debit: the originator, a customer's mandate in kana, the request file for a date; the customer sees it", async () => {
    const { browser, base, db } = e2e;
    const thisMonth = monthOf(tokyoDate(new Date()));
    const staff = await browser.newPage();
    await logIn(staff, base, "billing");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();

    // The originator's details from the bank, typed in full-width kana.
    await staff.getByRole("link", { name: "料金表" }).click();
    const consignor = staff.getByRole("form", { name: "口座振替の委託者情報" });
    await consignor.getByLabel("委託者コード(10桁)").fill("1234567890");
    await consignor.getByLabel("委託者名(カナ)").fill("ウンヨウシエンサービス（カ");
    await consignor.getByLabel("金融機関コード(4桁)").fill("0005");
    await consignor.getByLabel("金融機関名(カナ)").fill("ミツビシユーエフジエイ");
    await consignor.getByLabel("支店コード(3桁)").fill("123");
    await consignor.getByLabel("支店名(カナ)").fill("シブヤ");
    await consignor.getByLabel("口座番号(7桁まで)").fill("7654321");
    await consignor.getByRole("button", { name: "保存する" }).click();
    await consignor.getByRole("status").waitFor();
    expect(
      (await db.selectFrom("billing_settings").select("debit_consignor").executeTakeFirstOrThrow())
        .debit_consignor,
    ).toMatchObject({ consignorName: "ｳﾝﾖｳｼｴﾝｻ-ﾋﾞｽ(ｶ", bankName: "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ" });

    // This month's invoice, issued, still open.
    await staff.getByRole("link", { name: "請求", exact: true }).click();
    await staff.getByLabel("対象月").first().fill(thisMonth);
    await staff.getByLabel("続けて発行する(請求書番号を付番)").check();
    await staff.getByRole("button", { name: "実行する" }).click();
    await staff.getByTestId("run-result").waitFor();
    const open = await db
      .selectFrom("invoices as i")
      .innerJoin("contracts as c", "c.id", "i.contract_id")
      .select(["i.number", "i.total", "i.paid_amount", "i.due_date"])
      .where("c.number", "=", "C-DEMO-0001")
      .where("i.month", "=", thisMonth)
      .where("i.status", "=", "issued")
      .executeTakeFirstOrThrow();

    // The mandate: 漢字 is refused with the reason; kana are stored as the bank's half-width kana.
    await staff.getByRole("link", { name: "入金" }).click();
    const mandate = staff.getByRole("form", { name: "口座振替の登録(預金口座振替依頼書)" });
    await mandate.getByLabel("契約者を名前で検索").fill("サンプル商事");
    await mandate.getByLabel("契約者", { exact: true }).selectOption({ label: "株式会社サンプル商事" });
    await mandate
      .getByTestId("mandate-current")
      .getByText(/口座振替の登録はありません/)
      .waitFor();
    await mandate.getByLabel("金融機関コード(4桁)").fill("0001");
    await mandate.getByLabel("金融機関名(カナ)").fill("ミズホ");
    await mandate.getByLabel("支店コード(3桁)").fill("001");
    await mandate.getByLabel("支店名(カナ)").fill("ほんてん");
    await mandate.getByLabel("口座番号(7桁まで)").fill("1234567");
    await mandate.getByLabel("口座名義(カナ)").fill("株式会社サンプル商事");
    await mandate.getByRole("button", { name: "保存する" }).click();
    expect(await mandate.getByRole("alert").textContent()).toContain("「株」は銀行に送れません");
    expect(await db.selectFrom("debit_mandates").select("customer_id").execute()).toHaveLength(0);
    await mandate.getByLabel("口座名義(カナ)").fill("カ）サンプルショウジ");
    await mandate.getByRole("button", { name: "保存する" }).click();
    await mandate
      .getByRole("status")
      .getByText(/ﾐｽﾞﾎ \(0001\) ﾎﾝﾃﾝ \(001\) 普通 1234567 ｶ\)ｻﾝﾌﾟﾙｼﾖｳｼﾞ/)
      .waitFor();

    // The request for a debit date in the month the invoice falls due, for what is still owed (the
    // customer's credit from the first journey, if any, was applied when the invoice was issued).
    const owed = open.total - open.paid_amount;
    expect(owed).toBeGreaterThan(0);
    const dueMonth = open.due_date.slice(0, 7);
    const debitDate = nextBankBusinessDay(
      `${dueMonth}-27` < tokyoDate(new Date()) ? tokyoDate(new Date()) : `${dueMonth}-27`,
    );
    const requests = staff.getByRole("form", { name: "口座振替依頼データ(全銀)" });
    await requests.getByLabel("振替日").fill(debitDate);
    await requests.getByRole("button", { name: "依頼データを作る" }).click();
    await requests
      .getByRole("status")
      .getByText(`${debitDate} の依頼: 1 件、${yen(owed)}`)
      .waitFor();
    const table = staff.getByTestId("debit-requests");
    const link = table.getByRole("link", { name: `KOFURI-${debitDate.replace(/-/g, "")}.txt` });
    const file = await staff.request.get(`${base}${await link.getAttribute("href")}`);
    expect(file.status()).toBe(200);
    const { parseZenginResult } = await import("../../src/billing/zengin.ts");
    const parsed = parseZenginResult(await file.body());
    expect(parsed.kind).toBe("request");
    expect(parsed.records).toEqual([
      expect.objectContaining({
        accountHolder: "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ",
        amount: owed,
        customerNumber: open.number!.replace(/\D/g, "").padStart(20, "0"),
      }),
    ]);
    await table.getByRole("cell", { name: "結果待ち" }).waitFor();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-direct-debit.png"), fullPage: true });

    // The customer sees that it pays by direct debit, with the account masked.
    const customer = await browser.newPage();
    await logIn(customer, base, "sample-admin");
    await customer.getByRole("link", { name: "請求書・お支払い" }).click();
    expect(await customer.getByTestId("my-mandate").textContent()).toBe("口座振替: ﾐｽﾞﾎ ﾎﾝﾃﾝ 普通 ****567");
  });
});
