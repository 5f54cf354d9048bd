/**
 * The month's journal entries (`journal.ts`) in the import formats of 弥生会計, freee and マネーフォワード
 * クラウド会計. Each column is documented in docs/BILLING-FORMATS.md ("Journal exports"), with the
 * vendor's page it follows. All three: CRLF, RFC 4180 quoting, text cells that a spreadsheet would
 * read as a formula written with a leading `'` (as every CSV of Unyo, `core/csv.ts`), amounts whole
 * yen and positive, the tax amount always stated (never left to the software to compute).
 */
import { stringify } from "csv-stringify/sync";
import iconv from "iconv-lite";
import { type Cell, spreadsheetSafe } from "../core/csv.ts";
import type { JournalEntry, JournalSide } from "./journal.ts";
import type { JournalFormat, JournalFormatSettings } from "./journal-schemas.ts";

/** 弥生インポート形式: 25 columns, no header (support.yayoi-kk.co.jp page_id=18545). */
export const YAYOI_COLUMNS = [
  "識別フラグ",
  "伝票No.",
  "決算",
  "取引日付",
  "借方勘定科目",
  "借方補助科目",
  "借方部門",
  "借方税区分",
  "借方金額",
  "借方税金額",
  "貸方勘定科目",
  "貸方補助科目",
  "貸方部門",
  "貸方税区分",
  "貸方金額",
  "貸方税金額",
  "摘要",
  "番号",
  "期日",
  "タイプ",
  "生成元",
  "仕訳メモ",
  "付箋1",
  "付箋2",
  "調整",
] as const;

/** freee 仕訳インポート (汎用形式, registered as 振替伝票): a header row the import maps by name. */
export const FREEE_COLUMNS = [
  "日付",
  "伝票番号",
  "決算整理仕訳",
  "借方勘定科目",
  "借方取引先",
  "借方税区分",
  "借方金額",
  "借方税額",
  "貸方勘定科目",
  "貸方取引先",
  "貸方税区分",
  "貸方金額",
  "貸方税額",
  "摘要",
] as const;

/** マネーフォワード クラウド会計 仕訳帳インポート: the sample format's header row, columns A–AA. */
export const MONEYFORWARD_COLUMNS = [
  "取引No",
  "取引日",
  "借方勘定科目",
  "借方補助科目",
  "借方部門",
  "借方取引先",
  "借方税区分",
  "借方インボイス",
  "借方金額(円)",
  "借方税額",
  "貸方勘定科目",
  "貸方補助科目",
  "貸方部門",
  "貸方取引先",
  "貸方税区分",
  "貸方インボイス",
  "貸方金額(円)",
  "貸方税額",
  "摘要",
  "仕訳メモ",
  "タグ",
  "MF仕訳タイプ",
  "決算整理仕訳",
  "作成日時",
  "作成者",
  "最終更新日時",
  "最終更新者",
] as const;

export const JOURNAL_COLUMNS: Record<JournalFormat, readonly string[]> = {
  yayoi: YAYOI_COLUMNS,
  freee: FREEE_COLUMNS,
  moneyforward: MONEYFORWARD_COLUMNS,
};

/** YYYY/MM/DD, the form all three imports take. */
const slashDate = (d: string) => d.replaceAll("-", "/");

function names(s: JournalFormatSettings, side: JournalSide) {
  const tax =
    side.tax.kind === "none"
      ? s.noTax
      : side.tax.kind === "sale"
        ? s.salesTax[side.tax.category]
        : s.returnTax[side.tax.category];
  return { account: s.accounts[side.account], tax };
}

function yayoiRow(s: JournalFormatSettings, e: JournalEntry): Cell[] {
  const side = (x: JournalSide): Cell[] => {
    const n = names(s, x);
    // 売掛金's 補助科目 is the customer (得意先), as 弥生 keeps receivables per customer.
    return [
      n.account,
      x.account === "receivable" ? x.counterparty : null,
      null,
      n.tax,
      e.amount,
      x.taxAmount,
    ];
  };
  return [
    "2000", // 伝票以外の仕訳データ (one line, one entry)
    null,
    null,
    slashDate(e.date),
    ...side(e.debit),
    ...side(e.credit),
    e.description,
    e.source,
    null,
    "0", // タイプ: 仕訳データ
    null,
    null,
    "0",
    "0",
    "no",
  ];
}

