import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBilling } from "../src/billing/runs.ts";
import { writeZenginDebitFile } from "../src/billing/zengin.ts";
import {
  buildContract,
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

const raw = (url: string, body: Uint8Array | string, type = "application/octet-stream") =>
  env.app.inject({
    method: "POST",
    url,
    payload: Buffer.from(body),
    headers: { cookie: bill.cookie, "x-csrf-token": bill.csrf, "content-type": type },
  });

const rec = (amount: number, customerNumber: string, resultCode: string) => ({
  bankCode: "0005",
  bankName: "ﾐﾂﾋﾞｼ",
  branchCode: "123",
  branchName: "ｼﾌﾞﾔ",
  accountType: "1",
  accountNumber: "7654321",
  accountHolder: "ｶ)ｻﾝﾌﾟﾙ",
  amount,
  customerNumber,
  resultCode,
});

describe("全銀 direct-debit results (Art. 21(1)(2), 30)", () => {
  it("records paid debits as payments, failed ones as suspension candidates, and refuses the same file twice", async () => {
    const a = await buildContract(env.db, { start: "2026-08-01", plan: "basic" });
    const b = await buildContract(env.db, { start: "2026-08-01", plan: "basic" });
    await runBilling(env, "2026-10");
    // Issued on 2 November: due at the end of the month (Art. 31(3)), so debited on 27 November.
    await issueMonthOn(env, "2026-10", "2026-11-02");
    const inv = async (contractId: string) =>
      env.db
        .selectFrom("invoices")
        .selectAll()
        .where("contract_id", "=", contractId)
        .executeTakeFirstOrThrow();
    const ia = await inv(a.id);
    const ib = await inv(b.id);
    const digits = (n: string) => n.replace(/\D/g, "");
    // The request Unyo sent the bank for 27 November, for the two customers' invoices.
    expect(
      (await bill.req("PATCH", "/api/v1/billing/settings", { debitConsignor: DEBIT_CONSIGNOR })).status,
    ).toBe(200);
    for (const c of [a, b])
      expect(
        (await bill.req("PUT", `/api/v1/customers/${c.customerId}/debit-mandate`, DEBIT_MANDATE)).status,
      ).toBe(200);
    const request = await bill.req("POST", "/api/v1/billing/debit-requests", { debitDate: "2026-11-27" });
    expect(request.status, JSON.stringify(request.json)).toBe(201);
    const resultFile = (
      records: ReturnType<typeof rec>[],
      consignorCode = "1234567890",
      debitDate = "1127",
    ) =>
      writeZenginDebitFile({
        kind: "result",
        header: {
          consignorCode,
          consignorName: "ｳﾝﾖｳｼｴﾝ",
          debitDate,
          bankCode: "0001",
          bankName: "ﾐｽﾞﾎ",
          branchCode: "001",
          branchName: "ﾎﾝﾃﾝ",
          accountType: "1",
          accountNumber: "1234567",
        },
        records,
      });
    // Files that do not answer that request are refused whole, and leave it open (hand-built, as a
    // bank or a mistaken upload would send them).
    const refusals: [Uint8Array, RegExp][] = [
      [resultFile([]), /no data records, but the request for 2026-11-27 asked for 2/],
      [resultFile([rec(ia.total, digits(ia.number!), "0")], "9999999999"), /委託者コード 9999999999/],
      [
        resultFile([rec(ia.total, digits(ia.number!), "0")], "1234567890", "1126"),
        /no direct-debit request was made for 2026-11-26/,
      ],
      [
        resultFile([rec(ia.total, digits(ia.number!), "0"), rec(500, "99999", "0")]),
        /record 3: customer number 0+99999 was not asked for/,
      ],
      [
        resultFile([rec(ia.total + 1, digits(ia.number!), "0")]),
        new RegExp(`record 2: ${ia.total + 1} yen .* asked for ${ia.total} yen`),
      ],
    ];
    for (const [bytes, message] of refusals) {
      const r = await raw("/api/v1/billing/debit-results?year=2026", bytes);
      expect(r.statusCode, r.body).toBe(400);
      expect(r.json().error.message).toMatch(message);
    }
    expect((await inv(a.id)).paid_amount).toBe(0);
    const open = await bill.req("GET", `/api/v1/billing/debit-requests/${request.json.id}`);
    expect(open.json.result).toBeNull();
    const file = resultFile([rec(ia.total, digits(ia.number!), "0"), rec(ib.total, digits(ib.number!), "1")]);
    const r = await raw("/api/v1/billing/debit-results?name=RESULT1127.txt&year=2026", file);
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ debitDate: "2026-11-27", records: 2, paid: 1, failed: 1, unmatched: 0 });
    expect((await inv(a.id)).paid_amount).toBe(ia.total);
    // Another file for the same date, once the request has its result, is refused too.
    const second = await raw(
      "/api/v1/billing/debit-results?year=2026",
      resultFile([rec(ib.total, digits(ib.number!), "0")]),
    );
    expect(second.statusCode).toBe(409);
    expect(second.json().error.message).toMatch(/already has its result/);
    const cb = await env.db
      .selectFrom("contracts")
      .select("suspension_candidate")
      .where("id", "=", b.id)
      .executeTakeFirstOrThrow();
    expect(cb.suspension_candidate).toBe("direct_debit_failed");
    const events = await env.db
      .selectFrom("contract_events")
      .selectAll()
      .where("contract_id", "=", b.id)
      .execute();
    expect(events.find((e) => e.type === "direct_debit_failed")).toMatchObject({ article: "21(1)(2)" });
    const again = await raw("/api/v1/billing/debit-results", file);
    expect(again.statusCode).toBe(409);
    const broken = await raw("/api/v1/billing/debit-results", file.subarray(0, 250));
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toMatch(/record 3/);
    const noBody = await env.app.inject({
      method: "POST",
      url: "/api/v1/billing/debit-results",
      headers: { cookie: bill.cookie, "x-csrf-token": bill.csrf, "content-type": "application/json" },
      payload: "{}",
    });
    expect(noBody.statusCode).toBe(415);
  });
});

