/** Incidents' SQL: the incidents, their timeline, the pages sent, lists for the console and portal. */
import type { Insertable, Updateable } from "kysely";
import { sql } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import { containing, type PageRequest, paginate } from "../../db/page.ts";
import type { IncidentEventsTable, IncidentsTable } from "../../db/schema.ts";
import type { IncidentStatus, Severity } from "../rules.ts";

type Q = Db | Tx;

/** The columns a customer may read (column grants), and staff lists use too. */
export const INCIDENT_COLUMNS = [
  "i.id",
  "i.number",
  "i.customer_id",
  "i.contract_id",
  "i.item_id",
  "i.check_id",
  "i.title",
  "i.severity",
  "i.status",
  "i.opened_at",
  "i.aware_at",
  "i.restored_at",
  "i.acknowledged_at",
  "i.resolved_at",
  "i.attribution",
  "i.cause",
  "i.outage",
  "i.muted",
  "i.report",
  "i.updated_at",
] as const;

export type EventInput = Omit<Insertable<IncidentEventsTable>, "data"> & { data?: unknown };

/** Timeline entries; `data` is any JSON value. */
export async function insertEvents(tx: Q, rows: EventInput[]) {
  if (rows.length > 0)
    await tx
      .insertInto("incident_events")
      .values(
        rows.map((r) => ({
          ...r,
          data: r.data === undefined || r.data === null ? null : JSON.stringify(r.data),
        })),
      )
      .execute();
}

