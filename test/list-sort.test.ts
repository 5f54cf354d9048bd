/**
 * Lists ordered on the server by the column a user picks (`?sort=name`, `-name` reversed), paged by
 * cursor in that order: every row once, in order, across pages; a cursor of one order is refused by
 * another; an order a list does not offer is a 400 naming the field.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBilling } from "../src/billing/runs.ts";
import {
  buildContract,
  buildCustomer,
  buildUser,
  type Client,
  issueOn,
  login,
  PASSWORD,
  type TestEnv,
  testApp,
} from "./helpers.ts";

let env: TestEnv;
let op: Client;
let bill: Client;
const tag = randomBytes(3).toString("hex");

beforeAll(async () => {
  env = await testApp();
  op = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
  bill = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
});
afterAll(async () => {
  await env?.close();
});

/** Every row of a list, page by page (2 per page), with the order asked. */
async function all<T>(c: Client, path: string): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const r = await c.req("GET", `${path}&limit=2${cursor ? `&cursor=${cursor}` : ""}`);
    expect(r.status).toBe(200);
    rows.push(...r.json.items);
    cursor = r.json.nextCursor;
  } while (cursor);
  return rows;
}

describe("sorting and searching lists on the server", () => {
  it("orders contracts by customer, start date or end, either way, across pages", async () => {
    // Names chosen so that no order of the three coincides with another.
    const made = [
      { name: `ソート${tag} い`, start: "2026-03-01", end: null },
      { name: `ソート${tag} う`, start: "2026-01-15", end: "2026-10-31" },
      { name: `ソート${tag} あ`, start: "2026-02-01", end: "2026-12-31" },
    ];
    for (const m of made) {
      const customerId = await buildCustomer(env.db, m.name);
      await buildContract(env.db, {
        customerId,
        start: m.start,
        ...(m.end ? { status: "terminating", endEffectiveOn: m.end } : {}),
      });
    }
    const q = `/api/v1/contracts?q=${encodeURIComponent(`ソート${tag}`)}`;
    const names = async (sort: string) =>
      (await all<{ customerName: string }>(op, `${q}&sort=${sort}`)).map((c) => c.customerName.slice(-1));
    expect(await names("customer")).toEqual(["あ", "い", "う"]);
    expect(await names("-customer")).toEqual(["う", "い", "あ"]);
    expect(await names("start")).toEqual(["う", "あ", "い"]);
    expect(await names("-start")).toEqual(["い", "あ", "う"]);
    // Contracts still open (no end) come after those ending, and first in reverse.
    expect(await names("end")).toEqual(["う", "あ", "い"]);
    expect(await names("-end")).toEqual(["い", "あ", "う"]);
    // The default: the newest number first, as before.
    const byNumber = (await all<{ number: string }>(op, q)).map((c) => c.number);
    expect(byNumber).toEqual([...byNumber].sort().reverse());
  });

  it("refuses an order the list does not offer, and a cursor of another order", async () => {
    const bad = await op.req("GET", "/api/v1/contracts?sort=plan");
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("validation_failed");
    expect(JSON.stringify(bad.json.error.details)).toContain("sort");
    for (let i = 0; i < 3; i++) await buildContract(env.db, { start: "2026-04-01" });
    const first = await op.req("GET", "/api/v1/contracts?sort=start&limit=1");
    expect(first.json.nextCursor).toEqual(expect.any(String));
    const other = await op.req(
      "GET",
      `/api/v1/contracts?sort=-start&limit=1&cursor=${first.json.nextCursor}`,
    );
    expect(other.status).toBe(400);
    expect(other.json.error.code).toBe("validation_failed");
    const same = await op.req("GET", `/api/v1/contracts?sort=start&limit=1&cursor=${first.json.nextCursor}`);
    expect(same.status).toBe(200);
  });

  it("orders customers by name or registration, and invoices by total or customer", async () => {
    const names = [`並べ${tag} 2`, `並べ${tag} 1`, `並べ${tag} 3`];
    const ids: string[] = [];
    for (const n of names) ids.push(await buildCustomer(env.db, n));
    const q = `/api/v1/customers?q=${encodeURIComponent(`並べ${tag}`)}`;
    const got = async (sort: string) =>
      (await all<{ legalName: string }>(op, `${q}&sort=${sort}`)).map((c) => c.legalName.slice(-1));
    expect(await got("name")).toEqual(["1", "2", "3"]);
    expect(await got("-name")).toEqual(["3", "2", "1"]);
    expect(await got("created")).toEqual(["2", "1", "3"]);
    expect(await got("-created")).toEqual(["3", "1", "2"]);

    // Three contracts of different plans billed in a month no other test uses: totals differ.
    const plans = ["premium", "basic", "standard"] as const;
    for (const [i, plan] of plans.entries())
      await buildContract(env.db, { customerId: ids[i]!, start: "2024-01-10", plan });
    await runBilling(env, "2024-03");
    const inv = async (sort: string) =>
      (
        await all<{ recipientName: string; total: number; dueDate: string }>(
          bill,
          `/api/v1/invoices?month=2024-03&sort=${sort}`,
        )
      ).filter((i) => i.recipientName.startsWith(`並べ${tag}`));
    const totals = (await inv("total")).map((i) => i.total);
    expect(totals).toHaveLength(3);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect((await inv("-total")).map((i) => i.total)).toEqual([...totals].reverse());
    expect((await inv("customer")).map((i) => i.recipientName.slice(-1))).toEqual(["1", "2", "3"]);
    expect((await inv("-customer")).map((i) => i.recipientName.slice(-1))).toEqual(["3", "2", "1"]);
    expect((await bill.req("GET", "/api/v1/invoices?sort=amount")).status).toBe(400);

    // Issued on 2024-04-01, due 2024-04-30: overdue today; searched by name, ordered by balance.
    const drafts = (await inv("total")).map((i) => (i as unknown as { id: string }).id);
    await issueOn(env, drafts, "2024-04-01");
    const overdue = async (sort: string) =>
      (
        await all<{ recipientName: string; balance: number }>(
          bill,
          `/api/v1/billing/overdue?q=${encodeURIComponent(`並べ${tag}`)}&sort=${sort}`,
        )
      ).map((o) => o.balance);
    const balances = await overdue("balance");
    expect(balances).toHaveLength(3);
    expect(balances).toEqual([...balances].sort((x, y) => x - y));
    expect(await overdue("-balance")).toEqual([...balances].reverse());
    expect((await bill.req("GET", "/api/v1/billing/overdue?sort=total")).status).toBe(400);
  });

  it("searches and sorts applications; narrows payments and notices", async () => {
    const apply = (legalName: string, receivedOn: string) =>
      op.req("POST", "/api/v1/applications/paper", {
        legalName,
        corporateNumber: "7000012050002",
        address: "東京都千代田区霞が関3-1-1",
        billingContact: { name: "経理 花子", email: "billing@apply.example", phone: "03-1234-5678" },
        representatives: [{ name: "代表 太郎", email: "rep@apply.example", phone: "03-1234-5679" }],
        plan: "basic",
        options: [],
        servers: [{ hostname: "web1.apply.example", provider: "aws", os: "Ubuntu 24.04" }],
        applicantEmail: "applicant@apply.example",
        channel: "paper",
        receivedOn,
      });
    for (const [n, day] of [
      ["b", "2026-11-02"],
      ["a", "2026-11-03"],
      ["c", "2026-11-01"],
    ] as const)
      expect((await apply(`申込${tag} ${n}`, day)).status).toBe(201);
    const apps = async (sort: string) =>
      (
        await all<{ legalName: string }>(
          op,
          `/api/v1/applications?q=${encodeURIComponent(`申込${tag}`)}&sort=${sort}`,
        )
      ).map((a) => a.legalName.slice(-1));
    expect(await apps("name")).toEqual(["a", "b", "c"]);
    expect(await apps("-received")).toEqual(["a", "b", "c"]);
    expect(await apps("received")).toEqual(["c", "b", "a"]);

    // Payments: one fully allocated, one with money left over; found by the payer's name.
    const c = await buildContract(env.db, { start: "2024-05-01", plan: "basic" });
    await runBilling(env, "2024-05");
    const [inv] = (await bill.req("GET", `/api/v1/invoices?contractId=${c.id}`)).json.items;
    await bill.req("POST", `/api/v1/invoices/${inv.id}/issue`);
    const pay = (amount: number, payerName: string) =>
      bill.req("POST", "/api/v1/payments", {
        customerId: c.customerId,
        receivedOn: "2024-06-10",
        amount,
        method: "bank_transfer",
        payerName,
      });
    expect((await pay(1_000, `フリコミ${tag}イチ`)).status).toBe(201);
    expect((await pay(10_000_000, `フリコミ${tag}ニ`)).status).toBe(201);
    const payers = async (query: string) =>
      (await all<{ payerName: string }>(bill, `/api/v1/payments?customerId=${c.customerId}${query}`)).map(
        (p) => p.payerName,
      );
    expect(await payers("&unallocated=true")).toEqual([`フリコミ${tag}ニ`]);
    expect(await payers("&unallocated=false")).toEqual([`フリコミ${tag}イチ`]);
    expect(await payers(`&q=${encodeURIComponent(`${tag}イチ`)}`)).toEqual([`フリコミ${tag}イチ`]);
    expect((await bill.req("GET", "/api/v1/payments?unallocated=yes")).status).toBe(400);

    // Notices: by kind and by part of the subject, for staff and in the company's inbox.
    await buildUser(env.db, { role: "customer-admin", customerId: c.customerId }); // the inbox is its users'
    const sent = await op.req("POST", "/api/v1/notices", {
      customerId: c.customerId,
      subject: `保守作業${tag}のお知らせ`,
      body: "本文",
    });
    expect(sent.status).toBe(201);
    const subjects = async (client: Client, path: string) =>
      (await all<{ subject: string }>(client, path)).map((n) => n.subject);
    const q = encodeURIComponent(`作業${tag}`);
    expect(await subjects(op, `/api/v1/notices?q=${q}`)).toEqual([`保守作業${tag}のお知らせ`]);
    expect(await subjects(op, `/api/v1/notices?q=${q}&kind=announcement`)).toEqual([]);
    expect(await subjects(op, `/api/v1/customers/${c.customerId}/notices?q=${q}&kind=notice`)).toEqual([
      `保守作業${tag}のお知らせ`,
    ]);
    expect((await op.req("GET", "/api/v1/notices?kind=memo")).status).toBe(400);
  });
});
