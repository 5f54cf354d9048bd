/**
 * 全銀協 預金口座振替 (direct debit) files, 種別コード 91: the request file sent to the bank
 * (振替依頼データ) and the result file it returns (振替結果データ). Fixed-length 120-byte records in
 * JIS 8-bit / Shift_JIS (names in half-width katakana), optionally separated by CR LF or LF, optionally
 * ended by EOF (0x1A). Record kinds: 1 header, 2 data, 8 trailer, 9 end. Layout (byte positions, 1-based):
 *
 *   header  1 データ区分(1)=1, 2–3 種別コード(2)=91, 4 コード区分(1) 0=JIS, 5–14 委託者コード(10),
 *           15–54 委託者名(40), 55–58 引落日 MMDD(4), 59–62 取引銀行番号(4), 63–77 取引銀行名(15),
 *           78–80 取引支店番号(3), 81–95 取引支店名(15), 96 預金種目(1), 97–103 口座番号(7), 104–120 ダミー(17)
 *   data    1 =2, 2–5 引落銀行番号(4), 6–20 引落銀行名(15), 21–23 引落支店番号(3), 24–38 引落支店名(15),
 *           39–42 ダミー(4), 43 預金種目(1), 44–50 口座番号(7), 51–80 預金者名(30), 81–90 引落金額(10),
 *           91 新規コード(1), 92–111 顧客番号(20), 112 振替結果コード(1), 113–120 ダミー(8)
 *   trailer 1 =8, 2–7 合計件数(6), 8–19 合計金額(12), 20–25 振替済件数(6), 26–37 振替済金額(12),
 *           38–43 振替不能件数(6), 44–55 振替不能金額(12), 56–120 ダミー(65)
 *   end     1 =9, 2–120 ダミー(119)
 * (全国銀行協会 全銀協規定フォーマット「預金口座振替」; the same layout banks document for their
 * 口座振替サービス.) Result codes: see RESULT_CODES.
 */
import { AppError } from "../core/errors.ts";

export const RECORD_LENGTH = 120;

export const RESULT_CODES: Record<string, { ja: string; en: string }> = {
  "0": { ja: "振替済", en: "debited" },
  "1": { ja: "資金不足", en: "insufficient funds" },
  "2": { ja: "預金取引なし", en: "no such account" },
  "3": { ja: "預金者の都合による振替停止", en: "stopped by the account holder" },
  "4": { ja: "預金口座振替依頼書なし", en: "no direct-debit mandate" },
  "8": { ja: "委託者の都合による振替停止", en: "stopped by the originator" },
  "9": { ja: "その他", en: "other" },
};

export interface ZenginHeader {
  typeCode: string;
  codeKind: string;
  consignorCode: string;
  consignorName: string;
  /** MMDD */
  debitDate: string;
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  accountType: string;
  accountNumber: string;
}

export interface ZenginRecord {
  /** 1-based position of the record in the file. */
  record: number;
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  accountType: string;
  accountNumber: string;
  accountHolder: string;
  amount: number;
  newCode: string;
  customerNumber: string;
  resultCode: string;
  result: "paid" | "failed";
  resultText: string;
}

export interface ZenginTrailer {
  count: number;
  amount: number;
  paidCount: number;
  paidAmount: number;
  failedCount: number;
  failedAmount: number;
}

export interface ZenginResultFile {
  /** "request" when the trailer carries no results (a 振替依頼データ, e.g. our own request file). */
  kind: "request" | "result";
  header: ZenginHeader;
  records: ZenginRecord[];
  trailer: ZenginTrailer;
}

const sjis = new TextDecoder("shift_jis");

const fail = (record: number, message: string) =>
  new AppError("validation_failed", `全銀 file, record ${record}: ${message}`, { details: { record } });