export async function incidentForUpdate(tx: Tx, id: string) {
  return tx.selectFrom("incidents").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function incidentsForUpdate(tx: Tx, ids: string[]) {
  if (ids.length === 0) return [];
  return tx.selectFrom("incidents").selectAll().where("id", "in", ids).orderBy("id").forUpdate().execute();
}

export async function updateIncident(tx: Q, id: string, patch: Updateable<IncidentsTable>) {
  await tx.updateTable("incidents").set(patch).where("id", "=", id).execute();
}

export interface IncidentFilter {
  status?: "active" | IncidentStatus | undefined;
  severity?: Severity | undefined;
  customerId?: string | undefined;
  q?: string | undefined;
}

/** Incidents, the latest first (customers: theirs, through RLS and the column grants). */
export async function listIncidents(db: Q, filter: IncidentFilter, page: PageRequest) {
  let q = db
    .selectFrom("incidents as i")
    .innerJoin("customers as c", "c.id", "i.customer_id")
    .leftJoin("inventory_items as it", "it.id", "i.item_id")
    .select([...INCIDENT_COLUMNS, "c.legal_name as customer_name", "it.name as item_name"]);
  if (filter.status === "active") q = q.where("i.status", "<>", "resolved");
  else if (filter.status) q = q.where("i.status", "=", filter.status);
  if (filter.severity) q = q.where("i.severity", "=", filter.severity);
  if (filter.customerId) q = q.where("i.customer_id", "=", filter.customerId);
  if (filter.q) q = q.where("i.title", "ilike", containing(filter.q));
  return paginate(
    q,
    {
      list: "incidents",
      keys: [
        ["i.opened_at", "desc"],
        ["i.id", "desc"],
      ],
    },
    page,
  );
}

export async function incidentById(db: Q, id: string) {
  return db
    .selectFrom("incidents as i")
    .innerJoin("customers as c", "c.id", "i.customer_id")
    .leftJoin("inventory_items as it", "it.id", "i.item_id")
    .select([...INCIDENT_COLUMNS, "c.legal_name as customer_name", "it.name as item_name"])
    .where("i.id", "=", id)
    .executeTakeFirst();
}

/** What only staff see of an incident: who acknowledged, the assignee, escalation, the signals. */
export async function staffFacts(db: Q, id: string) {
  return db
    .selectFrom("incidents as i")
    .leftJoin("users as a", "a.id", "i.assignee_id")
    .leftJoin("users as k", "k.id", "i.acknowledged_by")
    .select([
      "i.assignee_id",
      "a.display_name as assignee_name",
      "i.acknowledged_by",
      "k.display_name as acknowledged_by_name",
      "i.dedupe_key",
      "i.integration_id",
      "i.policy_id",
      "i.escalation_step",
      "i.escalation_round",
      "i.next_escalation_at",
      "i.signals",
      "i.firing",
      "i.auto_resolve",
      "i.maintenance_id",
      "i.last_signal_at",
    ])
    .where("i.id", "=", id)
    .executeTakeFirst();
}

export async function eventsOf(db: Q, incidentId: string, limit = 500) {
  return db
    .selectFrom("incident_events as e")
    .leftJoin("users as u", "u.id", "e.actor_id")
    .select(["e.id", "e.at", "e.kind", "e.body", "e.data", "e.public", "u.display_name as actor_name"])
    .where("e.incident_id", "=", incidentId)
    .orderBy("e.id")
    .limit(limit)
    .execute();
}

/** Public timeline entries only (customers: RLS already limits them to `public`). */
export async function publicEventsOf(db: Q, incidentId: string, limit = 500) {
  return db
    .selectFrom("incident_events as e")
    .select(["e.id", "e.at", "e.kind", "e.body", "e.data", "e.public"])
    .where("e.incident_id", "=", incidentId)
    .where("e.public", "=", true)
    .orderBy("e.id")
    .limit(limit)
    .execute();
}

export async function alertsOf(db: Q, incidentId: string, limit = 200) {
  return db
    .selectFrom("alerts")
    .select([
      "fingerprint",
      "starts_at",
      "ends_at",
      "status",
      "name",
      "labels",
      "annotations",
      "received_at",
      "last_seen_at",
    ])
    .where("incident_id", "=", incidentId)
    .orderBy("starts_at", "desc")
    .limit(limit)
    .execute();
}

export async function pagesOf(db: Q, incidentId: string) {
  return db
    .selectFrom("pages as p")
    .innerJoin("users as u", "u.id", "p.user_id")
    .select(["p.id", "p.user_id", "u.display_name", "p.round", "p.step", "p.at", "p.notice_id"])
    .where("p.incident_id", "=", incidentId)
    .orderBy("p.at")
    .execute();
}

/** The console's counts: open, unacknowledged (open = paged and nobody acknowledged yet), by severity. */
export async function activeCounts(db: Q) {
  const r = await sql<{ status: string; severity: string; muted: boolean; n: number }>`
    SELECT status, severity, muted IS NOT NULL AS muted, count(*)::int AS n
    FROM incidents WHERE status <> 'resolved' GROUP BY 1, 2, 3`.execute(db);
  return r.rows;
}

/** Incidents whose next escalation step is due, locked for this worker (others skip them). */
export async function dueEscalations(tx: Tx, now: Date, limit: number) {
  return tx
    .selectFrom("incidents")
    .selectAll()
    .where("status", "=", "open")
    .where("next_escalation_at", "<=", now)
    .orderBy("next_escalation_at")
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Incidents whose customers have not yet been told (opening) or told of the restoration. */
export async function dueCustomerNotices(tx: Tx, limit: number) {
  return tx
    .selectFrom("incidents")
    .selectAll()
    .where((w) =>
      w.or([
        w("customer_notified_at", "is", null),
        w.and([w("status", "=", "resolved"), w("restoration_notified_at", "is", null)]),
      ]),
    )
    .where("muted", "is", null)
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function insertPages(
  tx: Q,
  rows: { incident_id: string; user_id: string; round: number; step: number; notice_id: string; at: Date }[],
) {
  if (rows.length === 0) return;
  await tx
    .insertInto("pages")
    .values(rows)
    .onConflict((oc) => oc.columns(["incident_id", "round", "step", "user_id"]).doNothing())
    .execute();
}

/** Notify listeners (the console's live view, the worker's engine) of changed incidents. */
export async function notifyChanged(tx: Q, changes: { id: string; customerId: string }[]) {
  if (changes.length === 0) return;
  // A NOTIFY payload is at most 8,000 bytes: big batches say "everything".
  const payload = changes.length > 80 ? "*" : JSON.stringify(changes.map((c) => [c.id, c.customerId]));
  await sql`SELECT pg_notify(${INCIDENTS_CHANNEL}, ${payload})`.execute(tx);
}

export const INCIDENTS_CHANNEL = "unyo_incidents";

/** Incidents opened here and then found without a signal (a lost race): removed with nothing else. */
export async function deleteIncidents(tx: Tx, ids: string[]) {
  if (ids.length > 0) await tx.deleteFrom("incidents").where("id", "in", ids).execute();
}

/** The open incidents of these keys that resolve by themselves, locked. */
export async function openAutoResolving(tx: Tx, keys: string[]) {
  if (keys.length === 0) return [];
  return tx
    .selectFrom("incidents")
    .selectAll()
    .where("dedupe_key", "in", keys)
    .where("status", "<>", "resolved")
    .where("auto_resolve", "=", true)
    .orderBy("id")
    .forUpdate()
    .execute();
}

/** A customer's incidents for a status page: open ones and those restored since `since`. */
export async function statusIncidents(db: Q, customerId: string, since: Date) {
  return db
    .selectFrom("incidents")
    .select(["id", "number", "title", "severity", "status", "opened_at", "restored_at", "muted"])
    .where("customer_id", "=", customerId)
    .where((w) => w.or([w("status", "<>", "resolved"), w("restored_at", ">=", since)]))
    .orderBy("opened_at", "desc")
    .limit(50)
    .execute();
}
