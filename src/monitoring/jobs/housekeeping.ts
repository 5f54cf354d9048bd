import { z } from "zod";
import { defineJob } from "../../jobs/define.ts";
import { monitoringHousekeeping } from "../housekeeping.ts";

/** Roll-ups of the hours and days, partitions ahead, retention of raw results and minute roll-ups. */
export const monitoringHousekeepingJob = defineJob({
  name: "monitoring.housekeeping",
  summary: "Hour and day roll-ups, day partitions, retention of raw results (Art. 3)",
  payload: z.object({}),
  schedule: "* * * * *",
  onStart: true,
  policy: "short",
  handler: (ctx) => monitoringHousekeeping(ctx),
});
