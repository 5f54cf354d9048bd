/**
 * Changing a contract's content through the API (Art. 20(2)–(4), 29(4)(5), 11): a customer-admin's
 * request with its preview, staff's paper form, the menu's limits, confirmation, refusal, cancellation
 * with the fees it caused, and what the billing runs then invoice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBilling } from "../src/billing/runs.ts";
import { totpCode } from "../src/identity/totp.ts";
import {
  buildContract,
  buildUser,
  type Client,
  invoicesOf,
  linesOf,
  login,
  PASSWORD,
  type TestEnv,
  testApp,
} from "./helpers.ts";

let env: TestEnv;
let op: Client;
let admin: Client;
let operatorId: string;
let adminId: string;
const SECRET = "JBSWY3DPEHPK3PXP";

beforeAll(async () => {
  env = await testApp();
  operatorId = (await buildUser(env.db, { role: "operator" })).loginId;
  const a = await buildUser(env.db, { role: "admin" });
  await env.db
    .updateTable("users")
    .set({ totp_enabled: true, totp_secret: SECRET })
    .where("id", "=", a.id)
    .execute();
  adminId = a.loginId;
});
afterAll(async () => {
  await env?.close();
});

/** Today is `day` (JST); staff log in afresh (a session idle since another day has expired). */
async function on(day: string) {
  env.clock.set(new Date(`${day}T01:00:00Z`));
  // The tests move the clock back and forth: the per-address log-in throttle (not tested here) starts afresh.
  await env.db.deleteFrom("login_throttle").execute();
  op = await login(env.app, operatorId, PASSWORD);
}

/** A contract with a logged-in customer-admin of its company. */
async function withCustomer(opts: Parameters<typeof buildContract>[1]) {
  const c = await buildContract(env.db, opts);
  const u = await buildUser(env.db, { role: "customer-admin", customerId: c.customerId });
  return { ...c, loginId: u.loginId, cust: await login(env.app, u.loginId, u.password) };
}

const changesOf = (contractId: string) =>
  env.db.selectFrom("contract_changes").selectAll().where("contract_id", "=", contractId).execute();
const noticesOf = async (contractId: string) =>
  (
    await env.db
      .selectFrom("notices")
      .select("topic")
      .where("contract_id", "=", contractId)
      .orderBy("created_at")
      .execute()
  ).map((n) => n.topic);
const contract = async (id: string) =>
  env.db.selectFrom("contracts").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

