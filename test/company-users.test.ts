/**
 * A company's users managed by its customer-admin and by provider staff: role changes, deactivation
 * (sessions and tokens end at once), the last customer-admin kept, one's own account untouched, other
 * companies invisible, and the password reset asked of the provider (Art. 35(17)).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCustomer, buildUser, type Client, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let a: string;
let b: string;
let adminA: Client;
let adminAUser: { id: string };
let adminB: Client;
let operator: Client;

beforeAll(async () => {
  env = await testApp();
  a = await buildCustomer(env.db, "株式会社ユーザー管理エー");
  b = await buildCustomer(env.db, "株式会社ユーザー管理ビー");
  adminAUser = await buildUser(env.db, { role: "customer-admin", customerId: a });
  adminA = await login(env.app, (await userLogin(adminAUser.id)).login_id, PASSWORD);
  const bAdmin = await buildUser(env.db, { role: "customer-admin", customerId: b });
  adminB = await login(env.app, bAdmin.loginId, bAdmin.password);
  const op = await buildUser(env.db, { role: "operator" });
  operator = await login(env.app, op.loginId, op.password);
});
afterAll(async () => {
  await env?.close();
});

async function userLogin(id: string) {
  return env.db
    .selectFrom("users")
    .select(["login_id", "role", "disabled_at", "reset_requested_at", "reset_requested_by"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function auditOf(subjectId: string) {
  return env.db
    .selectFrom("audit_log")
    .select(["action", "article", "actor_id"])
    .where("subject_id", "=", subjectId)
    .orderBy("seq")
    .execute();
}

describe("a customer-admin manages the company's users", () => {
  it("invites a member, who signs in; deactivating them ends the session and the API token at once", async () => {
    const invited = await adminA.req("POST", `/api/v1/customers/${a}/users`, {
      loginId: `inv-${Date.now()}`,
      email: "inv@example.test",
      displayName: "招待 太郎",
      role: "customer-member",
    });
    expect(invited.status).toBe(201);
    const member = await login(env.app, invited.json.user.loginId, invited.json.initialPassword);
    await member.req("POST", "/api/v1/me/password", {
      currentPassword: invited.json.initialPassword,
      newPassword: "a member's long passphrase 7",
    });
    const token = await member.req("POST", "/api/v1/me/tokens", { name: "script", scopes: ["read"] });
    expect(token.status).toBe(201);
    expect((await member.req("GET", "/api/v1/me")).status).toBe(200);

    const list = await adminA.req("GET", `/api/v1/customers/${a}/users`);
    const row = list.json.items.find((u: { id: string }) => u.id === invited.json.user.id);
    expect(row).toMatchObject({ active: true, disabledAt: null, resetRequestedAt: null });

    const off = await adminA.req("PATCH", `/api/v1/users/${invited.json.user.id}`, { active: false });
    expect(off.status).toBe(200);
    expect(off.json).toMatchObject({ active: false });
    expect(off.json.disabledAt).not.toBeNull();
    expect((await member.req("GET", "/api/v1/me")).status).toBe(401);
    const byToken = await env.app.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { authorization: `Bearer ${token.json.token}` },
    });
    expect(byToken.statusCode).toBe(401);
    await expect(login(env.app, invited.json.user.loginId, "a member's long passphrase 7")).rejects.toThrow(
      /401/,
    );

    const on = await adminA.req("PATCH", `/api/v1/users/${invited.json.user.id}`, { active: true });
    expect(on.json).toMatchObject({ active: true, disabledAt: null });
    await login(env.app, invited.json.user.loginId, "a member's long passphrase 7");
    const actions = (await auditOf(invited.json.user.id)).map((x) => x.action);
    expect(actions.filter((x) => x.startsWith("user."))).toEqual([
      "user.create",
      "user.password_change",
      "user.deactivate",
      "user.reactivate",
    ]);
  });

  it("promotes a member to customer-admin and back; the role is in the audit log with before and after", async () => {
    const m = await buildUser(env.db, { role: "customer-member", customerId: a });
    const up = await adminA.req("PATCH", `/api/v1/users/${m.id}`, { role: "customer-admin" });
    expect(up.status).toBe(200);
    expect(up.json.role).toBe("customer-admin");
    const down = await adminA.req("PATCH", `/api/v1/users/${m.id}`, { role: "customer-member" });
    expect(down.json.role).toBe("customer-member");
    const audit = await env.db
      .selectFrom("audit_log")
      .select(["before", "after"])
      .where("subject_id", "=", m.id)
      .where("action", "=", "user.role_change")
      .orderBy("seq")
      .execute();
    expect(audit.map((x) => [x.before, x.after])).toEqual([
      [{ role: "customer-member" }, { role: "customer-admin" }],
      [{ role: "customer-admin" }, { role: "customer-member" }],
    ]);
  });

  it("cannot change their own role or deactivate themselves", async () => {
    for (const body of [{ role: "customer-member" }, { active: false }]) {
      const r = await adminA.req("PATCH", `/api/v1/users/${adminAUser.id}`, body);
      expect(r.status).toBe(403);
      expect(r.json.error.details).toEqual({ reason: "own_account" });
    }
    expect((await userLogin(adminAUser.id)).role).toBe("customer-admin");
  });

  it("a company keeps an active customer-admin: the last one is not demoted or deactivated, even by staff", async () => {
    const c = await buildCustomer(env.db, "株式会社ひとり管理");
    const only = await buildUser(env.db, { role: "customer-admin", customerId: c });
    for (const body of [{ role: "customer-member" }, { active: false }]) {
      const r = await operator.req("PATCH", `/api/v1/users/${only.id}`, body);
      expect(r.status).toBe(409);
      expect(r.json.error.details).toEqual({ reason: "last_customer_admin" });
    }
    // With a second admin, the first can go.
    const second = await buildUser(env.db, { role: "customer-member", customerId: c });
    expect(
      (await operator.req("PATCH", `/api/v1/users/${second.id}`, { role: "customer-admin" })).status,
    ).toBe(200);
    expect((await operator.req("PATCH", `/api/v1/users/${only.id}`, { active: false })).status).toBe(200);
    // Now the second is the last one again.
    expect((await operator.req("PATCH", `/api/v1/users/${second.id}`, { active: false })).status).toBe(409);
    const d = await userLogin(second.id);
    expect(d.disabled_at).toBeNull();
  });

  it("two demotions at once leave one admin: the other's row is locked, so the second sees the first", async () => {
    const c = await buildCustomer(env.db, "株式会社同時降格");
    const x = await buildUser(env.db, { role: "customer-admin", customerId: c });
    const y = await buildUser(env.db, { role: "customer-admin", customerId: c });
    const results = await Promise.all([
      operator.req("PATCH", `/api/v1/users/${x.id}`, { active: false }),
      operator.req("PATCH", `/api/v1/users/${y.id}`, { active: false }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const active = await env.db
      .selectFrom("users")
      .select("id")
      .where("customer_id", "=", c)
      .where("disabled_at", "is", null)
      .execute();
    expect(active).toHaveLength(1);
  });

  it("another company's users are not found; a member manages no one; roles must fit the kind", async () => {
    const other = await buildUser(env.db, { role: "customer-member", customerId: b });
    expect((await adminA.req("PATCH", `/api/v1/users/${other.id}`, { active: false })).status).toBe(404);
    expect((await adminA.req("POST", `/api/v1/users/${other.id}/reset-request`)).status).toBe(404);
    expect((await userLogin(other.id)).disabled_at).toBeNull();

    const member = await buildUser(env.db, { role: "customer-member", customerId: b });
    const memberClient = await login(env.app, member.loginId, member.password);
    const refused = await memberClient.req("PATCH", `/api/v1/users/${other.id}`, { active: false });
    expect(refused.status).toBe(403);

    const staffRole = await adminB.req("PATCH", `/api/v1/users/${other.id}`, { role: "admin" });
    expect(staffRole.status).toBe(400);
    expect((await userLogin(other.id)).role).toBe("customer-member");
    const empty = await adminB.req("PATCH", `/api/v1/users/${other.id}`, {});
    expect(empty.status).toBe(400);
    const staff = await buildUser(env.db, { role: "engineer" });
    expect((await operator.req("PATCH", `/api/v1/users/${staff.id}`, { active: false })).status).toBe(403);
  });
});

describe("a password reset asked of the provider (Art. 35(17))", () => {
  it("waits in the provider's queue until staff reset it; the new password is shown to staff only", async () => {
    const m = await buildUser(env.db, { role: "customer-member", customerId: a });
    const asked = await adminA.req("POST", `/api/v1/users/${m.id}/reset-request`);
    expect(asked.status).toBe(200);
    expect(asked.json.resetRequestedAt).not.toBeNull();
    expect(asked.json).not.toHaveProperty("initialPassword");
    // Asking again keeps the first time.
    const again = await adminA.req("POST", `/api/v1/users/${m.id}/reset-request`);
    expect(again.json.resetRequestedAt).toBe(asked.json.resetRequestedAt);

    const queue = await operator.req("GET", "/api/v1/users/reset-requests");
    const entry = queue.json.items.find((r: { user: { id: string } }) => r.user.id === m.id);
    expect(entry).toMatchObject({ customerName: "株式会社ユーザー管理エー" });
    expect(entry.requestedByName).toBeTruthy();
    expect((await adminA.req("GET", "/api/v1/users/reset-requests")).status).toBe(403);

    const reset = await operator.req("POST", `/api/v1/users/${m.id}/reset-password`);
    expect(reset.status).toBe(200);
    expect(reset.json.article).toBe("35(17)");
    const after = await userLogin(m.id);
    expect(after.reset_requested_at).toBeNull();
    const queue2 = await operator.req("GET", "/api/v1/users/reset-requests");
    expect(queue2.json.items.some((r: { user: { id: string } }) => r.user.id === m.id)).toBe(false);
    const audit = await auditOf(m.id);
    expect(audit.filter((x) => x.article === "35(17)").map((x) => x.action)).toEqual([
      "user.password_reset_request",
      "user.password_reset",
    ]);
    await login(env.app, (await userLogin(m.id)).login_id, reset.json.initialPassword);
  });
});
