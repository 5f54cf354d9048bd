/**
 * The `unyo` command. Exit codes: 0 ok, 1 failure, 2 bad usage or input. Each command's module is
 * imported only when that command runs, so `unyo --help` loads nothing but this file.
 */
import { AppError } from "../core/errors.ts";
import { type Command, type Out, Refusal, UsageError, wantsHelp } from "./command.ts";

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  start: {
    summary: "all-in-one: web + worker, on embedded PostgreSQL unless DATABASE_URL is set",
    load: async () => (await import("./server.ts")).startCommand,
  },
  serve: {
    summary: "the web process (HTTP API + web UI)",
    load: async () => (await import("./server.ts")).serveCommand,
  },
  worker: {
    summary: "the worker process (queued and scheduled jobs)",
    load: async () => (await import("./server.ts")).workerCommand,
  },
  probe: {
    summary: "a probe process (monitoring checks; any number share them through leases)",
    load: async () => (await import("./server.ts")).probeCommand,
  },
  migrate: {
    summary: "apply pending database migrations",
    load: async () => (await import("./data.ts")).migrateCommand,
  },
  seed: {
    summary: "load the demo data (idempotent)",
    load: async () => (await import("./data.ts")).seedCommand,
  },
  user: {
    summary: "user create: create a user and print its initial password",
    load: async () => (await import("./data.ts")).userCommand,
  },
  audit: {
    summary: "audit verify: recompute every link of the audit log's hash chain",
    load: async () => (await import("./data.ts")).auditCommand,
  },
  billing: {
    summary: "run | issue | export | import-usage | debit-request | import-debit",
    load: async () => (await import("../billing/cli.ts")).billingCommand,
  },
  custody: {
    summary: "add-key | rewrap | status | remove-key: rotate credential custody's master key",
    load: async () => (await import("../monitoring/cli.ts")).custodyCommand,
  },
  clock: {
    summary: "show | set | advance: the test clock of a non-production instance (UNYO_TEST_CLOCK=1)",
    load: async () => (await import("./clock.ts")).clockCommand,
  },
  rules: {
    summary: "the terms' rules with article citations, as JSON (no database needed)",
    load: async () => (await import("../rules/cli.ts")).rulesCommand,
  },
};

export const HELP = `unyo — operations support service platform (運用支援サービス)

Usage: unyo <command> [options]        unyo <command> --help for a command's options

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}
  help       this text

Environment:
  UNYO_HOME          local state folder (default ./.unyo): embedded PostgreSQL data
  DATABASE_URL       use this PostgreSQL instead of the embedded one
  PORT, HOST, LOG_LEVEL, UNYO_DEMO (1 default, 0 off), UNYO_SECURE_COOKIES,
  UNYO_SESSION_IDLE_MINUTES (30), UNYO_SESSION_ABSOLUTE_HOURS (12),
  UNYO_TEST_CLOCK (1: a test clock admins can move; refused with NODE_ENV=production)
  UNYO_KEYS_FILE     credential custody's master keys (JSON, mode 0600), or UNYO_MASTER_KEY (base64)
  UNYO_RESULT_RETENTION_DAYS (30), UNYO_MINUTE_ROLLUP_DAYS (90): monitoring data kept
`;

export async function main(
  argv: string[],
  out: Out = { log: console.log, err: console.error },
): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === "help" || cmd === "--help" || cmd === "-h") {
      if (cmd === "help" && rest[0] && COMMANDS[rest[0]]) return await main([rest[0], "--help"], out);
      out.log(HELP);
      return cmd === undefined ? 2 : 0;
    }
    const entry = COMMANDS[cmd];
    if (!entry) throw new UsageError(`unknown command "${cmd}"`);
    const command = await entry.load();
    if (wantsHelp(rest)) {
      out.log(command.helpFor?.(rest) ?? command.help);
      return 0;
    }
    return await command.run(rest, out);
  } catch (err) {
    return failed(err, out);
  }
}

/** Expected refusals are one line; only the unexpected shows a stack. */
export async function failed(err: unknown, out: Out): Promise<number> {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
    out.err(`unyo: ${(err as Error).message}\nRun "unyo help" for usage.`);
    return 2;
  }
  if (err instanceof AppError) {
    out.err(`unyo: ${err.message}${err.article ? ` (Art. ${err.article})` : ""}`);
    return err.status < 500 ? 2 : 1;
  }
  if (err instanceof Refusal) {
    out.err(`unyo: ${(err as Error).message}`);
    return 1;
  }
  out.err(`unyo: ${(err as Error).stack ?? err}`);
  return 1;
}
