/**
 * Issue 14 figure: the console home is interactive within 1 s with 10,000 contracts (2-core machine).
 *
 * A database with CONTRACTS contracts (one customer each), a month of them issued and unpaid (overdue,
 * with late fees accruing), the next month's drafts awaiting issue; a real `unyo serve` on it and Debian's Chromium. Measured in the page: from the start of the
 * navigation to the moment every work queue shows its count and rows (`performance.now()`), cold (a
 * new browser context: nothing cached) and warm (the same context again: assets cached immutable).
 * Baseline in the same run: the log-in page of a new context (the app's shell, one API call).
 */
import { execSync } from "node:child_process";
import { sql } from "kysely";
import { type Browser, chromium, type Page } from "playwright-core";
import { systemActor } from "../src/audit/service.ts";
import { issueMonth } from "../src/billing/issue.ts";
import { runBilling } from "../src/billing/runs.ts";
import { fixedClock } from "../src/core/clock.ts";
import { addMonthsToMonth, monthOf, tokyoDate } from "../src/core/dates.ts";
import { freePort } from "../src/db/embedded.ts";
import { createUser } from "../src/identity/users.ts";
import { benchDatabase, median, spawnNode, stopChild, waitReady } from "./lib.ts";

const CONTRACTS = Number(process.env.CONTRACTS ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);
const PASSWORD = "bench console home 9 staple";

execSync("npm run -s build:web", { stdio: "ignore" });
const dbh = await benchDatabase();
const db = dbh.db;
const thisMonth = monthOf(tokyoDate(new Date()));
const older = addMonthsToMonth(thisMonth, -2);
const last = addMonthsToMonth(thisMonth, -1);

const t0 = performance.now();
await sql`
  INSERT INTO customers (legal_name)
  SELECT '株式会社ベンチ' || i FROM generate_series(1, ${CONTRACTS}) i`.execute(db);
await sql`
  INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
  SELECT 'C-B-' || lpad(row_number() OVER (ORDER BY id)::text, 6, '0'), id, 'active',
         (ARRAY['basic','standard','premium'])[1 + (row_number() OVER (ORDER BY id) % 3)],
         ARRAY['backup']::text[], '[]', 'paper', ${`${older}-01`}::date - 30, ${`${older}-01`}::date - 30
  FROM customers`.execute(db);
await runBilling({ db, clock: fixedClock(new Date(`${last}-01T01:00:00Z`)) }, older);
await issueMonth({ db, clock: fixedClock(new Date(`${last}-01T01:00:00Z`)) }, systemActor, older);
await runBilling({ db, clock: fixedClock(new Date()) }, last);
for (const [loginId, role] of [
  ["bench-billing", "billing"],
  ["bench-operator", "operator"],
] as const)
  await db.transaction().execute((tx) =>
    createUser(
      tx,
      systemActor,
      {
        kind: "staff",
        customerId: null,
        loginId,
        email: `${loginId}@bench.example`,
        displayName: loginId,
        role,
        password: PASSWORD,
      },
      new Date(),
    ),
  );
const counts = await sql<{ contracts: number; issued: number; drafts: number }>`
  SELECT (SELECT count(*) FROM contracts)::int AS contracts,
         (SELECT count(*) FROM invoices WHERE status = 'issued')::int AS issued,
         (SELECT count(*) FROM invoices WHERE status = 'draft')::int AS drafts`.execute(db);
console.log(
  `seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(counts.rows[0])} (issued ${older} unpaid and overdue, ${last} drafts)`,
);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawnNode(["bin/unyo.js", "serve", "--port", String(port), "--host", "127.0.0.1"], {
  DATABASE_URL: dbh.url,
  LOG_LEVEL: "warn",
  UNYO_DEMO: "0",
});
await waitReady(`${base}/readyz`, server);

// Each call the console home makes, alone (median of 5, ms), for where the time goes.
{
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ loginId: "bench-billing", password: PASSWORD }),
  });
  const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  for (const path of [
    "/me",
    "/applications?status=applied&limit=100",
    "/contract-changes?status=requested&limit=100",
    "/billing/overdue?limit=100",
    "/inquiries?limit=100",
    "/invoices?status=draft&limit=100",
    "/notice-deliveries/failing?limit=100",
  ]) {
    const times: number[] = [];
    let status = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = await fetch(`${base}/api/v1${path}`, { headers: { cookie } });
      await r.arrayBuffer();
      status = r.status;
      times.push(performance.now() - t);
    }
    console.log(`  GET ${path.padEnd(46)} ${status} ${median(times).toFixed(1).padStart(7)} ms`);
  }
}

const browser: Browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});

/** ms from the navigation's start until `ready` holds in the page. */
async function timed(page: Page, url: string, ready: () => boolean): Promise<number> {
  await page.goto(url, { waitUntil: "commit" });
  await page.waitForFunction(ready, undefined, { timeout: 30_000, polling: "raf" });
  return page.evaluate(() => performance.now());
}

// Functions, not strings: the page's Content-Security-Policy refuses evaluating strings.
const QUEUES_READY = () => {
  const qs = [...document.querySelectorAll("section.queue")];
  return qs.length >= 4 && qs.every((q) => q.querySelector("ul, p.hint"));
};
const LOGIN_READY = () => !!document.querySelector("input[autocomplete=username], #loginId");

async function logIn(page: Page, loginId: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel("ユーザーID").fill(loginId);
  await page.getByLabel("パスワード").fill(PASSWORD);
  await page.getByRole("button", { name: "ログイン" }).click();
  try {
    await page.waitForFunction(QUEUES_READY, undefined, { timeout: 60_000 });
  } catch (err) {
    await page.screenshot({ path: "test-artifacts/bench-console-home-failed.png" });
    throw err;
  }
}

// One session per role, carried into each new (empty-cached) context.
const sessions: Record<string, Awaited<ReturnType<import("playwright-core").BrowserContext["cookies"]>>> = {};
for (const who of ["billing", "operator"]) {
  const ctx = await browser.newContext();
  await logIn(await ctx.newPage(), `bench-${who}`);
  sessions[who] = await ctx.cookies();
  await ctx.close();
}

const results: Record<string, number[]> = {};
const add = (k: string, v: number) => {
  results[k] ??= [];
  results[k].push(v);
};
for (let r = 0; r < ROUNDS; r++) {
  // Baseline: the shell alone, nothing cached.
  {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    add("login page (shell), cold", await timed(page, `${base}/login`, LOGIN_READY));
    await ctx.close();
  }
  for (const who of ["billing", "operator"]) {
    const cold = await browser.newContext();
    await cold.addCookies(sessions[who]!);
    const page = await cold.newPage();
    add(`console home (${who}), cold`, await timed(page, `${base}/console`, QUEUES_READY));
    add(`console home (${who}), warm`, await timed(page, `${base}/console`, QUEUES_READY));
    await cold.close();
  }
}
await browser.close();
await stopChild(server);
await dbh.close();

const shell = median(results["login page (shell), cold"]!);
console.log(
  `\nconsole home with ${CONTRACTS.toLocaleString("en-US")} contracts, ${ROUNDS} rounds (median ms, range):`,
);
for (const [k, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(
    `  ${k.padEnd(36)} ${m.toFixed(0).padStart(5)} ms  [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]  ${(m / shell).toFixed(2)}× the shell`,
  );
}
