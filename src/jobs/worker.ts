/**
 * The worker process: runs each registered job on its schedule. Several workers may run against
 * one PostgreSQL; a transaction-scoped advisory lock per job makes each run happen once.
 */
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../db/db.ts";

export interface Job {
  name: string;
  /** Interval between runs, in seconds. */
  everySeconds: number;
  run(db: Db, now: Date): Promise<Record<string, number>>;
}

function lockKey(name: string): number {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

export class Worker {
  private timers: NodeJS.Timeout[] = [];
  private running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly db: Db,
    private readonly jobs: Job[],
    private readonly clock: Clock,
    private readonly log: Pick<Logger, "info" | "error">,
  ) {}

  /** Run a job now, if no other worker is running it. Returns undefined when skipped. */
  async runOnce(job: Job): Promise<Record<string, number> | undefined> {
    return this.db.connection().execute(async (conn) => {
      const got = await sql<{ ok: boolean }>`select pg_try_advisory_lock(${lockKey(job.name)}) as ok`.execute(
        conn,
      );
      if (!got.rows[0]?.ok) return undefined;
      try {
        return await job.run(conn, this.clock.now());
      } finally {
        await sql`select pg_advisory_unlock(${lockKey(job.name)})`.execute(conn);
      }
    });
  }

  start(): void {
    for (const job of this.jobs) {
      const tick = () => {
        if (this.stopped) return;
        const p = this.runOnce(job)
          .then((result) => {
            if (result && Object.values(result).some((n) => n > 0))
              this.log.info({ job: job.name, ...result }, "job done");
          })
          .catch((err) => this.log.error({ err, job: job.name }, "job failed"))
          .finally(() => this.running.delete(p));
        this.running.add(p);
      };
      tick();
      this.timers.push(setInterval(tick, job.everySeconds * 1000));
    }
  }

  /** Stop scheduling and wait for runs in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.running]);
  }
}
