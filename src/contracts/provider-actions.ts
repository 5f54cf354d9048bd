/**
 * What the provider does to a contract: suspension and resumption (Art. 21), emergency stop
 * (Art. 22), termination (Art. 25), scheduling the deletion work (Art. 26(7)) and merger
 * succession (Art. 18). Each: one transaction with its timeline event, audit entry and notice.
 */
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import { succeedCustomer } from "../customers/service.ts";
import type { AuthContext } from "../identity/actor.ts";
import { checkCorporateNumber } from "./applications.ts";
import { serverKey } from "./change-rules.ts";
import { articleJa, event, notifyCustomer, transition } from "./common.ts";
import {
  SUSPENSION_REASONS,
  type SuspensionReason,
  TERMINATION_REASONS,
  type TerminationReason,
} from "./reasons.ts";
import { receiptDate } from "./receipt-rules.ts";
import { contractEnd, deletionDate } from "./rules.ts";
import { updateContract } from "./store.ts";

/** 提供の停止 (Art. 21): without prior notice, for a coded reason; billed as if served (Art. 30(3)). */
export function suspend(deps: Deps, auth: AuthContext, id: string, reason: SuspensionReason, note?: string) {
  const why = SUSPENSION_REASONS[reason];
  return transition(deps, auth, id, "suspend", async (tx, c, actor) => {
    await updateContract(tx, id, {
      status: "suspended",
      suspension_reason: reason,
      updated_at: deps.clock.now(),
    });
    await event(deps, tx, c, actor, {
      type: "suspended",
      toStatus: "suspended",
      reasonCode: reason,
      article: why.article,
      details: note ? { note } : undefined,
    });
    await notifyCustomer(deps, tx, c, {
      topic: "contract.suspended",
      subject: `【Unyo】サービス提供停止のお知らせ (${c.number})`,
      body: `契約番号 ${c.number} のサービス提供を停止しました。理由: ${why.text}(${articleJa(why.article)})\n停止期間中の料金等もお支払いいただきます(第30条第3項)。\n`,
      article: why.article,
      actor,
    });
  });
}

/**
 * Resuming a suspended contract (Art. 21): the customer was told of the suspension and is told of the
 * resumption the same way (the terms require no notice either way; a customer whose service comes back
 * must not have to find out by trying), with what the suspended months cost (Art. 30(3)).
 */
export function resume(deps: Deps, auth: AuthContext, id: string, note?: string) {
  return transition(deps, auth, id, "resume", async (tx, c, actor) => {
    await updateContract(tx, id, { status: "active", suspension_reason: null, updated_at: deps.clock.now() });
    await event(deps, tx, c, actor, {
      type: "resumed",
      toStatus: "active",
      article: "21",
      details: note ? { note } : undefined,
    });
    await notifyCustomer(deps, tx, c, {
      topic: "contract.resumed",
      subject: `【Unyo】サービス提供再開のお知らせ (${c.number})`,
      body: `契約番号 ${c.number} のサービス提供を再開しました(第21条)。\n停止期間中の料金等は、サービスを提供したものとしてお支払いいただきます(第30条第3項)。\n`,
      article: "21",
      actor,
    });
  });
}

/** 緊急停止 (Art. 22): recorded by staff only (Art. 22(3): customers cannot request one through the system). */
export function emergencyStop(deps: Deps, auth: AuthContext, id: string, note: string) {
  return transition(deps, auth, id, "emergency_stop", async (tx, c, actor) => {
    await event(deps, tx, c, actor, { type: "emergency_stop", article: "22(1)", details: { note } });
  });
}

