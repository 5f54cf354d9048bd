/**
 * 支払の充当 (Art. 30(1)): money a customer pays goes to the invoice it names first, then to its open
 * invoices oldest due first; the oldest money first; what is left stays as the customer's credit and
 * settles the next invoice issued. Pure: the billing service reads payments and invoices, asks this
 * rule, and writes what it decided.
 */
import type { IsoDate } from "../../core/dates.ts";

export interface MoneyIn {
  id: string;
  customerId: string;
  /** Not yet allocated. */
  unallocated: number;
  receivedOn: IsoDate;
}

export interface OpenInvoice {
  id: string;
  customerId: string;
  total: number;
  paidAmount: number;
}

/**
 * One step of a customer's allocation: a payment arriving (its money is there from this step on) and
 * the invoice it names. Steps replay payments recorded one after the other (a bank file with several
 * debits of one customer): at step k the money of later steps is not there yet.
 */
export interface AllocationStep {
  prefer?: string | undefined;
  payment?: string;
}

export interface Allocation {
  paymentId: string;
  invoiceId: string;
  customerId: string;
  amount: number;
  /** The payment's date: each part of an invoice is paid on the day its money arrived (Art. 33). */
  receivedOn: IsoDate;
}

export interface AllocationResult {
  allocations: Allocation[];
  /** What is left of each payment whose unallocated amount changed. */
  unallocated: Map<string, number>;
  /** The paid amount of each invoice that received money. */
  paid: Map<string, number>;
}

/**
 * Allocate. `payments` in the order money arrived per customer (received date, then recording
 * order); `invoices` oldest due first per customer. A customer without steps gets one plain step.
 */
export function allocatePayments(
  payments: MoneyIn[],
  invoices: OpenInvoice[],
  steps: Map<string, AllocationStep[]>,
): AllocationResult {
  const pays = payments.map((p) => ({ ...p }));
  const invs = invoices.map((i) => ({ ...i }));
  const paysBy = group(pays);
  const invsBy = group(invs);
  const allocations = new Map<string, Allocation>();
  const unallocated = new Map<string, number>();
  const paid = new Map<string, number>();
  for (const [customer, own] of paysBy) {
    const plan = steps.get(customer) ?? [{}];
    // The step at which each payment arrives (money already there: -1); equal dates keep that order.
    const arrives = new Map<string, number>();
    for (const [k, st] of plan.entries()) if (st.payment) arrives.set(st.payment, k);
    const at = (p: { id: string }) => arrives.get(p.id) ?? -1;
    const ps = [...own].sort((a, b) =>
      a.receivedOn === b.receivedOn ? at(a) - at(b) : a.receivedOn < b.receivedOn ? -1 : 1,
    );
    const open = invsBy.get(customer) ?? [];
    for (const [k, st] of plan.entries()) {
      const ordered = st.prefer
        ? [...open.filter((i) => i.id === st.prefer), ...open.filter((i) => i.id !== st.prefer)]
        : open;
      for (const inv of ordered)
        for (const p of ps) {
          if (inv.paidAmount >= inv.total) break;
          if (p.unallocated <= 0 || at(p) > k) continue;
          const amount = Math.min(inv.total - inv.paidAmount, p.unallocated);
          const key = `${p.id}|${inv.id}`;
          const a = allocations.get(key);
          if (a) a.amount += amount;
          else
            allocations.set(key, {
              paymentId: p.id,
              invoiceId: inv.id,
              customerId: customer,
              amount,
              receivedOn: p.receivedOn,
            });
          p.unallocated -= amount;
          unallocated.set(p.id, p.unallocated);
          inv.paidAmount += amount;
          paid.set(inv.id, inv.paidAmount);
        }
    }
  }
  return { allocations: [...allocations.values()], unallocated, paid };
}

function group<T extends { customerId: string }>(rows: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const l = m.get(r.customerId);
    if (l) l.push(r);
    else m.set(r.customerId, [r]);
  }
  return m;
}

/**
 * After a credit note (適格返還請求書, Art. 34) settles part of an invoice: the money allocated beyond
 * what the invoice now owes (total − returned), taken back from the latest allocations first, to be
 * the customer's credit again (Art. 30(1)). `allocations` oldest first; answers what each gives back.
 */
export function excessAllocations<A extends { paymentId: string; amount: number }>(
  invoice: { total: number; credited: number },
  allocations: A[],
): { paymentId: string; amount: number }[] {
  let excess = allocations.reduce((s, a) => s + a.amount, 0) + invoice.credited - invoice.total;
  const back: { paymentId: string; amount: number }[] = [];
  for (const a of [...allocations].reverse()) {
    if (excess <= 0) break;
    const amount = Math.min(excess, a.amount);
    back.push({ paymentId: a.paymentId, amount });
    excess -= amount;
  }
  return back;
}
