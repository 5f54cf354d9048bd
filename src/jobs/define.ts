/**
 * A job: its name, the zod schema of its payload, when it runs (a cron line in Asia/Tokyo), how it
 * is retried, and a handler that calls its room's service. One job per file, in the room's `jobs/`.
 */
import type { Logger } from "pino";
import type { z } from "zod";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { Db } from "../db/db.ts";
import type { JobQueue } from "./queue.ts";

export interface JobContext {
  db: Db;
  clock: Clock;
  config: Config;
  log: Pick<Logger, "info" | "warn" | "error">;
  queue: JobQueue;
}

export interface JobDef<P extends z.ZodType = z.ZodType> {
  /** `room.what`, e.g. `contracts.complete-ends`. */
  name: string;
  summary: string;
  payload: P;
  /** A cron line read in Asia/Tokyo (JST), e.g. `* * * * *` every minute. */
  schedule?: string;
  /**
   * A daily job of the business calendar: it also runs at once when an admin moves the test clock
   * (so that a rehearsed month end or effective date does its work).
   */
  calendar?: boolean;
  /** Queued when a worker starts (catch up on what fell due while none ran). */
  onStart?: boolean;
  /** Retries after a failure: how many, the first delay in seconds, doubling when `backoff`. */
  retry?: { limit: number; delaySeconds: number; backoff: boolean };
  /** A job running longer than this is taken as lost (its process died) and retried. */
  expireInSeconds?: number;
  /** `short`: at most one waiting job of this name (a trigger that coalesces); default `standard`. */
  policy?: "standard" | "short" | "singleton" | "stately";
  handler(ctx: JobContext, payload: z.output<P>): Promise<Record<string, number> | undefined | undefined>;
}

export function defineJob<P extends z.ZodType>(def: JobDef<P>): JobDef<P> {
  return def;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of jobs with different payloads
export type AnyJob = JobDef<any>;
