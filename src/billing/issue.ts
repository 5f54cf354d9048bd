/**
 * Issuing invoices (Art. 31): numbers sequential per issuer and year, never reused; the due date the
 * invoice states is decided at issue (`dueDateAtIssue`, Art. 31(3)); issued invoices are immutable (a
 * database trigger). Voiding keeps the number and the reason; a correction voids and makes a corrected
 * invoice referring to the original; a credit note refers to the invoice it credits.
 */
import { type Actor, appendAudit } from "../audit/service.ts";
import type { IsoDate, IsoMonth } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import type { Tx } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { contractCharges, recipientOf } from "./contract-facts.ts";
import { keepIssued } from "./documents.ts";
import { invoice } from "./invoice-queries.ts";
import { type IssueNoticeDeps, noticeIssued } from "./issue-notices.ts";
import { lineOf } from "./lines.ts";
import { allocateCustomers, resettle } from "./payments.ts";
import { PriceBook } from "./price-book.ts";
import {
  chargesForMonth,
  creditRefusal,
  type DocumentRefusal,
  dueDateAtIssue,
  invoiceTax,
  voidOrCorrectRefusal,
} from "./rules.ts";
import { billingSettings, issuerOf } from "./settings.ts";
import { changesAdjustedFor, linkCharges, pendingCharges, releaseCharges } from "./store/charges.ts";
import {
  creditLinesOf,
  draftsOfMonth,
  insertInvoice,
  insertLines,
  invoiceById,
  lockDrafts,
  markIssued,
  referringDocuments,
  takeNumbers,
  updateInvoice,
} from "./store/invoices.ts";
import { addCredited, customersWithCredit } from "./store/payments.ts";
import { moveCredits } from "./store/sla.ts";
import type { ChargeLine, RateTotal, TaxCategory, TaxRounding } from "./types.ts";

/** Issue drafts: numbers, issue date, the due date they state; money already received settles them. */
export async function issueIds(deps: IssueNoticeDeps, tx: Tx, actor: Actor, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const settings = await billingSettings(tx);
  const today = todayOf(deps);
  const drafts = await lockDrafts(tx, ids);
  if (drafts.length === 0) return 0;
  const last = await takeNumbers(
    tx,
    settings.registrationNumber,
    Number(today.slice(0, 4)),
    drafts.length,
    settings.invoicePrefix,
  );
  const year = today.slice(0, 4);
  const rows = drafts.map((d, i) => ({
    id: d.id,
    number: `${settings.invoicePrefix}-${year}-${String(last - drafts.length + 1 + i).padStart(6, "0")}`,
    // The due date the invoice states (Art. 31(3)): never before the customer could pay it.
    dueDate: dueDateAtIssue({
      policyDue: d.due_date,
      issueDate: today,
      minimumPaymentDays: settings.minPaymentDays,
    }).result.dueDate,
  }));
  await markIssued(tx, rows, {
    date: today,
    issuer: issuerOf(settings),
    issuedBy: actor.kind === "staff" ? actor.id : null,
  });
  // Each customer is told, with the invoice's amount, due date and where to read it (Art. 31(1)).
  await noticeIssued(
    deps,
    tx,
    actor,
    rows.map((r) => r.id),
  );
  await appendAudit(tx, {
    actor,
    action: "billing.invoices.issued",
    subjectType: "invoice",
    subjectId: drafts.length === 1 ? drafts[0]!.id : null,
    customerId: drafts.length === 1 ? drafts[0]!.customer_id : null,
    after: { count: drafts.length, first: rows[0]!.number, last: rows[rows.length - 1]!.number },
    article: "31(1)",
    at: deps.clock.now(),
  });
  // An issued credit note settles the invoice it credits by what it returns; money that invoice had
  // received beyond what it now owes becomes the customer's credit.
  const credits = drafts.filter((d) => d.kind === "credit" && d.refers_to);
  for (const c of credits) await addCredited(tx, c.refers_to!, -c.total);
  await resettle(
    deps,
    tx,
    actor,
    credits.map((c) => c.refers_to!),
  );
  // Money already received and not yet allocated (over-payments) settles the new invoices.
  const credit = await customersWithCredit(tx, [...new Set(drafts.map((d) => d.customer_id))]);
  await allocateCustomers(deps, tx, actor, new Map(credit.map((c) => [c, [{}]])));
  return drafts.length;
}

