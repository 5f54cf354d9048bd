import type { Clock } from "../core/clock.ts";
import { tokyoDate } from "../core/dates.ts";
import type { Db } from "../db/db.ts";
import type { Job } from "../jobs/worker.ts";
import { BillingService } from "./service.ts";

/** Billing on the JST calendar: invoices unpaid past due make their contract a suspension candidate (Art. 21(1)(1)). */
export function billingJobs(clock: Clock): Job[] {
  return [
    {
      name: "billing.overdue",
      everySeconds: 300,
      run: async (db: Db, now: Date) => ({
        suspensionCandidates: await new BillingService(db, clock).markOverdue(tokyoDate(now)),
      }),
    },
  ];
}
