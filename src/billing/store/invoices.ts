/**
 * Invoices and their lines: reading them, issuing drafts with numbers per issuer and year, voiding,
 * corrections and credit notes, and selecting overdue ones by the rule's criterion.
 */

import type { Insertable, Updateable } from "kysely";
import { sql } from "kysely";
import type { IsoDate, IsoMonth } from "../../core/dates.ts";
import type { Db, Tx } from "../../db/db.ts";
import {
  containing,
  type PageRequest,
  paginate,
  type SortChoices,
  type SortName,
  sortOrder,
} from "../../db/page.ts";
import type { InvoiceLinesTable, InvoicesTable } from "../../db/schema.ts";
import type { OverdueCriterion } from "../rules.ts";
import type { InvoiceSort, OverdueSort } from "../schemas.ts";
import type { ChargeLine } from "../types.ts";

type Q = Db | Tx;

export interface InvoiceFilter {
  month?: IsoMonth;
  status?: "draft" | "issued" | "void";
  contractId?: string;
  customerId?: string;
  number?: string;
  kind?: "regular" | "corrected" | "credit";
  /** 電子帳簿保存法's search: by issue date (a range), total (a range) and counterparty (the recipient). */
  issuedFrom?: IsoDate;
  issuedTo?: IsoDate;
  totalMin?: number;
  totalMax?: number;
  counterparty?: string;
  sort?: SortName<InvoiceSort> | undefined;
}

/**
 * The orders of the invoices list. By month, the latest first by default, and by number within it
 * (drafts, without one, first); the others break ties by the invoice's id.
 */
const INVOICE_ORDERS: SortChoices<InvoiceSort> = {
  list: "invoices",
  fallback: "-month",
  orders: {
    month: [
      ["i.month", "asc"],
      [sql`coalesce(i.number, '')`, "desc"],
      ["i.id", "desc"],
    ],
    number: [
      [sql`coalesce(i.number, '')`, "asc"],
      ["i.id", "asc"],
    ],
    customer: [
      [sql`coalesce(i.recipient->>'name', '')`, "asc"],
      ["i.month", "asc"],
      ["i.id", "asc"],
    ],
    due: [
      ["i.due_date", "asc"],
      ["i.id", "asc"],
    ],
    total: [
      ["i.total", "asc"],
      ["i.id", "asc"],
    ],
  },
};

/** Invoices, the latest month first and by number within it (drafts, without one, first). */
export async function listInvoices(db: Q, filter: InvoiceFilter, page: PageRequest) {
  let q = db
    .selectFrom("invoices as i")
    .select([
      "i.id",
      "i.number",
      "i.month",
      "i.kind",
      "i.status",
      "i.issue_date",
      "i.due_date",
      "i.total",
      "i.paid_amount",
      "i.paid_on",
      "i.customer_id",
      "i.contract_id",
      sql<string>`i.recipient->>'contractNumber'`.as("contract_number"),
      sql<string>`i.recipient->>'name'`.as("recipient_name"),
    ]);
  if (filter.month) q = q.where("i.month", "=", filter.month);
  if (filter.status) q = q.where("i.status", "=", filter.status);
  if (filter.contractId) q = q.where("i.contract_id", "=", filter.contractId);
  if (filter.customerId) q = q.where("i.customer_id", "=", filter.customerId);
  if (filter.number) q = q.where("i.number", "=", filter.number);
  if (filter.kind) q = q.where("i.kind", "=", filter.kind);
  if (filter.issuedFrom) q = q.where("i.issue_date", ">=", filter.issuedFrom);
  if (filter.issuedTo) q = q.where("i.issue_date", "<=", filter.issuedTo);
  if (filter.totalMin !== undefined) q = q.where("i.total", ">=", filter.totalMin);
  if (filter.totalMax !== undefined) q = q.where("i.total", "<=", filter.totalMax);
  if (filter.counterparty)
    q = q.where(sql<boolean>`strpos(lower(i.recipient->>'name'), lower(${filter.counterparty})) > 0`);
  return paginate(q, sortOrder(INVOICE_ORDERS, filter.sort), page);
}

