/** Amounts as the reader's language writes them (the one formatter of the web app). */
import { formatLang } from "./i18n.ts";

const YEN_EN = new Intl.NumberFormat("en-US", { style: "currency", currency: "JPY" });

/** An amount in yen: 15,000円 / ¥15,000. */
export const yen = (n: number) =>
  formatLang.current === "en" ? YEN_EN.format(n) : `${n.toLocaleString("ja-JP")}円`;
