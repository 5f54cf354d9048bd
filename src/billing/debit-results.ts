/**
 * The bank's direct-debit result (全銀 口座振替結果): debited records become payments allocated to
 * their invoice (the 顧客番号 carries the invoice number's digits); failed ones are recorded and make
 * the contract a suspension candidate (Art. 21(1)(2)). The same file twice is refused, and so is a
 * file that does not answer the request Unyo sent for its debit date (`rules/debit-result.ts`).
 */
import { createHash } from "node:crypto";
import { type Actor, appendAudit } from "../audit/service.ts";
import { markSuspensionCandidates } from "../contracts/flags.ts";
import { addMonthsToMonth, type IsoDate, lastDayOfMonth, monthOf, parseDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import type { Tx } from "../db/db.ts";
import type { DebitConsignor } from "./debits.ts";
import { recordDebits } from "./payments.ts";
import { refusalOfResult } from "./rules/debit-result.ts";
import {
  answerRequest,
  consignorSetting,
  finishImport,
  importBySha,
  insertFailures,
  insertImport,
  requestedItems,
  requestForResult,
} from "./store/debits.ts";
import { issuedByDigits } from "./store/invoices.ts";

export interface ParsedResultFile {
  kind: "request" | "result";
  header: { debitDate: string; consignorCode: string };
  records: {
    record: number;
    amount: number;
    customerNumber: string;
    result: "paid" | "failed";
    resultCode: string;
    resultText: string;
  }[];
}

export async function importDebitResult(
  deps: Pick<Deps, "db" | "clock">,
  actor: Actor,
  file: { bytes: Uint8Array; name?: string | null; year?: number },
  parse: (bytes: Uint8Array) => ParsedResultFile,
) {
  const parsed = parse(file.bytes);
  if (parsed.kind === "request")
    throw new AppError(
      "validation_failed",
      "this is a request file (振替依頼データ, no results in its trailer), not the bank's result file (振替結果データ)",
      { details: { file: ["request_not_result"] } },
    );
  const sha = createHash("sha256").update(file.bytes).digest();
  const today = todayOf(deps);
  const mmdd = parsed.header.debitDate;
  let year = file.year ?? Number(today.slice(0, 4));
  // MMDD without a year: the nearest such date not after about a month from today.
  if (
    !file.year &&
    `${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2)}` > lastDayOfMonth(addMonthsToMonth(monthOf(today), 1))
  )
    year -= 1;
  // 0229 in a year without it, 0431 …: a header the bank cannot have written.
  const debitDate = parseDate(`${year}-${mmdd.slice(0, 2)}-${mmdd.slice(2, 4)}`, "引落日 (debit date)");
  return deps.db.transaction().execute(async (tx) => {
    const dup = await importBySha(tx, sha);
    if (dup)
      throw new AppError("conflict", "this result file was already imported", {
        details: { importId: dup.id },
      });
    await requireMatchingRequest(tx, parsed, debitDate);
    const imp = await insertImport(tx, {
      kind: "zengin-debit-result",
      file_name: file.name ?? null,
      sha256: sha,
      debit_date: debitDate,
      records: parsed.records.length,
      paid: 0,
      failed: 0,
      unmatched: 0,
      created_by: actor.kind === "staff" ? actor.id : null,
    });
    // The debit request carried each invoice number's digits as the customer number (顧客番号):
    // look every record's invoice up at once, through the index on those digits.
    const wanted = [
      ...new Set(parsed.records.map((r) => r.customerNumber.replace(/^0+/, "")).filter((d) => d !== "")),
    ];
    const found = await issuedByDigits(tx, wanted);
    const byDigits = new Map(found.map((i) => [i.digits, i]));
    type Matched = (typeof found)[number];
    const debited: { r: ParsedResultFile["records"][number]; inv: Matched }[] = [];
    const bounced: { r: ParsedResultFile["records"][number]; inv: Matched }[] = [];
    const results: {
      record: number;
      customerNumber: string;
      amount: number;
      outcome: string;
      invoiceNumber: string | null;
    }[] = [];
    let unmatched = 0;
    for (const r of parsed.records) {
      const inv = byDigits.get(r.customerNumber.replace(/^0+/, ""));
      if (inv) (r.result === "paid" ? debited : bounced).push({ r, inv });
      else unmatched++;
      results.push({
        record: r.record,
        customerNumber: r.customerNumber,
        amount: r.amount,
        outcome: !inv ? "unmatched" : r.result === "paid" ? "paid" : `failed: ${r.resultText}`,
        invoiceNumber: inv?.number ?? null,
      });
    }
    await recordDebits(
      deps,
      tx,
      actor,
      debited.map(({ r, inv }) => ({
        customerId: inv.customer_id,
        receivedOn: debitDate,
        amount: r.amount,
        method: "direct_debit" as const,
        reference: `${inv.number} (${file.name ?? "zengin"} #${r.record})`,
        invoiceId: inv.id,
        importId: imp.id,
      })),
    );
    // Failures after the payments: a contract with one invoice debited and another bounced in the
    // same file stays a candidate (Art. 21(1)(2)).
    if (bounced.length > 0) {
      await insertFailures(
        tx,
        bounced.map(({ r, inv }) => ({
          import_id: imp.id,
          invoice_id: inv.id,
          contract_id: inv.contract_id,
          customer_id: inv.customer_id,
          customer_number: r.customerNumber,
          amount: r.amount,
          result_code: r.resultCode,
          result_text: r.resultText,
        })),
      );
      await markSuspensionCandidates(tx, deps.clock.now(), actor, {
        reason: "direct_debit_failed",
        article: "21(1)(2)",
        onlyUnflagged: false,
        events: bounced.map(({ r, inv }) => ({
          contractId: inv.contract_id,
          businessDate: debitDate,
          details: { invoice: inv.number, resultCode: r.resultCode, resultText: r.resultText },
        })),
      });
    }
    const counts = { paid: debited.length, failed: bounced.length, unmatched };
    await finishImport(tx, imp.id, counts);
    // The request this file answers (same debit date) no longer awaits its result: its invoices that
    // stay unpaid can be asked for again (再振替).
    const answered = await answerRequest(tx, debitDate, imp.id);
    await appendAudit(tx, {
      actor,
      action: "billing.debit_result.imported",
      subjectType: "payment_import",
      subjectId: imp.id,
      after: {
        file: file.name,
        debitDate,
        request: answered?.id ?? null,
        records: parsed.records.length,
        ...counts,
      },
      article: "21(1)(2)",
      at: deps.clock.now(),
    });
    return {
      importId: imp.id,
      debitDate,
      requestId: answered?.id ?? null,
      records: parsed.records.length,
      ...counts,
      results,
    };
  });
}

/**
 * A result answers the request Unyo sent for that debit date, or it is refused whole: the same
 * 委託者コード as configured, a request of that date still awaiting its result, every record one
 * the request asked for (customer number and amount), and data records when the request had some.
 * A result that closed a request without answering it would let the next request ask the bank for
 * the same invoices again: a double debit.
 */
/** Refuse the file whole unless it answers the request made for its debit date (the rule decides). */
async function requireMatchingRequest(tx: Tx, parsed: ParsedResultFile, debitDate: IsoDate) {
  const consignor = (await consignorSetting(tx)) as DebitConsignor | null;
  const request = await requestForResult(tx, debitDate);
  const items = request && !request.result_import_id ? await requestedItems(tx, request.id) : [];
  const refusal = refusalOfResult(
    { consignorCode: parsed.header.consignorCode, records: parsed.records },
    consignor?.consignorCode ?? null,
    request ? { records: request.records, resultImportId: request.result_import_id, items } : null,
    debitDate,
  );
  if (!refusal) return;
  if (refusal.reason === "already_answered")
    throw new AppError("conflict", refusal.message, { details: { importId: refusal.importId } });
  throw new AppError("validation_failed", refusal.message, { details: { file: [refusal.reason] } });
}
