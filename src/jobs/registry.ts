/** Every job of every room: what `unyo worker` runs and what any process may enqueue. */
import { keepDocumentsJob } from "../billing/jobs/keep-documents.ts";
import { overdueJob } from "../billing/jobs/overdue.ts";
import { recoverRunsJob } from "../billing/jobs/recover-runs.ts";
import { runJob } from "../billing/jobs/run.ts";
import { lifecycleJob } from "../contracts/jobs/lifecycle.ts";
import { sessionHousekeepingJob } from "../identity/jobs.ts";
import { inquiryRemindersJob } from "../inquiries/jobs/reminders.ts";
import { monitoringHousekeepingJob } from "../monitoring/jobs/housekeeping.ts";
import { deliverJob } from "../notices/jobs/deliver.ts";
import { applyVersionsJob } from "../terms/jobs/apply-versions.ts";
import type { AnyJob } from "./define.ts";
import { JobQueue, type QueueOptions } from "./queue.ts";

export const allJobs: AnyJob[] = [
  lifecycleJob,
  applyVersionsJob,
  inquiryRemindersJob,
  overdueJob,
  runJob,
  recoverRunsJob,
  keepDocumentsJob,
  deliverJob,
  sessionHousekeepingJob,
  monitoringHousekeepingJob,
];

/** The queue of a process, with every job. */
export function jobQueue(opts: Omit<QueueOptions, "jobs">): JobQueue {
  return new JobQueue({ ...opts, jobs: allJobs });
}
