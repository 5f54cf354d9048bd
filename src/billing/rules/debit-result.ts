/**
 * Whether a bank's direct-debit result file (振替結果データ) answers the request Unyo sent for its
 * debit date (Art. 30: fees paid by direct debit): the provider's own originator code (委託者コード), a
 * request made for that date and not yet answered, records when records were asked for, and each
 * record one the request asked for, at the amount asked. A file that does not is refused whole, so
 * that nothing of a wrong file is ever recorded as paid or failed.
 */

/** What the file says: its header's originator code and its data records. */
export interface ResultFileFacts {
  consignorCode: string;
  records: { record: number; customerNumber: string; amount: number }[];
}

/** The request Unyo made for the file's debit date, as stored. */
export interface RequestFacts {
  records: number;
  resultImportId: string | null;
  /** Each record asked for: the customer number's digits and the amount. */
  items: { digits: string; amount: number }[];
}

export type ResultRefusal =
  | {
      reason:
        | "no_consignor"
        | "other_consignor"
        | "no_request"
        | "empty_result"
        | "not_requested"
        | "amount_differs";
      message: string;
    }
  | { reason: "already_answered"; message: string; importId: string };

/** Customer numbers compare as numbers: the bank may pad them with zeros. */
const digitsOf = (s: string) => s.replace(/^0+/, "");

/** Null when the file answers the request; else why it does not (the first reason found). */
export function refusalOfResult(
  file: ResultFileFacts,
  ownConsignorCode: string | null,
  request: RequestFacts | null,
  debitDate: string,
): ResultRefusal | null {
  if (ownConsignorCode === null)
    return {
      reason: "no_consignor",
      message: "the originator's details (委託者) are not set up, so no result can be matched to a request",
    };
  if (file.consignorCode !== ownConsignorCode)
    return {
      reason: "other_consignor",
      message: `the file is for 委託者コード ${file.consignorCode}, not this provider's ${ownConsignorCode}`,
    };
  if (!request) return { reason: "no_request", message: `no direct-debit request was made for ${debitDate}` };
  if (request.resultImportId)
    return {
      reason: "already_answered",
      message: `the request for ${debitDate} already has its result`,
      importId: request.resultImportId,
    };
  if (file.records.length === 0 && request.records > 0)
    return {
      reason: "empty_result",
      message: `the file has no data records, but the request for ${debitDate} asked for ${request.records}`,
    };
  const asked = new Map(request.items.map((i) => [digitsOf(i.digits), i.amount]));
  for (const r of file.records) {
    const amount = asked.get(digitsOf(r.customerNumber));
    if (amount === undefined)
      return {
        reason: "not_requested",
        message: `record ${r.record}: customer number ${r.customerNumber} was not asked for in the request for ${debitDate}`,
      };
    if (amount !== r.amount)
      return {
        reason: "amount_differs",
        message: `record ${r.record}: ${r.amount} yen for customer number ${r.customerNumber}, but the request for ${debitDate} asked for ${amount} yen`,
      };
  }
  return null;
}
