/**
 * On-call as staff manage it: schedules (layers of rotations in JST with hand-overs), overrides, who
 * is on call now, and escalation policies (notify step 1, escalate after N minutes without an
 * acknowledgement, repeat). Admins change them; every staff member reads them.
 */

import type { Selectable } from "kysely";
import { appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import type { OncallSchedulesTable } from "../db/schema.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { onCallAt, type Rotation, type Schedule, scheduleProblems, shiftsBetween } from "./oncall.ts";
import { type EscalationPolicy, policyProblems, realNow } from "./rules.ts";
import {
  clearDefaultPolicy,
  deleteOverride,
  insertOverride,
  insertPolicy,
  insertSchedule,
  listPolicies,
  listSchedules,
  overridesOf,
  policyById,
  scheduleById,
  staffByIds,
  updatePolicy,
  updateSchedule,
} from "./store/oncall.ts";

type ScheduleRow = Selectable<OncallSchedulesTable>;
type OverrideRow = Awaited<ReturnType<typeof overridesOf>>[number];

/** A stored schedule with its overrides, as the on-call rules read it. */
export function scheduleOf(row: ScheduleRow, overrides: OverrideRow[]): Schedule {
  return {
    layers: row.layers as unknown as Rotation[],
    overrides: overrides
      .filter((o) => o.schedule_id === row.id)
      .map((o) => ({ userId: o.user_id, from: o.starts_at, to: o.ends_at })),
  };
}

function invalid(problems: { path: string; message: string }[]): AppError {
  return new AppError("validation_failed", problems.map((p) => `${p.path}: ${p.message}`).join("; "), {
    details: problems.map((p) => ({ path: p.path, message: p.message })),
  });
}

async function checkStaff(deps: Deps, ids: string[], path: string) {
  const unique = [...new Set(ids)];
  const found = new Set((await staffByIds(deps.db, unique)).map((u) => u.id));
  const missing = unique.filter((u) => !found.has(u));
  if (missing.length > 0)
    throw invalid(missing.map((m) => ({ path, message: `${m} is not an active staff member` })));
}

export async function saveSchedule(
  deps: Deps,
  auth: AuthContext,
  input: { name: string; layers: Rotation[] },
  id?: string,
) {
  const problems = scheduleProblems({ layers: input.layers, overrides: [] });
  if (input.layers.length === 0)
    problems.push({ path: "layers", code: "empty", message: "a schedule needs a layer" });
  if (problems.length > 0) throw invalid(problems);
  await checkStaff(
    deps,
    input.layers.flatMap((l) => l.members),
    "layers.members",
  );
  const now = realNow();
  return deps.db.transaction().execute(async (tx) => {
    let sid = id;
    if (sid) {
      if (
        (await updateSchedule(tx, sid, {
          name: input.name,
          layers: JSON.stringify(input.layers),
          updated_at: now,
        })) === 0
      )
        throw notFound("schedule");
    } else sid = (await insertSchedule(tx, { name: input.name, layers: JSON.stringify(input.layers) })).id;
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: id ? "oncall.schedule.changed" : "oncall.schedule.created",
      subjectType: "oncall_schedule",
      subjectId: sid,
      after: input,
      at: now,
    });
    return { id: sid };
  });
}

const names = async (deps: Deps, ids: string[]) =>
  new Map((await staffByIds(deps.db, [...new Set(ids)])).map((u) => [u.id, u.display_name]));

/** Schedules with who is on call now and until when, and the timeline of the next `days` days. */
export async function schedules(deps: Deps, days = 14) {
  const now = realNow();
  const rows = await listSchedules(deps.db);
  const overrides = await overridesOf(
    deps.db,
    rows.map((r) => r.id),
    now,
  );
  const to = new Date(now.getTime() + days * 86_400_000);
  const out = rows.map((r) => {
    const s = scheduleOf(r, overrides);
    return { row: r, now: onCallAt(s, now), shifts: shiftsBetween(s, now, to) };
  });
  const who = await names(deps, [
    ...out.flatMap((o) => o.shifts.map((s) => s.userId)),
    ...out.flatMap((o) => (o.row.layers as unknown as Rotation[]).flatMap((l) => l.members)),
  ]);
  return out.map((o) => ({
    id: o.row.id,
    name: o.row.name,
    layers: o.row.layers as unknown as Rotation[],
    onCall: o.now
      ? {
          userId: o.now.userId,
          name: who.get(o.now.userId) ?? o.now.userId,
          until: o.now.to.toISOString(),
          source: o.now.source,
        }
      : null,
    shifts: o.shifts.map((s) => ({
      userId: s.userId,
      name: who.get(s.userId) ?? s.userId,
      from: s.from.toISOString(),
      to: s.to.toISOString(),
      source: s.source,
      layer: s.layer,
    })),
    overrides: overrides
      .filter((x) => x.schedule_id === o.row.id)
      .map((x) => ({
        id: x.id,
        userId: x.user_id,
        name: x.display_name,
        from: x.starts_at.toISOString(),
        to: x.ends_at.toISOString(),
        note: x.note,
      })),
    memberNames: Object.fromEntries(
      (o.row.layers as unknown as Rotation[]).flatMap((l) => l.members).map((m) => [m, who.get(m) ?? m]),
    ),
  }));
}