export async function invoiceById(db: Q, id: string, forUpdate = false) {
  let q = db.selectFrom("invoices").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Invoices with their lines, allocations and referred numbers: four queries for any number of ids. */
export async function invoicesWithDetails(db: Q, ids: string[]) {
  if (ids.length === 0) return { invs: [], lines: [], allocations: [], refers: [], referring: [] };
  const invs = await db
    .selectFrom("invoices")
    .selectAll()
    .where(sql<boolean>`id = ANY(${ids}::uuid[])`)
    .execute();
  const referred = [...new Set(invs.flatMap((i) => (i.refers_to ? [i.refers_to] : [])))];
  const [lines, allocations, refers] = await Promise.all([
    db
      .selectFrom("invoice_lines")
      .selectAll()
      .where(sql<boolean>`invoice_id = ANY(${ids}::uuid[])`)
      .orderBy("invoice_id")
      .orderBy("line_no")
      .execute(),
    allocationsOfInvoices(db, ids),
    referred.length
      ? db
          .selectFrom("invoices")
          .select(["number", "id", "issue_date", "void_reason"])
          .where(sql<boolean>`id = ANY(${referred}::uuid[])`)
          .execute()
      : [],
  ]);
  return { invs, lines, allocations, refers, referring: await referringDocuments(db, ids) };
}

/** The documents that refer to these: corrected invoices replacing them, credit notes against them. */
export async function referringDocuments(db: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("invoices")
    .select(["id", "number", "kind", "status", "refers_to", "by_rate", "issue_date"])
    .where(sql<boolean>`refers_to = ANY(${ids}::uuid[])`)
    .orderBy("created_at")
    .execute();
}

export async function allocationsOfInvoices(db: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("payment_allocations")
    .select(["invoice_id", "payment_id", "amount", "received_on"])
    .where(sql<boolean>`invoice_id = ANY(${ids}::uuid[])`)
    .orderBy("received_on")
    .execute();
}

/** The month's invoice ids in number order (issued and void; drafts only when asked). */
export async function idsOfMonth(db: Q, month: IsoMonth, includeDrafts: boolean): Promise<string[]> {
  let q = db.selectFrom("invoices").select("id").where("month", "=", month);
  if (!includeDrafts) q = q.where("status", "<>", "draft");
  return (await q.orderBy("number").orderBy("id").execute()).map((r) => r.id);
}

/** Drafts among `ids`, locked for issuing, month then id order. */
export async function lockDrafts(tx: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return tx
    .selectFrom("invoices")
    .select(["id", "customer_id", "due_date", "kind", "refers_to", "total"])
    .where("id", "in", ids)
    .where("status", "=", "draft")
    .orderBy("month")
    .orderBy("id")
    .forUpdate()
    .execute();
}

/** Invoices just issued, as their notices tell them (Art. 31(1)), by number. */
export async function issuedInvoicesOf(tx: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return tx
    .selectFrom("invoices")
    .select(["id", "number", "kind", "month", "total", "due_date", "customer_id", "contract_id"])
    .where("id", "in", ids)
    .where("status", "=", "issued")
    .orderBy("number")
    .execute();
}

/** A month's drafts not locked by another issuer, a batch at a time. */
export async function draftsOfMonth(tx: Q, month: IsoMonth, batch: number): Promise<string[]> {
  const rows = await tx
    .selectFrom("invoices")
    .select("id")
    .where("month", "=", month)
    .where("status", "=", "draft")
    .orderBy("id")
    .limit(batch)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => r.id);
}

/** Next `count` numbers for an issuer and year: sequential, never reused. Returns the last one. */
export async function takeNumbers(
  tx: Q,
  registrationNumber: string,
  year: number,
  count: number,
  prefix: string,
): Promise<number> {
  // Numbers are unique across issuers: after the registration number changed (a typo put right, the
  // demo number replaced) the sequence goes on from the highest number of the year, never reusing one.
  const used = sql<number>`COALESCE((
    SELECT substring(number from '[0-9]+$')::bigint FROM invoices
    WHERE number LIKE ${`${prefix}-${year}-%`} ORDER BY length(number) DESC, number DESC LIMIT 1), 0)`;
  const r = await sql<{ last: number }>`
    INSERT INTO invoice_counters (registration_number, year, last)
    VALUES (${registrationNumber}, ${year}, ${used} + ${count})
    ON CONFLICT (registration_number, year) DO UPDATE SET last = GREATEST(invoice_counters.last, ${used}) + ${count}
    RETURNING last`.execute(tx);
  return Number(r.rows[0]!.last);
}

/** Issue drafts: number, issue date, the due date they state, the issuer as it is now. */
export async function markIssued(
  tx: Q,
  rows: { id: string; number: string; dueDate: IsoDate }[],
  issue: { date: IsoDate; issuer: unknown; issuedBy: string | null },
) {
  await sql`
    UPDATE invoices SET status = 'issued', number = v.number, issue_date = ${issue.date}::date,
           due_date = v.due_date, issuer = ${JSON.stringify(issue.issuer)}::jsonb, issued_by = ${issue.issuedBy}::uuid
    FROM unnest(${rows.map((d) => d.id)}::uuid[], ${rows.map((d) => d.number)}::text[], ${rows.map((d) => d.dueDate)}::date[])
         AS v(id, number, due_date)
    WHERE invoices.id = v.id`.execute(tx);
}

export async function updateInvoice(tx: Q, id: string, patch: Updateable<InvoicesTable>) {
  await tx.updateTable("invoices").set(patch).where("id", "=", id).execute();
}

