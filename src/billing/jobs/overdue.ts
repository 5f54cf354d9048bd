import { z } from "zod";
import { todayOf } from "../../core/deps.ts";
import { defineJob } from "../../jobs/define.ts";
import { markOverdue } from "../overdue.ts";

/** Invoices unpaid past their due date make their contract a suspension candidate (Art. 21(1)(1)). */
export const overdueJob = defineJob({
  name: "billing.overdue",
  summary: "Contracts with invoices unpaid past due become suspension candidates (Art. 21(1)(1))",
  payload: z.object({}),
  schedule: "*/5 * * * *",
  calendar: true,
  handler: async (ctx) => ({ suspensionCandidates: await markOverdue(ctx, todayOf(ctx)) }),
});
