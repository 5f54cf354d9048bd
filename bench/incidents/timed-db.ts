/**
 * A Kysely on a one-connection pool whose client times every statement: the round trip seen from
 * Node and the CPU its PostgreSQL backend spent on it (/proc/<backend>/schedstat, ns; the backend runs
 * on this machine). Statements run one at a time, so each one's figures are its own.
 */
import fs from "node:fs";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Db } from "../../src/db/db.ts";

export interface StatementTimes {
  count: number;
  roundTripMs: number;
  backendCpuMs: number;
}

const runNs = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/schedstat`, "utf8").split(" ")[0]);

export function timedDb(url: string, classify: (sql: string) => string) {
  const times = new Map<string, StatementTimes>();
  let backend = 0;
  const state = { timing: true };
  class TimedClient extends pg.Client {
    // Kysely calls query(text, values) and awaits the promise.
    override query(...args: unknown[]): never {
      const [text, values] = args as [string, unknown[] | undefined];
      if (typeof text !== "string" || !backend || !state.timing)
        return (super.query as (...a: unknown[]) => never)(...args);
      const cpu0 = runNs(backend);
      const t0 = performance.now();
      return (super.query(text, values) as Promise<unknown>).then((r) => {
        const rt = performance.now() - t0;
        const k = classify(text);
        const s = times.get(k) ?? { count: 0, roundTripMs: 0, backendCpuMs: 0 };
        s.count++;
        s.roundTripMs += rt;
        s.backendCpuMs += (runNs(backend) - cpu0) / 1e6;
        times.set(k, s);
        return r;
      }) as never;
    }
  }
  const pool = new pg.Pool({ connectionString: url, max: 1, Client: TimedClient });
  pool.on("connect", (c) => {
    void (c as pg.Client).query("SELECT pg_backend_pid() AS pid").then((r) => {
      backend = (r.rows[0] as { pid: number }).pid;
    });
  });
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) }) as unknown as Db;
  return {
    db,
    times,
    /** Off: statements are not timed (no cost added to Node's CPU). */
    set timing(on: boolean) {
      state.timing = on;
    },
    backendCpuMs: () => (backend ? runNs(backend) / 1e6 : 0),
    /** Connect and learn the backend's pid before anything is timed. */
    async ready() {
      const c = await pool.connect();
      while (!backend) await new Promise((r) => setTimeout(r, 5));
      c.release();
    },
  };
}
