/** 消費税 (Art. 34): totals and tax per rate, rounded once per rate per invoice; the qualified-invoice registration number. */

import { type Basis, cite, type Explained } from "../../core/citations.ts";
import { corporateNumberCheckDigit } from "../../core/corporate-number.ts";
import type { InvoiceTotals, RateTotal, TaxCategory, TaxRounding } from "../types.ts";
import { bad, fmt, yenInput } from "./common.ts";

// ---- Art. 34: 消費税, qualified invoice totals -----------------------------------------------------

const RATE: Record<TaxCategory, number> = { "10": 10, "8": 8, exempt: 0, "out-of-scope": 0 };
const CATEGORY_ORDER: TaxCategory[] = ["10", "8", "exempt", "out-of-scope"];
const CATEGORY_TEXT: Record<TaxCategory, string> = {
  "10": "10 % (standard rate)",
  "8": "8 % (reduced rate)",
  exempt: "exempt",
  "out-of-scope": "out of scope",
};
const CATEGORY_TEXT_JA: Record<TaxCategory, string> = {
  "10": "標準税率10%",
  "8": "軽減税率8%",
  exempt: "非課税",
  "out-of-scope": "不課税",
};
/** 端数処理 in the Japanese texts: "…の1円未満を切り捨てて". */
const ROUNDING_JA: Record<TaxRounding, string> = {
  down: "切り捨てて",
  up: "切り上げて",
  "half-up": "四捨五入して",
};

function roundTax(net: number, rate: number, rounding: TaxRounding): number {
  const sign = net < 0 ? -1n : 1n;
  const scaled = BigInt(Math.abs(net)) * BigInt(rate); // tax × 100
  let q = scaled / 100n;
  const r = scaled % 100n;
  if (rounding === "up" && r > 0n) q += 1n;
  if (rounding === "half-up" && r >= 50n) q += 1n;
  return Number(sign * q);
}

export function invoiceTax(
  lines: { amount: number; taxCategory: TaxCategory }[],
  rounding: TaxRounding = "down",
): Explained<InvoiceTotals> {
  const nets = new Map<TaxCategory, number>();
  for (const l of lines) {
    yenInput(l.amount, "line amount", "34", true);
    if (!Object.hasOwn(RATE, l.taxCategory))
      throw bad(`unknown tax category "${l.taxCategory}" (10, 8, exempt, out-of-scope)`, "34");
    nets.set(l.taxCategory, (nets.get(l.taxCategory) ?? 0) + l.amount);
  }
  const byRate: RateTotal[] = [];
  const basis: Basis[] = [];
  for (const category of CATEGORY_ORDER) {
    const net = nets.get(category);
    if (net === undefined) continue;
    const tax = RATE[category] > 0 ? roundTax(net, RATE[category], rounding) : 0;
    byRate.push({ category, net, tax });
    basis.push(
      cite(
        "34",
        RATE[category] > 0
          ? `${CATEGORY_TEXT[category]}: lines total ${fmt(net)} yen; consumption tax ${fmt(net)} × ${RATE[category]} % rounded ${rounding} once for the invoice = ${fmt(tax)} yen.`
          : `${CATEGORY_TEXT[category]}: lines total ${fmt(net)} yen; no consumption tax${category === "out-of-scope" ? " (e.g. late fees, Art. 33)" : ""}.`,
        RATE[category] > 0
          ? `${CATEGORY_TEXT_JA[category]}：明細の合計は${fmt(net)}円、消費税は ${fmt(net)} × ${RATE[category]}% の1円未満を請求書ごとに1回${ROUNDING_JA[rounding]} ${fmt(tax)}円です。`
          : `${CATEGORY_TEXT_JA[category]}：明細の合計は${fmt(net)}円、消費税はかかりません${category === "out-of-scope" ? "（遅延損害金など、第33条）" : ""}。`,
      ),
    );
  }
  const net = byRate.reduce((s, r) => s + r.net, 0);
  const tax = byRate.reduce((s, r) => s + r.tax, 0);
  basis.push(
    cite(
      "34",
      `Qualified invoice: totals and tax per rate, tax rounded once per rate per invoice. Total ${fmt(net)} + tax ${fmt(tax)} = ${fmt(net + tax)} yen.`,
      `適格請求書として、税率ごとに合計額と消費税額を記載し、消費税の端数処理は請求書ごとに税率ごとに1回行います。税抜合計 ${fmt(net)} + 消費税 ${fmt(tax)} = ${fmt(net + tax)}円です。`,
    ),
  );
  return { result: { byRate, net, tax, total: net + tax }, basis };
}

// ---- qualified-invoice registration number -----------------------------------------------------------

export interface RegistrationNumberCheck {
  number: string;
  valid: boolean;
  checkDigit: number;
  expectedCheckDigit: number;
}

export { DEMO_REGISTRATION_NUMBER, isDemoRegistrationNumber } from "../demo-number.ts";

export function registrationNumber(text: string): Explained<RegistrationNumberCheck> {
  if (!/^T\d{13}$/.test(text))
    throw bad(`a registration number is "T" followed by 13 digits, got "${text}"`, "34");
  const digits = text.slice(1);
  const expected = corporateNumberCheckDigit(digits.slice(1));
  const checkDigit = Number(digits[0]);
  const valid = expected === checkDigit;
  return {
    result: { number: text, valid, checkDigit, expectedCheckDigit: expected },
    basis: [
      cite(
        "34",
        "A qualified invoice (Consumption Tax Act, Art. 57-4) shows the issuer's registration number: T followed by 13 digits (for a corporation, its corporate number).",
        "適格請求書（消費税法第57条の4）には、発行者の登録番号を記載します。登録番号は「T」に続く13桁の数字です（法人の場合は法人番号）。",
      ),
      cite(
        "34",
        `Check digit = 9 − (Σ digit×weight mod 9) over the last 12 digits (weights 1,2 alternating from the right) = ${expected}; the number has ${checkDigit}: ${valid ? "valid" : "invalid"}.`,
        `チェックデジットは、末尾12桁の各桁に右から1・2の重みを交互に掛けた合計を9で割った余りを9から引いた値で、${expected} です。この番号のチェックデジットは ${checkDigit} のため、${valid ? "有効" : "無効"}です。`,
      ),
    ],
  };
}
