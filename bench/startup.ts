/**
 * Cold `npm start` → GET /readyz = 200 on the embedded database: first start (initdb, migrations,
 * demo data) and second start (data reused), each on a fresh UNYO_HOME, 3 rounds, medians.
 * Baseline in the same run: the embedded PostgreSQL alone (initdb + start, then start).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EmbeddedPostgres, freePort } from "../src/db/embedded.ts";
import { median, stopChild, waitReady } from "./lib.ts";

async function npmStart(home: string): Promise<number> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, UNYO_HOME: home, PORT: String(port), LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  const t0 = performance.now();
  const child = spawn("npm", ["start", "--silent"], { env, stdio: "ignore", detached: true });
  await waitReady(`http://127.0.0.1:${port}/readyz`, child);
  const ms = performance.now() - t0;
  // npm runs node as a child: signal the whole group, as Ctrl-C in a terminal does.
  process.kill(-child.pid!, "SIGINT");
  await new Promise((r) => child.once("exit", r));
  await new Promise((r) => setTimeout(r, 300));
  void stopChild;
  return ms;
}

async function pgOnly(home: string): Promise<number> {
  const t0 = performance.now();
  const pg = new EmbeddedPostgres({ home });
  await pg.start();
  const ms = performance.now() - t0;
  await pg.stop();
  return ms;
}

const rounds = Number(process.env.ROUNDS ?? 3);
const first: number[] = [];
const second: number[] = [];
const pgFirst: number[] = [];
const pgSecond: number[] = [];
for (let i = 0; i < rounds; i++) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-bench-start-"));
  first.push(await npmStart(home));
  second.push(await npmStart(home));
  fs.rmSync(home, { recursive: true, force: true });
  const pgHome = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-bench-pg-"));
  pgFirst.push(await pgOnly(pgHome));
  pgSecond.push(await pgOnly(pgHome));
  fs.rmSync(pgHome, { recursive: true, force: true });
}
const f = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`cold npm start → /readyz 200, ${rounds} rounds (median):`);
console.log(
  `  first start  (initdb + migrate + demo data): ${f(median(first))}   [${first.map(f).join(", ")}]`,
);
console.log(
  `  second start (data reused):                  ${f(median(second))}   [${second.map(f).join(", ")}]`,
);
console.log(
  `baseline, embedded PostgreSQL alone: first ${f(median(pgFirst))}, second ${f(median(pgSecond))}`,
);
console.log(
  `ratio Unyo/PostgreSQL-alone: first ${(median(first) / median(pgFirst)).toFixed(2)}×, second ${(median(second) / median(pgSecond)).toFixed(2)}×`,
);
