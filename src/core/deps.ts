/**
 * What a use case needs from the process it runs in: the database, the clock (system or test clock)
 * and the job queue. Routes pass their app context, jobs their job context, the CLI its own.
 */
import type { Db } from "../db/db.ts";
import type { JobQueue } from "../jobs/queue.ts";
import type { Clock } from "./clock.ts";
import { type IsoDate, tokyoDate } from "./dates.ts";

export interface Deps {
  db: Db;
  clock: Clock;
  queue: JobQueue;
}

/** Today's business date (Asia/Tokyo) on the deps' clock. */
export const todayOf = (deps: { clock: Clock }): IsoDate => tokyoDate(deps.clock.now());
