/**
 * The one writer of a contract's timeline: every event (who, when, which article) in
 * `contract_events` and, in the same transaction, the audit log. The lifecycle, the jobs and the
 * other rooms (billing's suspension candidacies, say) all record through here.
 */
import { type Actor, appendAudit, appendAuditMany } from "../audit/service.ts";
import { type IsoDate, tokyoDate } from "../core/dates.ts";
import type { Tx } from "../db/db.ts";
import type { ContractStatus } from "./states.ts";
import { insertEvents } from "./store.ts";

export interface ContractEventInput {
  type: string;
  toStatus?: ContractStatus;
  reasonCode?: string | null;
  article?: string | null;
  details?: unknown;
  /** The business day (JST) the event counts for; today by default. */
  businessDate?: IsoDate;
}

type Subject = { id: string; customer_id: string; status: string };

export async function recordContractEvent(tx: Tx, at: Date, c: Subject, actor: Actor, e: ContractEventInput) {
  await recordContractEvents(tx, at, actor, [{ c, e }]);
}

/**
 * Several events at once, in order. Each gets its own audit entry, unless `batchAudit` names one
 * entry for the whole batch (a job ending 100,000 contracts records one entry listing them).
 */
export async function recordContractEvents(
  tx: Tx,
  at: Date,
  actor: Actor,
  events: { c: Subject; e: ContractEventInput }[],
  batchAudit?: { action: string; article: string },
): Promise<void> {
  if (events.length === 0) return;
  await insertEvents(
    tx,
    events.map(({ c, e }) => ({
      contract_id: c.id,
      customer_id: c.customer_id,
      at,
      business_date: e.businessDate ?? tokyoDate(at),
      actor_kind: actor.kind,
      actor_id: actor.id,
      type: e.type,
      from_status: c.status,
      to_status: e.toStatus ?? c.status,
      reason_code: e.reasonCode ?? null,
      article: e.article ?? null,
      details: e.details === undefined ? null : JSON.stringify(e.details),
    })),
  );
  if (batchAudit) {
    await appendAudit(tx, {
      actor,
      action: batchAudit.action,
      subjectType: "contract",
      subjectId: null,
      after: { contracts: events.map(({ c }) => c.id) },
      article: batchAudit.article,
      at,
    });
    return;
  }
  await appendAuditMany(
    tx,
    events.map(({ c, e }) => ({
      actor,
      action: `contract.${e.type}`,
      subjectType: "contract",
      subjectId: c.id,
      customerId: c.customer_id,
      before: { status: c.status },
      after: {
        status: e.toStatus ?? c.status,
        reason: e.reasonCode ?? null,
        ...(e.details ? { details: e.details } : {}),
      },
      article: e.article ?? null,
      at,
    })),
  );
}
