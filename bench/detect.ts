/**
 * Detection to the first page e-mail, end to end on the processes the product runs: `unyo probe`
 * (runs the checks), `unyo worker` (the incidents engine and the notice outbox, sending over SMTP to a
 * real SMTP server on loopback in this process), on a fresh database.
 *
 * Seeded through the API of a `unyo serve` (stopped before the measurement): an on-call schedule with
 * one staff member, the default escalation policy paging it, and BENCH_CHECKS (100) HTTP checks on one
 * server of one customer's contract — interval 10 s, timeout 2 s, retries 0, down after 2 consecutive
 * failed runs — each polling its own loopback HTTP server (bench/incidents/detect-targets.ts, another
 * process) that answers 200. Once every check is up, all targets start answering 500 at one recorded
 * instant; for each check, the time from that instant to the SMTP server accepting the first page
 * e-mail of its incident (the subject names INC-<n> and the check; mapped through the database and
 * checked against the e-mail's X-Unyo-Delivery). BENCH_ROUNDS (3) rounds, the targets healthy again and
 * every incident restored between them.
 *
 * Breakdown per check: failure → first failed run (at the target) → confirming run (the check event's
 * time: the policy's part) → incident opened (the engine took the event) → page notice queued → SMTP
 * accepted. The policy alone puts the confirming run 10–20 s after the failure.
 */
import { type ChildProcess, spawn } from "node:child_process";
import os from "node:os";
import { sql } from "kysely";
import { cpuMsOf, logIn, pct, seedCustomer, staffUser, startServe } from "./incidents/common.ts";
import { smtpCatcher } from "./incidents/smtp-catcher.ts";
import { benchDatabase, median, stopChild } from "./lib.ts";

const CHECKS = Number(process.env.BENCH_CHECKS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const POLICY = { intervalS: 10, timeoutMs: 2000, retries: 0, downAfter: 2 };
const HOST = "web01.bench.example.jp";
const ONCALL_EMAIL = "oncall@bench.example";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A `unyo` command in its own process; resolves when it says it runs. */
function spawnUnyo(args: string[], env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["bin/unyo.js", ...args], {
    env: { ...process.env, LOG_LEVEL: "warn", UNYO_DEMO: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
      if (/running/.test(out)) resolve(child);
    });
    child.once("exit", (code) =>
      reject(new Error(`unyo ${args[0]} exited (${code}) before running: ${out}`)),
    );
  });
}

