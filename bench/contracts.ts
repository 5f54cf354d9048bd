/**
 * Issue 3 figures:
 *  (a) accept 10,000 applications through ContractService.accept (customer, contract, portal user
 *      with an argon2id initial password, event, audit, acceptance notice in the outbox), against
 *      plain INSERTs of the same rows (customers, contracts, users, events) in the same run;
 *  (b) the lifecycle jobs over 100,000 contracts (ends taking effect, deletion work, terms version),
 *      against plain UPDATE/INSERT statements doing the same row changes.
 */
import { sql } from "kysely";
import { accept } from "../src/contracts/applications.ts";
import { completeEnds, runDeletions } from "../src/contracts/ends.ts";
import { contractsSubjectTo } from "../src/contracts/store.ts";
import { fixedClock } from "../src/core/clock.ts";
import { loadConfig } from "../src/core/config.ts";
import type { AuthContext } from "../src/identity/actor.ts";
import { inquiryJobs } from "../src/inquiries/service.ts";
import { jobQueue } from "../src/jobs/registry.ts";
import { applyTermsVersions } from "../src/terms/service.ts";
import { benchDatabase } from "./lib.ts";

const APPS = Number(process.env.APPS ?? 10_000);
const CONTRACTS = Number(process.env.CONTRACTS ?? 100_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 4);

const dbh = await benchDatabase();
const db = dbh.db;
const clock = fixedClock(new Date("2026-11-24T01:00:00Z"));
const queue = jobQueue({
  url: dbh.url,
  db,
  clock,
  config: loadConfig({}),
  log: { info() {}, warn() {}, error() {} },
  role: "client",
});
await queue.start();
const deps = { db, clock, queue };
const staff = await db
  .insertInto("users")
  .values({
    kind: "staff",
    login_id: "bench-op",
    email: "op@bench",
    display_name: "op",
    role: "operator",
    password_hash: "x",
  })
  .returning("id")
  .executeTakeFirstOrThrow();
const auth = {
  kind: "session",
  user: { id: staff.id, kind: "staff", role: "operator", customerId: null },
} as unknown as AuthContext;

const form = (i: number) => ({
  legalName: `株式会社ベンチ${i}`,
  corporateNumber: "7000012050002",
  address: "東京都",
  billingContact: { name: "b", email: `b${i}@bench.example`, phone: "03-0000-0000" },
  representatives: [{ name: "r", email: `r${i}@bench.example`, phone: "03-0000-0000" }],
  plan: "standard",
  options: ["backup"],
  servers: [{ hostname: `s${i}.bench`, provider: "aws" }],
});

// (a) applications to accept (not timed)
await sql`insert into applications (number, channel, received_on, legal_name, corporate_number, form, applicant_email)
  select 'A-B-' || g, 'paper', '2026-11-20', '株式会社ベンチ' || g, '7000012050002', ${JSON.stringify(form(0))}::jsonb, 'a' || g || '@bench.example'
  from generate_series(1, ${APPS}) g`.execute(db);
const ids = (await db.selectFrom("applications").select("id").orderBy("number").execute()).map((r) => r.id);

let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < ids.length) await accept(deps, auth, ids[next++]!);
  }),
);
const acceptSeconds = (performance.now() - t0) / 1000;

// Baseline: the same rows by plain single-row INSERTs, same concurrency.
const t1 = performance.now();
let k = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (k < APPS) {
      const i = k++;
      await db.transaction().execute(async (tx) => {
        const c = await tx
          .insertInto("customers")
          .values({ legal_name: `plain${i}`, corporate_number: "7000012050002" })
          .returning("id")
          .executeTakeFirstOrThrow();
        const ct = await tx
          .insertInto("contracts")
          .values({
            number: `P-${i}`,
            customer_id: c.id,
            status: "active",
            plan: "standard",
            options: ["backup"],
            servers: "[]",
            channel: "paper",
            applied_on: "2026-11-20",
            start_date: "2026-11-24",
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        await tx
          .insertInto("users")
          .values({
            kind: "customer",
            customer_id: c.id,
            login_id: `plain-${i}`,
            email: "p@bench",
            display_name: "p",
            role: "customer-admin",
            password_hash: "x",
          })
          .execute();
        await tx
          .insertInto("contract_events")
          .values({
            contract_id: ct.id,
            customer_id: c.id,
            at: new Date(),
            business_date: "2026-11-24",
            actor_kind: "staff",
            actor_id: null,
            type: "established",
            from_status: null,
            to_status: "active",
            reason_code: null,
            article: "16",
            details: null,
          })
          .execute();
      });
    }
  }),
);
const plainSeconds = (performance.now() - t1) / 1000;
console.log(
  `(a) accept ${APPS} applications (concurrency ${CONCURRENCY}): ${acceptSeconds.toFixed(1)} s, ${Math.round(APPS / acceptSeconds)}/s`,
);
console.log(
  `    baseline, plain INSERTs of the same rows: ${plainSeconds.toFixed(1)} s, ${Math.round(APPS / plainSeconds)}/s  → ratio ${(acceptSeconds / plainSeconds).toFixed(1)}×`,
);
console.log(
  "    (accept hashes an argon2id initial password per portal user, m=19 MiB t=2: the dominant cost)",
);