export async function issue(deps: Deps, auth: AuthContext, id: string) {
  await deps.db.transaction().execute(async (tx) => {
    const inv = await invoiceById(tx, id);
    if (!inv) throw notFound("invoice");
    if (inv.status !== "draft") throw new AppError("conflict", `the invoice is already ${inv.status}`);
    if (inv.kind === "credit" && inv.refers_to) {
      // A draft credit note is issued only while the invoice it returns is still issued (Art. 34).
      const orig = await invoiceById(tx, inv.refers_to, true);
      if (orig?.status !== "issued")
        throw new AppError(
          "conflict",
          `the invoice ${orig?.number ?? inv.refers_to} this credit note refers to is ${orig?.status ?? "missing"}: void the draft credit note`,
          { article: "34" },
        );
    }
    await issueIds(deps, tx, actorOf(auth), [id]);
  });
  // What was issued is kept byte for byte at once (電子帳簿保存法); a failure here leaves it to the job.
  await keepIssued(deps, [id]).catch(() => undefined);
  return invoice(deps, auth, id);
}

/** Issue every draft of a month, in batches. */
export async function issueMonth(
  deps: Pick<Deps, "db"> & IssueNoticeDeps,
  actor: Actor,
  month: IsoMonth,
  batchSize = 2000,
): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deps.db
      .transaction()
      .execute(async (tx) => issueIds(deps, tx, actor, await draftsOfMonth(tx, month, batchSize)));
    if (n === 0) return total;
    total += n;
  }
}

/** Void a draft or an issued invoice; it keeps its number and records why. */
export async function voidInvoice(deps: Deps, auth: AuthContext, id: string, reason: string) {
  // The document as issued is kept before it is marked void (a no-op when it is kept already).
  await keepIssued(deps, [id]);
  await deps.db.transaction().execute((tx) => voidIn(deps, tx, actorOf(auth), id, reason, false));
  return invoice(deps, auth, id);
}

/** The facts the correction/credit rule (rules/documents.ts) decides on. */
async function documentFacts(tx: Tx, inv: NonNullable<Awaited<ReturnType<typeof invoiceById>>>) {
  const credits = (await referringDocuments(tx, [inv.id]))
    .filter((d) => d.kind === "credit")
    .map((d) => ({ number: d.number, status: d.status, byRate: d.by_rate as RateTotal[] }));
  const facts = {
    number: inv.number,
    status: inv.status,
    kind: inv.kind,
    // Money received: what credit notes returned is part of paid_amount, but it is no payment.
    paidAmount: inv.paid_amount - inv.credited_amount,
    issueDate: inv.issue_date,
    byRate: inv.by_rate as RateTotal[],
  };
  return { facts, credits };
}

const refused = (r: DocumentRefusal) =>
  new AppError("conflict", r.message, { article: r.article, details: { reason: r.reason, ...r.facts } });

async function voidIn(
  deps: Pick<Deps, "clock">,
  tx: Tx,
  actor: Actor,
  id: string,
  reason: string,
  correcting: boolean,
) {
  const inv = await invoiceById(tx, id, true);
  if (!inv) throw notFound("invoice");
  const { facts, credits } = await documentFacts(tx, inv);
  const refusal = voidOrCorrectRefusal(facts, credits, correcting);
  if (refusal) throw refused(refusal);
  await updateInvoice(tx, id, {
    status: "void",
    void_reason: reason,
    voided_at: deps.clock.now(),
    voided_by: actor.kind === "staff" ? actor.id : null,
  });
  // Charges it carried become pending again for the corrected document.
  await releaseCharges(tx, id);
  // A voided credit note no longer settles the invoice it credited.
  if (inv.kind === "credit" && inv.status === "issued" && inv.refers_to) {
    await addCredited(tx, inv.refers_to, inv.total);
    await resettle(deps, tx, actor, [inv.refers_to]);
  }
  await appendAudit(tx, {
    actor,
    action: "billing.invoice.voided",
    subjectType: "invoice",
    subjectId: id,
    customerId: inv.customer_id,
    before: { status: inv.status, number: inv.number },
    after: { status: "void", reason },
    article: "31(1)",
    at: deps.clock.now(),
  });
  return inv;
}

/**
 * Correct an invoice: void it (recording why) and make a corrected draft that refers to it,
 * recomputed from the price book and its charges. The original keeps its number.
 */
