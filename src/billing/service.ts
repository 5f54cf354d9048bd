/**
 * Billing (Art. 11, 29–34, 36, 39): the price book, the monthly billing run (exactly one regular
 * invoice per contract and month — enforced by a unique index, so re-runs, concurrent runs and
 * runs killed halfway cannot double-bill), issuing with sequential numbers per issuer and year,
 * voiding and corrections, payments and their allocation, late fees, SLA credits, special fees.
 * Every amount comes from the pure rules in `rules.ts` with its article.
 */
import { createHash, randomUUID } from "node:crypto";
import { sql } from "kysely";
import { type Actor, appendAudit, appendAuditMany, systemActor } from "../audit/service.ts";
import { recordContractEvent, recordContractEvents } from "../contracts/events.ts";
import { actorOf } from "../contracts/service.ts";
import type { Clock } from "../core/clock.ts";
import {
  addMonthsToMonth,
  compareDates,
  type IsoDate,
  type IsoMonth,
  lastDayOfMonth,
  monthOf,
  parseDate,
  tokyoDate,
} from "../core/dates.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller, type Db, type Tx } from "../db/db.ts";
import type { AuthContext } from "../identity/service.ts";
import { consignorOf, type DebitConsignor } from "./debit.ts";
import {
  type ContractCharges,
  chargesForMonth,
  damagesCap,
  dueDate,
  invoiceLateFee,
  invoiceTax,
  isOverdue,
  lateStartExtension,
  monthlyFeeOf,
  registrationNumber,
  slaCredit,
  specialFee,
} from "./rules.ts";
import type {
  ChargeLine,
  FeeKind,
  InvoiceDocument,
  InvoiceTotals,
  PriceItem,
  TaxCategory,
  TaxRounding,
} from "./types.ts";

const firstDayOfMonth = (m: IsoMonth): IsoDate => `${m}-01`;

export interface BillingSettings {
  issuerName: string;
  registrationNumber: string;
  issuerAddress: string;
  issuerPhone: string | null;
  bankAccount: string | null;
  taxRounding: TaxRounding;
  dueMonthsAfter: number;
  invoicePrefix: string;
  /** The provider as the originator of direct debits (委託者), as the bank registered it. */
  debitConsignor: DebitConsignor | null;
}

export interface RunProgress {
  done: number;
  total: number;
  created: number;
}

export interface RunResult {
  runId: string;
  month: IsoMonth;
  /** Contracts without an invoice for the month that owe something for it. */
  contracts: number;
  /** Invoices this run created. */
  created: number;
  /** Of `contracts`, those whose invoice another run (at the same time) created first. */
  skipped: number;
  issued: number;
}

type ContractRow = {
  id: string;
  number: string;
  customer_id: string;
  plan: string;
  options: string[];
  start_date: string;
  end_effective_on: string | null;
  terminated_on: string | null;
  charges_void: boolean;
  legal_name: string;
  address: string | null;
  corporate_number: string | null;
};

/** The price book as rules see it, indexed by what each item applies to. */
export class PriceBook {
  readonly byCode = new Map<string, PriceItem>();
  readonly byTarget = new Map<string, PriceItem[]>();
  constructor(
    rows: {
      code: string;
      name_ja: string;
      name_en: string;
      kind: FeeKind;
      tax_category: TaxCategory;
      applies_to: string | null;
    }[],
    prices: { item_code: string; effective_from: string; unit_price: number }[],
  ) {
    for (const r of rows) {
      const item: PriceItem = {
        code: r.code,
        nameJa: r.name_ja,
        nameEn: r.name_en,
        kind: r.kind,
        taxCategory: r.tax_category,
        prices: [],
      };
      this.byCode.set(r.code, item);
      if (r.applies_to) {
        const list = this.byTarget.get(r.applies_to) ?? [];
        list.push(item);
        this.byTarget.set(r.applies_to, list);
      }
    }
    for (const p of [...prices].sort((a, b) => compareDates(a.effective_from, b.effective_from)))
      this.byCode.get(p.item_code)?.prices.push({ from: p.effective_from, unitPrice: p.unit_price });
  }

  static async load(db: Db | Tx): Promise<PriceBook> {
    const [rows, prices] = await Promise.all([
      db.selectFrom("price_items").selectAll().where("active", "=", true).execute(),
      db.selectFrom("price_item_prices").select(["item_code", "effective_from", "unit_price"]).execute(),
    ]);
    return new PriceBook(rows, prices);
  }

  /** The recurring items of a contract: its plan's and its options' (cancelled options with their date, Art. 11). */
  contractCharges(c: ContractRow, cancelled: Map<string, string>): ContractCharges {
    const items: ContractCharges["items"] = [];
    for (const it of this.byTarget.get(`plan:${c.plan}`) ?? []) items.push({ item: it, quantity: 1 });
    const options = new Set([...c.options, ...cancelled.keys()]);
    for (const o of options)
      for (const it of this.byTarget.get(`option:${o}`) ?? [])
        items.push({ item: it, quantity: 1, cancelledOn: cancelled.get(o) ?? null });
    return {
      startDate: c.start_date,
      endDate: c.end_effective_on ?? c.terminated_on,
      chargesVoid: c.charges_void,
      items,
    };
  }
}

const CONTRACT_COLUMNS = sql`c.id, c.number, c.customer_id, c.plan, c.options, c.start_date, c.end_effective_on,
  c.terminated_on, c.charges_void, cu.legal_name, cu.address, cu.corporate_number`;

function recipientOf(c: ContractRow) {
  return {
    name: c.legal_name,
    address: c.address,
    customerNumber: c.corporate_number ?? c.customer_id.slice(0, 8),
    contractNumber: c.number,
  };
}

function totalsOf(lines: ChargeLine[], rounding: TaxRounding): InvoiceTotals {
  return invoiceTax(
    lines.map((l) => ({ amount: l.amount, taxCategory: l.taxCategory })),
    rounding,
  ).result;
}

/** `isOverdue` (rules.ts, Art. 21(1)(1), 31(3)) as SQL over the invoices table aliased `alias`. */
function overdueSql(alias: string, asOf: IsoDate) {
  const a = sql.raw(alias);
  return sql<boolean>`(${a}.status = 'issued' AND ${a}.paid_amount < ${a}.total AND ${a}.due_date < ${asOf}::date)`;
}

/** Rows grouped by a key column, in their order. */
function groupBy<T, K extends keyof T>(rows: T[], key: K): Map<T[K], T[]> {
  const m = new Map<T[K], T[]>();
  for (const r of rows) {
    const l = m.get(r[key]);
    if (l) l.push(r);
    else m.set(r[key], [r]);
  }
  return m;
}

/** A stored charge or invoice line as the rules' ChargeLine. */
function lineOf(r: {
  item_code: string | null;
  description: string;
  kind: string;
  tax_category: TaxCategory;
  quantity: number;
  unit_price: number;
  amount: number;
  article: string;
  note: string;
}): ChargeLine {
  return {
    itemCode: r.item_code,
    description: r.description,
    kind: r.kind as ChargeLine["kind"],
    taxCategory: r.tax_category,
    quantity: r.quantity,
    unitPrice: r.unit_price,
    amount: r.amount,
    article: r.article,
    note: r.note,
  };
}

/** One contract with its recurring items (plan, options, option cancellations) for the rules. */
async function loadContractCharges(tx: Tx, contractId: string, book: PriceBook) {
  const c = (
    await sql<ContractRow>`SELECT ${CONTRACT_COLUMNS} FROM contracts c JOIN customers cu ON cu.id = c.customer_id WHERE c.id = ${contractId}::uuid`.execute(
      tx,
    )
  ).rows[0];
  if (!c) throw notFound("contract");
  const cancelled = await tx
    .selectFrom("option_cancellations")
    .select(["option", "received_on"])
    .where("contract_id", "=", c.id)
    .execute();
  return {
    c,
    cancelled,
    cc: book.contractCharges(c, new Map(cancelled.map((x) => [x.option, x.received_on]))),
  };
}

/** A payment not yet written, with everything its row needs. */
interface NewPayment {
  id: string;
  customerId: string;
  receivedOn: IsoDate;
  amount: number;
  method: "bank_transfer" | "direct_debit" | "cash" | "other";
  reference?: string | null;
  payerName?: string | null;
  importId?: string | null;
}

