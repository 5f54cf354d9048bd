/**
 * Sessions kept in memory by each web process (identity/session-cache.ts) stay right across
 * processes: a log-out, a lock-out or a disabled user on one server ends the session on another at
 * once, through PostgreSQL LISTEN/NOTIFY; and a cache that cannot listen is not used.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../src/db/embedded.ts";
import { LOCKOUT_THRESHOLD } from "../src/identity/rules.ts";
import { SessionCache } from "../src/identity/session-cache.ts";
import { buildUser, PASSWORD, testDatabase } from "./helpers.ts";
import { spawnUnyo, until } from "./processes.ts";

let h: Awaited<ReturnType<typeof testDatabase>>;
const servers: { base: string; output: () => string }[] = [];

beforeAll(async () => {
  h = await testDatabase();
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const s = spawnUnyo(["serve", "--port", String(port), "--host", "127.0.0.1"], { DATABASE_URL: h.url });
    const base = `http://127.0.0.1:${port}`;
    await until(`server ${i}`, async () => (await fetch(`${base}/readyz`)).ok).catch((err) => {
      throw new Error(`${err.message}: ${s.output()}`);
    });
    servers.push({ base, output: s.output });
  }
}, 60_000);
afterAll(async () => {
  await h?.drop();
});

interface Session {
  cookie: string;
  csrf: string;
}

async function logIn(base: string, loginId: string, password = PASSWORD): Promise<Session> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ loginId, password }),
  });
  expect(r.status, await r.clone().text()).toBe(200);
  return {
    cookie: r.headers.get("set-cookie")!.split(";")[0]!,
    csrf: ((await r.json()) as { csrfToken: string }).csrfToken,
  };
}

const me = async (base: string, s: Session) =>
  (await fetch(`${base}/api/v1/me`, { headers: { cookie: s.cookie } })).status;

const post = (base: string, s: Session, path: string, body?: unknown) =>
  fetch(`${base}/api/v1${path}`, {
    method: "POST",
    headers: {
      cookie: s.cookie,
      "x-csrf-token": s.csrf,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** The status `get` answers once it answers `want`, polling every 5 ms for at most `ms` (else the last). */
