/** Reading invoices: lists, one invoice with its lines, payments and late fee, a month's documents. */

import { type IsoDate, type IsoMonth, tokyoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { notFound } from "../core/errors.ts";
import { groupBy } from "../core/group.ts";
import { asCaller, type Db, type Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import type { AuthContext } from "../identity/actor.ts";
import { lineOf } from "./lines.ts";
import { invoiceLateFee, invoiceTax, isOverdue } from "./rules.ts";
import type { InvoiceDetail, InvoiceRow } from "./schemas.ts";
import { billingSettings, issuerOf } from "./settings.ts";
import { type InvoiceFilter, idsOfMonth, invoicesWithDetails, listInvoices } from "./store/invoices.ts";
import type { InvoiceDocument, InvoiceTotals, TaxRounding } from "./types.ts";

export async function invoices(
  deps: Deps,
  auth: AuthContext,
  filter: InvoiceFilter & PageRequest,
): Promise<Page<InvoiceRow>> {
  const today = todayOf(deps);
  return asCaller(deps.db, auth, (tx) =>
    mapPage(listInvoices(tx, filter, filter), (r) => ({
      id: r.id,
      number: r.number,
      month: r.month,
      kind: r.kind,
      status: r.status,
      issueDate: r.issue_date,
      dueDate: r.due_date,
      total: r.total,
      paidAmount: r.paid_amount,
      balance: r.status === "issued" ? r.total - r.paid_amount : 0,
      paidOn: r.paid_on,
      overdue: isOverdue(
        { status: r.status, total: r.total, paidAmount: r.paid_amount, dueDate: r.due_date },
        today,
      ),
      customerId: r.customer_id,
      contractId: r.contract_id,
      contractNumber: r.contract_number,
      recipientName: r.recipient_name,
    })),
  );
}

/** One invoice with its lines, payments and (when overdue or paid late) its late fee. */
export async function invoice(
  deps: Pick<Deps, "db" | "clock">,
  auth: AuthContext,
  id: string,
): Promise<InvoiceDetail> {
  return asCaller(deps.db, auth, async (tx) => {
    const [one] = await invoicesIn(tx, [id], todayOf(deps));
    if (!one) throw notFound("invoice");
    return one;
  });
}

/** The month's documents for the CSV export (issued and void; drafts only when asked), 2,000 at a time. */
export async function documents(
  deps: Pick<Deps, "db" | "clock">,
  month: IsoMonth,
  includeDrafts = false,
): Promise<InvoiceDocument[]> {
  const ids = await idsOfMonth(deps.db, month, includeDrafts);
  const out: InvoiceDocument[] = [];
  for (let i = 0; i < ids.length; i += 2000)
    for (const d of await invoicesIn(deps.db, ids.slice(i, i + 2000), todayOf(deps))) out.push(d.document);
  return out;
}

/** Invoices with their lines, payments and late fees: four queries for any number of ids. */
export async function invoicesIn(db: Tx | Db, ids: string[], today: IsoDate): Promise<InvoiceDetail[]> {
  const { invs, lines, allocations, refers, referring } = await invoicesWithDetails(db, ids);
  const linesOf = groupBy(lines, "invoice_id");
  const allocationsOf = groupBy(allocations, "invoice_id");
  const refersOf = new Map(refers.map((r) => [r.id, r]));
  // A void invoice names the corrected invoice that replaces it (the latest, if corrected twice).
  const replacementOf = new Map(
    referring.filter((r) => r.kind === "corrected").map((r) => [r.refers_to!, r.number ?? "draft"]),
  );
  const creditsOf = groupBy(
    referring.filter((r) => r.kind === "credit" && r.status !== "void"),
    "refers_to",
  );
  // Drafts carry no issuer yet: they show the current settings.
  const current = invs.some((i) => i.issuer === null) ? issuerOf(await billingSettings(db)) : null;
  const byId = new Map(
    invs.map((inv) => {
      const ls = linesOf.get(inv.id) ?? [];
      const allocs = allocationsOf.get(inv.id) ?? [];
      const late =
        inv.status === "issued" && inv.kind !== "credit" && inv.total > 0
          ? invoiceLateFee({
              dueDate: inv.due_date,
              // What a credit note returned was never owed (the consideration was reduced).
              total: inv.total - inv.credited_amount,
              payments: allocs.map((a) => ({ on: a.received_on, amount: a.amount })),
              asOf: inv.paid_on ?? today,
            })
          : null;
      const issuer = (inv.issuer as InvoiceDocument["issuer"] | null) ?? current!;
      const original = inv.refers_to ? refersOf.get(inv.refers_to) : undefined;
      const doc: InvoiceDocument = {
        number: inv.number,
        status: inv.status,
        kind: inv.kind,
        refersTo: original ? (original.number ?? original.id) : null,
        refersToIssueDate: original?.issue_date ?? null,
        correctionReason: inv.kind === "corrected" ? (original?.void_reason ?? null) : null,
        replacedBy: replacementOf.get(inv.id) ?? null,
        creditedBy: (creditsOf.get(inv.id) ?? []).map((c) => c.number ?? "draft"),
        voidedOn: inv.voided_at ? tokyoDate(inv.voided_at) : null,
        creditReason: inv.credit_reason,
        returnDate: inv.return_date,
        month: inv.month,
        issueDate: inv.issue_date,
        dueDate: inv.due_date,
        periodStart: inv.period_start,
        periodEnd: inv.period_end,
        issuer: {
          name: issuer.name,
          registrationNumber: issuer.registrationNumber,
          address: issuer.address,
          ...(issuer.phone ? { phone: issuer.phone } : {}),
          ...(issuer.bankAccount ? { bankAccount: issuer.bankAccount } : {}),
        },
        recipient: inv.recipient as InvoiceDocument["recipient"],
        lines: ls.map(lineOf),
        totals: {
          byRate: inv.by_rate as InvoiceTotals["byRate"],
          net: inv.net,
          tax: inv.tax,
          total: inv.total,
        },
        taxRounding: inv.tax_rounding as TaxRounding,
        voidReason: inv.void_reason,
        basis: invoiceTax(
          ls.map((l) => ({ amount: l.amount, taxCategory: l.tax_category })),
          inv.tax_rounding as TaxRounding,
        ).basis,
      };
      const detail: InvoiceDetail = {
        id: inv.id,
        contractId: inv.contract_id,
        customerId: inv.customer_id,
        document: doc,
        paidAmount: inv.paid_amount,
        creditedAmount: inv.credited_amount,
        paidOn: inv.paid_on,
        balance: inv.status === "issued" ? inv.total - inv.paid_amount : 0,
        overdue: isOverdue(
          { status: inv.status, total: inv.total, paidAmount: inv.paid_amount, dueDate: inv.due_date },
          today,
        ),
        payments: allocs.map((a) => ({
          paymentId: a.payment_id,
          amount: a.amount,
          receivedOn: a.received_on,
        })),
        lateFee: late && late.result.fee > 0 ? late : null,
        lateFeeCharged: inv.late_fee_charged,
      };
      return [inv.id, detail] as const;
    }),
  );
  return ids.flatMap((id) => {
    const d = byId.get(id);
    return d ? [d] : [];
  });
}
