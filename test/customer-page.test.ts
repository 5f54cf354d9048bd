/**
 * What the console's customer page reads: the customers searched by name or corporate number, a
 * company's contacts, the notices it received with what its users read, and its timeline from the
 * audit log — staff only for the timeline; a customer sees its own notices and never another's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCustomer, buildUser, type Client, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let op: Client;
let a: string;
let b: string;
let adminA: Client;

beforeAll(async () => {
  env = await testApp();
  const u = await buildUser(env.db, { role: "operator" });
  op = await login(env.app, u.loginId, PASSWORD);
  a = await buildCustomer(env.db, "株式会社検索100%テスト");
  b = await buildCustomer(env.db, "合同会社けんさく");
  await env.db
    .updateTable("customers")
    .set({
      corporate_number: "7000012050002",
      address: "東京都千代田区1-1",
      billing_contact: JSON.stringify({ name: "経理 花子", email: "b@a.example", phone: "03-0000-0000" }),
      representatives: JSON.stringify([{ name: "代表 太郎", email: "r@a.example", phone: "03-0000-0001" }]),
    })
    .where("id", "=", a)
    .execute();
  const admin = await buildUser(env.db, { role: "customer-admin", customerId: a });
  adminA = await login(env.app, admin.loginId, PASSWORD);
});
afterAll(async () => {
  await env?.close();
});

describe("the customer page's data", () => {
  it("searches customers by part of the name or the start of the corporate number; % and _ are characters", async () => {
    const names = async (q: string) =>
      (await op.req("GET", `/api/v1/customers?q=${encodeURIComponent(q)}`)).json.items.map(
        (c: { legalName: string }) => c.legalName,
      );
    expect(await names("検索100")).toEqual(["株式会社検索100%テスト"]);
    expect(await names("けんさく")).toEqual(["合同会社けんさく"]);
    expect(await names("7000012")).toEqual(["株式会社検索100%テスト"]);
    expect(await names("0012050002")).toEqual([]);
    expect(await names("100%")).toEqual(["株式会社検索100%テスト"]);
    expect(await names("%")).toEqual(["株式会社検索100%テスト"]);
    expect(await names("_")).toEqual([]);
    expect((await op.req("GET", "/api/v1/customers?q=")).status).toBe(400);
    // A customer's search stays within its own company.
    const own = await adminA.req("GET", `/api/v1/customers?q=${encodeURIComponent("けんさく")}`);
    expect(own.json.items).toEqual([]);
  });

  it("shows the company's address and contacts", async () => {
    const c = await op.req("GET", `/api/v1/customers/${a}`);
    expect(c.json).toMatchObject({
      address: "東京都千代田区1-1",
      billingContact: { name: "経理 花子" },
      representatives: [{ name: "代表 太郎" }],
    });
    const bare = await op.req("GET", `/api/v1/customers/${b}`);
    expect(bare.json).toMatchObject({ address: null, billingContact: null, representatives: [] });
  });

  it("lists the notices a company received, with what its users read; another company's are not found", async () => {
    const sent = await op.req("POST", "/api/v1/notices", {
      customerId: a,
      subject: "メンテナンスのお知らせ",
      body: "本文",
    });
    expect(sent.status).toBe(201);
    const staffView = await op.req("GET", `/api/v1/customers/${a}/notices`);
    expect(staffView.json.items.map((n: { subject: string }) => n.subject)).toContain(
      "メンテナンスのお知らせ",
    );
    const notice = staffView.json.items.find(
      (n: { subject: string }) => n.subject === "メンテナンスのお知らせ",
    );
    expect(notice.acknowledgedAt).toBeNull();
    await adminA.req("POST", `/api/v1/notices/${notice.noticeId}/acknowledge`);
    const after = await op.req("GET", `/api/v1/customers/${a}/notices`);
    expect(
      after.json.items.find((n: { noticeId: string }) => n.noticeId === notice.noticeId).acknowledgedAt,
    ).not.toBeNull();
    expect((await adminA.req("GET", `/api/v1/customers/${a}/notices`)).status).toBe(200);
    expect((await adminA.req("GET", `/api/v1/customers/${b}/notices`)).status).toBe(404);
    expect((await op.req("GET", `/api/v1/customers/${b}/notices`)).json.items).toEqual([]);
  });

  it("gives staff the company's timeline from the audit log, the latest first, naming who acted", async () => {
    const m = await buildUser(env.db, { role: "customer-member", customerId: a });
    await adminA.req("PATCH", `/api/v1/users/${m.id}`, { role: "customer-admin" });
    const t = await op.req("GET", `/api/v1/customers/${a}/timeline`);
    expect(t.status).toBe(200);
    const seqs = t.json.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    const change = t.json.items.find((e: { action: string }) => e.action === "user.role_change");
    expect(change).toMatchObject({ actorKind: "customer", subjectType: "user", subjectId: m.id });
    expect(change.actorName).toBeTruthy();
    expect(t.json.items.some((e: { action: string }) => e.action === "user.create")).toBe(true);
    // Only this company's entries.
    const other = await op.req("GET", `/api/v1/customers/${b}/timeline`);
    expect(other.json.items.every((e: { subjectId: string }) => e.subjectId !== m.id)).toBe(true);
    expect((await adminA.req("GET", `/api/v1/customers/${a}/timeline`)).status).toBe(403);
    expect(
      (await op.req("GET", "/api/v1/customers/00000000-0000-4000-8000-000000000000/timeline")).status,
    ).toBe(404);
  });
});
