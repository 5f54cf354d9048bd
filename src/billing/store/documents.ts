/** Kept documents (電子帳簿保存法): the bytes of each issued PDF, inserted once, never changed. */
import { sql } from "kysely";
import type { Db, Tx } from "../../db/db.ts";

type Q = Db | Tx;

export async function keptDocument(db: Q, invoiceId: string, lang: "ja" | "en") {
  return db
    .selectFrom("invoice_documents")
    .selectAll()
    .where("invoice_id", "=", invoiceId)
    .where("lang", "=", lang)
    .executeTakeFirst();
}

export async function keptDocumentsOf(db: Q, invoiceId: string) {
  return db
    .selectFrom("invoice_documents")
    .select(["lang", "sha256", "size", "kept_at"])
    .where("invoice_id", "=", invoiceId)
    .orderBy("lang", "desc")
    .execute();
}

/** Keep the bytes unless a copy is kept already (a concurrent request kept it first: theirs stays). */
export async function keepDocument(
  db: Q,
  row: { invoice_id: string; customer_id: string; lang: "ja" | "en"; sha256: string; bytes: Buffer },
) {
  await db
    .insertInto("invoice_documents")
    .values({ ...row, size: row.bytes.length })
    .onConflict((oc) => oc.columns(["invoice_id", "lang"]).doNothing())
    .execute();
}

/** Issued invoices (issued, or void since) whose Japanese document is not kept yet, oldest first. */
export async function unkeptIssued(db: Q, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("invoices as i")
    .select("i.id")
    .where("i.number", "is not", null)
    .where("i.status", "=", "issued")
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("invoice_documents as d")
            .select(sql`1`.as("one"))
            .whereRef("d.invoice_id", "=", "i.id")
            .where("d.lang", "=", "ja"),
        ),
      ),
    )
    .orderBy("i.issue_date")
    .orderBy("i.number")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
