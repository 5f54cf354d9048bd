/**
 * Alert ingestion's SQL: integrations by token, the customer's servers for label mapping, and the
 * few set-based statements that take a whole Alertmanager group at once — which alerts are already
 * known, open-or-join of incidents (one open per dedupe key, enforced by a partial unique index, so
 * concurrent peers cannot open two), the alerts themselves (first copy wins), and resolutions.
 */
import { sql } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import type { Mute, Severity } from "../rules.ts";

type Q = Db | Tx;

export async function integrationByToken(db: Q, tokenHash: Buffer) {
  return db
    .selectFrom("alert_integrations")
    .select([
      "id",
      "customer_id",
      "contract_id",
      "kind",
      "name",
      "hmac_secret",
      "host_labels",
      "default_severity",
      "policy_id",
      "disabled_at",
    ])
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
}

/** A customer's servers in service, for mapping an alert's host label (name or address) to one. */
export async function itemsForMapping(db: Q, customerId: string) {
  return db
    .selectFrom("inventory_items")
    .select(["id", "contract_id", "host_key", "addresses"])
    .where("customer_id", "=", customerId)
    .where("retired_at", "is", null)
    .execute();
}

/** What muting needs at `at`: the windows in force for the customer, contracts' states, stopped servers. */
export async function muteFacts(
  db: Q,
  customerId: string,
  contractIds: string[],
  itemIds: string[],
  at: Date,
) {
  const [windows, contracts, stopped] = await Promise.all([
    db
      .selectFrom("maintenance_windows")
      .select(["id", "scope", "contract_id", "item_id"])
      .where("cancelled_at", "is", null)
      .where("starts_at", "<=", at)
      .where("ends_at", ">", at)
      .where((w) => w.or([w("customer_id", "is", null), w("customer_id", "=", customerId)]))
      .execute(),
    contractIds.length === 0
      ? []
      : db.selectFrom("contracts").select(["id", "status"]).where("id", "in", contractIds).execute(),
    itemIds.length === 0
      ? []
      : db
          .selectFrom("checks")
          .select("item_id")
          .distinct()
          .where("item_id", "in", itemIds)
          .where("paused_reason", "=", "emergency_stop")
          .where("deleted_at", "is", null)
          .execute(),
  ]);
  return {
    windows,
    contractStatus: new Map(contracts.map((c) => [c.id, c.status as string])),
    stopped: new Set(stopped.map((s) => s.item_id as string)),
  };
}

export interface AlertKey {
  fingerprint: string;
  startsAt: Date;
}

/** Which of these alert occurrences are already recorded, with their status and incident. */
export async function knownAlerts(tx: Q, integrationId: string, keys: AlertKey[]) {
  if (keys.length === 0) return [];
  const r = await sql<{ fingerprint: string; starts_at: Date; status: string; incident_id: string }>`
    SELECT a.fingerprint, a.starts_at, a.status, a.incident_id
    FROM alerts a
    JOIN unnest(${keys.map((k) => k.fingerprint)}::text[], ${keys.map((k) => k.startsAt.toISOString())}::timestamptz[]) AS k(fp, st)
      ON a.fingerprint = k.fp AND a.starts_at = k.st
    WHERE a.integration_id = ${integrationId}`.execute(tx);
  return r.rows;
}

export interface NewIncident {
  dedupeKey: string;
  customerId: string;
  contractId: string | null;
  itemId: string | null;
  checkId: string | null;
  integrationId: string | null;
  title: string;
  severity: Severity;
  openedAt: Date;
  awareAt: Date;
  outage: boolean;
  muted: Mute | null;
  maintenanceId: string | null;
  policyId: string | null;
  /** When the first page is due (null: muted, nobody is paged). */
  nextEscalationAt: Date | null;
}

/**
 * Open an incident per key unless one is open (then that one is joined). Answers every key's open
 * incident and whether this call opened it. Concurrent callers with the same key wait on the unique
 * index and then join the one that won.
 */
