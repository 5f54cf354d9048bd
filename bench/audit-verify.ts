/**
 * `unyo audit verify` over 1,000,000 entries: entries/s of the full chain recomputation,
 * against the physical limit measured in the same run — reading the same rows with the same paging
 * and no hashing.
 */
import { sql } from "kysely";
import { entryHash, GENESIS_HASH } from "../src/audit/rules.ts";
import { verifyAudit } from "../src/audit/service.ts";
import { benchDatabase } from "./lib.ts";

const N = Number(process.env.ENTRIES ?? 1_000_000);
const BATCH = 5000;
const dbh = await benchDatabase();
const db = dbh.db;

const t0 = performance.now();
let prev: Buffer = GENESIS_HASH;
const start = Date.UTC(2026, 0, 1);
for (let from = 1; from <= N; from += BATCH) {
  const cols = {
    seq: [] as number[],
    at: [] as string[],
    action: [] as string[],
    subject: [] as string[],
    after: [] as string[],
    prev: [] as Buffer[],
    hash: [] as Buffer[],
  };
  for (let seq = from; seq < Math.min(from + BATCH, N + 1); seq++) {
    const e = {
      seq,
      at: new Date(start + seq * 1000),
      actorKind: "system" as const,
      actorId: null,
      action: "bench.event",
      subjectType: "contract",
      subjectId: String(seq % 10_000),
      customerId: null,
      before: null,
      after: { state: "active", n: seq },
      article: "26(2)",
    };
    const hash = entryHash(prev, e);
    cols.seq.push(seq);
    cols.at.push(e.at.toISOString());
    cols.action.push(e.action);
    cols.subject.push(e.subjectId);
    cols.after.push(JSON.stringify(e.after));
    cols.prev.push(prev);
    cols.hash.push(hash);
    prev = hash;
  }
  await sql`insert into audit_log (seq, at, actor_kind, action, subject_type, subject_id, after, article, prev_hash, hash)
    select s, a::timestamptz, 'system', act, 'contract', sub, aft::jsonb, '26(2)', p, h
    from unnest(${cols.seq}::bigint[], ${cols.at}::text[], ${cols.action}::text[], ${cols.subject}::text[], ${cols.after}::text[], ${cols.prev}::bytea[], ${cols.hash}::bytea[]) as t(s, a, act, sub, aft, p, h)`.execute(
    db,
  );
}
console.log(`loaded ${N} chained entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
await sql`vacuum analyze audit_log`.execute(db);

// Baseline: the same paged read, no hashing.
const readOnly = async () => {
  const t = performance.now();
  let after = -1;
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom("audit_log")
      .selectAll()
      .where("seq", ">", String(after) as never)
      .orderBy("seq")
      .limit(20_000)
      .execute();
    if (rows.length === 0) break;
    count += rows.length;
    after = Number(rows[rows.length - 1]!.seq);
  }
  return { count, seconds: (performance.now() - t) / 1000 };
};

const reads: number[] = [];
const verifies: number[] = [];
for (let i = 0; i < 3; i++) {
  const r = await readOnly();
  reads.push(r.count / r.seconds);
  const v = await verifyAudit(db);
  if (!v.ok || v.entries !== N) throw new Error(`verify failed: ${JSON.stringify(v.problems.slice(0, 3))}`);
  verifies.push(v.entries / v.seconds);
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
console.log(`audit verify, ${N} entries, 3 rounds (median):`);
console.log(
  `  verify (read + recompute every hash): ${Math.round(med(verifies))} entries/s  (${(N / med(verifies)).toFixed(1)} s)`,
);
console.log(`  baseline, same paged read, no hashing: ${Math.round(med(reads))} entries/s`);
console.log(`  ratio verify/read: ${(med(verifies) / med(reads)).toFixed(2)}`);
await dbh.close();
