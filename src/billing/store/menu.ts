/** The service menu's limits on changes (Art. 20(3)), part of the price book. */
import type { Db, Tx } from "../../db/db.ts";

type Q = Db | Tx;

export async function menuLimitRows(db: Q) {
  return db.selectFrom("menu_limits").selectAll().orderBy("target").execute();
}

export async function upsertMenuLimit(
  tx: Q,
  v: {
    target: string;
    rank: number | null;
    max_servers: number | null;
    no_downgrade_in_minimum_term: boolean;
    requires_plans: string[] | null;
    updated_by: string;
    updated_at: Date;
  },
) {
  await tx
    .insertInto("menu_limits")
    .values(v)
    .onConflict((oc) =>
      oc.column("target").doUpdateSet({
        rank: v.rank,
        max_servers: v.max_servers,
        no_downgrade_in_minimum_term: v.no_downgrade_in_minimum_term,
        requires_plans: v.requires_plans,
        updated_by: v.updated_by,
        updated_at: v.updated_at,
      }),
    )
    .execute();
}
