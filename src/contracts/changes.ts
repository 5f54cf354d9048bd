/**
 * Changes of a contract's content (Art. 20(2)–(4), 29(5), 11): request, confirm, refuse, cancel. The
 * contracts room records them and their timeline; what they cost and whether the menu allows them is
 * the price book's (billing passes it in as `terms`, so that this room does not call billing).
 */
import type { Basis } from "../core/citations.ts";
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { mapPage, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import {
  applyChange,
  type ChangeRequest,
  type Content,
  type ContractChangeStatus,
  changeTiming,
  stepsBetween,
} from "./change-rules.ts";
import { articleJa, event, loadContract, notifyCustomer } from "./common.ts";
import { receiptDate } from "./receipt-rules.ts";
import { checkTransition } from "./states.ts";
import {
  changeById,
  changesByStatus,
  changesOfContract,
  decideChange,
  insertChange,
  lastConfirmedReceipt,
  openChangeOf,
} from "./store/changes.ts";
import { type ContractRow, numbersOf, updateContract } from "./store.ts";

export type ChangeRow = NonNullable<Awaited<ReturnType<typeof changeById>>>;

/** What the price book says of a change (billing's part): the menu's verdict, the fees, the basis. */
export interface ChangeCase {
  tx: Tx;
  contract: ContractRow;
  before: Content;
  after: Content;
  receivedOn: IsoDate;
}

export function contentOf(c: ContractRow): Content {
  return {
    plan: c.plan,
    options: c.options,
    servers: (c.servers ?? []) as Content["servers"],
    committedMonths: c.committed_months,
  };
}

/** The content a request would give the contract now, and the day it counts as received. */
export function draftChange(
  deps: Pick<Deps, "clock">,
  auth: AuthContext,
  c: ContractRow,
  request: ChangeRequest,
  enteredOn: IsoDate | undefined,
  lastReceipt: IsoDate | null,
) {
  checkTransition(c.status, "change_content");
  const receipt = receiptDate({
    channel: auth.user.kind === "customer" ? "portal" : "paper",
    entered: enteredOn,
    today: todayOf(deps),
    // Not before the application (a contract may start later) nor before the last confirmed change.
    notBefore: lastReceipt && lastReceipt > c.applied_on ? lastReceipt : c.applied_on,
    article: "20(2)",
    what: "the change request",
    whatJa: "契約内容の変更の届出",
  });
  const before = contentOf(c);
  const applied = applyChange(before, request);
  return {
    before,
    after: applied.result.content,
    steps: applied.result.steps,
    receivedOn: receipt.result.receivedOn,
    basis: [...receipt.basis, ...applied.basis],
  };
}

/** Request a change (a customer-admin in the portal, staff for a paper form). Pending until confirmed. */
export async function requestChange(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: { request: ChangeRequest; receivedOn?: IsoDate; channel?: "paper" | "email"; note?: string },
  terms: (x: ChangeCase) => Promise<Basis[]>,
) {
  const actor = actorOf(auth);
  return asCaller(deps.db, auth, async (tx) => {
    const c = await loadContract(tx, contractId, true);
    if (await openChangeOf(tx, c.id))
      throw new AppError(
        "conflict",
        "a change of this contract is already waiting for the provider's confirmation; cancel it or wait for the decision",
        { article: "20(4)" },
      );
    const d = draftChange(
      deps,
      auth,
      c,
      input.request,
      input.receivedOn,
      await lastConfirmedReceipt(tx, c.id),
    );
    const basis = await terms({
      tx,
      contract: c,
      before: d.before,
      after: d.after,
      receivedOn: d.receivedOn,
    });
    const row = await insertChange(tx, {
      contract_id: c.id,
      customer_id: c.customer_id,
      status: "requested",
      channel: auth.user.kind === "customer" ? "portal" : (input.channel ?? "paper"),
      received_on: d.receivedOn,
      request: JSON.stringify(input.request),
      before: JSON.stringify(d.before),
      after: JSON.stringify(d.after),
      note: input.note ?? null,
      requested_by: auth.user.id,
      requested_at: deps.clock.now(),
    });
    await event(deps, tx, c, actor, {
      type: "change_requested",
      article: "20(2)",
      businessDate: d.receivedOn,
      details: { changeId: row.id, receivedOn: d.receivedOn, steps: d.steps },
    });
    await notifyCustomer(deps, tx, c, {
      topic: "contract.change_requested",
      subject: `【Unyo】契約内容の変更のお申込みを受け付けました (${c.number})`,
      body: `契約番号 ${c.number} の契約内容の変更のお申込みを ${d.receivedOn} に受け付けました(第20条第2項)。\n内容: ${d.steps.join("、")}\n当社が変更の実効を確認するまでは、変更前の内容でサービスを提供し、料金等を計算します(第20条第4項)。確認後は、受付日 ${d.receivedOn} から新しい料金等が適用されます(第29条第4項)。\n`,
      article: "20(2)",
      actor,
    });
    return {
      change: row,
      steps: d.steps,
      basis: [...d.basis, ...basis, ...changeTiming(d.receivedOn, null)],
    };
  });
}

/**
 * Staff confirm that the change has taken effect (Art. 20(4)), on `effectiveOn` (not before its receipt,
 * not in the future). The content is applied to the contract as it is now; `settle` is billing's part
 * (the difference for months already invoiced, Art. 29(4)).
 */
export async function confirmChange(
  deps: Deps,
  auth: AuthContext,
  changeId: string,
  effectiveOn: IsoDate | undefined,
  settle: (x: ChangeCase & { change: ChangeRow }) => Promise<Basis[]>,
) {
  const actor = actorOf(auth);
  const today = todayOf(deps);
  return deps.db.transaction().execute(async (tx) => {
    const { ch, c } = await openChange(tx, changeId);
    checkTransition(c.status, "change_content");
    const on = effectiveOn ?? today;
    if (on > today || on < ch.received_on)
      throw new AppError(
        "validation_failed",
        `the change takes effect between its receipt (${ch.received_on}) and today (${today}), not on ${on}`,
        { article: "20(4)", details: { effectiveOn: [on > today ? "future" : "too_early"] } },
      );
    const before = contentOf(c);
    const after = applyChange(before, ch.request as ChangeRequest).result.content;
    const basis = await settle({ tx, contract: c, before, after, receivedOn: ch.received_on, change: ch });
    const decided = await decideChange(tx, ch.id, {
      status: "confirmed",
      effective_on: on,
      before: JSON.stringify(before),
      after: JSON.stringify(after),
      decided_by: auth.user.id,
      decided_at: deps.clock.now(),
    });
    if (!decided) throw stale();
    await updateContract(tx, c.id, {
      plan: after.plan,
      options: after.options,
      servers: JSON.stringify(after.servers),
      committed_months: after.committedMonths,
      updated_at: deps.clock.now(),
    });
    await event(deps, tx, c, actor, {
      type: "change_confirmed",
      article: "20(4)",
      businessDate: on,
      details: { changeId: ch.id, receivedOn: ch.received_on, effectiveOn: on, before, after },
    });
    await notifyCustomer(deps, tx, c, {
      topic: "contract.change_confirmed",
      subject: `【Unyo】契約内容の変更が完了しました (${c.number})`,
      body: `契約番号 ${c.number} の契約内容の変更(${ch.received_on} 受付)の実効を ${on} に確認しました(第20条第4項)。\n新しい料金等は受付日 ${ch.received_on} から適用され、変更のあった月は、その月に適用された最も高い料金で計算されます(第29条第4項)。\n`,
      article: "29(4)",
      actor,
    });
    return { change: decided, basis: [...changeTiming(ch.received_on, on), ...basis] };
  });
}

/** Staff refuse a change with the reason (e.g. the menu does not allow it, Art. 20(3)); nothing changes. */
export async function refuseChange(deps: Deps, auth: AuthContext, changeId: string, reason: string) {
  const actor = actorOf(auth);
  return deps.db.transaction().execute(async (tx) => {
    const { ch, c } = await openChange(tx, changeId);
    const decided = await decideChange(tx, ch.id, {
      status: "refused",
      refusal_reason: reason,
      decided_by: auth.user.id,
      decided_at: deps.clock.now(),
    });
    if (!decided) throw stale();
    await event(deps, tx, c, actor, {
      type: "change_refused",
      reasonCode: "refused",
      article: "20(3)",
      details: { changeId: ch.id, reason },
    });
    await notifyCustomer(deps, tx, c, {
      topic: "contract.change_refused",
      subject: `【Unyo】契約内容の変更をお受けできませんでした (${c.number})`,
      body: `契約番号 ${c.number} の契約内容の変更(${ch.received_on} 受付)はお受けできませんでした(${articleJa("20(3)")})。\n理由: ${reason}\n契約内容と料金等は変わりません。\n`,
      article: "20(3)",
      actor,
    });
    return { change: decided };
  });
}

/**
 * Cancel a change before its new fees apply, i.e. before it is confirmed (Art. 29(5)). The fees it
 * already caused are owed; `fees` (billing's part) computes and charges them; the caller names the
 * amount it was shown (`expectedFees`), and a different amount is refused rather than charged.
 */
export async function cancelChange(
  deps: Deps,
  auth: AuthContext,
  changeId: string,
  expectedFees: number,
  fees: (
    x: ChangeCase & { change: ChangeRow; charge: boolean },
  ) => Promise<{ amount: number; basis: Basis[] }>,
) {
  const actor = actorOf(auth);
  return asCaller(deps.db, auth, async (tx) => {
    const { ch, c } = await openChange(tx, changeId);
    const x = {
      tx,
      contract: c,
      before: ch.before as Content,
      after: ch.after as Content,
      receivedOn: ch.received_on,
      change: ch,
    };
    const owed = await fees({ ...x, charge: false });
    if (owed.amount !== expectedFees)
      throw new AppError(
        "conflict",
        `cancelling this change owes ${owed.amount} yen (Art. 29(5)), not ${expectedFees}: review the fees and confirm again`,
        { article: "29(5)", details: { expectedFees: ["mismatch"] } },
      );
    const charged = await fees({ ...x, charge: true });
    const decided = await decideChange(tx, ch.id, {
      status: "cancelled",
      cancellation_fees: charged.amount,
      decided_by: auth.user.id,
      decided_at: deps.clock.now(),
    });
    if (!decided) throw stale();
    await event(deps, tx, c, actor, {
      type: "change_cancelled",
      article: "29(5)",
      details: { changeId: ch.id, fees: charged.amount },
    });
    await notifyCustomer(deps, tx, c, {
      topic: "contract.change_cancelled",
      subject: `【Unyo】契約内容の変更のお申込みを取り消しました (${c.number})`,
      body: `契約番号 ${c.number} の契約内容の変更(${ch.received_on} 受付)のお申込みを取り消しました。\n${charged.amount > 0 ? `この変更に関して既に発生した料金等 ${charged.amount.toLocaleString("ja-JP")} 円(税抜)は、次回のご請求に含まれます(${articleJa("29(5)")})。` : "この変更に関して発生した料金等はありません。"}\n`,
      article: "29(5)",
      actor,
    });
    return { change: decided, fees: charged.amount, basis: charged.basis };
  });
}

/** What cancelling a change would owe, before the customer confirms it (Art. 29(5)). */
export async function changeCancellationPreview(
  deps: Deps,
  auth: AuthContext,
  changeId: string,
  fees: (
    x: ChangeCase & { change: ChangeRow; charge: boolean },
  ) => Promise<{ amount: number; basis: Basis[] }>,
) {
  return asCaller(deps.db, auth, async (tx) => {
    const { ch, c } = await openChange(tx, changeId, false);
    return fees({
      tx,
      contract: c,
      before: ch.before as Content,
      after: ch.after as Content,
      receivedOn: ch.received_on,
      change: ch,
      charge: false,
    });
  });
}

export async function getChange(deps: Deps, auth: AuthContext, changeId: string): Promise<ChangeView> {
  return asCaller(deps.db, auth, async (tx) => {
    const ch = await changeById(tx, changeId);
    if (!ch) throw notFound("contract change");
    const numbers = await numbersOf(tx, [ch.contract_id]);
    return presentChange(ch, numbers.get(ch.contract_id));
  });
}

export interface ChangeView {
  id: string;
  contractId: string;
  contractNumber?: string;
  customerId: string;
  status: ChangeRow["status"];
  kind: ChangeRow["kind"];
  channel: ChangeRow["channel"];
  receivedOn: IsoDate;
  steps: string[];
  before: Content;
  after: Content;
  note: string | null;
  requestedAt: string;
  decidedAt: string | null;
  effectiveOn: IsoDate | null;
  refusalReason: string | null;
  cancellationFees: number | null;
}

export function presentChange(r: ChangeRow, contractNumber?: string): ChangeView {
  const before = r.before as Content;
  const after = r.after as Content;
  return {
    id: r.id,
    contractId: r.contract_id,
    ...(contractNumber === undefined ? {} : { contractNumber }),
    customerId: r.customer_id,
    status: r.status,
    kind: r.kind,
    channel: r.channel,
    receivedOn: r.received_on,
    steps: stepsBetween(before, after),
    before,
    after,
    note: r.note,
    requestedAt: new Date(r.requested_at).toISOString(),
    decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
    effectiveOn: r.effective_on,
    refusalReason: r.refusal_reason,
    cancellationFees: r.cancellation_fees,
  };
}

/** A contract's changes, the latest first (a customer sees its own). */
export async function changesOf(deps: Deps, auth: AuthContext, contractId: string, page: PageRequest) {
  return mapPage(
    asCaller(deps.db, auth, async (tx) => {
      await loadContract(tx, contractId);
      return changesOfContract(tx, contractId, page);
    }),
    (r) => presentChange(r),
  );
}

/** Staff's queue: changes in a state, the oldest request first, with their contract's number. */
export async function changeQueue(deps: Pick<Deps, "db">, status: ContractChangeStatus, page: PageRequest) {
  const p = await changesByStatus(deps.db, status, page);
  const numbers = await numbersOf(
    deps.db,
    p.items.map((r) => r.contract_id),
  );
  return { ...p, items: p.items.map((r) => presentChange(r, numbers.get(r.contract_id))) };
}

async function openChange(tx: Tx, changeId: string, lock = true) {
  const ch = await changeById(tx, changeId, lock);
  if (!ch) throw notFound("contract change");
  if (ch.status !== "requested")
    throw new AppError("conflict", `the change is already ${ch.status}`, { article: "20(4)" });
  const c = await loadContract(tx, ch.contract_id, lock);
  return { ch, c };
}

const stale = () =>
  new AppError("conflict", "the change was decided meanwhile; reload it", { article: "20(4)" });