describe("a customer-admin's upgrade, confirmed in the month after its receipt", () => {
  it("previews, stays pending and billed as before, then the difference lands on the next invoice", async () => {
    await on("2026-11-20");
    const k = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const body = {
      plan: "premium",
      addServers: [{ hostname: "db-1.example", provider: "aws", os: "Ubuntu 24.04" }],
    };

    const preview = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes/preview`, body);
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({
      receivedOn: "2026-11-20",
      steps: ["plan basic → premium", "1 server(s) added (db-1.example)"],
      initialFees: 200_000,
      months: [
        { month: "2026-11", before: 30_000, after: 350_000 },
        { month: "2026-12", before: 30_000, after: 150_000 },
      ],
    });
    expect(preview.json.basis.map((b: { article: string }) => b.article)).toEqual(
      expect.arrayContaining(["20(2)", "20(3)", "29(4)", "29(1)"]),
    );
    expect(await changesOf(k.id)).toHaveLength(0);

    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, body);
    expect(r.status).toBe(201);
    expect(r.json.change).toMatchObject({
      status: "requested",
      channel: "portal",
      receivedOn: "2026-11-20",
      before: { plan: "basic" },
      after: { plan: "premium", servers: [{ hostname: "db-1.example", os: "Ubuntu 24.04" }] },
    });
    expect(r.json.preview.months[0].after).toBe(350_000);
    // Art. 20(4): one pending change at a time, and the contract unchanged until confirmed.
    const again = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { addOptions: ["backup"] });
    expect(again.status).toBe(409);
    expect(again.json.error.article).toBe("20(4)");
    expect((await contract(k.id)).plan).toBe("basic");

    await runBilling(env, "2026-11");
    const [nov] = await invoicesOf(env.db, k.id);
    expect((await linesOf(env.db, nov!.id)).map((l) => [l.item_code, l.amount])).toEqual([
      ["monthly-basic", 30_000],
    ]);

    await on("2026-12-03");
    k.cust = await login(env.app, k.loginId, PASSWORD);
    const early = await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/confirm`, {
      effectiveOn: "2026-11-19",
    });
    expect(early.status).toBe(400);
    expect(early.json.error.details).toEqual({ effectiveOn: ["too_early"] });
    expect(
      (await k.cust.req("POST", `/api/v1/contract-changes/${r.json.change.id}/confirm`, {})).status,
    ).toBe(403);
    const confirmed = await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/confirm`, {
      effectiveOn: "2026-12-01",
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.change).toMatchObject({ status: "confirmed", effectiveOn: "2026-12-01" });
    expect(confirmed.json.basis.map((b: { article: string }) => b.article)).toEqual(
      expect.arrayContaining(["20(4)", "29(4)"]),
    );
    const after = await contract(k.id);
    expect(after.plan).toBe("premium");
    expect((after.servers as { hostname: string }[]).map((s) => s.hostname)).toEqual(["db-1.example"]);

    // November was invoiced at basic: the difference (premium for the whole month, and its initial fee).
    const pending = await op.req("GET", `/api/v1/contracts/${k.id}/charges`);
    const diffs = pending.json.items.map(
      (x: { itemCode: string; amount: number; article: string; month: string }) => [
        x.itemCode,
        x.amount,
        x.article,
        x.month,
      ],
    );
    expect(diffs).toEqual(
      expect.arrayContaining([
        ["monthly-basic", -30_000, "29(4)", "2026-11"],
        ["monthly-premium", 150_000, "29(4)", "2026-11"],
        ["initial-premium", 200_000, "29(4)", "2026-11"],
      ]),
    );
    expect(diffs).toHaveLength(3);

    await runBilling(env, "2026-12");
    const dec = (await invoicesOf(env.db, k.id)).find((i) => i.month === "2026-12")!;
    const lines = await linesOf(env.db, dec.id);
    expect(lines.map((l) => [l.item_code, l.amount, l.article])).toEqual(
      expect.arrayContaining([
        ["monthly-premium", 150_000, "29(1)"],
        ["monthly-premium", 150_000, "29(4)"],
        ["monthly-basic", -30_000, "29(4)"],
        ["initial-premium", 200_000, "29(4)"],
      ]),
    );
    expect(lines.reduce((s, l) => s + Number(l.amount), 0)).toBe(150_000 + 320_000);
    expect(lines.find((l) => l.article === "29(4)")!.note).toContain("received on 2026-11-20");

    // A re-confirmation is refused; the timeline and the notices tell the story.
    expect((await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/confirm`, {})).status).toBe(
      409,
    );
    const detail = await k.cust.req("GET", `/api/v1/contracts/${k.id}`);
    expect(detail.json.timeline.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(["change_requested", "change_confirmed"]),
    );
    expect(await noticesOf(k.id)).toEqual(["contract.change_requested", "contract.change_confirmed"]);
  });
});

