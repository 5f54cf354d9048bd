/**
 * Requests/s and p99 latency at 50 concurrent connections over loopback:
 *   raw Fastify hello world (baseline) · Unyo GET /healthz · Unyo authenticated GET /api/v1/me
 * Servers run as separate processes; the load generator (autocannon) runs here. Rounds alternate
 * the targets so that machine noise hits all of them alike; medians and ratios are reported.
 */
import autocannon from "autocannon";
import { seedDemo } from "../src/cli/demo.ts";
import { freePort } from "../src/db/embedded.ts";
import { benchDatabase, median, spawnNode, stopChild, waitReady } from "./lib.ts";

const SECONDS = Number(process.env.SECONDS ?? 8);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

const dbh = await benchDatabase();
await seedDemo(dbh.db);
const helloPort = await freePort();
const unyoPort = await freePort();
const hello = spawnNode(["--import", "tsx", "bench/hello.ts"], { PORT: String(helloPort) });
const unyo = spawnNode(["bin/unyo.js", "serve", "--port", String(unyoPort), "--host", "127.0.0.1"], {
  DATABASE_URL: dbh.url,
  LOG_LEVEL: "warn",
  UNYO_SESSION_IDLE_MINUTES: "600",
});
await waitReady(`http://127.0.0.1:${helloPort}/`, hello);
await waitReady(`http://127.0.0.1:${unyoPort}/readyz`, unyo);

const loginRes = await fetch(`http://127.0.0.1:${unyoPort}/api/v1/auth/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ loginId: "operator", password: "unyo-demo-2026!" }),
});
const cookie = loginRes.headers.get("set-cookie")!.split(";")[0]!;

function run(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ rps: number; p99: number; errors: number; non2xx: number }> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 50, duration: SECONDS, headers }, (err, r) => {
      if (err) return reject(err);
      resolve({ rps: r.requests.average, p99: r.latency.p99, errors: r.errors, non2xx: r.non2xx });
    });
  });
}

const targets = {
  hello: () => run(`http://127.0.0.1:${helloPort}/`),
  healthz: () => run(`http://127.0.0.1:${unyoPort}/healthz`),
  me: () => run(`http://127.0.0.1:${unyoPort}/api/v1/me`, { cookie }),
};
const results: Record<string, { rps: number; p99: number; errors: number; non2xx: number }[]> = {
  hello: [],
  healthz: [],
  me: [],
};
for (let i = 0; i < ROUNDS; i++)
  for (const [name, fn] of Object.entries(targets)) results[name]!.push(await fn());

const base = median(results.hello!.map((r) => r.rps));
console.log(`HTTP at 50 connections, ${SECONDS} s × ${ROUNDS} rounds (median), loopback, 2-core machine:`);
for (const [name, rs] of Object.entries(results)) {
  const rps = median(rs.map((r) => r.rps));
  const p99 = median(rs.map((r) => r.p99));
  const bad = rs.reduce((s, r) => s + r.errors + r.non2xx, 0);
  console.log(
    `  ${name.padEnd(8)} ${Math.round(rps).toString().padStart(7)} req/s   p99 ${p99.toFixed(1).padStart(6)} ms   ${(rps / base).toFixed(2)}× of raw Fastify   errors/non-2xx: ${bad}`,
  );
}
await stopChild(hello);
await stopChild(unyo);
await dbh.close();
