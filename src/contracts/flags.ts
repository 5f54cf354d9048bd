/**
 * Flags other rooms raise on a contract, through the contracts room (the one writer of contracts):
 * a suspension candidacy (Art. 21(1)(1)(2): unpaid invoices, a failed direct debit — staff decide the
 * suspension) and eligibility for a stop after an unanswered inquiry (Art. 44(3)).
 */
import type { Actor } from "../audit/service.ts";
import type { IsoDate } from "../core/dates.ts";
import type { Tx } from "../db/db.ts";
import { recordContractEvents } from "./events.ts";
import { type ContractRow, flagCandidates, lockCandidates, updateContracts } from "./store.ts";

type Candidacy = NonNullable<ContractRow["suspension_candidate"]>;

/**
 * Make contracts suspension candidates, each event on its contract's timeline. With `onlyUnflagged`
 * a contract already flagged keeps its flag and gets no event. Returns the contracts flagged now.
 */
export async function markSuspensionCandidates(
  tx: Tx,
  at: Date,
  actor: Actor,
  input: {
    reason: Candidacy;
    article: string;
    onlyUnflagged: boolean;
    events: { contractId: string; businessDate: IsoDate; details?: unknown }[];
  },
): Promise<string[]> {
  const flagged = await flagCandidates(
    tx,
    input.events.map((e) => e.contractId),
    input.reason,
    at,
    input.onlyUnflagged,
  );
  const byId = new Map(flagged.map((c) => [c.id, c]));
  await recordContractEvents(
    tx,
    at,
    actor,
    input.events
      .filter((e) => byId.has(e.contractId))
      .map((e) => ({
        c: byId.get(e.contractId)!,
        e: {
          type: input.reason === "unpaid_fees" ? "suspension_candidate" : "direct_debit_failed",
          reasonCode: input.reason,
          article: input.article,
          businessDate: e.businessDate,
          details: e.details,
        },
      })),
  );
  return [...byId.keys()];
}

/** Clear the candidacy of contracts whose cause is cured (nothing overdue any more). */
export async function clearSuspensionCandidates(
  tx: Tx,
  at: Date,
  actor: Actor,
  contractIds: string[],
  businessDate: IsoDate,
): Promise<number> {
  if (contractIds.length === 0) return 0;
  const rows = await lockCandidates(tx, contractIds);
  await updateContracts(
    tx,
    rows.map((r) => r.id),
    { suspension_candidate: null },
  );
  await recordContractEvents(
    tx,
    at,
    actor,
    rows.map((c) => ({ c, e: { type: "suspension_candidate_cleared", article: "21(1)", businessDate } })),
  );
  return rows.length;
}

/** After an unanswered inquiry's deadline: the contracts may be stopped; an operator decides (Art. 44(3)). */
export async function markEligibleForStop(tx: Tx, contractIds: string[]): Promise<void> {
  await updateContracts(tx, contractIds, { eligible_for_stop: true });
}
