/** What the contracts room's use cases share: loading a contract, a transition, the customer's notice. */
import type { Actor } from "../audit/service.ts";
import { articleJa } from "../core/articles.ts";
import type { Deps } from "../core/deps.ts";
import { notFound } from "../core/errors.ts";
import { asSystem, type Tx } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { customerRecipients, queueNotice } from "../notices/service.ts";
import { type ContractEventInput, recordContractEvent } from "./events.ts";
import { presentContract } from "./present.ts";
import type { ContractView } from "./schemas.ts";
import { checkTransition, type LifecycleAction } from "./states.ts";
import { type ContractRow, contractById } from "./store.ts";

export async function loadContract(tx: Tx, id: string, forUpdate = false): Promise<ContractRow> {
  const row = await contractById(tx, id, forUpdate);
  if (!row) throw notFound("contract");
  return row;
}

/** Record an event on the contract's timeline (with its audit entry), now. */
export function event(
  deps: Pick<Deps, "clock">,
  tx: Tx,
  c: { id: string; customer_id: string; status: string },
  actor: Actor,
  e: ContractEventInput,
) {
  return recordContractEvent(tx, deps.clock.now(), c, actor, e);
}

/**
 * A notice to the contract's customer. The provider's notice is the provider's write, also when a
 * customer's own action (a cancellation in the portal) caused it.
 */
export async function notifyCustomer(
  deps: Deps,
  tx: Tx,
  c: { id: string; customer_id: string },
  n: { topic: string; subject: string; body: string; article: string | null; actor: Actor },
) {
  await asSystem(tx, async () =>
    queueNotice(deps, tx, {
      kind: "notice",
      topic: n.topic,
      subject: n.subject,
      body: n.body,
      article: n.article,
      contractId: c.id,
      recipients: await customerRecipients(tx, [c.customer_id]),
      actor: n.actor,
      at: deps.clock.now(),
    }),
  );
}

/**
 * A staff action on one contract: lock it, check the lifecycle table allows the action from its
 * state, do it, and answer the contract as it is now.
 */
export async function transition(
  deps: Deps,
  auth: AuthContext,
  id: string,
  action: LifecycleAction,
  fn: (tx: Tx, c: ContractRow, actor: Actor) => Promise<void>,
): Promise<ContractView> {
  const actor = actorOf(auth);
  return deps.db.transaction().execute(async (tx) => {
    const c = await loadContract(tx, id, true);
    checkTransition(c.status, action);
    await fn(tx, c, actor);
    return presentContract(await loadContract(tx, id));
  });
}

export { articleJa };
