/**
 * The test clock of a non-production instance (UNYO_TEST_CLOCK=1, refused with NODE_ENV=production):
 * an admin sets or advances the instance's date and time — only forward, like Stripe's test clocks —
 * to rehearse a month end, a cancellation reaching its effective date or a deletion date. Services,
 * rules (through the dates services pass), jobs and the worker all read it; moving it queues the
 * business-calendar jobs at once, so what falls due happens.
 */
import { type Actor, appendAudit } from "../audit/service.ts";
import { type Clock, TestClock, type TestClockState } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { tokyoDate } from "../core/dates.ts";
import type { Deps } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import type { Db } from "../db/db.ts";
import type { ClockView } from "./schemas.ts";
import { readTestClock, writeTestClock } from "./store.ts";

/** The clock a process runs on: the system clock, or the instance's test clock kept current from the database. */
export async function processClock(config: Config, db: Db): Promise<{ clock: Clock; stop(): void }> {
  if (!config.testClock) return { clock: { now: () => new Date() }, stop() {} };
  const clock = new TestClock();
  const refresh = async () => clock.apply(stateOf(await readTestClock(db)));
  await refresh();
  // Another process may move it: read it again every second.
  const timer = setInterval(() => void refresh().catch(() => {}), 1000);
  timer.unref();
  return { clock, stop: () => clearInterval(timer) };
}

function stateOf(row: Awaited<ReturnType<typeof readTestClock>>): TestClockState | null {
  return row ? { at: new Date(row.at), setAt: new Date(row.set_at), frozen: row.frozen } : null;
}

export function clockView(deps: { clock: Clock }, config: Config): ClockView {
  const now = deps.clock.now();
  const state = deps.clock instanceof TestClock ? deps.clock.current : null;
  return {
    now: now.toISOString(),
    today: tokyoDate(now),
    testClock: config.testClock,
    frozen: state?.frozen ?? false,
  };
}

function testClockOf(deps: { clock: Clock }, config: Config): TestClock {
  if (!config.testClock || !(deps.clock instanceof TestClock))
    throw new AppError(
      "forbidden",
      "this instance runs on the real clock: a test clock needs a non-production instance started with UNYO_TEST_CLOCK=1",
    );
  return deps.clock;
}

/**
 * Move the test clock to `at` (never back) and queue the business-calendar jobs. `runJobs` (the CLI)
 * runs them here instead, and returns what they did.
 */
export async function moveClock(
  deps: Deps,
  config: Config,
  actor: Actor,
  to: { at: Date; frozen?: boolean },
  runJobs = false,
) {
  const clock = testClockOf(deps, config);
  const before = clock.now();
  if (to.at.getTime() < before.getTime())
    throw new AppError(
      "conflict",
      `a test clock only moves forward: it is ${before.toISOString()}, ${to.at.toISOString()} is earlier`,
    );
  const state: TestClockState = {
    at: to.at,
    setAt: new Date(),
    frozen: to.frozen ?? clock.current?.frozen ?? false,
  };
  await deps.db.transaction().execute(async (tx) => {
    await writeTestClock(tx, {
      at: state.at,
      set_at: state.setAt,
      frozen: state.frozen,
      set_by: actor.kind === "staff" ? actor.id : null,
    });
    await appendAudit(tx, {
      actor,
      action: "admin.test_clock.moved",
      subjectType: "test_clock",
      before: { at: before.toISOString() },
      after: { at: state.at.toISOString(), frozen: state.frozen },
      at: state.at,
    });
  });
  clock.apply(state);
  const jobs: Record<string, "queued" | Record<string, number>> = {};
  if (runJobs)
    for (const j of deps.queue.jobs.filter((j) => j.calendar))
      jobs[j.name] = (await deps.queue.runNow(j.name)) ?? {};
  else for (const name of await deps.queue.enqueueCalendarJobs()) jobs[name] = "queued";
  return { ...clockView(deps, config), jobs };
}

/** Advance by a duration: days, hours, minutes. */
export function advanceClock(
  deps: Deps,
  config: Config,
  actor: Actor,
  by: { days?: number; hours?: number; minutes?: number },
  runJobs = false,
) {
  const ms = ((by.days ?? 0) * 24 * 60 + (by.hours ?? 0) * 60 + (by.minutes ?? 0)) * 60_000;
  if (ms <= 0)
    throw new AppError("validation_failed", "advance by a positive number of days, hours or minutes");
  return moveClock(deps, config, actor, { at: new Date(deps.clock.now().getTime() + ms) }, runJobs);
}
