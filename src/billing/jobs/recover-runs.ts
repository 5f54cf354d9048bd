import { z } from "zod";
import { defineJob } from "../../jobs/define.ts";
import { RUN_STALE_SECONDS, recoverRuns } from "../runs.ts";

/** Billing runs whose process died (no heartbeat for two minutes) go back on the queue; after three attempts, failed. */
export const recoverRunsJob = defineJob({
  name: "billing.recover-runs",
  summary: "Resume billing runs whose process died",
  payload: z.object({ staleSeconds: z.number().int().min(0).max(86_400).default(RUN_STALE_SECONDS) }),
  schedule: "* * * * *",
  onStart: true,
  handler: (ctx, p) => recoverRuns(ctx, p.staleSeconds),
});
