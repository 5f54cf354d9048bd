/**
 * The monthly billing run (Art. 12(2), 29, 31): one regular invoice (a draft) per contract that owes
 * something for the month, exactly once — the unique index (contract, month) refuses a second, so a
 * re-run, two runs at once, or a run resumed after its process died never bill twice.
 *
 * Asked for from the console, a run is queued (`billing.run` job) and reports its progress; the CLI
 * runs it in its own process. A run whose process dies keeps its row `running` with an old heartbeat:
 * `recoverRuns` (job `billing.recover-runs`) puts it back on the queue, and the next attempt
 * completes it; after three attempts it is marked failed.
 */

import { randomUUID } from "node:crypto";
import { type Actor, appendAudit, systemActor } from "../audit/service.ts";
import { billingFactsAfter, countContracts } from "../contracts/store.ts";
import { type IsoMonth, lastDayOfMonth } from "../core/dates.ts";
import type { Deps } from "../core/deps.ts";
import { notFound } from "../core/errors.ts";
import { groupBy } from "../core/group.ts";
import type { IdSet } from "../db/id-set.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type BillableContract, recipientOf, recurringFacts, withRecipients } from "./contract-facts.ts";
import { issueMonth } from "./issue.ts";
import { lineOf } from "./lines.ts";
import { PriceBook } from "./price-book.ts";
import { referencesIn } from "./rules/sla.ts";
import { chargesForMonth, dueDate, invoiceTax, monthlyFeeOf, slaCreditsOwed } from "./rules.ts";
import type { RunView } from "./schemas.ts";
import { type BillingSettings, billingSettings } from "./settings.ts";
import { claimCharges, pendingCharges } from "./store/charges.ts";
import {
  addProgress,
  type DraftInvoice,
  insertRun,
  invoicedIn,
  invoicesOfRun,
  recentRuns,
  runById,
  staleRuns,
  updateRun,
  writeInvoices,
} from "./store/runs.ts";
import { creditsOf, insertCredits, periodsBefore } from "./store/sla.ts";
import type { ChargeLine } from "./types.ts";

export const RUN_JOB = "billing.run";
/** A run not heard of for this long has lost its process. */
export const RUN_STALE_SECONDS = 120;
const MAX_ATTEMPTS = 3;

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

export function presentRun(r: NonNullable<Awaited<ReturnType<typeof runById>>>): RunView {
  return {
    id: r.id,
    month: r.month,
    status: r.status,
    issue: r.issue,
    contracts: r.contracts,
    created: r.created,
    skipped: r.skipped,
    issued: r.issued,
    scanned: r.scanned,
    total: r.total,
    attempts: r.attempts,
    error: r.error,
    startedAt: r.started_at.toISOString(),
    heartbeatAt: r.heartbeat_at ? new Date(r.heartbeat_at).toISOString() : null,
    finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
  };
}

/** Queue a run (the console): the run row and its job are written together. */
export async function requestRun(
  deps: Deps,
  actor: Actor,
  month: IsoMonth,
  issue: boolean,
): Promise<RunView> {
  return deps.db.transaction().execute(async (tx) => {
    const run = await insertRun(tx, {
      month,
      issue,
      status: "queued",
      created_by: actor.kind === "staff" ? actor.id : null,
      started_at: deps.clock.now(),
    });
    await deps.queue.enqueue(tx, RUN_JOB, { runId: run.id, actor });
    return presentRun(run);
  });
}

export async function getRun(deps: Pick<Deps, "db">, id: string): Promise<RunView> {
  const r = await runById(deps.db, id);
  if (!r) throw notFound("billing run");
  return presentRun(r);
}

export async function listRuns(deps: Pick<Deps, "db">, page: PageRequest = {}): Promise<Page<RunView>> {
  return mapPage(recentRuns(deps.db, page), presentRun);
}

/** Make the month's invoices here and now (the CLI, tests, the demo data), with progress. */
export async function runBilling(
  deps: Pick<Deps, "db" | "clock">,
  month: IsoMonth,
  opts: { actor?: Actor; batchSize?: number; issue?: boolean; onProgress?: (p: RunProgress) => void } = {},
): Promise<RunResult> {
  const actor = opts.actor ?? systemActor;
  const run = await insertRun(deps.db, {
    month,
    issue: opts.issue ?? false,
    status: "running",
    created_by: actor.kind === "staff" ? actor.id : null,
    started_at: deps.clock.now(),
  });
  return executeRun(deps, run.id, { ...opts, actor });
}

