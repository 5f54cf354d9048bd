/** Amounts as the reader's language writes them (the one formatter of the web app). */
import { articleLabel } from "../../src/core/articles.ts";
import { formatLang } from "./i18n.ts";

const YEN_EN = new Intl.NumberFormat("en-US", { style: "currency", currency: "JPY" });

/** An amount in yen: 15,000円 / ¥15,000. */
export const yen = (n: number) =>
  formatLang.current === "en" ? YEN_EN.format(n) : `${n.toLocaleString("ja-JP")}円`;

/** An article of the terms as the reader's language cites it: 第31条第3項 / Art. 31(3). */
export const art = (article: string) => articleLabel(article, formatLang.current);
