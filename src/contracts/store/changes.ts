/** Changes of contracts' content (Art. 20(2)–(4), 11): requests, decisions, the confirmed history. */
import type { Insertable, Updateable } from "kysely";
import type { Db, Tx } from "../../db/db.ts";
import { type IdSet, inIdSet, isEmptySet } from "../../db/id-set.ts";
import { type PageRequest, paginate } from "../../db/page.ts";
import type { Database } from "../../db/schema.ts";
import type { ContractChangeStatus } from "../change-rules.ts";

type Q = Db | Tx;
type ChangesTable = Database["contract_changes"];

export async function insertChange(tx: Q, values: Insertable<ChangesTable>) {
  return tx.insertInto("contract_changes").values(values).returningAll().executeTakeFirstOrThrow();
}

/** Decide a change that is still `requested`; undefined when it no longer is. */
export async function decideChange(tx: Q, id: string, patch: Updateable<ChangesTable>) {
  return tx
    .updateTable("contract_changes")
    .set(patch)
    .where("id", "=", id)
    .where("status", "=", "requested")
    .returningAll()
    .executeTakeFirst();
}

export async function changeById(db: Q, id: string, forUpdate = false) {
  let q = db.selectFrom("contract_changes").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The contract's change still waiting for a decision, if any. */
export async function openChangeOf(db: Q, contractId: string) {
  return db
    .selectFrom("contract_changes")
    .selectAll()
    .where("contract_id", "=", contractId)
    .where("status", "=", "requested")
    .executeTakeFirst();
}

/** The latest receipt date among a contract's confirmed changes. */
export async function lastConfirmedReceipt(db: Q, contractId: string): Promise<string | null> {
  const r = await db
    .selectFrom("contract_changes")
    .select((eb) => eb.fn.max("received_on").as("on"))
    .where("contract_id", "=", contractId)
    .where("status", "=", "confirmed")
    .executeTakeFirst();
  return (r?.on as string | null) ?? null;
}

/** Confirmed changes of many contracts, in order of receipt then of recording (billing's versions). */
export async function confirmedChanges(db: Q, contracts: IdSet) {
  if (isEmptySet(contracts)) return [];
  return db
    .selectFrom("contract_changes")
    .select(["id", "contract_id", "received_on", "before", "after", "kind"])
    .where(inIdSet("contract_id", contracts))
    .where("status", "=", "confirmed")
    .orderBy("contract_id")
    .orderBy("received_on")
    .orderBy("seq")
    .execute();
}

/** A contract's changes, the latest recorded first. */
export async function changesOfContract(db: Q, contractId: string, page: PageRequest) {
  return paginate(
    db.selectFrom("contract_changes").selectAll().where("contract_id", "=", contractId),
    {
      list: "contract-changes",
      keys: [["seq", "desc"]],
    },
    page,
  );
}

/** Changes in a state across contracts (staff's queue: the oldest recorded first). */
export async function changesByStatus(db: Q, status: ContractChangeStatus, page: PageRequest) {
  return paginate(
    db.selectFrom("contract_changes").selectAll().where("status", "=", status),
    {
      list: "contract-changes-queue",
      keys: [["seq", "asc"]],
    },
    page,
  );
}
