/**
 * The contracts room's SQL: applications, contracts, their timeline, option cancellations and
 * abolitions. Functions take the database or a transaction first (the caller decides the scope: a
 * customer's transaction runs under row-level security). Other rooms read these tables only through
 * the functions exported here, and change them only through the room's use cases.
 */
import type { Insertable, Selectable, Updateable } from "kysely";
import { sql } from "kysely";
import type { IsoDate } from "../core/dates.ts";
import type { Db, Tx } from "../db/db.ts";
import { type IdSet, inIdSet, isEmptySet } from "../db/id-set.ts";
import {
  containing,
  type PageRequest,
  paginate,
  type SortChoices,
  type SortName,
  sortOrder,
} from "../db/page.ts";
import type {
  AbolitionsTable,
  ApplicationsTable,
  ContractEventsTable,
  ContractsTable,
} from "../db/schema.ts";
import type { ApplicationSort, ContractSort } from "./schemas.ts";
import { type ContractStatus, type LifecycleAction, statusesFor } from "./states.ts";

type Q = Db | Tx;
export type ContractRow = Selectable<ContractsTable>;
export type ApplicationRow = Selectable<ApplicationsTable>;
export type ContractEventRow = Selectable<ContractEventsTable>;
export type AbolitionRow = Selectable<AbolitionsTable>;

// ---- numbers -----------------------------------------------------------------------------------

export async function nextNumber(tx: Q, sequence: "application_number_seq" | "contract_number_seq") {
  const r = await sql<{ n: number }>`select nextval(${sequence}::regclass) as n`.execute(tx);
  return Number(r.rows[0]!.n);
}

// ---- applications ------------------------------------------------------------------------------