/** Split into 120-byte records, accepting CR LF / LF separators and a trailing EOF byte. */
function records(bytes: Uint8Array): Uint8Array[] {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x1a || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < end) {
    const rec = bytes.subarray(i, i + RECORD_LENGTH);
    if (rec.length < RECORD_LENGTH || rec.includes(0x0a) || rec.includes(0x0d))
      throw fail(
        out.length + 1,
        `a record is ${RECORD_LENGTH} bytes; this one is ${lineLength(bytes, i, end)}`,
      );
    // Shift_JIS lead bytes: a full-width character, which no field of these records may hold.
    const wide = rec.findIndex((b) => (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc));
    if (wide >= 0)
      throw fail(
        out.length + 1,
        `byte ${wide + 1} (0x${rec[wide]!.toString(16)}) starts a full-width character, which a 全銀 record cannot hold`,
      );
    out.push(rec);
    i += RECORD_LENGTH;
    if (bytes[i] === 0x0d) i++;
    if (bytes[i] === 0x0a) i++;
  }
  return out;
}

function lineLength(bytes: Uint8Array, from: number, end: number) {
  let j = from;
  while (j < end && bytes[j] !== 0x0a && bytes[j] !== 0x0d) j++;
  return j - from;
}

function field(rec: Uint8Array, from: number, len: number): string {
  return sjis.decode(rec.subarray(from - 1, from - 1 + len));
}

function digits(rec: Uint8Array, n: number, from: number, len: number, name: string): string {
  const s = field(rec, from, len);
  if (!/^\d+$/.test(s)) throw fail(n, `${name} (bytes ${from}–${from + len - 1}) must be digits, got "${s}"`);
  return s;
}

