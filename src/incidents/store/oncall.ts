/** On-call's SQL: schedules and their overrides, escalation policies, staff who can be paged. */
import type { Insertable, Updateable } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import type { EscalationPoliciesTable, OncallSchedulesTable } from "../../db/schema.ts";

type Q = Db | Tx;

export async function defaultPolicyId(db: Q): Promise<string | null> {
  const r = await db
    .selectFrom("escalation_policies")
    .select("id")
    .where("is_default", "=", true)
    .executeTakeFirst();
  return r?.id ?? null;
}

export async function listPolicies(db: Q) {
  return db.selectFrom("escalation_policies").selectAll().orderBy("name").execute();
}

export async function policyById(db: Q, id: string) {
  return db.selectFrom("escalation_policies").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertPolicy(tx: Q, values: Insertable<EscalationPoliciesTable>) {
  return tx.insertInto("escalation_policies").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function updatePolicy(tx: Q, id: string, patch: Updateable<EscalationPoliciesTable>) {
  const r = await tx.updateTable("escalation_policies").set(patch).where("id", "=", id).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Only one default policy: clear the others before making one the default. */
export async function clearDefaultPolicy(tx: Q, except: string) {
  await tx.updateTable("escalation_policies").set({ is_default: false }).where("id", "<>", except).execute();
}

export async function listSchedules(db: Q) {
  return db.selectFrom("oncall_schedules").selectAll().orderBy("name").execute();
}

export async function scheduleById(db: Q, id: string) {
  return db.selectFrom("oncall_schedules").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function schedulesByIds(db: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom("oncall_schedules").selectAll().where("id", "in", ids).execute();
}

export async function insertSchedule(tx: Q, values: Insertable<OncallSchedulesTable>) {
  return tx.insertInto("oncall_schedules").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function updateSchedule(tx: Q, id: string, patch: Updateable<OncallSchedulesTable>) {
  const r = await tx.updateTable("oncall_schedules").set(patch).where("id", "=", id).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Overrides of these schedules that end after `from` (the ones that can still matter). */
export async function overridesOf(db: Q, scheduleIds: string[], from: Date) {
  if (scheduleIds.length === 0) return [];
  return db
    .selectFrom("oncall_overrides as o")
    .innerJoin("users as u", "u.id", "o.user_id")
    .select([
      "o.id",
      "o.schedule_id",
      "o.user_id",
      "u.display_name",
      "o.starts_at",
      "o.ends_at",
      "o.note",
      "o.created_at",
    ])
    .where("o.schedule_id", "in", scheduleIds)
    .where("o.ends_at", ">", from)
    .orderBy("o.created_at")
    .execute();
}

export async function insertOverride(
  tx: Q,
  values: {
    schedule_id: string;
    user_id: string;
    starts_at: Date;
    ends_at: Date;
    note: string | null;
    created_by: string;
  },
) {
  return tx.insertInto("oncall_overrides").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function deleteOverride(tx: Q, scheduleId: string, id: string) {
  const r = await tx
    .deleteFrom("oncall_overrides")
    .where("id", "=", id)
    .where("schedule_id", "=", scheduleId)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Active staff users by id, for rotations and paging (their e-mail and name). */
export async function staffByIds(db: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("users")
    .select(["id", "email", "display_name", "locale"])
    .where("id", "in", ids)
    .where("kind", "=", "staff")
    .where("disabled_at", "is", null)
    .execute();
}

/** A staff member's own notification channels (Slack, Teams, Chatwork, webhooks). */
export async function channelsOfUsers(db: Q, userIds: string[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom("notify_channels")
    .select(["id", "user_id", "kind", "name", "min_severity"])
    .where("user_id", "in", userIds)
    .where("disabled_at", "is", null)
    .execute();
}

/** Staff users by log-in id (the demo data). */
export async function staffByLogins(db: Q, logins: string[]) {
  return db
    .selectFrom("users")
    .select(["id", "login_id"])
    .where("login_id", "in", logins)
    .where("kind", "=", "staff")
    .execute();
}