export async function insertInvoice(tx: Q, values: Insertable<InvoicesTable>) {
  return tx.insertInto("invoices").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function insertLines(tx: Q, invoiceId: string, customerId: string, lines: ChargeLine[]) {
  if (lines.length === 0) return;
  const rows: Insertable<InvoiceLinesTable>[] = lines.map((l, i) => ({
    invoice_id: invoiceId,
    customer_id: customerId,
    line_no: i + 1,
    item_code: l.itemCode,
    description: l.description,
    description_en: l.descriptionEn,
    kind: l.kind,
    tax_category: l.taxCategory,
    quantity: l.quantity,
    unit_price: l.unitPrice,
    amount: l.amount,
    article: l.article,
    note: l.note,
    note_ja: l.noteJa,
  }));
  await tx.insertInto("invoice_lines").values(rows).execute();
}

export async function creditLinesOf(db: Q, invoiceId: string) {
  return db
    .selectFrom("invoice_lines")
    .selectAll()
    .where("invoice_id", "=", invoiceId)
    .where("kind", "=", "credit")
    .execute();
}

// ---- overdue (the rule's criterion as SQL) --------------------------------------------------------

/** `overdueCriterion` (rules/due.ts) over the invoices table aliased `alias`. */
function overdueWhere(alias: string, c: OverdueCriterion) {
  const a = sql.raw(alias);
  return sql<boolean>`(${a}.status = ${c.status} AND ${a}.paid_amount < ${a}.total AND ${a}.due_date < ${c.dueBefore}::date)`;
}

const OVERDUE_ORDERS: SortChoices<OverdueSort> = {
  list: "overdue",
  fallback: "due",
  orders: {
    due: [
      ["i.due_date", "asc"],
      ["i.id", "asc"],
    ],
    balance: [
      [sql`i.total - i.paid_amount`, "asc"],
      ["i.id", "asc"],
    ],
    customer: [
      [sql`coalesce(i.recipient->>'name', '')`, "asc"],
      ["i.due_date", "asc"],
      ["i.id", "asc"],
    ],
  },
};

/**
 * Invoices overdue by `c` in the order asked (the earliest due first by default); `q` keeps those whose
 * number or customer name contains it.
 */
export async function overdueInvoices(
  db: Q,
  c: OverdueCriterion,
  filter: { q?: string | undefined; sort?: SortName<OverdueSort> | undefined },
  page: PageRequest,
) {
  let q = db
    .selectFrom("invoices as i")
    .select([
      "i.id",
      "i.number",
      "i.month",
      "i.due_date",
      "i.total",
      "i.paid_amount",
      "i.credited_amount",
      "i.contract_id",
      "i.customer_id",
      sql<string>`i.recipient->>'contractNumber'`.as("contract_number"),
      sql<string>`i.recipient->>'name'`.as("recipient_name"),
    ])
    .where(overdueWhere("i", c));
  if (filter.q) {
    const like = containing(filter.q);
    q = q.where((eb) => eb.or([eb("i.number", "ilike", like), eb(sql`i.recipient->>'name'`, "ilike", like)]));
  }
  return paginate(q, sortOrder(OVERDUE_ORDERS, filter.sort), page);
}

/** Contracts with at least one overdue invoice (all of them, or among `ids`). */
export async function contractsWithOverdue(db: Q, c: OverdueCriterion, ids?: string[]): Promise<string[]> {
  const r = await sql<{ contract_id: string }>`
    SELECT DISTINCT contract_id FROM invoices i WHERE ${overdueWhere("i", c)}
    ${ids ? sql`AND contract_id = ANY(${ids}::uuid[])` : sql``}`.execute(db);
  return r.rows.map((x) => x.contract_id);
}

/** Issued invoices whose number's digits are among `digits` (a direct-debit result names them so). */
export async function issuedByDigits(db: Q, digits: string[]) {
  if (digits.length === 0) return [];
  return db
    .selectFrom("invoices")
    .select([
      "id",
      "number",
      "customer_id",
      "contract_id",
      "total",
      "paid_amount",
      sql<string>`ltrim(regexp_replace(number, '[^0-9]', '', 'g'), '0')`.as("digits"),
    ])
    .where(sql<boolean>`ltrim(regexp_replace(number, '[^0-9]', '', 'g'), '0') = ANY(${digits}::text[])`)
    .where("status", "=", "issued")
    .execute();
}

/** Months from `from` on for which the contract already has a regular or corrected invoice (not void). */
export async function invoicedMonthsOf(db: Q, contractId: string, from: IsoMonth): Promise<IsoMonth[]> {
  const rows = await db
    .selectFrom("invoices")
    .select("month")
    .distinct()
    .where("contract_id", "=", contractId)
    .where("month", ">=", from)
    .where("kind", "in", ["regular", "corrected"])
    .where("status", "<>", "void")
    .orderBy("month")
    .execute();
  return rows.map((r) => r.month as IsoMonth);
}
