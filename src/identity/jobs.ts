import { z } from "zod";
import { deleteThrottleBefore } from "../db/throttle.ts";
import { defineJob } from "../jobs/define.ts";
import { deleteSessionsBefore } from "./store.ts";

/** Housekeeping: forget ended or expired sessions after a week, and stale log-in throttle windows. */
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
    };
  },
});
