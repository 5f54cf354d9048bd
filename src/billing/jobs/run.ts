import { z } from "zod";
import { defineJob } from "../../jobs/define.ts";
import { executeRun, RUN_JOB } from "../runs.ts";

/**
 * A month's billing run asked for in the console. Lost with its process, it is put back on the queue
 * by `billing.recover-runs` (or by the queue when it expires) and the next attempt completes it.
 */
export const runJob = defineJob({
  name: RUN_JOB,
  summary: "The monthly billing run (exactly one invoice per contract and month)",
  payload: z.object({
    runId: z.uuid(),
    actor: z
      .object({ kind: z.enum(["staff", "customer", "system", "token", "public"]), id: z.string().nullable() })
      .default({ kind: "system", id: null }),
  }),
  retry: { limit: 2, delaySeconds: 30, backoff: true },
  expireInSeconds: 60 * 60,
  handler: async (ctx, p) => {
    const r = await executeRun(ctx, p.runId, { actor: p.actor });
    return { created: r.created, issued: r.issued };
  },
});
