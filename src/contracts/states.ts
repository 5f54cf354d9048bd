/**
 * The contract lifecycle as one table (SPEC §2): the states, and for every action the states it may
 * start from and the article that governs it. Services check a transition here; stores select the
 * contracts an action applies to with `statusesFor(action)` instead of writing status lists of
 * their own.
 */
import { AppError } from "../core/errors.ts";

export const CONTRACT_STATUSES = [
  "active",
  "suspended",
  "terminating",
  "terminated",
  "data_deleted",
] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** An application before it becomes a contract (Art. 15–17, 42). */
export const APPLICATION_STATUSES = ["applied", "rejected", "withdrawn", "accepted"] as const;

/** Why a contract is a suspension candidate (Art. 21(1)(1)(2)); staff decide the suspension. */
export const CANDIDACY_REASONS = ["unpaid_fees", "direct_debit_failed"] as const;

interface ActionRule {
  from: readonly ContractStatus[];
  article: string;
  /** How a refusal reads: "a contract that is terminated cannot be <verb>". */
  verb: string;
}

const LIVE: readonly ContractStatus[] = ["active", "suspended", "terminating"];

const ACTIONS = {
  suspend: { from: ["active"], article: "21", verb: "suspended" },
  resume: { from: ["suspended"], article: "21", verb: "resumed" },
  cancel: { from: ["active", "suspended"], article: "26", verb: "cancelled" },
  cooling_off: { from: ["active", "suspended"], article: "42", verb: "cancelled in the cooling-off period" },
  terminate: { from: LIVE, article: "25", verb: "terminated" },
  complete_end: { from: ["terminating"], article: "26", verb: "ended" },
  delete_data: { from: ["terminated"], article: "26(7)", verb: "scheduled for data deletion" },
  emergency_stop: { from: LIVE, article: "22", verb: "emergency-stopped" },
  succeed: { from: LIVE, article: "18", verb: "succeeded" },
  /** The contracts an abolition affects (Art. 24, 26(5)). */
  abolish: { from: LIVE, article: "24(1)", verb: "abolished" },
  /** The contracts a new terms version applies to (Art. 2). */
  apply_terms: { from: LIVE, article: "2", verb: "moved to a new terms version" },
  /** The customers an announcement goes to (Art. 1, 43). */
  announce: { from: LIVE, article: "43", verb: "sent announcements" },
  cancel_option: { from: ["active", "suspended"], article: "11", verb: "changed (options)" },
  /** A change of the contract's content: requested, confirmed (Art. 20(2)–(4)). */
  change_content: { from: ["active", "suspended"], article: "20(2)", verb: "changed" },
  record_late_start: { from: LIVE, article: "36(2)", verb: "given a late start" },
} as const satisfies Record<string, ActionRule>;

export type LifecycleAction = keyof typeof ACTIONS;

/** The states `action` may start from (for a store's selection). */
export function statusesFor(action: LifecycleAction): readonly ContractStatus[] {
  return ACTIONS[action].from;
}

export function mayUndergo(status: string, action: LifecycleAction): boolean {
  return (ACTIONS[action].from as readonly string[]).includes(status);
}

/** Whether a contract in `status` may undergo `action`; the refusal cites the article. */
export function checkTransition(status: string, action: LifecycleAction): void {
  const rule: ActionRule = ACTIONS[action];
  if (!mayUndergo(status, action))
    throw new AppError(
      "conflict",
      `a contract that is ${status} cannot be ${rule.verb} (allowed from: ${rule.from.join(", ")})`,
      { article: rule.article },
    );
}