export async function openOrJoin(
  tx: Tx,
  rows: NewIncident[],
): Promise<Map<string, { id: string; opened: boolean }>> {
  const out = new Map<string, { id: string; opened: boolean }>();
  if (rows.length === 0) return out;
  const col = <T>(f: (r: NewIncident) => T) => rows.map(f);
  const made = await sql<{ id: string; dedupe_key: string }>`
    INSERT INTO incidents (dedupe_key, customer_id, contract_id, item_id, check_id, integration_id, title, severity,
      status, opened_at, aware_at, outage, muted, maintenance_id, policy_id, next_escalation_at, attribution, cause,
      signals, firing, last_signal_at)
    SELECT k, c::uuid, ct::uuid, it::uuid, ch::uuid, ig::uuid, t, sv, 'open', o, a, og, mu, mw::uuid, po::uuid, ne,
      'provider', 'failure', 0, 0, a
    FROM unnest(${col((r) => r.dedupeKey)}::text[], ${col((r) => r.customerId)}::text[], ${col((r) => r.contractId)}::text[],
      ${col((r) => r.itemId)}::text[], ${col((r) => r.checkId)}::text[], ${col((r) => r.integrationId)}::text[],
      ${col((r) => r.title)}::text[], ${col((r) => r.severity)}::text[], ${col((r) => r.openedAt.toISOString())}::timestamptz[],
      ${col((r) => r.awareAt.toISOString())}::timestamptz[], ${col((r) => r.outage)}::boolean[], ${col((r) => r.muted)}::text[],
      ${col((r) => r.maintenanceId)}::text[], ${col((r) => r.policyId)}::text[],
      ${col((r) => r.nextEscalationAt?.toISOString() ?? null)}::timestamptz[])
      AS u(k, c, ct, it, ch, ig, t, sv, o, a, og, mu, mw, po, ne)
    ON CONFLICT (dedupe_key) WHERE status <> 'resolved' DO NOTHING
    RETURNING id, dedupe_key`.execute(tx);
  for (const m of made.rows) out.set(m.dedupe_key, { id: m.id, opened: true });
  const missing = rows.map((r) => r.dedupeKey).filter((k) => !out.has(k));
  if (missing.length > 0) {
    const open = await tx
      .selectFrom("incidents")
      .select(["id", "dedupe_key"])
      .where("dedupe_key", "in", missing)
      .where("status", "<>", "resolved")
      .execute();
    for (const o of open) out.set(o.dedupe_key, { id: o.id, opened: false });
  }
  return out;
}

export interface AlertRow {
  integrationId: string;
  fingerprint: string;
  startsAt: Date;
  customerId: string;
  status: "firing" | "resolved";
  endsAt: Date | null;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  itemId: string | null;
  incidentId: string;
}

/** Record alert occurrences; a copy of one already recorded is ignored. Answers the ones recorded now. */
export async function insertAlerts(tx: Tx, rows: AlertRow[], at: Date) {
  if (rows.length === 0) return [];
  const col = <T>(f: (r: AlertRow) => T) => rows.map(f);
  const r = await sql<{ fingerprint: string; starts_at: Date; incident_id: string; status: string }>`
    INSERT INTO alerts (integration_id, fingerprint, starts_at, customer_id, status, ends_at, name, labels, annotations,
      item_id, incident_id, received_at, last_seen_at)
    SELECT ig::uuid, fp, st, c::uuid, s, e, n, l, an, it::uuid, inc::uuid, ${at}::timestamptz, ${at}::timestamptz
    FROM unnest(${col((r) => r.integrationId)}::text[], ${col((r) => r.fingerprint)}::text[],
      ${col((r) => r.startsAt.toISOString())}::timestamptz[], ${col((r) => r.customerId)}::text[], ${col((r) => r.status)}::text[],
      ${col((r) => r.endsAt?.toISOString() ?? null)}::timestamptz[], ${col((r) => r.name)}::text[],
      ${col((r) => JSON.stringify(r.labels))}::jsonb[], ${col((r) => JSON.stringify(r.annotations))}::jsonb[],
      ${col((r) => r.itemId)}::text[], ${col((r) => r.incidentId)}::text[])
      AS u(ig, fp, st, c, s, e, n, l, an, it, inc)
    ON CONFLICT (integration_id, fingerprint, starts_at) DO NOTHING
    RETURNING fingerprint, starts_at, incident_id, status`.execute(tx);
  return r.rows;
}

