/**
 * Payments (Art. 30(1)): recorded by hand or from a bank's file, allocated by the rule
 * (`allocatePayments`: the named invoice first, then the oldest; the oldest money first; the rest kept
 * as credit). An invoice settled late bills its late fee on a later invoice (Art. 33); a contract whose
 * overdue invoices are settled stops being a suspension candidate (Art. 21(1)).
 */

import { randomUUID } from "node:crypto";
import { type Actor, appendAudit, appendAuditMany } from "../audit/service.ts";
import { clearSuspensionCandidates } from "../contracts/flags.ts";
import { candidatesAmong } from "../contracts/store.ts";
import { type IsoDate, monthOf } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { groupBy } from "../core/group.ts";
import { customerExists } from "../customers/store.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import type { AuthContext } from "../identity/actor.ts";
import {
  type AllocationStep,
  allocatePayments,
  excessAllocations,
  invoiceLateFee,
  overdueCriterion,
} from "./rules.ts";
import type { PaymentView } from "./schemas.ts";
import { insertChargesOnce } from "./store/charges.ts";
import { allocationsOfInvoices, contractsWithOverdue, invoiceById } from "./store/invoices.ts";
import {
  allocationsOfPayments,
  insertAllocations,
  insertPayment,
  insertPayments,
  invoicesPaidFacts,
  listPayments,
  type NewPayment,
  openInvoices,
  paymentById,
  releaseAllocation,
  setUnallocated,
  unallocatedMoney,
  writePaid,
} from "./store/payments.ts";

/**
 * Record a payment and allocate it: to the named invoice first, then to the customer's oldest open
 * invoices; what is left stays as the customer's credit balance (over-payment).
 */
export async function recordPayment(
  deps: Pick<Deps, "db" | "clock">,
  actor: Actor,
  input: Omit<NewPayment, "id"> & { invoiceId?: string | null },
): Promise<PaymentView> {
  return deps.db.transaction().execute(async (t) => {
    if (!(await customerExists(t, input.customerId))) throw notFound("customer");
    if (input.invoiceId) {
      const inv = await invoiceById(t, input.invoiceId);
      if (!inv || inv.customer_id !== input.customerId) throw notFound("invoice");
      if (inv.status !== "issued")
        throw new AppError("conflict", `the invoice is ${inv.status}; payments go to issued invoices`);
    }
    const p = await insertPayment(t, {
      customer_id: input.customerId,
      received_on: input.receivedOn,
      amount: input.amount,
      unallocated: input.amount,
      method: input.method,
      reference: input.reference ?? null,
      payer_name: input.payerName ?? null,
      import_id: input.importId ?? null,
      created_by: actor.kind === "staff" ? actor.id : null,
    });
    await appendAudit(t, {
      actor,
      action: "billing.payment.recorded",
      subjectType: "payment",
      subjectId: p.id,
      customerId: input.customerId,
      after: input,
      article: "30(1)",
      at: deps.clock.now(),
    });
    await allocateCustomers(
      deps,
      t,
      actor,
      new Map([[input.customerId, [{ prefer: input.invoiceId ?? undefined, payment: p.id }]]]),
    );
    return paymentIn(t, p.id);
  });
}

async function paymentIn(db: Tx | Deps["db"], id: string): Promise<PaymentView> {
  const p = await paymentById(db, id);
  if (!p) throw notFound("payment");
  return presentPayment(p, await allocationsOfPayments(db, [id]));
}

function presentPayment(
  p: NonNullable<Awaited<ReturnType<typeof paymentById>>>,
  allocations: Awaited<ReturnType<typeof allocationsOfPayments>>,
): PaymentView {
  return {
    id: p.id,
    customerId: p.customer_id,
    customerName: p.customer_name,
    receivedOn: p.received_on,
    amount: p.amount,
    unallocated: p.unallocated,
    method: p.method,
    reference: p.reference,
    payerName: p.payer_name,
    allocations: allocations.map((a) => ({ invoiceId: a.invoice_id, number: a.number, amount: a.amount })),
  };
}

