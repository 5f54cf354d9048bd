/**
 * What billing knows of contracts, read through the contracts and customers rooms: dates, plan and
 * options, option cancellations (Art. 11), suspended months (Art. 30(3)) and the recipient an invoice
 * names.
 */

import { type PricedContent, removedOptions, versionsOf } from "../contracts/change-rules.ts";
import { SUSPENSION_EVENTS, suspendedMonths } from "../contracts/rules.ts";
import { confirmedChanges } from "../contracts/store/changes.ts";
import { type BillingFacts, billingFacts, eventsOfTypes } from "../contracts/store.ts";
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
      server_count: r.server_count,
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

/**
 * The content's versions (confirmed changes, Art. 20(4), 29(4), 11) and suspended months (Art. 30(3))
 * of many contracts, for the rules.
 */
export async function recurringFacts(
  db: Db | Tx,
  ids: IdSet,
  month: IsoMonth,
  /** Changes to leave out (a correction of a month whose difference they billed separately). */
  without: ReadonlySet<string> = new Set(),
) {
  const [changes, events] = await Promise.all([
    confirmedChanges(db, ids),
    eventsOfTypes(db, ids, SUSPENSION_EVENTS),
  ]);
  const changesBy = new Map<string, { receivedOn: string; before: PricedContent; after: PricedContent }[]>();
  // Without some changes, a contract whose every change is left out has the content before the first.
  const baseBy = new Map<string, PricedContent>();
  for (const x of changes) {
    if (without.has(x.id)) {
      if (!changesBy.has(x.contract_id) && !baseBy.has(x.contract_id))
        baseBy.set(x.contract_id, priced(x.before));
      continue;
    }
    const list = changesBy.get(x.contract_id) ?? [];
    list.push({ receivedOn: x.received_on, before: priced(x.before), after: priced(x.after) });
    changesBy.set(x.contract_id, list);
  }
  const eventsBy = new Map<string, { type: string; on: string }[]>();
  for (const e of events) {
    const list = eventsBy.get(e.contract_id);
    const x = { type: e.type, on: e.business_date };
    if (list) list.push(x);
    else eventsBy.set(e.contract_id, [x]);
  }
  const until = lastDayOfMonth(month);
  const current = (c: BillableContract): PricedContent =>
    baseBy.get(c.id) ?? { plan: c.plan, options: c.options, servers: c.server_count };
  const versions = (c: BillableContract) =>
    versionsOf<PricedContent>(c.start_date, current(c), changesBy.get(c.id) ?? []);
  return {
    versions,
    charges(book: PriceBook, c: BillableContract, extra: ChangeStep[] = []): ContractCharges {
      const ev = eventsBy.get(c.id);
      const own = changesBy.get(c.id) ?? [];
      const vs =
        extra.length === 0
          ? versions(c)
          : versionsOf<PricedContent>(c.start_date, current(c), [...own, ...extra]);
      return book.contractCharges(c, vs, ev ? suspendedMonths(ev, until) : []);
    },
    cancelled(c: BillableContract) {
      return removedOptions(versions(c));
    },
  };
}

/** A change as billing's versions take it: the content before and after, from the day it was received. */
export interface ChangeStep {
  receivedOn: string;
  before: PricedContent;
  after: PricedContent;
}

/** The priced part of a stored content (jsonb). */
export function priced(x: unknown): PricedContent {
  const c = x as { plan: string; options?: string[]; servers?: unknown[] };
  return { plan: c.plan, options: c.options ?? [], servers: c.servers?.length ?? 0 };
}

/** One contract with its recurring items for the rules. */
export async function contractCharges(
  db: Db | Tx,
  contractId: string,
  book: PriceBook,
  month: IsoMonth,
  without: ReadonlySet<string> = new Set(),
) {
  const [c] = await billableContracts(db, [contractId]);
  if (!c) throw notFound("contract");
  const facts = await recurringFacts(db, [contractId], month, without);
  return { c, cc: facts.charges(book, c), cancelled: facts.cancelled(c), facts };
}
