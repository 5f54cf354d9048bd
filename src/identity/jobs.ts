import { z } from "zod";
import { deleteKeysBefore } from "../db/idempotency.ts";
import { deleteThrottleBefore } from "../db/throttle.ts";
import { defineJob } from "../jobs/define.ts";
import { deleteSessionsBefore } from "./store.ts";

/** Housekeeping: forget ended or expired sessions after a week, stale throttle windows and idempotency keys. */
export const sessionHousekeepingJob = defineJob({
  name: "identity.session-housekeeping",
  summary: "Forget sessions ended or expired a week ago, and old log-in throttle windows",
  payload: z.object({}),
  schedule: "17 * * * *",
  handler: async (ctx) => {
    const weekAgo = new Date(ctx.clock.now().getTime() - 7 * 86_400_000);
    return {
      sessionsDeleted: await deleteSessionsBefore(ctx.db, weekAgo),
      throttleDeleted: await deleteThrottleBefore(ctx.db, weekAgo),
      idempotencyKeysDeleted: await deleteKeysBefore(ctx.db, weekAgo),
    };
  },
});
