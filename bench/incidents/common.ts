/**
 * What the incident benches (bench/ingest.ts, bench/detect.ts) share: a customer with a contract and
 * its servers written straight into a fresh database (as bench/probe.ts does), staff users, a real
 * `unyo serve` and a logged-in staff client for the API, CPU read from /proc, percentiles.
 * Kept under bench/incidents/ so that `npm run bench` (every bench/*.ts) does not run these as benches.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import { systemActor } from "../../src/audit/service.ts";
import type { Db } from "../../src/db/db.ts";
import { freePort } from "../../src/db/embedded.ts";
import { createUser } from "../../src/identity/users.ts";
import { spawnNode, waitReady } from "../lib.ts";

export const PASSWORD = "bench incidents pager 7 lantern";

/** A customer, an active contract listing `hosts`, and those servers registered in its inventory. */
export async function seedCustomer(db: Db, hosts: string[]) {
  const customer = await db
    .insertInto("customers")
    .values({ legal_name: "株式会社ベンチ障害" })
    .returning("id")
    .executeTakeFirstOrThrow();
  const contract = await db
    .insertInto("contracts")
    .values({
      number: "C-BENCH-INC-1",
      customer_id: customer.id,
      status: "active",
      plan: "standard",
      options: [],
      servers: JSON.stringify(hosts.map((hostname) => ({ hostname, provider: "other" }))),
      channel: "paper",
      applied_on: "2026-01-01",
      start_date: "2026-01-01",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const items: { id: string; name: string }[] = [];
  for (const h of hosts)
    items.push(
      await db
        .insertInto("inventory_items")
        .values({
          customer_id: customer.id,
          contract_id: contract.id,
          kind: "server",
          name: h,
          host_key: h,
          provider: "other",
        })
        .returning(["id", "name"])
        .executeTakeFirstOrThrow(),
    );
  return { customerId: customer.id, contractId: contract.id, items };
}

/** A staff user who logs in with PASSWORD (no TOTP needed below admin). */
export async function staffUser(db: Db, loginId: string, role: "operator" | "engineer", email: string) {
  const r = await db.transaction().execute((tx) =>
    createUser(
      tx,
      systemActor,
      {
        kind: "staff",
        customerId: null,
        loginId,
        email,
        displayName: loginId,
        role,
        password: PASSWORD,
      },
      new Date(),
    ),
  );
  return r.user.id;
}

/** `unyo serve` on loopback (its own process), ready. */
export async function startServe(
  databaseUrl: string,
  opts: { nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const child = spawnNode(
    [...(opts.nodeArgs ?? []), "bin/unyo.js", "serve", "--port", String(port), "--host", "127.0.0.1"],
    { DATABASE_URL: databaseUrl, LOG_LEVEL: "warn", UNYO_DEMO: "0", ...opts.env },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/readyz`, child);
  return { child, base };
}

export interface StaffClient {
  req<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }>;
}

/** Log in through the API; requests carry the session cookie and the CSRF token. */
export async function logIn(base: string, loginId: string): Promise<StaffClient> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ loginId, password: PASSWORD }),
  });
  if (r.status !== 200) throw new Error(`log-in failed: ${r.status} ${await r.text()}`);
  const cookie = (r.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  const csrf = ((await r.json()) as { csrfToken: string }).csrfToken;
  return {
    async req(method, path, body) {
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: {
          cookie,
          "x-csrf-token": csrf,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, json: (text ? JSON.parse(text) : null) as never };
    },
  };
}

/** CPU ms (user + system) a process has used so far. */
export function cpuMsOf(pid: number): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ
  } catch {
    return 0; // gone
  }
}

/**
 * CPU ms used so far by the PostgreSQL processes that work for `database`: its backends (and autovacuum
 * workers), the server-wide ones (postmaster, checkpointer, background and WAL writers) — not other
 * databases' backends (other test runs sharing the server).
 */
export function postgresCpuMs(database: string): Map<number, number> {
  const out = new Map<number, number>();
  const shared =
    /^\S*postgres(\s|$)|: (checkpointer|background writer|walwriter|archiver|autovacuum launcher|logical replication launcher)/;
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      if (!s.slice(s.indexOf("(") + 1, s.lastIndexOf(")")).startsWith("postgres")) continue;
      const cmd = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ");
      if (!cmd.includes(` ${database} `) && !shared.test(cmd)) continue;
      out.set(Number(d), cpuMsOf(Number(d)));
    } catch {}
  }
  return out;
}

/** Postgres CPU between two snapshots (processes that started in between count from zero). */
export function postgresCpuBetween(a: Map<number, number>, b: Map<number, number>): number {
  let ms = 0;
  for (const [pid, v] of b) ms += v - (a.get(pid) ?? 0);
  return ms;
}

export const pct = (sorted: number[], p: number) =>
  sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
    : 0;

/** User and system CPU ms of a process so far (system: the kernel's part — system calls, loopback TCP). */
export function cpuSplitOf(pid: number): { user: number; system: number } {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return { user: Number(f[11]) * 10, system: Number(f[12]) * 10 };
  } catch {
    return { user: 0, system: 0 };
  }
}

/**
 * What the database's backends are doing, sampled from pg_stat_activity every `everyMs` (its own
 * connection): per statement (by `classify`) and wait event, the share of samples of backends that
 * were running it — where PostgreSQL's time goes, and how long transactions sit idle waiting for Node.
 */
export async function sampleActivity(url: string, classify: (query: string) => string, everyMs = 10) {
  const pg = (await import("pg")).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const tally = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await client.query<{ state: string; wait: string | null; query: string }>(
        `SELECT state, wait_event_type || ':' || wait_event AS wait, left(query, 120) AS query
         FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
           AND state IN ('active', 'idle in transaction')`,
      );
      samples++;
      for (const row of r.rows) {
        const what =
          row.state === "active"
            ? `${classify(row.query)}${row.wait ? ` [${row.wait}]` : ""}`
            : `(idle in transaction: waiting for the client, last ${classify(row.query)})`;
        tally.set(what, (tally.get(what) ?? 0) + 1);
      }
      await new Promise((res) => setTimeout(res, everyMs));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    await client.end();
    return { samples, tally: [...tally].sort((a, b) => b[1] - a[1]) };
  };
}

/** CPU ms the whole machine has spent busy so far (every core; /proc/stat). */
export function machineBusyMs(): number {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return (f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!) * 10;
}
