/**
 * A contract's timeline: every event (who, when, which article) in `contract_events` and, in the same
 * transaction, the audit log. Used by the contract lifecycle and by billing (suspension candidates,
 * failed direct debits), so that both write the same record.
 */
import { type Actor, appendAuditMany } from "../audit/service.ts";
import { type IsoDate, tokyoDate } from "../core/dates.ts";
import type { Tx } from "../db/db.ts";
import type { ContractStatus } from "../db/schema.ts";

export interface ContractEventInput {
  type: string;
  toStatus?: ContractStatus;
  reasonCode?: string | null;
  article?: string | null;
  details?: unknown;
  /** The business day (JST) the event counts for; today by default. */
  businessDate?: IsoDate;
}

export async function recordContractEvent(
  tx: Tx,
  at: Date,
  c: { id: string; customer_id: string; status: string },
  actor: Actor,
  e: ContractEventInput,
): Promise<void> {
  await recordContractEvents(tx, at, actor, [{ c, e }]);
}

/** Several events at once, in order (a bank's result file with many failed debits, say). */
export async function recordContractEvents(
  tx: Tx,
  at: Date,
  actor: Actor,
  events: { c: { id: string; customer_id: string; status: string }; e: ContractEventInput }[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map(({ c, e }) => ({
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
  }));
  for (let i = 0; i < rows.length; i += 1000)
    await tx
      .insertInto("contract_events")
      .values(rows.slice(i, i + 1000))
      .execute();
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
