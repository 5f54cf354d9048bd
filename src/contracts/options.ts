/**
 * Cancelling an option (Art. 11): its fee stops from the arrival of the notice — today for the
 * portal, the day staff enter for a paper notice (never in the future, never before the contract);
 * nothing already paid is refunded.
 */
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import { asCaller } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { contentOf } from "./changes.ts";
import { event, loadContract } from "./common.ts";
import { receiptDate } from "./receipt-rules.ts";
import { checkTransition } from "./states.ts";
import { insertChange, lastConfirmedReceipt, openChangeOf } from "./store/changes.ts";
import { updateContract } from "./store.ts";

export async function cancelOption(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  option: string,
  enteredOn?: IsoDate,
) {
  const actor = actorOf(auth);
  return asCaller(deps.db, auth, async (tx) => {
    const c = await loadContract(tx, contractId, true);
    if (!c.options.includes(option))
      throw new AppError("conflict", `the contract has no option "${option}"`, { article: "11" });
    checkTransition(c.status, "cancel_option");
    if (await openChangeOf(tx, c.id))
      throw new AppError(
        "conflict",
        "a change of this contract is waiting for the provider's confirmation; cancel it or wait for the decision before cancelling an option",
        { article: "20(4)" },
      );
    const last = await lastConfirmedReceipt(tx, c.id);
    const receipt = receiptDate({
      channel: auth.user.kind === "customer" ? "portal" : "paper",
      entered: enteredOn,
      today: todayOf(deps),
      notBefore: last && last > c.start_date ? last : c.start_date,
      article: "11",
      what: "the option's cancellation notice",
      whatJa: "オプションサービスの利用を取り止める旨の通知",
    });
    const receivedOn = receipt.result.receivedOn;
    const before = contentOf(c);
    const after = { ...before, options: c.options.filter((o) => o !== option) };
    await updateContract(tx, c.id, { options: after.options, updated_at: deps.clock.now() });
    // One kind of change of the contract's content, in effect on arrival (Art. 11).
    await insertChange(tx, {
      contract_id: c.id,
      customer_id: c.customer_id,
      status: "confirmed",
      kind: "option_cancellation",
      channel: auth.user.kind === "customer" ? "portal" : "paper",
      received_on: receivedOn,
      request: JSON.stringify({ removeOptions: [option] }),
      before: JSON.stringify(before),
      after: JSON.stringify(after),
      requested_by: auth.user.id,
      requested_at: deps.clock.now(),
      decided_by: auth.user.id,
      decided_at: deps.clock.now(),
      effective_on: receivedOn,
    });
    await event(deps, tx, c, actor, {
      type: "option_cancelled",
      reasonCode: option,
      article: "11",
      businessDate: receivedOn,
      details: { option, receivedOn, optionsBefore: c.options },
    });
    return {
      option,
      receivedOn,
      basis: [
        ...receipt.basis,
        {
          article: "11",
          text: `The option's fee stops from the arrival of the notice (${receivedOn}); fees already paid are not refunded. Its last charged month is the one in which it was in effect on any day.`,
          textJa: `オプションの料金は通知の到達日 (${receivedOn}) から発生しません。お支払い済みの料金は返金いたしません。最後に請求する月は、1日でも提供した最後の月です。`,
        },
      ],
    };
  });
}
