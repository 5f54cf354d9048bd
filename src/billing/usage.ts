/**
 * Cloud usage pass-through (月間利用費, Art. 29(1)(3)): imported cost files become one-off usage
 * charges on the contract's next invoice. Idempotent: the same account and month (AWS) or the same
 * file line (generic) updates its pending charge, and never touches one already invoiced.
 */
import { createHash } from "node:crypto";
import type { Actor } from "../audit/service.ts";
import { idsByNumber } from "../contracts/store.ts";
import type { Deps } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import type { Tx } from "../db/db.ts";
import { addChargeIn } from "./charges.ts";
import { chargeBySourceKey, updateChargeAmount } from "./store/charges.ts";
import { accountsOf } from "./store/cloud.ts";
import type { TaxCategory } from "./types.ts";
import { parseAwsCur, parseGenericUsageAsync, toYen } from "./usage-import.ts";

const SCALE = 10n ** 10n;

/** Exact sum of decimal strings (up to 10 fractional digits). */
export function sumDecimals(values: string[]): string {
  let total = 0n;
  for (const v of values) {
    const m = /^(-?)(\d+)(?:\.(\d{1,10}))?$/.exec(v.trim());
    if (!m) throw new AppError("validation_failed", `not a decimal amount: "${v}"`);
    const units = BigInt(m[2]!) * SCALE + BigInt((m[3] ?? "").padEnd(10, "0"));
    total += m[1] ? -units : units;
  }
  const neg = total < 0n;
  const abs = neg ? -total : total;
  const frac = (abs % SCALE).toString().padStart(10, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${abs / SCALE}${frac ? `.${frac}` : ""}`;
}

interface UsageCharge {
  contractId: string;
  month: string;
  description: string;
  descriptionEn: string | null;
  yen: number;
  taxCategory: TaxCategory;
  sourceKey: string;
  note: string;
  noteJa: string;
  details: unknown;
}

export async function importUsage(
  deps: Pick<Deps, "db" | "clock">,
  actor: Actor,
  input: { format: "aws-cur" | "generic"; bytes: Uint8Array; rate?: string; name?: string },
) {
  const charges: UsageCharge[] = [];
  const unmapped: string[] = [];
  let lines = 0;
  let excluded: Record<string, number> = {};
  if (input.format === "aws-cur") {
    const parsed = await parseAwsCur(input.bytes);
    lines = parsed.lines;
    excluded = parsed.excluded;
    const accounts = await accountsOf(deps.db, "aws");
    const groups = new Map<
      string,
      {
        account: string;
        month: string;
        currency: string;
        amounts: string[];
        products: Record<string, string>;
      }
    >();
    for (const t of parsed.totals) {
      const key = `${t.account}|${t.month}|${t.currency}`;
      const g = groups.get(key) ?? {
        account: t.account,
        month: t.month,
        currency: t.currency,
        amounts: [],
        products: {},
      };
      g.amounts.push(t.amount);
      g.products[t.productName || t.productCode] = t.amount;
      groups.set(key, g);
    }
    for (const g of groups.values()) {
      const contractId = accounts.get(g.account);
      if (!contractId) {
        if (!unmapped.includes(g.account)) unmapped.push(g.account);
        continue;
      }
      const rate = rateFor(g.currency, input.rate);
      const amount = sumDecimals(g.amounts);
      const yen = toYen(amount, rate);
      charges.push({
        contractId,
        month: g.month,
        description: `AWS利用料 ${g.month} (アカウント ${g.account})`,
        descriptionEn: `AWS usage ${g.month} (account ${g.account})`,
        yen,
        taxCategory: "10",
        sourceKey: `usage:aws:${g.account}:${g.month}:${g.currency}`,
        note: `AWS Cost and Usage Report: ${amount} ${g.currency}${g.currency === "JPY" ? "" : ` × ${rate} JPY`} = ${yen} yen, passed through as the monthly usage fee (Art. 29(1)(3)); AWS tax lines excluded, consumption tax charged on this invoice (Art. 34).`,
        noteJa: `AWS コストと使用状況レポート: ${amount} ${g.currency}${g.currency === "JPY" ? "" : ` × ${rate} 円`} = ${yen.toLocaleString("ja-JP")}円を月間の利用料としてそのまま請求します(第29条第1項第3号)。AWS の税額の行は除き、消費税は本請求書で計算します(第34条)。`,
        details: {
          account: g.account,
          currency: g.currency,
          amount,
          rate,
          products: g.products,
          file: input.name ?? null,
        },
      });
    }
  } else {
    const parsed = await parseGenericUsageAsync(input.bytes);
    const fileHash = createHash("sha256").update(input.bytes).digest("hex").slice(0, 16);
    const numbers = [...new Set(parsed.rows.map((r) => r.contractNumber))];
    const contracts = await idsByNumber(deps.db, numbers);
    lines = parsed.rows.length;
    for (const r of parsed.rows) {
      const contractId = contracts.get(r.contractNumber);
      if (!contractId) {
        if (!unmapped.includes(r.contractNumber)) unmapped.push(r.contractNumber);
        continue;
      }
      const rate = rateFor(r.currency, input.rate);
      const yen = toYen(r.amount, rate);
      charges.push({
        contractId,
        month: r.month,
        description: r.description,
        descriptionEn: null,
        yen,
        taxCategory: r.taxCategory,
        sourceKey: `usage:generic:${fileHash}:${r.line}`,
        note: `Usage file line ${r.line}: ${r.amount} ${r.currency}${r.currency === "JPY" ? "" : ` × ${rate} JPY`} = ${yen} yen, passed through as the monthly usage fee (Art. 29(1)(3)).`,
        noteJa: `利用量ファイル ${r.line} 行目: ${r.amount} ${r.currency}${r.currency === "JPY" ? "" : ` × ${rate} 円`} = ${yen.toLocaleString("ja-JP")}円を月間の利用料としてそのまま請求します(第29条第1項第3号)。`,
        details: { line: r.line, amount: r.amount, currency: r.currency, rate, file: input.name ?? null },
      });
    }
  }
  if (unmapped.length > 0 && charges.length === 0)
    throw new AppError(
      "validation_failed",
      `no row of the file belongs to a known ${input.format === "aws-cur" ? "linked AWS account" : "contract number"}: ${unmapped.slice(0, 10).join(", ")}`,
      { details: { unmapped } },
    );
  let created = 0;
  let updated = 0;
  const alreadyInvoiced: string[] = [];
  await deps.db.transaction().execute(async (tx: Tx) => {
    for (const c of charges) {
      const existing = await chargeBySourceKey(tx, c.sourceKey);
      if (existing?.invoice_id) {
        if (existing.amount !== c.yen) alreadyInvoiced.push(c.sourceKey);
        continue;
      }
      if (existing) {
        if (existing.amount !== c.yen) {
          await updateChargeAmount(tx, existing.id, c.yen, c.note, c.noteJa, c.details);
          updated++;
        }
        continue;
      }
      await addChargeIn(deps, tx, actor, c.contractId, {
        month: c.month,
        kind: "usage",
        itemCode: "cloud-usage",
        description: c.description,
        descriptionEn: c.descriptionEn,
        taxCategory: c.taxCategory,
        unitPrice: c.yen,
        article: "29(1)(3)",
        note: c.note,
        noteJa: c.noteJa,
        sourceKey: c.sourceKey,
        details: c.details,
      });
      created++;
    }
  });
  return {
    format: input.format,
    lines,
    excluded,
    created,
    updated,
    unchanged: charges.length - created - updated - alreadyInvoiced.length,
    alreadyInvoiced,
    unmapped,
  };
}

function rateFor(currency: string, rate: string | undefined): string {
  if (currency === "JPY") return "1";
  if (!rate)
    throw new AppError(
      "validation_failed",
      `the file is in ${currency}: give rate= (JPY per ${currency}) to convert it to yen`,
      { article: "29(1)", details: { rate: ["required"] } },
    );
  return rate;
}
