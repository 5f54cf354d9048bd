import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withCustomerScope } from "../src/db/db.ts";
import { buildCustomer, buildUser, type Client, login, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let a: string;
let b: string;
let aliceA: Client;
let bobB: Client;
let bobBUser: { id: string };

beforeAll(async () => {
  env = await testApp();
  a = await buildCustomer(env.db, "株式会社エー");
  b = await buildCustomer(env.db, "株式会社ビー");
  const alice = await buildUser(env.db, { role: "customer-admin", customerId: a });
  const bob = await buildUser(env.db, { role: "customer-admin", customerId: b });
  bobBUser = bob;
  aliceA = await login(env.app, alice.loginId, alice.password);
  bobB = await login(env.app, bob.loginId, bob.password);
});
afterAll(async () => {
  await env?.close();
});

describe("a customer user sees only its own company, through the API", () => {
  it("lists only its own company", async () => {
    const res = await aliceA.req("GET", "/api/v1/customers");
    expect(res.json.items.map((c: { id: string }) => c.id)).toEqual([a]);
  });

  it("cannot read another company by guessing its id (404, not 403)", async () => {
    expect((await aliceA.req("GET", `/api/v1/customers/${b}`)).status).toBe(404);
    expect((await aliceA.req("GET", `/api/v1/customers/${b}/users`)).status).toBe(404);
    expect((await aliceA.req("GET", `/api/v1/customers/${a}`)).status).toBe(200);
  });

  it("cannot add a user to another company via a customer id in the URL", async () => {
    const res = await aliceA.req("POST", `/api/v1/customers/${b}/users`, {
      loginId: `intruder-${Date.now()}`,
      email: "x@example.test",
      displayName: "X",
      role: "customer-admin",
    });
    expect(res.status).toBe(404);
    const users = await env.db.selectFrom("users").select("login_id").where("customer_id", "=", b).execute();
    expect(users.map((u) => u.login_id).some((l) => l.startsWith("intruder"))).toBe(false);
  });

  it("a customer-admin can add a member to its own company; a member cannot", async () => {
    const ok = await aliceA.req("POST", `/api/v1/customers/${a}/users`, {
      loginId: `member-${Date.now()}`,
      email: "m@example.test",
      displayName: "M",
      role: "customer-member",
    });
    expect(ok.status).toBe(201);
    expect(ok.json.user.customerId).toBe(a);
    const member = await login(env.app, ok.json.user.loginId, ok.json.initialPassword);
    await member.req("POST", "/api/v1/me/password", {
      currentPassword: ok.json.initialPassword,
      newPassword: "member passphrase long",
    });
    const refused = await member.req("POST", `/api/v1/customers/${a}/users`, {
      loginId: `m2-${Date.now()}`,
      email: "m@example.test",
      displayName: "M",
      role: "customer-member",
    });
    expect(refused.status).toBe(403);
  });

  it("cannot use staff endpoints", async () => {
    expect((await aliceA.req("POST", "/api/v1/customers", { legalName: "乗っ取り" })).status).toBe(403);
    expect((await aliceA.req("POST", `/api/v1/users/${bobBUser.id}/reset-password`)).status).toBe(403);
  });

  it("staff see every company", async () => {
    const op = await buildUser(env.db, { role: "operator" });
    const c = await login(env.app, op.loginId, op.password);
    const ids = (await c.req("GET", "/api/v1/customers")).json.items.map((x: { id: string }) => x.id);
    expect(ids).toEqual(expect.arrayContaining([a, b]));
    void bobB;
  });
});

describe("row-level security holds in SQL even when a query forgets its filter", () => {
  it("reads: unfiltered selects return only the scoped company's rows", async () => {
    await withCustomerScope(env.db, a, async (tx) => {
      const customers = await tx.selectFrom("customers").select("id").execute();
      expect(customers.map((c) => c.id)).toEqual([a]);
      const users = await tx.selectFrom("users").select("customer_id").execute();
      expect(users.length).toBeGreaterThan(0);
      expect(new Set(users.map((u) => u.customer_id))).toEqual(new Set([a]));
      const sessions = await tx.selectFrom("sessions").select("customer_id").execute();
      expect(sessions.every((s) => s.customer_id === a)).toBe(true);
    });
  });

  it("writes: updating another company's rows changes nothing", async () => {
    await withCustomerScope(env.db, a, async (tx) => {
      const res = await tx
        .updateTable("customers")
        .set({ legal_name: "書き換え" })
        .where("id", "=", b)
        .executeTakeFirst();
      expect(Number(res.numUpdatedRows)).toBe(0);
      const all = await tx
        .updateTable("users")
        .set({ display_name: "hijacked" })
        .where("customer_id", "=", b)
        .executeTakeFirst();
      expect(Number(all.numUpdatedRows)).toBe(0);
    });
    const row = await env.db
      .selectFrom("customers")
      .select("legal_name")
      .where("id", "=", b)
      .executeTakeFirstOrThrow();
    expect(row.legal_name).toBe("株式会社ビー");
  });

  it("inserts: a row for another company is refused by the policy", async () => {
    await expect(
      withCustomerScope(env.db, a, (tx) =>
        tx
          .insertInto("users")
          .values({
            kind: "customer",
            customer_id: b,
            login_id: `x-${Date.now()}`,
            email: "x@x.test",
            display_name: "x",
            role: "customer-admin",
            password_hash: "x",
          })
          .execute(),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it("the audit log shows a customer only its own entries", async () => {
    await withCustomerScope(env.db, a, async (tx) => {
      const audit = await tx.selectFrom("audit_log").select("customer_id").execute();
      expect(audit.length).toBeGreaterThan(0);
      expect(audit.every((r) => r.customer_id === a)).toBe(true);
    });
  });

  it("with no customer id set, the customer role sees nothing", async () => {
    const rows = await env.db.transaction().execute(async (tx) => {
      await sql`set local role unyo_customer`.execute(tx);
      return tx.selectFrom("customers").select("id").execute();
    });
    expect(rows).toEqual([]);
  });
});
