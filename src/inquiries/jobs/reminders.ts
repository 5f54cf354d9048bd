import { z } from "zod";
import { todayOf } from "../../core/deps.ts";
import { defineJob } from "../../jobs/define.ts";
import { inquiryJobs } from "../service.ts";

/** Reminders 7 days before an unanswered inquiry's deadline; past it, the contract is eligible for a stop (Art. 44(3)). */
export const inquiryRemindersJob = defineJob({
  name: "inquiries.reminders",
  summary: "Inquiry reminders and overdue flags (Art. 44(3))",
  payload: z.object({}),
  schedule: "*/5 * * * *",
  calendar: true,
  handler: (ctx) => inquiryJobs(ctx, todayOf(ctx)),
});