export function parseZenginResult(bytes: Uint8Array): ZenginResultFile {
  const recs = records(bytes);
  if (recs.length === 0) throw fail(1, "the file is empty");
  let header: ZenginHeader | undefined;
  let trailer: ZenginTrailer | undefined;
  let ended = false;
  let fileKind: "request" | "result" = "result";
  const data: ZenginRecord[] = [];
  recs.forEach((rec, idx) => {
    const n = idx + 1;
    const kind = String.fromCharCode(rec[0]!);
    if (ended) throw fail(n, "records after the end record (9)");
    if (kind === "1") {
      if (header) throw fail(n, "a second header record");
      const typeCode = digits(rec, n, 2, 2, "種別コード");
      if (typeCode !== "91") throw fail(n, `種別コード ${typeCode} is not a direct-debit file (91)`);
      const codeKind = field(rec, 4, 1);
      if (codeKind === "1")
        throw fail(n, "コード区分 1 (EBCDIC) is not supported; ask the bank for the JIS (0) file");
      if (codeKind !== "0") throw fail(n, `unknown コード区分 "${codeKind}"`);
      const debitDate = digits(rec, n, 55, 4, "引落日");
      const mm = Number(debitDate.slice(0, 2));
      const dd = Number(debitDate.slice(2));
      if (mm < 1 || mm > 12 || dd < 1 || dd > 31) throw fail(n, `引落日 ${debitDate} is not a date (MMDD)`);
      header = {
        typeCode,
        codeKind,
        consignorCode: digits(rec, n, 5, 10, "委託者コード"),
        consignorName: field(rec, 15, 40).trimEnd(),
        debitDate,
        bankCode: digits(rec, n, 59, 4, "取引銀行番号"),
        bankName: field(rec, 63, 15).trimEnd(),
        branchCode: digits(rec, n, 78, 3, "取引支店番号"),
        branchName: field(rec, 81, 15).trimEnd(),
        accountType: field(rec, 96, 1),
        accountNumber: field(rec, 97, 7).trim(),
      };
    } else if (kind === "2") {
      if (!header) throw fail(n, "a data record before the header");
      if (trailer) throw fail(n, "a data record after the trailer");
      const resultCode = field(rec, 112, 1);
      const known = RESULT_CODES[resultCode];
      if (!/^\d$/.test(resultCode)) throw fail(n, `振替結果コード must be a digit, got "${resultCode}"`);
      data.push({
        record: n,
        bankCode: digits(rec, n, 2, 4, "引落銀行番号"),
        bankName: field(rec, 6, 15).trimEnd(),
        branchCode: digits(rec, n, 21, 3, "引落支店番号"),
        branchName: field(rec, 24, 15).trimEnd(),
        accountType: field(rec, 43, 1),
        accountNumber: digits(rec, n, 44, 7, "口座番号"),
        accountHolder: field(rec, 51, 30).trimEnd(),
        amount: Number(digits(rec, n, 81, 10, "引落金額")),
        newCode: field(rec, 91, 1),
        customerNumber: field(rec, 92, 20).trim(),
        resultCode,
        result: resultCode === "0" ? "paid" : "failed",
        resultText: known ? known.ja : `その他 (コード ${resultCode})`,
      });
    } else if (kind === "8") {
      if (!header) throw fail(n, "a trailer before the header");
      if (trailer) throw fail(n, "a second trailer record");
      trailer = {
        count: Number(digits(rec, n, 2, 6, "合計件数")),
        amount: Number(digits(rec, n, 8, 12, "合計金額")),
        paidCount: Number(digits(rec, n, 20, 6, "振替済件数")),
        paidAmount: Number(digits(rec, n, 26, 12, "振替済金額")),
        failedCount: Number(digits(rec, n, 38, 6, "振替不能件数")),
        failedAmount: Number(digits(rec, n, 44, 12, "振替不能金額")),
      };
      const sum = (xs: ZenginRecord[]) => xs.reduce((s, r) => s + r.amount, 0);
      const paid = data.filter((r) => r.result === "paid");
      const failed = data.filter((r) => r.result === "failed");
      const checks: [string, number, number][] = [
        ["合計件数", trailer.count, data.length],
        ["合計金額", trailer.amount, sum(data)],
        ["振替済件数", trailer.paidCount, paid.length],
        ["振替済金額", trailer.paidAmount, sum(paid)],
        ["振替不能件数", trailer.failedCount, failed.length],
        ["振替不能金額", trailer.failedAmount, sum(failed)],
      ];
      // A request file (振替依頼データ) has no results yet: its paid and failed counts are all zero.
      if (
        data.length > 0 &&
        trailer.paidCount + trailer.failedCount === 0 &&
        trailer.paidAmount + trailer.failedAmount === 0
      )
        fileKind = "request";
      for (const [name, stated, actual] of fileKind === "request" ? checks.slice(0, 2) : checks)
        if (stated !== actual)
          throw fail(n, `the trailer's ${name} is ${stated} but the data records add up to ${actual}`);
    } else if (kind === "9") {
      if (!trailer) throw fail(n, "the end record before the trailer");
      ended = true;
    } else {
      throw fail(n, `unknown record kind "${kind}" (1 header, 2 data, 8 trailer, 9 end)`);
    }
  });
  if (!header) throw fail(1, "no header record");
  if (!trailer) throw fail(recs.length, "no trailer record (8)");
  if (!ended) throw fail(recs.length, "no end record (9)");
  return { kind: fileKind, header, records: data, trailer };
}

// ---- writing ------------------------------------------------------------------------------------

/**
 * Fills 120-byte records straight into one buffer (no intermediate arrays: a request for 100,000
 * customers is 12 MB written once). Text is JIS 8-bit: ASCII and half-width katakana only.
 */
class RecordWriter {
  readonly buf: Buffer;
  private at = 0;
  constructor(
    records: number,
    private readonly sep: number[],
  ) {
    this.buf = Buffer.alloc(records * (RECORD_LENGTH + sep.length));
  }
  private field(s: string, len: number, name: string, pad: number, right: boolean) {
    let n = 0;
    for (const ch of s) {
      if (!ZENGIN_NAME.test(ch))
        throw new AppError(
          "validation_failed",
          `${name}: "${ch}" is not in the 全銀 character set (0–9, A–Z, ｱ–ﾝ, ﾞ, ﾟ, space and ( ) - .)`,
        );
      n++;
    }
    if (n > len) throw new AppError("validation_failed", `${name}: "${s}" is longer than ${len} bytes`);
    const start = this.at;
    const textAt = right ? start + len - n : start;
    this.buf.fill(pad, start, start + len);
    let o = textAt;
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      this.buf[o++] = cp <= 0x7e ? cp : cp - 0xff61 + 0xa1;
    }
    this.at += len;
  }
  num(v: number | string, len: number, name: string) {
    const s = String(v);
    if (!/^\d+$/.test(s)) throw new AppError("validation_failed", `${name} must be digits, got "${s}"`);
    this.field(s, len, name, 0x30, true);
  }
  txt(v: string, len: number, name: string) {
    this.field(v, len, name, 0x20, false);
  }
  kind(byte: number) {
    this.buf[this.at++] = byte;
  }
  end() {
    for (const b of this.sep) this.buf[this.at++] = b;
  }
}

