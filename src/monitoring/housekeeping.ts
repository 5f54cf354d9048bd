/**
 * Monitoring's housekeeping (a worker runs it every minute): the hour and day roll-ups rebuilt from the
 * minutes since their mark (the last hour and day again, for late results), day partitions created
 * ahead, and raw results and minute roll-ups past their retention dropped as whole days.
 */
import type { Db } from "../db/db.ts";
import {
  dropPartitionsBefore,
  ensurePartitions,
  jstDay,
  rebuildRollups,
  rollupMark,
  setRollupMark,
  takeDirty,
} from "./store/results.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Rebuild the hour roll-ups of the current hour (and the previous one in the first minutes after the
 * hour turns, when its last results have just been written; after a pause, every hour since the last
 * run) and the day roll-ups of the current
 * Asia/Tokyo day likewise; results written late (a probe that could not reach the database) marked
 * their span dirty, and that span is rebuilt too.
 */
export async function rebuildRollupsSinceMarks(db: Db, nowMs: number) {
  const hourStart = Math.floor(nowMs / HOUR) * HOUR;
  const dayStart = jstDay(nowMs).startMs;
  const dirty = await takeDirty(db);
  const settle = 5 * 60_000;
  let fromH = nowMs - hourStart < settle ? hourStart - HOUR : hourStart;
  let fromD = nowMs - dayStart < settle + HOUR ? jstDay(dayStart - 1).startMs : dayStart;
  // A worker that did not run for a while: from where the last run left off.
  const markH = await rollupMark(db, "h");
  const markD = await rollupMark(db, "d");
  if (markH !== null) fromH = Math.min(fromH, markH);
  if (markD !== null) fromD = Math.min(fromD, markD);
  if (dirty !== null) {
    fromH = Math.min(fromH, Math.floor(dirty / HOUR) * HOUR);
    fromD = Math.min(fromD, jstDay(dirty).startMs);
  }
  await rebuildRollups(db, "h", fromH, hourStart + HOUR);
  await rebuildRollups(db, "d", fromD, dayStart + DAY);
  await setRollupMark(db, "h", hourStart);
  await setRollupMark(db, "d", dayStart);
  return { hoursFrom: new Date(fromH).toISOString(), daysFrom: new Date(fromD).toISOString() };
}

export async function monitoringHousekeeping(deps: {
  db: Db;
  clock: { now(): Date };
  config: { resultRetentionDays: number; minuteRollupDays: number };
}) {
  // Partitions and retention follow real time (results are written at real instants even on a test clock).
  const now = Date.now();
  await ensurePartitions(deps.db, now - DAY, 4);
  await rebuildRollupsSinceMarks(deps.db, now);
  const raw = await dropPartitionsBefore(
    deps.db,
    "check_results",
    now - deps.config.resultRetentionDays * DAY,
  );
  const minutes = await dropPartitionsBefore(
    deps.db,
    "check_rollups_m",
    now - deps.config.minuteRollupDays * DAY,
  );
  return { rawDaysDropped: raw.length, minuteDaysDropped: minutes.length };
}
