/**
 * Overdue invoices (Art. 21(1)(1), 31(3), 33): the list staff work from, with the late fee accrued so
 * far; and the daily job that makes their contracts suspension candidates (staff decide a suspension).
 */

import { systemActor } from "../audit/service.ts";
import { markSuspensionCandidates } from "../contracts/flags.ts";
import { candidacyOf } from "../contracts/store.ts";
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { groupBy } from "../core/group.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { invoiceLateFee, overdueCriterion } from "./rules.ts";
import type { OverdueRow } from "./schemas.ts";
import { allocationsOfInvoices, contractsWithOverdue, overdueInvoices } from "./store/invoices.ts";

export async function overdue(
  deps: Pick<Deps, "db" | "clock">,
  asOf: IsoDate = todayOf(deps),
  page: PageRequest & Parameters<typeof overdueInvoices>[2] = {},
): Promise<Page<OverdueRow>> {
  const found = await overdueInvoices(deps.db, overdueCriterion(asOf), page, page);
  const rows = found.items;
  const ids = rows.map((r) => r.id);
  const [allocations, candidacy] = await Promise.all([
    allocationsOfInvoices(deps.db, ids),
    candidacyOf(
      deps.db,
      rows.map((r) => r.contract_id),
    ),
  ]);
  const paidTo = groupBy(allocations, "invoice_id");
  return mapPage(found, (r) => ({
    id: r.id,
    number: r.number,
    month: r.month,
    dueDate: r.due_date,
    total: r.total,
    balance: r.total - r.paid_amount,
    contractId: r.contract_id,
    contractNumber: r.contract_number,
    customerId: r.customer_id,
    recipientName: r.recipient_name,
    suspensionCandidate: candidacy.get(r.contract_id) ?? null,
    lateFee: invoiceLateFee({
      dueDate: r.due_date,
      total: r.total - r.credited_amount,
      payments: (paidTo.get(r.id) ?? []).map((a) => ({ on: a.received_on, amount: a.amount })),
      asOf,
    }),
  }));
}

/** Daily: contracts with invoices unpaid past their due date become suspension candidates (Art. 21(1)(1)). */
export async function markOverdue(
  deps: Pick<Deps, "db" | "clock">,
  today: IsoDate = todayOf(deps),
): Promise<number> {
  return deps.db.transaction().execute(async (tx) => {
    const ids = await contractsWithOverdue(tx, overdueCriterion(today));
    const flagged = await markSuspensionCandidates(tx, deps.clock.now(), systemActor, {
      reason: "unpaid_fees",
      article: "21(1)(1)",
      onlyUnflagged: true,
      events: ids.map((contractId) => ({ contractId, businessDate: today })),
    });
    return flagged.length;
  });
}
