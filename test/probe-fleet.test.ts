/**
 * Probes are a fleet (real `unyo probe` processes on one PostgreSQL, real HTTP target): three share
 * the checks fairly; one killed with SIGKILL has its shards taken over within a lease period plus a
 * renewal; no check waits more than two intervals and none is run twice in a slot (seen at the
 * target); after a restart every check runs again within one interval.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shardOwners } from "../src/monitoring/store/leases.ts";
import { buildContract, buildUser, login, type TestEnv, testApp } from "./helpers.ts";
import { sleep, spawnUnyo, until } from "./processes.ts";
import { httpTarget } from "./targets.ts";

const CHECKS = 240;
const INTERVAL = 10_000;
let env: TestEnv;
let target: Awaited<ReturnType<typeof httpTarget>>;

beforeAll(async () => {
  env = await testApp();
  target = await httpTarget();
  const u = await buildUser(env.db, { role: "engineer" });
  const s = await login(env.app, u.loginId, u.password);
  const c = await buildContract(env.db, {
    start: "2026-01-01",
    servers: [{ hostname: "fleet.example.jp", provider: "other" }],
  });
  await s.req("POST", `/api/v1/contracts/${c.id}/inventory/from-contract`);
  const item = (await s.req("GET", `/api/v1/contracts/${c.id}/inventory`)).json.registered[0];
  for (let i = 0; i < CHECKS; i++) {
    const r = await s.req("POST", "/api/v1/checks", {
      itemId: item.id,
      name: `fleet ${i}`,
      kind: "http",
      intervalS: INTERVAL / 1000,
      timeoutMs: 2000,
      settings: { url: `${target.url}/c/${i}` },
    });
    expect(r.status).toBe(201);
  }
}, 120_000);
afterAll(async () => {
  await target?.close();
  await env?.close();
});

/** Per check path: the gaps between consecutive arrivals in [from, to]. */
function gaps(from: number, to: number) {
  let longest = 0;
  let duplicates = 0;
  let missingChecks = 0;
  for (let i = 0; i < CHECKS; i++) {
    const hits = (target.hits.get(`/c/${i}`) ?? []).filter((t) => t >= from && t <= to).sort((a, b) => a - b);
    if (hits.length === 0) missingChecks++;
    for (let k = 1; k < hits.length; k++) {
      const g = hits[k]! - hits[k - 1]!;
      if (g > longest) longest = g;
      // Two runs less than half an interval apart are the same slot run twice.
      if (g < INTERVAL / 2) duplicates++;
    }
  }
  return { longest, duplicates, missingChecks };
}

describe("a fleet of probes", () => {
  it("shares fairly, survives a kill -9 within a lease period, never runs a slot twice, and restarts within one interval", async () => {
    const probes = [0, 1, 2].map(() => spawnUnyo(["probe"], { DATABASE_URL: env.url }));
    await until("three probes sharing the shards", async () => {
      const owners = await shardOwners(env.db);
      return owners.length === 3 && owners.every((o) => o.shards >= 80);
    });
    const shared = await shardOwners(env.db);
    expect(shared.reduce((n, o) => n + o.shards, 0)).toBe(256);
    // Steady state: let every check run a few slots.
    const steadyFrom = Date.now() + INTERVAL;
    await sleep(3 * INTERVAL + 2000);
    const steady = gaps(steadyFrom, Date.now());
    expect(steady.missingChecks).toBe(0);
    expect(steady.duplicates).toBe(0);
    expect(steady.longest).toBeLessThan(INTERVAL + 1000);

    // kill -9 one probe: its leases expire (5 s) and the others take its shards at their next renewal.
    const killedAt = Date.now();
    probes[0]!.child.kill("SIGKILL");
    await until(
      "the survivors holding every shard",
      async () => {
        const owners = await shardOwners(env.db);
        return owners.length === 2 && owners.reduce((n, o) => n + o.shards, 0) === 256;
      },
      15_000,
    );
    const takeover = Date.now() - killedAt;
    expect(takeover).toBeLessThan(5_000 + 1_000 + 1_500);
    await sleep(2 * INTERVAL + 2000);
    const around = gaps(killedAt - INTERVAL, Date.now());
    expect(around.missingChecks).toBe(0);
    expect(around.duplicates).toBe(0);
    // No check waited more than two intervals (the slot the dead probe would have run is the one lost).
    expect(around.longest).toBeLessThanOrEqual(2 * INTERVAL + 1000);

    // Stop the rest; start one again: every check runs within one interval of its announcement.
    await Promise.all(
      probes.slice(1).map(
        (p) =>
          new Promise<void>((resolve) => {
            p.child.once("exit", () => resolve());
            p.child.kill("SIGTERM");
          }),
      ),
    );
    const again = spawnUnyo(["probe"], { DATABASE_URL: env.url });
    await until(
      "the probe announcing itself",
      async () => /Unyo probe .* running/.test(again.output()),
      30_000,
    );
    const restarted = Date.now();
    await until(
      "every check run again",
      async () => {
        for (let i = 0; i < CHECKS; i++)
          if (!(target.hits.get(`/c/${i}`) ?? []).some((t) => t >= restarted)) return false;
        return true;
      },
      3 * INTERVAL,
    );
    const allRan = Date.now() - restarted;
    expect(allRan).toBeLessThanOrEqual(INTERVAL + 1000);
    console.log(
      JSON.stringify({
        shared: shared.map((o) => o.shards),
        steady,
        takeoverMs: takeover,
        around,
        restartAllRanMs: allRan,
      }),
    );
    again.child.kill("SIGTERM");
  }, 180_000);
});
