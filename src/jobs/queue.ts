/**
 * The job queue: pg-boss on the same PostgreSQL (its tables live in the `pgboss` schema, installed by
 * migration 0009). Every process can enqueue — inside the caller's transaction, so a job exists
 * exactly when the change that asked for it committed (the outbox pattern). Worker processes fetch
 * and run the jobs, retry failures with backoff, take back jobs whose process died, and put the
 * scheduled ones on the queue from their cron lines in Asia/Tokyo.
 */
import { CompiledQuery } from "kysely";
import PgBoss from "pg-boss";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { Db, Tx } from "../db/db.ts";
import type { AnyJob, JobContext } from "./define.ts";

export const QUEUE_SCHEMA = "pgboss";
export const TIME_ZONE = "Asia/Tokyo";

export interface QueueOptions {
  /** The database's URL: pg-boss keeps a small pool of its own for fetching and scheduling. */
  url: string;
  db: Db;
  clock: Clock;
  config: Config;
  log: JobContext["log"];
  jobs: AnyJob[];
  /**
   * `worker`: this process runs jobs, supervises the queue (lost jobs come back) and puts the
   * scheduled ones on it; `client`: it only enqueues (web processes, the CLI, tests).
   */
  role: "worker" | "client";
  /** Seconds between polls of a job's queue (default 2). */
  pollingSeconds?: number;
}

export interface EnqueueOptions {
  /** Start no earlier than this. */
  startAfter?: Date;
  /** With `short`/`singleton` queues or `singletonSeconds`: jobs sharing a key coalesce. */
  singletonKey?: string;
  singletonSeconds?: number;
}

/** pg-boss's SQL, run on a Kysely connection or transaction. */
function executor(exec: Db | Tx): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const r = await exec.executeQuery(CompiledQuery.raw(text, (values ?? []) as unknown[]));
      return { rows: r.rows as unknown[] };
    },
  };
}

export class JobQueue {
  private readonly boss: PgBoss;
  private readonly byName: Map<string, AnyJob>;
  private started = false;
  private working = false;

  constructor(private readonly opts: QueueOptions) {
    this.byName = new Map(opts.jobs.map((j) => [j.name, j]));
    const worker = opts.role === "worker";
    this.boss = new PgBoss({
      connectionString: opts.url,
      schema: QUEUE_SCHEMA,
      max: worker ? 4 : 2,
      application_name: worker ? "unyo-worker" : "unyo-jobs",
      migrate: true,
      // Workers take back the jobs of a process that died and run the cron lines.
      supervise: worker,
      schedule: worker,
      maintenanceIntervalSeconds: 60,
    });
    // Logged by message and code: the driver's error carries the whole connection object.
    this.boss.on("error", (err) =>
      opts.log.error({ message: err.message, code: (err as { code?: string }).code }, "job queue error"),
    );
  }

  get jobs(): AnyJob[] {
    return [...this.byName.values()];
  }

  private ctx(): JobContext {
    const { db, clock, config, log } = this.opts;
    return { db, clock, config, log, queue: this };
  }

  /** Make sure every job's queue exists (idempotent); enqueueing needs nothing more. */
  async start(): Promise<void> {
    if (this.started) return;
    await raced(() => this.boss.start());
    for (const j of this.byName.values())
      await raced(async () => {
        if (await this.boss.getQueue(j.name)) return;
        await this.boss.createQueue(j.name, {
          name: j.name,
          policy: j.policy ?? "standard",
          retryLimit: j.retry?.limit ?? 3,
          retryDelay: j.retry?.delaySeconds ?? 30,
          retryBackoff: j.retry?.backoff ?? true,
          expireInSeconds: j.expireInSeconds ?? 15 * 60,
        });
      });
    this.started = true;
  }

