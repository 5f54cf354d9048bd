/** What billing's rules share: refusing bad input with the article, and formatting yen. */
import { AppError } from "../../core/errors.ts";

export const bad = (message: string, article: string) =>
  new AppError("validation_failed", message, { article });

export function yenInput(n: number, name: string, article: string, allowNegative = false) {
  if (!Number.isSafeInteger(n) || (!allowNegative && n < 0))
    throw bad(
      `${name} must be a whole number of yen${allowNegative ? "" : " (0 or more)"}, got ${n}`,
      article,
    );
}

export const fmt = (n: number) => n.toLocaleString("en-US");