/** 当社が行う利用契約の解除 (Art. 25): effective the day the notice arrives (25(4)); partial for some servers (25(6)). */
export function terminate(
  deps: Deps,
  auth: AuthContext,
  id: string,
  input: { reason: TerminationReason; noticeArrivedOn: IsoDate; servers?: string[]; note?: string },
) {
  const why = TERMINATION_REASONS[input.reason];
  const today = todayOf(deps);
  return transition(deps, auth, id, "terminate", async (tx, c, actor) => {
    if (input.noticeArrivedOn < c.start_date)
      throw new AppError("validation_failed", "the notice cannot arrive before the contract started", {
        article: "25(4)",
      });
    if (input.reason === "suspension_not_cured" && c.status !== "suspended")
      throw new AppError("conflict", "termination for an uncured suspension needs a suspended contract", {
        article: "25(1)",
      });
    if (input.servers) {
      const servers = c.servers as { hostname: string }[];
      // Host names compare as DNS does (case-insensitive), as a change of content compares them.
      const named = new Set(input.servers.map(serverKey));
      const unknown = input.servers.filter(
        (h) => !servers.some((s) => serverKey(s.hostname) === serverKey(h)),
      );
      if (unknown.length)
        throw new AppError("validation_failed", `not servers of this contract: ${unknown.join(", ")}`, {
          article: "25(6)",
        });
      const remaining = servers.filter((s) => !named.has(serverKey(s.hostname)));
      if (remaining.length === 0)
        throw new AppError(
          "validation_failed",
          "a partial termination must leave at least one server; terminate the whole contract instead",
          { article: "25(6)" },
        );
      await updateContract(tx, id, { servers: JSON.stringify(remaining), updated_at: deps.clock.now() });
      await event(deps, tx, c, actor, {
        type: "partial_termination",
        reasonCode: input.reason,
        article: "25(6)",
        businessDate: input.noticeArrivedOn,
        details: { servers: input.servers, basis: why.article, note: input.note ?? null },
      });
      return;
    }
    // Recorded once the notice has arrived: the arrival day is a real date, not a future one.
    const arrived = receiptDate({
      channel: "paper",
      entered: input.noticeArrivedOn,
      today,
      article: "25(4)",
      what: "the termination notice",
      whatJa: "当社が行う利用契約の解除の通知",
    }).result.receivedOn;
    const end = contractEnd({
      kind: "termination",
      effectiveOn: arrived,
      article: "25(4)",
      extensionDays: c.extension_days,
    }).result;
    await updateContract(tx, id, {
      status: "terminated",
      end_kind: "termination",
      end_reason: input.reason,
      end_article: end.article,
      end_effective_on: end.effectiveOn,
      service_until: end.serviceUntil,
      terminated_on: end.serviceUntil,
      updated_at: deps.clock.now(),
    });
    await event(deps, tx, c, actor, {
      type: "terminated",
      toStatus: "terminated",
      reasonCode: input.reason,
      article: why.article,
      businessDate: arrived,
      details: { effectiveOn: arrived, effectiveRule: "25(4)", note: input.note ?? null },
    });
    await notifyCustomer(deps, tx, c, {
      topic: "contract.terminated",
      subject: `【Unyo】利用契約解除のお知らせ (${c.number})`,
      body: `契約番号 ${c.number} の利用契約を解除しました。理由: ${why.text}(${articleJa(why.article)})\n解除の効力は本通知の到着日に生じます(第25条第4項)。\n`,
      article: why.article,
      actor,
    });
  });
}

/** 利用契約解除作業 (Art. 26(7)): schedule the deletion for a day in the month after the end, or later. */
export function scheduleDeletion(deps: Deps, auth: AuthContext, id: string, on: IsoDate) {
  return transition(deps, auth, id, "delete_data", async (tx, c, actor) => {
    const r = deletionDate(c.terminated_on!, on);
    await updateContract(tx, id, { deletion_scheduled_on: on, updated_at: deps.clock.now() });
    await event(deps, tx, c, actor, {
      type: "deletion_scheduled",
      article: "26(7)",
      details: { on, earliest: r.result.earliest },
    });
  });
}

/** 地位継承 (Art. 18): after the acceptance check is re-run, the contract's customer becomes the successor; history kept. */
export function succeed(
  deps: Deps,
  auth: AuthContext,
  id: string,
  input: { legalName: string; corporateNumber: string; address?: string; note?: string },
) {
  checkCorporateNumber(input.corporateNumber);
  return transition(deps, auth, id, "succeed", async (tx, c, actor) => {
    const before = await succeedCustomer(tx, c.customer_id, input, deps.clock.now());
    await event(deps, tx, c, actor, {
      type: "succession",
      article: "18",
      details: {
        from: before,
        to: { legalName: input.legalName, corporateNumber: input.corporateNumber },
        acceptanceCheck: "17: passed",
        note: input.note ?? null,
      },
    });
  });
}
