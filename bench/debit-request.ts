/**
 * A direct-debit request for many customers: N customers with a mandate and an open invoice each
 * (BENCH_DEBITS, default 100,000). Measures making the request (choosing the invoices, writing the
 * 全銀 file, storing it with its items) — wall time, records/s, peak RSS — against, in the same run,
 * the plain read of the same rows (COPY of the same join TO STDOUT) as the floor. Median of 3, each on
 * its own debit date (each request closed by hand before the next, so the same invoices go again).
 *   npm run bench -- debit-request
 */
import { sql } from "kysely";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { importDebitResult } from "../src/billing/debit-results.ts";
import { createRequest, requestFile as requestFileOf } from "../src/billing/debits.ts";
import { parseZenginResult, writeZenginDebitFile } from "../src/billing/zengin.ts";
import { fixedClock } from "../src/core/clock.ts";
import { benchDatabase, median } from "./lib.ts";

const N = Number(process.env.BENCH_DEBITS ?? 100_000);
const { db, url, close } = await benchDatabase();
try {
  console.log(`seeding ${N} customers, mandates and open invoices …`);
  await sql`
    INSERT INTO customers (legal_name) SELECT '株式会社ベンチ' || g FROM generate_series(1, ${N}) g`.execute(
    db,
  );
  await sql`
    INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
    SELECT 'C-D-' || lpad(row_number() OVER (ORDER BY id)::text, 7, '0'), id, 'active', 'standard', '{}', '[]',
           'paper', date '2026-01-01', date '2026-01-01'
    FROM customers`.execute(db);
  await sql`
    INSERT INTO invoices (contract_id, customer_id, month, status, number, issue_date, due_date, period_start,
                          period_end, recipient, by_rate, net, tax, total, tax_rounding)
    SELECT c.id, c.customer_id, '2026-10', 'issued', 'INV-2026-' || lpad(row_number() OVER (ORDER BY c.id)::text, 7, '0'),
           date '2026-11-01', date '2026-11-30', date '2026-10-01', date '2026-10-31', '{}', '[]',
           100000, 10000, 110000, 'down'
    FROM contracts c`.execute(db);
  await sql`
    INSERT INTO debit_mandates (customer_id, bank_code, bank_name, branch_code, branch_name, account_type,
                                account_number, account_holder, status, registered_on)
    SELECT id, '0001', 'ﾐｽﾞﾎ', '001', 'ﾎﾝﾃﾝ', '1', lpad((row_number() OVER (ORDER BY id))::text, 7, '0'),
           'ｶ)ﾍﾞﾝﾁ', 'active', date '2026-10-01'
    FROM customers`.execute(db);
  await sql`
    UPDATE billing_settings SET debit_consignor = ${JSON.stringify({
      consignorCode: "1234567890",
      consignorName: "ｳﾝﾖｳｼｴﾝ",
      bankCode: "0005",
      bankName: "ﾐﾂﾋﾞｼ",
      branchCode: "123",
      branchName: "ｼﾌﾞﾔ",
      accountType: "1",
      accountNumber: "7654321",
    })}::jsonb`.execute(db);
  await sql`ANALYZE`.execute(db);

  // The floor: reading the same rows, joined, as fast as PostgreSQL hands them out.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const floor: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    let bytes = 0;
    const src = client.query(
      copyTo(`COPY (SELECT i.id, i.number, i.customer_id, i.total - i.paid_amount, m.bank_code, m.bank_name,
                           m.branch_code, m.branch_name, m.account_type, m.account_number, m.account_holder,
                           m.next_new_code
                    FROM invoices i JOIN debit_mandates m ON m.customer_id = i.customer_id
                    WHERE i.status = 'issued' AND i.paid_amount < i.total AND m.status = 'active') TO STDOUT`),
    );
    for await (const c of src) bytes += (c as Buffer).length;
    floor.push((performance.now() - t0) / 1000);
    if (i === 0) console.log(`  floor read: ${Math.round(bytes / 2 ** 20)} MiB`);
  }
  await client.end();

  const times: number[] = [];
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  let fileBytes = 0;
  for (let i = 0; i < 3; i++) {
    const deps = { db, clock: fixedClock(new Date("2026-11-20T00:00:00Z")) };
    const t0 = performance.now();
    const { request } = await createRequest(deps, { kind: "system", id: null }, `2026-11-${25 + i}`);
    times.push((performance.now() - t0) / 1000);
    if (request.records !== N) throw new Error(`expected ${N} records, got ${request.records}`);
    fileBytes = (await requestFileOf(db, request.id)).bytes.length;
    // Close it (as a result import would) so the next round asks for the same invoices again.
    await sql`UPDATE debit_requests SET result_import_id = NULL, records = records WHERE id = ${request.id}`.execute(
      db,
    );
    await sql`
      WITH imp AS (
        INSERT INTO payment_imports (kind, sha256, debit_date, records, paid, failed, unmatched)
        VALUES ('zengin-debit-result', ${Buffer.from(request.id)}, ${request.debitDate}, 0, 0, 0, 0) RETURNING id)
      UPDATE debit_requests SET result_import_id = (SELECT id FROM imp) WHERE id = ${request.id}`.execute(db);
  }
  clearInterval(sampler);

  // The bank's answer for a last request: every record debited but one in twenty (資金不足). Importing
  // it records the payments, each allocated to its invoice, with its audit entry; and the failures,
  // each with its contract's event and candidacy (Art. 21(1)(2)).
  const clock = fixedClock(new Date("2026-11-20T00:00:00Z"));
  const last = await createRequest({ db, clock }, { kind: "system", id: null }, "2026-11-30");
  const requestFile = parseZenginResult((await requestFileOf(db, last.request.id)).bytes);
  const result = writeZenginDebitFile({
    kind: "result",
    header: requestFile.header,
    records: requestFile.records.map((r, k) => ({ ...r, resultCode: k % 20 === 19 ? "1" : "0" })),
  });
  const bounced = Math.floor(N / 20);
  const i0 = performance.now();
  const imported = await importDebitResult(
    { db, clock },
    { kind: "system", id: null },
    { bytes: result, name: "RESULT.txt", year: 2026 },
    parseZenginResult,
  );
  const importSeconds = (performance.now() - i0) / 1000;
  if (imported.paid !== N - bounced || imported.failed !== bounced)
    throw new Error(
      `expected ${N - bounced} paid and ${bounced} failed, got ${imported.paid} and ${imported.failed}`,
    );
  console.log(
    `result import: ${N} records (${imported.paid} debited, ${imported.failed} failed) in ${importSeconds.toFixed(2)} s (${Math.round(N / importSeconds)} records/s)`,
  );
  const t = median(times);
  const f = median(floor);
  console.log(
    `debit request: ${N} records, file ${(fileBytes / 2 ** 20).toFixed(1)} MiB, median ${t.toFixed(2)} s (${Math.round(N / t)} records/s; runs ${times.map((x) => x.toFixed(2)).join(", ")}), peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
  );
  console.log(`floor (COPY of the same rows): median ${f.toFixed(2)} s → ratio ${(t / f).toFixed(1)}×`);
} finally {
  await close();
}
