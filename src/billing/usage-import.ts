/**
 * Cloud usage files for the pass-through of the monthly usage fee (月間利用費, Art. 29(1)(3)):
 * the AWS Cost and Usage Report (legacy CUR column names and CUR 2.0 / Data Exports names), plain or
 * gzip, read as a stream record by record (csv-parse); and a generic CSV for any other cloud or rental
 * server.
 * Amounts stay exact decimals (BigInt in 10^-10 units) until converted to yen once.
 */
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { type CsvError, type Options, parse } from "csv-parse";
import type { IsoMonth } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from "../core/text.ts";
import { TAX_CATEGORIES, type TaxCategory } from "./types.ts";

const SCALE = 10n ** 10n;

function toUnits(v: string, where: string): bigint {
  const m = /^\s*(-?)(\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?\s*$/.exec(v);
  if (!m || (m[2] === "" && m[3] === undefined))
    throw new AppError("validation_failed", `${where}: "${v}" is not a number`);
  let intPart = m[2] || "0";
  let frac = m[3] ?? "";
  let exp = Number(m[4] ?? 0);
  // Apply a scientific exponent by moving the decimal point.
  while (exp > 0) {
    intPart += frac[0] ?? "0";
    frac = frac.slice(1);
    exp--;
  }
  while (exp < 0) {
    frac = (intPart.slice(-1) || "0") + frac;
    intPart = intPart.slice(0, -1) || "0";
    exp++;
  }
  const f = (frac + "0".repeat(10)).slice(0, 10);
  const units = BigInt(intPart) * SCALE + BigInt(f);
  return m[1] ? -units : units;
}

function fromUnits(u: bigint): string {
  const neg = u < 0n;
  const a = neg ? -u : u;
  const frac = (a % SCALE).toString().padStart(10, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${a / SCALE}${frac ? `.${frac}` : ""}`;
}

/** amount × rate in yen, rounded once (exact decimals). */
export function toYen(amount: string, rate: string, rounding: "half-up" | "down" | "up" = "half-up"): number {
  const a = toUnits(amount, "amount");
  const r = toUnits(rate, "rate");
  if (r <= 0n) throw new AppError("validation_failed", `rate must be positive, got ${rate}`);
  const product = a * r; // scaled by 10^20
  const unit = SCALE * SCALE;
  const neg = product < 0n;
  const abs = neg ? -product : product;
  let q = abs / unit;
  const rem = abs % unit;
  if (rounding === "up" && rem > 0n) q += 1n;
  if (rounding === "half-up" && rem * 2n >= unit) q += 1n;
  return Number(neg ? -q : q);
}

// ---- RFC 4180 reading, streamed --------------------------------------------------------------------

/** A whole file (up to 256 MiB) goes to the parser in slices, so that it holds a slice's rows at a time. */
const SLICE = 64 * 1024;

async function* bytesOf(input: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<Uint8Array> {
  if (input instanceof Uint8Array)
    for (let i = 0; i < input.length; i += SLICE) yield input.subarray(i, i + SLICE);
  else yield* input;
}

/** Transparently gunzip when the first bytes are the gzip magic. */
async function* maybeGunzip(src: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  const first = await src.next();
  if (first.done) return;
  const head = first.value;
  if (head[0] === 0x1f && head[1] === 0x8b) {
    const gz = createGunzip();
    const feed = (async () => {
      gz.write(head);
      for await (const c of { [Symbol.asyncIterator]: () => src })
        if (!gz.write(c)) await new Promise((r) => gz.once("drain", r));
      gz.end();
    })();
    feed.catch((err) => gz.destroy(err));
    try {
      for await (const c of gz) yield c as Uint8Array;
    } catch (err) {
      throw new AppError("validation_failed", `the gzip file is damaged: ${(err as Error).message}`);
    }
    await feed;
  } else {
    yield head;
    for await (const c of { [Symbol.asyncIterator]: () => src }) yield c;
  }
}

/**
 * The UTF-8 byte order mark dropped, however the first bytes are split. Not csv-parse's `bom` option:
 * it also takes FF FE for UTF-16 and reads the file so, and these files are read as UTF-8.
 */
async function* withoutBom(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let head: Uint8Array | undefined = new Uint8Array(0);
  for await (const chunk of src) {
    if (!head) {
      yield chunk;
      continue;
    }
    head = Buffer.concat([head, chunk]);
    if (head.length < 3) continue;
    yield head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    head = undefined;
  }
  if (head?.length) yield head;
}

export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * Rows of an RFC 4180 CSV (quoted fields with commas, newlines and "" escapes; UTF-8 BOM; CRLF, LF or
 * CR, mixed), each with the line it starts on, read by csv-parse as the bytes arrive. As lenient as the
 * files we get: a quote inside an unquoted field is text (27" monitor), rows may differ in width (a
 * missing field reads as empty), blank lines and lines of a lone "" are skipped. A quoted field left
 * open at the end is refused naming the line it starts on.
 */
export async function* csvRows(input: AsyncIterable<Uint8Array> | Uint8Array): AsyncGenerator<CsvRow> {
  // The line a record starts on: the line after the previous record, its newlines and the empty lines
  // skipped since. Counted here, not taken from csv-parse's `info.lines`, which counts a CRLF inside a
  // quoted field as two lines. Only LF counts inside a quoted field (CRLF once, a lone CR not at all).
  let next = 1;
  let skipped = 0;
  const startOf = (emptyLines: number) => next + emptyLines - skipped;
  // A quoted field left open is the one error csv-parse can raise with these options. Taken by on_skip
  // rather than as a stream error, so that the rows before it are read first, as they are written.
  let unclosed: CsvError | undefined;
  const options: Options<CsvRow, string[]> = {
    record_delimiter: ["\r\n", "\n", "\r"],
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      unclosed ??= err;
    },
    on_record: (fields: string[], { empty_lines }) => {
      const line = startOf(empty_lines);
      let newlines = 0;
      for (const f of fields) for (let i = f.indexOf("\n"); i >= 0; i = f.indexOf("\n", i + 1)) newlines++;
      next = line + newlines + 1;
      skipped = empty_lines;
      return fields.length === 1 && fields[0] === "" ? null : { line, fields };
    },
  };
  // The typings' non-generic overload wants on_record to return the array it is given.
  const parser = parse(options as unknown as Options);
  // A damaged gzip reaches the reader through the parser, which pipeline destroys with the source's error.
  pipeline(Readable.from(withoutBom(maybeGunzip(bytesOf(input)))), parser, () => {});
  let header = true;
  for await (const row of parser) {
    const r = row as CsvRow;
    // A data row with a control character is refused before it reaches an importer, so nothing of the
    // file is written (PostgreSQL refuses NUL). The header is left to the importer, which names the
    // columns it misses (a UTF-16 file read as UTF-8 is "not a report", not "a NUL on line 1").
    if (!header && r.fields.some(hasControlCharacter))
      throw new AppError("validation_failed", `line ${r.line}: ${CONTROL_CHARACTER_MESSAGE}`, {
        details: { line: r.line },
      });
    header = false;
    yield r;
  }
  if (unclosed?.code === "CSV_QUOTE_NOT_CLOSED")
    throw new AppError(
      "validation_failed",
      `line ${startOf(unclosed.empty_lines as number)}: a quoted field is not closed`,
    );
  if (unclosed) throw unclosed;
}

// ---- AWS Cost and Usage Report ----------------------------------------------------------------------

const AWS_COLUMNS = {
  period: ["bill/BillingPeriodStartDate", "bill_billing_period_start_date"],
  account: ["lineItem/UsageAccountId", "line_item_usage_account_id"],
  type: ["lineItem/LineItemType", "line_item_line_item_type"],
  cost: ["lineItem/UnblendedCost", "line_item_unblended_cost"],
  currency: ["lineItem/CurrencyCode", "line_item_currency_code"],
  product: ["lineItem/ProductCode", "line_item_product_code"],
  productName: ["product/ProductName", "product_product_name"],
} as const;

/** Line item types passed through; Tax is excluded (the provider charges consumption tax itself, Art. 34). */
export const AWS_INCLUDED_TYPES = new Set([
  "Usage",
  "DiscountedUsage",
  "SavingsPlanCoveredUsage",
  "SavingsPlanNegation",
  "SavingsPlanRecurringFee",
  "SavingsPlanUpfrontFee",
  "RIFee",
  "Fee",
  "Credit",
  "Refund",
  "BundledDiscount",
  "Discount",
  "EdpDiscount",
  "PrivateRateDiscount",
  "DistributorDiscount",
]);

export interface UsageTotal {
  account: string;
  month: IsoMonth;
  currency: string;
  productCode: string;
  productName: string;
  /** Exact decimal. */
  amount: string;
}

export interface AwsCurImport {
  source: "aws-cur";
  lines: number;
  excluded: Record<string, number>;
  totals: UsageTotal[];
}

export async function parseAwsCur(input: AsyncIterable<Uint8Array> | Uint8Array): Promise<AwsCurImport> {
  let idx: Record<keyof typeof AWS_COLUMNS, number> | undefined;
  const sums = new Map<string, { t: Omit<UsageTotal, "amount">; units: bigint }>();
  const excluded: Record<string, number> = {};
  let lines = 0;
  for await (const { line, fields } of csvRows(input)) {
    if (!idx) {
      const find = (names: readonly string[]) => fields.findIndex((f) => names.includes(f.trim()));
      const found = Object.fromEntries(
        Object.entries(AWS_COLUMNS).map(([k, names]) => [k, find(names)]),
      ) as Record<keyof typeof AWS_COLUMNS, number>;
      const missing = (["period", "account", "type", "cost", "currency"] as const).filter(
        (k) => found[k] < 0,
      );
      if (missing.length)
        throw new AppError(
          "validation_failed",
          `line 1: not an AWS Cost and Usage Report: missing column(s) ${missing.map((k) => AWS_COLUMNS[k].join(" or ")).join(", ")}`,
        );
      idx = found;
      continue;
    }
    lines++;
    const get = (k: keyof typeof AWS_COLUMNS) => (idx![k] >= 0 ? (fields[idx![k]] ?? "").trim() : "");
    const type = get("type");
    if (!AWS_INCLUDED_TYPES.has(type)) {
      excluded[type || "(empty)"] = (excluded[type || "(empty)"] ?? 0) + 1;
      continue;
    }
    const period = get("period");
    const month = /^(\d{4}-\d{2})/.exec(period)?.[1];
    if (!month)
      throw new AppError("validation_failed", `line ${line}: billing period start "${period}" is not a date`);
    const account = get("account");
    if (!account) throw new AppError("validation_failed", `line ${line}: usage account id is empty`);
    const currency = get("currency") || "USD";
    const productCode = get("product");
    const units = toUnits(get("cost") || "0", `line ${line} unblended cost`);
    const key = `${account}|${month}|${currency}|${productCode}`;
    const s = sums.get(key);
    if (s) s.units += units;
    else
      sums.set(key, { t: { account, month, currency, productCode, productName: get("productName") }, units });
  }
  if (!idx) throw new AppError("validation_failed", "the file is empty");
  const totals = [...sums.values()]
    .map((s) => ({ ...s.t, amount: fromUnits(s.units) }))
    .sort((a, b) => (a.account + a.month + a.productCode).localeCompare(b.account + b.month + b.productCode));
  return { source: "aws-cur", lines, excluded, totals };
}

// ---- the generic CSV -------------------------------------------------------------------------------

export const GENERIC_COLUMNS = [
  "contract_number",
  "month",
  "description",
  "amount",
  "currency",
  "tax_category",
] as const;

export interface GenericUsageRow {
  line: number;
  contractNumber: string;
  month: IsoMonth;
  description: string;
  amount: string;
  currency: string;
  taxCategory: TaxCategory;
}

export async function parseGenericUsageAsync(
  input: AsyncIterable<Uint8Array> | Uint8Array,
): Promise<{ rows: GenericUsageRow[] }> {
  let idx: Record<string, number> | undefined;
  const rows: GenericUsageRow[] = [];
  for await (const { line, fields } of csvRows(input)) {
    if (!idx) {
      const names = fields.map((f) => f.trim().toLowerCase());
      idx = Object.fromEntries(GENERIC_COLUMNS.map((c) => [c, names.indexOf(c)]));
      const missing = ["contract_number", "month", "description", "amount"].filter((c) => idx![c]! < 0);
      if (missing.length)
        throw new AppError(
          "validation_failed",
          `line 1: the header lacks ${missing.join(", ")} (columns: ${GENERIC_COLUMNS.join(",")})`,
        );
      continue;
    }
    const get = (c: string) => (idx![c]! >= 0 ? (fields[idx![c]!] ?? "").trim() : "");
    const err = (m: string) => new AppError("validation_failed", `line ${line}: ${m}`, { details: { line } });
    const contractNumber = get("contract_number");
    if (!contractNumber) throw err("contract_number is empty");
    const month = get("month");
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw err(`month "${month}" is not YYYY-MM`);
    const description = get("description");
    if (!description || description.length > 200)
      throw err("description is empty or longer than 200 characters");
    const amount = get("amount");
    toUnits(amount, `line ${line} amount`);
    const currency = (get("currency") || "JPY").toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) throw err(`currency "${currency}" is not an ISO 4217 code`);
    const tax = get("tax_category") || "10";
    if (!(TAX_CATEGORIES as readonly string[]).includes(tax))
      throw err(`tax_category "${tax}" is not one of ${TAX_CATEGORIES.join(", ")}`);
    rows.push({
      line,
      contractNumber,
      month,
      description,
      amount,
      currency,
      taxCategory: tax as TaxCategory,
    });
  }
  if (!idx) throw new AppError("validation_failed", "the file is empty");
  return { rows };
}
