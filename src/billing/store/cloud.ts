/** Cloud accounts linked to contracts, for the usage pass-through (Art. 29(1)(3)). */

import type { Db, Tx } from "../../db/db.ts";
import { type PageRequest, paginate } from "../../db/page.ts";

type Q = Db | Tx;

export async function accountOwner(db: Q, provider: string, accountId: string) {
  return db
    .selectFrom("cloud_accounts")
    .select("contract_id")
    .where("provider", "=", provider)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
}

export async function insertAccount(
  tx: Q,
  row: { provider: string; account_id: string; contract_id: string; customer_id: string },
) {
  await tx.insertInto("cloud_accounts").values(row).execute();
}

export async function accountsOfContract(db: Q, contractId: string, page: PageRequest) {
  return paginate(
    db.selectFrom("cloud_accounts").selectAll().where("contract_id", "=", contractId),
    {
      list: "cloud-accounts",
      keys: [
        ["provider", "asc"],
        ["account_id", "asc"],
      ],
    },
    page,
  );
}

/** Account id → contract id for a provider. */
export async function accountsOf(db: Q, provider: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom("cloud_accounts")
    .select(["account_id", "contract_id"])
    .where("provider", "=", provider)
    .execute();
  return new Map(rows.map((a) => [a.account_id, a.contract_id]));
}
