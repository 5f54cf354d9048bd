/** Amounts as the reader's language writes them (the one formatter of the web app). */
import { articleLabel } from "../../src/core/articles.ts";
import { formatLang } from "./i18n.ts";

const YEN_EN = new Intl.NumberFormat("en-US", { style: "currency", currency: "JPY" });

/** An amount in yen: 15,000円 / ¥15,000. */
export const yen = (n: number) =>
  formatLang.current === "en" ? YEN_EN.format(n) : `${n.toLocaleString("ja-JP")}円`;

/** An article of the terms as the reader's language cites it: 第31条第3項 / Art. 31(3). */
export const art = (article: string) => articleLabel(article, formatLang.current);

/**
 * A ratio as a percentage, never rounded up to a better figure (0.99996 is 99.99 %, not 100 %):
 * 99.95%, or — when there is no figure (nothing observed).
 */
export const percent = (ratio: number | null | undefined, digits = 2) => {
  if (ratio === null || ratio === undefined) return "—";
  const scale = 10 ** digits;
  // A hair above the ratio so that 0.999 (99.899999… in binary) is 99.90 %, not 99.89 %.
  const floored = Math.floor(ratio * 100 * scale + 1e-6) / scale;
  const text = floored.toLocaleString(formatLang.current === "en" ? "en-US" : "ja-JP", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${text}%`;
};

/** A whole number as the reader's language groups it: 1,234. */
export const count = (n: number) => n.toLocaleString(formatLang.current === "en" ? "en-US" : "ja-JP");