export async function payments(
  deps: Deps,
  auth: AuthContext,
  filter: Parameters<typeof listPayments>[1] & PageRequest,
): Promise<Page<PaymentView>> {
  return asCaller(deps.db, auth, async (tx) => {
    const page = await listPayments(tx, filter, filter);
    const allocations = groupBy(
      await allocationsOfPayments(
        tx,
        page.items.map((p) => p.id),
      ),
      "payment_id",
    );
    return mapPage(page, (p) => presentPayment(p, allocations.get(p.id) ?? []));
  });
}

/**
 * Allocate each customer's unallocated money to its open invoices (the rule decides), then write what
 * it decided. `incoming` payments are not written yet: they are inserted here with what is left of
 * them unallocated, so that a batch writes each payment once.
 */
export async function allocateCustomers(
  deps: Pick<Deps, "clock">,
  tx: Tx,
  actor: Actor,
  plan: Map<string, AllocationStep[]>,
  incoming: NewPayment[] = [],
) {
  const customers = [...plan.keys()];
  if (customers.length === 0) return;
  const stored = await unallocatedMoney(tx, customers);
  const money = [
    ...stored.map((p) => ({
      id: p.id,
      customerId: p.customer_id,
      unallocated: p.unallocated,
      receivedOn: p.received_on,
    })),
    ...incoming.map((p) => ({
      id: p.id,
      customerId: p.customerId,
      unallocated: p.amount,
      receivedOn: p.receivedOn,
    })),
  ];
  if (money.length === 0) return;
  const open = await openInvoices(tx, [...new Set(money.map((p) => p.customerId))]);
  const decided = allocatePayments(
    money,
    open.map((i) => ({ id: i.id, customerId: i.customer_id, total: i.total, paidAmount: i.paid_amount })),
    plan,
  );
  if (incoming.length > 0) {
    await insertPayments(
      tx,
      incoming.map((p) => ({ ...p, unallocated: decided.unallocated.get(p.id) ?? p.amount })),
      actor.kind === "staff" ? actor.id : null,
    );
    for (const p of incoming) decided.unallocated.delete(p.id);
  }
  if (decided.allocations.length === 0) return;
  await insertAllocations(tx, decided.allocations);
  await setUnallocated(tx, decided.unallocated);
  await afterPaid(deps, tx, actor, [...decided.paid.keys()]);
}

/**
 * Invoices that received money: record what is paid and, once settled, the day; bill the late fee
 * of a late settlement on a later invoice (Art. 33); clear a suspension candidacy (Art. 21(1)).
 */
async function afterPaid(deps: Pick<Deps, "clock">, tx: Tx, actor: Actor, invoiceIds: string[]) {
  if (invoiceIds.length === 0) return;
  const invs = await invoicesPaidFacts(tx, invoiceIds);
  const allocationsBy = groupBy(await allocationsOfInvoices(tx, invoiceIds), "invoice_id");
  const paid: { id: string; amount: number; on: string | null; settled: boolean }[] = [];
  const settledNow: { inv: (typeof invs)[number]; lastPayment: string | null }[] = [];
  for (const inv of invs) {
    const allocations = allocationsBy.get(inv.id) ?? [];
    // What a credit note returned (適格返還請求書) settles the invoice as money received does.
    const paidAmount = allocations.reduce((s, a) => s + a.amount, 0) + inv.credited_amount;
    const settled = paidAmount >= inv.total;
    const lastPayment = allocations[allocations.length - 1]?.received_on ?? null;
    paid.push({ id: inv.id, amount: paidAmount, on: settled ? lastPayment : null, settled });
    if (settled && !inv.late_fee_charged) settledNow.push({ inv, lastPayment });
  }
  await writePaid(tx, paid);
  if (settledNow.length === 0) return;
  const charges = [];
  const audits = [];
  for (const { inv, lastPayment } of settledNow) {
    const fee = invoiceLateFee({
      dueDate: inv.due_date,
      // The consideration returned by a credit note was never owed: no late fee on it.
      total: inv.total - inv.credited_amount,
      payments: (allocationsBy.get(inv.id) ?? []).map((a) => ({ on: a.received_on, amount: a.amount })),
      asOf: lastPayment ?? inv.due_date,
    });
    if (fee.result.fee <= 0) continue;
    charges.push({
      contract_id: inv.contract_id,
      customer_id: inv.customer_id,
      month: monthOf(lastPayment ?? inv.due_date),
      kind: "late-fee" as const,
      item_code: null,
      description: `遅延損害金 (請求書 ${inv.number}, 年14.5%)`,
      description_en: `Late fee (invoice ${inv.number}, 14.5 % a year)`,
      tax_category: "out-of-scope" as const,
      unit_price: fee.result.fee,
      amount: fee.result.fee,
      article: "33",
      note: fee.basis.map((b) => b.text).join(" "),
      note_ja: fee.basis.map((b) => b.textJa).join(""),
      source_key: `late-fee:${inv.id}`,
      details: JSON.stringify(fee.result),
    });
    audits.push({
      actor,
      action: "billing.late_fee.charged",
      subjectType: "invoice",
      subjectId: inv.id,
      customerId: inv.customer_id,
      after: fee.result,
      article: "33",
      at: deps.clock.now(),
    });
  }
  await insertChargesOnce(tx, charges);
  await appendAuditMany(tx, audits);
  await refreshCandidacies(deps, tx, actor, [...new Set(settledNow.map((x) => x.inv.contract_id))]);
}