async function statusWithin(get: () => Promise<number>, want: number, ms: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const status = await get();
    if (status === want || performance.now() - t0 > ms) return status;
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("two web processes, one database", () => {
  // Every log-in here comes from 127.0.0.1: start each test with the address's log-in count at zero.
  beforeEach(async () => {
    await sql`DELETE FROM login_throttle`.execute(h.db);
  });

  it("a log-out on one ends the session on the other as the notification arrives (25 sessions, each kept in both caches)", async () => {
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const u = await buildUser(h.db, { role: "operator" });
    const sessions = await Promise.all(Array.from({ length: 25 }, () => logIn(a.base, u.loginId)));
    // Used on both: each process now keeps each session in memory.
    for (const s of sessions) {
      expect(await me(a.base, s)).toBe(200);
      expect(await me(b.base, s)).toBe(200);
      expect(await me(b.base, s)).toBe(200);
    }
    const delays: number[] = [];
    for (const s of sessions) {
      expect((await post(a.base, s, "/auth/logout")).status).toBe(204);
      // The process that logged out has dropped it before answering: at once.
      expect(await me(a.base, s)).toBe(401);
      // The other drops it when PostgreSQL's notification arrives (after the commit, milliseconds; on a
      // loaded machine the next request can come first): never served for long after.
      const t0 = performance.now();
      for (;;) {
        const status = await me(b.base, s);
        if (status === 401) break;
        expect(status).toBe(200);
        expect(performance.now() - t0).toBeLessThan(2_000);
        await new Promise((r) => setTimeout(r, 5));
      }
      delays.push(performance.now() - t0);
    }
    expect(delays.filter((d) => d < 500).length).toBeGreaterThanOrEqual(20);
  });

  it("a lock-out on one (wrong passwords on re-authentication) ends the session on the other", async () => {
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const u = await buildUser(h.db, { role: "operator" });
    const s = await logIn(a.base, u.loginId);
    const other = await logIn(a.base, u.loginId);
    expect(await me(b.base, s)).toBe(200);
    expect(await me(b.base, other)).toBe(200);
    let last = 0;
    for (let i = 0; i < LOCKOUT_THRESHOLD; i++)
      last = (await post(a.base, s, "/me/reauthenticate", { password: `wrong guess ${i}` })).status;
    expect([401, 423]).toContain(last);
    // On the other process as soon as the notification arrives (milliseconds).
    expect(await statusWithin(() => me(b.base, s), 401, 2_000)).toBe(401);
    // Locked: logging in again is refused on either process.
    const again = await fetch(`${b.base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ loginId: u.loginId, password: PASSWORD }),
    });
    expect(again.status).toBe(423);
  });

  it("a user disabled or given another role by hand (SQL) is seen by both at once", async () => {
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    const u = await buildUser(h.db, { role: "operator" });
    const s = await logIn(a.base, u.loginId);
    expect(await me(a.base, s)).toBe(200);
    expect(await me(b.base, s)).toBe(200);
    const role = async (base: string) =>
      (
        (await (await fetch(`${base}/api/v1/me`, { headers: { cookie: s.cookie } })).json()) as {
          user: { role: string };
        }
      ).user.role;
    await sql`UPDATE users SET role = 'engineer' WHERE id = ${u.id}`.execute(h.db);
    await until(
      "the role change",
      async () => (await role(a.base)) === "engineer" && (await role(b.base)) === "engineer",
      2_000,
    );
    await sql`UPDATE users SET disabled_at = now() WHERE id = ${u.id}`.execute(h.db);
    await until(
      "the disabled user",
      async () => (await me(a.base, s)) === 401 && (await me(b.base, s)) === 401,
      2_000,
    );
  });

  it("serves /me from memory: a kept session is not read from the database again", async () => {
    const [a] = servers as [(typeof servers)[0]];
    const u = await buildUser(h.db, { role: "operator" });
    const s = await logIn(a.base, u.loginId);
    expect(await me(a.base, s)).toBe(200);
    const before = await lookups(a.base);
    for (let i = 0; i < 200; i++) expect(await me(a.base, s)).toBe(200);
    const after = await lookups(a.base);
    expect(after.memory - before.memory).toBeGreaterThanOrEqual(195);
    expect(after.database - before.database).toBeLessThanOrEqual(5);
  });
});

/** The process's session look-ups so far, by source (its /metrics). */
async function lookups(base: string): Promise<{ memory: number; database: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const count = (source: string) =>
    Number(
      new RegExp(`^unyo_session_lookups_total\\{source="${source}"\\} (\\d+)`, "m").exec(text)?.[1] ??
        Number.NaN,
    );
  return { memory: count("memory"), database: count("database") };
}

describe("the cache itself", () => {
  it("keeps nothing while it cannot listen, and keeps no row read while a change was notified", async () => {
    const cache = new SessionCache<string>({ url: "postgres://127.0.0.1:1/none" });
    await cache.start();
    expect(cache.isListening).toBe(false);
    cache.put("k", "u", "row", cache.snapshot());
    expect(cache.get("k")).toBeUndefined();
    await cache.stop();

    const live = new SessionCache<string>({ url: h.url });
    await live.start();
    expect(live.isListening).toBe(true);
    const generation = live.snapshot();
    live.invalidate("u:someone");
    live.put("k", "u", "row", generation);
    expect(live.get("k")).toBeUndefined();
    live.put("k", "u", "row", live.snapshot());
    expect(live.get("k")).toBe("row");
    live.invalidate("u:u");
    expect(live.get("k")).toBeUndefined();
    // A notification from the database drops it.
    live.put("k2", "u2", "row", live.snapshot());
    await sql`SELECT pg_notify('unyo_auth', 's:k2')`.execute(h.db);
    await until("the notification", async () => live.get("k2") === undefined, 2_000);
    await live.stop();
    expect(live.get("k2")).toBeUndefined();
  });
});
