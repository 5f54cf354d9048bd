/**
 * Changes of a customer's data (Art. 19, 20(1)(4)): a customer-admin submits them in the portal; they
 * stay pending, and the old data is used everywhere, until the provider confirms (or refuses) them.
 */

import { actorOf, appendAudit } from "../audit/service.ts";
import type { Caller, Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";

import type { CustomerChange, CustomerChangeView } from "./schemas.ts";
import {
  changeById,
  customerById,
  insertChange,
  listChanges,
  updateChange,
  updateCustomer,
} from "./store.ts";

export async function requestCustomerChange(deps: Deps, auth: Caller, changes: CustomerChange) {
  if (auth.user.kind !== "customer" || !auth.user.customerId)
    throw new AppError("forbidden", "customer users submit changes of their company data");
  const customerId = auth.user.customerId;
  return asCaller(deps.db, auth, async (tx) => {
    const row = await insertChange(tx, {
      customer_id: customerId,
      requested_by: auth.user.id,
      changes: JSON.stringify(changes),
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "customer.change_request",
      subjectType: "customer_change",
      subjectId: row.id,
      customerId,
      after: changes,
      article: "20(4)",
      at: deps.clock.now(),
    });
    return { id: row.id, status: row.status };
  });
}

export async function listCustomerChanges(
  deps: Deps,
  auth: Caller,
  status?: "pending" | "confirmed" | "refused",
  page: PageRequest = {},
): Promise<Page<CustomerChangeView>> {
  return asCaller(deps.db, auth, (tx) =>
    mapPage(listChanges(tx, status, page), (r) => ({
      id: r.id,
      customerId: r.customer_id,
      legalName: r.legal_name,
      changes: r.changes as CustomerChangeView["changes"],
      status: r.status,
      requestedAt: new Date(r.requested_at).toISOString(),
      decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
      decisionNote: r.decision_note,
    })),
  );
}

/** Confirm (apply) or refuse a pending change; until then the old data is used everywhere (Art. 20(4)). */
export async function decideCustomerChange(
  deps: Deps,
  auth: Caller,
  id: string,
  confirm: boolean,
  note?: string,
) {
  const actor = actorOf(auth);
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const ch = await changeById(tx, id, true);
    if (!ch) throw notFound("change");
    if (ch.status !== "pending")
      throw new AppError("conflict", `the change is already ${ch.status}`, { article: "20(4)" });
    const current = await customerById(tx, ch.customer_id);
    if (!current) throw notFound("customer");
    const before = {
      legal_name: current.legal_name,
      address: current.address,
      billing_contact: current.billing_contact,
      representatives: current.representatives,
    };
    if (confirm) {
      const c = ch.changes as CustomerChange;
      await updateCustomer(tx, ch.customer_id, {
        ...(c.legalName ? { legal_name: c.legalName } : {}),
        ...(c.address ? { address: c.address } : {}),
        ...(c.billingContact ? { billing_contact: JSON.stringify(c.billingContact) } : {}),
        ...(c.representatives ? { representatives: JSON.stringify(c.representatives) } : {}),
        updated_at: at,
      });
    }
    await updateChange(tx, id, {
      status: confirm ? "confirmed" : "refused",
      decided_by: actor.id,
      decided_at: at,
      decision_note: note ?? null,
    });
    await appendAudit(tx, {
      actor,
      action: confirm ? "customer.change_confirm" : "customer.change_refuse",
      subjectType: "customer",
      subjectId: ch.customer_id,
      customerId: ch.customer_id,
      before,
      after: ch.changes,
      article: "20(4)",
      at,
    });
  });
}
