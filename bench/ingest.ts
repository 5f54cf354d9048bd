/**
 * Alert ingestion at load: a real `unyo serve` on loopback receives Prometheus Alertmanager webhooks
 * (payload v4) at POST /ingest/v1/alertmanager from CONNECTIONS (50) keep-alive connections (an undici
 * Pool, one request in flight per connection, the next sent as soon as the answer is read).
 *
 * Traffic: groups of GROUP (10) firing alerts of one server, all grouped by alertname, as Alertmanager
 * posts them. 60 % of the posts are groups never sent before (10 new fingerprints each: every one opens
 * its own incident); 40 % re-send a group already sent — half an HA peer's copy of one of the last 64
 * groups (often still in flight: the same alerts taken concurrently), half a group_interval re-send of
 * any group sent so far. Alerts/s counts every alert of every answered post (new and re-sent).
 *
 * Baselines in the same run, same load, same machine, in their own process
 * (bench/incidents/ingest-baseline.ts): a bare Fastify endpoint that parses the JSON and answers (the
 * HTTP layer alone; the ratio is to this), and a "floor" that also runs, per post, one transaction of
 * as many trivial round trips to PostgreSQL as Unyo makes (12 for a new group, 4 for a re-sent one).
 * Rounds alternate the three; medians.
 * At the end, SQL checks that deduplication held: one alert row per distinct new alert sent, one
 * incident per fingerprint, no dedupe key with two open incidents, every incident's signal count
 * equal to its alerts.
 *
 * BENCH_SECONDS (20) per round, BENCH_ROUNDS (3), BENCH_WARMUP (3 s each), BENCH_PROFILE=1: the
 * server runs with --cpu-prof and its profile is summarised (where the time goes).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type RawBuilder, sql } from "kysely";
import { Pool } from "undici";
import { loadConfig } from "../src/core/config.ts";
import { freePort } from "../src/db/embedded.ts";
import { ingest } from "../src/incidents/ingest.ts";
import {
  cpuMsOf,
  cpuSplitOf,
  logIn,
  machineBusyMs,
  pct,
  postgresCpuBetween,
  postgresCpuMs,
  sampleActivity,
  seedCustomer,
  staffUser,
  startServe,
} from "./incidents/common.ts";
import { summarizeProfile } from "./incidents/cpuprofile.ts";
import { timedDb } from "./incidents/timed-db.ts";
import { benchDatabase, median, spawnNode, stopChild, waitReady } from "./lib.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
const PROFILE = process.env.BENCH_PROFILE === "1";
const CONNECTIONS = 50;
const GROUP = 10;
const NEW_SHARE = 0.6;
const HOST = "bench01.example.jp";
const PATH = "/ingest/v1/alertmanager";

/** Which of ingestion's statements a backend runs (pg_stat_activity's text), for the profile. */
function statementOf(query: string): string {
  const q = query.replace(/\s+/g, " ").trim();
  const known: [RegExp, string][] = [
    [/^BEGIN/i, "BEGIN"],
    [/^COMMIT/i, "COMMIT"],
    [/^ROLLBACK/i, "ROLLBACK"],
    [/FROM alerts a JOIN unnest/i, "knownAlerts (SELECT alerts by key)"],
    [/^INSERT INTO incidents/i, "openOrJoin (INSERT incidents … ON CONFLICT)"],
    [/from "incidents" where "dedupe_key" in/i, "openOrJoin (SELECT the open ones joined)"],
    [/^INSERT INTO alerts/i, "insertAlerts (INSERT alerts … ON CONFLICT)"],
    [/^UPDATE alerts a SET last_seen_at/i, "touchAlerts (UPDATE alerts last_seen_at)"],
    [/^UPDATE alerts a SET status/i, "resolveAlerts"],
    [/^UPDATE incidents i SET signals/i, "countSignals (UPDATE incidents)"],
    [/^insert into "incident_events"/i, "insertEvents (INSERT incident_events)"],
    [/from "maintenance_windows"/i, "muteFacts: maintenance_windows"],
    [/from "contracts"/i, "muteFacts: contracts"],
    [/from "checks"/i, "muteFacts: checks (emergency stop)"],
    [/from "escalation_policies"/i, "defaultPolicyId"],
    [/pg_notify/i, "notifyChanged (pg_notify)"],
    [/from "alert_integrations"/i, "integrationByToken"],
    [/from "inventory_items"/i, "itemsForMapping"],
  ];
  for (const [re, name] of known) if (re.test(q)) return name;
  return q.slice(0, 60);
}

