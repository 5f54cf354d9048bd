/** The terms room's SQL: terms versions (Art. 1, 2) and which versions each contract became subject to. */

import type { Insertable, SelectQueryBuilder } from "kysely";
import type { IsoDate } from "../core/dates.ts";
import type { Db, Tx } from "../db/db.ts";
import { type PageRequest, paginate } from "../db/page.ts";
import type { Database, TermsVersionsTable } from "../db/schema.ts";

type Q = Db | Tx;

export async function versionByNumber(db: Q, number: string) {
  return db.selectFrom("terms_versions").select("id").where("number", "=", number).executeTakeFirst();
}

export async function insertVersion(tx: Q, values: Insertable<TermsVersionsTable>) {
  return tx.insertInto("terms_versions").values(values).returningAll().executeTakeFirstOrThrow();
}

/** Terms versions, the latest effective first. */
export async function listVersions(db: Q, page: PageRequest) {
  return paginate(
    db.selectFrom("terms_versions").select(["id", "number", "title", "announced_on", "effective_on"]),
    {
      list: "terms-versions",
      keys: [
        ["effective_on", "desc"],
        ["id", "desc"],
      ],
    },
    page,
  );
}

/** The version in effect on a day (the latest whose effective date has come). */
export async function versionInEffect(db: Q, day: IsoDate) {
  return db
    .selectFrom("terms_versions")
    .select(["id", "number", "title", "effective_on"])
    .where("effective_on", "<=", day)
    .orderBy("effective_on", "desc")
    .limit(1)
    .executeTakeFirst();
}

export async function subject(
  tx: Q,
  row: { contract_id: string; customer_id: string; terms_version_id: string; since: IsoDate },
) {
  await tx.insertInto("contract_terms").values(row).execute();
}

/** A query of the contracts (id, customer_id) a version effective on a day applies to. */
export type SubjectsQuery = (
  db: Q,
  effectiveOn: IsoDate,
  // biome-ignore lint/suspicious/noExplicitAny: any source of (id, customer_id) rows
) => SelectQueryBuilder<Database, any, { id: string; customer_id: string }>;

/** Every contract of `subjects` becomes subject to the version (once). */
export async function subjectLiveContracts(
  tx: Q,
  version: { id: string; effective_on: IsoDate },
  subjects: SubjectsQuery,
): Promise<number> {
  const res = await tx
    .insertInto("contract_terms")
    .columns(["contract_id", "customer_id", "terms_version_id", "since"])
    .expression(
      subjects(tx, version.effective_on).select((eb) => [
        eb.val(version.id).as("terms_version_id"),
        eb.val(version.effective_on).as("since"),
      ]),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0);
}

export async function historyOf(db: Q, contractId: string) {
  return db
    .selectFrom("contract_terms as ct")
    .innerJoin("terms_versions as tv", "tv.id", "ct.terms_version_id")
    .select(["tv.id", "tv.number", "tv.title", "tv.effective_on", "ct.since"])
    .where("ct.contract_id", "=", contractId)
    .orderBy("ct.since")
    .execute();
}

/** One version with its text. */
export async function versionById(db: Q, id: string) {
  return db
    .selectFrom("terms_versions")
    .select(["id", "number", "title", "body", "announced_on", "effective_on"])
    .where("id", "=", id)
    .executeTakeFirst();
}

/** The numbers of these versions, by id. */
export async function versionNumbers(db: Q, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom("terms_versions")
    .select(["id", "number"])
    .where("id", "in", ids)
    .execute();
  return new Map(rows.map((r) => [r.id, r.number]));
}