/** Who is on call now on every schedule (the console's home). */
export async function onCallNow(deps: Deps) {
  return (await schedules(deps, 1)).map((s) => ({ scheduleId: s.id, schedule: s.name, onCall: s.onCall }));
}

export async function addOverride(
  deps: Deps,
  auth: AuthContext,
  scheduleId: string,
  input: { userId: string; from: Date; to: Date; note?: string | undefined },
) {
  if (!(input.to > input.from))
    throw new AppError("validation_failed", "an override ends after it starts", {
      details: { to: ["before_from"] },
    });
  if (input.to <= realNow())
    throw new AppError("validation_failed", "an override that is already over changes nothing", {
      details: { to: ["past"] },
    });
  if (!(await scheduleById(deps.db, scheduleId))) throw notFound("schedule");
  await checkStaff(deps, [input.userId], "userId");
  return deps.db.transaction().execute(async (tx) => {
    const r = await insertOverride(tx, {
      schedule_id: scheduleId,
      user_id: input.userId,
      starts_at: input.from,
      ends_at: input.to,
      note: input.note ?? null,
      created_by: auth.user.id,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "oncall.override.added",
      subjectType: "oncall_schedule",
      subjectId: scheduleId,
      after: { ...input, from: input.from.toISOString(), to: input.to.toISOString() },
      at: realNow(),
    });
    return { id: r.id };
  });
}

export async function removeOverride(deps: Deps, auth: AuthContext, scheduleId: string, id: string) {
  await deps.db.transaction().execute(async (tx) => {
    if ((await deleteOverride(tx, scheduleId, id)) === 0) throw notFound("override");
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "oncall.override.removed",
      subjectType: "oncall_schedule",
      subjectId: scheduleId,
      before: { id },
      at: realNow(),
    });
  });
}

export async function savePolicy(
  deps: Deps,
  auth: AuthContext,
  input: EscalationPolicy & { name: string; isDefault: boolean },
  id?: string,
) {
  const problems = policyProblems(input);
  if (problems.length > 0) throw invalid(problems);
  const users = input.steps.flatMap((s) => s.targets.filter((t) => t.kind === "user").map((t) => t.id));
  await checkStaff(deps, users, "steps.targets");
  for (const t of input.steps.flatMap((s) => s.targets.filter((x) => x.kind === "schedule")))
    if (!(await scheduleById(deps.db, t.id)))
      throw invalid([{ path: "steps.targets", message: `schedule ${t.id} does not exist` }]);
  const now = realNow();
  return deps.db.transaction().execute(async (tx) => {
    const values = {
      name: input.name,
      steps: JSON.stringify(input.steps),
      repeat: input.repeat,
      is_default: input.isDefault,
      updated_at: now,
    };
    let pid = id;
    if (input.isDefault) await clearDefaultPolicy(tx, pid ?? "00000000-0000-0000-0000-000000000000");
    if (pid) {
      if ((await updatePolicy(tx, pid, values)) === 0) throw notFound("escalation policy");
    } else pid = (await insertPolicy(tx, values)).id;
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: id ? "oncall.policy.changed" : "oncall.policy.created",
      subjectType: "escalation_policy",
      subjectId: pid,
      after: input,
      at: now,
    });
    return { id: pid };
  });
}

export async function policies(deps: Deps) {
  return (await listPolicies(deps.db)).map((p) => ({
    id: p.id,
    name: p.name,
    steps: p.steps as unknown as EscalationPolicy["steps"],
    repeat: p.repeat,
    isDefault: p.is_default,
  }));
}

export async function policy(deps: Deps, id: string) {
  const p = await policyById(deps.db, id);
  if (!p) throw notFound("escalation policy");
  return {
    id: p.id,
    name: p.name,
    steps: p.steps as unknown as EscalationPolicy["steps"],
    repeat: p.repeat,
    isDefault: p.is_default,
  };
}