/** A small seeded PRNG (mulberry32): the same traffic every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const RULES = [
  { alertname: "HostHighCpuLoad", severity: "warning", by: "cpu", summary: "CPU load is above 80 %" },
  {
    alertname: "HostOutOfMemory",
    severity: "critical",
    by: "numa",
    summary: "Memory is filling up (< 10 % left)",
  },
  {
    alertname: "HostOutOfDiskSpace",
    severity: "critical",
    by: "mountpoint",
    summary: "Disk is almost full (< 10 % left)",
  },
  {
    alertname: "HostNetworkReceiveErrors",
    severity: "warning",
    by: "device",
    summary: "Network interface reports receive errors",
  },
  {
    alertname: "HostSystemdServiceCrashed",
    severity: "major",
    by: "name",
    summary: "A systemd service crashed",
  },
  { alertname: "BlackboxProbeHttpFailure", severity: "critical", by: "target", summary: "HTTP probe failed" },
] as const;

/** The posts to send: new groups and re-sends of groups sent before, as Alertmanager and its HA peers do. */
class Traffic {
  private readonly rand = prng(20261202);
  private fingerprints = 0;
  /** Fingerprints are made from this and a counter: each Traffic's alerts are its own. */
  constructor(private readonly ns: string) {}
  readonly groups: { body: string; acked: boolean }[] = [];

  private newGroup(): string {
    const rule = RULES[this.groups.length % RULES.length]!;
    const startsAt = new Date(Date.now() - Math.floor(this.rand() * 300_000));
    // Alertmanager's RFC 3339 with nanoseconds.
    const at = `${startsAt.toISOString().slice(0, -1)}${String(Math.floor(this.rand() * 1e6)).padStart(6, "0")}Z`;
    const alerts = Array.from({ length: GROUP }, (_, i) => {
      const fp = createHash("sha1")
        .update(`${this.ns}:${this.fingerprints++}`)
        .digest("hex")
        .slice(0, 16);
      const labels = {
        alertname: rule.alertname,
        instance: `${HOST}:9100`,
        job: "node",
        severity: rule.severity,
        [rule.by]: `${rule.by}-${this.groups.length}-${i}`,
      };
      return {
        status: "firing",
        labels,
        annotations: {
          summary: `${rule.summary} on ${HOST}`,
          description: `${rule.summary}\n  VALUE = ${(80 + this.rand() * 20).toFixed(2)}\n  LABELS = ${JSON.stringify(labels)}`,
          runbook_url: `https://runbooks.example.jp/${rule.alertname}`,
        },
        startsAt: at,
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: `http://prometheus-0:9090/graph?g0.expr=${encodeURIComponent(`${rule.alertname}{instance="${HOST}:9100"}`)}&g0.tab=1`,
        fingerprint: fp,
      };
    });
    return JSON.stringify({
      receiver: "unyo",
      status: "firing",
      alerts,
      groupLabels: { alertname: rule.alertname },
      commonLabels: {
        alertname: rule.alertname,
        instance: `${HOST}:9100`,
        job: "node",
        severity: rule.severity,
      },
      commonAnnotations: { runbook_url: `https://runbooks.example.jp/${rule.alertname}` },
      externalURL: "http://alertmanager-0:9093",
      version: "4",
      groupKey: `{}/{severity=~"warning|major|critical"}:{alertname="${rule.alertname}"}`,
      truncatedAlerts: 0,
    });
  }

