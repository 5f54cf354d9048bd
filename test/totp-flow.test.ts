import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "../src/identity/totp.ts";
import { buildUser, login, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testApp();
});
afterAll(async () => {
  await env?.close();
});

describe("two-factor authentication (TOTP)", () => {
  it("an administrator must enrol before doing anything; then log-in needs a fresh code", async () => {
    const admin = await buildUser(env.db, { role: "admin" });
    const c = await login(env.app, admin.loginId, admin.password);
    expect((await c.req("GET", "/api/v1/me")).json.pending).toBe("totp_required");
    const blocked = await c.req("GET", "/api/v1/customers");
    expect(blocked.status).toBe(403);
    expect(blocked.json.error.code).toBe("totp_enrolment_required");

    const setup = await c.req("POST", "/api/v1/me/totp/setup");
    expect(setup.status).toBe(200);
    expect(setup.json.uri).toMatch(/^otpauth:\/\/totp\/Unyo%3A/);
    const secret = setup.json.secret as string;
    const wrong = await c.req("POST", "/api/v1/me/totp/confirm", {
      code: "000000" === totpCode(secret, env.clock.now()) ? "111111" : "000000",
    });
    expect(wrong.status).toBe(400);
    const ok = await c.req("POST", "/api/v1/me/totp/confirm", { code: totpCode(secret, env.clock.now()) });
    expect(ok.status).toBe(200);
    expect(ok.json.pending).toBeNull();
    expect((await c.req("GET", "/api/v1/customers")).status).toBe(200);
    // The secret is never shown again.
    expect((await c.req("POST", "/api/v1/me/totp/setup")).status).toBe(409);

    // Log-in now needs the code; the code of a step already used is refused (no replay).
    const noCode = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: admin.loginId, password: admin.password },
    });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error.code).toBe("totp_required");
    const replay = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: admin.loginId, password: admin.password, totp: totpCode(secret, env.clock.now()) },
    });
    expect(replay.statusCode).toBe(401);
    env.clock.advance(30_000);
    const fresh = await login(env.app, admin.loginId, admin.password, totpCode(secret, env.clock.now()));
    expect((await fresh.req("GET", "/api/v1/me")).json.user.totpEnabled).toBe(true);
  });

  it("TOTP set-up needs a recent authentication", async () => {
    const eng = await buildUser(env.db, { role: "engineer" });
    const c = await login(env.app, eng.loginId, eng.password);
    env.clock.advance(6 * 60_000);
    expect((await c.req("POST", "/api/v1/me/totp/setup")).json.error.code).toBe("reauthentication_required");
  });
});
