/** `unyo start`, `unyo serve`, `unyo worker`: the long-running processes. */
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { processClock } from "../admin/clock.ts";
import { type Config, loadConfig } from "../core/config.ts";
import { addMonthsToMonth, monthOf, tokyoDate } from "../core/dates.ts";
import { isDatabaseUnavailable } from "../db/db.ts";
import { openDatabase } from "../db/runtime.ts";
import { buildApp } from "../http/app.ts";
import { IncidentEngine } from "../incidents/engine.ts";
import { allJobs, jobQueue } from "../jobs/registry.ts";
import { Probe } from "../monitoring/probe/probe.ts";
import { type Command, type Out, UsageError } from "./command.ts";
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from "./demo.ts";

function portOption(value: string | undefined): Partial<Config> {
  if (value === undefined) return {};
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0–65535, got "${value}"`);
  return { port };
}

/**
 * Never in a log line: credentials, cookies, tokens, a credential's secret or a reveal's answer
 * (Art. 7(1), 35). Pino replaces them wherever a request, an error or an object logs them.
 */
export const LOG_REDACTION = {
  paths: [
    "req.headers.authorization",
    "req.headers.cookie",
    'req.headers["x-csrf-token"]',
    'res.headers["set-cookie"]',
    "secret",
    "*.secret",
    "password",
    "*.password",
    "body.secret",
    "body.password",
  ],
  censor: "[redacted]",
};

/**
 * Credential custody's master keys (Art. 7(1)): UNYO_KEYS_FILE or UNYO_MASTER_KEY. `unyo start`
 * outside production makes a key file under UNYO_HOME when none is set, so the demo can hold
 * credentials; production must be given its key (custody answers 503 without one).
 */
async function custodyKeys(config: Config, allInOne: boolean, logger: pino.Logger) {
  const { loadKeyRing, generateKeyFile } = await import("../monitoring/custody/keyring.ts");
  const given = loadKeyRing(process.env);
  if (given || !allInOne || process.env.NODE_ENV === "production") {
    if (!given) logger.warn("no UNYO_KEYS_FILE or UNYO_MASTER_KEY: credential custody is unavailable");
    return given;
  }
  const fs = await import("node:fs");
  const file = path.join(config.home, "custody-keys.json");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(config.home, { recursive: true });
    generateKeyFile(file);
    logger.info({ file }, "made a custody key file for this home (set UNYO_KEYS_FILE in production)");
  }
  return loadKeyRing({ UNYO_KEYS_FILE: file });
}

/** Demo billing: the last two months billed and issued, so the console and portal have invoices to show. */
export async function seedBillingDemo(deps: Parameters<typeof import("../billing/runs.ts").runBilling>[0]) {
  const { runBilling } = await import("../billing/runs.ts");
  const thisMonth = monthOf(tokyoDate(deps.clock.now()));
  for (const m of [addMonthsToMonth(thisMonth, -2), addMonthsToMonth(thisMonth, -1)])
    await runBilling(deps, m, { issue: true });
}

/**
 * A library's promise rejected because the database went away (the job queue completing a job as
 * the server dies) must not end a process that recovers by itself when the database is back: such a
 * rejection is logged; any other unhandled rejection still ends the process, as Node does.
 */
function surviveDatabaseOutages(log: pino.Logger) {
  process.on("unhandledRejection", (reason) => {
    if (isDatabaseUnavailable(reason)) {
      log.warn(
        { code: (reason as { code?: string }).code },
        "database unavailable (a background step failed; it is retried)",
      );
      return;
    }
    throw reason;
  });
}

/** Resolve on SIGINT/SIGTERM after `stop` has finished. */
function untilSignal(stop: (signal: string) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let closing = false;
    const onSignal = (signal: string) => {
      if (closing) return;
      closing = true;
      void stop(signal).finally(resolve);
    };
    process.once("SIGINT", () => onSignal("SIGINT"));
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    // Run by `npm start` and npm gone without passing a signal on (killed with SIGKILL): this one stops
    // too, with its PostgreSQL, instead of serving orphaned. Only under npm: a process started with
    // nohup or by a supervisor that re-parents it goes on.
    if (!process.env.npm_lifecycle_event) return;
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid !== parent) {
        clearInterval(watch);
        onSignal("parent exited");
      }
    }, 1_000);
    watch.unref();
  });
}

async function runServer(argv: string[], out: Out, mode: "start" | "serve"): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: "string" }, host: { type: "string" } },
    strict: true,
  });
  const config = loadConfig(process.env, {
    ...portOption(values.port),
    ...(values.host ? { host: values.host } : {}),
  });
  const logger = pino({ level: config.logLevel, redact: LOG_REDACTION });
  surviveDatabaseOutages(logger);
  const started = Date.now();
  // Before anything starts: a second `unyo start` on this home is refused here, touching nothing.
  const homeLock = mode === "start" ? (await import("./home-lock.ts")).lockHome(config.home) : undefined;
  if (mode === "start") {
    const { ensureWebBuilt } = await import("./web-build.ts");
    await ensureWebBuilt((s) => logger.info(s));
  }
  const handle = await openDatabase(config, { log: (l) => logger.debug(l), owner: mode === "start" });
  const { clock, stop: stopClock } = await processClock(config, handle.db);
  let mailSink: { port: number; close(): Promise<void> } | undefined;
  if (mode === "start" && !config.smtp) {
    const { startMailSink } = await import("../notices/sink.ts");
    mailSink = await startMailSink(path.join(config.home, "mail"));
    config.smtp = { host: "127.0.0.1", port: mailSink.port, secure: false, user: undefined, pass: undefined };
  }
  // `unyo start` is web and worker in one; `unyo serve` only enqueues.
  const queue = jobQueue({
    url: handle.url,
    db: handle.db,
    clock,
    config,
    log: logger,
    role: mode === "start" ? "worker" : "client",
  });
  await queue.start();
  let seeded = false;
  if (mode === "start" && config.demo) seeded = await seedDemo(handle.db);
  if (seeded) await seedBillingDemo({ db: handle.db, clock });
  const keys = await custodyKeys(config, mode === "start", logger);
  const { app } = await buildApp({
    db: handle.db,
    config,
    clock,
    logger,
    queue,
    sessionCacheUrl: handle.url,
    keys,
  });
  if (mode === "start") await queue.work();
  // The incidents engine runs with the worker: checks' state changes → incidents → pages and notices.
  const engine =
    mode === "start"
      ? new IncidentEngine({ db: handle.db, queue, clock, config }, { url: handle.url, log: logger })
      : undefined;
  await engine?.start();
  // `unyo start` runs the checks too (a probe in the same process).
  const probe = mode === "start" ? new Probe({ db: handle.db, log: logger }) : undefined;
  await probe?.start();
  // Before listening (the URL is printed once it serves): demo checks watch this instance's own port.
  if (seeded && config.port)
    await (await import("../monitoring/demo.ts")).seedMonitoringDemo(handle.db, config.port);
  if (seeded) await (await import("../incidents/demo.ts")).seedIncidentsDemo(handle.db);
  await app.listen({ port: config.port, host: config.host });
  // Signals are taken before the process says it runs (see the worker).
  let clean = true;
  const stopped = untilSignal(async (signal) => {
    logger.info({ signal }, "shutting down: finishing in-flight requests and jobs");
    // Every step runs even when one before it fails, so that PostgreSQL and the home lock are always
    // let go of; a step failing because the database went away (an outage just before) is no failure.
    const steps: [string, () => unknown][] = [
      ["web server", () => app.close()],
      ["probe", () => probe?.stop()],
      ["incidents engine", () => engine?.stop()],
      ["job queue", () => queue.stop()],
      ["clock", () => stopClock()],
      ["mail sink", () => mailSink?.close()],
      ["database", () => handle.close()],
      ["home lock", () => homeLock?.release()],
    ];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (err) {
        if (isDatabaseUnavailable(err)) logger.warn({ what }, "stopped while the database was unavailable");
        else {
          clean = false;
          logger.error({ err, what }, "could not stop cleanly");
        }
      }
    }
  });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  out.log(`\nUnyo is running at ${url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  out.log(
    `  API docs: ${url}/api/docs    database: ${handle.embedded ? `embedded PostgreSQL under ${config.home}` : "DATABASE_URL"}`,
  );
  if (config.testClock) out.log(`  TEST CLOCK on: it is ${clock.now().toISOString()} for this instance`);
  if (config.demo && mode === "start") {
    out.log(`  Demo log-ins${seeded ? " (created now)" : ""} — password for all: ${DEMO_PASSWORD}`);
    for (const d of DEMO_LOGINS)
      out.log(
        `    ${d.loginId.padEnd(14)} ${d.role.padEnd(16)} ${d.customer ?? "provider staff"}${d.note ? ` (${d.note})` : ""}`,
      );
  }
  await stopped;
  return clean ? 0 : 1;
}

export const startCommand: Command = {
  help: `unyo start [--port N] [--host H]
  All-in-one: the web process and the worker in one process, on an embedded PostgreSQL under
  UNYO_HOME unless DATABASE_URL is set. Applies the migrations, loads the demo data on the first start
  (UNYO_DEMO=0 to skip), builds the web UI when needed. Ctrl-C or SIGTERM stops it and its PostgreSQL.`,
  run: (argv, out) => runServer(argv, out, "start"),
};

export const serveCommand: Command = {
  help: `unyo serve [--port N] [--host H]
  The web process: the HTTP API under /api/v1 and the web UI. Run any number against one database.`,
  run: (argv, out) => runServer(argv, out, "serve"),
};

export const probeCommand: Command = {
  help: `unyo probe
  A probe process: runs the monitoring checks. Probes share the checks through leases in PostgreSQL
  (256 shards; each takes a fair share; a stopped or killed probe's shards are taken over within a
  lease period, 5 s, plus a renewal, 1 s). Needs only DATABASE_URL: run any number, on any machine
  that reaches the database and the monitored targets.`,
  async run(argv) {
    if (argv.length > 0) throw new UsageError(`probe takes no arguments, got "${argv.join(" ")}"`);
    const config = loadConfig();
    const logger = pino({ level: config.logLevel, redact: LOG_REDACTION });
    surviveDatabaseOutages(logger);
    const handle = await openDatabase(config);
    const probe = new Probe({ db: handle.db, log: logger });
    await probe.start();
    const stopped = untilSignal(async () => {
      await probe.stop();
      await handle.close();
    });
    console.log(
      `Unyo probe ${probe.id} running ${probe.checkCount} check(s) on ${probe.shards.length} shard(s); Ctrl-C to stop`,
    );
    await stopped;
    return 0;
  },
};

export const workerCommand: Command = {
  help: `unyo worker
  The worker process: runs queued jobs (billing runs, notice deliveries), the incidents engine (check
  failures → incidents, escalation pages, customers' incident notices) and the scheduled jobs (the
  contract lifecycle, overdue flags, inquiry reminders, …). Run any number against one database.`,
  async run(argv) {
    if (argv.length > 0) throw new UsageError(`worker takes no arguments, got "${argv.join(" ")}"`);
    const config = loadConfig();
    const logger = pino({ level: config.logLevel, redact: LOG_REDACTION });
    surviveDatabaseOutages(logger);
    const handle = await openDatabase(config);
    const { clock, stop: stopClock } = await processClock(config, handle.db);
    const queue = jobQueue({ url: handle.url, db: handle.db, clock, config, log: logger, role: "worker" });
    await queue.work();
    const engine = new IncidentEngine(
      { db: handle.db, queue, clock, config },
      { url: handle.url, log: logger },
    );
    await engine.start();
    // Signals are taken before the process says it runs: until a listener is added, SIGTERM's default
    // action ends the process at once (a supervisor that stops it on the announcement would kill it).
    const stopped = untilSignal(async () => {
      await engine.stop();
      await queue.stop();
      stopClock();
      await handle.close();
    });
    logger.info({ jobs: allJobs.length }, "Unyo worker running; Ctrl-C to stop");
    console.log(`Unyo worker running ${allJobs.length} job(s); Ctrl-C to stop`);
    await stopped;
    return 0;
  },
};