/**
 * After a credit note was issued or voided: what the invoices it credits now owe. Money allocated
 * beyond it (the invoice was paid before the return) goes back to the customer's credit, the latest
 * allocation first, to settle their next invoices (Art. 30, 31); then paid, settled and late fee as
 * after a payment.
 */
export async function resettle(deps: Pick<Deps, "clock">, tx: Tx, actor: Actor, invoiceIds: string[]) {
  if (invoiceIds.length === 0) return;
  const invs = await invoicesPaidFacts(tx, invoiceIds);
  const allocationsBy = groupBy(await allocationsOfInvoices(tx, invoiceIds), "invoice_id");
  for (const inv of invs) {
    const allocations = (allocationsBy.get(inv.id) ?? []).map((a) => ({ ...a, paymentId: a.payment_id }));
    for (const back of excessAllocations({ total: inv.total, credited: inv.credited_amount }, allocations))
      await releaseAllocation(tx, back.paymentId, inv.id, back.amount);
  }
  await afterPaid(deps, tx, actor, invoiceIds);
}

/** Contracts among these that are candidates and have nothing overdue any more stop being candidates. */
export async function refreshCandidacies(
  deps: Pick<Deps, "clock">,
  tx: Tx,
  actor: Actor,
  contractIds: string[],
) {
  const candidates = await candidatesAmong(tx, contractIds);
  if (candidates.length === 0) return;
  const today = todayOf(deps);
  const stillOverdue = new Set(await contractsWithOverdue(tx, overdueCriterion(today), candidates));
  await clearSuspensionCandidates(
    tx,
    deps.clock.now(),
    actor,
    candidates.filter((id) => !stillOverdue.has(id)),
    today,
  );
}

/**
 * Payments of a debit result file, recorded as `recordPayment` records each one (a payment, its audit
 * entry, allocated to its invoice first), but written together. A customer debited for several
 * invoices in one file is recorded one payment after another, in the file's order, as by hand.
 */
export async function recordDebits(
  deps: Pick<Deps, "clock">,
  tx: Tx,
  actor: Actor,
  items: {
    customerId: string;
    receivedOn: IsoDate;
    amount: number;
    method: "direct_debit";
    reference: string;
    invoiceId: string;
    importId: string;
  }[],
) {
  const incoming = items.map((x) => ({ ...x, id: randomUUID() }));
  await appendAuditMany(
    tx,
    incoming.map((p, k) => ({
      actor,
      action: "billing.payment.recorded",
      subjectType: "payment",
      subjectId: p.id,
      customerId: p.customerId,
      after: items[k],
      article: "30(1)",
      at: deps.clock.now(),
    })),
  );
  // A customer debited for several invoices in one file: its payments arrive in record order.
  const plan = new Map<string, AllocationStep[]>();
  for (const p of incoming)
    plan.set(p.customerId, [...(plan.get(p.customerId) ?? []), { prefer: p.invoiceId, payment: p.id }]);
  await allocateCustomers(deps, tx, actor, plan, incoming);
}
