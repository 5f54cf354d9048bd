import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { createDb, type Db, ensureDatabase, migrate } from "../src/db/db.ts";
import { EmbeddedPostgres } from "../src/db/embedded.ts";

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** A fresh, migrated database on DATABASE_URL's server or on an embedded one under .unyo-bench. */
export async function benchDatabase(): Promise<{ db: Db; url: string; close(): Promise<void> }> {
  let embedded: EmbeddedPostgres | undefined;
  let server = process.env.DATABASE_URL;
  if (!server) {
    embedded = new EmbeddedPostgres({ home: path.resolve(".unyo-bench") });
    server = await embedded.start();
  }
  const name = `unyo_bench_${randomBytes(3).toString("hex")}`;
  const url = await ensureDatabase(server, name);
  const db = createDb(url, { max: 10 });
  await migrate(db);
  return {
    db,
    url,
    async close() {
      await db.destroy();
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      await embedded?.stop();
    },
  };
}

export async function waitReady(url: string, child?: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null))
      throw new Error(`process exited before ready (${url})`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`not ready: ${url}`);
}

export function spawnNode(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  await new Promise((r) => child.once("exit", r));
}