describe("cloud usage pass-through (Art. 29(1)(3))", () => {
  it("imports the generic CSV onto the next invoice, idempotently", async () => {
    const c = await buildContract(env.db, { start: "2026-01-01", plan: "basic" });
    const csv = `contract_number,month,description,amount,currency,tax_category\n${c.number},2026-11,さくらVPS 2台,12000,JPY,10\n${c.number},2026-11,Azure,10.5,USD,10\nC-NOPE,2026-11,x,1,JPY,10\n`;
    const r = await raw("/api/v1/billing/usage-imports?format=generic&rate=150", csv, "text/csv");
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ created: 2, unmapped: ["C-NOPE"] });
    const again = await raw("/api/v1/billing/usage-imports?format=generic&rate=150", csv, "text/csv");
    expect(again.json()).toMatchObject({ created: 0, updated: 0 });
    const usd = await raw("/api/v1/billing/usage-imports?format=generic", csv, "text/csv");
    expect(usd.statusCode).toBe(400);
    expect(usd.json().error.message).toMatch(/rate/);
    await runBilling(env, "2026-11");
    const inv = await env.db
      .selectFrom("invoices")
      .selectAll()
      .where("contract_id", "=", c.id)
      .executeTakeFirstOrThrow();
    const lines = await env.db
      .selectFrom("invoice_lines")
      .selectAll()
      .where("invoice_id", "=", inv.id)
      .orderBy("line_no")
      .execute();
    expect(lines.filter((l) => l.kind === "usage").map((l) => [l.description, l.amount, l.article])).toEqual([
      ["さくらVPS 2台", 12_000, "29(1)(3)"],
      ["Azure", 1_575, "29(1)(3)"],
    ]);
  });

  it("refuses a file with a control character (NUL) in a field, naming its line, and imports nothing of it", async () => {
    const c = await buildContract(env.db, { start: "2026-01-01", plan: "basic" });
    const csv = `contract_number,month,description,amount,currency,tax_category\n${c.number},2026-11,fine,100,JPY,10\n${c.number},2026-11,bad\u0000row,200,JPY,10\n`;
    const r = await raw("/api/v1/billing/usage-imports?format=generic", csv, "text/csv");
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json().error.message).toMatch(/^line 3: .*control character/);
    const charges = await env.db.selectFrom("charges").select("id").where("contract_id", "=", c.id).execute();
    expect(charges).toEqual([]);
  });

  it("imports an AWS CUR for linked accounts and reports unlinked ones", async () => {
    const c = await buildContract(env.db, { start: "2026-01-01", plan: "standard" });
    expect(
      (
        await bill.req("POST", `/api/v1/contracts/${c.id}/cloud-accounts`, {
          provider: "aws",
          accountId: "123456789012",
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await bill.req("POST", `/api/v1/contracts/${c.id}/cloud-accounts`, {
          provider: "aws",
          accountId: "123456789012",
        })
      ).status,
    ).toBe(409);
    const cur = [
      "bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/ProductCode,lineItem/UnblendedCost,lineItem/CurrencyCode",
      "2026-10-01T00:00:00Z,123456789012,Usage,AmazonEC2,100.10,USD",
      "2026-10-01T00:00:00Z,123456789012,Usage,AmazonS3,0.904,USD",
      "2026-10-01T00:00:00Z,123456789012,Tax,AmazonEC2,10,USD",
      "2026-10-01T00:00:00Z,999999999999,Usage,AmazonEC2,5,USD",
    ].join("\n");
    const r = await raw("/api/v1/billing/usage-imports?format=aws-cur&rate=150.5", cur, "text/csv");
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({ created: 1, excluded: { Tax: 1 }, unmapped: ["999999999999"] });
    const charge = await env.db
      .selectFrom("charges")
      .selectAll()
      .where("contract_id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(charge).toMatchObject({
      kind: "usage",
      month: "2026-10",
      amount: Math.round(101.004 * 150.5),
      tax_category: "10",
    });
    // A corrected file for the same month updates the pending charge.
    const fixed = cur.replace("100.10", "200.10");
    expect(
      (await raw("/api/v1/billing/usage-imports?format=aws-cur&rate=150.5", fixed, "text/csv")).json(),
    ).toMatchObject({ updated: 1 });
  });
});
