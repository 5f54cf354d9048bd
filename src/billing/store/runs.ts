/**
 * Billing runs and the invoices a run writes. Exactly once rests on the unique index
 * `invoices (contract_id, month) WHERE kind = 'regular'`: a batch's invoices and lines go in one
 * statement (`ON CONFLICT DO NOTHING`, lines joined to what was inserted), so a re-run, a concurrent
 * run or a run after a crash never writes an invoice twice.
 */

import type { Updateable } from "kysely";
import { sql } from "kysely";
import type { IsoDate, IsoMonth } from "../../core/dates.ts";
import type { Db, Tx } from "../../db/db.ts";
import { type IdSet, inIdSet, isEmptySet } from "../../db/id-set.ts";
import { type PageRequest, paginate } from "../../db/page.ts";
import type { BillingRunsTable } from "../../db/schema.ts";
import type { ChargeLine, InvoiceTotals, TaxRounding } from "../types.ts";

type Q = Db | Tx;

export async function insertRun(
  db: Q,
  values: {
    month: IsoMonth;
    issue: boolean;
    created_by: string | null;
    status: "queued" | "running";
    started_at: Date;
  },
) {
  return db.insertInto("billing_runs").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function runById(db: Q, id: string, forUpdate = false) {
  let q = db.selectFrom("billing_runs").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateRun(db: Q, id: string, patch: Updateable<BillingRunsTable>) {
  await db.updateTable("billing_runs").set(patch).where("id", "=", id).execute();
}

/** Count progress without losing what another attempt of the same run counted. */
export async function addProgress(
  db: Q,
  id: string,
  add: { scanned: number; contracts: number; created: number },
  at: Date,
) {
  await db
    .updateTable("billing_runs")
    .set((eb) => ({
      scanned: eb("scanned", "+", add.scanned),
      contracts: eb("contracts", "+", add.contracts),
      created: eb("created", "+", add.created),
      heartbeat_at: at,
    }))
    .where("id", "=", id)
    .execute();
}

/** Billing runs, the latest started first. */
export async function recentRuns(db: Q, page: PageRequest) {
  return paginate(
    db.selectFrom("billing_runs").selectAll(),
    {
      list: "runs",
      keys: [
        ["started_at", "desc"],
        ["id", "desc"],
      ],
    },
    page,
  );
}

/** Runs queued or running whose worker has not been heard of since `before` (its process died). */
export async function staleRuns(db: Q, before: Date) {
  return db
    .selectFrom("billing_runs")
    .select(["id", "status", "attempts"])
    .where("status", "in", ["queued", "running"] as const)
    .where((eb) => eb.or([eb("heartbeat_at", "<", before), eb("heartbeat_at", "is", null)]))
    .where("started_at", "<", before)
    .execute();
}

/** Invoices a run made (whatever attempt of it). */
export async function invoicesOfRun(db: Q, runId: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM invoices WHERE run_id = ${runId}::uuid`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Of these contracts, those without a regular invoice for the month yet (one probe of the unique index each). */
/** The contracts of `contracts` that already have their regular invoice for `month`. */
export async function invoicedIn(db: Q, contracts: IdSet, month: IsoMonth): Promise<Set<string>> {
  if (isEmptySet(contracts)) return new Set();
  const rows = await db
    .selectFrom("invoices")
    .select("contract_id")
    .where(inIdSet("contract_id", contracts))
    .where("month", "=", month)
    .where("kind", "=", "regular")
    .execute();
  return new Set(rows.map((x) => x.contract_id));
}

export interface DraftInvoice {
  id: string;
  contractId: string;
  customerId: string;
  recipient: { name: string; address: string | null; customerNumber: string; contractNumber: string };
  lines: ChargeLine[];
  totals: InvoiceTotals;
}

/**
 * Write a batch of draft invoices and their lines in one statement; returns those inserted (the
 * unique index refuses the others, and their lines with them). Most lines of a month are alike across
 * contracts (same plan, same note): each distinct line is sent once as a template and, per invoice
 * line, only (invoice, customer, line number, template); the recipient goes as plain columns and the
 * per-rate totals as distinct templates.
 */
export async function writeInvoices(
  tx: Q,
  drafts: DraftInvoice[],
  run: {
    id: string;
    month: IsoMonth;
    dueDate: IsoDate;
    periodStart: IsoDate;
    periodEnd: IsoDate;
    rounding: TaxRounding;
  },
): Promise<{ id: string; contract_id: string }[]> {
  const L = { inv: [] as string[], cust: [] as string[], no: [] as number[], tpl: [] as number[] };
  const T = {
    code: [] as (string | null)[],
    desc: [] as string[],
    descEn: [] as (string | null)[],
    kind: [] as string[],
    tax: [] as string[],
    qty: [] as number[],
    unit: [] as number[],
    amount: [] as number[],
    article: [] as string[],
    note: [] as string[],
    noteJa: [] as (string | null)[],
  };
  const templates = new Map<string, number>();
  const templateOf = (l: ChargeLine) => {
    const key = `${l.itemCode}\u0000${l.description}\u0000${l.descriptionEn}\u0000${l.kind}\u0000${l.taxCategory}\u0000${l.quantity}\u0000${l.unitPrice}\u0000${l.amount}\u0000${l.article}\u0000${l.note}\u0000${l.noteJa}`;
    let k = templates.get(key);
    if (k === undefined) {
      k = T.code.length + 1;
      templates.set(key, k);
      T.code.push(l.itemCode);
      T.desc.push(l.description);
      T.descEn.push(l.descriptionEn);
      T.kind.push(l.kind);
      T.tax.push(l.taxCategory);
      T.qty.push(l.quantity);
      T.unit.push(l.unitPrice);
      T.amount.push(l.amount);
      T.article.push(l.article);
      T.note.push(l.note);
      T.noteJa.push(l.noteJa);
    }
    return k;
  };
  for (const d of drafts)
    d.lines.forEach((l, i) => {
      L.inv.push(d.id);
      L.cust.push(d.customerId);
      L.no.push(i + 1);
      L.tpl.push(templateOf(l));
    });
  const R = {
    name: [] as string[],
    address: [] as (string | null)[],
    customer: [] as string[],
    contract: [] as string[],
  };
  const rateTemplates: string[] = [];
  const rateKeys = new Map<string, number>();
  const rateIdx: number[] = [];
  for (const d of drafts) {
    R.name.push(d.recipient.name);
    R.address.push(d.recipient.address);
    R.customer.push(d.recipient.customerNumber);
    R.contract.push(d.recipient.contractNumber);
    const json = JSON.stringify(d.totals.byRate);
    let k = rateKeys.get(json);
    if (k === undefined) {
      k = rateTemplates.push(json);
      rateKeys.set(json, k);
    }
    rateIdx.push(k);
  }
  const inserted = await sql<{ id: string; contract_id: string }>`
    WITH ins AS (
      INSERT INTO invoices (id, contract_id, customer_id, month, due_date, period_start, period_end, recipient,
                            by_rate, net, tax, total, tax_rounding, run_id)
      SELECT v.id, v.contract_id, v.customer_id, ${run.month}, ${run.dueDate}::date, ${run.periodStart}::date,
             ${run.periodEnd}::date,
             jsonb_build_object('name', v.name, 'address', v.address, 'customerNumber', v.customer_number,
                                'contractNumber', v.contract_number),
             r.by_rate, v.net, v.tax, v.total, ${run.rounding}, ${run.id}::uuid
      FROM unnest(${drafts.map((d) => d.id)}::uuid[], ${drafts.map((d) => d.contractId)}::uuid[],
                  ${drafts.map((d) => d.customerId)}::uuid[], ${R.name}::text[],
                  ${R.address}::text[], ${R.customer}::text[],
                  ${R.contract}::text[], ${rateIdx}::int[],
                  ${drafts.map((d) => d.totals.net)}::bigint[], ${drafts.map((d) => d.totals.tax)}::bigint[],
                  ${drafts.map((d) => d.totals.total)}::bigint[])
           AS v(id, contract_id, customer_id, name, address, customer_number, contract_number, rate, net, tax, total)
      JOIN unnest(${rateTemplates}::jsonb[]) WITH ORDINALITY AS r(by_rate, k) ON r.k = v.rate
      ON CONFLICT (contract_id, month) WHERE kind = 'regular' DO NOTHING
      RETURNING id, contract_id
    ), lines AS (
      INSERT INTO invoice_lines (invoice_id, customer_id, line_no, item_code, description, description_en, kind, tax_category,
                                 quantity, unit_price, amount, article, note, note_ja)
      SELECT v.inv, v.cust, v.no, t.code, t.description, t.description_en, t.kind, t.tax, t.qty, t.unit, t.amount, t.article, t.note,
             t.note_ja
      FROM unnest(${L.inv}::uuid[], ${L.cust}::uuid[], ${L.no}::int[], ${L.tpl}::int[]) AS v(inv, cust, no, tpl)
      JOIN ins ON ins.id = v.inv
      JOIN unnest(${T.code}::text[], ${T.desc}::text[], ${T.descEn}::text[], ${T.kind}::text[], ${T.tax}::text[], ${T.qty}::int[],
                  ${T.unit}::bigint[], ${T.amount}::bigint[], ${T.article}::text[], ${T.note}::text[],
                  ${T.noteJa}::text[])
           WITH ORDINALITY AS t(code, description, description_en, kind, tax, qty, unit, amount, article, note, note_ja, k) ON t.k = v.tpl
    )
    SELECT id, contract_id FROM ins`.execute(tx);
  return inserted.rows;
}