export interface ZenginWriteInput {
  kind: "request" | "result";
  header: Omit<ZenginHeader, "typeCode" | "codeKind">;
  records: {
    bankCode: string;
    bankName: string;
    branchCode: string;
    branchName: string;
    accountType: string;
    accountNumber: string;
    accountHolder: string;
    amount: number;
    newCode?: string;
    customerNumber: string;
    /** Result files only; "0" paid. */
    resultCode?: string;
  }[];
  /** Separate records with CR LF (default) or not at all. */
  separator?: "crlf" | "none";
}

export function writeZenginDebitFile(input: ZenginWriteInput): Uint8Array {
  const w = new RecordWriter(input.records.length + 3, input.separator === "none" ? [] : [0x0d, 0x0a]);
  const h = input.header;
  w.kind(0x31);
  w.num("91", 2, "種別コード");
  w.num("0", 1, "コード区分");
  w.num(h.consignorCode, 10, "委託者コード");
  w.txt(h.consignorName, 40, "委託者名");
  w.num(h.debitDate, 4, "引落日");
  w.num(h.bankCode, 4, "取引銀行番号");
  w.txt(h.bankName, 15, "取引銀行名");
  w.num(h.branchCode, 3, "取引支店番号");
  w.txt(h.branchName, 15, "取引支店名");
  w.num(h.accountType, 1, "預金種目");
  w.num(h.accountNumber, 7, "口座番号");
  w.txt("", 17, "ダミー");
  w.end();
  let total = 0;
  let paidCount = 0;
  let paidAmount = 0;
  let failedCount = 0;
  let failedAmount = 0;
  for (const r of input.records) {
    if (input.kind === "request" && !(r.amount > 0))
      throw new AppError(
        "validation_failed",
        `a debit request record must ask for more than 0 yen, got ${r.amount}`,
      );
    const code = input.kind === "result" ? (r.resultCode ?? "0") : "0";
    total += r.amount;
    if (input.kind === "result") {
      if (code === "0") {
        paidCount++;
        paidAmount += r.amount;
      } else {
        failedCount++;
        failedAmount += r.amount;
      }
    }
    w.kind(0x32);
    w.num(r.bankCode, 4, "引落銀行番号");
    w.txt(r.bankName, 15, "引落銀行名");
    w.num(r.branchCode, 3, "引落支店番号");
    w.txt(r.branchName, 15, "引落支店名");
    w.txt("", 4, "ダミー");
    w.num(r.accountType, 1, "預金種目");
    w.num(r.accountNumber, 7, "口座番号");
    w.txt(r.accountHolder, 30, "預金者名");
    w.num(r.amount, 10, "引落金額");
    w.num(r.newCode ?? "0", 1, "新規コード");
    w.num(r.customerNumber, 20, "顧客番号");
    w.num(code, 1, "振替結果コード");
    w.txt("", 8, "ダミー");
    w.end();
  }
  w.kind(0x38);
  w.num(input.records.length, 6, "合計件数");
  w.num(total, 12, "合計金額");
  w.num(paidCount, 6, "振替済件数");
  w.num(paidAmount, 12, "振替済金額");
  w.num(failedCount, 6, "振替不能件数");
  w.num(failedAmount, 12, "振替不能金額");
  w.txt("", 65, "ダミー");
  w.end();
  w.kind(0x39);
  w.txt("", 119, "ダミー");
  w.end();
  return w.buf;
}

