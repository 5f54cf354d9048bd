/**
 * What happens to an incident whoever does it (the ingestion, the engine, staff): resolution with its
 * restoration time, and the unavailability period it is for the SLA (Art. 30(4), 36) kept in step.
 */

import type { Selectable } from "kysely";
import { syncIncidentPeriod } from "../billing/sla.ts";
import type { Tx } from "../db/db.ts";
import type { IncidentsTable } from "../db/schema.ts";
import { periodOf } from "./rules.ts";
import { insertEvents, notifyChanged, updateIncident } from "./store/incidents.ts";

export type IncidentRow = Selectable<IncidentsTable>;

export const referenceOf = (number: number | string) => `INC-${number}`;

/** Write (or remove) the incident's unavailability period after any change of its facts. */
export async function syncPeriod(tx: Tx, i: IncidentRow) {
  const p = periodOf({
    status: i.status,
    awareAt: i.aware_at,
    restoredAt: i.restored_at,
    attribution: i.attribution,
    muted: i.muted,
    contractId: i.contract_id,
    outage: i.outage,
  });
  if (!i.contract_id) return "none" as const;
  return syncIncidentPeriod(
    tx,
    {
      id: i.id,
      reference: referenceOf(i.number),
      contractId: i.contract_id,
      customerId: i.customer_id,
      title: i.title,
    },
    "none" in p ? null : { startedAt: p.start, endedAt: p.end, attribution: i.attribution, cause: i.cause },
  );
}

/**
 * Resolve incidents: restored at `restoredAt` (never before the provider became aware), paging stops,
 * the timeline says how, and the period for the SLA is written.
 */
export async function resolveIncidents(
  tx: Tx,
  rows: IncidentRow[],
  how: {
    at: Date;
    restoredAt: (i: IncidentRow) => Date;
    by: string | null;
    kind: "auto" | "manual";
    note?: string;
  },
) {
  const done: IncidentRow[] = [];
  for (const i of rows) {
    if (i.status === "resolved") continue;
    const wanted = i.restored_at ?? how.restoredAt(i);
    const restored = wanted.getTime() < i.aware_at.getTime() ? i.aware_at : wanted;
    const next: IncidentRow = {
      ...i,
      status: "resolved",
      restored_at: restored,
      resolved_at: how.at,
      resolved_by: how.by,
      next_escalation_at: null,
      updated_at: how.at,
    };
    await updateIncident(tx, i.id, {
      status: "resolved",
      restored_at: restored,
      resolved_at: how.at,
      resolved_by: how.by,
      next_escalation_at: null,
      updated_at: how.at,
    });
    await syncPeriod(tx, next);
    done.push(next);
  }
  await insertEvents(
    tx,
    done.map((i) => ({
      incident_id: i.id,
      customer_id: i.customer_id,
      at: how.at,
      kind: how.kind === "auto" ? "restored" : "resolved",
      actor_id: how.by,
      body: how.note ?? null,
      data: { restoredAt: i.restored_at?.toISOString() ?? null },
      public: true,
    })),
  );
  await notifyChanged(
    tx,
    done.map((i) => ({ id: i.id, customerId: i.customer_id })),
  );
  return done;
}
