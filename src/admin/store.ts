/** The test clock's one row. */
import type { Db, Tx } from "../db/db.ts";

type Q = Db | Tx;

export async function readTestClock(db: Q) {
  return db.selectFrom("test_clock").selectAll().executeTakeFirst();
}

export async function writeTestClock(
  tx: Q,
  row: { at: Date; set_at: Date; frozen: boolean; set_by: string | null },
) {
  await tx
    .insertInto("test_clock")
    .values({ id: true, ...row })
    .onConflict((oc) => oc.column("id").doUpdateSet(row))
    .execute();
}
