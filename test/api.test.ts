import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiErrorText } from "../web/src/errors.ts";
import { loadLanguage } from "../web/src/i18n.ts";
import { buildUser, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testApp();
  // The web app's English words are their own chunk, loaded when chosen: here once for the file.
  await loadLanguage("en");
});
afterAll(async () => {
  await env?.close();
});

describe("system endpoints", () => {
  it("answers /healthz, /readyz (checks the database) and /metrics", async () => {
    expect((await env.app.inject("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await env.app.inject("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready" });
    const metrics = await env.app.inject("/metrics");
    expect(metrics.headers["content-type"]).toMatch(/text\/plain/);
    expect(metrics.body).toContain("unyo_http_request_duration_seconds");
    expect(metrics.body).toContain("process_cpu_user_seconds_total");
  });

  it("serves the OpenAPI 3.1 description and the docs page", async () => {
    const spec = (await env.app.inject("/api/openapi.json")).json();
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/api/v1/auth/login", "/api/v1/me", "/api/v1/customers/{id}"]),
    );
    expect(spec.paths["/api/v1/auth/login"].post.requestBody).toBeDefined();
    const docs = await env.app.inject("/api/docs/");
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain("swagger");
  });

  it("echoes or creates a request id", async () => {
    const given = await env.app.inject({ url: "/healthz", headers: { "x-request-id": "abc-123" } });
    expect(given.headers["x-request-id"]).toBe("abc-123");
    const made = await env.app.inject("/healthz");
    expect(made.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("one error shape, never a 500 for bad input", () => {
  const post = (payload: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
    env.app.inject({ method: "POST", url: "/api/v1/auth/login", payload, headers });

  it.each([
    ["malformed JSON", "{bad", 400, "bad_request"],
    ["wrong types", JSON.stringify({ loginId: 5, password: [] }), 400, "validation_failed"],
    [
      "unknown fields",
      JSON.stringify({ loginId: "a", password: "b", admin: true }),
      400,
      "validation_failed",
    ],
    ["missing fields", JSON.stringify({}), 400, "validation_failed"],
    ["an array body", "[]", 400, "validation_failed"],
    [
      "oversize body",
      JSON.stringify({ loginId: "a", password: "x".repeat(2 * 1024 * 1024) }),
      413,
      "payload_too_large",
    ],
  ])("%s → %i %s", async (_name, payload, status, code) => {
    const res = await post(payload as string);
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe("string");
    expect(Object.keys(body)).toEqual(["error"]);
  });

  it("refuses an unsupported media type with 415", async () => {
    const res = await post("loginId=a", { "content-type": "application/x-www-form-urlencoded" });
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe("unsupported_media_type");
  });

  it("answers an unknown route with 404 in the error shape", async () => {
    const res = await env.app.inject("/api/v1/nope");
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("not_found");
  });

  it("answers a malformed id with 400, a missing one with 404", async () => {
    const staff = await buildUser(env.db, { role: "operator" });
    const c = await login(env.app, staff.loginId, staff.password);
    const malformed = await c.req("GET", "/api/v1/customers/not-a-uuid");
    expect(malformed.status).toBe(400);
    // Said by its code and details, so the web app words it in its reader's language.
    expect(malformed.json.error.details).toEqual([
      expect.objectContaining({ path: "params.id", issue: "invalid_format", format: "uuid" }),
    ]);
    expect(apiErrorText(malformed.json.error, "ja")).toBe(
      "入力内容を確認してください。 ID: ID の形式が正しくありません",
    );
    // A role this user lacks: the roles it needs, by name.
    const refused = await c.req("GET", "/api/v1/billing/debit-requests");
    expect(refused.status).toBe(403);
    expect(refused.json.error.details).toEqual({ roles: ["admin", "billing"] });
    expect(apiErrorText(refused.json.error, "en")).toBe("This needs one of the roles: admin, billing.");
    const missing = await c.req("GET", "/api/v1/customers/00000000-0000-4000-8000-000000000000");
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("not_found");
  });
});

describe("log-in, sessions, CSRF", () => {
  it("logs in, shows /me, and logs out server-side", async () => {
    const u = await buildUser(env.db, { role: "engineer" });
    const c = await login(env.app, u.loginId, u.password);
    const me = await c.req("GET", "/api/v1/me");
    expect(me.status).toBe(200);
    expect(me.json.user).toMatchObject({ loginId: u.loginId, kind: "staff", role: "engineer" });
    expect(me.json.user).not.toHaveProperty("passwordHash");
    expect(JSON.stringify(me.json)).not.toMatch(/argon2/);
    expect((await c.req("POST", "/api/v1/auth/logout")).status).toBe(204);
    // The old cookie no longer works: the session ended on the server.
    expect((await c.req("GET", "/api/v1/me")).status).toBe(401);
  });

  it("sets an HttpOnly, SameSite session cookie and a new session id at each log-in", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const r1 = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: u.loginId, password: u.password },
    });
    const r2 = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: u.loginId, password: u.password },
    });
    const c1 = r1.cookies.find((c) => c.name === "unyo_session")!;
    const c2 = r2.cookies.find((c) => c.name === "unyo_session")!;
    expect(c1.httpOnly).toBe(true);
    expect(String(c1.sameSite).toLowerCase()).toBe("lax");
    expect(c1.value).not.toBe(c2.value);
    expect(c1.value.length).toBeGreaterThanOrEqual(40);
  });

  it("refuses a state-changing request without the CSRF token", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const c = await login(env.app, u.loginId, u.password);
    const res = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { cookie: c.cookie },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe("csrf_failed");
    const wrong = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { cookie: c.cookie, "x-csrf-token": "nope" },
    });
    expect(wrong.statusCode).toBe(403);
    expect((await c.req("GET", "/api/v1/me")).status).toBe(200);
  });

  it("gives the same answer for an unknown login id and a wrong password", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const a = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: u.loginId, password: "wrong password 123" },
    });
    const b = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: "nobody-here", password: "wrong password 123" },
    });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
  });

  it("locks an account temporarily after 5 failures, even for the right password", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    for (let i = 0; i < 5; i++) {
      const r = await env.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { loginId: u.loginId, password: `bad password ${i}` },
        remoteAddress: `10.0.0.${i}`,
      });
      expect(r.statusCode).toBe(401);
    }
    const locked = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: u.loginId, password: u.password },
      remoteAddress: "10.0.1.1",
    });
    expect(locked.statusCode).toBe(423);
    expect(locked.json().error.code).toBe("locked");
    env.clock.advance(16 * 60_000);
    const after = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: u.loginId, password: u.password },
      remoteAddress: "10.0.1.2",
    });
    expect(after.statusCode).toBe(200);
  });

  it("rate-limits log-in attempts per client address with 429 and Retry-After", async () => {
    let last = 0;
    let retry: unknown;
    for (let i = 0; i < 32; i++) {
      const r = await env.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { loginId: `ghost${i}`, password: "whatever pass" },
        remoteAddress: "192.0.2.77",
      });
      last = r.statusCode;
      retry = r.headers["retry-after"];
    }
    expect(last).toBe(429);
    expect(Number(retry)).toBeGreaterThan(0);
    // Another address is not affected.
    const other = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: "ghost", password: "whatever pass" },
      remoteAddress: "192.0.2.78",
    });
    expect(other.statusCode).toBe(401);
  });

  it("ends a session after the idle time-out and after the absolute lifetime", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const c = await login(env.app, u.loginId, u.password);
    env.clock.advance(29 * 60_000);
    expect((await c.req("GET", "/api/v1/me")).status).toBe(200);
    env.clock.advance(31 * 60_000);
    expect((await c.req("GET", "/api/v1/me")).status).toBe(401);
    const c2 = await login(env.app, u.loginId, u.password);
    for (let i = 0; i < 26; i++) {
      env.clock.advance(29 * 60_000);
      const r = await c2.req("GET", "/api/v1/me");
      if (i < 24) expect(r.status).toBe(200);
      else expect(r.status).toBe(401);
    }
  });

  it("lists my sessions and ends another one", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const a = await login(env.app, u.loginId, u.password);
    const b = await login(env.app, u.loginId, u.password);
    const list = await a.req("GET", "/api/v1/me/sessions");
    expect(list.json.items).toHaveLength(2);
    const other = list.json.items.find((s: { current: boolean }) => !s.current);
    expect((await a.req("DELETE", `/api/v1/me/sessions/${other.id}`)).status).toBe(204);
    expect((await b.req("GET", "/api/v1/me")).status).toBe(401);
    expect((await a.req("GET", "/api/v1/me")).status).toBe(200);
    expect((await a.req("DELETE", `/api/v1/me/sessions/${"0".repeat(64)}`)).status).toBe(404);
  });

  it("offers no self-service password reset (Art. 35(17))", async () => {
    const res = await env.app.inject({ method: "POST", url: "/api/v1/auth/forgot-password" });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.article).toBe("35(17)");
    // The API description promises no success answer either.
    const spec = (await env.app.inject("/api/openapi.json")).json();
    const answers = Object.keys(spec.paths["/api/v1/auth/forgot-password"].post.responses);
    expect(answers).toContain("403");
    expect(answers.filter((s) => s.startsWith("2"))).toEqual([]);
  });
});