export class BillingService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  today(): IsoDate {
    return tokyoDate(this.clock.now());
  }

  scoped<T>(auth: AuthContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return asCaller(this.db, auth, fn);
  }

  // ---- settings -----------------------------------------------------------------------------

  async settings(db: Db | Tx = this.db): Promise<BillingSettings> {
    const s = await db.selectFrom("billing_settings").selectAll().executeTakeFirstOrThrow();
    return {
      issuerName: s.issuer_name,
      registrationNumber: s.registration_number,
      issuerAddress: s.issuer_address,
      issuerPhone: s.issuer_phone,
      bankAccount: s.bank_account,
      taxRounding: s.tax_rounding,
      dueMonthsAfter: s.due_months_after,
      invoicePrefix: s.invoice_prefix,
      debitConsignor: (s.debit_consignor as DebitConsignor | null) ?? null,
    };
  }

  async updateSettings(auth: AuthContext, patch: Partial<BillingSettings>): Promise<BillingSettings> {
    if (patch.registrationNumber !== undefined) {
      const check = registrationNumber(patch.registrationNumber);
      if (!check.result.valid)
        throw new AppError(
          "validation_failed",
          `registration number ${patch.registrationNumber} has a wrong check digit`,
          { article: "34", details: { registrationNumber: ["check_digit"] } },
        );
    }
    return this.db.transaction().execute(async (tx) => {
      const before = await this.settings(tx);
      await tx
        .updateTable("billing_settings")
        .set({
          ...(patch.issuerName !== undefined ? { issuer_name: patch.issuerName } : {}),
          ...(patch.registrationNumber !== undefined
            ? { registration_number: patch.registrationNumber }
            : {}),
          ...(patch.issuerAddress !== undefined ? { issuer_address: patch.issuerAddress } : {}),
          ...(patch.issuerPhone !== undefined ? { issuer_phone: patch.issuerPhone } : {}),
          ...(patch.bankAccount !== undefined ? { bank_account: patch.bankAccount } : {}),
          ...(patch.taxRounding !== undefined ? { tax_rounding: patch.taxRounding } : {}),
          ...(patch.dueMonthsAfter !== undefined ? { due_months_after: patch.dueMonthsAfter } : {}),
          ...(patch.invoicePrefix !== undefined ? { invoice_prefix: patch.invoicePrefix } : {}),
          ...(patch.debitConsignor !== undefined
            ? {
                debit_consignor:
                  patch.debitConsignor === null ? null : JSON.stringify(consignorOf(patch.debitConsignor)),
              }
            : {}),
          updated_at: this.clock.now(),
        })
        .execute();
      const after = await this.settings(tx);
      await appendAudit(tx, {
        actor: actorOf(auth),
        action: "billing.settings.updated",
        subjectType: "billing_settings",
        before,
        after,
        article: "34",
        at: this.clock.now(),
      });
      return after;
    });
  }

  // ---- price book ---------------------------------------------------------------------------

  async priceBook() {
    const items = await this.db.selectFrom("price_items").selectAll().orderBy("code").execute();
    const prices = await this.db
      .selectFrom("price_item_prices")
      .select(["item_code", "effective_from", "unit_price"])
      .orderBy("item_code")
      .orderBy("effective_from")
      .execute();
    const today = this.today();
    return items.map((i) => {
      const ps = prices.filter((p) => p.item_code === i.code);
      const current = [...ps].reverse().find((p) => compareDates(p.effective_from, today) <= 0);
      return {
        code: i.code,
        nameJa: i.name_ja,
        nameEn: i.name_en,
        kind: i.kind,
        taxCategory: i.tax_category,
        appliesTo: i.applies_to,
        active: i.active,
        currentPrice: current?.unit_price ?? null,
        prices: ps.map((p) => ({ from: p.effective_from, unitPrice: p.unit_price })),
      };
    });
  }

  async createItem(
    auth: AuthContext,
    input: {
      code: string;
      nameJa: string;
      nameEn: string;
      kind: FeeKind;
      taxCategory: TaxCategory;
      appliesTo?: string | null;
      unitPrice: number;
      from?: IsoDate;
    },
  ) {
    return this.db.transaction().execute(async (tx) => {
      const exists = await tx
        .selectFrom("price_items")
        .select("code")
        .where("code", "=", input.code)
        .executeTakeFirst();
      if (exists) throw new AppError("conflict", `price item ${input.code} already exists`);
      await tx
        .insertInto("price_items")
        .values({
          code: input.code,
          name_ja: input.nameJa,
          name_en: input.nameEn,
          kind: input.kind,
          tax_category: input.taxCategory,
          applies_to: input.appliesTo ?? null,
        })
        .execute();
      const from = input.from ?? this.today();
      await tx
        .insertInto("price_item_prices")
        .values({
          item_code: input.code,
          effective_from: from,
          unit_price: input.unitPrice,
          created_by: auth.user.id,
        })
        .execute();
      await appendAudit(tx, {
        actor: actorOf(auth),
        action: "billing.price_item.created",
        subjectType: "price_item",
        after: { ...input, from },
        article: "29(1)",
        at: this.clock.now(),
      });
      return { code: input.code };
    });
  }

  /**
   * A new price from a date (Art. 29(4)). Past dates are refused once the item has a price: months
   * already billed must not change under their invoices.
   */
  async addPrice(auth: AuthContext, code: string, input: { from: IsoDate; unitPrice: number }) {
    return this.db.transaction().execute(async (tx) => {
      const item = await tx
        .selectFrom("price_items")
        .select("code")
        .where("code", "=", code)
        .executeTakeFirst();
      if (!item) throw notFound("price item");
      const count = await tx
        .selectFrom("price_item_prices")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("item_code", "=", code)
        .executeTakeFirstOrThrow();
      if (Number(count.n) > 0 && compareDates(input.from, this.today()) < 0)
        throw new AppError(
          "conflict",
          `a price change cannot take effect in the past (${input.from}); months already billed keep their prices`,
          { article: "29(4)" },
        );
      await tx
        .insertInto("price_item_prices")
        .values({
          item_code: code,
          effective_from: input.from,
          unit_price: input.unitPrice,
          created_by: auth.user.id,
        })
        .onConflict((oc) =>
          oc.columns(["item_code", "effective_from"]).doUpdateSet({ unit_price: input.unitPrice }),
        )
        .execute();
      await appendAudit(tx, {
        actor: actorOf(auth),
        action: "billing.price.set",
        subjectType: "price_item",
        after: { code, ...input },
        article: "29(4)",
        at: this.clock.now(),
      });
      return { code, ...input };
    });
  }

  // ---- the monthly billing run ---------------------------------------------------------------

  /**
   * Make the month's regular invoices (drafts), one per billable contract. Safe to re-run, to run
   * in two processes at once, and to run again after a crash: each batch is one transaction and
   * the unique index on (contract, month) lets only one invoice per contract and month exist.
   */
  async run(
    month: IsoMonth,
    opts: {
      actor?: Actor;
      batchSize?: number;
      issue?: boolean;
      onProgress?: (p: RunProgress) => void;
    } = {},
  ): Promise<RunResult> {
    const actor = opts.actor ?? systemActor;
    const batchSize = opts.batchSize ?? 1000;
    const settings = await this.settings();
    const book = await PriceBook.load(this.db);
    const run = await this.db
      .insertInto("billing_runs")
      .values({ month, created_by: actor.kind === "staff" ? actor.id : null })
      .returning("id")
      .executeTakeFirstOrThrow();
    // Walk every contract by primary key in batches (index-only keyset), fetch the batch's rows not
    // yet invoiced for the month (one probe of the unique index each), and let the rules decide what
    // each one owes: a contract with nothing to bill yields no invoice. Two batches are in flight at
    // once, so that computing one overlaps writing the other; exactly-once rests on the unique index
    // (contract, month), not on this loop.
    const total = Number(
      (await sql<{ n: string }>`SELECT count(*) AS n FROM contracts`.execute(this.db)).rows[0]?.n ?? 0,
    );
    let created = 0;
    let seen = 0;
    let scanned = 0;
    const fetchBatch = async (after: string) => {
      const ids = (
        await sql<{
          id: string;
        }>`SELECT id FROM contracts WHERE id > ${after}::uuid ORDER BY id LIMIT ${batchSize}`.execute(this.db)
      ).rows.map((r) => r.id);
      if (ids.length === 0) return null;
      const rows = (
        await sql<ContractRow>`
          SELECT ${CONTRACT_COLUMNS} FROM contracts c JOIN customers cu ON cu.id = c.customer_id
          WHERE c.id = ANY(${ids}::uuid[])
            AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.contract_id = c.id AND i.month = ${month} AND i.kind = 'regular')
          ORDER BY c.id`.execute(this.db)
      ).rows;
      const facts =
        rows.length > 0
          ? await this.batchFacts(
              rows.map((c) => c.id),
              month,
            )
          : null;
      return { last: ids[ids.length - 1]!, scanned: ids.length, rows, facts };
    };
    const billWithRetry = async (
      batch: ContractRow[],
      facts: Awaited<ReturnType<BillingService["batchFacts"]>> | null,
    ) => {
      for (let attempt = 0; ; attempt++) {
        try {
          if (batch.length === 0) return { owing: 0, made: 0 };
          // The first attempt uses the facts read ahead with the batch; a retry reads them afresh.
          const f =
            attempt === 0 && facts
              ? facts
              : await this.batchFacts(
                  batch.map((c) => c.id),
                  month,
                );
          return await this.billBatch(batch, f, month, settings, book, run.id, actor);
        } catch (err) {
          if (!(err instanceof RetryBatch) || attempt >= 3) throw err;
        }
      }
    };
    // A promise awaited later must not count as an unhandled rejection meanwhile.
    const held = <T>(p: Promise<T>) => {
      p.catch(() => {});
      return p;
    };
    try {
      const inFlight: Promise<void>[] = [];
      let next = held(fetchBatch("00000000-0000-0000-0000-000000000000"));
      let failure: unknown = null;
      try {
        for (;;) {
          const b = await next;
          if (!b) break;
          next = held(fetchBatch(b.last));
          inFlight.push(
            held(
              billWithRetry(b.rows, b.facts).then(({ owing, made }) => {
                created += made;
                seen += owing;
                scanned += b.scanned;
                opts.onProgress?.({ done: scanned, total: Math.max(total, scanned), created });
              }),
            ),
          );
          if (inFlight.length >= 2) await inFlight.shift();
        }
      } catch (err) {
        failure = err;
      }
      // Never leave a batch running behind a failure: settle them all, then report the first error.
      const settled = await Promise.allSettled([...inFlight, next]);
      const failed = settled.find((x): x is PromiseRejectedResult => x.status === "rejected");
      if (failure !== null || failed) throw failure ?? failed!.reason;
      const skipped = seen - created;
      let issued = 0;
      if (opts.issue) issued = await this.issueMonth(actor, month);
      await this.db
        .updateTable("billing_runs")
        .set({ status: "done", contracts: seen, created, skipped, finished_at: this.clock.now() })
        .where("id", "=", run.id)
        .execute();
      return { runId: run.id, month, contracts: seen, created, skipped, issued };
    } catch (err) {
      await this.db
        .updateTable("billing_runs")
        .set({
          status: "failed",
          contracts: seen,
          created,
          skipped: seen - created,
          error: String(err),
          finished_at: this.clock.now(),
        })
        .where("id", "=", run.id)
        .execute();
      throw err;
    }
  }

  /**
   * What a batch of contracts needs besides the price book: option cancellations, pending one-off
   * charges, recent unavailability periods and SLA credits already given. Read outside the writing
   * transaction (READ COMMITTED reads each statement afresh anyway); the claim of the charges in
   * `billBatch` checks they are still pending.
   */
  private async batchFacts(ids: string[], month: IsoMonth) {
    const first = firstDayOfMonth(month);
    const [cancellations, pending, periods, credited] = await Promise.all([
      this.db
        .selectFrom("option_cancellations")
        .select(["contract_id", "option", "received_on"])
        .where(sql<boolean>`contract_id = ANY(${ids}::uuid[])`)
        .execute(),
      this.db
        .selectFrom("charges")
        .selectAll()
        .where(sql<boolean>`contract_id = ANY(${ids}::uuid[])`)
        .where("invoice_id", "is", null)
        .where("month", "<=", month)
        .orderBy("created_at")
        .execute(),
      this.db
        .selectFrom("unavailability_periods")
        .select(["contract_id", "started_at", "ended_at", "attribution"])
        .where(sql<boolean>`contract_id = ANY(${ids}::uuid[])`)
        .where(sql<boolean>`started_at < ${first}::date::timestamp AT TIME ZONE 'Asia/Tokyo'`)
        .where(
          sql<boolean>`ended_at >= (${first}::date - interval '12 months')::timestamp AT TIME ZONE 'Asia/Tokyo'`,
        )
        .execute(),
      this.db
        .selectFrom("sla_credits")
        .select(["contract_id", "month", "credit"])
        .where(sql<boolean>`contract_id = ANY(${ids}::uuid[])`)
        .execute(),
    ]);
    return {
      cancelledBy: groupBy(cancellations, "contract_id"),
      pendingBy: groupBy(pending, "contract_id"),
      periodsBy: groupBy(periods, "contract_id"),
      creditedBy: groupBy(credited, "contract_id"),
    };
  }

  /**
   * Compute and write one batch: `owing` is how many of its contracts owe something this month,
   * `made` how many invoices this call created (fewer when another run was first for some).
   */
  private async billBatch(
    batch: ContractRow[],
    facts: Awaited<ReturnType<BillingService["batchFacts"]>>,
    month: IsoMonth,
    settings: BillingSettings,
    book: PriceBook,
    runId: string,
    actor: Actor,
  ): Promise<{ owing: number; made: number }> {
    const { cancelledBy, pendingBy, periodsBy, creditedBy } = facts;
    const first = firstDayOfMonth(month);

    type Draft = {
      id: string;
      c: ContractRow;
      lines: ChargeLine[];
      /** The pending charges billed, with the amount and note the invoice shows for each. */
      charges: { id: string; amount: number; note: string }[];
      sla: { month: IsoMonth; hours: number; percentage: number; credit: number }[];
      totals: InvoiceTotals;
    };
    const drafts: Draft[] = [];
    for (const c of batch) {
      const cc = book.contractCharges(
        c,
        new Map((cancelledBy.get(c.id) ?? []).map((x) => [x.option, x.received_on])),
      );
      const recurring = chargesForMonth(cc, month).result;
      const lines: ChargeLine[] = [...recurring.lines];
      const charges: Draft["charges"] = [];
      for (const ch of pendingBy.get(c.id) ?? []) {
        charges.push({ id: ch.id, amount: ch.amount, note: ch.note });
        lines.push(lineOf(ch));
      }
      const sla = this.slaDeltas(cc, month, periodsBy.get(c.id) ?? [], creditedBy.get(c.id) ?? []);
      for (const s of sla)
        lines.push({
          itemCode: null,
          description: `SLA返還 ${s.month} (利用不能 ${s.hours}時間, ${s.percentage}%)`,
          kind: "credit",
          taxCategory: "10",
          quantity: 1,
          unitPrice: -s.credit,
          amount: -s.credit,
          article: "36(1)",
          note: `Unavailability attributable to the provider in ${s.month}: ${s.hours} h → ${s.percentage}% of that month's monthly fee is credited (Art. 30(4), 36(1), SLA).`,
        });
      if (lines.length === 0) continue;
      drafts.push({ id: "", c, lines, charges, sla, totals: totalsOf(lines, settings.taxRounding) });
    }
    if (drafts.length === 0) return { owing: 0, made: 0 };
    const owing = drafts.length;
    const due = dueDate(month, settings.dueMonthsAfter).result.dueDate;
    // Invoice ids are made here, so that the invoices and their lines go in one statement; the
    // lines of an invoice the unique index refused (another run was first) are dropped with it.
    for (const d of drafts) d.id = randomUUID();
    // Most lines of a month are alike across contracts (same plan, same note): send each distinct
    // line once as a template and, per invoice line, only (invoice, customer, line number, template).
    const L = { inv: [] as string[], cust: [] as string[], no: [] as number[], tpl: [] as number[] };
    const T = {
      code: [] as (string | null)[],
      desc: [] as string[],
      kind: [] as string[],
      tax: [] as string[],
      qty: [] as number[],
      unit: [] as number[],
      amount: [] as number[],
      article: [] as string[],
      note: [] as string[],
    };
    const templates = new Map<string, number>();
    const templateOf = (l: ChargeLine) => {
      const key = `${l.itemCode}\u0000${l.description}\u0000${l.kind}\u0000${l.taxCategory}\u0000${l.quantity}\u0000${l.unitPrice}\u0000${l.amount}\u0000${l.article}\u0000${l.note}`;
      let k = templates.get(key);
      if (k === undefined) {
        k = T.code.length + 1;
        templates.set(key, k);
        T.code.push(l.itemCode);
        T.desc.push(l.description);
        T.kind.push(l.kind);
        T.tax.push(l.taxCategory);
        T.qty.push(l.quantity);
        T.unit.push(l.unitPrice);
        T.amount.push(l.amount);
        T.article.push(l.article);
        T.note.push(l.note);
      }
      return k;
    };
    for (const d of drafts)
      d.lines.forEach((l, i) => {
        L.inv.push(d.id);
        L.cust.push(d.c.customer_id);
        L.no.push(i + 1);
        L.tpl.push(templateOf(l));
      });
    // The recipient as plain columns (built into JSON by the database) and the per-rate totals as
    // distinct templates: far less to encode and send than one JSON document per invoice.
    const recipients = {
      name: [] as string[],
      address: [] as (string | null)[],
      customerNumber: [] as string[],
      contractNumber: [] as string[],
    };
    const rateTemplates: string[] = [];
    const rateKeys = new Map<string, number>();
    const rateIdx: number[] = [];
    for (const d of drafts) {
      const r = recipientOf(d.c);
      recipients.name.push(r.name);
      recipients.address.push(r.address);
      recipients.customerNumber.push(r.customerNumber);
      recipients.contractNumber.push(r.contractNumber);
      const json = JSON.stringify(d.totals.byRate);
      let k = rateKeys.get(json);
      if (k === undefined) {
        k = rateTemplates.push(json);
        rateKeys.set(json, k);
      }
      rateIdx.push(k);
    }
    return this.db.transaction().execute(async (tx) => {
      const inserted = await sql<{ id: string; contract_id: string }>`
        WITH ins AS (
          INSERT INTO invoices (id, contract_id, customer_id, month, due_date, period_start, period_end, recipient,
                                by_rate, net, tax, total, tax_rounding, run_id)
          SELECT v.id, v.contract_id, v.customer_id, ${month}, ${due}::date, ${first}::date,
                 ${lastDayOfMonth(month)}::date,
                 jsonb_build_object('name', v.name, 'address', v.address, 'customerNumber', v.customer_number,
                                    'contractNumber', v.contract_number),
                 r.by_rate, v.net, v.tax, v.total, ${settings.taxRounding}, ${runId}::uuid
          FROM unnest(${drafts.map((d) => d.id)}::uuid[], ${drafts.map((d) => d.c.id)}::uuid[],
                      ${drafts.map((d) => d.c.customer_id)}::uuid[], ${recipients.name}::text[],
                      ${recipients.address}::text[], ${recipients.customerNumber}::text[],
                      ${recipients.contractNumber}::text[], ${rateIdx}::int[],
                      ${drafts.map((d) => d.totals.net)}::bigint[], ${drafts.map((d) => d.totals.tax)}::bigint[],
                      ${drafts.map((d) => d.totals.total)}::bigint[])
               AS v(id, contract_id, customer_id, name, address, customer_number, contract_number, rate, net, tax, total)
          JOIN unnest(${rateTemplates}::jsonb[]) WITH ORDINALITY AS r(by_rate, k) ON r.k = v.rate
          ON CONFLICT (contract_id, month) WHERE kind = 'regular' DO NOTHING
          RETURNING id, contract_id
        ), lines AS (
          INSERT INTO invoice_lines (invoice_id, customer_id, line_no, item_code, description, kind, tax_category,
                                     quantity, unit_price, amount, article, note)
          SELECT v.inv, v.cust, v.no, t.code, t.description, t.kind, t.tax, t.qty, t.unit, t.amount, t.article, t.note
          FROM unnest(${L.inv}::uuid[], ${L.cust}::uuid[], ${L.no}::int[], ${L.tpl}::int[]) AS v(inv, cust, no, tpl)
          JOIN ins ON ins.id = v.inv
          JOIN unnest(${T.code}::text[], ${T.desc}::text[], ${T.kind}::text[], ${T.tax}::text[], ${T.qty}::int[],
                      ${T.unit}::bigint[], ${T.amount}::bigint[], ${T.article}::text[], ${T.note}::text[])
               WITH ORDINALITY AS t(code, description, kind, tax, qty, unit, amount, article, note, k) ON t.k = v.tpl
        )
        SELECT id, contract_id FROM ins`.execute(tx);
      if (inserted.rows.length === 0) return { owing, made: 0 };
      const made = new Set(inserted.rows.map((r) => r.id));
      const claim = {
        charge: [] as string[],
        inv: [] as string[],
        amount: [] as number[],
        note: [] as string[],
      };
      const slaRows: {
        contract_id: string;
        customer_id: string;
        month: string;
        hours: number;
        percentage: number;
        credit: number;
        invoice_id: string;
      }[] = [];
      for (const d of drafts) {
        if (!made.has(d.id)) continue;
        for (const ch of d.charges) {
          claim.charge.push(ch.id);
          claim.inv.push(d.id);
          claim.amount.push(ch.amount);
          claim.note.push(ch.note);
        }
        for (const s of d.sla)
          slaRows.push({ contract_id: d.c.id, customer_id: d.c.customer_id, ...s, invoice_id: d.id });
      }
      if (claim.charge.length > 0) {
        const claimed = await sql<{ id: string }>`
          UPDATE charges SET invoice_id = v.inv
          FROM unnest(${claim.charge}::uuid[], ${claim.inv}::uuid[], ${claim.amount}::bigint[], ${claim.note}::text[])
               AS v(id, inv, amount, note)
          WHERE charges.id = v.id AND charges.invoice_id IS NULL AND charges.amount = v.amount AND charges.note = v.note
          RETURNING charges.id`.execute(tx);
        // Another run took a charge first, or an import changed it since it was read: redo the
        // batch from fresh data, so that an invoice line always shows what its charge says.
        if (claimed.rows.length !== claim.charge.length) throw new RetryBatch();
      }
      if (slaRows.length > 0) await tx.insertInto("sla_credits").values(slaRows).execute();
      await appendAudit(tx, {
        actor,
        action: "billing.invoices.created",
        subjectType: "billing_run",
        subjectId: runId,
        after: { month, invoices: inserted.rows.length },
        article: "31(1)",
        at: this.clock.now(),
      });
      return { owing, made: inserted.rows.length };
    });
  }

  /** SLA credits still owed for earlier months (Art. 30(4), 36): recomputed minus already credited. */
  private slaDeltas(
    cc: ContractCharges,
    month: IsoMonth,
    periods: {
      started_at: Date;
      ended_at: Date;
      attribution: "provider" | "customer" | "carrier" | "cloud";
    }[],
    credited: { month: string; credit: number }[],
  ) {
    if (periods.length === 0) return [];
    const months = new Set<IsoMonth>();
    for (const p of periods) {
      let m = monthOf(tokyoDate(p.started_at));
      const end = monthOf(tokyoDate(p.ended_at));
      while (m <= end && m < month) {
        months.add(m);
        m = addMonthsToMonth(m, 1);
      }
    }
    const out: { month: IsoMonth; hours: number; percentage: number; credit: number }[] = [];
    for (const m of [...months].sort()) {
      const fee = monthlyFeeOf(cc, m);
      if (fee <= 0) continue;
      const r = slaCredit({
        monthlyFee: fee,
        month: m,
        outages: periods.map((p) => ({
          start: p.started_at.toISOString(),
          end: p.ended_at.toISOString(),
          attribution: p.attribution,
        })),
      }).result;
      const already = credited.filter((c) => c.month === m).reduce((s, c) => s + Number(c.credit), 0);
      if (r.credit > already)
        out.push({ month: m, hours: r.hours, percentage: r.percentage, credit: r.credit - already });
    }
    return out;
  }

  // ---- issuing, voiding, corrections ---------------------------------------------------------

  /** Next numbers for `count` invoices issued in `year`: sequential per issuer and year, never reused. */
  private async takeNumbers(
    tx: Tx,
    settings: BillingSettings,
    year: number,
    count: number,
  ): Promise<string[]> {
    const r = await sql<{ last: number }>`
      INSERT INTO invoice_counters (registration_number, year, last) VALUES (${settings.registrationNumber}, ${year}, ${count})
      ON CONFLICT (registration_number, year) DO UPDATE SET last = invoice_counters.last + ${count}
      RETURNING last`.execute(tx);
    const last = Number(r.rows[0]!.last);
    return Array.from(
      { length: count },
      (_, i) => `${settings.invoicePrefix}-${year}-${String(last - count + 1 + i).padStart(6, "0")}`,
    );
  }

  private async issueIds(tx: Tx, actor: Actor, ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const settings = await this.settings(tx);
    const today = this.today();
    const drafts = await tx
      .selectFrom("invoices")
      .select(["id", "customer_id"])
      .where("id", "in", ids)
      .where("status", "=", "draft")
      .orderBy("month")
      .orderBy("id")
      .forUpdate()
      .execute();
    if (drafts.length === 0) return 0;
    const numbers = await this.takeNumbers(tx, settings, Number(today.slice(0, 4)), drafts.length);
    const issuer = JSON.stringify({
      name: settings.issuerName,
      registrationNumber: settings.registrationNumber,
      address: settings.issuerAddress,
      phone: settings.issuerPhone,
      bankAccount: settings.bankAccount,
    });
    await sql`
      UPDATE invoices SET status = 'issued', number = v.number, issue_date = ${today}::date, issuer = ${issuer}::jsonb,
             issued_by = ${actor.kind === "staff" ? actor.id : null}::uuid
      FROM unnest(${drafts.map((d) => d.id)}::uuid[], ${numbers}::text[]) AS v(id, number)
      WHERE invoices.id = v.id`.execute(tx);
    await appendAudit(tx, {
      actor,
      action: "billing.invoices.issued",
      subjectType: "invoice",
      subjectId: drafts.length === 1 ? drafts[0]!.id : null,
      customerId: drafts.length === 1 ? drafts[0]!.customer_id : null,
      after: { count: drafts.length, first: numbers[0], last: numbers[numbers.length - 1] },
      article: "31(1)",
      at: this.clock.now(),
    });
    // Money already received and not yet allocated (over-payments) settles the new invoices.
    const customers = [...new Set(drafts.map((d) => d.customer_id))];
    const credit = await tx
      .selectFrom("payments")
      .select("customer_id")
      .distinct()
      .where("customer_id", "in", customers)
      .where("unallocated", ">", 0)
      .execute();
    await this.allocateCustomers(tx, actor, new Map(credit.map((c) => [c.customer_id, [{}]])));
    return drafts.length;
  }

  async issue(auth: AuthContext, id: string) {
    await this.db.transaction().execute(async (tx) => {
      const inv = await tx.selectFrom("invoices").select(["status"]).where("id", "=", id).executeTakeFirst();
      if (!inv) throw notFound("invoice");
      if (inv.status !== "draft") throw new AppError("conflict", `the invoice is already ${inv.status}`);
      await this.issueIds(tx, actorOf(auth), [id]);
    });
    return this.invoice(auth, id);
  }

  /** Issue every draft of a month, in batches. */
  async issueMonth(actor: Actor, month: IsoMonth, batchSize = 2000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction().execute(async (tx) => {
        const ids = await tx
          .selectFrom("invoices")
          .select("id")
          .where("month", "=", month)
          .where("status", "=", "draft")
          .orderBy("id")
          .limit(batchSize)
          .forUpdate()
          .skipLocked()
          .execute();
        return this.issueIds(
          tx,
          actor,
          ids.map((i) => i.id),
        );
      });
      if (n === 0) return total;
      total += n;
    }
  }

  /** Void a draft or an issued invoice; it keeps its number and records why. Paid money is re-allocatable. */
  async void(auth: AuthContext, id: string, reason: string) {
    await this.db.transaction().execute((tx) => this.voidIn(tx, actorOf(auth), id, reason));
    return this.invoice(auth, id);
  }

  private async voidIn(tx: Tx, actor: Actor, id: string, reason: string) {
    const inv = await tx
      .selectFrom("invoices")
      .selectAll()
      .where("id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    if (!inv) throw notFound("invoice");
    if (inv.status === "void") throw new AppError("conflict", "the invoice is already void");
    if (inv.paid_amount > 0)
      throw new AppError(
        "conflict",
        "the invoice has payments allocated; issue a credit note or a corrected invoice instead of voiding it",
      );
    await tx
      .updateTable("invoices")
      .set({
        status: "void",
        void_reason: reason,
        voided_at: this.clock.now(),
        voided_by: actor.kind === "staff" ? actor.id : null,
      })
      .where("id", "=", id)
      .execute();
    // Charges and SLA credits it carried become pending again for the corrected document.
    await tx.updateTable("charges").set({ invoice_id: null }).where("invoice_id", "=", id).execute();
    await appendAudit(tx, {
      actor,
      action: "billing.invoice.voided",
      subjectType: "invoice",
      subjectId: id,
      customerId: inv.customer_id,
      before: { status: inv.status, number: inv.number },
      after: { status: "void", reason },
      article: "31(1)",
      at: this.clock.now(),
    });
    return inv;
  }

  /**
   * Correct an invoice: void it (recording why) and make a corrected draft that refers to it,
   * recomputed from the price book and its charges. The original keeps its number.
   */
  async correct(auth: AuthContext, id: string, reason: string) {
    const actor = actorOf(auth);
    const newId = await this.db.transaction().execute(async (tx) => {
      const orig = await this.voidIn(tx, actor, id, reason);
      const settings = await this.settings(tx);
      const book = await PriceBook.load(tx);
      const { c, cc } = await loadContractCharges(tx, orig.contract_id, book);
      const lines: ChargeLine[] =
        orig.kind === "regular" || orig.kind === "corrected"
          ? [...chargesForMonth(cc, orig.month).result.lines]
          : [];
      const charges = await tx
        .selectFrom("charges")
        .selectAll()
        .where("contract_id", "=", c.id)
        .where("invoice_id", "is", null)
        .where("month", "<=", orig.month)
        .execute();
      for (const ch of charges) lines.push(lineOf(ch));
      const oldCredits = await tx
        .selectFrom("invoice_lines")
        .selectAll()
        .where("invoice_id", "=", id)
        .where("kind", "=", "credit")
        .execute();
      for (const l of oldCredits) lines.push(lineOf(l));
      const totals = totalsOf(lines, settings.taxRounding);
      const inv = await tx
        .insertInto("invoices")
        .values({
          contract_id: c.id,
          customer_id: c.customer_id,
          month: orig.month,
          kind: "corrected",
          refers_to: orig.id,
          due_date: orig.due_date,
          period_start: orig.period_start,
          period_end: orig.period_end,
          recipient: JSON.stringify(recipientOf(c)),
          by_rate: JSON.stringify(totals.byRate),
          net: totals.net,
          tax: totals.tax,
          total: totals.total,
          tax_rounding: settings.taxRounding,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await this.insertLines(tx, inv.id, c.customer_id, lines);
      if (charges.length > 0)
        await tx
          .updateTable("charges")
          .set({ invoice_id: inv.id })
          .where(
            "id",
            "in",
            charges.map((ch) => ch.id),
          )
          .execute();
      await tx.updateTable("sla_credits").set({ invoice_id: inv.id }).where("invoice_id", "=", id).execute();
      await appendAudit(tx, {
        actor,
        action: "billing.invoice.corrected",
        subjectType: "invoice",
        subjectId: inv.id,
        customerId: c.customer_id,
        after: { refersTo: orig.number ?? orig.id, reason, total: totals.total },
        article: "31(1)",
        at: this.clock.now(),
      });
      return inv.id;
    });
    return this.invoice(auth, newId);
  }

  /** A credit note (返還) against an issued invoice: negative lines referring to it. */
  async creditNote(
    auth: AuthContext,
    id: string,
    input: { reason: string; lines: { description: string; amount: number; taxCategory: TaxCategory }[] },
  ) {
    const actor = actorOf(auth);
    const newId = await this.db.transaction().execute(async (tx) => {
      const orig = await tx.selectFrom("invoices").selectAll().where("id", "=", id).executeTakeFirst();
      if (!orig) throw notFound("invoice");
      if (orig.status !== "issued")
        throw new AppError("conflict", "a credit note refers to an issued invoice");
      const settings = await this.settings(tx);
      const lines: ChargeLine[] = input.lines.map((l) => ({
        itemCode: null,
        description: l.description,
        kind: "credit",
        taxCategory: l.taxCategory,
        quantity: 1,
        unitPrice: -Math.abs(l.amount),
        amount: -Math.abs(l.amount),
        article: "31(1)",
        note: `Credit against invoice ${orig.number}: ${input.reason}`,
      }));
      const totals = totalsOf(lines, settings.taxRounding);
      const inv = await tx
        .insertInto("invoices")
        .values({
          contract_id: orig.contract_id,
          customer_id: orig.customer_id,
          month: orig.month,
          kind: "credit",
          refers_to: orig.id,
          due_date: orig.due_date,
          period_start: orig.period_start,
          period_end: orig.period_end,
          recipient: JSON.stringify(orig.recipient),
          by_rate: JSON.stringify(totals.byRate),
          net: totals.net,
          tax: totals.tax,
          total: totals.total,
          tax_rounding: settings.taxRounding,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await this.insertLines(tx, inv.id, orig.customer_id, lines);
      await appendAudit(tx, {
        actor,
        action: "billing.credit_note.created",
        subjectType: "invoice",
        subjectId: inv.id,
        customerId: orig.customer_id,
        after: { refersTo: orig.number, reason: input.reason, total: totals.total },
        article: "31(1)",
        at: this.clock.now(),
      });
      return inv.id;
    });
    return this.invoice(auth, newId);
  }

  private async insertLines(tx: Tx, invoiceId: string, customerId: string, lines: ChargeLine[]) {
    if (lines.length === 0) return;
    await tx
      .insertInto("invoice_lines")
      .values(
        lines.map((l, i) => ({
          invoice_id: invoiceId,
          customer_id: customerId,
          line_no: i + 1,
          item_code: l.itemCode,
          description: l.description,
          kind: l.kind,
          tax_category: l.taxCategory,
          quantity: l.quantity,
          unit_price: l.unitPrice,
          amount: l.amount,
          article: l.article,
          note: l.note,
        })),
      )
      .execute();
  }

  // ---- reading invoices ----------------------------------------------------------------------

  async invoices(
    auth: AuthContext,
    filter: {
      month?: IsoMonth;
      status?: string;
      contractId?: string;
      customerId?: string;
      number?: string;
      limit?: number;
      offset?: number;
    },
  ) {
    return this.scoped(auth, async (tx) => {
      let q = tx
        .selectFrom("invoices as i")
        .innerJoin("contracts as c", "c.id", "i.contract_id")
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
          "c.number as contract_number",
          sql<string>`i.recipient->>'name'`.as("recipient_name"),
        ]);
      if (filter.month) q = q.where("i.month", "=", filter.month);
      if (filter.status) q = q.where("i.status", "=", filter.status as "draft");
      if (filter.contractId) q = q.where("i.contract_id", "=", filter.contractId);
      if (filter.customerId) q = q.where("i.customer_id", "=", filter.customerId);
      if (filter.number) q = q.where("i.number", "=", filter.number);
      const rows = await q
        .orderBy("i.month", "desc")
        .orderBy("i.number")
        .limit(filter.limit ?? 100)
        .offset(filter.offset ?? 0)
        .execute();
      const today = this.today();
      return rows.map((r) => ({
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
      }));
    });
  }

  /** One invoice with its lines, payments and (when overdue or paid late) its late fee. */
  async invoice(auth: AuthContext, id: string) {
    return this.scoped(auth, (tx) => this.invoiceIn(tx, id));
  }

  private async invoiceIn(tx: Tx | Db, id: string) {
    const [one] = await this.invoicesIn(tx, [id]);
    if (!one) throw notFound("invoice");
    return one;
  }

  /** Invoices with their lines, payments and late fees: four queries for any number of ids. */
  private async invoicesIn(tx: Tx | Db, ids: string[]) {
    if (ids.length === 0) return [];
    const invs = await tx
      .selectFrom("invoices")
      .selectAll()
      .where(sql<boolean>`id = ANY(${ids}::uuid[])`)
      .execute();
    const referred = [...new Set(invs.flatMap((i) => (i.refers_to ? [i.refers_to] : [])))];
    const [lines, allocations, refers] = await Promise.all([
      tx
        .selectFrom("invoice_lines")
        .selectAll()
        .where(sql<boolean>`invoice_id = ANY(${ids}::uuid[])`)
        .orderBy("invoice_id")
        .orderBy("line_no")
        .execute(),
      tx
        .selectFrom("payment_allocations")
        .select(["invoice_id", "payment_id", "amount", "received_on"])
        .where(sql<boolean>`invoice_id = ANY(${ids}::uuid[])`)
        .orderBy("received_on")
        .execute(),
      referred.length
        ? tx
            .selectFrom("invoices")
            .select(["number", "id"])
            .where(sql<boolean>`id = ANY(${referred}::uuid[])`)
            .execute()
        : [],
    ]);
    const linesOf = groupBy(lines, "invoice_id");
    const allocationsOf = groupBy(allocations, "invoice_id");
    const refersOf = new Map(refers.map((r) => [r.id, r.number ?? r.id]));
    // Drafts carry no issuer yet: they show the current settings.
    const current = invs.some((i) => i.issuer === null)
      ? await this.settings(tx).then((s) => ({
          name: s.issuerName,
          registrationNumber: s.registrationNumber,
          address: s.issuerAddress,
          phone: s.issuerPhone ?? undefined,
          bankAccount: s.bankAccount ?? undefined,
        }))
      : null;
    const today = this.today();
    const byId = new Map(
      invs.map((inv) => {
        const ls = linesOf.get(inv.id) ?? [];
        const allocs = allocationsOf.get(inv.id) ?? [];
        const late =
          inv.status === "issued" && inv.kind !== "credit" && inv.total > 0
            ? invoiceLateFee({
                dueDate: inv.due_date,
                total: inv.total,
                payments: allocs.map((a) => ({ on: a.received_on, amount: a.amount })),
                asOf: inv.paid_on ?? today,
              })
            : null;
        const doc: InvoiceDocument = {
          number: inv.number,
          status: inv.status,
          kind: inv.kind,
          refersTo: inv.refers_to ? (refersOf.get(inv.refers_to) ?? null) : null,
          month: inv.month,
          issueDate: inv.issue_date,
          dueDate: inv.due_date,
          periodStart: inv.period_start,
          periodEnd: inv.period_end,
          issuer: (inv.issuer as InvoiceDocument["issuer"] | null) ?? current!,
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
        const detail = {
          id: inv.id,
          contractId: inv.contract_id,
          customerId: inv.customer_id,
          document: doc,
          paidAmount: inv.paid_amount,
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

  /** The month's documents for the CSV export (issued and void; drafts only when asked), 2,000 at a time. */
  async documents(month: IsoMonth, includeDrafts = false): Promise<InvoiceDocument[]> {
    let q = this.db.selectFrom("invoices").select("id").where("month", "=", month);
    if (!includeDrafts) q = q.where("status", "<>", "draft");
    const ids = (await q.orderBy("number").orderBy("id").execute()).map((r) => r.id);
    const out: InvoiceDocument[] = [];
    for (let i = 0; i < ids.length; i += 2000)
      for (const d of await this.invoicesIn(this.db, ids.slice(i, i + 2000))) out.push(d.document);
    return out;
  }

  async runs(limit = 20) {
    const rows = await this.db
      .selectFrom("billing_runs")
      .selectAll()
      .orderBy("started_at", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      month: r.month,
      status: r.status,
      contracts: r.contracts,
      created: r.created,
      skipped: r.skipped,
      error: r.error,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    }));
  }

  // ---- payments ------------------------------------------------------------------------------

  /**
   * Record a payment and allocate it: to the named invoice first, then to the customer's oldest
   * open invoices; what is left stays as the customer's credit balance (over-payment).
   */
  async recordPayment(
    actor: Actor,
    input: {
      customerId: string;
      receivedOn: IsoDate;
      amount: number;
      method: "bank_transfer" | "direct_debit" | "cash" | "other";
      reference?: string | null;
      payerName?: string | null;
      invoiceId?: string | null;
      importId?: string | null;
    },
    tx?: Tx,
  ) {
    const work = async (t: Tx) => {
      const customer = await t
        .selectFrom("customers")
        .select("id")
        .where("id", "=", input.customerId)
        .executeTakeFirst();
      if (!customer) throw notFound("customer");
      if (input.invoiceId) {
        const inv = await t
          .selectFrom("invoices")
          .select(["customer_id", "status"])
          .where("id", "=", input.invoiceId)
          .executeTakeFirst();
        if (!inv || inv.customer_id !== input.customerId) throw notFound("invoice");
        if (inv.status !== "issued")
          throw new AppError("conflict", `the invoice is ${inv.status}; payments go to issued invoices`);
      }
      const p = await t
        .insertInto("payments")
        .values({
          customer_id: input.customerId,
          received_on: input.receivedOn,
          amount: input.amount,
          unallocated: input.amount,
          method: input.method,
          reference: input.reference ?? null,
          payer_name: input.payerName ?? null,
          import_id: input.importId ?? null,
          created_by: actor.kind === "staff" ? actor.id : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await appendAudit(t, {
        actor,
        action: "billing.payment.recorded",
        subjectType: "payment",
        subjectId: p.id,
        customerId: input.customerId,
        after: input,
        article: "30(1)",
        at: this.clock.now(),
      });
      await this.allocateCustomers(
        t,
        actor,
        new Map([[input.customerId, [{ prefer: input.invoiceId ?? undefined, payment: p.id }]]]),
      );
      return p.id;
    };
    const id = tx ? await work(tx) : await this.db.transaction().execute(work);
    return this.payment(id, tx);
  }

  async payment(id: string, db: Db | Tx = this.db) {
    const p = await db.selectFrom("payments").selectAll().where("id", "=", id).executeTakeFirst();
    if (!p) throw notFound("payment");
    const allocations = await db
      .selectFrom("payment_allocations as a")
      .innerJoin("invoices as i", "i.id", "a.invoice_id")
      .select(["a.invoice_id", "a.amount", "i.number"])
      .where("a.payment_id", "=", id)
      .execute();
    return {
      id: p.id,
      customerId: p.customer_id,
      receivedOn: p.received_on,
      amount: p.amount,
      unallocated: p.unallocated,
      method: p.method,
      reference: p.reference,
      allocations: allocations.map((a) => ({ invoiceId: a.invoice_id, number: a.number, amount: a.amount })),
    };
  }

  async payments(auth: AuthContext, filter: { customerId?: string; limit?: number }) {
    return this.scoped(auth, async (tx) => {
      let q = tx.selectFrom("payments").select("id");
      if (filter.customerId) q = q.where("customer_id", "=", filter.customerId);
      const ids = await q
        .orderBy("received_on", "desc")
        .orderBy("created_at", "desc")
        .limit(filter.limit ?? 100)
        .execute();
      return Promise.all(ids.map((r) => this.payment(r.id, tx)));
    });
  }

  /**
   * Allocate each customer's unallocated money to its open invoices: the preferred invoice first,
   * then the oldest due; the oldest money first (Art. 30(1)). Customer by customer as a clerk would,
   * but read and written for all of them at once. Each customer's steps replay payments recorded
   * one after the other: at step k the money of the payments named in later steps is not there yet,
   * and step k's invoice (`prefer`) is served first — the same allocations as recording and
   * allocating each payment in turn. `incoming` payments are not written yet: they are inserted
   * here with what is left of them unallocated, so that a batch writes each payment once.
   */
  private async allocateCustomers(
    tx: Tx,
    actor: Actor,
    plan: Map<string, { prefer?: string | undefined; payment?: string }[]>,
    incoming: NewPayment[] = [],
  ) {
    const customers = [...plan.keys()];
    if (customers.length === 0) return;
    const stored = await tx
      .selectFrom("payments")
      .select(["id", "customer_id", "unallocated", "received_on"])
      .where(sql<boolean>`customer_id = ANY(${customers}::uuid[])`)
      .where("unallocated", ">", 0)
      .orderBy("customer_id")
      .orderBy("received_on")
      .orderBy("created_at")
      .forUpdate()
      .execute();
    const fresh = new Set(incoming.map((p) => p.id));
    const pays = [
      ...stored,
      ...incoming.map((p) => ({
        id: p.id,
        customer_id: p.customerId,
        unallocated: p.amount,
        received_on: p.receivedOn,
      })),
    ];
    if (pays.length === 0) return;
    const paying = [...new Set(pays.map((p) => p.customer_id))];
    const open = await tx
      .selectFrom("invoices")
      .select(["id", "customer_id", "total", "paid_amount"])
      .where(sql<boolean>`customer_id = ANY(${paying}::uuid[])`)
      .where("status", "=", "issued")
      .where(sql<boolean>`paid_amount < total`)
      .orderBy("customer_id")
      .orderBy("due_date")
      .orderBy("number")
      .forUpdate()
      .execute();
    const paysBy = groupBy(pays, "customer_id");
    const openBy = groupBy(open, "customer_id");
    const allocations = new Map<
      string,
      { payment_id: string; invoice_id: string; customer_id: string; amount: number; received_on: string }
    >();
    const changed = new Map<string, number>();
    const touched = new Set<string>();
    for (const customer of paying) {
      const steps = plan.get(customer) ?? [{}];
      // The step at which each payment arrives (money already there: -1); equal dates keep that order.
      const arrives = new Map<string, number>();
      for (const [k, st] of steps.entries()) if (st.payment) arrives.set(st.payment, k);
      const at = (p: { id: string }) => arrives.get(p.id) ?? -1;
      const ps = [...(paysBy.get(customer) ?? [])].sort((a, b) =>
        a.received_on === b.received_on ? at(a) - at(b) : a.received_on < b.received_on ? -1 : 1,
      );
      const invs = openBy.get(customer) ?? [];
      for (const [k, st] of steps.entries()) {
        const ordered = st.prefer
          ? [...invs.filter((i) => i.id === st.prefer), ...invs.filter((i) => i.id !== st.prefer)]
          : invs;
        for (const inv of ordered) {
          for (const p of ps) {
            if (inv.paid_amount >= inv.total) break;
            if (p.unallocated <= 0 || at(p) > k) continue;
            const amt = Math.min(inv.total - inv.paid_amount, p.unallocated);
            const key = `${p.id}|${inv.id}`;
            const a = allocations.get(key);
            if (a) a.amount += amt;
            else
              allocations.set(key, {
                payment_id: p.id,
                invoice_id: inv.id,
                customer_id: customer,
                amount: amt,
                received_on: p.received_on,
              });
            p.unallocated -= amt;
            changed.set(p.id, p.unallocated);
            inv.paid_amount += amt;
            touched.add(inv.id);
          }
        }
      }
    }
    if (incoming.length > 0) {
      const left = incoming.map((p) => changed.get(p.id) ?? p.amount);
      await sql`
        INSERT INTO payments (id, customer_id, received_on, amount, unallocated, method, reference, payer_name,
                              import_id, created_by)
        SELECT v.id, v.customer_id, v.received_on, v.amount, v.unallocated, v.method, v.reference, v.payer_name,
               v.import_id, ${actor.kind === "staff" ? actor.id : null}::uuid
        FROM unnest(${incoming.map((p) => p.id)}::uuid[], ${incoming.map((p) => p.customerId)}::uuid[],
                    ${incoming.map((p) => p.receivedOn)}::date[], ${incoming.map((p) => p.amount)}::bigint[],
                    ${left}::bigint[], ${incoming.map((p) => p.method)}::text[],
                    ${incoming.map((p) => p.reference ?? null)}::text[],
                    ${incoming.map((p) => p.payerName ?? null)}::text[],
                    ${incoming.map((p) => p.importId ?? null)}::uuid[])
             AS v(id, customer_id, received_on, amount, unallocated, method, reference, payer_name, import_id)`.execute(
        tx,
      );
      for (const id of fresh) changed.delete(id);
    }
    if (allocations.size === 0) return;
    const rows = [...allocations.values()];
    await sql`
      INSERT INTO payment_allocations (payment_id, invoice_id, customer_id, amount, received_on)
      SELECT * FROM unnest(${rows.map((r) => r.payment_id)}::uuid[], ${rows.map((r) => r.invoice_id)}::uuid[],
                           ${rows.map((r) => r.customer_id)}::uuid[], ${rows.map((r) => r.amount)}::bigint[],
                           ${rows.map((r) => r.received_on)}::date[])
      ON CONFLICT (payment_id, invoice_id)
        DO UPDATE SET amount = payment_allocations.amount + EXCLUDED.amount`.execute(tx);
    if (changed.size > 0)
      await sql`
        UPDATE payments p SET unallocated = u.unallocated
        FROM unnest(${[...changed.keys()]}::uuid[], ${[...changed.values()]}::bigint[]) AS u(id, unallocated)
        WHERE p.id = u.id`.execute(tx);
    await this.afterPaid(tx, actor, [...touched]);
  }

  /**
   * Invoices that received money: record what is paid and, once settled, the day; bill the late fee
   * of a late settlement on a later invoice (Art. 33); clear a suspension candidacy (Art. 21(1)).
   */
  private async afterPaid(tx: Tx, actor: Actor, invoiceIds: string[]) {
    if (invoiceIds.length === 0) return;
    const invs = await tx
      .selectFrom("invoices")
      .select(["id", "number", "contract_id", "customer_id", "total", "due_date", "late_fee_charged"])
      .where(sql<boolean>`id = ANY(${invoiceIds}::uuid[])`)
      .execute();
    const allocationsBy = groupBy(
      await tx
        .selectFrom("payment_allocations")
        .select(["invoice_id", "amount", "received_on"])
        .where(sql<boolean>`invoice_id = ANY(${invoiceIds}::uuid[])`)
        .orderBy("received_on")
        .execute(),
      "invoice_id",
    );
    const paid: { id: string; amount: number; on: string | null; settled: boolean }[] = [];
    const settledNow: { inv: (typeof invs)[number]; lastPayment: string | null }[] = [];
    for (const inv of invs) {
      const allocations = allocationsBy.get(inv.id) ?? [];
      const paidAmount = allocations.reduce((s, a) => s + a.amount, 0);
      const settled = paidAmount >= inv.total;
      const lastPayment = allocations[allocations.length - 1]?.received_on ?? null;
      paid.push({ id: inv.id, amount: paidAmount, on: settled ? lastPayment : null, settled });
      if (settled && !inv.late_fee_charged) settledNow.push({ inv, lastPayment });
    }
    // One write per invoice: what is paid, when it was settled, and that its late fee (below, if
    // any) is now charged.
    await sql`
      UPDATE invoices i SET paid_amount = u.amount, paid_on = u.paid_on,
                            late_fee_charged = i.late_fee_charged OR u.settled
      FROM unnest(${paid.map((p) => p.id)}::uuid[], ${paid.map((p) => p.amount)}::bigint[],
                  ${paid.map((p) => p.on)}::date[], ${paid.map((p) => p.settled)}::boolean[])
           AS u(id, amount, paid_on, settled)
      WHERE i.id = u.id`.execute(tx);
    if (settledNow.length === 0) return;
    const charges = [];
    const audits = [];
    for (const { inv, lastPayment } of settledNow) {
      const fee = invoiceLateFee({
        dueDate: inv.due_date,
        total: inv.total,
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
        tax_category: "out-of-scope" as const,
        unit_price: fee.result.fee,
        amount: fee.result.fee,
        article: "33",
        note: fee.basis.map((b) => b.text).join(" "),
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
        at: this.clock.now(),
      });
    }
    for (let i = 0; i < charges.length; i += 1000)
      await tx
        .insertInto("charges")
        .values(charges.slice(i, i + 1000))
        .onConflict((oc) => oc.column("source_key").doNothing())
        .execute();
    await appendAuditMany(tx, audits);
    // Only a contract that is a candidate can stop being one.
    const candidates = await tx
      .selectFrom("contracts")
      .select("id")
      .where(sql<boolean>`id = ANY(${[...new Set(settledNow.map((x) => x.inv.contract_id))]}::uuid[])`)
      .where("suspension_candidate", "is not", null)
      .orderBy("id")
      .execute();
    for (const c of candidates) await this.refreshCandidate(tx, actor, c.id);
  }

  // ---- overdue, suspension candidates (Art. 21(1)(1)(2)) -------------------------------------

  async overdue(asOf: IsoDate = this.today()) {
    const rows = await this.db
      .selectFrom("invoices as i")
      .innerJoin("contracts as c", "c.id", "i.contract_id")
      .select([
        "i.id",
        "i.number",
        "i.month",
        "i.due_date",
        "i.total",
        "i.paid_amount",
        "i.contract_id",
        "i.customer_id",
        "c.number as contract_number",
        "c.suspension_candidate",
        sql<string>`i.recipient->>'name'`.as("recipient_name"),
      ])
      .where(overdueSql("i", asOf))
      .orderBy("i.due_date")
      .limit(1000)
      .execute();
    const ids = rows.map((r) => r.id);
    const allocations = ids.length
      ? await this.db
          .selectFrom("payment_allocations")
          .select(["invoice_id", "amount", "received_on"])
          .where("invoice_id", "in", ids)
          .execute()
      : [];
    const paidTo = groupBy(allocations, "invoice_id");
    return rows.map((r) => {
      const fee = invoiceLateFee({
        dueDate: r.due_date,
        total: r.total,
        payments: (paidTo.get(r.id) ?? []).map((a) => ({ on: a.received_on, amount: a.amount })),
        asOf,
      });
      return {
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
        suspensionCandidate: r.suspension_candidate,
        lateFee: fee,
      };
    });
  }

  /** Daily: contracts with invoices unpaid past their due date become suspension candidates (Art. 21(1)(1)). */
  async markOverdue(today: IsoDate = this.today()): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const rows = await sql<{ id: string; customer_id: string; status: string }>`
        UPDATE contracts c SET suspension_candidate = 'unpaid_fees', updated_at = now()
        WHERE c.suspension_candidate IS NULL AND EXISTS (
          SELECT 1 FROM invoices i WHERE i.contract_id = c.id AND ${overdueSql("i", today)})
        RETURNING c.id, c.customer_id, c.status`.execute(tx);
      for (const c of rows.rows)
        await recordContractEvent(tx, this.clock.now(), c, systemActor, {
          type: "suspension_candidate",
          reasonCode: "unpaid_fees",
          article: "21(1)(1)",
          businessDate: today,
        });
      return rows.rows.length;
    });
  }

  /** Clear the flag once nothing is overdue and no direct debit failure is outstanding. */
  private async refreshCandidate(tx: Tx, actor: Actor, contractId: string) {
    const c = await tx
      .selectFrom("contracts")
      .select(["id", "customer_id", "status", "suspension_candidate"])
      .where("id", "=", contractId)
      .executeTakeFirstOrThrow();
    if (!c.suspension_candidate) return;
    const open = await tx
      .selectFrom("invoices")
      .select("id")
      .where("contract_id", "=", contractId)
      .where(overdueSql("invoices", this.today()))
      .executeTakeFirst();
    if (open) return;
    await tx
      .updateTable("contracts")
      .set({ suspension_candidate: null })
      .where("id", "=", contractId)
      .execute();
    await recordContractEvent(tx, this.clock.now(), c, actor, {
      type: "suspension_candidate_cleared",
      article: "21(1)",
      businessDate: this.today(),
    });
  }

  /**
   * Payments of a debit result file, recorded as `recordPayment` records each one (a payment, its
   * audit entry, allocated to its invoice first), but written together: a bank's answer for
   * thousands of customers is a handful of statements. A customer debited for several invoices in
   * one file is recorded one payment after another, in the file's order, exactly as by hand.
   */
  private async recordDebits(
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
        at: this.clock.now(),
      })),
    );
    // A customer debited for several invoices in one file: its payments arrive in record order.
    const plan = new Map<string, { prefer: string; payment: string }[]>();
    for (const p of incoming) {
      const steps = plan.get(p.customerId) ?? [];
      steps.push({ prefer: p.invoiceId, payment: p.id });
      plan.set(p.customerId, steps);
    }
    await this.allocateCustomers(tx, actor, plan, incoming);
  }

  // ---- direct debit results (全銀 口座振替結果) ----------------------------------------------

  /**
   * Import a direct-debit result file: paid records become payments allocated to their invoice
   * (the 顧客番号 carries the invoice number's digits); failed ones are recorded and make the
   * contract a suspension candidate (Art. 21(1)(2)). The same file twice is refused.
   */
  async importDebitResult(
    auth: AuthContext,
    file: { bytes: Uint8Array; name?: string | null; year?: number },
    parse: Parameters<BillingService["importDebitResultAs"]>[2],
  ) {
    return this.importDebitResultAs(actorOf(auth), file, parse);
  }

  async importDebitResultAs(
    actor: Actor,
    file: { bytes: Uint8Array; name?: string | null; year?: number },
    parse: (bytes: Uint8Array) => {
      kind: "request" | "result";
      header: { debitDate: string };
      records: {
        record: number;
        amount: number;
        customerNumber: string;
        result: "paid" | "failed";
        resultCode: string;
        resultText: string;
      }[];
    },
  ) {
    const parsed = parse(file.bytes);
    if (parsed.kind === "request")
      throw new AppError(
        "validation_failed",
        "this is a request file (振替依頼データ, no results in its trailer), not the bank's result file (振替結果データ)",
        { details: { file: ["request_not_result"] } },
      );
    const sha = createHash("sha256").update(file.bytes).digest();
    const today = this.today();
    const mmdd = parsed.header.debitDate;
    let year = file.year ?? Number(today.slice(0, 4));
    // MMDD without a year: the nearest such date not after about a month from today.
    if (
      !file.year &&
      `${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}` > lastDayOfMonth(addMonthsToMonth(monthOf(today), 1))
    )
      year -= 1;
    // 0229 in a year without it, 0431 …: a header the bank cannot have written.
    const debitDate = parseDate(`${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2, 4)}`, "引落日 (debit date)");
    return this.db.transaction().execute(async (tx) => {
      const dup = await tx
        .selectFrom("payment_imports")
        .select("id")
        .where("sha256", "=", sha)
        .executeTakeFirst();
      if (dup)
        throw new AppError("conflict", "this result file was already imported", {
          details: { importId: dup.id },
        });
      const imp = await tx
        .insertInto("payment_imports")
        .values({
          kind: "zengin-debit-result",
          file_name: file.name ?? null,
          sha256: sha,
          debit_date: debitDate,
          records: parsed.records.length,
          paid: 0,
          failed: 0,
          unmatched: 0,
          created_by: actor.kind === "staff" ? actor.id : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const results: {
        record: number;
        customerNumber: string;
        amount: number;
        outcome: string;
        invoiceNumber: string | null;
      }[] = [];
      let paid = 0;
      let failed = 0;
      let unmatched = 0;
      // The debit request carried each invoice number's digits as the customer number (顧客番号):
      // look every record's invoice up at once, through the index on those digits.
      const wanted = [
        ...new Set(parsed.records.map((r) => r.customerNumber.replace(/^0+/, "")).filter((d) => d !== "")),
      ];
      const found = wanted.length
        ? await tx
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
            .where(
              sql<boolean>`ltrim(regexp_replace(number, '[^0-9]', '', 'g'), '0') = ANY(${wanted}::text[])`,
            )
            .where("status", "=", "issued")
            .execute()
        : [];
      const byDigits = new Map(found.map((i) => [i.digits, i]));
      type Matched = (typeof found)[number];
      const debited: { r: (typeof parsed.records)[number]; inv: Matched }[] = [];
      const bounced: { r: (typeof parsed.records)[number]; inv: Matched }[] = [];
      for (const r of parsed.records) {
        const inv = byDigits.get(r.customerNumber.replace(/^0+/, ""));
        if (inv) (r.result === "paid" ? debited : bounced).push({ r, inv });
        else unmatched++;
        results.push({
          record: r.record,
          customerNumber: r.customerNumber,
          amount: r.amount,
          outcome: !inv ? "unmatched" : r.result === "paid" ? "paid" : `failed: ${r.resultText}`,
          invoiceNumber: inv?.number ?? null,
        });
      }
      paid = debited.length;
      failed = bounced.length;
      await this.recordDebits(
        tx,
        actor,
        debited.map(({ r, inv }) => ({
          customerId: inv.customer_id,
          receivedOn: debitDate,
          amount: r.amount,
          method: "direct_debit" as const,
          reference: `${inv.number} (${file.name ?? "zengin"} #${r.record})`,
          invoiceId: inv.id,
          importId: imp.id,
        })),
      );
      // Failures after the payments: a contract with one invoice debited and another bounced in the
      // same file stays a candidate (Art. 21(1)(2)).
      if (bounced.length > 0) {
        const failures = bounced.map(({ r, inv }) => ({
          import_id: imp.id,
          invoice_id: inv.id,
          contract_id: inv.contract_id,
          customer_id: inv.customer_id,
          customer_number: r.customerNumber,
          amount: r.amount,
          result_code: r.resultCode,
          result_text: r.resultText,
        }));
        for (let i = 0; i < failures.length; i += 1000)
          await tx
            .insertInto("debit_failures")
            .values(failures.slice(i, i + 1000))
            .execute();
        const contracts = await tx
          .updateTable("contracts")
          .set({ suspension_candidate: "direct_debit_failed", updated_at: this.clock.now() })
          .where(sql<boolean>`id = ANY(${[...new Set(bounced.map((b) => b.inv.contract_id))]}::uuid[])`)
          .returning(["id", "customer_id", "status"])
          .execute();
        const byId = new Map(contracts.map((c) => [c.id, c]));
        await recordContractEvents(
          tx,
          this.clock.now(),
          actor,
          bounced.map(({ r, inv }) => ({
            c: byId.get(inv.contract_id)!,
            e: {
              type: "direct_debit_failed",
              reasonCode: "direct_debit_failed",
              article: "21(1)(2)",
              businessDate: debitDate,
              details: { invoice: inv.number, resultCode: r.resultCode, resultText: r.resultText },
            },
          })),
        );
      }
      await tx
        .updateTable("payment_imports")
        .set({ paid, failed, unmatched })
        .where("id", "=", imp.id)
        .execute();
      // The request this file answers (same debit date) is no longer awaiting its result: its
      // invoices that stay unpaid can be asked for again (再振替).
      const answered = await tx
        .updateTable("debit_requests")
        .set({ result_import_id: imp.id })
        .where("debit_date", "=", debitDate)
        .where("result_import_id", "is", null)
        .returning("id")
        .executeTakeFirst();
      await appendAudit(tx, {
        actor,
        action: "billing.debit_result.imported",
        subjectType: "payment_import",
        subjectId: imp.id,
        after: {
          file: file.name,
          debitDate,
          request: answered?.id ?? null,
          records: parsed.records.length,
          paid,
          failed,
          unmatched,
        },
        article: "21(1)(2)",
        at: this.clock.now(),
      });
      return {
        importId: imp.id,
        debitDate,
        requestId: answered?.id ?? null,
        records: parsed.records.length,
        paid,
        failed,
        unmatched,
        results,
      };
    });
  }

  // ---- one-off charges: usage, work, special fees ---------------------------------------------

  async addCharge(
    actor: Actor,
    contractId: string,
    input: {
      month: IsoMonth;
      kind: "usage" | "other" | "special-fee";
      itemCode?: string | null;
      description: string;
      taxCategory: TaxCategory;
      quantity?: number;
      unitPrice: number;
      article: string;
      note: string;
      sourceKey?: string | null;
      details?: unknown;
    },
    tx?: Tx,
  ) {
    const work = async (t: Tx) => {
      const c = await t
        .selectFrom("contracts")
        .select(["id", "customer_id"])
        .where("id", "=", contractId)
        .executeTakeFirst();
      if (!c) throw notFound("contract");
      const quantity = input.quantity ?? 1;
      const row = await t
        .insertInto("charges")
        .values({
          contract_id: c.id,
          customer_id: c.customer_id,
          month: input.month,
          kind: input.kind,
          item_code: input.itemCode ?? null,
          description: input.description,
          tax_category: input.taxCategory,
          quantity,
          unit_price: input.unitPrice,
          amount: quantity * input.unitPrice,
          article: input.article,
          note: input.note,
          source_key: input.sourceKey ?? null,
          details: input.details === undefined ? null : JSON.stringify(input.details),
          created_by: actor.kind === "staff" ? actor.id : null,
        })
        .returning(["id", "amount"])
        .executeTakeFirstOrThrow();
      await appendAudit(t, {
        actor,
        action: `billing.charge.${input.kind}`,
        subjectType: "contract",
        subjectId: c.id,
        customerId: c.customer_id,
        after: { ...input, amount: row.amount },
        article: input.article,
        at: this.clock.now(),
      });
      return row;
    };
    return tx ? work(tx) : this.db.transaction().execute(work);
  }

  /** 特別利用料金 (Art. 32): twice the evaded fees, billed on the next invoice (with the evaded fees when asked). */
  async addSpecialFee(
    auth: AuthContext,
    contractId: string,
    input: { evaded: number; month?: IsoMonth; note: string; includeEvaded: boolean },
  ) {
    const fee = specialFee(input.evaded);
    const month = input.month ?? monthOf(this.today());
    const actor = actorOf(auth);
    return this.db.transaction().execute(async (tx) => {
      if (input.includeEvaded)
        await this.addCharge(
          actor,
          contractId,
          {
            month,
            kind: "other",
            description: "不正に免れた料金等",
            taxCategory: "10",
            unitPrice: input.evaded,
            article: "32",
            note: `Fees evaded: ${input.note}`,
          },
          tx,
        );
      const row = await this.addCharge(
        actor,
        contractId,
        {
          month,
          kind: "special-fee",
          description: "特別利用料金 (免れた料金の2倍)",
          taxCategory: "out-of-scope",
          unitPrice: fee.result.specialFee,
          article: "32",
          note: fee.basis.map((b) => b.text).join(" "),
          details: { ...fee.result, note: input.note },
        },
        tx,
      );
      return { chargeId: row.id, ...fee };
    });
  }

  /** A contract's one-off charges (usage, work, special fees, late fees, credits), newest first. */
  async pendingCharges(auth: AuthContext, contractId: string) {
    const rows = await this.scoped(auth, (tx) =>
      tx
        .selectFrom("charges")
        .selectAll()
        .where("contract_id", "=", contractId)
        .orderBy("created_at", "desc")
        .limit(200)
        .execute(),
    );
    return rows.map((r) => ({
      id: r.id,
      month: r.month,
      ...lineOf(r),
      invoiceId: r.invoice_id,
      createdAt: r.created_at,
    }));
  }

  // ---- unavailability and SLA (Art. 30(4), 36), damages cap (Art. 39) --------------------------

  async addUnavailability(
    auth: AuthContext,
    contractId: string,
    input: {
      startedAt: string;
      endedAt: string;
      attribution: "provider" | "customer" | "carrier" | "cloud";
      cause: "emergency_stop" | "interruption" | "abolition" | "failure";
      note?: string;
    },
  ) {
    const start = new Date(input.startedAt);
    const end = new Date(input.endedAt);
    if (!(end > start))
      throw new AppError("validation_failed", "restoration must come after awareness", {
        article: "30(4)",
        details: { endedAt: ["before_start"] },
      });
    if (end > this.clock.now())
      throw new AppError(
        "validation_failed",
        "an unavailability period is recorded once restored (its end is in the future)",
        {
          article: "30(4)",
          details: { endedAt: ["future"] },
        },
      );
    return this.db.transaction().execute(async (tx) => {
      const c = await tx
        .selectFrom("contracts")
        .select(["id", "customer_id"])
        .where("id", "=", contractId)
        .executeTakeFirst();
      if (!c) throw notFound("contract");
      const row = await tx
        .insertInto("unavailability_periods")
        .values({
          contract_id: c.id,
          customer_id: c.customer_id,
          started_at: start,
          ended_at: end,
          attribution: input.attribution,
          cause: input.cause,
          note: input.note ?? null,
          created_by: auth.user.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        actor: actorOf(auth),
        action: "billing.unavailability.recorded",
        subjectType: "contract",
        subjectId: c.id,
        customerId: c.customer_id,
        after: input,
        article: "30(4)",
        at: this.clock.now(),
      });
      return { id: row.id };
    });
  }

  /** The contract's billing view: periods, SLA per month, credits given, damages cap, pending charges. */
  async contractBilling(auth: AuthContext, contractId: string, month?: IsoMonth) {
    return this.scoped(auth, async (tx) => {
      const { c, cc, cancelled } = await loadContractCharges(tx, contractId, await PriceBook.load(tx));
      const m = month ?? monthOf(this.today());
      const periods = await tx
        .selectFrom("unavailability_periods")
        .selectAll()
        .where("contract_id", "=", c.id)
        .orderBy("started_at", "desc")
        .limit(200)
        .execute();
      const credits = await tx
        .selectFrom("sla_credits")
        .selectAll()
        .where("contract_id", "=", c.id)
        .orderBy("month")
        .execute();
      const fee = monthlyFeeOf(cc, m);
      const sla = slaCredit({
        monthlyFee: fee,
        month: m,
        outages: periods.map((p) => ({
          start: p.started_at.toISOString(),
          end: p.ended_at.toISOString(),
          attribution: p.attribution,
        })),
      });
      return {
        month: m,
        charges: chargesForMonth(cc, m),
        monthlyFee: fee,
        damagesCap: damagesCap(fee),
        sla,
        periods: periods.map((p) => ({
          id: p.id,
          startedAt: p.started_at.toISOString(),
          endedAt: p.ended_at.toISOString(),
          attribution: p.attribution,
          cause: p.cause,
          note: p.note,
        })),
        credits: credits.map((x) => ({
          month: x.month,
          hours: Number(x.hours),
          percentage: x.percentage,
          credit: x.credit,
          invoiceId: x.invoice_id,
        })),
        cancelledOptions: cancelled.map((x) => ({ option: x.option, receivedOn: x.received_on })),
      };
    });
  }

  /**
   * A late start (Art. 36(2)(3)): the agreed start date was missed. For the provider's reasons the
   * contract's service period grows by the days lost (its service runs that much past the end of a
   * cancellation); nothing is refunded. Recorded once per contract, with a timeline event.
   */
  async recordLateStart(
    auth: AuthContext,
    contractId: string,
    input: { plannedOn: IsoDate; startedOn: IsoDate; attribution: "provider" | "carrier"; note?: string },
  ) {
    const actor = actorOf(auth);
    const ext = lateStartExtension(input);
    if (compareDates(input.startedOn, this.today()) > 0)
      throw new AppError("validation_failed", `startedOn ${input.startedOn} is in the future`, {
        article: "36(2)",
      });
    return this.db.transaction().execute(async (tx) => {
      const c = await tx
        .selectFrom("contracts")
        .select(["id", "customer_id", "status", "start_date", "extension_days"])
        .where("id", "=", contractId)
        .forUpdate()
        .executeTakeFirst();
      if (!c) throw notFound("contract");
      if (c.status === "terminated" || c.status === "data_deleted")
        throw new AppError("conflict", "the contract has ended", { article: "36(2)" });
      if (compareDates(input.plannedOn, c.start_date) < 0)
        throw new AppError(
          "validation_failed",
          `the planned start is agreed after the contract is established (${c.start_date}); ${input.plannedOn} is before it`,
          { article: "36(2)" },
        );
      const earlier = await tx
        .selectFrom("contract_events")
        .select("id")
        .where("contract_id", "=", c.id)
        .where("type", "=", "late_start")
        .executeTakeFirst();
      if (earlier)
        throw new AppError("conflict", "a late start is already recorded for this contract", {
          article: "36(2)",
        });
      const extensionDays = c.extension_days + ext.result.days;
      await tx
        .updateTable("contracts")
        .set({ extension_days: extensionDays })
        .where("id", "=", c.id)
        .execute();
      await recordContractEvent(tx, this.clock.now(), c, actor, {
        type: "late_start",
        reasonCode: input.attribution,
        article: ext.result.days > 0 ? "36(2)" : "36(3)",
        businessDate: input.startedOn,
        details: { ...ext.result, attribution: input.attribution, note: input.note ?? null },
      });
      return { result: { ...ext.result, extensionDays }, basis: ext.basis };
    });
  }

  /** Cancel an option (Art. 11): its fee stops from the notice's arrival; nothing is refunded. */
  async cancelOption(auth: AuthContext, contractId: string, option: string, receivedOn?: IsoDate) {
    const actor = actorOf(auth);
    const received = auth.user.kind === "customer" ? this.today() : (receivedOn ?? this.today());
    return this.scoped(auth, async (tx) => {
      const c = await tx
        .selectFrom("contracts")
        .select(["id", "customer_id", "status", "options"])
        .where("id", "=", contractId)
        .forUpdate()
        .executeTakeFirst();
      if (!c) throw notFound("contract");
      if (!c.options.includes(option))
        throw new AppError("conflict", `the contract has no option "${option}"`, { article: "11" });
      if (!["active", "suspended"].includes(c.status))
        throw new AppError("conflict", `options of a ${c.status} contract cannot be cancelled`, {
          article: "11",
        });
      await tx
        .updateTable("contracts")
        .set({ options: c.options.filter((o) => o !== option), updated_at: this.clock.now() })
        .where("id", "=", c.id)
        .execute();
      await tx
        .insertInto("option_cancellations")
        .values({
          contract_id: c.id,
          customer_id: c.customer_id,
          option,
          received_on: received,
          created_by: auth.user.id,
        })
        .execute();
      await recordContractEvent(tx, this.clock.now(), c, actor, {
        type: "option_cancelled",
        reasonCode: option,
        article: "11",
        businessDate: received,
        details: { option, receivedOn: received, optionsBefore: c.options },
      });
      return {
        option,
        receivedOn: received,
        basis: [
          {
            article: "11",
            text: `The option's fee stops from the arrival of the notice (${received}); fees already paid are not refunded. Its last charged month is the one in which it was in effect on any day.`,
          },
        ],
      };
    });
  }

  // ---- cloud accounts (usage pass-through) ------------------------------------------------------

  async linkCloudAccount(
    auth: AuthContext,
    contractId: string,
    input: { provider: string; accountId: string },
  ) {
    return this.db.transaction().execute(async (tx) => {
      const c = await tx
        .selectFrom("contracts")
        .select(["id", "customer_id"])
        .where("id", "=", contractId)
        .executeTakeFirst();
      if (!c) throw notFound("contract");
      const taken = await tx
        .selectFrom("cloud_accounts")
        .select("contract_id")
        .where("provider", "=", input.provider)
        .where("account_id", "=", input.accountId)
        .executeTakeFirst();
      if (taken)
        throw new AppError(
          "conflict",
          `${input.provider} account ${input.accountId} is already linked to a contract`,
        );
      await tx
        .insertInto("cloud_accounts")
        .values({
          provider: input.provider,
          account_id: input.accountId,
          contract_id: c.id,
          customer_id: c.customer_id,
        })
        .execute();
      await appendAudit(tx, {
        actor: actorOf(auth),
        action: "billing.cloud_account.linked",
        subjectType: "contract",
        subjectId: c.id,
        customerId: c.customer_id,
        after: input,
        article: "29(1)",
        at: this.clock.now(),
      });
      return { contractId: c.id, ...input };
    });
  }

  async cloudAccounts(contractId: string) {
    const rows = await this.db
      .selectFrom("cloud_accounts")
      .selectAll()
      .where("contract_id", "=", contractId)
      .execute();
    return rows.map((r) => ({ provider: r.provider, accountId: r.account_id }));
  }
}

class RetryBatch extends Error {}