describe("a correction of a month invoiced before the change was confirmed", () => {
  it("bills the change once: the recurring lines as invoiced, plus its difference", async () => {
    await on("2026-11-20");
    const k = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "standard" });
    await runBilling(env, "2026-11");
    await on("2026-12-02");
    expect((await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/confirm`, {})).status).toBe(
      200,
    );
    const [nov] = await invoicesOf(env.db, k.id);
    const bill = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
    const corrected = await bill.req("POST", `/api/v1/invoices/${nov!.id}/correct`, { reason: "宛名の誤り" });
    expect(corrected.status).toBe(201);
    const lines = await linesOf(env.db, corrected.json.id);
    // The month as invoiced, then the change's difference (charges, in any order).
    expect(lines[0]).toMatchObject({ item_code: "monthly-basic", amount: 30_000, article: "29(1)" });
    expect(
      lines
        .slice(1)
        .map((l) => [l.item_code, Number(l.amount), l.article])
        .sort(),
    ).toEqual([
      ["initial-standard", 100_000, "29(4)"],
      ["monthly-basic", -30_000, "29(4)"],
      ["monthly-standard", 80_000, "29(4)"],
    ]);
    // Nothing of the change is left for December.
    await runBilling(env, "2026-12");
    const dec = (await invoicesOf(env.db, k.id)).find((i) => i.month === "2026-12")!;
    expect((await linesOf(env.db, dec.id)).map((l) => [l.item_code, Number(l.amount)])).toEqual([
      ["monthly-standard", 80_000],
    ]);
  });
});

describe("a change confirmed before its month is invoiced", () => {
  it("is billed by the run itself: a downgrade received on the 10th keeps that month at the old rate", async () => {
    await on("2026-10-10");
    const k = await withCustomer({ start: "2026-06-01", plan: "standard" });
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "basic" });
    expect(r.status).toBe(201);
    await on("2026-10-12");
    expect((await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/confirm`, {})).status).toBe(
      200,
    );
    expect((await op.req("GET", `/api/v1/contracts/${k.id}/charges`)).json.items).toEqual([]);
    await runBilling(env, "2026-10");
    await runBilling(env, "2026-11");
    const [oct, nov] = await invoicesOf(env.db, k.id);
    const octLines = await linesOf(env.db, oct!.id);
    expect(octLines.map((l) => [l.item_code, l.amount])).toEqual([
      ["monthly-standard", 80_000],
      ["initial-basic", 50_000],
    ]);
    expect(octLines[0]!.note).toContain("Art. 29(4)");
    expect((await linesOf(env.db, nov!.id)).map((l) => [l.item_code, l.amount])).toEqual([
      ["monthly-basic", 30_000],
    ]);
  });
});

