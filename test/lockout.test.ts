/**
 * Lock-out holds under parallel guessing and counts every wrong password, wherever it is typed
 * (log-in, re-authentication, password change) — ASVS 2.2.1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCKOUT_THRESHOLD } from "../src/identity/rules.ts";
import { buildUser, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testApp();
});
afterAll(async () => {
  await env?.close();
});

const failures = async (id: string) =>
  env.db
    .selectFrom("users")
    .select(["failed_logins", "locked_until"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

describe("lock-out", () => {
  it("counts every one of 150 wrong passwords sent in parallel, and locks the account", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const answers = await Promise.all(
      Array.from({ length: 150 }, (_, i) =>
        env.app.inject({
          method: "POST",
          url: "/api/v1/auth/login",
          payload: { loginId: u.loginId, password: `wrong password ${i}` },
          // Each from its own address, so that the per-address throttle does not stop them first.
          remoteAddress: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`,
        }),
      ),
    );
    expect(answers.every((a) => a.statusCode === 401 || a.statusCode === 423)).toBe(true);
    const after = await failures(u.id);
    // Every attempt that was checked (not refused as locked before its check) was counted.
    const checked = answers.filter((a) => a.statusCode === 401).length;
    expect(after.failed_logins).toBe(checked);
    expect(after.failed_logins).toBeGreaterThanOrEqual(LOCKOUT_THRESHOLD);
    expect(after.locked_until).not.toBeNull();
    const right = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: u.loginId, password: u.password },
      remoteAddress: "10.9.9.9",
    });
    expect(right.statusCode).toBe(423);
  });

  it("counts wrong passwords on re-authentication and ends the session when it locks", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const s = await login(env.app, u.loginId, PASSWORD);
    for (let i = 1; i < LOCKOUT_THRESHOLD; i++) {
      const r = await s.req("POST", "/api/v1/me/reauthenticate", { password: `guess number ${i}` });
      expect(r.status).toBe(401);
      expect((await failures(u.id)).failed_logins).toBe(i);
    }
    const last = await s.req("POST", "/api/v1/me/reauthenticate", { password: "guess number last" });
    expect(last.status).toBe(423);
    expect(last.json.error.code).toBe("locked");
    expect((await failures(u.id)).locked_until).not.toBeNull();
    // The session that guessed is over, and the account is locked for a new log-in as well.
    expect((await s.req("GET", "/api/v1/me")).status).toBe(401);
    await expect(login(env.app, u.loginId, PASSWORD)).rejects.toThrow(/423/);
  });

  it("counts wrong current passwords on a password change, in parallel too", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const s = await login(env.app, u.loginId, PASSWORD);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        s.req("POST", "/api/v1/me/password", {
          currentPassword: `not the password ${i}`,
          newPassword: "a brand new passphrase 42",
        }),
      ),
    );
    expect(answers.every((a) => a.status === 401 || a.status === 423)).toBe(true);
    expect(answers.some((a) => a.status === 423)).toBe(true);
    const after = await failures(u.id);
    expect(after.failed_logins).toBeGreaterThanOrEqual(LOCKOUT_THRESHOLD);
    expect(after.locked_until).not.toBeNull();
    expect((await s.req("GET", "/api/v1/me")).status).toBe(401);
  });

  it("a right password on re-authentication clears the count, as a log-in does", async () => {
    const u = await buildUser(env.db, { role: "operator" });
    const s = await login(env.app, u.loginId, PASSWORD);
    expect((await s.req("POST", "/api/v1/me/reauthenticate", { password: "a wrong one here" })).status).toBe(
      401,
    );
    expect((await failures(u.id)).failed_logins).toBe(1);
    expect((await s.req("POST", "/api/v1/me/reauthenticate", { password: PASSWORD })).status).toBe(204);
    expect((await failures(u.id)).failed_logins).toBe(0);
  });
});
