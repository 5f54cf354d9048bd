/**
 * The `unyo` command. Exit codes: 0 ok, 1 failure, 2 bad usage or input.
 */
import path from "node:path";
import { parseArgs } from "node:util";
import pino from "pino";
import { verifyAudit } from "../audit/service.ts";
import { billingJobs } from "../billing/jobs.ts";
import { contractJobs } from "../contracts/jobs.ts";
import { systemClock } from "../core/clock.ts";
import { type Config, loadConfig } from "../core/config.ts";
import { AppError } from "../core/errors.ts";
import { migrate } from "../db/db.ts";
import { openDatabase } from "../db/runtime.ts";
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from "../db/seed.ts";
import { buildApp } from "../http/app.ts";
import { identityJobs } from "../identity/jobs.ts";
import { CUSTOMER_ROLES, type Role, STAFF_ROLES } from "../identity/rules.ts";
import { createUser } from "../identity/service.ts";
import { Worker } from "../jobs/worker.ts";
import { noticeJobs } from "../notices/jobs.ts";

export class UsageError extends Error {}

/** Demo billing: the last two months billed and issued, so the console and portal have invoices to show. */
async function seedBillingDemo(db: Parameters<typeof seedDemo>[0]) {
  const { BillingService } = await import("../billing/service.ts");
  const { addMonthsToMonth, monthOf, tokyoDate } = await import("../core/dates.ts");
  const billing = new BillingService(db, systemClock);
  const thisMonth = monthOf(tokyoDate(new Date()));
  for (const m of [addMonthsToMonth(thisMonth, -2), addMonthsToMonth(thisMonth, -1)])
    await billing.run(m, { issue: true });
}

/** Every scheduled job of every module, for `unyo worker` and `unyo start`. */
function allJobs(config: Config) {
  return [...identityJobs, ...contractJobs(systemClock), ...billingJobs(systemClock), ...noticeJobs(config)];
}

const HELP = `unyo — operations support service platform (運用支援サービス)

Usage: unyo <command> [options]

Commands:
  start              all-in-one: web + worker, on embedded PostgreSQL unless DATABASE_URL is set;
                     migrates, loads demo data on first start (UNYO_DEMO=0 to skip), builds the web UI
  serve              the web process (HTTP API + web UI)
  worker             the worker process (scheduled jobs)
  migrate            apply pending database migrations
  seed               load the demo data (idempotent)
  user create        create a user and print its initial password
      --kind staff|customer --role ROLE --login ID --name NAME --email EMAIL [--customer UUID]
  audit verify       recompute every link of the audit log's hash chain
  billing run --month YYYY-MM [--issue]   the monthly billing run (progress bar; exactly once)
  billing issue|export --month YYYY-MM    issue the month's drafts / CSV for accounting software
  billing import-usage FILE --format aws-cur|generic [--rate R]   cloud usage pass-through
  billing import-debit FILE [--year YYYY]  a 全銀 direct-debit result file
  rules NAME …       the terms' date rules with article citations (JSON; no database needed):
                     minimum-term, cancellation, cooling-off, inquiry-deadline, terms-change,
                     abolition, corporate-number, late-fee, invoice-tax, sla-credit, special-fee,
                     damages-cap, invoice-number, late-start — "unyo rules help" for their options
  help               this text

Options for start/serve:
  --port N           listen port (default $PORT or 8080)
  --host H           listen address (default 0.0.0.0)

Environment:
  UNYO_HOME          local state folder (default ./.unyo): embedded PostgreSQL data
  DATABASE_URL       use this PostgreSQL instead of the embedded one
  PORT, HOST, LOG_LEVEL, UNYO_DEMO (1 default, 0 off), UNYO_SECURE_COOKIES,
  UNYO_SESSION_IDLE_MINUTES (30), UNYO_SESSION_ABSOLUTE_HOURS (12)
`;

type Out = { log: (s: string) => void; err: (s: string) => void };

function portOption(value: string | undefined): Partial<Config> {
  if (value === undefined) return {};
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be 0–65535, got "${value}"`);
  return { port };
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
  const logger = pino({ level: config.logLevel });
  const started = Date.now();
  if (mode === "start") {
    const { ensureWebBuilt } = await import("./web-build.ts");
    await ensureWebBuilt((s) => logger.info(s));
  }
  const handle = await openDatabase(config, { log: (l) => logger.debug(l), owner: mode === "start" });
  let mailSink: { port: number; close(): Promise<void> } | undefined;
  if (mode === "start" && !config.smtp) {
    const { startMailSink } = await import("../notices/sink.ts");
    mailSink = await startMailSink(path.join(config.home, "mail"));
    config.smtp = { host: "127.0.0.1", port: mailSink.port, secure: false, user: undefined, pass: undefined };
  }
  let seeded = false;
  if (mode === "start" && config.demo) seeded = await seedDemo(handle.db);
  if (seeded) await seedBillingDemo(handle.db);
  const { app } = await buildApp({ db: handle.db, config, logger });
  const worker = mode === "start" ? new Worker(handle.db, allJobs(config), systemClock, logger) : undefined;
  await app.listen({ port: config.port, host: config.host });
  worker?.start();
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  out.log(`\nUnyo is running at ${url}  (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  out.log(
    `  API docs: ${url}/api/docs    database: ${handle.embedded ? `embedded PostgreSQL under ${config.home}` : "DATABASE_URL"}`,
  );
  if (config.demo && mode === "start") {
    out.log(`  Demo log-ins${seeded ? " (created now)" : ""} — password for all: ${DEMO_PASSWORD}`);
    for (const d of DEMO_LOGINS)
      out.log(
        `    ${d.loginId.padEnd(14)} ${d.role.padEnd(16)} ${d.customer ?? "provider staff"}${d.note ? ` (${d.note})` : ""}`,
      );
  }
  await new Promise<void>((resolve) => {
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, "shutting down: finishing in-flight requests and jobs");
      await app.close();
      await worker?.stop();
      await mailSink?.close();
      await handle.close();
      resolve();
    };
    process.once("SIGINT", () => void shutdown("SIGINT"));
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
  });
  return 0;
}