describe("the menu's limits (Art. 20(3))", () => {
  it("refuses a premium downgrade within the minimum term, with the reason, and writes nothing", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-11-02", plan: "premium" });
    const body = { plan: "basic" };
    for (const path of ["changes/preview", "changes"]) {
      const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/${path}`, body);
      expect(r.status).toBe(409);
      expect(r.json.error).toMatchObject({
        code: "conflict",
        article: "20(3)",
        details: { menu: ["downgrade_in_minimum_term"] },
      });
      expect(r.json.error.message).toContain("2026-12-31");
    }
    expect(await changesOf(k.id)).toHaveLength(0);
    expect(await noticesOf(k.id)).toEqual([]);
  });

  it("refuses more servers than the plan covers, and follows the limits an admin sets", async () => {
    await on("2026-11-24");
    admin = await login(env.app, adminId, PASSWORD, totpCode(SECRET, env.clock.now()));
    const k = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const servers = (n: number, p: string) =>
      Array.from({ length: n }, (_, i) => ({ hostname: `${p}${i}.example`, provider: "gcp" }));
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes/preview`, {
      addServers: servers(11, "a"),
    });
    expect(r.status).toBe(409);
    expect(r.json.error.details).toEqual({ menu: ["too_many_servers"] });
    const limits = (await k.cust.req("GET", "/api/v1/menu-limits")).json.limits;
    expect(limits.find((l: { target: string }) => l.target === "plan:basic")).toMatchObject({
      maxServers: 10,
      rank: 1,
    });
    expect(
      (
        await k.cust.req("PUT", "/api/v1/menu-limits", {
          target: "plan:basic",
          rank: 1,
          maxServers: 20,
          noDowngradeInMinimumTerm: false,
          requiresPlans: null,
        })
      ).status,
    ).toBe(403);
    const set = await admin.req("PUT", "/api/v1/menu-limits", {
      target: "plan:basic",
      rank: 1,
      maxServers: 12,
      noDowngradeInMinimumTerm: false,
      requiresPlans: null,
    });
    expect(set.status).toBe(200);
    expect(
      (
        await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes/preview`, {
          addServers: servers(11, "b"),
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin.req("PUT", "/api/v1/menu-limits", {
          target: "plan:basic",
          rank: 0,
          maxServers: 10,
          noDowngradeInMinimumTerm: false,
          requiresPlans: null,
        })
      ).status,
    ).toBe(400);
    // What belongs to a plan is refused on an option and the other way round; unknown targets too.
    for (const body of [
      {
        target: "plan:basic",
        rank: 1,
        maxServers: 10,
        noDowngradeInMinimumTerm: false,
        requiresPlans: ["premium"],
      },
      {
        target: "option:backup",
        rank: 2,
        maxServers: null,
        noDowngradeInMinimumTerm: false,
        requiresPlans: null,
      },
      {
        target: "option:backup",
        rank: null,
        maxServers: 5,
        noDowngradeInMinimumTerm: true,
        requiresPlans: null,
      },
      {
        target: "plan:gold",
        rank: 4,
        maxServers: null,
        noDowngradeInMinimumTerm: false,
        requiresPlans: null,
      },
    ]) {
      const r = await admin.req("PUT", "/api/v1/menu-limits", body);
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe("validation_failed");
    }
    await admin.req("PUT", "/api/v1/menu-limits", {
      target: "plan:basic",
      rank: 1,
      maxServers: 10,
      noDowngradeInMinimumTerm: false,
      requiresPlans: null,
    });
    expect((await k.cust.req("GET", "/api/v1/menu-limits")).json.limits).toEqual(limits);
  });

  it("refuses an option the plan cannot have", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, {
      addOptions: ["extended-support"],
    });
    expect(r.status).toBe(409);
    expect(r.json.error.details).toEqual({ menu: ["option_needs_plan"] });
    const both = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes/preview`, {
      plan: "standard",
      addOptions: ["extended-support"],
    });
    expect(both.status).toBe(200);
  });
});

describe("staff's paper change form", () => {
  it("takes the real receipt date (not in the future, not before the start); the portal's is today", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const future = await op.req("POST", `/api/v1/contracts/${k.id}/changes`, {
      plan: "standard",
      receivedOn: "2026-11-25",
    });
    expect(future.status).toBe(400);
    expect(future.json.error.details).toEqual({ receivedOn: ["future"] });
    const early = await op.req("POST", `/api/v1/contracts/${k.id}/changes`, {
      plan: "standard",
      receivedOn: "2026-05-31",
    });
    expect(early.json.error.details).toEqual({ receivedOn: ["too_early"] });
    const cust = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, {
      plan: "standard",
      receivedOn: "2026-11-01",
    });
    expect(cust.status).toBe(400);
    expect(cust.json.error.details).toEqual({ receivedOn: ["set_by_channel"] });
    const nothing = await op.req("POST", `/api/v1/contracts/${k.id}/changes`, { receivedOn: "2026-11-01" });
    expect(nothing.status).toBe(400);
    const paper = await op.req("POST", `/api/v1/contracts/${k.id}/changes`, {
      plan: "standard",
      addOptions: ["backup"],
      receivedOn: "2026-11-02",
      channel: "email",
      note: "FAX 受領",
    });
    expect(paper.status).toBe(201);
    expect(paper.json.change).toMatchObject({ channel: "email", receivedOn: "2026-11-02", note: "FAX 受領" });
    const queue = await op.req("GET", "/api/v1/contract-changes?limit=500");
    expect(queue.json.items.find((x: { id: string }) => x.id === paper.json.change.id)).toMatchObject({
      contractNumber: k.number,
      steps: ["plan basic → standard", "option backup added"],
    });
    expect((await k.cust.req("GET", "/api/v1/contract-changes")).status).toBe(403);
  });
});