export async function insertApplication(tx: Q, values: Insertable<ApplicationsTable>) {
  return tx.insertInto("applications").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function applicationById(tx: Q, id: string, forUpdate = false) {
  let q = tx.selectFrom("applications").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function applicationByNumber(tx: Q, number: string, forUpdate = false) {
  let q = tx.selectFrom("applications").selectAll().where("number", "=", number);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Applications, the latest received first. */
/** The orders of the applications list: by the day of receipt (Art. 15), or by the applicant's name. */
const APPLICATION_ORDERS: SortChoices<ApplicationSort> = {
  list: "applications",
  fallback: "-received",
  orders: {
    received: [
      ["received_on", "asc"],
      ["number", "asc"],
    ],
    name: [
      ["legal_name", "asc"],
      ["number", "asc"],
    ],
  },
};

export async function listApplications(
  db: Q,
  filter: {
    status?: ApplicationRow["status"] | undefined;
    q?: string | undefined;
    sort?: SortName<ApplicationSort>;
  },
  page: PageRequest,
) {
  let q = db.selectFrom("applications").selectAll();
  if (filter.status) q = q.where("status", "=", filter.status);
  if (filter.q) {
    const like = containing(filter.q);
    q = q.where((eb) => eb.or([eb("number", "ilike", like), eb("legal_name", "ilike", like)]));
  }
  return paginate(q, sortOrder(APPLICATION_ORDERS, filter.sort), page);
}

export async function updateApplication(tx: Q, id: string, patch: Updateable<ApplicationsTable>) {
  await tx.updateTable("applications").set(patch).where("id", "=", id).execute();
}

// ---- contracts ---------------------------------------------------------------------------------

export async function insertContract(tx: Q, values: Insertable<ContractsTable>) {
  return tx.insertInto("contracts").values(values).returningAll().executeTakeFirstOrThrow();
}

export async function contractById(tx: Q, id: string, forUpdate = false) {
  let q = tx.selectFrom("contracts").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Contracts, the latest number first. */
/**
 * Contracts, the latest number first, with their customer's name (a list shows it); `q` keeps those
 * whose number or customer's legal name contains it.
 */
/** The orders of the contracts list (Art. 13 start date; the end's effective date, open ones last). */
const CONTRACT_ORDERS: SortChoices<ContractSort> = {
  list: "contracts",
  fallback: "-number",
  orders: {
    number: [["c.number", "asc"]],
    customer: [
      ["cu.legal_name", "asc"],
      ["c.number", "asc"],
    ],
    start: [
      ["c.start_date", "asc"],
      ["c.number", "asc"],
    ],
    end: [
      [sql`coalesce(c.end_effective_on, 'infinity'::date)`, "asc"],
      ["c.number", "asc"],
    ],
  },
};

export async function listContracts(
  db: Q,
  filter: { status?: ContractStatus; customerId?: string; q?: string; sort?: SortName<ContractSort> },
  page: PageRequest,
) {
  let q = db
    .selectFrom("contracts as c")
    .innerJoin("customers as cu", "cu.id", "c.customer_id")
    .selectAll("c")
    .select("cu.legal_name as customer_name");
  if (filter.status) q = q.where("c.status", "=", filter.status);
  if (filter.customerId) q = q.where("c.customer_id", "=", filter.customerId);
  if (filter.q) {
    const like = containing(filter.q);
    q = q.where((eb) => eb.or([eb("c.number", "ilike", like), eb("cu.legal_name", "ilike", like)]));
  }
  return paginate(q, sortOrder(CONTRACT_ORDERS, filter.sort), page);
}

export async function updateContract(tx: Q, id: string, patch: Updateable<ContractsTable>) {
  await tx.updateTable("contracts").set(patch).where("id", "=", id).execute();
}

export async function updateContracts(tx: Q, ids: string[], patch: Updateable<ContractsTable>) {
  if (ids.length === 0) return;
  await tx.updateTable("contracts").set(patch).where(sql<boolean>`id = ANY(${ids}::uuid[])`).execute();
}

/** The contracts an action applies to now (all of them, or those of `ids`), locked for the change. */
export async function contractsFor(tx: Q, action: LifecycleAction, ids?: string[]) {
  let q = tx
    .selectFrom("contracts")
    .selectAll()
    .where("status", "in", statusesFor(action) as ContractStatus[])
    .orderBy("id")
    .forUpdate();
  if (ids) q = q.where(sql<boolean>`id = ANY(${ids}::uuid[])`);
  return q.execute();
}

/** The customers with a contract an action applies to (e.g. who receives an announcement). */
export async function customersFor(db: Q, action: LifecycleAction): Promise<string[]> {
  const rows = await db
    .selectFrom("contracts")
    .select("customer_id")
    .distinct()
    .where("status", "in", statusesFor(action) as ContractStatus[])
    .execute();
  return rows.map((r) => r.customer_id);
}

/** A contract's owner (its id and customer), for rooms that attach rows to a contract. */
export async function contractOwner(db: Q, id: string) {
  return db.selectFrom("contracts").select(["id", "customer_id"]).where("id", "=", id).executeTakeFirst();
}

/**
 * Contracts an action of the calendar is due for on `today`, locked, a batch at a time: ends whose
 * service ended before today (`service_until`, decided by `contractEnd`), deletion work scheduled for
 * today or earlier (Art. 26(7)).
 */
export async function dueFor(tx: Q, action: "complete_end" | "delete_data", today: IsoDate, batch: number) {
  const due =
    action === "complete_end"
      ? sql<boolean>`service_until < ${today}::date`
      : sql<boolean>`deletion_scheduled_on <= ${today}::date`;
  return tx
    .selectFrom("contracts")
    .selectAll()
    .where("status", "in", statusesFor(action) as ContractStatus[])
    .where(due)
    .orderBy("id")
    .limit(batch)
    .forUpdate()
    .skipLocked()
    .execute();
}

// ---- the timeline ------------------------------------------------------------------------------

export async function insertEvents(tx: Q, rows: Insertable<ContractEventsTable>[]) {
  for (let i = 0; i < rows.length; i += 1000)
    await tx
      .insertInto("contract_events")
      .values(rows.slice(i, i + 1000))
      .execute();
}

export async function eventsOf(db: Q, contractId: string) {
  return db
    .selectFrom("contract_events")
    .selectAll()
    .where("contract_id", "=", contractId)
    .orderBy("id")
    .execute();
}

export async function hasEvent(db: Q, contractId: string, type: string) {
  const r = await db
    .selectFrom("contract_events")
    .select("id")
    .where("contract_id", "=", contractId)
    .where("type", "=", type)
    .executeTakeFirst();
  return r !== undefined;
}

/** Events of the given types for many contracts (e.g. suspensions for the monthly run). */
export async function eventsOfTypes(db: Q, contracts: IdSet, types: string[]) {
  if (isEmptySet(contracts)) return [];
  return db
    .selectFrom("contract_events")
    .select(["contract_id", "type", "business_date"])
    .where(inIdSet("contract_id", contracts))
    .where("type", "in", types)
    .orderBy("id")
    .execute();
}

// ---- abolitions (Art. 24) ------------------------------------------------------------------------

export async function insertAbolition(tx: Q, values: Insertable<AbolitionsTable>) {
  return tx.insertInto("abolitions").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function abolitionsDue(db: Q, today: IsoDate) {
  return db
    .selectFrom("abolitions")
    .selectAll()
    .where("abolition_on", "<=", today)
    .where("applied_at", "is", null)
    .orderBy("abolition_on")
    .execute();
}

export async function markAbolitionApplied(tx: Q, id: string, at: Date) {
  await tx.updateTable("abolitions").set({ applied_at: at }).where("id", "=", id).execute();
}

// ---- for other rooms -----------------------------------------------------------------------------

/** Contract ids in key order after `after` (the billing run's keyset walk). */
export async function countContracts(db: Q): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM contracts`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** What billing needs of contracts: dates, plan and options, the customer (Art. 12, 29). */
const BILLING_FACTS = [
  "id",
  "number",
  "customer_id",
  "plan",
  "options",
  "start_date",
  "end_effective_on",
  "terminated_on",
  "charges_void",
] as const;
/** How many servers the contract covers (a per-server item's quantity). */
const serverCount = sql<number>`jsonb_array_length(servers)`.as("server_count");

export async function billingFacts(db: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("contracts")
    .select([...BILLING_FACTS, serverCount])
    .where(sql<boolean>`id = ANY(${ids}::uuid[])`)
    .orderBy("id")
    .execute();
}

/** The billing facts of the next `limit` contracts after `after` in id order (a keyset walk). */
export async function billingFactsAfter(db: Q, after: string, limit: number) {
  return db
    .selectFrom("contracts")
    .select([...BILLING_FACTS, serverCount])
    .where("id", ">", after)
    .orderBy("id")
    .limit(limit)
    .execute();
}
export type BillingFacts = Awaited<ReturnType<typeof billingFacts>>[number];

/** Contract numbers by id (for lists that name the contract). */
export async function numbersOf(db: Q, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("contracts")
    .select(["id", "number"])
    .where(sql<boolean>`id = ANY(${[...new Set(ids)]}::uuid[])`)
    .execute();
  return new Map(rows.map((r) => [r.id, r.number]));
}

/** Contracts by number (imports name contracts by their number). */
export async function idsByNumber(db: Q, numbers: string[]): Promise<Map<string, string>> {
  if (numbers.length === 0) return new Map();
  const rows = await db
    .selectFrom("contracts")
    .select(["id", "number"])
    .where("number", "in", [...new Set(numbers)])
    .execute();
  return new Map(rows.map((r) => [r.number, r.id]));
}

/** The contracts among `ids` flagged as suspension candidates (Art. 21(1)). */
export async function candidatesAmong(db: Q, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("contracts")
    .select("id")
    .where(sql<boolean>`id = ANY(${[...new Set(ids)]}::uuid[])`)
    .where("suspension_candidate", "is not", null)
    .orderBy("id")
    .execute();
  return rows.map((r) => r.id);
}

/** The flagged contracts among `ids`, locked to clear them. */
export async function lockCandidates(tx: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return tx
    .selectFrom("contracts")
    .select(["id", "customer_id", "status"])
    .where(sql<boolean>`id = ANY(${[...new Set(ids)]}::uuid[])`)
    .where("suspension_candidate", "is not", null)
    .orderBy("id")
    .forUpdate()
    .execute();
}

/** Set a candidacy on the contracts not flagged yet; returns those it flagged. */
export async function flagCandidates(
  tx: Q,
  ids: string[],
  reason: NonNullable<ContractRow["suspension_candidate"]>,
  at: Date,
  onlyUnflagged: boolean,
) {
  if (ids.length === 0) return [];
  let q = tx
    .updateTable("contracts")
    .set({ suspension_candidate: reason, updated_at: at })
    .where(sql<boolean>`id = ANY(${[...new Set(ids)]}::uuid[])`);
  if (onlyUnflagged) q = q.where("suspension_candidate", "is", null);
  return q.returning(["id", "customer_id", "status"]).execute();
}

/**
 * The contracts a new terms version applies to on `effectiveOn` (started by then, in a live state),
 * as a query for the terms room to insert from (set-based: no rows travel through Node).
 */
export function contractsSubjectTo(db: Q, effectiveOn: IsoDate) {
  return db
    .selectFrom("contracts")
    .select(["id", "customer_id"])
    .where("status", "in", statusesFor("apply_terms") as ContractStatus[])
    .where("start_date", "<=", effectiveOn);
}

/** The suspension candidacy of each contract among `ids` that has one. */
export async function candidacyOf(
  db: Q,
  ids: string[],
): Promise<Map<string, NonNullable<ContractRow["suspension_candidate"]>>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("contracts")
    .select(["id", "suspension_candidate"])
    .where(sql<boolean>`id = ANY(${[...new Set(ids)]}::uuid[])`)
    .where("suspension_candidate", "is not", null)
    .execute();
  return new Map(rows.map((r) => [r.id, r.suspension_candidate!]));
}

/**
 * What monitoring needs of contracts (Art. 3, 4, 21): number, state, plan and options, the servers
 * listed, and the customer's name.
 */
export async function serviceFacts(db: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("contracts as c")
    .innerJoin("customers as cu", "cu.id", "c.customer_id")
    .select([
      "c.id",
      "c.number",
      "c.customer_id",
      "c.status",
      "c.plan",
      "c.options",
      "c.servers",
      "cu.legal_name",
    ])
    .where(sql<boolean>`c.id = ANY(${[...new Set(ids)]}::uuid[])`)
    .execute();
}
export type ServiceFacts = Awaited<ReturnType<typeof serviceFacts>>[number];
