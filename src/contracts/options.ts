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
import { event, loadContract } from "./common.ts";
import { receiptDate } from "./rules.ts";
import { checkTransition } from "./states.ts";
import { insertOptionCancellation, updateContract } from "./store.ts";

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
    const receipt = receiptDate({
      channel: auth.user.kind === "customer" ? "portal" : "paper",
      entered: enteredOn,
      today: todayOf(deps),
      notBefore: c.start_date,
      article: "11",
      what: "the option's cancellation notice",
    });
    const receivedOn = receipt.result.receivedOn;
    await updateContract(tx, c.id, {
      options: c.options.filter((o) => o !== option),
      updated_at: deps.clock.now(),
    });
    await insertOptionCancellation(tx, {
      contract_id: c.id,
      customer_id: c.customer_id,
      option,
      received_on: receivedOn,
      created_by: auth.user.id,
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
        },
      ],
    };
  });
}
