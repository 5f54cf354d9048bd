/**
 * Decisions that were written in several places and had drifted apart (issue "The house, rebuilt…"):
 * each case failed before its rule lived in one place.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { overdue } from "../src/billing/overdue.ts";
import { isOverdue } from "../src/billing/rules.ts";
import { runBilling } from "../src/billing/runs.ts";
import { applyAbolitions, completeEnds } from "../src/contracts/ends.ts";
import { totpCode } from "../src/identity/totp.ts";
import { buildContract, buildUser, type Client, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let op: Client;
let admin: Client;

beforeAll(async () => {
  env = await testApp();
  op = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
  const a = await buildUser(env.db, { role: "admin" });
  await env.db
    .updateTable("users")
    .set({ totp_enabled: true, totp_secret: "JBSWY3DPEHPK3PXP" })
    .where("id", "=", a.id)
    .execute();
  admin = await login(env.app, a.loginId, a.password, totpCode("JBSWY3DPEHPK3PXP", env.clock.now()));
});
afterAll(async () => {
  await env?.close();
});

const statusOf = (id: string) =>
  env.db
    .selectFrom("contracts")
    .select(["status", "terminated_on"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

const endedEvent = async (id: string) =>
  env.db
    .selectFrom("contract_events")
    .select(["type", "article", "to_status"])
    .where("contract_id", "=", id)
    .where("to_status", "=", "terminated")
    .executeTakeFirst();

describe("when a contract has ended is one rule (Art. 26, 36(2))", () => {
  it("a past-dated paper cancellation of a contract with a late-start extension runs until its service ends", async () => {
    const c = await buildContract(env.db, { start: "2026-09-01", plan: "basic" });
    // Planned 09-01, started 10-01 for the provider's reasons: 30 days added to the service period.
    expect(
      (
        await op.req("POST", `/api/v1/contracts/${c.id}/late-start`, {
          plannedOn: "2026-09-01",
          startedOn: "2026-10-01",
          attribution: "provider",
        })
      ).status,
    ).toBe(201);
    // Received 09-15 → effective 10-31 (Art. 26(2)), which is before today (11-24); the service runs to 11-30.
    const r = await op.req("POST", `/api/v1/contracts/${c.id}/paper-cancellation`, {
      receivedOn: "2026-09-15",
    });
    expect(r.status).toBe(200);
    expect(r.json.contract).toMatchObject({
      status: "terminating",
      endEffectiveOn: "2026-10-31",
      serviceUntil: "2026-11-30",
    });
    expect(await statusOf(c.id)).toEqual({ status: "terminating", terminated_on: null });
    await completeEnds(env, "2026-11-30");
    expect((await statusOf(c.id)).status).toBe("terminating");
    await completeEnds(env, "2026-12-01");
    expect(await statusOf(c.id)).toEqual({ status: "terminated", terminated_on: "2026-11-30" });
    expect(await endedEvent(c.id)).toMatchObject({ article: "26(2)" });
  });

  it("a past-dated cancellation whose service has already ended is terminated at once, on the day the service ended", async () => {
    const c = await buildContract(env.db, { start: "2026-07-01", plan: "basic" });
    const r = await op.req("POST", `/api/v1/contracts/${c.id}/paper-cancellation`, {
      receivedOn: "2026-08-20",
    });
    expect(r.json.contract).toMatchObject({ status: "terminated", serviceUntil: "2026-09-30" });
    expect(await statusOf(c.id)).toEqual({ status: "terminated", terminated_on: "2026-09-30" });
  });

  it("the end of an abolished contract cites Art. 26(5), of an interruption 26(4)", async () => {
    const c = await buildContract(env.db, { start: "2026-06-01", plan: "basic" });
    const ab = await admin.req("POST", "/api/v1/abolitions", {
      title: "旧プランの廃止",
      body: "旧プランを廃止します。",
      noticeOn: "2026-11-24",
      abolitionOn: "2027-01-25",
      contractIds: [c.id],
    });
    expect(ab.status).toBe(201);
    await applyAbolitions(env, "2027-01-25");
    expect((await statusOf(c.id)).status).toBe("terminating");
    await completeEnds(env, "2027-01-26");
    expect(await statusOf(c.id)).toEqual({ status: "terminated", terminated_on: "2027-01-25" });
    expect(await endedEvent(c.id)).toMatchObject({ article: "26(5)" });

    const d = await buildContract(env.db, { start: "2026-06-01", plan: "basic" });
    const i = await op.req("POST", `/api/v1/contracts/${d.id}/paper-cancellation`, {
      receivedOn: "2026-11-24",
      reason: "interruption",
    });
    expect(i.json.contract).toMatchObject({ status: "terminating", serviceUntil: "2026-11-24" });
    await completeEnds(env, "2026-11-25");
    expect(await endedEvent(d.id)).toMatchObject({ article: "26(4)" });
  });
});

describe("a receipt date is one rule by channel", () => {
  it("an option cancellation entered by staff cannot be received in the future, nor before the contract (Art. 11)", async () => {
    const c = await buildContract(env.db, { start: "2026-09-01", plan: "basic", options: ["backup"] });
    const future = await op.req("POST", `/api/v1/contracts/${c.id}/options/backup/cancel`, {
      receivedOn: "2026-11-25",
    });
    expect(future.status).toBe(400);
    expect(future.json.error.article).toBe("11");
    const early = await op.req("POST", `/api/v1/contracts/${c.id}/options/backup/cancel`, {
      receivedOn: "2026-08-31",
    });
    expect(early.status).toBe(400);
    expect(early.json.error.article).toBe("11");
    const ok = await op.req("POST", `/api/v1/contracts/${c.id}/options/backup/cancel`, {
      receivedOn: "2026-11-24",
    });
    expect(ok.status).toBe(200);
    expect(ok.json.receivedOn).toBe("2026-11-24");
  });
});

describe("suspended months are charged as served (Art. 30(3))", () => {
  it("the run tells the customer a suspended month is charged as if served", async () => {
    const c = await buildContract(env.db, { start: "2026-09-01", plan: "basic" });
    expect(
      (await op.req("POST", `/api/v1/contracts/${c.id}/suspend`, { reason: "unpaid_fees" })).status,
    ).toBe(200);
    await runBilling(env, "2026-10");
    await runBilling(env, "2026-11");
    const lines = await env.db
      .selectFrom("invoice_lines as l")
      .innerJoin("invoices as i", "i.id", "l.invoice_id")
      .select(["i.month", "l.note", "l.kind"])
      .where("i.contract_id", "=", c.id)
      .where("l.kind", "=", "monthly")
      .orderBy("i.month")
      .execute();
    expect(lines.map((l) => [l.month, l.note.includes("Art. 30(3)")])).toEqual([
      ["2026-10", false],
      ["2026-11", true],
    ]);
  });
});

describe("the due date stated on an invoice (Art. 31(3), 33)", () => {
  it("an invoice issued after the run's due date is due no earlier than its issue date plus the payment period", async () => {
    const late = await testApp();
    try {
      const user = await buildUser(late.db, { role: "billing" });
      const c = await buildContract(late.db, { start: "2026-09-01", plan: "basic" });
      await runBilling(late, "2026-10");
      const inv = await late.db
        .selectFrom("invoices")
        .select(["id", "due_date"])
        .where("contract_id", "=", c.id)
        .executeTakeFirstOrThrow();
      expect(inv.due_date).toBe("2026-11-30");
      // Issued on 2026-12-02 (JST), after the due date the run computed.
      late.clock.advance(Date.parse("2026-12-02T01:00:00Z") - late.clock.now().getTime());
      const b = await login(late.app, user.loginId, PASSWORD);
      const issued = await b.req("POST", `/api/v1/invoices/${inv.id}/issue`);
      expect(issued.status).toBe(200);
      expect(issued.json.document.issueDate).toBe("2026-12-02");
      expect(issued.json.document.dueDate > "2026-12-02").toBe(true);
      // Paying on the day it is issued is on time: no late fee, now or on the next invoice.
      const paid = await b.req("POST", "/api/v1/payments", {
        customerId: c.customerId,
        receivedOn: "2026-12-02",
        amount: issued.json.document.totals.total,
        method: "bank_transfer",
      });
      expect(paid.status).toBe(201);
      const after = await b.req("GET", `/api/v1/invoices/${inv.id}`);
      expect(after.json).toMatchObject({ balance: 0, lateFee: null });
      const fees = await late.db
        .selectFrom("charges")
        .select("amount")
        .where("contract_id", "=", c.id)
        .where("kind", "=", "late-fee")
        .execute();
      expect(fees).toEqual([]);
    } finally {
      await late.close();
    }
  });
});

describe("overdue is one rule: the store selects what the rule decides (Art. 21(1)(1), 31(3))", () => {
  it("the overdue list and the candidacy job pick exactly the invoices isOverdue calls overdue", async () => {
    const c = await buildContract(env.db, { start: "2026-01-05", plan: "basic" });
    // Every combination around the boundaries: status, paid in full / in part / not, due before / on / after the day.
    const asOf = "2026-11-24";
    const cases = [];
    let n = 0;
    for (const status of ["draft", "issued", "void"] as const)
      for (const paid of [0, 500, 1000])
        for (const due of ["2026-11-23", "2026-11-24", "2026-11-25"])
          cases.push({ status, paid, due, month: `${1990 + ++n}-01` });
    const ids: string[] = [];
    for (const k of cases) {
      const row = await env.db
        .insertInto("invoices")
        .values({
          contract_id: c.id,
          customer_id: c.customerId,
          month: k.month,
          kind: "regular",
          status: k.status,
          number: k.status === "draft" ? null : `T-${k.month}`,
          issue_date: k.status === "draft" ? null : "2026-10-01",
          void_reason: k.status === "void" ? "test" : null,
          due_date: k.due,
          period_start: "2026-10-01",
          period_end: "2026-10-31",
          recipient: JSON.stringify({
            name: "x",
            address: null,
            customerNumber: "x",
            contractNumber: c.number,
          }),
          by_rate: "[]",
          net: 1000,
          tax: 0,
          total: 1000,
          tax_rounding: "down",
          paid_amount: k.paid,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      ids.push(row.id);
    }
    const page = await overdue(env, asOf, { limit: 500 });
    expect(page.hasMore).toBe(false);
    const listed = new Set(page.items.map((r) => r.id).filter((id) => ids.includes(id)));
    const decided = new Set(
      cases.flatMap((k, i) =>
        isOverdue({ status: k.status, total: 1000, paidAmount: k.paid, dueDate: k.due }, asOf)
          ? [ids[i]!]
          : [],
      ),
    );
    expect(decided.size).toBe(2); // issued, unpaid or partly paid, due the day before
    expect(listed).toEqual(decided);
  });
});
