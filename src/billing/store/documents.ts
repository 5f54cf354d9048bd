/** Kept documents (電子帳簿保存法): the bytes of each issued PDF, inserted once, never changed. */
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

/** Which of these invoices have their document in `lang` kept already (one query for a batch). */
export async function keptIdsAmong(db: Q, invoiceIds: string[], lang: "ja" | "en"): Promise<string[]> {
  if (invoiceIds.length === 0) return [];
  const rows = await db
    .selectFrom("invoice_documents")
    .select("invoice_id")
    .where("invoice_id", "in", invoiceIds)
    .where("lang", "=", lang)
    .execute();
  return rows.map((r) => r.invoice_id);
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

/** Issued invoices whose Japanese document is not kept yet, oldest first (a partial index). */
export async function unkeptIssued(db: Q, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom("invoices")
    .select("id")
    .where("status", "=", "issued")
    .where("document_kept", "=", false)
    .orderBy("issue_date")
    .orderBy("number")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The Japanese document of these invoices is kept (the mark the job selects by). */
export async function markKept(db: Q, invoiceIds: string[]) {
  if (invoiceIds.length === 0) return;
  await db
    .updateTable("invoices")
    .set({ document_kept: true })
    .where("id", "in", invoiceIds)
    .where("status", "=", "issued")
    .where("document_kept", "=", false)
    .execute();
}
