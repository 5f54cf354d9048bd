/**
 * Journal exports (仕訳) through the HTTP API on a real database: invoices issued with a late fee,
 * a void in the next month, a credit note, payments — exported for 弥生会計, freee and マネーフォワード,
 * decoded, and read back entry by entry; refusals; the accounts configured change the export.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOURNAL_COLUMNS } from "../src/billing/journal-formats.ts";
import { runBilling } from "../src/billing/runs.ts";
import {
  buildContract,
  buildUser,
  type Client,
  invoicesOf,
  issueOn,
  linesOf,
  login,
  PASSWORD,
  type TestEnv,
  testApp,
} from "./helpers.ts";

let env: TestEnv;
let bill: Client;

beforeAll(async () => {
  env = await testApp();
  bill = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
});
afterAll(async () => {
  await env?.close();
});

type Format = "yayoi" | "freee" | "moneyforward";

interface Row {
  date: string;
  source: string;
  debit: { account: string; tax: string; amount: number; taxAmount: number };
  credit: { account: string; tax: string; amount: number; taxAmount: number };
  description: string;
}

async function download(client: Client, month: string, format: string) {
  const r = await env.app.inject({
    method: "GET",
    url: `/api/v1/billing/months/${month}/journal.csv?format=${format}`,
    headers: { cookie: client.cookie },
  });
  return { status: r.statusCode, bytes: r.rawPayload, headers: r.headers, json: () => r.json() };
}

/** The export decoded (Shift_JIS where the format is) and read by the format's column names. */
async function entries(month: string, format: Format): Promise<Row[]> {
  const r = await download(bill, month, format);
  expect(r.status, r.bytes.toString()).toBe(200);
  expect(r.headers["content-disposition"]).toContain(`journal-${format}-${month}.csv`);
  const text =
    format === "freee"
      ? r.bytes.subarray(3).toString("utf8")
      : new TextDecoder("shift_jis", { fatal: true }).decode(r.bytes);
  if (format === "freee") expect(r.bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  else expect(r.headers["content-type"]).toBe("text/csv; charset=Shift_JIS");
  const rows: string[][] = parse(text);
  const columns = JOURNAL_COLUMNS[format];
  if (format !== "yayoi") expect(rows.shift()).toEqual([...columns]);
  return rows.map((cells) => {
    expect(cells).toHaveLength(columns.length);
    const v = (name: string) => cells[columns.indexOf(name)]!;
    const amount = (side: "借方" | "貸方") =>
      Number(v(format === "moneyforward" ? `${side}金額(円)` : `${side}金額`));
    const taxAmount = (side: "借方" | "貸方") =>
      Number(v(format === "yayoi" ? `${side}税金額` : `${side}税額`));
    const side = (s: "借方" | "貸方") => ({
      account: v(`${s}勘定科目`),
      tax: v(`${s}税区分`),
      amount: amount(s),
      taxAmount: taxAmount(s),
    });
    const description = v("摘要");
    return {
      date: v(format === "yayoi" ? "取引日付" : format === "freee" ? "日付" : "取引日"),
      // freee has no column of its own for it: the 摘要 names the document after its kind.
      source:
        format === "yayoi"
          ? v("番号")
          : format === "moneyforward"
            ? v("仕訳メモ")
            : /(?:請求書|返還|入金) (\S+)/.exec(description)![1]!,
      debit: side("借方"),
      credit: side("貸方"),
      description,
    };
  });
}

const TAX10: Record<Format, string> = {
  yayoi: "課税売上込10%",
  freee: "課税売上10%",
  moneyforward: "課税売上 10%",
};
const RETURN10: Record<Format, string> = {
  yayoi: "課税売上返還込10%",
  freee: "課税売返10%",
  moneyforward: "課税売上返還 10%",
};

describe("journal exports (仕訳) for 弥生会計, freee, マネーフォワード", () => {
  const made = {} as {
    customer: string;
    late: {
      id: string;
      number: string;
      byRate: { category: string; net: number; tax: number }[];
      lateFee: number;
    };
    voided: { number: string; total: number; tax: number; customer: string };
    credit: string;
    draftCustomer: string;
  };

  beforeAll(async () => {
    // Paid late for August: the late fee (Art. 33) is charged on the October invoice.
    const a = await buildContract(env.db, { start: "2026-08-01", plan: "standard" });
    await runBilling(env, "2026-08");
    const [aug] = await invoicesOf(env.db, a.id);
    await issueOn(env, [aug!.id], "2026-09-01");
    const paidLate = await bill.req("POST", "/api/v1/payments", {
      customerId: a.customerId,
      receivedOn: "2026-10-20",
      amount: (await invoicesOf(env.db, a.id))[0]!.total,
      method: "bank_transfer",
      invoiceId: aug!.id,
    });
    expect(paidLate.status, JSON.stringify(paidLate.json)).toBe(201);
    const b = await buildContract(env.db, { start: "2026-10-01", plan: "basic" });
    const d = await buildContract(env.db, { start: "2026-10-01", plan: "basic" });
    await runBilling(env, "2026-10");
    const oct = (await invoicesOf(env.db, a.id)).find((i) => i.month === "2026-10")!;
    const lateLines = (await linesOf(env.db, oct.id)).filter((l) => l.kind === "late-fee");
    expect(lateLines).toHaveLength(1);
    await issueOn(env, [oct.id], "2026-11-20");
    const [bInv] = await invoicesOf(env.db, b.id);
    await issueOn(env, [bInv!.id], "2026-11-05");

    const octDoc = (await bill.req("GET", `/api/v1/invoices/${oct.id}`)).json.document;
    made.customer = octDoc.recipient.name;
    made.late = {
      id: oct.id,
      number: octDoc.number,
      byRate: octDoc.totals.byRate,
      lateFee: lateLines[0]!.amount,
    };

    // A credit note: returned on the 23rd, issued on the 24th (the test clock's day).
    const cn = await bill.req(
      "POST",
      `/api/v1/invoices/${oct.id}/credit-note`,
      {
        reason: "10月の障害対応遅延による値引き",
        returnDate: "2026-11-23",
        lines: [{ description: "値引き", amount: 10_000, taxCategory: "10" }],
      },
      { "idempotency-key": `journal-cn-${oct.id}` },
    );
    expect(cn.status, JSON.stringify(cn.json)).toBe(201);
    const cnIssued = await bill.req("POST", `/api/v1/invoices/${cn.json.id}/issue`);
    expect(cnIssued.status).toBe(200);
    made.credit = cnIssued.json.document.number;

    const paid = await bill.req("POST", "/api/v1/payments", {
      customerId: a.customerId,
      receivedOn: "2026-11-24",
      amount: 50_000,
      method: "bank_transfer",
      reference: "=振込 テスト",
    });
    expect(paid.status).toBe(201);

    // A draft voided: it was never issued, it books nothing.
    const [dInv] = await invoicesOf(env.db, d.id);
    expect((await bill.req("POST", `/api/v1/invoices/${dInv!.id}/void`, { reason: "誤作成" })).status).toBe(
      200,
    );
    made.draftCustomer = dInv!.recipient ? (dInv!.recipient as { name: string }).name : "";

    // The November invoice of B is voided on 3 December (JST).
    const bDoc = (await bill.req("GET", `/api/v1/invoices/${bInv!.id}`)).json.document;
    made.voided = {
      number: bDoc.number,
      total: bDoc.totals.total,
      tax: bDoc.totals.tax,
      customer: bDoc.recipient.name,
    };
    env.clock.set(new Date("2026-12-02T15:30:00Z")); // 2026-12-03 00:30 JST
    // Sessions run on the clock too: sign in again on the day.
    const december = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
    expect(
      (await december.req("POST", `/api/v1/invoices/${bInv!.id}/void`, { reason: "宛名の誤り" })).status,
    ).toBe(200);
    env.clock.set(new Date("2026-11-24T01:00:00Z"));
  });

  for (const format of ["yayoi", "freee", "moneyforward"] as const) {
    it(`${format}: sales per rate with the invoice's tax, the late fee apart, the credit note, the payment; the void reversed in December`, async () => {
      const nov = await entries("2026-11", format);
      // Sales of the October invoice, one entry per rate, the tax as the invoice states it.
      const late = nov.filter((r) => r.source === made.late.number);
      const ten = made.late.byRate.find((r) => r.category === "10")!;
      const sale10 = late.find((r) => r.credit.tax === TAX10[format])!;
      expect(sale10).toMatchObject({
        date: "2026/11/20",
        debit: { account: "売掛金", amount: ten.net + ten.tax, taxAmount: 0, tax: "対象外" },
        credit: { account: "売上高", amount: ten.net + ten.tax, taxAmount: ten.tax },
      });
      const fee = late.find((r) => r.credit.account === "受取遅延損害金")!;
      expect(fee).toMatchObject({ credit: { amount: made.late.lateFee, taxAmount: 0, tax: "対象外" } });
      expect(fee.description).toContain("遅延損害金");
      // Everything the invoice billed is receivable: the entries add up to its total.
      const total = made.late.byRate.reduce((s, r) => s + r.net + r.tax, 0);
      expect(late.reduce((s, r) => s + r.debit.amount, 0)).toBe(total);
      for (const r of late) {
        expect(r.description).toContain(made.late.number);
        expect(r.description).toContain(made.customer);
      }

      const credit = nov.filter((r) => r.source === made.credit);
      expect(credit).toHaveLength(1);
      expect(credit[0]).toMatchObject({
        date: "2026/11/23",
        debit: { account: "売上値引高", tax: RETURN10[format], amount: 11_000, taxAmount: 1_000 },
        credit: { account: "売掛金", amount: 11_000 },
      });
      for (const s of [made.credit, made.late.number, "10月の障害対応遅延による値引き", made.customer])
        expect(credit[0]!.description).toContain(s);

      const pay = nov.filter((r) => r.date === "2026/11/24" && r.debit.account === "普通預金");
      expect(pay).toHaveLength(1);
      expect(pay[0]).toMatchObject({
        credit: { account: "売掛金", amount: 50_000 },
        debit: { amount: 50_000 },
      });
      expect(pay[0]!.source).toMatch(/^PAY-[0-9A-F]{8}$/);
      expect(pay[0]!.description).toContain(made.customer);

      const voidedSale = nov.filter((r) => r.source === made.voided.number);
      expect(voidedSale).toEqual([
        expect.objectContaining({
          date: "2026/11/05",
          debit: expect.objectContaining({ account: "売掛金", amount: made.voided.total }),
          credit: expect.objectContaining({ account: "売上高", taxAmount: made.voided.tax }),
        }),
      ]);
      // The draft voided in November is nowhere; each entry balances.
      expect(nov.some((r) => r.description.includes(made.draftCustomer))).toBe(false);
      for (const r of nov) expect(r.debit.amount).toBe(r.credit.amount);

      const dec = await entries("2026-12", format);
      expect(dec).toEqual([
        expect.objectContaining({
          date: "2026/12/03",
          source: made.voided.number,
          debit: expect.objectContaining({
            account: "売上高",
            amount: made.voided.total,
            taxAmount: made.voided.tax,
          }),
          credit: expect.objectContaining({ account: "売掛金", amount: made.voided.total }),
        }),
      ]);
      expect(dec[0]!.description).toMatch(/^取消 /);
    });
  }

  it("refuses a bad format or month (400 in the error shape), a customer user (403), no session (401)", async () => {
    const badFormat = await download(bill, "2026-11", "excel");
    expect(badFormat.status).toBe(400);
    expect(badFormat.json().error.code).toBeTruthy();
    const badMonth = await download(bill, "2026-13", "yayoi");
    expect(badMonth.status).toBe(400);
    expect(badMonth.json().error).toMatchObject({
      code: expect.any(String),
      message: expect.stringContaining("month"),
    });
    const noFormat = await env.app.inject({
      method: "GET",
      url: "/api/v1/billing/months/2026-11/journal.csv",
      headers: { cookie: bill.cookie },
    });
    expect(noFormat.statusCode).toBe(400);

    const c = await buildContract(env.db, { start: "2026-10-01", plan: "basic" });
    const u = await buildUser(env.db, { role: "customer-admin", customerId: c.customerId });
    const cust = await login(env.app, u.loginId, u.password);
    const denied = await download(cust, "2026-11", "yayoi");
    expect(denied.status).toBe(403);
    expect(denied.json().error.code).toBe("forbidden");
    expect((await cust.req("GET", "/api/v1/billing/journal-accounts")).status).toBe(403);
    expect((await cust.req("PUT", "/api/v1/billing/journal-accounts", {})).status).toBe(403);
    const op = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
    expect((await download(op, "2026-11", "yayoi")).status).toBe(403);
    const anon = await env.app.inject({
      method: "GET",
      url: "/api/v1/billing/months/2026-11/journal.csv?format=yayoi",
    });
    expect(anon.statusCode).toBe(401);
  });

  it("the accounts and tax categories configured change the export; the change is audited", async () => {
    const before = await bill.req("GET", "/api/v1/billing/journal-accounts");
    expect(before.status).toBe(200);
    expect(before.json.yayoi.accounts).toMatchObject({ receivable: "売掛金", lateFees: "受取遅延損害金" });
    expect(before.json.overrides).toEqual({});

    const bad = await bill.req("PUT", "/api/v1/billing/journal-accounts", {
      yayoi: { accounts: { sales: " " } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("validation_failed");
    const unknown = await bill.req("PUT", "/api/v1/billing/journal-accounts", {
      yayoi: { accounts: { cash: "現金" } },
    });
    expect(unknown.status).toBe(400);

    const put = await bill.req("PUT", "/api/v1/billing/journal-accounts", {
      yayoi: { accounts: { lateFees: "雑収入", bank: "当座預金" }, salesTax: { "10": "課税売上内10%" } },
      moneyforward: { accounts: { receivable: "売掛金(Unyo)" } },
    });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json.yayoi.accounts).toMatchObject({ lateFees: "雑収入", bank: "当座預金", sales: "売上高" });
    expect(put.json.freee.accounts.lateFees).toBe("受取遅延損害金");

    const yayoi = await entries("2026-11", "yayoi");
    const late = yayoi.filter((r) => r.source === made.late.number);
    expect(late.some((r) => r.credit.account === "雑収入")).toBe(true);
    expect(late.some((r) => r.credit.account === "受取遅延損害金")).toBe(false);
    expect(late.some((r) => r.credit.tax === "課税売上内10%")).toBe(true);
    expect(yayoi.filter((r) => r.debit.account === "当座預金")).toHaveLength(1);
    const mf = await entries("2026-11", "moneyforward");
    expect(mf.filter((r) => r.debit.account === "売掛金(Unyo)").length).toBeGreaterThan(0);
    expect(mf.some((r) => r.debit.account === "売掛金" || r.credit.account === "売掛金")).toBe(false);
    // freee is untouched.
    expect((await entries("2026-11", "freee")).some((r) => r.credit.account === "雑収入")).toBe(false);

    const audit = await env.db
      .selectFrom("audit_log")
      .select(["before", "after"])
      .where("action", "=", "billing.journal_accounts.updated")
      .execute();
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.after)).toContain("雑収入");
    expect(JSON.stringify(audit[0]!.before)).not.toContain("雑収入");

    // PUT replaces: an empty body is the defaults again.
    const reset = await bill.req("PUT", "/api/v1/billing/journal-accounts", {});
    expect(reset.json.yayoi.accounts.lateFees).toBe("受取遅延損害金");
    expect(reset.json.overrides).toEqual({});
  });
});
