/**
 * Customer companies (契約者). Staff see all; a customer user's reads and writes run in a
 * transaction scoped by row-level security to its own company, so an id from the URL or the body can
 * never reach another company's rows, even if a query forgot a filter.
 */

import { type Actor, actorOf, appendAudit } from "../audit/service.ts";
import type { Caller, Deps } from "../core/deps.ts";
import { notFound } from "../core/errors.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest, type SortName } from "../db/page.ts";
import type { CustomerSort, CustomerView } from "./schemas.ts";
import {
  type CustomerRow,
  customerById,
  insertCustomer,
  listCustomers as listRows,
  updateCustomer,
} from "./store.ts";

export function presentCustomer(r: CustomerRow): CustomerView {
  return {
    id: r.id,
    legalName: r.legal_name,
    corporateNumber: r.corporate_number?.trim() ?? null,
    address: r.address,
    billingContact: (r.billing_contact as CustomerView["billingContact"]) ?? null,
    representatives: (r.representatives as CustomerView["representatives"] | null) ?? [],
    isDemo: r.is_demo,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

export async function listCustomers(
  deps: Deps,
  auth: Caller,
  page: PageRequest & { q?: string | undefined; sort?: SortName<CustomerSort> | undefined } = {},
): Promise<Page<CustomerView>> {
  return asCaller(deps.db, auth, (tx) => mapPage(listRows(tx, page, page.q, page.sort), presentCustomer));
}

export async function getCustomer(deps: Deps, auth: Caller, id: string): Promise<CustomerView> {
  return asCaller(deps.db, auth, async (tx) => {
    const row = await customerById(tx, id);
    if (!row) throw notFound("customer");
    return presentCustomer(row);
  });
}

/** A company registered by staff. */
export async function createCustomer(
  deps: Deps,
  auth: Caller,
  input: { legalName: string; corporateNumber?: string },
): Promise<CustomerView> {
  return deps.db
    .transaction()
    .execute(async (tx) =>
      presentCustomer(
        await registerCustomer(
          tx,
          actorOf(auth),
          { legalName: input.legalName, corporateNumber: input.corporateNumber ?? null },
          deps.clock.now(),
        ),
      ),
    );
}

/** Register a company in the caller's transaction (staff, or the acceptance of an application). */
export async function registerCustomer(
  tx: Tx,
  actor: Actor,
  input: {
    legalName: string;
    corporateNumber: string | null;
    address?: string | null;
    billingContact?: unknown;
    representatives?: unknown;
  },
  at: Date,
): Promise<CustomerRow> {
  const row = await insertCustomer(tx, {
    legal_name: input.legalName,
    corporate_number: input.corporateNumber,
    address: input.address ?? null,
    billing_contact: input.billingContact === undefined ? null : JSON.stringify(input.billingContact),
    representatives: input.representatives === undefined ? null : JSON.stringify(input.representatives),
  });
  await appendAudit(tx, {
    actor,
    action: "customer.create",
    subjectType: "customer",
    subjectId: row.id,
    customerId: row.id,
    after: { legalName: row.legal_name, corporateNumber: row.corporate_number },
    at,
  });
  return row;
}

/**
 * 地位継承 (Art. 18): the company behind a contract becomes its successor (legal name, corporate
 * number, address); returns what it was. The contract records the succession on its timeline.
 */
export async function succeedCustomer(
  tx: Tx,
  customerId: string,
  to: { legalName: string; corporateNumber: string; address?: string },
  at: Date,
) {
  const before = await customerById(tx, customerId);
  if (!before) throw notFound("customer");
  await updateCustomer(tx, customerId, {
    legal_name: to.legalName,
    corporate_number: to.corporateNumber,
    ...(to.address ? { address: to.address } : {}),
    updated_at: at,
  });
  return { legalName: before.legal_name, corporateNumber: before.corporate_number?.trim() ?? null };
}