  /** Run every job as it arrives and put the scheduled ones on the queue (role `worker`). */
  async work(): Promise<void> {
    if (this.opts.role !== "worker") throw new Error("a client queue does not run jobs");
    await this.start();
    if (this.working) return;
    this.working = true;
    const scheduled = new Set<string>();
    for (const j of this.byName.values()) {
      await this.boss.work(
        j.name,
        { batchSize: 1, pollingIntervalSeconds: this.opts.pollingSeconds ?? 2 },
        async (jobs) => {
          for (const job of jobs) await this.handle(j, job.data);
        },
      );
      if (j.schedule) {
        await this.boss.schedule(j.name, j.schedule, {}, { tz: TIME_ZONE });
        scheduled.add(j.name);
      }
    }
    for (const s of await this.boss.getSchedules())
      if (!scheduled.has(s.name)) await this.boss.unschedule(s.name);
    // Catch up at once on what fell due while no worker ran (cron lines only fire on the minute).
    for (const j of this.byName.values())
      if (j.calendar || j.onStart) await this.enqueue(this.opts.db, j.name, {});
  }

  private async handle(job: AnyJob, data: unknown) {
    const payload = job.payload.safeParse(data ?? {});
    if (!payload.success) {
      // A payload that does not parse will not parse on a retry either: record it and drop it.
      this.opts.log.error({ job: job.name, issues: payload.error.issues }, "job payload refused");
      return;
    }
    const result = await job.handler(this.ctx(), payload.data);
    if (result && Object.values(result).some((n) => n > 0))
      this.opts.log.info({ job: job.name, ...result }, "job done");
  }

  /**
   * Put a job on the queue. With a transaction it is enqueued only if the transaction commits.
   * Returns the job's id, or null when a coalescing queue already holds one.
   */
  async enqueue(exec: Db | Tx, name: string, payload: unknown, opts: EnqueueOptions = {}) {
    const job = this.byName.get(name);
    if (!job) throw new Error(`unknown job "${name}"`);
    const data = job.payload.parse(payload ?? {}) as object;
    return this.boss.send(name, data, {
      ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
      ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      ...(opts.singletonSeconds ? { singletonSeconds: opts.singletonSeconds } : {}),
      db: executor(exec),
    });
  }

  /**
   * Run the jobs of `name` waiting on the queue, here and now, until none is left (tests, the CLI).
   * Returns how many ran; a failure is recorded on its job and thrown.
   */
  async drain(name: string): Promise<number> {
    const job = this.byName.get(name);
    if (!job) throw new Error(`unknown job "${name}"`);
    let n = 0;
    for (;;) {
      const batch = await this.boss.fetch<unknown>(name, { batchSize: 10 });
      if (batch.length === 0) return n;
      for (const j of batch) {
        try {
          await this.handle(job, j.data);
          await this.boss.complete(name, j.id);
        } catch (err) {
          await this.boss.fail(name, j.id, { message: String(err) });
          throw err;
        }
        n++;
      }
    }
  }

  /** Run a job's handler here and now (the CLI, tests); the queue is not involved. */
  async runNow(name: string, payload: unknown = {}) {
    const job = this.byName.get(name);
    if (!job) throw new Error(`unknown job "${name}"`);
    return job.handler(this.ctx(), job.payload.parse(payload ?? {}));
  }

  /** The business-calendar jobs, queued at once (after the test clock moved). */
  async enqueueCalendarJobs(): Promise<string[]> {
    const names: string[] = [];
    for (const j of this.byName.values())
      if (j.calendar) {
        await this.enqueue(this.opts.db, j.name, {});
        names.push(j.name);
      }
    return names;
  }

  /** Jobs not yet finished, by name (for tests and the admin view). */
  async pending(): Promise<Record<string, number>> {
    const r = await this.opts.db.executeQuery<{ name: string; n: number }>(
      CompiledQuery.raw(
        `SELECT name, count(*)::int AS n FROM ${QUEUE_SCHEMA}.job WHERE state < 'completed' GROUP BY name`,
      ),
    );
    return Object.fromEntries(r.rows.map((x) => [x.name, x.n]));
  }

  /** Stop fetching; wait up to `timeoutMs` for running jobs, then release the pools. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.started) await this.boss.stop({ graceful: true, timeout: timeoutMs });
    this.started = false;
    this.working = false;
  }
}

/**
 * Processes starting at the same moment (a web and a worker on a fresh database) create the queue's
 * tables and queues side by side; PostgreSQL then ends one of them with a deadlock or a duplicate.
 * That one tries again (the other's work is then there to find) instead of the process dying.
 */
async function raced<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= 5 || (code !== "40P01" && code !== "23505" && code !== "42P07")) throw err;
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.random() * 100));
    }
  }
}
