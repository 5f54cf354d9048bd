/** Checks, their state and its history: SQL. */
import { type Insertable, sql, type Updateable } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import { containing, type PageRequest, paginate } from "../../db/page.ts";
import type { Database } from "../../db/schema.ts";

type Q = Db | Tx;
type ChecksTable = Database["checks"];

export async function insertCheck(tx: Q, values: Insertable<ChecksTable>) {
  return tx.insertInto("checks").values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Change a check. `updated_at` is the database's time, whatever clock the caller runs on: probes find
 * changed checks by it.
 */
export async function updateCheck(tx: Q, id: string, patch: Omit<Updateable<ChecksTable>, "updated_at">) {
  return tx
    .updateTable("checks")
    .set({ ...patch, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Retire an item's checks with it (kept for history, no longer run). */
export async function retireChecksOf(tx: Q, itemId: string, at: Date) {
  await tx
    .updateTable("checks")
    .set({ deleted_at: at, updated_at: sql<Date>`now()` })
    .where("item_id", "=", itemId)
    .where("deleted_at", "is", null)
    .execute();
}

const withState = (db: Q) =>
  db
    .selectFrom("checks as k")
    .innerJoin("inventory_items as i", "i.id", "k.item_id")
    .leftJoin("check_states as s", "s.check_id", "k.id")
    .select([
      "k.id",
      "k.customer_id",
      "k.contract_id",
      "k.item_id",
      "k.name",
      "k.kind",
      "k.settings",
      "k.interval_s",
      "k.timeout_ms",
      "k.retries",
      "k.down_after",
      "k.paused_reason",
      "k.paused_at",
      "k.deleted_at",
      "k.created_at",
      "i.name as item_name",
      "s.state",
      "s.since",
      "s.code",
      "s.message",
      "s.last_ping_at",
    ]);

export async function checkById(db: Q, id: string) {
  return withState(db).where("k.id", "=", id).executeTakeFirst();
}
export type CheckRow = NonNullable<Awaited<ReturnType<typeof checkById>>>;

export async function checkForUpdate(tx: Q, id: string) {
  return tx.selectFrom("checks").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

/** Live checks the caller may see, by name: of an item, a contract or a customer, in a state, or named like `q`. */
export async function listCheckRows(
  db: Q,
  filter: {
    itemId?: string | undefined;
    contractId?: string | undefined;
    customerId?: string | undefined;
    state?: string | undefined;
    q?: string | undefined;
  },
  page: PageRequest,
) {
  let q = withState(db).where("k.deleted_at", "is", null);
  if (filter.itemId) q = q.where("k.item_id", "=", filter.itemId);
  if (filter.contractId) q = q.where("k.contract_id", "=", filter.contractId);
  if (filter.customerId) q = q.where("k.customer_id", "=", filter.customerId);
  if (filter.state) q = q.where(sql`coalesce(s.state, 'pending')`, "=", filter.state);
  if (filter.q) q = q.where("k.name", "ilike", containing(filter.q));
  return paginate(
    q,
    {
      list: "checks",
      keys: [
        ["k.name", "asc"],
        ["k.id", "asc"],
      ],
    },
    page,
  );
}

/** All live checks of a customer (a status page), by name. */
export async function checksOfCustomer(db: Q, customerId: string) {
  return withState(db)
    .where("k.customer_id", "=", customerId)
    .where("k.deleted_at", "is", null)
    .orderBy("k.name")
    .orderBy("k.id")
    .execute();
}

export async function eventsOfCheck(db: Q, checkId: string, limit = 100) {
  return db
    .selectFrom("check_events")
    .select(["at", "from_state", "to_state", "code", "message", "article"])
    .where("check_id", "=", checkId)
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export async function stateOf(db: Q, checkId: string) {
  return db.selectFrom("check_states").selectAll().where("check_id", "=", checkId).executeTakeFirst();
}

export interface StateChange {
  checkId: string;
  customerId: string;
  at: Date;
  from: string;
  to: "pending" | "up" | "down" | "paused";
  code: string | null;
  message: string | null;
  article: string | null;
}

/**
 * Record state changes: the state row (upsert; never back to an older change) and an event each, in
 * one statement each.
 */
export async function recordStateChanges(tx: Q, changes: StateChange[]) {
  if (changes.length === 0) return;
  await tx
    .insertInto("check_states")
    .values(
      changes.map((c) => ({
        check_id: c.checkId,
        customer_id: c.customerId,
        state: c.to,
        since: c.at,
        code: c.code,
        message: c.message,
      })),
    )
    .onConflict((oc) =>
      oc
        .column("check_id")
        .doUpdateSet((eb) => ({
          state: eb.ref("excluded.state"),
          since: eb.ref("excluded.since"),
          code: eb.ref("excluded.code"),
          message: eb.ref("excluded.message"),
        }))
        // A change that happened before the recorded one (a probe's run written after a pause was
        // recorded) goes into the history but does not overwrite the state.
        .where(sql<boolean>`check_states.since <= excluded.since`),
    )
    .execute();
  await tx
    .insertInto("check_events")
    .values(
      changes.map((c) => ({
        check_id: c.checkId,
        customer_id: c.customerId,
        at: c.at,
        from_state: c.from,
        to_state: c.to,
        code: c.code,
        message: c.message,
        article: c.article,
      })),
    )
    .execute();
  // Wake the incidents engine (it takes each change once, `unhandledEvents`).
  await sql`SELECT pg_notify(${CHECK_EVENTS_CHANNEL}, '')`.execute(tx);
}

export const CHECK_EVENTS_CHANNEL = "unyo_check_events";

/**
 * State changes not yet taken by the incidents engine, oldest first, with what an incident needs of
 * the check; locked, so that two engines never take the same change.
 */
export async function unhandledEvents(tx: Tx, limit: number) {
  return tx
    .selectFrom("check_events as e")
    .innerJoin("checks as k", "k.id", "e.check_id")
    .innerJoin("inventory_items as it", "it.id", "k.item_id")
    .select([
      "e.id",
      "e.check_id",
      "e.customer_id",
      "e.at",
      "e.from_state",
      "e.to_state",
      "e.code",
      "e.message",
      "k.name as check_name",
      "k.kind as check_kind",
      "k.item_id",
      "it.contract_id",
      "it.name as item_name",
    ])
    .where("e.handled_at", "is", null)
    .orderBy("e.id")
    .limit(limit)
    .forUpdate("e")
    .skipLocked()
    .execute();
}

export async function markEventsHandled(tx: Tx, ids: number[], at: Date) {
  if (ids.length === 0) return;
  await tx.updateTable("check_events").set({ handled_at: at }).where("id", "in", ids).execute();
}

/** A push check's ping: when it arrived (the probe reads it at each slot). */
export async function recordPing(tx: Q, tokenHash: Buffer, at: Date) {
  const check = await tx
    .selectFrom("checks")
    .select(["id", "customer_id"])
    .where("heartbeat_token_hash", "=", tokenHash)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (!check) return undefined;
  await tx
    .insertInto("check_states")
    .values({
      check_id: check.id,
      customer_id: check.customer_id,
      state: "pending",
      since: at,
      last_ping_at: at,
    })
    .onConflict((oc) => oc.column("check_id").doUpdateSet({ last_ping_at: at }))
    .execute();
  return check;
}

/** Live, unpaused checks of some kinds with their server's name (for service discovery). */
export async function discoverableChecks(db: Q, kinds: string[]) {
  return db
    .selectFrom("checks as k")
    .innerJoin("inventory_items as i", "i.id", "k.item_id")
    .select([
      "k.id",
      "k.name",
      "k.kind",
      "k.settings",
      "k.customer_id",
      "k.contract_id",
      "k.paused_reason",
      "i.name as item_name",
    ])
    .where("k.deleted_at", "is", null)
    .where("k.paused_reason", "is", null)
    .where(sql<boolean>`k.kind = ANY(${kinds}::text[])`)
    .orderBy("k.id")
    .execute();
}