async function until(what: string, ok: () => Promise<boolean>, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const dbh = await benchDatabase();
const { db } = dbh;
const mail = await smtpCatcher();

// Targets: one loopback HTTP server per check, in another process.
const targets = spawn(
  process.execPath,
  ["--import", "tsx", "bench/incidents/detect-targets.ts", String(CHECKS)],
  {
    stdio: ["ignore", "pipe", "inherit"],
  },
);
const { control, ports } = await new Promise<{ control: number; ports: number[] }>((resolve) => {
  let out = "";
  targets.stdout!.on("data", (d) => {
    out += d;
    if (out.includes("\n")) resolve(JSON.parse(out));
  });
});
const controlUrl = `http://127.0.0.1:${control}`;
const switchTargets = async (to: "fail" | "ok") =>
  ((await (await fetch(`${controlUrl}/${to}`, { method: "POST" })).json()) as { at: number }).at;
const targetStats = async () =>
  (await (await fetch(`${controlUrl}/stats`)).json()) as { firstFail: (number | null)[]; hits: number[] };

// Seed: a customer, its contract and server; staff; on-call through the API as an operator does it.
const seeded = await seedCustomer(db, [HOST]);
const itemId = seeded.items[0]!.id;
await staffUser(db, "bench-operator", "operator", "bench-operator@bench.example");
const oncallId = await staffUser(db, "bench-oncall", "engineer", ONCALL_EMAIL);
const serve = await startServe(dbh.url);
const op = await logIn(serve.base, "bench-operator");
const jstWeekAgo = new Date(Date.now() + 9 * 3_600_000 - 7 * 86_400_000).toISOString().slice(0, 16);
const schedule = await op.req<{ id: string }>("POST", "/oncall/schedules", {
  name: "一次対応",
  layers: [{ name: "24/7", start: jstWeekAgo, shiftHours: 168, members: [oncallId] }],
});
if (schedule.status !== 201) throw new Error(`schedule: ${schedule.status} ${JSON.stringify(schedule.json)}`);
const policy = await op.req("POST", "/escalation-policies", {
  name: "標準",
  isDefault: true,
  repeat: 0,
  steps: [{ escalateAfterMinutes: 15, targets: [{ kind: "schedule", id: schedule.json.id }] }],
});
if (policy.status !== 201) throw new Error(`policy: ${policy.status} ${JSON.stringify(policy.json)}`);
const checkName = (i: number) => `web-check-${String(i).padStart(3, "0")}`;
const checkIds: string[] = [];
for (let i = 0; i < CHECKS; i++) {
  const r = await op.req<{ id: string }>("POST", "/checks", {
    kind: "http",
    name: checkName(i),
    itemId,
    ...POLICY,
    settings: { url: `http://127.0.0.1:${ports[i]}/health`, method: "GET" },
  });
  if (r.status !== 201) throw new Error(`check: ${r.status} ${JSON.stringify(r.json)}`);
  checkIds.push(r.json.id);
}
await stopChild(serve.child);

// The product's processes: a worker (engine + outbox to the SMTP server) and a probe.
const worker = await spawnUnyo(["worker"], {
  DATABASE_URL: dbh.url,
  SMTP_HOST: "127.0.0.1",
  SMTP_PORT: String(mail.port),
  MAIL_FROM: "Unyo <unyo@bench.example>",
});
const probe = await spawnUnyo(["probe"], { DATABASE_URL: dbh.url });
const upCount = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM check_states WHERE state = 'up'`.execute(db))
    .rows[0]!.n;
await until("every check up", async () => (await upCount()) === CHECKS, 60_000);
await sleep(10_000); // run up: a few healthy runs each

interface Sample {
  check: number;
  total: number;
  toFirstFailedRun: number;
  toConfirmingRun: number;
  eventToIncident: number;
  incidentToPage: number;
  pageToSmtp: number;
}
const samples: Sample[] = [];
const problems: string[] = [];
const cpu0 = { worker: cpuMsOf(worker.pid!), probe: cpuMsOf(probe.pid!) };
for (let round = 1; round <= ROUNDS; round++) {
  const before = mail.received.length;
  // A random instant within the checks' interval: otherwise each round, started a fixed time after the
  // checks came up again (on their slots), would fail at the same point of every check's rhythm.
  await sleep(Math.random() * POLICY.intervalS * 1000);
  const failAt = await switchTargets("fail");
  const paged = () =>
    new Set(
      mail.received
        .slice(before)
        .map((m) => /web-check-\d{3}/.exec(m.subject)?.[0])
        .filter(Boolean),
    ).size;
  await until(`${CHECKS} page e-mails (round ${round})`, async () => paged() >= CHECKS, 180_000);
  const stats = await targetStats();
  // What the database says of each check's failure: its event, incident, page, notice and delivery.
  const rows = (
    await sql<{
      check_id: string;
      event_at: Date;
      handled_at: Date;
      number: number;
      page_at: Date;
      notice_at: Date;
      delivery_id: string;
      sent_at: Date | null;
    }>`
      SELECT e.check_id, e.at AS event_at, e.handled_at, i.number, p.at AS page_at, n.created_at AS notice_at,
        d.id AS delivery_id, d.sent_at
      FROM check_events e
      JOIN incidents i ON i.check_id = e.check_id AND i.opened_at = e.at
      JOIN pages p ON p.incident_id = i.id AND p.round = 0 AND p.step = 0
      JOIN notices n ON n.id = p.notice_id
      JOIN notice_deliveries d ON d.notice_id = n.id AND d.channel = 'email' AND d.email = ${ONCALL_EMAIL}
      WHERE e.to_state = 'down' AND e.at >= ${new Date(failAt - 1000)}`.execute(db)
  ).rows;
  const byNumber = new Map(rows.map((r) => [Number(r.number), r]));
  const firstMail = new Map<string, (typeof mail.received)[number]>();
  for (const m of mail.received.slice(before)) {
    const inc = /INC-(\d+)/.exec(m.subject);
    const row = inc ? byNumber.get(Number(inc[1])) : undefined;
    if (!row) {
      problems.push(`round ${round}: an e-mail with no incident of this round: ${m.subject}`);
      continue;
    }
    const i = checkIds.indexOf(row.check_id);
    if (!m.subject.includes(checkName(i)))
      problems.push(
        `round ${round}: INC-${row.number} is ${checkName(i)}'s but the subject reads ${m.subject}`,
      );
    if (m.headers.get("x-unyo-delivery") !== row.delivery_id)
      problems.push(`round ${round}: INC-${row.number}'s e-mail is not its delivery ${row.delivery_id}`);
    if (!m.to.includes(ONCALL_EMAIL))
      problems.push(`round ${round}: INC-${row.number} paged ${m.to.join(",")}`);
    if (!firstMail.has(row.check_id)) firstMail.set(row.check_id, m);
  }
  if (rows.length !== CHECKS) problems.push(`round ${round}: ${rows.length} incidents paged, not ${CHECKS}`);
  for (const r of rows) {
    const i = checkIds.indexOf(r.check_id);
    const m = firstMail.get(r.check_id);
    const firstFail = stats.firstFail[i];
    if (!m || firstFail == null) {
      problems.push(`round ${round}: ${checkName(i)} has no e-mail or no failed run`);
      continue;
    }
    samples.push({
      check: i,
      total: m.acceptedAt - failAt,
      toFirstFailedRun: firstFail - failAt,
      toConfirmingRun: r.event_at.getTime() - failAt,
      eventToIncident: r.handled_at.getTime() - r.event_at.getTime(),
      incidentToPage: r.notice_at.getTime() - r.handled_at.getTime(),
      pageToSmtp: m.acceptedAt - r.notice_at.getTime(),
    });
  }
  const mine = samples.slice(-rows.length).map((s) => s.total);
  mine.sort((a, b) => a - b);
  console.log(
    `  round ${round}: ${rows.length} incidents paged; failure → e-mail p50 ${(pct(mine, 50) / 1000).toFixed(1)} s, max ${((mine.at(-1) ?? 0) / 1000).toFixed(1)} s`,
  );
  // Healthy again; every incident restored before the next round.
  await switchTargets("ok");
  await until(
    "every check up and every incident restored",
    async () =>
      (await upCount()) === CHECKS &&
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM incidents WHERE status <> 'resolved'`.execute(
          db,
        )
      ).rows[0]!.n === 0,
    120_000,
  );
  await sleep(5_000);
}
const cpu = { worker: cpuMsOf(worker.pid!) - cpu0.worker, probe: cpuMsOf(probe.pid!) - cpu0.probe };
const pages = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM pages`.execute(db)).rows[0]!.n;
const extraMails = mail.received.length - samples.length;
await stopChild(probe);
await stopChild(worker);
await stopChild(targets);
await mail.close();