describe("passwords (Art. 10) and re-authentication", () => {
  it("forces a change of an issued initial password before anything else", async () => {
    const admin = await buildUser(env.db, { role: "operator" });
    const staff = await login(env.app, admin.loginId, admin.password);
    const created = await staff.req("POST", "/api/v1/users", {
      kind: "staff",
      loginId: `new-${Date.now()}`,
      email: "new@example.test",
      displayName: "New",
      role: "engineer",
    });
    expect(created.status).toBe(403); // operators do not create staff
    const cust = await env.db
      .insertInto("customers")
      .values({ legal_name: "株式会社初期" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const made = await staff.req("POST", `/api/v1/customers/${cust.id}/users`, {
      loginId: `init-${Date.now()}`,
      email: "i@example.test",
      displayName: "Init",
      role: "customer-admin",
    });
    expect(made.status).toBe(201);
    expect(made.json.initialPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    const u = await login(env.app, made.json.user.loginId, made.json.initialPassword);
    const me = await u.req("GET", "/api/v1/me");
    expect(me.json.pending).toBe("password_change_required");
    const blocked = await u.req("GET", "/api/v1/customers");
    expect(blocked.status).toBe(403);
    expect(blocked.json.error).toMatchObject({ code: "password_change_required", article: "10" });
    const weak = await u.req("POST", "/api/v1/me/password", {
      currentPassword: made.json.initialPassword,
      newPassword: "password1234",
    });
    expect(weak.status).toBe(400);
    expect(weak.json.error.details.password).toContain("common");
    for (const [newPassword, problem] of [
      [" ".repeat(12), "blank"],
      ["qwertyuiopasdf", "guessable"],
      ["unyounyounyo", "guessable"],
      ["unyo-demo-2026!", "published"],
    ] as const) {
      const r = await u.req("POST", "/api/v1/me/password", {
        currentPassword: made.json.initialPassword,
        newPassword,
      });
      expect(r.status, newPassword).toBe(400);
      expect(r.json.error.details.password, newPassword).toContain(problem);
    }
    const short = await u.req("POST", "/api/v1/me/password", {
      currentPassword: made.json.initialPassword,
      newPassword: "short1!",
    });
    expect(short.json.error.details.password).toContain("too_short");
    const ok = await u.req("POST", "/api/v1/me/password", {
      currentPassword: made.json.initialPassword,
      newPassword: "a long and unusual passphrase",
    });
    expect(ok.status).toBe(204);
    expect((await u.req("GET", "/api/v1/customers")).status).toBe(200);
  });

  it("lets staff reset a password: new initial password, sessions ended, API tokens revoked (Art. 35(17))", async () => {
    const cust = await env.db
      .insertInto("customers")
      .values({ legal_name: "株式会社リセット" })
      .returning("id")
      .executeTakeFirstOrThrow();
    const target = await buildUser(env.db, { role: "customer-member", customerId: cust.id });
    const session = await login(env.app, target.loginId, target.password);
    const made = await session.req("POST", "/api/v1/me/tokens", { name: "script", scopes: ["read"] });
    expect(made.status).toBe(201);
    const bearer = { authorization: `Bearer ${made.json.token}` };
    expect((await env.app.inject({ url: "/api/v1/me", headers: bearer })).statusCode).toBe(200);
    const op = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
    const reset = await op.req("POST", `/api/v1/users/${target.id}/reset-password`);
    expect(reset.status).toBe(200);
    expect(reset.json.article).toBe("35(17)");
    expect((await session.req("GET", "/api/v1/me")).status).toBe(401);
    // Whoever held the old password loses its API tokens too.
    expect((await env.app.inject({ url: "/api/v1/me", headers: bearer })).statusCode).toBe(401);
    const again = await login(env.app, target.loginId, reset.json.initialPassword);
    expect((await again.req("GET", "/api/v1/me")).json.pending).toBe("password_change_required");
    // A customer user cannot reset anyone's password.
    const custAdmin = await buildUser(env.db, { role: "customer-admin", customerId: cust.id });
    const ca = await login(env.app, custAdmin.loginId, custAdmin.password);
    expect((await ca.req("POST", `/api/v1/users/${target.id}/reset-password`)).status).toBe(403);
  });

  it("needs a recent re-authentication before creating an API token", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const c = await login(env.app, u.loginId, u.password);
    env.clock.advance(6 * 60_000);
    const refused = await c.req("POST", "/api/v1/me/tokens", { name: "ci", scopes: ["read"] });
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("reauthentication_required");
    expect((await c.req("POST", "/api/v1/me/reauthenticate", { password: "wrong password!!" })).status).toBe(
      401,
    );
    expect((await c.req("POST", "/api/v1/me/reauthenticate", { password: u.password })).status).toBe(204);
    expect((await c.req("POST", "/api/v1/me/tokens", { name: "ci", scopes: ["read"] })).status).toBe(201);
  });
});

describe("API tokens", () => {
  it("authenticates by bearer token within its scopes, and stops when revoked", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const c = await login(env.app, u.loginId, u.password);
    const created = await c.req("POST", "/api/v1/me/tokens", { name: "monitoring", scopes: ["read"] });
    expect(created.status).toBe(201);
    const token = created.json.token as string;
    expect(token).toMatch(/^unyo_[0-9a-f]{8}_/);
    const stored = await env.db
      .selectFrom("api_tokens")
      .select(["token_hash"])
      .where("id", "=", created.json.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash.toString("utf8")).not.toContain(token.slice(15)); // hashed at rest
    const bearer = { authorization: `Bearer ${token}` };
    const me = await env.app.inject({ url: "/api/v1/me", headers: bearer });
    expect(me.json().authenticatedBy).toBe("token");
    expect((await env.app.inject({ url: "/api/v1/customers", headers: bearer })).statusCode).toBe(200);
    const write = await env.app.inject({
      method: "POST",
      url: "/api/v1/customers",
      headers: bearer,
      payload: { legalName: "株式会社トークン" },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.message).toMatch(/write/);
    const list = await c.req("GET", "/api/v1/me/tokens");
    expect(list.json.items[0]).not.toHaveProperty("token");
    expect((await c.req("DELETE", `/api/v1/me/tokens/${created.json.id}`)).status).toBe(204);
    expect((await env.app.inject({ url: "/api/v1/me", headers: bearer })).statusCode).toBe(401);
  });
});

describe("one's own sessions and tokens only", () => {
  it("another user can neither end my session nor revoke my token (404, as if absent)", async () => {
    const mine = await buildUser(env.db, { role: "operator" });
    const me = await login(env.app, mine.loginId, mine.password);
    const other = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
    const [session] = (await me.req("GET", "/api/v1/me/sessions")).json.items;
    const token = await me.req("POST", "/api/v1/me/tokens", { name: "mine", scopes: ["read"] });
    expect((await other.req("DELETE", `/api/v1/me/sessions/${session.id}`)).status).toBe(404);
    expect((await other.req("DELETE", `/api/v1/me/tokens/${token.json.id}`)).status).toBe(404);
    expect((await me.req("GET", "/api/v1/me")).status).toBe(200);
    const bearer = { authorization: `Bearer ${token.json.token}` };
    expect((await env.app.inject({ url: "/api/v1/me", headers: bearer })).statusCode).toBe(200);
    // Revoking one token leaves the owner's session alone, and a second revocation finds nothing.
    expect((await me.req("DELETE", `/api/v1/me/tokens/${token.json.id}`)).status).toBe(204);
    expect((await me.req("DELETE", `/api/v1/me/tokens/${token.json.id}`)).status).toBe(404);
    expect((await me.req("GET", "/api/v1/me")).status).toBe(200);
  });
});

describe("demo accounts", () => {
  it("exist only in demo mode: with demo mode off they cannot log in", async () => {
    const { seedDemo, DEMO_PASSWORD } = await import("../src/cli/demo.ts");
    await seedDemo(env.db);
    const demoOn = await login(env.app, "operator", DEMO_PASSWORD);
    expect((await demoOn.req("GET", "/api/v1/me")).json.user.isDemo).toBe(true);
    const off = await testApp({ demo: false });
    try {
      await seedDemo(off.db);
      const res = await off.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { loginId: "operator", password: DEMO_PASSWORD },
      });
      expect(res.statusCode).toBe(401);
      // A real (non-demo) account works in the same instance.
      const real = await buildUser(off.db, { role: "operator" });
      expect(
        (
          await off.app.inject({
            method: "POST",
            url: "/api/v1/auth/login",
            payload: { loginId: real.loginId, password: real.password },
          })
        ).statusCode,
      ).toBe(200);
    } finally {
      await off.close();
    }
  });
});