/**
 * Do (or finish) a run: walk every contract by primary key in batches, let the rules decide what each
 * owes, write the batch's invoices. Two batches are in flight, so that computing one overlaps writing
 * the other. Counts add up across attempts.
 */
export async function executeRun(
  deps: Pick<Deps, "db" | "clock">,
  runId: string,
  opts: { actor?: Actor; batchSize?: number; onProgress?: (p: RunProgress) => void } = {},
): Promise<RunResult> {
  const actor = opts.actor ?? systemActor;
  const batchSize = opts.batchSize ?? 1000;
  const run = await runById(deps.db, runId);
  if (!run) throw notFound("billing run");
  if (run.status === "done" || run.status === "failed") return resultOf(run);
  const month = run.month;
  const settings = await billingSettings(deps.db);
  const book = await PriceBook.load(deps.db);
  const total = await countContracts(deps.db);
  await updateRun(deps.db, runId, {
    status: "running",
    total,
    attempts: run.attempts + 1,
    heartbeat_at: deps.clock.now(),
    error: null,
  });
  let created = 0;
  let owing = 0;
  let scanned = 0;
  // Walk the contracts by primary key: the next batch's billing facts, then which of them already
  // have the month's invoice (a re-run stops there), then — in parallel — the recipients and what
  // else the rules need of those still open. The batch is a key range, so the queries select by
  // range rather than by a list of 1,000 ids.
  const fetchBatch = async (after: string) => {
    const batch = await billingFactsAfter(deps.db, after, batchSize);
    if (batch.length === 0) return null;
    const range = { after, through: batch[batch.length - 1]!.id };
    const invoiced = await invoicedIn(deps.db, range, month);
    const open = invoiced.size === 0 ? batch : batch.filter((c) => !invoiced.has(c.id));
    const next = { last: range.through, scanned: batch.length };
    if (open.length === 0) return { ...next, rows: [], facts: null };
    const [rows, facts] = await Promise.all([
      withRecipients(deps.db, open),
      batchFacts(deps, open === batch ? range : open.map((c) => c.id), month),
    ]);
    return { ...next, rows, facts };
  };
  const billWithRetry = async (
    batch: BillableContract[],
    facts: BatchFacts | null,
    batchScanned: number,
  ): Promise<{ owing: number; made: number; recorded: true } | { owing: 0; made: 0; recorded: false }> => {
    for (let attempt = 0; ; attempt++) {
      try {
        if (batch.length === 0) return { owing: 0, made: 0, recorded: false };
        // The first attempt uses the facts read ahead with the batch; a retry reads them afresh.
        const f =
          attempt === 0 && facts
            ? facts
            : await batchFacts(
                deps,
                batch.map((c) => c.id),
                month,
              );
        return await billBatch(deps, batch, f, {
          month,
          settings,
          book,
          runId,
          actor,
          scanned: batchScanned,
        });
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
  let unrecorded = 0;
  let recordedAt = performance.now();
  const recordScanned = async (now: boolean) => {
    if (unrecorded === 0 || (!now && performance.now() - recordedAt < 1000)) return;
    const n = unrecorded;
    unrecorded = 0;
    recordedAt = performance.now();
    await addProgress(deps.db, runId, { scanned: n, contracts: 0, created: 0 }, deps.clock.now());
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
            billWithRetry(b.rows, b.facts, b.scanned).then(async (r) => {
              created += r.made;
              owing += r.owing;
              scanned += b.scanned;
              // A batch that wrote invoices recorded its progress with them; those that wrote none
              // (a re-run) are counted here, at most once a second: a commit each would cost more.
              if (!r.recorded) {
                unrecorded += b.scanned;
                await recordScanned(false);
              }
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
    await recordScanned(true);
    const issued = run.issue ? await issueMonth(deps, actor, month) : 0;
    const madeByRun = await invoicesOfRun(deps.db, runId);
    const after = await runById(deps.db, runId);
    const contracts = after?.contracts ?? owing;
    await updateRun(deps.db, runId, {
      status: "done",
      created: madeByRun,
      skipped: Math.max(0, contracts - madeByRun),
      issued,
      finished_at: deps.clock.now(),
      heartbeat_at: deps.clock.now(),
    });
    return { runId, month, contracts: owing, created, skipped: owing - created, issued };
  } catch (err) {
    await updateRun(deps.db, runId, {
      status: "failed",
      skipped: Math.max(0, owing - created),
      error: String(err),
      finished_at: deps.clock.now(),
    });
    throw err;
  }
}

function resultOf(run: NonNullable<Awaited<ReturnType<typeof runById>>>): RunResult {
  return {
    runId: run.id,
    month: run.month,
    contracts: run.contracts,
    created: run.created,
    skipped: run.skipped,
    issued: run.issued,
  };
}

/**
 * Runs whose process died (no heartbeat for `staleSeconds`): back on the queue, to be completed by the
 * next attempt — or failed after three attempts. Returns the runs put back.
 */
export async function recoverRuns(
  deps: Deps,
  staleSeconds = RUN_STALE_SECONDS,
): Promise<{ requeued: number; failed: number }> {
  const now = deps.clock.now();
  const stale = await staleRuns(deps.db, new Date(now.getTime() - staleSeconds * 1000));
  let requeued = 0;
  let failed = 0;
  for (const r of stale) {
    await deps.db.transaction().execute(async (tx) => {
      if (r.attempts >= MAX_ATTEMPTS) {
        await updateRun(tx, r.id, {
          status: "failed",
          error: `the run stopped ${r.attempts} times without finishing; run the month again`,
          finished_at: now,
        });
        failed++;
        return;
      }
      await updateRun(tx, r.id, { status: "queued", heartbeat_at: now });
      await deps.queue.enqueue(tx, RUN_JOB, { runId: r.id, actor: systemActor });
      await appendAudit(tx, {
        actor: systemActor,
        action: "billing.run.resumed",
        subjectType: "billing_run",
        subjectId: r.id,
        after: { attempts: r.attempts },
        article: "31(1)",
        at: now,
      });
      requeued++;
    });
  }
  return { requeued, failed };
}

type BatchFacts = Awaited<ReturnType<typeof batchFacts>>;

/**
 * What a batch needs besides the price book: option cancellations and suspended months, pending
 * one-off charges, recent unavailability and SLA credits already given. Read outside the writing
 * transaction; the claim of the charges checks they are still pending.
 */
async function batchFacts(deps: Pick<Deps, "db">, ids: IdSet, month: IsoMonth) {
  const [recurring, pending, periods, credited] = await Promise.all([
    recurringFacts(deps.db, ids, month),
    pendingCharges(deps.db, ids, month),
    periodsBefore(deps.db, ids, month),
    creditsOf(deps.db, ids),
  ]);
  return {
    recurring,
    pendingBy: groupBy(pending, "contract_id"),
    periodsBy: groupBy(periods, "contract_id"),
    creditedBy: groupBy(credited, "contract_id"),
  };
}

class RetryBatch extends Error {}

/** The incidents an SLA line is for, on the line itself (the PDF shows descriptions): up to three. */
const shortRefs = (refs: string[]) =>
  refs.length === 0 ? "" : ` ${refs.slice(0, 3).join(", ")}${refs.length > 3 ? ` +${refs.length - 3}` : ""}`;

/**
 * Compute and write one batch: `owing` is how many of its contracts owe something this month, `made`
 * how many invoices this call created (fewer when another run was first for some). When it writes,
 * the run's progress (`scanned` contracts of this batch) is recorded in the same transaction.
 */
async function billBatch(
  deps: Pick<Deps, "db" | "clock">,
  batch: BillableContract[],
  facts: BatchFacts,
  run: {
    month: IsoMonth;
    settings: BillingSettings;
    book: PriceBook;
    runId: string;
    actor: Actor;
    scanned: number;
  },
): Promise<{ owing: number; made: number; recorded: true } | { owing: 0; made: 0; recorded: false }> {
  const { month, settings, book, runId, actor } = run;
  type Draft = DraftInvoice & {
    c: BillableContract;
    charges: { id: string; amount: number; note: string }[];
    sla: { month: IsoMonth; hours: number; percentage: number; credit: number }[];
  };
  const drafts: Draft[] = [];
  for (const c of batch) {
    const cc = facts.recurring.charges(book, c);
    const lines: ChargeLine[] = [...chargesForMonth(cc, month).result.lines];
    const charges: Draft["charges"] = [];
    for (const ch of facts.pendingBy.get(c.id) ?? []) {
      charges.push({ id: ch.id, amount: ch.amount, note: ch.note });
      lines.push(lineOf(ch));
    }
    const sla = slaCreditsOwed(
      (m) => monthlyFeeOf(cc, m),
      month,
      facts.periodsBy.get(c.id) ?? [],
      facts.creditedBy.get(c.id) ?? [],
    );
    for (const s of sla) {
      const refs = referencesIn(facts.periodsBy.get(c.id) ?? [], s.month);
      const refEn = refs.length > 0 ? ` Incidents: ${refs.join(", ")}.` : "";
      const refJa = refs.length > 0 ? `対象の障害: ${refs.join("、")}。` : "";
      lines.push({
        itemCode: null,
        description: `SLA返還 ${s.month} (利用不能 ${s.hours}時間, ${s.percentage}%)${shortRefs(refs)}`,
        descriptionEn: `SLA credit ${s.month} (${s.hours} h unavailable, ${s.percentage}%)${shortRefs(refs)}`,
        kind: "credit",
        taxCategory: "10",
        quantity: 1,
        unitPrice: -s.credit,
        amount: -s.credit,
        article: "36(1)",
        note: `Unavailability attributable to the provider in ${s.month}: ${s.hours} h → ${s.percentage}% of that month's monthly fee is credited (Art. 30(4), 36(1), SLA).${refEn}`,
        noteJa: `${s.month} に当社の責めに帰すべき理由で利用できなかった時間 ${s.hours} 時間により、その月の月間費用の ${s.percentage}% を返還します(第30条第4項、第36条第1項、SLA)。${refJa}`,
      });
    }
    if (lines.length === 0) continue;
    drafts.push({
      // Ids made here, so that invoices and their lines go in one statement.
      id: randomUUID(),
      contractId: c.id,
      customerId: c.customer_id,
      recipient: recipientOf(c),
      lines,
      totals: invoiceTax(lines, settings.taxRounding).result,
      c,
      charges,
      sla,
    });
  }
  if (drafts.length === 0) return { owing: 0, made: 0, recorded: false };
  const owing = drafts.length;
  const due = dueDate(month, settings.dueMonthsAfter).result.dueDate;
  return deps.db.transaction().execute(async (tx) => {
    const inserted = await writeInvoices(tx, drafts, {
      id: runId,
      month,
      dueDate: due,
      periodStart: `${month}-01`,
      periodEnd: lastDayOfMonth(month),
      rounding: settings.taxRounding,
    });
    const progress = (made: number) =>
      addProgress(tx, runId, { scanned: run.scanned, contracts: owing, created: made }, deps.clock.now());
    if (inserted.length === 0) {
      await progress(0);
      return { owing, made: 0, recorded: true };
    }
    const made = new Set(inserted.map((r) => r.id));
    const claims = drafts
      .filter((d) => made.has(d.id))
      .flatMap((d) =>
        d.charges.map((ch) => ({ charge: ch.id, invoice: d.id, amount: ch.amount, note: ch.note })),
      );
    // Another run took a charge first, or an import changed it since it was read: redo the batch from
    // fresh data, so that an invoice line always shows what its charge says.
    if ((await claimCharges(tx, claims)) !== claims.length) throw new RetryBatch();
    await insertCredits(
      tx,
      drafts
        .filter((d) => made.has(d.id))
        .flatMap((d) =>
          d.sla.map((s) => ({ contract_id: d.c.id, customer_id: d.c.customer_id, ...s, invoice_id: d.id })),
        ),
    );
    await appendAudit(tx, {
      actor,
      action: "billing.invoices.created",
      subjectType: "billing_run",
      subjectId: runId,
      after: { month, invoices: inserted.length },
      article: "31(1)",
      at: deps.clock.now(),
    });
    await progress(inserted.length);
    return { owing, made: inserted.length, recorded: true };
  });
}
