/**
 * 法人番号 (corporate number): 13 digits, the first a check digit over the other twelve. The
 * qualified-invoice registration number of a corporation (T + 13 digits) carries the same number.
 */
import { cite, type Explained } from "./citations.ts";
import { AppError } from "./errors.ts";

/** 法人番号 check digit: 9 − (Σ Pn×Qn mod 9), Pn the n-th digit from the right of the 12-digit base, Qn 1 (odd n) or 2 (even n). */
export function corporateNumberCheckDigit(base12: string): number {
  let sum = 0;
  for (let n = 1; n <= 12; n++) sum += Number(base12[12 - n]) * (n % 2 === 1 ? 1 : 2);
  return 9 - (sum % 9);
}

export interface CorporateNumberCheck {
  number: string;
  valid: boolean;
  checkDigit: number;
  expectedCheckDigit: number;
}

export function corporateNumber(number: string): Explained<CorporateNumberCheck> {
  if (!/^\d{13}$/.test(number))
    throw new AppError("validation_failed", `a corporate number is 13 digits, got "${number}"`, {
      article: "15",
    });
  const expected = corporateNumberCheckDigit(number.slice(1));
  const checkDigit = Number(number[0]);
  const valid = expected === checkDigit;
  return {
    result: { number, valid, checkDigit, expectedCheckDigit: expected },
    basis: [
      cite(
        "15",
        "The application form names the company by its corporate number: 13 digits, the first being a check digit.",
        "申込用紙では法人番号により法人を特定します。法人番号は13桁で、先頭の1桁がチェックデジットです。",
      ),
      cite(
        "15",
        `Check digit = 9 − (Σ digit×weight mod 9) over the other 12 digits (weights 1,2 alternating from the right) = ${expected}; the number has ${checkDigit}: ${valid ? "valid" : "invalid"}.`,
        `チェックデジット = 9 − (残りの12桁の Σ 桁×重み mod 9)(重みは右から1と2を交互に適用) = ${expected}。この番号の先頭は${checkDigit}のため、${valid ? "有効" : "無効"}です。`,
      ),
    ],
  };
}
