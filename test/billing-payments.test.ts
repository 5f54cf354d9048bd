import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markOverdue } from "../src/billing/overdue.ts";
import { runBilling } from "../src/billing/runs.ts";
import { completeEnds } from "../src/contracts/ends.ts";
import {
  buildContract,
  buildCustomer,
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
let op: Client;

beforeAll(async () => {
  env = await testApp();
  bill = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
  op = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
});
afterAll(async () => {
  await env?.close();
});

describe("payments, late fees, suspension candidates (Art. 21, 30, 33)", () => {
  it("leaves a bank fee deducted from a transfer owing: the fee is the customer's (Art. 30(6)), and only it accrues late", async () => {
    const c = await buildContract(env.db, { start: "2026-06-01", plan: "basic" });
    await runBilling(env, "2026-07");
    const [inv] = await invoicesOf(env.db, c.id);
    // Issued in time, on 2026-08-03: the due date it states stays the end of August.
    await issueOn(env, [inv!.id], "2026-08-03");
    const issued = (await invoicesOf(env.db, c.id))[0]!;
    expect(issued.due_date).toBe("2026-08-31");
    const byNumber = await bill.req("GET", `/api/v1/invoices?number=${issued.number}`);
    expect(byNumber.json.items.map((i: { id: string }) => i.id)).toEqual([inv!.id]);
    // Due 2026-08-31; the customer transfers on the due date and deducts a 440 yen bank fee.
    const paid = await bill.req("POST", "/api/v1/payments", {
      customerId: c.customerId,
      receivedOn: "2026-08-31",
      amount: inv!.total - 440,
      method: "bank_transfer",
      invoiceId: inv!.id,
    });
    expect(paid.status).toBe(201);
    const view = await bill.req("GET", `/api/v1/invoices/${inv!.id}`);
    expect(view.json).toMatchObject({ balance: 440, paidOn: null, overdue: true });
    // 440 yen overdue from 2026-09-01 to today (2026-11-24): 85 days.
    expect(view.json.lateFee.result).toMatchObject({ unpaid: 440, settled: false });
    expect(view.json.lateFee.result.fee).toBe(Math.floor((440 * 145 * 85) / 365_000));
    const listed = await bill.req("GET", "/api/v1/billing/overdue");
    expect(listed.json.items.find((i: { id: string }) => i.id === inv!.id)).toMatchObject({ balance: 440 });
  });

  it("allocates partial and over-payments, bills the late fee on the next invoice and clears the candidate", async () => {
    const c = await buildContract(env.db, { start: "2026-07-01", plan: "basic" });
    await runBilling(env, "2026-08");
    const [inv] = await invoicesOf(env.db, c.id);
    await issueOn(env, [inv!.id], "2026-09-01");
    // due 2026-09-30; today is 2026-11-24 → overdue.
    expect(await markOverdue(env, "2026-11-24")).toBeGreaterThanOrEqual(1);
    const flagged = await env.db
      .selectFrom("contracts")
      .select("suspension_candidate")
      .where("id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(flagged.suspension_candidate).toBe("unpaid_fees");
    // The flag is the provider's: staff see it and its timeline event, the customer neither.
    const staffView = await bill.req("GET", `/api/v1/contracts/${c.id}`);
    expect(staffView.json.suspensionCandidate).toBe("unpaid_fees");
    expect(staffView.json.timeline.map((e: { type: string }) => e.type)).toContain("suspension_candidate");
    const u = await buildUser(env.db, { role: "customer-admin", customerId: c.customerId });
    const cust = await login(env.app, u.loginId, u.password);
    const own = await cust.req("GET", `/api/v1/contracts/${c.id}`);
    expect(own.json.suspensionCandidate).toBeNull();
    expect(own.json.timeline.map((e: { type: string }) => e.type)).not.toContain("suspension_candidate");
    const ownList = await cust.req("GET", "/api/v1/contracts");
    expect(ownList.json.items.map((x: { suspensionCandidate: unknown }) => x.suspensionCandidate)).toEqual([
      null,
    ]);
    const overdue = await bill.req("GET", "/api/v1/billing/overdue");
    const row = overdue.json.items.find((i: { id: string }) => i.id === inv!.id);
    expect(row.lateFee.result.fee).toBe(Math.floor((33_000 * 145 * 55) / 365_000));

    const part = await bill.req("POST", "/api/v1/payments", {
      customerId: c.customerId,
      receivedOn: "2026-10-10",
      amount: 13_000,
      method: "bank_transfer",
    });
    expect(part.status).toBe(201);
    expect(part.json.allocations).toEqual([
      { invoiceId: inv!.id, number: expect.any(String), amount: 13_000 },
    ]);
    const over = await bill.req("POST", "/api/v1/payments", {
      customerId: c.customerId,
      receivedOn: "2026-10-20",
      amount: 25_000,
      method: "bank_transfer",
    });
    expect(over.json.unallocated).toBe(5_000);
    const after = await bill.req("GET", `/api/v1/invoices/${inv!.id}`);
    expect(after.json).toMatchObject({
      paidAmount: 33_000,
      balance: 0,
      paidOn: "2026-10-20",
      lateFeeCharged: true,
    });
    // 20,000 yen overdue 10 days (10-01..10-10) + 20,000 − 13,000 = … computed as segments.
    const expected = Math.floor((33_000 * 10 * 145 + 20_000 * 10 * 145) / 365_000);
    const charge = await env.db
      .selectFrom("charges")
      .selectAll()
      .where("contract_id", "=", c.id)
      .where("kind", "=", "late-fee")
      .executeTakeFirstOrThrow();
    expect(charge).toMatchObject({ amount: expected, tax_category: "out-of-scope", article: "33" });
    const cleared = await env.db
      .selectFrom("contracts")
      .select("suspension_candidate")
      .where("id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(cleared.suspension_candidate).toBeNull();

    // The next run carries the late fee (不課税) and the over-payment settles part of it on issue.
    await runBilling(env, "2026-11");
    const nov = (await invoicesOf(env.db, c.id)).find((i) => i.month === "2026-11")!;
    const lines = await linesOf(env.db, nov.id);
    expect(lines.find((l) => l.kind === "late-fee")).toMatchObject({
      amount: expected,
      tax_category: "out-of-scope",
    });
    expect(nov.by_rate).toContainEqual({ category: "out-of-scope", net: expected, tax: 0 });
    await bill.req("POST", `/api/v1/invoices/${nov.id}/issue`);
    const issued = await bill.req("GET", `/api/v1/invoices/${nov.id}`);
    expect(issued.json.paidAmount).toBe(5_000);
  });

  it("refuses a payment to another customer's invoice", async () => {
    const c = await buildContract(env.db, { start: "2026-02-01", plan: "basic" });
    await runBilling(env, "2026-02");
    const [inv] = await invoicesOf(env.db, c.id);
    await bill.req("POST", `/api/v1/invoices/${inv!.id}/issue`);
    const stranger = await buildCustomer(env.db);
    const r = await bill.req("POST", "/api/v1/payments", {
      customerId: stranger,
      receivedOn: "2026-03-01",
      amount: 100,
      method: "cash",
      invoiceId: inv!.id,
    });
    expect(r.status).toBe(404);
    expect(
      (
        await bill.req("POST", "/api/v1/payments", {
          customerId: stranger,
          receivedOn: "2026-02-30",
          amount: 1,
          method: "cash",
        })
      ).status,
    ).toBe(400);
  });

  it("keeps an invoice and its lines with the contract's customer: the database refuses another's", async () => {
    const c = await buildContract(env.db, { start: "2026-02-01", plan: "basic" });
    await runBilling(env, "2026-02");
    const [inv] = await invoicesOf(env.db, c.id);
    const stranger = await buildCustomer(env.db);
    // Moving the invoice to another customer (whose portal would then show it) is refused, its lines
    // included …
    await expect(
      sql`UPDATE invoices SET customer_id = ${stranger} WHERE id = ${inv!.id}`.execute(env.db),
    ).rejects.toMatchObject({ code: "23503" });
    await expect(
      sql`WITH l AS (UPDATE invoice_lines SET customer_id = ${stranger} WHERE invoice_id = ${inv!.id})
          UPDATE invoices SET customer_id = ${stranger} WHERE id = ${inv!.id}`.execute(env.db),
    ).rejects.toMatchObject({ code: "23503", constraint: "invoices_contract_customer_fkey" });
    // … and so is an invoice for this contract made out to a stranger.
    await expect(
      sql`INSERT INTO invoices (contract_id, customer_id, month, due_date, period_start, period_end, recipient,
                                by_rate, net, tax, total, tax_rounding)
          VALUES (${c.id}, ${stranger}, '2026-03', '2026-04-30', '2026-03-01', '2026-03-31', '{}', '[]',
                  0, 0, 0, 'floor')`.execute(env.db),
    ).rejects.toMatchObject({ code: "23503", constraint: "invoices_contract_customer_fkey" });
    expect(await invoicesOf(env.db, c.id)).toHaveLength(1);
    expect((await invoicesOf(env.db, c.id))[0]!.customer_id).toBe(inv!.customer_id);
  });
});

describe("SLA credits, special fees, option cancellation, damages cap (Art. 11, 30(4), 32, 36, 39)", () => {
  it("credits a qualifying provider outage on the next month's invoice, once", async () => {
    const c = await buildContract(env.db, { start: "2026-01-01", plan: "standard" });
    const rec = await op.req("POST", `/api/v1/contracts/${c.id}/unavailability`, {
      startedAt: "2026-10-05T01:00:00+09:00",
      endedAt: "2026-10-05T08:30:00+09:00",
      attribution: "provider",
      cause: "failure",
    });
    expect(rec.status).toBe(201);
    await op.req("POST", `/api/v1/contracts/${c.id}/unavailability`, {
      startedAt: "2026-10-06T01:00:00+09:00",
      endedAt: "2026-10-06T20:00:00+09:00",
      attribution: "carrier",
      cause: "failure",
    });
    await runBilling(env, "2026-11");
    const nov = (await invoicesOf(env.db, c.id)).find((i) => i.month === "2026-11")!;
    const credit = (await linesOf(env.db, nov.id)).find((l) => l.kind === "credit");
    expect(credit).toMatchObject({ amount: -8_000, article: "36(1)" });
    await runBilling(env, "2026-12");
    const dec = (await invoicesOf(env.db, c.id)).find((i) => i.month === "2026-12")!;
    expect((await linesOf(env.db, dec.id)).some((l) => l.kind === "credit")).toBe(false);
    const view = await op.req("GET", `/api/v1/contracts/${c.id}/billing?month=2026-10`);
    expect(view.json.damagesCap.result.cap).toBe(80_000);
    expect(view.json.sla.result).toMatchObject({ percentage: 10, credit: 8_000 });
    expect(
      (
        await op.req("POST", `/api/v1/contracts/${c.id}/unavailability`, {
          startedAt: "2026-10-05T09:00:00+09:00",
          endedAt: "2026-10-05T08:00:00+09:00",
          attribution: "provider",
          cause: "failure",
        })
      ).status,
    ).toBe(400);
  });

  it("bills a special fee of twice the evaded fees with them (Art. 32)", async () => {
    const c = await buildContract(env.db, { start: "2026-11-01", plan: "basic" });
    const r = await bill.req("POST", `/api/v1/contracts/${c.id}/special-fees`, {
      evaded: 12_345,
      note: "無断でサーバを追加",
    });
    expect(r.status).toBe(201);
    expect(r.json.result.specialFee).toBe(24_690);
    const pending = await bill.req("GET", `/api/v1/contracts/${c.id}/charges`);
    expect(pending.status).toBe(200);
    expect(pending.json.items.find((x: { kind: string }) => x.kind === "special-fee")).toMatchObject({
      month: "2026-11",
      amount: 24_690,
      article: "32",
      taxCategory: "out-of-scope",
      invoiceId: null,
    });
    await runBilling(env, "2026-11");
    const [inv] = await invoicesOf(env.db, c.id);
    const after = await bill.req("GET", `/api/v1/contracts/${c.id}/charges`);
    expect(after.json.items.every((x: { invoiceId: string | null }) => x.invoiceId === inv!.id)).toBe(true);
    const lines = await linesOf(env.db, inv!.id);
    expect(lines.find((l) => l.kind === "special-fee")).toMatchObject({ amount: 24_690, article: "32" });
    expect(lines.find((l) => l.description === "不正に免れた料金等")).toMatchObject({
      amount: 12_345,
      tax_category: "10",
    });
  });

  it("stops an option's fee from the month after its cancellation notice (Art. 11)", async () => {
    const c = await buildContract(env.db, {
      start: "2026-06-01",
      plan: "basic",
      options: ["backup", "patching"],
    });
    const r = await op.req("POST", `/api/v1/contracts/${c.id}/options/patching/cancel`, {
      receivedOn: "2026-10-01",
    });
    expect(r.status).toBe(200);
    expect(r.json.basis[0].article).toBe("11");
    const b = await op.req("POST", `/api/v1/contracts/${c.id}/options/backup/cancel`, {
      receivedOn: "2026-10-02",
    });
    expect(b.status).toBe(200);
    await runBilling(env, "2026-10");
    const [oct] = await invoicesOf(env.db, c.id);
    expect((await linesOf(env.db, oct!.id)).map((l) => l.item_code)).toEqual([
      "monthly-basic",
      "option-backup",
    ]);
    expect((await op.req("POST", `/api/v1/contracts/${c.id}/options/backup/cancel`, {})).status).toBe(409);
  });
});

describe("the customer's view", () => {
  it("sees its own issued invoices and their PDF, never drafts or another company's", async () => {
    const c = await buildContract(env.db, { start: "2026-01-05", plan: "standard" });
    const other = await buildContract(env.db, { start: "2026-01-05", plan: "standard" });
    await runBilling(env, "2026-01");
    const [mine] = await invoicesOf(env.db, c.id);
    const [theirs] = await invoicesOf(env.db, other.id);
    await bill.req("POST", `/api/v1/invoices/${theirs!.id}/issue`);
    const u = await buildUser(env.db, { role: "customer-admin", customerId: c.customerId });
    const cust = await login(env.app, u.loginId, u.password);
    expect((await cust.req("GET", "/api/v1/invoices")).json.items).toHaveLength(0);
    expect((await cust.req("GET", `/api/v1/invoices/${mine!.id}`)).status).toBe(404);
    await bill.req("POST", `/api/v1/invoices/${mine!.id}/issue`);
    const list = await cust.req("GET", "/api/v1/invoices");
    expect(list.json.items.map((i: { id: string }) => i.id)).toEqual([mine!.id]);
    expect((await cust.req("GET", `/api/v1/invoices/${theirs!.id}`)).status).toBe(404);
    const pdf = await env.app.inject({
      url: `/api/v1/invoices/${mine!.id}/pdf`,
      headers: { cookie: cust.cookie },
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers["content-type"]).toContain("application/pdf");
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe("%PDF-");
    expect((await cust.req("POST", "/api/v1/billing/runs", { month: "2026-01" })).status).toBe(403);
  });

  it("exports the month as CSV for accounting software", async () => {
    const c = await buildContract(env.db, { start: "2025-12-01" });
    await runBilling(env, "2025-12");
    const [inv] = await invoicesOf(env.db, c.id);
    await issueOn(env, [inv!.id], "2026-01-05");
    const [issued] = await invoicesOf(env.db, c.id);
    const r = await env.app.inject({
      url: "/api/v1/billing/months/2025-12/invoices.csv",
      headers: { cookie: bill.cookie },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers["content-type"]).toContain("text/csv");
    expect(r.body.charCodeAt(0)).toBe(0xfeff);
    expect(r.body).toContain("\r\n");
    expect(issued!.number).toMatch(/^INV-2026-\d{6}$/);
    expect(r.body).toContain(issued!.number!);
  });
});

describe("price book (Art. 29(1), 29(4))", () => {
  it("adds items and future prices, refuses past changes and bad registration numbers", async () => {
    const add = await bill.req("POST", "/api/v1/billing/price-items", {
      code: "work-report",
      nameJa: "月次報告書作成",
      nameEn: "Monthly report",
      kind: "other",
      taxCategory: "10",
      unitPrice: 5_000,
    });
    expect(add.status).toBe(201);
    expect(
      (
        await bill.req("POST", "/api/v1/billing/price-items/work-report/prices", {
          from: "2027-01-01",
          unitPrice: 6_000,
        })
      ).status,
    ).toBe(201);
    const past = await bill.req("POST", "/api/v1/billing/price-items/work-report/prices", {
      from: "2026-01-01",
      unitPrice: 1,
    });
    expect(past.status).toBe(409);
    expect(past.json.error.article).toBe("29(4)");
    const bad = await bill.req("PATCH", "/api/v1/billing/settings", { registrationNumber: "T8000012050002" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.article).toBe("34");
    const book = await bill.req("GET", "/api/v1/billing/price-items");
    expect(book.json.items.find((i: { code: string }) => i.code === "work-report")).toMatchObject({
      currentPrice: 5_000,
      prices: [
        { from: "2026-11-24", unitPrice: 5_000 },
        { from: "2027-01-01", unitPrice: 6_000 },
      ],
    });
  });
});

describe("a late start (Art. 36(2)(3))", () => {
  it("extends a cancelled contract's service by the days lost, refunds nothing, and bills no month after the end", async () => {
    const c = await buildContract(env.db, { start: "2026-09-01", plan: "basic" });
    const late = await op.req("POST", `/api/v1/contracts/${c.id}/late-start`, {
      plannedOn: "2026-09-10",
      startedOn: "2026-09-15",
      attribution: "provider",
      note: "構築作業の遅れ",
    });
    expect(late.status).toBe(201);
    expect(late.json.result).toMatchObject({ days: 5, refund: 0, extensionDays: 5 });
    expect(late.json.basis[0].article).toBe("36(2)");
    // Once per contract.
    const again = await op.req("POST", `/api/v1/contracts/${c.id}/late-start`, {
      plannedOn: "2026-09-10",
      startedOn: "2026-09-16",
      attribution: "provider",
    });
    expect(again.status).toBe(409);
    // A paper cancellation received 2026-10-05 takes effect 2026-11-30 (Art. 26(2)); the service runs to 12-05.
    const cancel = await op.req("POST", `/api/v1/contracts/${c.id}/paper-cancellation`, {
      receivedOn: "2026-10-05",
    });
    expect(cancel.status).toBe(200);
    const view = await op.req("GET", `/api/v1/contracts/${c.id}`);
    expect(view.json).toMatchObject({
      endEffectiveOn: "2026-11-30",
      extensionDays: 5,
      serviceUntil: "2026-12-05",
    });
    expect(
      view.json.timeline.some(
        (e: { type: string; article: string }) => e.type === "late_start" && e.article === "36(2)",
      ),
    ).toBe(true);
    await completeEnds(env, "2026-12-05");
    const during = await env.db
      .selectFrom("contracts")
      .select(["status", "terminated_on"])
      .where("id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(during).toEqual({ status: "terminating", terminated_on: null });
    await completeEnds(env, "2026-12-06");
    const after = await env.db
      .selectFrom("contracts")
      .select(["status", "terminated_on"])
      .where("id", "=", c.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: "terminated", terminated_on: "2026-12-05" });
    // The extension is free: no invoice for December, November billed as usual.
    await runBilling(env, "2026-11");
    await runBilling(env, "2026-12");
    expect((await invoicesOf(env.db, c.id)).map((i) => i.month)).toEqual(["2026-11"]);
  });

  it("extends nothing for a carrier's fault and refuses what is not a late start", async () => {
    const c = await buildContract(env.db, { start: "2026-10-01", plan: "basic" });
    const carrier = await op.req("POST", `/api/v1/contracts/${c.id}/late-start`, {
      plannedOn: "2026-10-05",
      startedOn: "2026-10-08",
      attribution: "carrier",
    });
    expect(carrier.status).toBe(201);
    expect(carrier.json.result).toMatchObject({ days: 0, extensionDays: 0 });
    expect(carrier.json.basis[0].article).toBe("36(3)");
    const d = await buildContract(env.db, { start: "2026-10-01", plan: "basic" });
    const cases: [Record<string, unknown>, number, string | undefined][] = [
      [{ plannedOn: "2026-10-05", startedOn: "2026-10-05", attribution: "provider" }, 400, "36(2)"],
      [{ plannedOn: "2026-09-20", startedOn: "2026-10-05", attribution: "provider" }, 400, "36(2)"],
      [{ plannedOn: "2026-11-20", startedOn: "2026-11-30", attribution: "provider" }, 400, "36(2)"],
      [{ plannedOn: "2026-10-05", startedOn: "2026-10-08", attribution: "customer" }, 400, undefined],
      [{ plannedOn: "2026-10-32", startedOn: "2026-10-08", attribution: "provider" }, 400, undefined],
    ];
    for (const [body, status, article] of cases) {
      const r = await op.req("POST", `/api/v1/contracts/${d.id}/late-start`, body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      if (article) expect(r.json.error.article).toBe(article);
    }
    const untouched = await env.db
      .selectFrom("contracts")
      .select("extension_days")
      .where("id", "=", d.id)
      .executeTakeFirstOrThrow();
    expect(untouched.extension_days).toBe(0);
    // Customers cannot record one.
    const customer = await buildUser(env.db, { role: "customer-admin", customerId: d.customerId });
    const cc = await login(env.app, customer.loginId, PASSWORD);
    expect(
      (
        await cc.req("POST", `/api/v1/contracts/${d.id}/late-start`, {
          plannedOn: "2026-10-05",
          startedOn: "2026-10-08",
          attribution: "provider",
        })
      ).status,
    ).toBe(403);
  });
});
