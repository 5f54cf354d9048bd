import { z } from "zod";
import { todayOf } from "../../core/deps.ts";
import { defineJob } from "../../jobs/define.ts";
import { applyAbolitions, completeEnds, runDeletions } from "../ends.ts";

/**
 * The contract lifecycle on the JST calendar, in this order: abolitions taking effect (Art. 26(5)),
 * ends taking effect the day after a contract's service ends, deletion work on its day (Art. 26(7)).
 * Idempotent and batched: a second run in a day changes nothing.
 */
export const lifecycleJob = defineJob({
  name: "contracts.lifecycle",
  summary: "Abolitions, ends and deletion work falling due (Art. 24, 26)",
  payload: z.object({}),
  schedule: "* * * * *",
  calendar: true,
  handler: async (ctx) => {
    const today = todayOf(ctx);
    return {
      abolished: await applyAbolitions(ctx, today),
      ended: await completeEnds(ctx, today),
      deleted: await runDeletions(ctx, today),
    };
  },
});
