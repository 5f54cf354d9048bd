/**
 * A late start (Art. 36(2)(3)): the agreed start date was missed. For the provider's reasons the
 * contract's service period grows by the days lost (a cancelled contract's service runs that much
 * longer: its `service_until` is decided again by `contractEnd`); nothing is refunded. A carrier's
 * fault extends nothing. Recorded once per contract, on its timeline.
 */
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { event, loadContract } from "./common.ts";
import { receiptDate } from "./receipt-rules.ts";
import { contractEnd, type EndKind, lateStartExtension } from "./rules.ts";
import { checkTransition } from "./states.ts";
import { hasEvent, updateContract } from "./store.ts";

export async function recordLateStart(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: { plannedOn: IsoDate; startedOn: IsoDate; attribution: "provider" | "carrier"; note?: string },
) {
  const actor = actorOf(auth);
  const ext = lateStartExtension(input);
  // The actual start is a day that has happened.
  receiptDate({
    channel: "paper",
    entered: input.startedOn,
    today: todayOf(deps),
    article: "36(2)",
    what: "the start",
    whatJa: "利用開始の記録",
  });
  return deps.db.transaction().execute(async (tx) => {
    const c = await loadContract(tx, contractId, true);
    checkTransition(c.status, "record_late_start");
    if (input.plannedOn < c.start_date)
      throw new AppError(
        "validation_failed",
        `the planned start is agreed after the contract is established (${c.start_date}); ${input.plannedOn} is before it`,
        { article: "36(2)" },
      );
    if (await hasEvent(tx, c.id, "late_start"))
      throw new AppError("conflict", "a late start is already recorded for this contract", {
        article: "36(2)",
      });
    const extensionDays = c.extension_days + ext.result.days;
    // An ending contract's service runs longer by the extension (a cancellation's only).
    const end =
      c.end_kind && c.end_effective_on && c.end_article
        ? contractEnd({
            kind: c.end_kind as EndKind,
            effectiveOn: c.end_effective_on,
            article: c.end_article,
            extensionDays,
          }).result
        : null;
    await updateContract(tx, c.id, {
      extension_days: extensionDays,
      ...(end ? { service_until: end.serviceUntil } : {}),
      updated_at: deps.clock.now(),
    });
    await event(deps, tx, c, actor, {
      type: "late_start",
      reasonCode: input.attribution,
      article: ext.result.days > 0 ? "36(2)" : "36(3)",
      businessDate: input.startedOn,
      details: { ...ext.result, attribution: input.attribution, note: input.note ?? null },
    });
    return {
      result: { ...ext.result, extensionDays, serviceUntil: end?.serviceUntil ?? c.service_until },
      basis: ext.basis,
    };
  });
}
