/**
 * Keeping what was issued (電子帳簿保存法): a month of `BENCH_INVOICES` (1,000) issued invoices, their
 * Japanese PDFs rendered and kept by `keepPending` (the `billing.keep-documents` job) — documents/s,
 * MiB kept, peak RSS; 3 rounds on fresh invoices, medians. Baseline in the same run: rendering the
 * same documents to buffers without keeping them (the invoice reads and the PDF alone), so the ratio
 * is what keeping (the insert of the bytes and their hash) costs on top.
 *   npm run bench -- keep-documents
 */
import { sql } from "kysely";
import { systemActor } from "../src/audit/service.ts";
import { keepPending } from "../src/billing/documents.ts";
import { invoicesIn } from "../src/billing/invoice-queries.ts";
import { issueMonth } from "../src/billing/issue.ts";
import { renderInvoicePdf } from "../src/billing/pdf.ts";
import { runBilling } from "../src/billing/runs.ts";
import { systemClock } from "../src/core/clock.ts";
import { benchDatabase, median } from "./lib.ts";

const N = Number(process.env.BENCH_INVOICES ?? 1000);
const ROUNDS = 3;
const MONTHS = ["2026-08", "2026-09", "2026-10"];

const { db, close } = await benchDatabase();
try {
  await sql`
    INSERT INTO customers (legal_name, address)
    SELECT '株式会社ベンチ' || g, '東京都千代田区' || g FROM generate_series(1, ${N}) g`.execute(db);
  await sql`
    WITH cu AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM customers)
    INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
    SELECT 'C-K-' || lpad(k::text, 7, '0'), id, 'active', (ARRAY['basic','standard','premium'])[1 + k % 3],
           CASE k % 3 WHEN 0 THEN '{}'::text[] WHEN 1 THEN '{backup}'::text[] ELSE '{backup,patching}'::text[] END,
           '[]', 'paper', date '2026-01-01', date '2026-01-01'
    FROM cu`.execute(db);
  const deps = { db, clock: systemClock };
  const keepRates: number[] = [];
  const renderRates: number[] = [];
  let bytes = 0;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  for (const month of MONTHS.slice(0, ROUNDS)) {
    await runBilling(deps, month);
    const issued = await issueMonth(deps, systemActor, month);
    const ids = (
      await db
        .selectFrom("invoices")
        .select("id")
        .where("month", "=", month)
        .where("status", "=", "issued")
        .execute()
    ).map((r) => r.id);
    // Baseline: the same reads and renders, nothing kept.
    let t0 = performance.now();
    for (let i = 0; i < ids.length; i += 100)
      for (const d of await invoicesIn(db, ids.slice(i, i + 100), "2026-12-03"))
        await renderInvoicePdf(d.document, { lang: "ja" });
    renderRates.push(ids.length / ((performance.now() - t0) / 1000));
    t0 = performance.now();
    const { kept } = await keepPending(deps, { maxMs: 3_600_000 });
    const seconds = (performance.now() - t0) / 1000;
    keepRates.push(kept / seconds);
    const size = await db
      .selectFrom("invoice_documents")
      .select((eb) => eb.fn.sum<string>("size").as("s"))
      .executeTakeFirstOrThrow();
    bytes = Number(size.s);
    console.log(
      `${month}: ${issued} issued; kept ${kept} in ${seconds.toFixed(1)} s (${(kept / seconds).toFixed(1)}/s); render only ${renderRates.at(-1)!.toFixed(1)}/s`,
    );
  }
  clearInterval(sampler);
  const keep = median(keepRates);
  const render = median(renderRates);
  console.log(
    `keep: median ${keep.toFixed(1)} documents/s; render only (baseline): ${render.toFixed(1)}/s; ratio ${(keep / render).toFixed(2)}; ` +
      `${(bytes / 2 ** 20).toFixed(1)} MiB kept (${Math.round(bytes / (N * ROUNDS) / 1024)} KiB a document); peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
  );
} finally {
  await close();
}
