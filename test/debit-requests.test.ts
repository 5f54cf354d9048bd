import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { verifyAudit } from "../src/audit/service.ts";
import { customerNumberOf } from "../src/billing/debits.ts";
import { recordPayment } from "../src/billing/payments.ts";
import { runBilling } from "../src/billing/runs.ts";
import { parseZenginResult, writeZenginDebitFile } from "../src/billing/zengin.ts";
import { main } from "../src/cli/main.ts";
import { addDays, tokyoDate } from "../src/core/dates.ts";
import { nextBankBusinessDay } from "../src/core/holidays.ts";
import {
  buildContract,
  buildCustomer,
  buildUser,
  type Client,
  DEBIT_CONSIGNOR,
  DEBIT_MANDATE,
  issueMonthOn,
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

const fileOf = async (id: string) => {
  const r = await env.app.inject({
    method: "GET",
    url: `/api/v1/billing/debit-requests/${id}/file`,
    headers: { cookie: bill.cookie },
  });
  expect(r.statusCode, r.body).toBe(200);
  return { bytes: r.rawPayload, disposition: String(r.headers["content-disposition"]) };
};

const importResult = (file: Uint8Array) =>
  env.app.inject({
    method: "POST",
    url: "/api/v1/billing/debit-results?year=2026&name=RESULT.txt",
    payload: Buffer.from(file),
    headers: { cookie: bill.cookie, "x-csrf-token": bill.csrf, "content-type": "application/octet-stream" },
  });

/** The bank's result file (振替結果データ) for a debit date (MMDD) with these records. */
const bankResult = (debitDate: string, records: Parameters<typeof writeZenginDebitFile>[0]["records"]) =>
  writeZenginDebitFile({
    kind: "result",
    header: {
      consignorCode: "1234567890",
      consignorName: "ｳﾝﾖｳ",
      debitDate,
      bankCode: "0005",
      bankName: "ﾐﾂﾋﾞｼ",
      branchCode: "123",
      branchName: "ｼﾌﾞﾔ",
      accountType: "1",
      accountNumber: "7654321",
    },
    records,
  });

/** A result record for an invoice: its number's digits are the 顧客番号, as in our requests. */
const resultRecord = (invoiceNumber: string, amount: number, resultCode = "0") => ({
  bankCode: "0001",
  bankName: "ﾐｽﾞﾎ",
  branchCode: "001",
  branchName: "ﾎﾝﾃﾝ",
  accountType: "1",
  accountNumber: "1234567",
  accountHolder: "ﾃｽﾄ",
  amount,
  customerNumber: customerNumberOf(invoiceNumber),
  resultCode,
});

/**
 * A database of its own with the originator set up, for a test whose request must take exactly its
 * own invoices; `request` gives customers a mandate and asks the bank for a debit date.
 */
async function ownDebitEnv() {
  const env = await testApp();
  onTestFinished(() => env.close());
  const bill = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
  expect(
    (await bill.req("PATCH", "/api/v1/billing/settings", { debitConsignor: DEBIT_CONSIGNOR })).status,
  ).toBe(200);
  const importResult = (file: Uint8Array) =>
    env.app.inject({
      method: "POST",
      url: "/api/v1/billing/debit-results?year=2026&name=RESULT.txt",
      payload: Buffer.from(file),
      headers: { cookie: bill.cookie, "x-csrf-token": bill.csrf, "content-type": "application/octet-stream" },
    });
  const request = async (customerIds: string[], debitDate: string) => {
    for (const id of new Set(customerIds))
      expect((await bill.req("PUT", `/api/v1/customers/${id}/debit-mandate`, DEBIT_MANDATE)).status).toBe(
        200,
      );
    const r = await bill.req("POST", "/api/v1/billing/debit-requests", { debitDate });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json as { id: string; records: number };
  };
  return { env, bill, importResult, request };
}

describe("direct debit: mandates, request files and their results (Art. 21(1)(2), 30, 31)", () => {
  it("from mandate to request file to result: paid, failed and asked for again", async () => {
    // Before the provider's consignor details are set, no request can be made.
    const early = await bill.req("POST", "/api/v1/billing/debit-requests", { debitDate: "2026-11-27" });
    expect(early.status).toBe(409);
    expect(JSON.stringify(early.json)).toMatch(/consignor/);

    // The consignor: names are turned into the bank's half-width kana; 漢字 and bad codes are refused.
    const consignor = DEBIT_CONSIGNOR;
    const kanji = await bill.req("PATCH", "/api/v1/billing/settings", {
      debitConsignor: { ...consignor, consignorName: "運用支援株式会社" },
    });
    expect(kanji.status).toBe(400);
    expect(kanji.json.error.message).toMatch(/"運" cannot be sent to the bank/);
    const short = await bill.req("PATCH", "/api/v1/billing/settings", {
      debitConsignor: { ...consignor, consignorCode: "123456789" },
    });
    expect(short.status).toBe(400);
    expect((await bill.req("GET", "/api/v1/billing/settings")).json.debitConsignor).toBeNull();
    const set = await bill.req("PATCH", "/api/v1/billing/settings", { debitConsignor: consignor });
    expect(set.status, JSON.stringify(set.json)).toBe(200);
    expect(set.json.debitConsignor).toMatchObject({ consignorName: "ｳﾝﾖｳｼｴﾝ(ｶ", bankName: "ﾐﾂﾋﾞｼ" });

    // Three customers, one invoice each for October; A and B pay by debit, C by transfer.
    const [ca, cb, cc] = [
      await buildCustomer(env.db),
      await buildCustomer(env.db),
      await buildCustomer(env.db),
    ];
    const a = await buildContract(env.db, { customerId: ca, start: "2026-08-01", plan: "basic" });
    const b = await buildContract(env.db, { customerId: cb, start: "2026-08-01", plan: "standard" });
    await buildContract(env.db, { customerId: cc, start: "2026-08-01", plan: "basic" });
    await runBilling(env, "2026-10");
    // Issued on 2026-11-02: due the end of November as the policy says (Art. 31(3)).
    await issueMonthOn(env, "2026-10", "2026-11-02");
    const inv = (contractId: string) =>
      env.db
        .selectFrom("invoices")
        .selectAll()
        .where("contract_id", "=", contractId)
        .executeTakeFirstOrThrow();
    const [ia, ib] = [await inv(a.id), await inv(b.id)];
    expect(ia.due_date <= "2026-11-30").toBe(true);

    const ma = await bill.req("PUT", `/api/v1/customers/${ca}/debit-mandate`, DEBIT_MANDATE);
    expect(ma.status, JSON.stringify(ma.json)).toBe(200);
    expect(ma.json).toMatchObject({
      bankName: "ﾐｽﾞﾎ",
      branchName: "ﾎﾝﾃﾝ",
      accountNumber: "0012345",
      accountHolder: "ﾔﾏﾀﾞ ﾀﾛｳ",
      status: "active",
      nextNewCode: "1",
    });
    expect(
      (
        await bill.req("PUT", `/api/v1/customers/${cb}/debit-mandate`, {
          ...DEBIT_MANDATE,
          accountHolder: "山田",
        })
      ).status,
    ).toBe(400);
    expect(
      (await bill.req("PUT", `/api/v1/customers/${cb}/debit-mandate`, { ...DEBIT_MANDATE, bankCode: "12" }))
        .status,
    ).toBe(400);
    expect((await bill.req("GET", `/api/v1/customers/${cb}/debit-mandate`)).status).toBe(404);
    const mb = await bill.req("PUT", `/api/v1/customers/${cb}/debit-mandate`, {
      ...DEBIT_MANDATE,
      accountNumber: "7777777",
      accountHolder: "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ",
    });
    expect(mb.status).toBe(200);

    // Two requests at once for different dates: one gets the invoices, the other finds nothing left.
    const both = await Promise.all([
      bill.req("POST", "/api/v1/billing/debit-requests", { debitDate: "2026-11-27" }),
      bill.req("POST", "/api/v1/billing/debit-requests", { debitDate: "2026-11-26" }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const made = both.find((r) => r.status === 201)!.json;
    const debitDate = made.debitDate as string;
    expect(made).toMatchObject({ records: 2, amount: ia.total + ib.total, result: null });
    expect(made.items.map((i: { invoiceNumber: string }) => i.invoiceNumber).sort()).toEqual(
      [ia.number, ib.number].sort(),
    );
    expect(made.items.every((i: { newCode: string }) => i.newCode === "1")).toBe(true);
    // The items also come a page at a time, in record order; past the end a page is empty.
    const page = async (query: string) => {
      const r = await bill.req("GET", `/api/v1/billing/debit-requests/${made.id}?${query}`);
      return { status: r.status, body: r.json };
    };
    const p1 = await page("limit=1");
    const p2 = await page("limit=1&offset=1");
    expect(p1.body).toMatchObject({ records: 2, itemsOffset: 0, itemsLimit: 1 });
    expect([...p1.body.items, ...p2.body.items]).toEqual(made.items);
    expect(made.items.map((i: { record: number }) => i.record)).toEqual([2, 3]); // the header is record 1
    expect((await page("offset=2")).body.items).toEqual([]);
    for (const bad of ["limit=0", "limit=5001", "offset=-1", "limit=x", "page=2"]) {
      const r = await page(bad);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.code).toBe("validation_failed");
    }

    // The file is a 全銀 request a bank (and our own reader) accepts.
    const { bytes, disposition } = await fileOf(made.id);
    expect(disposition).toContain(`KOFURI-${debitDate.replace(/-/g, "")}.txt`);
    expect(bytes.length).toBe(5 * 122); // header, 2 data, trailer, end; CR LF after each
    const parsed = parseZenginResult(bytes);
    expect(parsed.kind).toBe("request");
    expect(parsed.header).toMatchObject({
      consignorCode: "1234567890",
      consignorName: "ｳﾝﾖｳｼｴﾝ(ｶ",
      debitDate: debitDate.slice(5, 7) + debitDate.slice(8),
      bankCode: "0005",
    });
    const recA = parsed.records.find((r) => r.amount === ia.total && r.accountNumber === "0012345")!;
    expect(recA).toMatchObject({
      bankCode: "0001",
      bankName: "ﾐｽﾞﾎ",
      accountHolder: "ﾔﾏﾀﾞ ﾀﾛｳ",
      newCode: "1",
      customerNumber: ia.number!.replace(/\D/g, "").padStart(20, "0"),
      resultCode: "0",
    });
    expect(parsed.trailer).toMatchObject({ count: 2, amount: ia.total + ib.total });

    // The same date again gives the same request, byte for byte; another date has nothing to ask.
    const again = await bill.req("POST", "/api/v1/billing/debit-requests", { debitDate });
    expect(again.status).toBe(200);
    expect(again.json.id).toBe(made.id);
    expect(Buffer.compare((await fileOf(made.id)).bytes, bytes)).toBe(0);
    expect(
      (await bill.req("POST", "/api/v1/billing/debit-requests", { debitDate: "2026-11-30" })).status,
    ).toBe(409);

    // Our own request file sent back by mistake is not a result: nothing is marked paid.
    const mistaken = await importResult(bytes);
    expect(mistaken.statusCode).toBe(400);
    expect(mistaken.json().error.message).toMatch(/request file/);
    expect((await inv(a.id)).paid_amount).toBe(0);

    // The bank answers: A debited, B short of funds.
    const result = writeZenginDebitFile({
      kind: "result",
      header: parsed.header,
      records: parsed.records.map((r) => ({ ...r, resultCode: r.accountNumber === "0012345" ? "0" : "1" })),
    });
    const imported = await importResult(result);
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json()).toMatchObject({ requestId: made.id, paid: 1, failed: 1, unmatched: 0 });
    expect((await inv(a.id)).paid_amount).toBe(ia.total);
    const list = await bill.req("GET", "/api/v1/billing/debit-requests");
    expect(list.json.items.find((r: { id: string }) => r.id === made.id).result).toMatchObject({
      paid: 1,
      failed: 1,
    });

    // B's invoice is open again and goes into the next request, no longer as a first debit.
    const redo = await bill.req("POST", "/api/v1/billing/debit-requests", { debitDate: "2026-11-30" });
    expect(redo.status, JSON.stringify(redo.json)).toBe(201);
    expect(redo.json.items).toEqual([expect.objectContaining({ invoiceNumber: ib.number, newCode: "0" })]);

    // A changed account is flagged 新規コード 2 for its next debit; the same account keeps 0.
    const same = await bill.req("PUT", `/api/v1/customers/${cb}/debit-mandate`, {
      ...DEBIT_MANDATE,
      accountNumber: "7777777",
      accountHolder: "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ",
    });
    expect(same.json.nextNewCode).toBe("0");
    const moved = await bill.req("PUT", `/api/v1/customers/${cb}/debit-mandate`, {
      ...DEBIT_MANDATE,
      accountNumber: "8888888",
      accountHolder: "ｶ)ｻﾝﾌﾟﾙｼﾖｳｼﾞ",
    });
    expect(moved.json.nextNewCode).toBe("2");

    // Revoking stops later requests for the customer; twice is a 404.
    expect((await bill.req("DELETE", `/api/v1/customers/${ca}/debit-mandate`)).json.status).toBe("revoked");
    expect((await bill.req("DELETE", `/api/v1/customers/${ca}/debit-mandate`)).status).toBe(404);
    // Given again after the revocation, it is a new mandate: its next debit is a first one (1).
    const renewed = await bill.req("PUT", `/api/v1/customers/${ca}/debit-mandate`, DEBIT_MANDATE);
    expect(renewed.json).toMatchObject({ status: "active", nextNewCode: "1", revokedOn: null });
    expect((await bill.req("DELETE", `/api/v1/customers/${ca}/debit-mandate`)).status).toBe(200);

    // Each step is in the audit log.
    const actions = (
      await env.db
        .selectFrom("audit_log")
        .select("action")
        .where("action", "like", "billing.debit%")
        .execute()
    ).map((r) => r.action);
    for (const a of [
      "billing.debit_mandate.registered",
      "billing.debit_mandate.changed",
      "billing.debit_mandate.revoked",
      "billing.debit_request.created",
      "billing.debit_result.imported",
    ])
      expect(actions).toContain(a);

    // A customer sees its own mandate and no one else's, and cannot change it.
    const user = await buildUser(env.db, { role: "customer-admin", customerId: cb });
    const portal = await login(env.app, user.loginId, PASSWORD);
    expect((await portal.req("GET", `/api/v1/customers/${cb}/debit-mandate`)).json.accountNumber).toBe(
      "8888888",
    );
    expect((await portal.req("GET", `/api/v1/customers/${ca}/debit-mandate`)).status).toBe(404);
    expect((await portal.req("PUT", `/api/v1/customers/${cb}/debit-mandate`, DEBIT_MANDATE)).status).toBe(
      403,
    );
    expect(
      (await portal.req("POST", "/api/v1/billing/debit-requests", { debitDate: "2026-12-27" })).status,
    ).toBe(403);
  });

  it("refuses past, impossible and far dates, and unknown customers, without writing anything", async () => {
    const before = await env.db
      .selectFrom("debit_requests")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    for (const [date, status] of [
      ["2026-11-23", 400],
      ["2026-02-30", 400],
      ["2028-01-01", 400],
      ["27/11/2026", 400],
      ["2026-12-26", 400], // a Saturday
      ["2027-01-02", 400], // banks closed 31 Dec – 3 Jan
      ["2027-03-22", 400], // 振替休日
    ] as const) {
      const r = await bill.req("POST", "/api/v1/billing/debit-requests", { debitDate: date });
      expect(r.status, date).toBe(status);
      expect(r.json.error.code).toBe("validation_failed");
    }
    const sunday = await bill.req("POST", "/api/v1/billing/debit-requests", { debitDate: "2026-12-27" });
    expect(sunday.json.error.message).toMatch(/closed on 2026-12-27 \(日曜日\).*the next is 2026-12-28/);
    const after = await env.db
      .selectFrom("debit_requests")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
    expect(
      (
        await bill.req(
          "PUT",
          "/api/v1/customers/00000000-0000-4000-8000-000000000000/debit-mandate",
          DEBIT_MANDATE,
        )
      ).status,
    ).toBe(404);
  });

  it("a result file whose header date does not exist is a 400, not a 500", async () => {
    const file = bankResult("0230", []);
    const r = await importResult(file);
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error.message).toMatch(/not a real calendar date/);
  });

  it("unyo billing debit-request writes the file for a date, and the same file again", async () => {
    // A database of its own: the request takes every debitable invoice, whatever other tests left.
    const own = await testApp();
    onTestFinished(() => own.close());
    const ownBill = await login(own.app, (await buildUser(own.db, { role: "billing" })).loginId, PASSWORD);
    const { customerId: customer } = await buildContract(own.db, { start: "2026-08-01", plan: "basic" });
    await runBilling(own, "2026-10");
    await issueMonthOn(own, "2026-10", "2026-11-02");
    expect(
      (await ownBill.req("PATCH", "/api/v1/billing/settings", { debitConsignor: DEBIT_CONSIGNOR })).status,
    ).toBe(200);
    expect(
      (await ownBill.req("PUT", `/api/v1/customers/${customer}/debit-mandate`, DEBIT_MANDATE)).status,
    ).toBe(200);
    // The command runs on the real clock: a date weeks after today, clear of the dates used above.
    const date = nextBankBusinessDay(addDays(tokyoDate(new Date()), 20));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-debit-"));
    const out = path.join(dir, "request.txt");
    // In process (main, as the binary runs it) on this test's database.
    const cli = async (...args: string[]) => {
      const saved = process.env;
      process.env = { ...saved, DATABASE_URL: own.url, LOG_LEVEL: "warn" };
      const out: string[] = [];
      const err: string[] = [];
      try {
        const status = await main(["billing", "debit-request", ...args], {
          log: (s) => out.push(s),
          err: (s) => err.push(s),
        });
        return { status, stdout: out.join("\n"), stderr: err.join("\n") };
      } finally {
        process.env = saved;
      }
    };
    const first = await cli("--date", date, "--out", out);
    expect(first.status, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ debitDate: date, created: true, file: out });
    expect(report.invoices).toBe(1);
    const bytes = fs.readFileSync(out);
    expect(parseZenginResult(bytes).records.every((r) => r.accountHolder === "ﾔﾏﾀﾞ ﾀﾛｳ")).toBe(true);
    const second = await cli("--date", date, "--out", `${out}.2`);
    expect(second.status, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).created).toBe(false);
    expect(Buffer.compare(fs.readFileSync(`${out}.2`), bytes)).toBe(0);
    const bad = await cli("--date", "2026-13-01");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/date/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("a result for many customers is recorded as one by one would: allocation, credit, late fee, candidacy, audit", async () => {
    const { env, importResult, request } = await ownDebitEnv();
    const contracts = [];
    for (let k = 0; k < 40; k++)
      contracts.push(await buildContract(env.db, { start: "2026-08-01", plan: "basic" }));
    await runBilling(env, "2026-09");
    await runBilling(env, "2026-10");
    await issueMonthOn(env, "2026-09", "2026-10-02");
    await issueMonthOn(env, "2026-10", "2026-11-02");
    const invoicesOf = async (contractId: string) =>
      env.db
        .selectFrom("invoices")
        .selectAll()
        .where("contract_id", "=", contractId)
        .where("status", "=", "issued")
        .orderBy("month")
        .execute();
    // One customer already has 1,000 yen of credit from an over-payment (paid before the invoices).
    const credited = contracts[1]!;
    await env.db
      .insertInto("payments")
      .values({
        customer_id: credited.customerId,
        received_on: "2026-08-15",
        amount: 1000,
        unallocated: 1000,
        method: "bank_transfer",
      })
      .execute();
    // The file: October's invoice of every contract debited; contract 0 also September's (two records,
    // one customer); contract 2's September invoice debited but October's bounced.
    const rec = (inv: { number: string | null; total: number; paid_amount: number }, code = "0") =>
      resultRecord(inv.number!, inv.total - inv.paid_amount, code);
    const records = [];
    const before = new Map<string, Awaited<ReturnType<typeof invoicesOf>>>();
    for (const [k, c] of contracts.entries()) {
      const invs = await invoicesOf(c.id);
      before.set(c.id, invs);
      const [sep, oct] = invs;
      if (k === 0) records.push(rec(sep!));
      if (k === 2) records.push(rec(sep!), rec(oct!, "1"));
      else records.push(rec(oct!));
    }
    // Asked for on 12/15 (after the due date of 2026-11-30, late by 15 days); the bank answers
    // these records of the request.
    await request(
      contracts.map((c) => c.customerId),
      "2026-12-15",
    );
    const file = bankResult("1215", records);
    const r = await importResult(file);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ records: 42, paid: 41, failed: 1, unmatched: 0 });

    for (const [k, c] of contracts.entries()) {
      const [sep, oct] = await invoicesOf(c.id);
      const [sep0, oct0] = before.get(c.id)!;
      // October: settled on the debit date, except the bounced one.
      if (k === 2) expect(oct!.paid_amount).toBe(oct0!.paid_amount);
      else
        expect(oct).toMatchObject({ paid_amount: oct!.total, paid_on: "2026-12-15", late_fee_charged: true });
      if (k === 0 || k === 2) expect(sep).toMatchObject({ paid_amount: sep!.total, paid_on: "2026-12-15" });
      // The credited customer's surplus (see below) goes to its oldest open invoice, September.
      else if (k === 1) expect(sep!.paid_amount).toBe(sep0!.paid_amount + 1000);
      else expect(sep!.paid_amount).toBe(sep0!.paid_amount);
    }
    // The earlier credit went to the debited invoice first (the oldest money first); the debit's
    // surplus of 1,000 yen then to the oldest open invoice; no credit is left.
    const credit = await env.db
      .selectFrom("payments")
      .select((eb) => eb.fn.sum<number>("unallocated").as("left"))
      .where("customer_id", "=", credited.customerId)
      .executeTakeFirstOrThrow();
    expect(Number(credit.left)).toBe(0);
    const creditedAllocations = await env.db
      .selectFrom("payment_allocations")
      .select(["amount", "received_on"])
      .where("customer_id", "=", credited.customerId)
      .orderBy("received_on")
      .execute();
    expect(creditedAllocations[0]).toMatchObject({ amount: 1000, received_on: "2026-08-15" });
    // A late settlement bills its late fee (Art. 33): floor(total × 145 × 15 / 365,000).
    const oct1 = (await invoicesOf(contracts[5]!.id))[1]!;
    const fee = await env.db
      .selectFrom("charges")
      .select("amount")
      .where("source_key", "=", `late-fee:${oct1.id}`)
      .executeTakeFirstOrThrow();
    expect(fee.amount).toBe(Math.floor((oct1.total * 145 * 15) / 365_000));
    // The bounced debit keeps its contract a candidate though another of its invoices was debited.
    const c2 = await env.db
      .selectFrom("contracts")
      .select("suspension_candidate")
      .where("id", "=", contracts[2]!.id)
      .executeTakeFirstOrThrow();
    expect(c2.suspension_candidate).toBe("direct_debit_failed");
    // One audit entry per payment, and the chain still verifies.
    const recorded = await env.db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("action", "=", "billing.payment.recorded")
      .where(sql<boolean>`after->>'importId' = ${r.json().importId}`)
      .executeTakeFirstOrThrow();
    expect(Number(recorded.n)).toBe(41);
    expect((await verifyAudit(env.db)).ok).toBe(true);
  }, 60_000);

  it("customers debited for several invoices in one file end as if each payment were recorded in turn", async () => {
    const { env, bill, importResult, request } = await ownDebitEnv();
    // Twin customers: the same contracts, invoices and earlier credit. One twin's debits come in one
    // result file; the other's are recorded one after the other through recordPayment.
    let seed = 20261125; // mulberry32: the same cases every run
    const rand = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const plans = ["basic", "standard", "premium"] as const;
    const pairs: { a: string; b: string; contracts: number }[] = [];
    const contractsOf = new Map<string, string[]>();
    for (let k = 0; k < 16; k++) {
      const a = await buildCustomer(env.db);
      const b = await buildCustomer(env.db);
      const n = 1 + rand(3);
      for (const cust of [a, b]) contractsOf.set(cust, []);
      for (let j = 0; j < n; j++) {
        const plan = plans[rand(3)]!;
        for (const cust of [a, b])
          contractsOf
            .get(cust)!
            .push((await buildContract(env.db, { customerId: cust, start: "2026-06-01", plan })).id);
      }
      const credit = rand(3) === 0 ? 1000 + rand(50_000) : 0;
      if (credit > 0)
        for (const cust of [a, b])
          await env.db
            .insertInto("payments")
            .values({
              customer_id: cust,
              received_on: "2026-07-15",
              amount: credit,
              unallocated: credit,
              method: "bank_transfer",
            })
            .execute();
      pairs.push({ a, b, contracts: n });
    }
    await runBilling(env, "2026-07");
    await runBilling(env, "2026-08");
    // Issued twin by twin, contract by contract: the twins' invoice numbers (which order the oldest
    // open invoices, Art. 30(1)) follow the same contract order.
    for (const month of ["2026-07", "2026-08"])
      for (const { a, b, contracts } of pairs)
        for (let j = 0; j < contracts; j++)
          for (const cust of [a, b]) {
            const draft = await env.db
              .selectFrom("invoices")
              .select("id")
              .where("contract_id", "=", contractsOf.get(cust)![j]!)
              .where("month", "=", month)
              .executeTakeFirstOrThrow();
            expect((await bill.req("POST", `/api/v1/invoices/${draft.id}/issue`)).status).toBe(200);
          }
    const invoicesOf = (customerId: string) =>
      env.db
        .selectFrom("invoices as i")
        .innerJoin("contracts as c", "c.id", "i.contract_id")
        .select(["i.id", "i.number", "i.contract_id", "i.month", "i.total", "i.paid_amount"])
        .where("i.customer_id", "=", customerId)
        .where("i.status", "=", "issued")
        .where(sql<boolean>`i.month IN ('2026-07', '2026-08')`)
        .execute()
        .then((rows) => {
          const order = contractsOf.get(customerId)!;
          return rows.sort((x, y) =>
            x.month === y.month
              ? order.indexOf(x.contract_id) - order.indexOf(y.contract_id)
              : x.month < y.month
                ? -1
                : 1,
          );
        });
    // Twin A is asked for all its open invoices; the bank answers a random choice of them, in a random
    // order, for the amount asked (what is owed); a few bounce.
    await request(
      pairs.map((p) => p.a),
      "2026-12-16",
    );
    const records = [];
    const replay: { b: string; invoiceId: string; amount: number }[] = [];
    for (const { a, b } of pairs) {
      const [ia, ib] = [await invoicesOf(a), await invoicesOf(b)];
      const picks = ia.map((_, k) => k).filter(() => rand(4) !== 0);
      for (let k = picks.length - 1; k > 0; k--) {
        const j = rand(k + 1);
        [picks[k], picks[j]] = [picks[j]!, picks[k]!];
      }
      for (const k of picks) {
        const owed = ia[k]!.total - ia[k]!.paid_amount;
        if (owed <= 0) continue;
        const amount = owed;
        const bounce = rand(6) === 0;
        records.push(resultRecord(ia[k]!.number!, amount, bounce ? "1" : "0"));
        if (!bounce) replay.push({ b, invoiceId: ib[k]!.id, amount });
      }
    }
    expect(new Set(replay.map((x) => x.b)).size).toBeGreaterThan(8);
    expect(replay.length).toBeGreaterThan(pairs.length); // some customers pay several invoices
    const file = bankResult("1216", records);
    const r = await importResult(file);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ records: records.length, paid: replay.length, unmatched: 0 });
    for (const x of replay)
      await recordPayment(
        env,
        { kind: "system", id: null },
        {
          customerId: x.b,
          receivedOn: "2026-12-16",
          amount: x.amount,
          method: "direct_debit",
          invoiceId: x.invoiceId,
        },
      );

    // The money, seen from each twin: invoices paid and when, allocations per invoice, credit left,
    // late fees billed.
    const money = async (customerId: string) => {
      const invs = await invoicesOf(customerId);
      const full = await env.db
        .selectFrom("invoices")
        .select(["id", "paid_amount", "paid_on", "late_fee_charged"])
        .where(
          "id",
          "in",
          invs.map((i) => i.id),
        )
        .execute();
      const allocations = await env.db
        .selectFrom("payment_allocations")
        .select(["invoice_id", "amount", "received_on"])
        .where("customer_id", "=", customerId)
        .execute();
      const fees = await env.db
        .selectFrom("charges")
        .select(["source_key", "amount"])
        .where("customer_id", "=", customerId)
        .where("kind", "=", "late-fee")
        .execute();
      const left = await env.db
        .selectFrom("payments")
        .select(["amount", "unallocated"])
        .where("customer_id", "=", customerId)
        .execute();
      return invs
        .map((i) => {
          const f = full.find((x) => x.id === i.id)!;
          return {
            paid: f.paid_amount,
            paidOn: f.paid_on,
            lateFeeCharged: f.late_fee_charged,
            allocations: allocations
              .filter((a) => a.invoice_id === i.id)
              .map((a) => `${a.received_on}:${a.amount}`)
              .sort(),
            fee: fees.find((x) => x.source_key === `late-fee:${i.id}`)?.amount ?? null,
          };
        })
        .concat([
          {
            paid: left.reduce((t, p) => t + p.unallocated, 0),
            paidOn: null,
            lateFeeCharged: false,
            allocations: left.map((p) => `${p.amount}`).sort(),
            fee: null,
          },
        ]);
    };
    let settled = 0;
    for (const { a, b } of pairs) {
      const [ma, mb] = [await money(a), await money(b)];
      expect(ma).toEqual(mb);
      settled += ma.filter((m) => m.paidOn === "2026-12-16").length;
    }
    expect(settled).toBeGreaterThan(5);
    // Each bounce: a failure, a contract event and an audit entry (Art. 21(1)(2)); its contract a candidate.
    const bounces = records.length - replay.length;
    expect(bounces).toBeGreaterThan(0);
    const importId = r.json().importId as string;
    const failures = await env.db
      .selectFrom("debit_failures")
      .select("contract_id")
      .where("import_id", "=", importId)
      .execute();
    expect(failures).toHaveLength(bounces);
    const events = await env.db
      .selectFrom("contract_events")
      .select(["contract_id", "business_date"])
      .where("type", "=", "direct_debit_failed")
      .where(
        "contract_id",
        "in",
        failures.map((f) => f.contract_id!),
      )
      .where("business_date", "=", "2026-12-16")
      .execute();
    expect(events).toHaveLength(bounces);
    const candidates = await env.db
      .selectFrom("contracts")
      .select("suspension_candidate")
      .where(
        "id",
        "in",
        failures.map((f) => f.contract_id!),
      )
      .execute();
    expect(candidates.every((c) => c.suspension_candidate === "direct_debit_failed")).toBe(true);
    expect((await verifyAudit(env.db)).ok).toBe(true);
  }, 60_000);
});
