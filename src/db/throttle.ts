import { AppError } from "../core/errors.ts";
import type { Db } from "./db.ts";

/**
 * Request throttling for every room that takes requests from the public; the only writer of
 * `login_throttle` (named for its first use). A fixed-window counter per key in PostgreSQL, shared
 * by every web process: log-ins per address, applications per address. Over `max` hits in the
 * window → 429 with Retry-After. A window that starts after `now` (the test clock was set back) is
 * over too: it must not lock an address out until a day that has not come.
 */
export async function hitThrottle(
  db: Db,
  key: string,
  windowMinutes: number,
  max: number,
  now: Date,
  what: string,
): Promise<void> {
  const windowStart = new Date(now.getTime() - windowMinutes * 60_000);
  const row = await db
    .insertInto("login_throttle")
    .values({ key, window_start: now, attempts: 1 })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({
        attempts: eb
          .case()
          .when(
            eb.or([
              eb("login_throttle.window_start", "<", windowStart),
              eb("login_throttle.window_start", ">", now),
            ]),
          )
          .then(1)
          .else(eb("login_throttle.attempts", "+", 1))
          .end(),
        window_start: eb
          .case()
          .when(
            eb.or([
              eb("login_throttle.window_start", "<", windowStart),
              eb("login_throttle.window_start", ">", now),
            ]),
          )
          .then(now)
          .else(eb.ref("login_throttle.window_start"))
          .end(),
      })),
    )
    .returning(["attempts", "window_start"])
    .executeTakeFirstOrThrow();
  if (row.attempts > max) {
    const retry = Math.ceil(
      (new Date(row.window_start).getTime() + windowMinutes * 60_000 - now.getTime()) / 1000,
    );
    throw new AppError("too_many_requests", `too many ${what} from this address; try again later`, {
      details: { retryAfterSeconds: Math.max(retry, 1) },
    });
  }
}

/** Throttle windows that started before `before` (the identity room's housekeeping job). */
export async function deleteThrottleBefore(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom("login_throttle").where("window_start", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
