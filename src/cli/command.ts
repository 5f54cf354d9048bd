/** What every `unyo` command shares: its shape, usage errors, and how it opens the database. */
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";

export type Out = { log: (s: string) => void; err: (s: string) => void; progress?: (s: string) => void };

export interface Command {
  /** Printed for `unyo <command> --help`. */
  help: string;
  /** The help of a subcommand (`unyo billing run --help`), when the command has subcommands. */
  helpFor?(argv: string[]): string;
  run(argv: string[], out: Out): Promise<number>;
}

/** `--help` or `-h` anywhere among the arguments. */
export const wantsHelp = (argv: string[]) => argv.includes("--help") || argv.includes("-h");

/** Bad usage: exit 2 with one line. */
export class UsageError extends Error {}

/** An expected refusal (no database, another Unyo running, …): exit 1 with one line, no stack. */
export class Refusal extends Error {}

/**
 * Open the instance's database for a command. `existing`: the command reads data that must already
 * be there (exports, billing, audit), so an empty UNYO_HOME is refused instead of creating one.
 */
export async function withDatabase<T>(
  config: Config,
  opts: { existing: boolean; migrate?: boolean },
  fn: (deps: Deps & { url: string; config: Config }) => Promise<T>,
): Promise<T> {
  if (opts.existing && !config.databaseUrl && !fs.existsSync(path.join(config.home, "pgdata", "PG_VERSION")))
    throw new Refusal(
      `no Unyo database at UNYO_HOME=${config.home}: start one with "unyo start" (or create it with "unyo migrate"), or set DATABASE_URL`,
    );
  const [{ openDatabase }, { processClock }, { jobQueue }, pino] = await Promise.all([
    import("../db/runtime.ts"),
    import("../admin/clock.ts"),
    import("../jobs/registry.ts"),
    import("pino"),
  ]);
  const handle = await openDatabase(config, { migrate: opts.migrate ?? true });
  const clock = await processClock(config, handle.db);
  const log = pino.default({ level: config.logLevel === "info" ? "warn" : config.logLevel });
  const queue = jobQueue({ url: handle.url, db: handle.db, clock: clock.clock, config, log, role: "client" });
  try {
    await queue.start();
    return await fn({ db: handle.db, clock: clock.clock, queue, url: handle.url, config });
  } finally {
    clock.stop();
    await queue.stop();
    await handle.close();
  }
}

export function parseIntFlag(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be ${min}–${max}, got "${value}"`);
  return n;
}
