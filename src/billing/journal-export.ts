/**
 * Use cases of the journal exports (仕訳): a month's entries as a format's import file, and the
 * accounts and tax categories each format names (billing_settings.journal_accounts, audited).
 */
import { appendAudit } from "../audit/service.ts";
import { type IsoMonth, lastDayOfMonth } from "../core/dates.ts";
import type { Deps } from "../core/deps.ts";
import type { Db, Tx } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { type DocumentFact, journalEntries, type PaymentFact } from "./journal.ts";
import { type JournalFile, journalFile } from "./journal-formats.ts";
import {
  type JournalAccounts,
  type JournalAccountsOverrides,
  type JournalFormat,
  journalAccountsBody,
  resolveJournalAccounts,
} from "./journal-schemas.ts";
import {
  journalDocuments,
  journalPayments,
  readJournalAccounts,
  writeJournalAccounts,
} from "./store/journal.ts";
import type { RateTotal } from "./types.ts";

export async function journalAccounts(db: Db | Tx): Promise<JournalAccounts> {
  // Written only through PUT (validated); anything else there is refused loudly, not half-read.
  return resolveJournalAccounts(journalAccountsBody.parse(await readJournalAccounts(db)));
}

/** Replace what the provider changed from the defaults; audited with the settings before and after. */
export async function changeJournalAccounts(
  deps: Pick<Deps, "db" | "clock">,
  auth: AuthContext,
  overrides: JournalAccountsOverrides,
): Promise<JournalAccounts> {
  return deps.db.transaction().execute(async (tx) => {
    const before = await journalAccounts(tx);
    await writeJournalAccounts(tx, overrides, deps.clock.now());
    const after = await journalAccounts(tx);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "billing.journal_accounts.updated",
      subjectType: "billing_settings",
      before,
      after,
      article: "34",
      at: deps.clock.now(),
    });
    return after;
  });
}

/** The facts of a month, read in three statements, then the rule's entries in the format's file. */
export async function monthJournal(
  deps: Pick<Deps, "db">,
  month: IsoMonth,
  format: JournalFormat,
): Promise<JournalFile> {
  const from = `${month}-01`;
  const to = lastDayOfMonth(month);
  const [docs, pays, settings] = await Promise.all([
    journalDocuments(deps.db, from, to),
    journalPayments(deps.db, from, to),
    journalAccounts(deps.db),
  ]);
  const documents: DocumentFact[] = docs.map((d) => ({
    number: d.number,
    kind: d.kind,
    status: d.status,
    issueDate: d.issue_date,
    voidedOn: d.voided_on,
    customerName: d.customer_name,
    refersTo: d.refers_to_number,
    creditReason: d.credit_reason,
    returnDate: d.return_date,
    byRate: d.by_rate as RateTotal[],
    lateFees: d.late_fees,
  }));
  const payments: PaymentFact[] = pays.map((p) => ({
    source: paymentSource(p.id),
    receivedOn: p.received_on,
    amount: p.amount,
    customerName: p.customer_name,
    reference: p.reference,
  }));
  return journalFile(format, settings[format], journalEntries(month, { documents, payments }), month);
}

/** A payment as the journal names it: PAY- and the first 8 hex digits of its id. */
export const paymentSource = (id: string) => `PAY-${id.slice(0, 8).toUpperCase()}`;