/** Copies of known alerts: when they were last seen (the rest of a re-sent group changes nothing). */
export async function touchAlerts(tx: Tx, integrationId: string, keys: AlertKey[], at: Date) {
  if (keys.length === 0) return;
  await sql`
    UPDATE alerts a SET last_seen_at = ${at}
    FROM unnest(${keys.map((k) => k.fingerprint)}::text[], ${keys.map((k) => k.startsAt.toISOString())}::timestamptz[]) AS k(fp, st)
    WHERE a.integration_id = ${integrationId} AND a.fingerprint = k.fp AND a.starts_at = k.st`.execute(tx);
}

/** Firing alerts that are now resolved: marked, answering their incidents and end times. */
export async function resolveAlerts(
  tx: Tx,
  integrationId: string,
  ends: { fingerprint: string; startsAt: Date; endsAt: Date }[],
  at: Date,
) {
  if (ends.length === 0) return [];
  const r = await sql<{ incident_id: string; ends_at: Date }>`
    UPDATE alerts a SET status = 'resolved', ends_at = k.en, last_seen_at = ${at}
    FROM unnest(${ends.map((k) => k.fingerprint)}::text[], ${ends.map((k) => k.startsAt.toISOString())}::timestamptz[],
      ${ends.map((k) => k.endsAt.toISOString())}::timestamptz[]) AS k(fp, st, en)
    WHERE a.integration_id = ${integrationId} AND a.fingerprint = k.fp AND a.starts_at = k.st AND a.status = 'firing'
    RETURNING a.incident_id, a.ends_at`.execute(tx);
  return r.rows;
}

/** Count signals into incidents: `firing` up by new firing alerts, down by resolved ones. */
export async function countSignals(
  tx: Tx,
  deltas: { incidentId: string; signals: number; firing: number }[],
  at: Date,
) {
  if (deltas.length === 0) return [];
  const r = await sql<{ id: string; firing: number; status: string; auto_resolve: boolean }>`
    UPDATE incidents i SET signals = i.signals + d.s, firing = GREATEST(i.firing + d.f, 0),
      last_signal_at = GREATEST(i.last_signal_at, ${at}), updated_at = ${at}
    FROM unnest(${deltas.map((d) => d.incidentId)}::uuid[], ${deltas.map((d) => d.signals)}::int[],
      ${deltas.map((d) => d.firing)}::int[]) AS d(id, s, f)
    WHERE i.id = d.id
    RETURNING i.id, i.firing, i.status, i.auto_resolve`.execute(tx);
  return r.rows;
}

export async function insertIntegration(
  tx: Q,
  values: {
    customer_id: string;
    contract_id: string | null;
    kind: "alertmanager" | "zabbix" | "generic";
    name: string;
    token_hash: Buffer;
    hmac_secret: string | null;
    host_labels: string[];
    default_severity: Severity;
    policy_id: string | null;
    created_by: string;
  },
) {
  return tx.insertInto("alert_integrations").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function integrationsOf(db: Q, customerId: string | undefined) {
  let q = db
    .selectFrom("alert_integrations")
    .select([
      "id",
      "customer_id",
      "contract_id",
      "kind",
      "name",
      "host_labels",
      "default_severity",
      "created_at",
      "disabled_at",
    ])
    .orderBy("created_at");
  if (customerId) q = q.where("customer_id", "=", customerId);
  return q.execute();
}

export async function integrationSigned(db: Q, id: string) {
  const r = await db
    .selectFrom("alert_integrations")
    .select(["id", "customer_id", "hmac_secret"])
    .where("id", "=", id)
    .executeTakeFirst();
  return r;
}

export async function updateIntegration(
  tx: Q,
  id: string,
  patch: { token_hash?: Buffer; disabled_at?: Date | null; hmac_secret?: string | null },
) {
  const r = await tx.updateTable("alert_integrations").set(patch).where("id", "=", id).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