// (b) 100,000 contracts: a third terminating and due, a third terminated with deletion due, a third active.
const customer = await db
  .insertInto("customers")
  .values({ legal_name: "bulk" })
  .returning("id")
  .executeTakeFirstOrThrow();
await sql`insert into contracts (id, number, customer_id, status, plan, servers, channel, applied_on, start_date, end_kind, end_article, end_effective_on, service_until, terminated_on, deletion_scheduled_on)
  select gen_random_uuid(), 'L-' || g, ${customer.id}, s.status, 'standard', '[{"hostname":"h"}]', 'paper', '2026-01-01', '2026-01-05',
    case when s.status = 'active' then null else 'cancellation' end,
    case when s.status = 'active' then null else '26(2)' end,
    case when s.status = 'active' then null else '2026-10-31'::date end,
    case when s.status = 'active' then null else '2026-10-31'::date end,
    case when s.status = 'terminated' then '2026-10-31'::date end,
    case when s.status = 'terminated' then '2026-11-15'::date end
  from generate_series(1, ${CONTRACTS}) g
  cross join lateral (select (array['terminating','terminated','active'])[1 + g % 3] as status) s`.execute(
  db,
);
await db
  .insertInto("terms_versions")
  .values({ number: "B-2", title: "t", body: "b", announced_on: "2026-11-01", effective_on: "2026-11-20" })
  .execute();
await sql`vacuum analyze contracts`.execute(db);

const t2 = performance.now();
const ended = await completeEnds(deps, "2026-11-24");
const deleted = await runDeletions(deps, "2026-11-24");
const termsApplied = await applyTermsVersions(deps, "2026-11-24", contractsSubjectTo);
const inquiries = await inquiryJobs(deps, "2026-11-24");
const jobSeconds = (performance.now() - t2) / 1000;
const changed = ended + deleted + termsApplied;

// Baseline: the same row changes as plain set-based statements on a fresh copy of the rows.
await sql`update contracts set status = 'terminating', terminated_on = null where end_kind = 'cancellation' and number like 'L-%' and status = 'terminated' and data_deleted_on is null and deletion_scheduled_on is null`.execute(
  db,
);
await sql`update contracts set status = 'terminated', data_deleted_on = null where number like 'L-%' and status = 'data_deleted'`.execute(
  db,
);
await sql`delete from contract_terms`.execute(db);
await sql`vacuum analyze contracts`.execute(db);
const t3 = performance.now();
await db.transaction().execute(async (tx) => {
  await sql`with d as (update contracts set status = 'terminated', terminated_on = end_effective_on where status = 'terminating' and end_effective_on < '2026-11-24' returning id, customer_id)
    insert into contract_events (contract_id, customer_id, at, business_date, actor_kind, type, to_status, article) select id, customer_id, now(), '2026-11-24', 'system', 'ended', 'terminated', '26(2)' from d`.execute(
    tx,
  );
  await sql`with d as (update contracts set status = 'data_deleted', data_deleted_on = '2026-11-24' where status = 'terminated' and deletion_scheduled_on <= '2026-11-24' returning id, customer_id)
    insert into contract_events (contract_id, customer_id, at, business_date, actor_kind, type, to_status, article) select id, customer_id, now(), '2026-11-24', 'system', 'data_deleted', 'data_deleted', '26(7)' from d`.execute(
    tx,
  );
  await sql`insert into contract_terms (contract_id, customer_id, terms_version_id, since) select c.id, c.customer_id, tv.id, tv.effective_on from contracts c, terms_versions tv where c.status in ('active','suspended','terminating') on conflict do nothing`.execute(
    tx,
  );
});
const plainJobSeconds = (performance.now() - t3) / 1000;
console.log(
  `(b) lifecycle jobs over ${CONTRACTS} contracts: ${jobSeconds.toFixed(2)} s (ended ${ended}, deleted ${deleted}, terms applied ${termsApplied}, inquiries ${JSON.stringify(inquiries)}) → ${Math.round(changed / jobSeconds)} changes/s`,
);
console.log(
  `    baseline, plain set-based UPDATE/INSERT of the same changes: ${plainJobSeconds.toFixed(2)} s → ratio ${(jobSeconds / plainJobSeconds).toFixed(2)}×`,
);
await queue.stop();
await dbh.close();
