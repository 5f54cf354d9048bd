import type { Clock } from "../core/clock.ts";
import { tokyoDate } from "../core/dates.ts";
import type { Db } from "../db/db.ts";
import type { Job } from "../jobs/worker.ts";
import { ContractService } from "./service.ts";

/**
 * The contract lifecycle on the JST calendar: ends taking effect, deletion work on its date,
 * terms versions taking effect, abolitions taking effect, inquiry reminders and overdue flags.
 * Idempotent and batched: running it twice in a day changes nothing the second time.
 */
export function contractJobs(clock: Clock): Job[] {
  const job = (
    name: string,
    fn: (s: ContractService, today: string) => Promise<Record<string, number>>,
  ): Job => ({
    name,
    everySeconds: 60,
    run: (db: Db, now: Date) => fn(new ContractService(db, clock), tokyoDate(now)),
  });
  return [
    job("contracts.lifecycle", async (s, today) => ({
      abolished: await s.applyAbolitions(today),
      ended: await s.completeEnds(today),
      deleted: await s.runDeletions(today),
      termsApplied: await s.applyTermsVersions(today),
    })),
    job("notices.inquiries", async (s, today) => s.inquiryJobs(today)),
  ];
}
