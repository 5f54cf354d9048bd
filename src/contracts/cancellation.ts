/**
 * Cancellation by the customer (Art. 26): previewed ("what if it arrived on …"), requested in the
 * portal (received now) or entered by staff from paper (received on its real date), and the
 * cooling-off cancellation of a web contract (Art. 42). When the contract's service ends is decided by
 * `contractEnd` and stored as `service_until`; the lifecycle job ends it the day after.
 */
import type { IsoDate, IsoMonth } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import { asCaller } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { articleJa, event, loadContract, notifyCustomer } from "./common.ts";
import { presentContract } from "./present.ts";
import { type ReceiptChannel, receiptDate } from "./receipt-rules.ts";
import {
  type CancellationReason,
  type Channel,
  cancellation,
  contractEnd,
  coolingOff,
  statusOnEnd,
  withinCoolingOff,
} from "./rules.ts";
import { checkTransition } from "./states.ts";
import { updateContract } from "./store.ts";

/** "What if a cancellation arrived on X": effective date and months still billable (Art. 26, 29(3)). */
export async function whatIf(
  deps: Deps,
  auth: AuthContext,
  id: string,
  q: { received?: IsoDate; month?: IsoMonth; reason?: CancellationReason },
) {
  const c = await asCaller(deps.db, auth, (tx) => loadContract(tx, id));
  return cancellation({
    start: c.start_date,
    received: q.received ?? todayOf(deps),
    month: q.month,
    reason: q.reason,
    committedMonths: c.committed_months ?? undefined,
  });
}

/** A customer's own cancellation request, received now (Art. 26(1)(2)(3)). */
export function requestCancellation(deps: Deps, auth: AuthContext, id: string, month?: IsoMonth) {
  return cancel(deps, auth, id, { channel: "portal", month, reason: "normal" });
}

/** A paper cancellation entered by staff with its real receipt date. */
export function recordCancellation(
  deps: Deps,
  auth: AuthContext,
  id: string,
  input: { receivedOn: IsoDate; month?: IsoMonth; reason?: CancellationReason },
) {
  return cancel(deps, auth, id, {
    channel: "paper",
    entered: input.receivedOn,
    month: input.month,
    reason: input.reason ?? "normal",
  });
}

async function cancel(
  deps: Deps,
  auth: AuthContext,
  id: string,
  input: { channel: ReceiptChannel; entered?: IsoDate; month?: IsoMonth; reason: CancellationReason },
) {
  const actor = actorOf(auth);
  const today = todayOf(deps);
  return asCaller(deps.db, auth, async (tx) => {
    const c = await loadContract(tx, id, true);
    checkTransition(c.status, "cancel");
    const { receivedOn } = receiptDate({
      channel: input.channel,
      entered: input.entered,
      today,
      article: "26(2)",
      what: "the cancellation",
      whatJa: "利用契約の解除の申出",
    }).result;
    const r = cancellation({
      start: c.start_date,
      received: receivedOn,
      month: input.month,
      reason: input.reason,
      committedMonths: c.committed_months ?? undefined,
    });
    const end = contractEnd({
      kind: "cancellation",
      effectiveOn: r.result.effectiveDate,
      article: r.result.article,
      extensionDays: c.extension_days,
    }).result;
    const toStatus = statusOnEnd(end.serviceUntil, today);
    await updateContract(tx, id, {
      status: toStatus,
      end_kind: "cancellation",
      end_reason: input.reason,
      end_article: end.article,
      cancellation_received_on: receivedOn,
      end_effective_on: end.effectiveOn,
      service_until: end.serviceUntil,
      terminated_on: toStatus === "terminated" ? end.serviceUntil : null,
      updated_at: deps.clock.now(),
    });
    await event(deps, tx, c, actor, {
      type: "cancellation_received",
      toStatus,
      reasonCode: input.reason,
      article: end.article,
      businessDate: receivedOn,
      details: {
        channel: input.channel,
        effectiveDate: end.effectiveOn,
        serviceUntil: end.serviceUntil,
        month: input.month ?? null,
        lastBillableMonth: r.result.lastBillableMonth,
      },
    });
    const extension =
      end.serviceUntil !== end.effectiveOn
        ? `\n利用開始の遅延により利用期間を延長しており、サービスは ${end.serviceUntil} まで提供します(第36条第2項)。`
        : "";
    await notifyCustomer(deps, tx, c, {
      topic: "contract.cancellation",
      subject: `【Unyo】解約のお申出を受理しました (${c.number})`,
      body: `契約番号 ${c.number} の解約のお申出を ${receivedOn} に受理しました(第26条第1項)。\n解約の効力発生日: ${end.effectiveOn}(${articleJa(end.article)})${extension}\n${r.result.lastBillableMonth} 分までの料金等はお支払いいただきます(第29条第3項)。\n`,
      article: end.article,
      actor,
    });
    return { contract: presentContract(await loadContract(tx, id)), ...r };
  });
}

/** Cooling-off cancellation of a contract applied for on the web (Art. 42): ends it now, voids its charges (SPEC decision). */
export async function coolingOffCancel(deps: Deps, auth: AuthContext, id: string) {
  const actor = actorOf(auth);
  const today = todayOf(deps);
  return asCaller(deps.db, auth, async (tx) => {
    const c = await loadContract(tx, id, true);
    checkTransition(c.status, "cooling_off");
    if (!withinCoolingOff(c.applied_on, c.channel as Channel, today))
      throw new AppError(
        "conflict",
        c.channel === "web"
          ? `the cooling-off period ended ${coolingOff(c.applied_on, "web").result.lastDay}`
          : "cooling-off applies only to applications made on the web site",
        { article: "42" },
      );
    const end = contractEnd({
      kind: "cooling_off",
      effectiveOn: today,
      article: "42",
      extensionDays: 0,
    }).result;
    await updateContract(tx, id, {
      status: "terminated",
      end_kind: "cooling_off",
      end_reason: "cooling_off",
      end_article: end.article,
      cancellation_received_on: today,
      end_effective_on: end.effectiveOn,
      service_until: end.serviceUntil,
      terminated_on: end.serviceUntil,
      charges_void: true,
      updated_at: deps.clock.now(),
    });
    await event(deps, tx, c, actor, {
      type: "cooling_off_cancellation",
      toStatus: "terminated",
      reasonCode: "cooling_off",
      article: "42",
      details: { chargesVoid: true },
    });
    await notifyCustomer(deps, tx, c, {
      topic: "contract.cooling_off",
      subject: `【Unyo】クーリングオフによる解除 (${c.number})`,
      body: `契約番号 ${c.number} はクーリングオフにより ${today} に解除されました(第42条)。料金等は発生しません。\n`,
      article: "42",
      actor,
    });
    return presentContract(await loadContract(tx, id));
  });
}