async function runWorker(out: Out): Promise<number> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel });
  const handle = await openDatabase(config);
  const jobs = allJobs(config);
  const worker = new Worker(handle.db, jobs, systemClock, logger);
  worker.start();
  out.log(`Unyo worker running ${jobs.length} job(s); Ctrl-C to stop`);
  await new Promise<void>((resolve) => {
    const stop = async () => {
      await worker.stop();
      await handle.close();
      resolve();
    };
    process.once("SIGINT", () => void stop());
    process.once("SIGTERM", () => void stop());
  });
  return 0;
}

async function withDb<T>(
  fn: (h: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>,
  migrateFirst = true,
): Promise<T> {
  const handle = await openDatabase(loadConfig(), { migrate: migrateFirst });
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

async function userCreate(argv: string[], out: Out): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      kind: { type: "string" },
      role: { type: "string" },
      login: { type: "string" },
      name: { type: "string" },
      email: { type: "string" },
      customer: { type: "string" },
    },
    strict: true,
  });
  for (const k of ["kind", "role", "login", "name", "email"] as const)
    if (!values[k]) throw new UsageError(`user create: --${k} is required`);
  if (values.kind !== "staff" && values.kind !== "customer")
    throw new UsageError("--kind must be staff or customer");
  const roles: readonly string[] = values.kind === "staff" ? STAFF_ROLES : CUSTOMER_ROLES;
  if (!roles.includes(values.role!))
    throw new UsageError(`--role for ${values.kind} must be one of: ${roles.join(", ")}`);
  if (!/^[A-Za-z0-9._@-]{3,64}$/.test(values.login!))
    throw new UsageError("--login: 3–64 letters, digits, . _ @ -");
  if (!/^[^\s@]+@[^\s@]+$/.test(values.email!)) throw new UsageError("--email is not an e-mail address");
  if (values.kind === "customer" && !values.customer)
    throw new UsageError("--customer UUID is required for a customer user");
  if (values.customer && !/^[0-9a-f-]{36}$/i.test(values.customer))
    throw new UsageError("--customer must be a UUID");
  const result = await withDb((h) =>
    h.db.transaction().execute((tx) =>
      createUser(
        tx,
        { kind: "system", id: null },
        {
          kind: values.kind as "staff" | "customer",
          role: values.role as Role,
          loginId: values.login!,
          displayName: values.name!,
          email: values.email!,
          customerId: values.customer ?? null,
        },
        new Date(),
      ),
    ),
  );
  out.log(
    `created ${result.user.kind} user ${result.user.loginId} (${result.user.role}) id=${result.user.id}`,
  );
  out.log(
    `initial password (hand over through the designated channel; must be changed at first log-in, Art. 10): ${result.initialPassword}`,
  );
  return 0;
}

export async function main(
  argv: string[],
  out: Out = { log: console.log, err: console.error },
): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out.log(HELP);
        return cmd === undefined ? 2 : 0;
      case "start":
        return await runServer(rest, out, "start");
      case "serve":
        return await runServer(rest, out, "serve");
      case "worker":
        return await runWorker(out);
      case "migrate": {
        const result = await withDb((h) => migrate(h.db), false);
        out.log(
          result.applied.length ? `applied: ${result.applied.join(", ")}` : `up to date (${result.latest})`,
        );
        return 0;
      }
      case "seed": {
        const created = await withDb(async (h) => {
          const made = await seedDemo(h.db);
          if (made) await seedBillingDemo(h.db);
          return made;
        });
        out.log(created ? "demo data loaded" : "demo data already present");
        return 0;
      }
      case "user":
        if (rest[0] === "create") return await userCreate(rest.slice(1), out);
        throw new UsageError(`unknown user subcommand "${rest[0] ?? ""}" (try: user create)`);
      case "rules": {
        const { runRules } = await import("../rules/cli.ts");
        const r = runRules(rest);
        if (r.out) out.log(r.out);
        if (r.err) out.err(r.err);
        return r.code;
      }
      case "billing": {
        const { runBillingCli, BillingUsageError } = await import("../billing/cli.ts");
        try {
          return await withDb((h) => runBillingCli(h.db, rest, out));
        } catch (err) {
          if (err instanceof BillingUsageError) throw new UsageError(err.message);
          throw err;
        }
      }
      case "audit": {
        if (rest[0] !== "verify")
          throw new UsageError(`unknown audit subcommand "${rest[0] ?? ""}" (try: audit verify)`);
        const report = await withDb((h) => verifyAudit(h.db));
        const rate = report.seconds > 0 ? Math.round(report.entries / report.seconds) : report.entries;
        if (report.ok) {
          out.log(
            `audit log OK: ${report.entries} entries verified in ${report.seconds.toFixed(2)} s (${rate}/s)`,
          );
          return 0;
        }
        out.err(`audit log BROKEN: ${report.problems.length} problem(s) in ${report.entries} entries`);
        for (const p of report.problems) out.err(`  seq ${p.seq}: ${p.kind}`);
        return 1;
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      out.err(`unyo: ${(err as Error).message}\nRun "unyo help" for usage.`);
      return 2;
    }
    if (err instanceof AppError) {
      out.err(`unyo: ${err.message}`);
      return err.status < 500 ? 2 : 1;
    }
    out.err(`unyo: ${(err as Error).stack ?? err}`);
    return 1;
  }
}