describe("refusing and cancelling a pending change", () => {
  it("staff refuse with a reason: nothing changes, the customer is told", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "standard" });
    const refused = await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/refuse`, {
      reason: "対象サーバの OS が保守対象外のため",
    });
    expect(refused.status).toBe(200);
    expect(refused.json.change).toMatchObject({
      status: "refused",
      refusalReason: "対象サーバの OS が保守対象外のため",
    });
    expect((await contract(k.id)).plan).toBe("basic");
    expect((await k.cust.req("GET", `/api/v1/contract-changes/${r.json.change.id}`)).json.status).toBe(
      "refused",
    );
    expect(await noticesOf(k.id)).toEqual(["contract.change_requested", "contract.change_refused"]);
    expect(
      (await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/refuse`, { reason: "x" })).status,
    ).toBe(409);
    expect(
      (await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/refuse`, { reason: "" })).status,
    ).toBe(400);
  });

  it("a customer cancels before confirmation and owes the fees the change caused, as shown (Art. 29(5))", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-06-01", plan: "standard" });
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "premium" });
    const id = r.json.change.id;
    const shown = await k.cust.req("GET", `/api/v1/contract-changes/${id}/cancellation`);
    expect(shown.status).toBe(200);
    expect(shown.json.fees).toBe(200_000);
    expect(shown.json.basis[0].article).toBe("29(5)");
    const wrong = await k.cust.req("POST", `/api/v1/contract-changes/${id}/cancel`, { expectedFees: 0 });
    expect(wrong.status).toBe(409);
    expect(wrong.json.error.article).toBe("29(5)");
    expect((await changesOf(k.id))[0]!.status).toBe("requested");
    const done = await k.cust.req("POST", `/api/v1/contract-changes/${id}/cancel`, { expectedFees: 200_000 });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({
      fees: 200_000,
      change: { status: "cancelled", cancellationFees: 200_000 },
    });
    expect((await contract(k.id)).plan).toBe("standard");
    const charges = (await op.req("GET", `/api/v1/contracts/${k.id}/charges`)).json.items;
    expect(
      charges.map((c: { itemCode: string; amount: number; article: string }) => [
        c.itemCode,
        c.amount,
        c.article,
      ]),
    ).toEqual([["initial-premium", 200_000, "29(5)"]]);
    await runBilling(env, "2026-11");
    const [nov] = await invoicesOf(env.db, k.id);
    expect((await linesOf(env.db, nov!.id)).map((l) => [l.item_code, l.amount])).toEqual([
      ["monthly-standard", 80_000],
      ["initial-premium", 200_000],
    ]);
    expect(
      (await k.cust.req("POST", `/api/v1/contract-changes/${id}/cancel`, { expectedFees: 200_000 })).status,
    ).toBe(409);
    expect(await noticesOf(k.id)).toEqual(["contract.change_requested", "contract.change_cancelled"]);
  });

  it("a change that caused no fees is cancelled for nothing", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-06-01", plan: "standard" });
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { addOptions: ["patching"] });
    expect(
      (await k.cust.req("GET", `/api/v1/contract-changes/${r.json.change.id}/cancellation`)).json.fees,
    ).toBe(0);
    const done = await k.cust.req("POST", `/api/v1/contract-changes/${r.json.change.id}/cancel`, {
      expectedFees: 0,
    });
    expect(done.json.fees).toBe(0);
    expect((await op.req("GET", `/api/v1/contracts/${k.id}/charges`)).json.items).toEqual([]);
  });
});

describe("tenancy and options (Art. 11)", () => {
  it("another company sees and touches none of it", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const other = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "standard" });
    const id = r.json.change.id;
    expect((await other.cust.req("GET", `/api/v1/contract-changes/${id}`)).status).toBe(404);
    expect((await other.cust.req("GET", `/api/v1/contracts/${k.id}/changes`)).status).toBe(404);
    expect((await other.cust.req("GET", `/api/v1/contract-changes/${id}/cancellation`)).status).toBe(404);
    expect(
      (await other.cust.req("POST", `/api/v1/contract-changes/${id}/cancel`, { expectedFees: 0 })).status,
    ).toBe(404);
    expect(
      (await other.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "premium" })).status,
    ).toBe(404);
    expect((await k.cust.req("GET", `/api/v1/contracts/${k.id}/changes`)).json.items).toHaveLength(1);
  });

  it("an option's cancellation is a change in effect on arrival, refused while another waits", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-06-01", plan: "basic", options: ["backup", "patching"] });
    const r = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "standard" });
    const blocked = await k.cust.req("POST", `/api/v1/contracts/${k.id}/options/backup/cancel`, {});
    expect(blocked.status).toBe(409);
    expect(blocked.json.error.article).toBe("20(4)");
    await op.req("POST", `/api/v1/contract-changes/${r.json.change.id}/refuse`, { reason: "重複" });
    expect((await k.cust.req("POST", `/api/v1/contracts/${k.id}/options/backup/cancel`, {})).status).toBe(
      200,
    );
    const list = (await k.cust.req("GET", `/api/v1/contracts/${k.id}/changes`)).json.items;
    expect(list).toHaveLength(2);
    expect(list.find((x: { kind: string }) => x.kind === "option_cancellation")).toMatchObject({
      kind: "option_cancellation",
      status: "confirmed",
      receivedOn: "2026-11-24",
      steps: ["option backup removed"],
    });
    // A paper change cannot be dated before a change already confirmed (the versions stay in order).
    const before = await op.req("POST", `/api/v1/contracts/${k.id}/changes`, {
      plan: "premium",
      receivedOn: "2026-11-20",
    });
    expect(before.status).toBe(400);
    expect(before.json.error.details).toEqual({ receivedOn: ["too_early"] });
    // The option is re-added through a change, and can be cancelled again.
    const re = await op.req("POST", `/api/v1/contracts/${k.id}/changes`, { addOptions: ["backup"] });
    expect(re.status).toBe(201);
    expect((await op.req("POST", `/api/v1/contract-changes/${re.json.change.id}/confirm`, {})).status).toBe(
      200,
    );
    expect((await contract(k.id)).options).toEqual(["patching", "backup"]);
    expect((await k.cust.req("POST", `/api/v1/contracts/${k.id}/options/backup/cancel`, {})).status).toBe(
      200,
    );
    await runBilling(env, "2026-11");
    const [nov] = await invoicesOf(env.db, k.id);
    expect((await linesOf(env.db, nov!.id)).map((l) => [l.item_code, l.amount])).toEqual([
      ["monthly-basic", 30_000],
      ["option-patching", 15_000],
      ["option-backup", 10_000],
    ]);
  });
});

describe("who and when", () => {
  it("a customer-member may read but not request; a contract that is ending cannot be changed", async () => {
    await on("2026-11-24");
    const k = await withCustomer({ start: "2026-06-01", plan: "basic" });
    const m = await buildUser(env.db, { role: "customer-member", customerId: k.customerId });
    const member = await login(env.app, m.loginId, m.password);
    expect((await member.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "standard" })).status).toBe(
      403,
    );
    expect(
      (await member.req("POST", `/api/v1/contracts/${k.id}/changes/preview`, { plan: "standard" })).status,
    ).toBe(403);
    expect((await member.req("GET", `/api/v1/contracts/${k.id}/changes`)).status).toBe(200);
    const ending = await withCustomer({
      start: "2026-06-01",
      plan: "basic",
      status: "terminating",
      endEffectiveOn: "2026-12-31",
    });
    const r = await ending.cust.req("POST", `/api/v1/contracts/${ending.id}/changes`, { plan: "standard" });
    expect(r.status).toBe(409);
    expect(r.json.error.article).toBe("20(2)");
    expect(await changesOf(ending.id)).toHaveLength(0);
    const bad = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, { plan: "gold" });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("validation_failed");
    const extra = await k.cust.req("POST", `/api/v1/contracts/${k.id}/changes`, {
      plan: "standard",
      price: 0,
    });
    expect(extra.status).toBe(400);
  });
});