  next(): { group: number; fresh: boolean } {
    const n = this.groups.length;
    if (n > 0 && this.rand() >= NEW_SHARE) {
      const recent = this.rand() < 0.5;
      const i = recent ? n - 1 - Math.floor(this.rand() * Math.min(64, n)) : Math.floor(this.rand() * n);
      return { group: i, fresh: false };
    }
    this.groups.push({ body: this.newGroup(), acked: false });
    return { group: n, fresh: true };
  }
}

interface RoundResult {
  seconds: number;
  requests: number;
  alerts: number;
  newAlerts: number;
  recorded: number;
  opened: number;
  duplicates: number;
  failed: number;
  sample: string;
  p50: number;
  p99: number;
  max: number;
  serverCpuMs: number;
  serverSystemMs: number;
  postgresCpuMs: number;
  loadCpuMs: number;
  /** The rest of the machine's busy CPU in the round: processes not in this bench (noise). */
  otherCpuMs: number;
}

async function drive(
  origin: string,
  path: string,
  token: string,
  traffic: Traffic,
  seconds: number,
  serverPid: number,
): Promise<RoundResult> {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const freshHeaders = { ...headers, "x-bench-fresh": "1" };
  const lat: number[] = [];
  const r = {
    requests: 0,
    alerts: 0,
    newAlerts: 0,
    recorded: 0,
    opened: 0,
    duplicates: 0,
    failed: 0,
    sample: "",
  };
  const cpu0 = {
    server: cpuMsOf(serverPid),
    system: cpuSplitOf(serverPid).system,
    pg: postgresCpuMs(DATABASE),
    load: process.cpuUsage(),
    machine: machineBusyMs(),
  };
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const { group, fresh } = traffic.next();
      const g = traffic.groups[group]!;
      const t = performance.now();
      try {
        const res = await pool.request({
          path,
          method: "POST",
          headers: fresh ? freshHeaders : headers,
          body: g.body,
        });
        const text = await res.body.text();
        lat.push(performance.now() - t);
        r.requests++;
        if (res.statusCode === 200) {
          const j = JSON.parse(text) as {
            received: number;
            recorded: number;
            opened: number;
            duplicates: number;
          };
          r.alerts += GROUP;
          if (fresh) r.newAlerts += GROUP;
          r.recorded += j.recorded;
          r.opened += j.opened;
          r.duplicates += j.duplicates;
          g.acked = true;
        } else {
          r.failed++;
          if (!r.sample) r.sample = `${res.statusCode} ${text.slice(0, 300)}`;
        }
      } catch (err) {
        r.failed++;
        if (!r.sample) r.sample = String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  const wall = (performance.now() - t0) / 1000;
  const load = process.cpuUsage(cpu0.load);
  const out: RoundResult = {
    seconds: wall,
    ...r,
    p50: 0,
    p99: 0,
    max: 0,
    serverCpuMs: cpuMsOf(serverPid) - cpu0.server,
    serverSystemMs: cpuSplitOf(serverPid).system - cpu0.system,
    postgresCpuMs: postgresCpuBetween(cpu0.pg, postgresCpuMs(DATABASE)),
    loadCpuMs: (load.user + load.system) / 1000,
    otherCpuMs: 0,
  };
  out.otherCpuMs = Math.max(
    0,
    machineBusyMs() - cpu0.machine - out.serverCpuMs - out.postgresCpuMs - out.loadCpuMs,
  );
  lat.sort((a, b) => a - b);
  out.p50 = pct(lat, 50);
  out.p99 = pct(lat, 99);
  out.max = lat.at(-1) ?? 0;
  await pool.close();
  return out;
}

const dbh = await benchDatabase();
const { db } = dbh;
const DATABASE = new URL(dbh.url).pathname.slice(1);
const seeded = await seedCustomer(db, [HOST]);
await staffUser(db, "bench-operator", "operator", "bench-operator@bench.example");
const profDir = PROFILE ? fs.mkdtempSync(path.join(os.tmpdir(), "unyo-ingest-prof-")) : "";
const unyo = await startServe(dbh.url, {
  nodeArgs: PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${profDir}`] : [],
});
const helloPort = await freePort();
const baseline = spawnNode(["--import", "tsx", "bench/incidents/ingest-baseline.ts"], {
  PORT: String(helloPort),
  DATABASE_URL: dbh.url,
});
const helloOrigin = `http://127.0.0.1:${helloPort}`;
await waitReady(`${helloOrigin}/`, baseline);
const op = await logIn(unyo.base, "bench-operator");
const created = await op.req<{ token: string; path: string }>(
  "POST",
  `/customers/${seeded.customerId}/integrations`,
  { kind: "alertmanager", name: "Prometheus 本番", defaultSeverity: "major" },
);
if (created.status !== 201) throw new Error(`integration: ${created.status} ${JSON.stringify(created.json)}`);
const token = created.json.token;
if (created.json.path !== PATH) throw new Error(`integration path ${created.json.path}`);

const unyoTraffic = new Traffic("unyo");
const helloTraffic = new Traffic("hello");
const floorTraffic = new Traffic("floor");
type Target = "baseline" | "floor" | "unyo";
const run = (t: Target, seconds: number) =>
  t === "baseline"
    ? drive(helloOrigin, PATH, token, helloTraffic, seconds, baseline.pid!)
    : t === "floor"
      ? drive(helloOrigin, "/floor/v1/alertmanager", token, floorTraffic, seconds, baseline.pid!)
      : drive(unyo.base, PATH, token, unyoTraffic, seconds, unyo.child.pid!);
const TARGETS: Target[] = ["baseline", "floor", "unyo"];
// Warm up each (connections, JIT, caches); Unyo's warm-up counts in the checks at the end, not in the figures.
const all: RoundResult[] = [];
for (const t of TARGETS) {
  const w = await run(t, WARMUP);
  if (t === "unyo") all.push(w);
}
const results: Record<Target, RoundResult[]> = { baseline: [], floor: [], unyo: [] };
const activity = new Map<string, number>();
let activitySamples = 0;
for (let i = 0; i < ROUNDS; i++)
  for (const t of TARGETS) {
    const stopSampling = PROFILE && t === "unyo" ? await sampleActivity(dbh.url, statementOf) : undefined;
    const r = await run(t, SECONDS);
    if (stopSampling) {
      const a = await stopSampling();
      activitySamples += a.samples;
      for (const [k, n] of a.tally) activity.set(k, (activity.get(k) ?? 0) + n);
    }
    results[t].push(r);
    if (t === "unyo") all.push(r);
    console.log(
      `  round ${i + 1} ${t.padEnd(8)} ${String(Math.round(r.alerts / r.seconds)).padStart(6)} alerts/s  ${Math.round(r.requests / r.seconds)} posts/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  max ${r.max.toFixed(0)} ms  failed ${r.failed}${r.sample ? ` (${r.sample})` : ""}  CPU s: server ${(r.serverCpuMs / 1000).toFixed(1)} (kernel ${(r.serverSystemMs / 1000).toFixed(1)}), postgres ${(r.postgresCpuMs / 1000).toFixed(1)}, load ${(r.loadCpuMs / 1000).toFixed(1)}, other processes ${(r.otherCpuMs / 1000).toFixed(1)}`,
    );
  }

await stopChild(baseline);
await stopChild(unyo.child);

// Deduplication held?
const expectedAlerts = unyoTraffic.groups.filter((g) => g.acked).length * GROUP;
const sentNewAlerts = unyoTraffic.groups.length * GROUP;
const q = async (query: RawBuilder<{ n: number }>) => (await query.execute(db)).rows[0]!.n;
const checks = {
  alertRows: await q(sql`SELECT count(*)::int AS n FROM alerts`),
  incidents: await q(sql`SELECT count(*)::int AS n FROM incidents`),
  openedEvents: await q(sql`SELECT count(*)::int AS n FROM incident_events WHERE kind = 'opened'`),
  keysWithTwoOpen: await q(sql`SELECT count(*)::int AS n FROM (SELECT dedupe_key FROM incidents
    WHERE status <> 'resolved' GROUP BY dedupe_key HAVING count(*) > 1) x`),
  fingerprintsWithTwoIncidents: await q(sql`SELECT count(*)::int AS n FROM (SELECT fingerprint FROM alerts
    GROUP BY fingerprint HAVING count(DISTINCT incident_id) > 1) x`),
  incidentsWithoutAlert: await q(sql`SELECT count(*)::int AS n FROM incidents i
    WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.incident_id = i.id)`),
  signalsNotEqualAlerts: await q(sql`SELECT count(*)::int AS n FROM incidents i
    WHERE i.signals <> (SELECT count(*) FROM alerts a WHERE a.incident_id = i.id)
       OR i.firing <> (SELECT count(*) FROM alerts a WHERE a.incident_id = i.id AND a.status = 'firing')`),
  unmapped: await q(sql`SELECT count(*)::int AS n FROM alerts WHERE item_id IS NULL`),
};
// How the rows were written: inserts, updates and how many of those were HOT (no index entries).
const tableStats = (
  await sql<{ table: string; inserts: number; updates: number; hot: number; indexes: number }>`
    SELECT t.relname AS table, t.n_tup_ins::int AS inserts, t.n_tup_upd::int AS updates,
      t.n_tup_hot_upd::int AS hot, (SELECT count(*)::int FROM pg_index x WHERE x.indrelid = t.relid) AS indexes
    FROM pg_stat_user_tables t WHERE t.relname IN ('incidents', 'alerts', 'incident_events') ORDER BY 1`.execute(
    db,
  )
).rows;
const answered = all.reduce(
  (s, r) => ({ recorded: s.recorded + r.recorded, opened: s.opened + r.opened, failed: s.failed + r.failed }),
  { recorded: 0, opened: 0, failed: 0 },
);
const dedupOk =
  checks.alertRows === expectedAlerts &&
  checks.incidents === expectedAlerts &&
  checks.openedEvents === expectedAlerts &&
  checks.keysWithTwoOpen === 0 &&
  checks.fingerprintsWithTwoIncidents === 0 &&
  checks.incidentsWithoutAlert === 0 &&
  checks.signalsNotEqualAlerts === 0 &&
  answered.recorded === expectedAlerts &&
  answered.opened === expectedAlerts;

// Uncontended, one post at a time: the same ingestion code (src/incidents/ingest.ts) called in this
// process on a one-connection pool that times each statement and its backend's CPU.
const STATEMENT_POSTS = Number(process.env.BENCH_STATEMENT_POSTS ?? 500);
const timed = timedDb(dbh.url, statementOf);
await timed.ready();
const solo = new Traffic("solo");
const deps = { db: timed.db, config: loadConfig({ ...process.env, UNYO_DEMO: "0" }) };
// Two passes of new posts of the same mix, made before the clock starts: untimed (Node's and the
// backend's CPU per post, nothing added), then each statement timed (the breakdown).
const posts = (n: number) =>
  Array.from({ length: n }, () => {
    const { group, fresh } = solo.next();
    return { fresh, raw: Buffer.from(solo.groups[group]!.body) };
  });
const post = (raw: Buffer) =>
  ingest(deps, { kind: "alertmanager", authorization: `Bearer ${token}`, signature: undefined, raw });
for (const p of posts(50)) await post(p.raw); // warm-up (JIT, caches)
const plain = posts(STATEMENT_POSTS);
const soloFresh = plain.filter((p) => p.fresh).length;
timed.timing = false;
const soloCpu0 = process.cpuUsage();
const soloPg0 = timed.backendCpuMs();
const soloT0 = performance.now();
for (const p of plain) await post(p.raw);
const soloWall = performance.now() - soloT0;
const soloNode = process.cpuUsage(soloCpu0);
const soloPg = timed.backendCpuMs() - soloPg0;
timed.timing = true;
timed.times.clear();
const timedPosts = posts(STATEMENT_POSTS);
const timedPg0 = timed.backendCpuMs();
for (const p of timedPosts) await post(p.raw);
const timedPg = timed.backendCpuMs() - timedPg0;
await timed.db.destroy();

const med = (rs: RoundResult[], f: (r: RoundResult) => number) => median(rs.map(f));
const summary = (rs: RoundResult[]) => ({
  alertsPerSecond: Math.round(med(rs, (r) => r.alerts / r.seconds)),
  newAlertsPerSecond: Math.round(med(rs, (r) => r.newAlerts / r.seconds)),
  postsPerSecond: Math.round(med(rs, (r) => r.requests / r.seconds)),
  p50Ms: Number(med(rs, (r) => r.p50).toFixed(1)),
  p99Ms: Number(med(rs, (r) => r.p99).toFixed(1)),
  maxMs: Math.round(Math.max(...rs.map((r) => r.max))),
  failed: rs.reduce((s, r) => s + r.failed, 0),
  cpuPerSecond: {
    server: Number(med(rs, (r) => r.serverCpuMs / 1000 / r.seconds).toFixed(2)),
    serverKernel: Number(med(rs, (r) => r.serverSystemMs / 1000 / r.seconds).toFixed(2)),
    postgres: Number(med(rs, (r) => r.postgresCpuMs / 1000 / r.seconds).toFixed(2)),
    loadGenerator: Number(med(rs, (r) => r.loadCpuMs / 1000 / r.seconds).toFixed(2)),
    otherProcesses: Number(med(rs, (r) => r.otherCpuMs / 1000 / r.seconds).toFixed(2)),
  },
  cpuMsPerPost: {
    server: Number(med(rs, (r) => r.serverCpuMs / r.requests).toFixed(2)),
    postgres: Number(med(rs, (r) => r.postgresCpuMs / r.requests).toFixed(2)),
  },
});
const S = { baseline: summary(results.baseline), floor: summary(results.floor), unyo: summary(results.unyo) };
const ratio = (f: (x: typeof S.unyo) => number) =>
  `${(f(S.unyo) / f(S.baseline)).toFixed(3)}× (floor ${(f(S.floor) / f(S.baseline)).toFixed(3)}×)`;
const row = (name: string, f: (x: typeof S.unyo) => string, r = "—") =>
  console.log(`| ${name} | ${f(S.baseline)} | ${f(S.floor)} | ${f(S.unyo)} | ${r} |`);
console.log(
  `\nAlertmanager ingestion, ${CONNECTIONS} connections, groups of ${GROUP} (${NEW_SHARE * 100} % new, ${100 - NEW_SHARE * 100} % re-sent), ${SECONDS} s × ${ROUNDS} alternating rounds (medians), loopback, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}:`,
);
console.log(
  "| figure | baseline: Fastify + JSON.parse | floor: + a transaction of as many trivial round trips | Unyo `unyo serve` | Unyo ÷ baseline |",
);
console.log("|---|---|---|---|---|");
row(
  "alerts/s (every alert of every post answered 200)",
  (x) => String(x.alertsPerSecond),
  ratio((x) => x.alertsPerSecond),
);
row("new alerts/s (recorded, each opening its incident)", (x) => String(x.newAlertsPerSecond));
row("posts/s", (x) => String(x.postsPerSecond));
row("latency per post p50 / p99 / max", (x) => `${x.p50Ms} / ${x.p99Ms} / ${x.maxMs} ms`);
row("failed posts", (x) => String(x.failed));
row(
  "CPU s per s: server (its kernel part) / PostgreSQL / load generator / other processes",
  (x) =>
    `${x.cpuPerSecond.server} (${x.cpuPerSecond.serverKernel}) / ${x.cpuPerSecond.postgres} / ${x.cpuPerSecond.loadGenerator} / ${x.cpuPerSecond.otherProcesses}`,
);
row("CPU ms per post: server / PostgreSQL", (x) => `${x.cpuMsPerPost.server} / ${x.cpuMsPerPost.postgres}`);
console.log(
  `\ndeduplication: ${sentNewAlerts} distinct new alerts sent to Unyo (${expectedAlerts} in posts answered 200 at least once), ${checks.alertRows} alert rows, ${checks.incidents} incidents; the answers said recorded ${answered.recorded}, opened ${answered.opened}; ${JSON.stringify(checks)} → ${dedupOk ? "OK" : "NOT OK"}`,
);
console.log(
  JSON.stringify({
    bench: "ingest",
    date: new Date().toISOString(),
    seconds: SECONDS,
    rounds: ROUNDS,
    ...S,
    ratio: Number((S.unyo.alertsPerSecond / S.baseline.alertsPerSecond).toFixed(3)),
    dedup: { ok: dedupOk, sentNewAlerts, expectedAlerts, ...checks, answered },
    tableStats,
  }),
);
console.log(
  `tables after the load (pg_stat_user_tables): ${tableStats.map((t) => `${t.table}: ${t.inserts} inserted, ${t.updates} updated (${t.hot} HOT), ${t.indexes} indexes`).join("; ")}`,
);
{
  const rows = [...timed.times]
    .filter(([, t]) => t.count >= STATEMENT_POSTS / 100)
    .sort((a, b) => b[1].backendCpuMs - a[1].backendCpuMs);
  const statements = rows.reduce((n, [, t]) => n + t.count, 0);
  console.log(
    `\nOne post at a time (${STATEMENT_POSTS} posts, ${soloFresh} new groups, the rest re-sent; ingest() called in this process, no HTTP): ${(soloWall / STATEMENT_POSTS).toFixed(2)} ms per post, ${(statements / STATEMENT_POSTS).toFixed(1)} statements per post; CPU per post: Node ${((soloNode.user + soloNode.system) / 1000 / STATEMENT_POSTS).toFixed(2)} ms (kernel ${(soloNode.system / 1000 / STATEMENT_POSTS).toFixed(2)}), its PostgreSQL backend ${(soloPg / STATEMENT_POSTS).toFixed(2)} ms. Each statement, timed in a second pass of ${STATEMENT_POSTS}:`,
  );
  console.log(
    "| statement | per post | round trip, mean | backend CPU, mean | backend CPU per post | share of backend CPU |",
  );
  console.log("|---|---|---|---|---|---|");
  for (const [k, t] of rows)
    console.log(
      `| ${k} | ${(t.count / STATEMENT_POSTS).toFixed(2)} | ${(t.roundTripMs / t.count).toFixed(3)} ms | ${(t.backendCpuMs / t.count).toFixed(3)} ms | ${(t.backendCpuMs / STATEMENT_POSTS).toFixed(3)} ms | ${((100 * t.backendCpuMs) / timedPg).toFixed(1)} % |`,
    );
}
if (PROFILE) {
  console.log(
    `\nPostgreSQL backends of this database, sampled every 10 ms during Unyo's rounds (${activitySamples} samples): share of backend-samples, mean backends, what they were at`,
  );
  const totalSeen = [...activity.values()].reduce((x, y) => x + y, 0);
  console.log(
    `  mean backends in a transaction: ${(totalSeen / activitySamples).toFixed(2)} (Unyo's pool: 10)`,
  );
  for (const [k, n] of [...activity].sort((a, b) => b[1] - a[1]).slice(0, 30))
    console.log(
      `  ${((100 * n) / totalSeen).toFixed(1).padStart(5)} %  ${(n / activitySamples).toFixed(2)}  ${k}`,
    );
  for (const f of fs.readdirSync(profDir))
    console.log(`\n${summarizeProfile(path.join(profDir, f), { within: "take@src/incidents/ingest.ts" })}`);
  console.log(`(profile kept in ${profDir})`);
}
await dbh.close();
if (!dedupOk) process.exitCode = 1;
