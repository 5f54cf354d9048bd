/**
 * The test clock of a non-production instance (UNYO_TEST_CLOCK=1): admins set or advance the date,
 * every process follows it, and moving it runs the business-calendar jobs that fall due.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processClock } from "../src/admin/clock.ts";
import { main } from "../src/cli/main.ts";
import { loadConfig } from "../src/core/config.ts";
import { tokyoDate } from "../src/core/dates.ts";
import { buildApp } from "../src/http/app.ts";
import { totpCode } from "../src/identity/totp.ts";
import {
  buildContract,
  buildUser,
  type Client,
  login,
  PASSWORD,
  testApp,
  testDatabase,
  testQueue,
} from "./helpers.ts";

const SECRET = "JBSWY3DPEHPK3PXP";

describe("the test clock is refused where it does not belong", () => {
  it("is refused together with production settings", () => {
    expect(() => loadConfig({ UNYO_TEST_CLOCK: "1", NODE_ENV: "production" })).toThrow(
      /refused with NODE_ENV=production/,
    );
    expect(loadConfig({ UNYO_TEST_CLOCK: "1" }).testClock).toBe(true);
    expect(loadConfig({ NODE_ENV: "production" }).testClock).toBe(false);
  });

  it("cannot be moved on an instance running on the real clock", async () => {
    const env = await testApp();
    try {
      const a = await buildUser(env.db, { role: "admin" });
      await env.db
        .updateTable("users")
        .set({ totp_enabled: true, totp_secret: SECRET })
        .where("id", "=", a.id)
        .execute();
      const admin = await login(env.app, a.loginId, PASSWORD, totpCode(SECRET, env.clock.now()));
      const r = await admin.req("PUT", "/api/v1/admin/clock", { at: "2027-01-01T00:00:00+09:00" });
      expect(r.status).toBe(403);
      expect(r.json.error.message).toMatch(/UNYO_TEST_CLOCK=1/);
      expect((await env.app.inject({ method: "GET", url: "/api/v1/clock" })).json()).toMatchObject({
        testClock: false,
      });
    } finally {
      await env.close();
    }
  });
});

describe("on a rehearsal instance", () => {
  const config = loadConfig({ UNYO_TEST_CLOCK: "1" }, { demo: true });

  /** A fresh rehearsal instance per test: its clock only moves forward. */
  async function rehearsal() {
    const h = await testDatabase();
    const c = await processClock(config, h.db);
    const queue = testQueue(h.db, h.url, c.clock, config);
    await queue.start();
    const { app } = await buildApp({
      db: h.db,
      config,
      clock: c.clock,
      logger: false,
      serveWeb: false,
      queue,
    });
    await app.ready();
    const a = await buildUser(h.db, { role: "admin" });
    await h.db
      .updateTable("users")
      .set({ totp_enabled: true, totp_secret: SECRET })
      .where("id", "=", a.id)
      .execute();
    const admin = await login(app, a.loginId, PASSWORD, totpCode(SECRET, new Date()));
    return {
      h,
      app,
      queue,
      admin,
      async close() {
        c.stop();
        await app.close();
        await queue.stop();
        await h.drop();
      },
    };
  }
  let r: Awaited<ReturnType<typeof rehearsal>>;
  let h: Awaited<ReturnType<typeof testDatabase>>;
  let app: Awaited<ReturnType<typeof buildApp>>["app"];
  let queue: ReturnType<typeof testQueue>;
  let admin: Client;
  beforeEach(async () => {
    r = await rehearsal();
    ({ h, app, queue, admin } = r);
  });
  afterEach(async () => {
    await r?.close();
  });

  it("says so to everyone (the UI's banner)", async () => {
    const r = (await app.inject({ method: "GET", url: "/api/v1/clock" })).json();
    expect(r).toMatchObject({ testClock: true, today: tokyoDate(new Date()) });
  });

  it("moves only forward, only for admins, and a contract reaches its end on the rehearsed day", async () => {
    // A cancelled contract whose service ends on 2027-03-31.
    const c = await buildContract(h.db, {
      start: "2026-06-01",
      status: "terminating",
      endEffectiveOn: "2027-03-31",
    });
    const op = await login(app, (await buildUser(h.db, { role: "operator" })).loginId, PASSWORD);
    expect((await op.req("PUT", "/api/v1/admin/clock", { at: "2027-04-01T09:00:00+09:00" })).status).toBe(
      403,
    );

    const set = await admin.req("PUT", "/api/v1/admin/clock", {
      at: "2027-03-31T23:59:00+09:00",
      frozen: true,
    });
    expect(set.status).toBe(200);
    expect(set.json).toMatchObject({ today: "2027-03-31", testClock: true, frozen: true });
    expect(set.json.jobs).toMatchObject({ "contracts.lifecycle": "queued" });
    await queue.drain("contracts.lifecycle");
    const status = async () =>
      await h.db
        .selectFrom("contracts")
        .select(["status", "terminated_on"])
        .where("id", "=", c.id)
        .executeTakeFirstOrThrow();
    expect((await status()).status).toBe("terminating");

    // Another process of the instance follows within a second.
    const other = await processClock(config, h.db);
    expect(tokyoDate(other.clock.now())).toBe("2027-03-31");
    other.stop();

    const advanced = await admin.req("POST", "/api/v1/admin/clock/advance", { minutes: 2 });
    expect(advanced.json).toMatchObject({ today: "2027-04-01" });
    await queue.drain("contracts.lifecycle");
    expect(await status()).toEqual({ status: "terminated", terminated_on: "2027-03-31" });

    const back = await admin.req("PUT", "/api/v1/admin/clock", { at: "2027-01-01T00:00:00+09:00" });
    expect(back.status).toBe(409);
    expect(back.json.error.message).toMatch(/only moves forward/);
    expect((await admin.req("POST", "/api/v1/admin/clock/advance", {})).status).toBe(400);
    // Every move is in the audit log.
    const moves = await h.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "=", "admin.test_clock.moved")
      .execute();
    expect(moves).toHaveLength(2);
  });

  it("is moved from the command line too, running the jobs that fall due", async () => {
    const env = process.env;
    process.env = { ...env, DATABASE_URL: h.url, UNYO_TEST_CLOCK: "1", LOG_LEVEL: "warn" };
    try {
      const out: string[] = [];
      const err: string[] = [];
      expect(
        (await admin.req("PUT", "/api/v1/admin/clock", { at: "2027-04-01T00:01:00+09:00", frozen: true }))
          .status,
      ).toBe(200);
      const code = await main(["clock", "advance", "--days", "3"], {
        log: (s) => out.push(s),
        err: (s) => err.push(s),
      });
      expect(err).toEqual([]);
      expect(code).toBe(0);
      const r = JSON.parse(out.join("\n"));
      expect(r.today).toBe("2027-04-04");
      expect(r.jobs["contracts.lifecycle"]).toMatchObject({ ended: 0 });
      expect(await main(["clock", "advance"], { log: () => {}, err: (s) => err.push(s) })).toBe(2);
      process.env = { ...process.env, UNYO_TEST_CLOCK: "0" };
      expect(
        await main(["clock", "advance", "--days", "1"], { log: () => {}, err: (s) => err.push(s) }),
      ).toBe(2);
      expect(err.at(-1)).toMatch(/real clock/);
    } finally {
      process.env = env;
    }
  });
});