export async function correct(deps: Deps, auth: AuthContext, id: string, reason: string) {
  const actor = actorOf(auth);
  await keepIssued(deps, [id]);
  const newId = await deps.db.transaction().execute(async (tx) => {
    const orig = await voidIn(deps, tx, actor, id, reason, true);
    const settings = await billingSettings(tx);
    // A change confirmed after the month was invoiced had its difference billed as charges of its
    // own: the corrected month is computed without it, so that it is not billed twice (Art. 29(4)).
    const { c, cc } = await contractCharges(
      tx,
      orig.contract_id,
      await PriceBook.load(tx),
      orig.month,
      await changesAdjustedFor(tx, orig.contract_id, orig.month),
    );
    const lines: ChargeLine[] =
      orig.kind === "regular" || orig.kind === "corrected"
        ? [...chargesForMonth(cc, orig.month).result.lines]
        : [];
    const charges = await pendingCharges(tx, [c.id], orig.month);
    for (const ch of charges) lines.push(lineOf(ch));
    for (const l of await creditLinesOf(tx, id)) lines.push(lineOf(l));
    const { inv, totals } = await referringDocument(
      tx,
      orig,
      "corrected",
      recipientOf(c),
      lines,
      settings.taxRounding,
    );
    await linkCharges(
      tx,
      charges.map((ch) => ch.id),
      inv.id,
    );
    await moveCredits(tx, id, inv.id);
    await appendAudit(tx, {
      actor,
      action: "billing.invoice.corrected",
      subjectType: "invoice",
      subjectId: inv.id,
      customerId: c.customer_id,
      after: { refersTo: orig.number ?? orig.id, reason, total: totals.total },
      article: "31(1)",
      at: deps.clock.now(),
    });
    return inv.id;
  });
  return invoice(deps, auth, newId);
}

/** A credit note (返還) against an issued invoice: negative lines referring to it. */
export async function creditNote(
  deps: Deps,
  auth: AuthContext,
  id: string,
  input: {
    reason: string;
    returnDate?: IsoDate | undefined;
    lines: { description: string; amount: number; taxCategory: TaxCategory }[];
  },
) {
  const actor = actorOf(auth);
  const today = todayOf(deps);
  const returnDate = input.returnDate ?? today;
  const newId = await deps.db.transaction().execute(async (tx) => {
    // Locked: two credit notes made at once cannot together return more than was billed.
    const orig = await invoiceById(tx, id, true);
    if (!orig) throw notFound("invoice");
    const { facts, credits } = await documentFacts(tx, orig);
    const refusal = creditRefusal(facts, credits, { returnDate, today, lines: input.lines });
    if (refusal) throw refused(refusal);
    const settings = await billingSettings(tx);
    const lines: ChargeLine[] = input.lines.map((l) => ({
      itemCode: null,
      description: l.description,
      descriptionEn: null,
      kind: "credit",
      taxCategory: l.taxCategory,
      quantity: 1,
      unitPrice: -Math.abs(l.amount),
      amount: -Math.abs(l.amount),
      article: "31(1)",
      note: `Credit against invoice ${orig.number}: ${input.reason}`,
      noteJa: `請求書 ${orig.number} に対する返還: ${input.reason}`,
    }));
    const { inv, totals } = await referringDocument(
      tx,
      orig,
      "credit",
      orig.recipient,
      lines,
      settings.taxRounding,
      { credit_reason: input.reason, return_date: returnDate },
    );
    await appendAudit(tx, {
      actor,
      action: "billing.credit_note.created",
      subjectType: "invoice",
      subjectId: inv.id,
      customerId: orig.customer_id,
      after: { refersTo: orig.number, reason: input.reason, returnDate, total: totals.total },
      article: "31(1)",
      at: deps.clock.now(),
    });
    return inv.id;
  });
  return invoice(deps, auth, newId);
}

/**
 * A document referring to an earlier invoice (a corrected invoice, a credit note): the same contract,
 * month, period and due date, its own lines and totals (tax once per rate, Art. 34).
 */
async function referringDocument(
  tx: Tx,
  orig: NonNullable<Awaited<ReturnType<typeof invoiceById>>>,
  kind: "corrected" | "credit",
  recipient: unknown,
  lines: ChargeLine[],
  rounding: TaxRounding,
  credit: { credit_reason: string; return_date: IsoDate } | null = null,
) {
  const totals = invoiceTax(lines, rounding).result;
  const inv = await insertInvoice(tx, {
    contract_id: orig.contract_id,
    customer_id: orig.customer_id,
    month: orig.month,
    kind,
    refers_to: orig.id,
    due_date: orig.due_date,
    period_start: orig.period_start,
    period_end: orig.period_end,
    recipient: JSON.stringify(recipient),
    by_rate: JSON.stringify(totals.byRate),
    net: totals.net,
    tax: totals.tax,
    total: totals.total,
    tax_rounding: rounding,
    ...(credit ?? {}),
  });
  await insertLines(tx, inv.id, orig.customer_id, lines);
  return { inv, totals };
}