const figures = (f: (s: Sample) => number) => {
  const xs = samples.map(f).sort((a, b) => a - b);
  return {
    p50: Number((pct(xs, 50) / 1000).toFixed(2)),
    p95: Number((pct(xs, 95) / 1000).toFixed(2)),
    p99: Number((pct(xs, 99) / 1000).toFixed(2)),
    max: Number(((xs.at(-1) ?? 0) / 1000).toFixed(2)),
    median: Number((median(xs) / 1000).toFixed(2)),
  };
};
const parts: [string, (s: Sample) => number][] = [
  ["failure → e-mail accepted by the SMTP server (total)", (s) => s.total],
  ["  failure → first failed run (seen at the target)", (s) => s.toFirstFailedRun],
  [
    "  failure → confirming run (2nd failed run: the check event's time) — the policy's part",
    (s) => s.toConfirmingRun,
  ],
  ["  confirming run → incident opened (probe's write + engine took the event)", (s) => s.eventToIncident],
  ["  incident opened → page notice queued (escalation step 1)", (s) => s.incidentToPage],
  ["  page queued → SMTP accepted (job queue poll + delivery)", (s) => s.pageToSmtp],
  ["  confirming run → e-mail accepted (Unyo's own part)", (s) => s.total - s.toConfirmingRun],
];
console.log(
  `\nDetection to first page e-mail: ${CHECKS} HTTP checks (interval ${POLICY.intervalS} s, timeout ${POLICY.timeoutMs / 1000} s, retries ${POLICY.retries}, down after ${POLICY.downAfter} consecutive failed runs), all failing at one instant, ${ROUNDS} rounds, ${samples.length} samples; unyo probe + unyo worker + SMTP on loopback, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}:`,
);
console.log("| seconds | p50 | p95 | p99 | max |");
console.log("|---|---|---|---|---|");
const out: Record<string, ReturnType<typeof figures>> = {};
for (const [name, f] of parts) {
  const x = figures(f);
  out[name.trim()] = x;
  console.log(`| ${name} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.max} |`);
}
console.log(
  `pages recorded ${pages}, e-mails accepted ${mail.received.length} (${extraMails} beyond the first page of each incident); worker CPU ${(cpu.worker / 1000).toFixed(1)} s, probe CPU ${(cpu.probe / 1000).toFixed(1)} s over the rounds; ${problems.length ? `PROBLEMS:\n  ${problems.join("\n  ")}` : "every e-mail mapped to its incident and check"}`,
);
console.log(
  JSON.stringify({
    bench: "detect",
    date: new Date().toISOString(),
    checks: CHECKS,
    rounds: ROUNDS,
    policy: POLICY,
    samples: samples.length,
    seconds: out,
    pages,
    emails: mail.received.length,
    problems: problems.length,
  }),
);
await dbh.close();
if (problems.length > 0 || samples.length !== CHECKS * ROUNDS) process.exitCode = 1;