// ---- the 全銀 character set for names -----------------------------------------------------------

const FULL_KANA =
  "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン";
const HALF_KANA = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝ";
const TO_HALF = new Map<string, string>();
for (let i = 0; i < FULL_KANA.length; i++) TO_HALF.set(FULL_KANA[i]!, HALF_KANA[i]!);
for (const [full, base] of [
  ["ガギグゲゴザジズゼゾダヂヅデドバビブベボ", "カキクケコサシスセソタチツテトハヒフヘホ"],
] as const)
  for (let i = 0; i < full.length; i++) TO_HALF.set(full[i]!, `${TO_HALF.get(base[i]!)}ﾞ`);
for (const [i, ch] of [..."パピプペポ"].entries()) TO_HALF.set(ch, `${HALF_KANA[25 + i]}ﾟ`);
TO_HALF.set("ヴ", "ｳﾞ");
// ｦ is not in the banks' set: ヲ is written ｵ, as banks do.
TO_HALF.set("ヲ", "ｵ");
TO_HALF.set("ｦ", "ｵ");
// Bank account names are written with large kana only (ｷﾖｳｺ for キョウコ).
const LARGE = "アイウエオツヤユヨワカケイエ";
for (const [i, small] of [..."ァィゥェォッャュョヮヵヶヰヱ"].entries())
  TO_HALF.set(small, TO_HALF.get(LARGE[i]!)!);
for (const [ch, to] of <[string, string][]>[
  ["ー", "-"],
  ["‐", "-"],
  ["−", "-"],
  ["―", "-"],
  ["・", "."],
  ["。", "."],
  ["゛", "ﾞ"],
  ["゜", "ﾟ"],
])
  TO_HALF.set(ch, to);

/**
 * What a name in a 全銀 record may hold, as banks accept it: 0–9, A–Z, ｱ–ﾝ, ﾞ, ﾟ, space and ( ) - .
 * A bank or branch name: the same with `-` as its only symbol. No `,` (allowed in no field), no ｦ ｢ ｣
 * \ / (refused by banks).
 */
const ZENGIN_NAME = /^[0-9A-Z\uFF71-\uFF9F ().-]*$/;
const ZENGIN_BANK_NAME = /^[0-9A-Z\uFF71-\uFF9F -]*$/;

/**
 * A name as the bank file needs it: full-width or hiragana kana become half-width katakana (small
 * kana large, ガ → ｶﾞ), full-width letters and digits half-width, letters upper case. Anything else
 * (漢字 above all) is refused with the character named; the result must fit `bytes`.
 */
export function zenginName(
  value: string,
  bytes: number,
  name: string,
  kind: "name" | "bank" = "name",
): string {
  const folded = value.normalize("NFKC").trim();
  let out = "";
  for (const ch of folded) {
    const cp = ch.codePointAt(0)!;
    // Hiragana → katakana, then through the table.
    const kata = cp >= 0x3041 && cp <= 0x3096 ? String.fromCodePoint(cp + 0x60) : ch;
    out += TO_HALF.get(kata) ?? kata.toUpperCase();
  }
  out = out.replace(/ {2,}/g, " ");
  const allowed = kind === "bank" ? ZENGIN_BANK_NAME : ZENGIN_NAME;
  const bad = [...out].find((c) => !allowed.test(c));
  if (bad !== undefined)
    throw new AppError(
      "validation_failed",
      `${name}: "${bad}" cannot be sent to the bank; write the name in kana as the bank has it (e.g. ﾔﾏﾀﾞ ﾀﾛｳ, ｶ)ｳﾝﾖｳ)`,
      { details: { [name]: ["zengin_charset"], char: bad } },
    );
  if (out === "")
    throw new AppError("validation_failed", `${name} is empty`, { details: { [name]: ["required"] } });
  if (out.length > bytes)
    throw new AppError(
      "validation_failed",
      `${name}: "${out}" is ${out.length} characters in the bank file, longer than its ${bytes}`,
      { details: { [name]: ["too_long"] } },
    );
  return out;
}