function freeeRow(s: JournalFormatSettings, e: JournalEntry, no: number): Cell[] {
  const side = (x: JournalSide): Cell[] => {
    const n = names(s, x);
    return [n.account, x.counterparty, n.tax, e.amount, x.taxAmount];
  };
  return [slashDate(e.date), no, null, ...side(e.debit), ...side(e.credit), e.description];
}

function moneyforwardRow(s: JournalFormatSettings, e: JournalEntry, no: number): Cell[] {
  const side = (x: JournalSide): Cell[] => {
    const n = names(s, x);
    // インボイス (適格 / 80%控除 …) qualifies purchases for 仕入税額控除; a sale or a return carries none.
    return [n.account, null, null, x.counterparty, n.tax, null, e.amount, x.taxAmount];
  };
  return [
    no,
    slashDate(e.date),
    ...side(e.debit),
    ...side(e.credit),
    e.description,
    e.source,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
  ];
}

function csv(rows: Cell[][]): string {
  return stringify(
    rows.map((r) => r.map(spreadsheetSafe)),
    { record_delimiter: "\r\n", quote_record_delimiter: true },
  );
}

/**
 * Characters Unicode and Windows-31J (cp932, what "Shift_JIS" means to Windows software) map
 * differently: the JIS forms are written as the cp932 forms a Windows program shows the same way.
 */
const TO_CP932: Record<string, string> = {
  "\u301C": "\uFF5E", // 〜 WAVE DASH → ～
  "\u2016": "\u2225", // ‖
  "\u2212": "\uFF0D", // − MINUS SIGN → －
  "\u00A2": "\uFFE0",
  "\u00A3": "\uFFE1",
  "\u00AC": "\uFFE2",
  "\u2014": "\u2015", // — EM DASH → ―
};
/** What a character cp932 cannot hold becomes (〓, the customary 代替文字). */
export const CP932_REPLACEMENT = "〓";
const representable = new Map<string, boolean>();

/** Text as Windows-31J bytes; characters outside it become 〓 rather than a silent "?". */
export function cp932(text: string): Buffer {
  let out = "";
  for (const ch of text) {
    const c = TO_CP932[ch] ?? ch;
    let ok = representable.get(c);
    if (ok === undefined) {
      ok = c === "?" || iconv.encode(c, "cp932").toString("latin1") !== "?";
      representable.set(c, ok);
    }
    out += ok ? c : CP932_REPLACEMENT;
  }
  return iconv.encode(out, "cp932");
}

export interface JournalFile {
  bytes: Buffer;
  contentType: string;
  fileName: string;
}

/** One month's entries as the format's import file. */
export function journalFile(
  format: JournalFormat,
  settings: JournalFormatSettings,
  entries: JournalEntry[],
  month: string,
): JournalFile {
  const fileName = `journal-${format}-${month}.csv`;
  switch (format) {
    case "yayoi":
      return {
        bytes: cp932(csv(entries.map((e) => yayoiRow(settings, e)))),
        contentType: "text/csv; charset=Shift_JIS",
        fileName,
      };
    case "freee":
      return {
        bytes: Buffer.from(
          `\uFEFF${csv([[...FREEE_COLUMNS], ...entries.map((e, i) => freeeRow(settings, e, i + 1))])}`,
          "utf8",
        ),
        contentType: "text/csv; charset=utf-8",
        fileName,
      };
    case "moneyforward":
      return {
        bytes: cp932(
          csv([[...MONEYFORWARD_COLUMNS], ...entries.map((e, i) => moneyforwardRow(settings, e, i + 1))]),
        ),
        contentType: "text/csv; charset=Shift_JIS",
        fileName,
      };
  }
}
