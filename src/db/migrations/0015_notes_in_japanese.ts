import { type Kysely, sql } from "kysely";

/**
 * Every charge and invoice line explains its amount in both languages: the English note and, beside
 * it, the same sentence in Japanese for the Japanese UI (issue 14); and its Japanese description has
 * an English one where the system words it (a price item's English name, a late fee, an SLA credit).
 * Lines written before have none (null): they are shown as they were written, marked with their language.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE charges ADD COLUMN note_ja text, ADD COLUMN description_en text;
    ALTER TABLE invoice_lines ADD COLUMN note_ja text, ADD COLUMN description_en text;
  `.execute(db);
}
