/**
 * What was issued is kept, byte for byte (電子帳簿保存法, 電子取引データの保存): the PDF of an issued
 * invoice, corrected invoice or credit note is rendered once and its bytes kept with their SHA-256 in
 * `invoice_documents`, which refuses every update and delete. Every later read of the document returns
 * those bytes, so a change of the code, the fonts, the price book or the issuer's settings never alters
 * a document a customer received. A single issue keeps the Japanese document in the same request; a
 * month's run leaves it to `billing.keep-documents` (every minute) — and whoever reads a document
 * first, before the job, keeps it then: the first bytes anyone receives are the kept ones.
 */
import { createHash } from "node:crypto";
import { type Deps, todayOf } from "../core/deps.ts";
import { notFound } from "../core/errors.ts";
import type { AuthContext } from "../identity/actor.ts";
import { invoice, invoicesIn } from "./invoice-queries.ts";
import { renderInvoicePdf } from "./pdf.ts";
import {
  keepDocument,
  keptDocument,
  keptDocumentsOf,
  keptIdsAmong,
  markKept,
  unkeptIssued,
} from "./store/documents.ts";

type Lang = "ja" | "en";
type KeepDeps = Pick<Deps, "db" | "clock">;

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/** Render and keep the documents of these issued invoices (the ones already kept stay as they are). */
export async function keepIssued(deps: KeepDeps, ids: string[], lang: Lang = "ja"): Promise<number> {
  let kept = 0;
  const done: string[] = [];
  const already = new Set(await keptIdsAmong(deps.db, ids, lang));
  for (const d of await invoicesIn(deps.db, ids, todayOf(deps))) {
    if (d.document.status !== "issued") continue;
    done.push(d.id);
    if (already.has(d.id)) continue;
    const bytes = await renderInvoicePdf(d.document, { lang });
    await keepDocument(deps.db, {
      invoice_id: d.id,
      customer_id: d.customerId,
      lang,
      sha256: sha256(bytes),
      bytes,
    });
    kept++;
  }
  if (lang === "ja") await markKept(deps.db, done);
  return kept;
}

/** The job's work: issued invoices whose Japanese document is not kept yet, `batch` at a time. */
export async function keepPending(deps: KeepDeps, opts: { batch?: number; maxMs?: number } = {}) {
  const started = Date.now();
  let kept = 0;
  for (;;) {
    const ids = await unkeptIssued(deps.db, opts.batch ?? 100);
    if (ids.length === 0) break;
    kept += await keepIssued(deps, ids);
    if (Date.now() - started > (opts.maxMs ?? 50_000)) break;
  }
  return { kept };
}

export interface PdfAnswer {
  bytes: Buffer;
  fileName: string;
  /** The SHA-256 of a kept document; null for a draft or a void copy (not a document as issued). */
  sha256: string | null;
}

/**
 * The PDF of an invoice as its reader may see it: an issued one is the kept bytes (kept now if nobody
 * read it before); a draft or a void one is rendered as it stands (marked DRAFT / VOID, naming its
 * replacement) — the void one's bytes as issued stay readable through `keptPdf`.
 */
export async function invoicePdf(
  deps: KeepDeps,
  auth: AuthContext,
  id: string,
  lang: Lang,
): Promise<PdfAnswer> {
  const inv = await invoice(deps, auth, id);
  const fileName = `${inv.document.number ?? `draft-${inv.id.slice(0, 8)}`}${lang === "en" ? "-en" : ""}.pdf`;
  if (inv.document.status !== "issued")
    return { bytes: await renderInvoicePdf(inv.document, { lang }), fileName, sha256: null };
  let kept = await keptDocument(deps.db, id, lang);
  if (!kept) {
    await keepIssued(deps, [id], lang);
    kept = await keptDocument(deps.db, id, lang);
  }
  if (!kept) throw notFound("invoice document");
  return { bytes: kept.bytes, fileName, sha256: kept.sha256 };
}

/** The kept bytes of an invoice's document in one language (also after the invoice was voided). */
export async function keptPdf(deps: KeepDeps, auth: AuthContext, id: string, lang: Lang): Promise<PdfAnswer> {
  const inv = await invoice(deps, auth, id);
  const kept = await keptDocument(deps.db, id, lang);
  if (!kept) throw notFound("kept document");
  return {
    bytes: kept.bytes,
    fileName: `${inv.document.number ?? inv.id}${lang === "en" ? "-en" : ""}.pdf`,
    sha256: kept.sha256,
  };
}

/** Which documents of an invoice are kept: language, SHA-256, size, when. */
export async function keptDocuments(deps: KeepDeps, auth: AuthContext, id: string) {
  await invoice(deps, auth, id);
  return (await keptDocumentsOf(deps.db, id)).map((d) => ({
    lang: d.lang,
    sha256: d.sha256,
    size: d.size,
    keptAt: d.kept_at.toISOString(),
  }));
}
