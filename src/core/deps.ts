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

/**
 * The signed-in caller as use cases see it: a browser session or an API token of a staff or customer
 * user (identity's `AuthContext` is one). Rooms below identity take this shape, not identity's types.
 */
export interface Caller {
  kind: "session" | "token";
  user: { id: string; kind: "staff" | "customer"; customerId: string | null; role: string };
}

/** Today's business date (Asia/Tokyo) on the deps' clock. */
export const todayOf = (deps: { clock: Clock }): IsoDate => tokyoDate(deps.clock.now());
