/**
 * What billing knows of contracts, read through the contracts and customers rooms: dates, plan and
 * options, option cancellations (Art. 11), suspended months (Art. 30(3)) and the recipient an invoice
 * names.
 */
import { SUSPENSION_EVENTS, suspendedMonths } from "../contracts/rules.ts";
import { type BillingFacts, billingFacts, eventsOfTypes, optionCancellations } from "../contracts/store.ts";
import { type IsoMonth, lastDayOfMonth } from "../core/dates.ts";
import { notFound } from "../core/errors.ts";
import { recipientsOf } from "../customers/store.ts";
import type { Db, Tx } from "../db/db.ts";
import type { IdSet } from "../db/id-set.ts";
import type { PriceBook } from "./price-book.ts";
import type { ContractCharges } from "./rules.ts";

export interface BillableContract extends BillingFacts {
  legal_name: string;
  address: string | null;
  corporate_number: string | null;
}

/** The contracts of `ids` with their customer's name and address, in id order. */
export async function billableContracts(db: Db | Tx, ids: string[]): Promise<BillableContract[]> {
  return withRecipients(db, await billingFacts(db, ids));
}

/** Contracts' billing facts with their customer's name and address (one query for the batch). */
export async function withRecipients(db: Db | Tx, rows: BillingFacts[]): Promise<BillableContract[]> {
  const customers = await recipientsOf(
    db,
    rows.map((r) => r.customer_id),
  );
  // Built field by field: a run makes one per contract, and spreading the row costs twice as much.
  return rows.map((r) => {
    const c = customers.get(r.customer_id);
    return {
      id: r.id,
      number: r.number,
      customer_id: r.customer_id,
      plan: r.plan,
      options: r.options,
      start_date: r.start_date,
      end_effective_on: r.end_effective_on,
      terminated_on: r.terminated_on,
      charges_void: r.charges_void,
      legal_name: c?.legal_name ?? "",
      address: c?.address ?? null,
      corporate_number: c?.corporate_number ?? null,
    };
  });
}

/** The recipient an invoice names (qualified invoice). */
export function recipientOf(c: BillableContract) {
  return {
    name: c.legal_name,
    address: c.address,
    customerNumber: c.corporate_number ?? c.customer_id.slice(0, 8),
    contractNumber: c.number,
  };
}

/** Option cancellations and suspended months of many contracts, for the rules. */
export async function recurringFacts(db: Db | Tx, ids: IdSet, month: IsoMonth) {
  const [cancellations, events] = await Promise.all([
    optionCancellations(db, ids),
    eventsOfTypes(db, ids, SUSPENSION_EVENTS),
  ]);
  const cancelledBy = new Map<string, Map<string, string>>();
  for (const x of cancellations) {
    const m = cancelledBy.get(x.contract_id) ?? new Map<string, string>();
    m.set(x.option, x.received_on);
    cancelledBy.set(x.contract_id, m);
  }
  const eventsBy = new Map<string, { type: string; on: string }[]>();
  for (const e of events) {
    const list = eventsBy.get(e.contract_id);
    const x = { type: e.type, on: e.business_date };
    if (list) list.push(x);
    else eventsBy.set(e.contract_id, [x]);
  }
  const until = lastDayOfMonth(month);
  return {
    charges(book: PriceBook, c: BillableContract): ContractCharges {
      const ev = eventsBy.get(c.id);
      return book.contractCharges(
        c,
        cancelledBy.get(c.id) ?? new Map(),
        ev ? suspendedMonths(ev, until) : [],
      );
    },
    cancelled(id: string) {
      return [...(cancelledBy.get(id) ?? new Map<string, string>()).entries()].map(
        ([option, receivedOn]) => ({
          option,
          receivedOn,
        }),
      );
    },
  };
}

/** One contract with its recurring items for the rules. */
export async function contractCharges(db: Db | Tx, contractId: string, book: PriceBook, month: IsoMonth) {
  const [c] = await billableContracts(db, [contractId]);
  if (!c) throw notFound("contract");
  const facts = await recurringFacts(db, [contractId], month);
  return { c, cc: facts.charges(book, c), cancelled: facts.cancelled(contractId) };
}
