/** 特別利用料金 (Art. 32) and the damages cap (Art. 39). */
import { cite, type Explained } from "../../core/citations.ts";
import { bad, fmt, yenInput } from "./common.ts";

// ---- Art. 32, 39 ----------------------------------------------------------------------------------

export function specialFee(
  evaded: number,
): Explained<{ evaded: number; specialFee: number; totalOwed: number }> {
  yenInput(evaded, "evaded", "32");
  if (evaded * 3 > Number.MAX_SAFE_INTEGER) throw bad(`evaded amount ${evaded} is too large`, "32");
  const special = evaded * 2;
  return {
    result: { evaded, specialFee: special, totalOwed: evaded + special },
    basis: [
      cite(
        "32",
        `Fees unlawfully evaded: ${fmt(evaded)} yen. The special fee is twice that, ${fmt(special)} yen, payable on top of the evaded fees: ${fmt(evaded + special)} yen in all.`,
        `不正に免れた料金等は${fmt(evaded)}円です。特別利用料金はその2倍の${fmt(special)}円で、免れた料金等とは別途お支払いいただくため、合計${fmt(evaded + special)}円となります。`,
      ),
    ],
  };
}

export function damagesCap(
  monthlyFee: number,
): Explained<{ monthlyFee: number; cap: number; excluded: string[] }> {
  yenInput(monthlyFee, "monthly fee", "39");
  return {
    result: {
      monthlyFee,
      cap: monthlyFee,
      excluded: [
        "lost profits (逸失利益)",
        "indirect damages (間接損害)",
        "damages from special circumstances (特別の事情により生じた損害)",
      ],
    },
    basis: [
      cite(
        "39",
        `Liability for actual, ordinary, direct damages is capped at one month's monthly fee of normal use: ${fmt(monthlyFee)} yen. Lost profits and indirect or special damages are excluded.`,
        `当社の損害賠償責任は、契約者に現実に生じた通常の直接損害について、通常のサービスを利用した場合の月間費用1か月分${fmt(monthlyFee)}円を限度とします。逸失利益、間接損害等の特別の事情により生じた損害は対象外です。`,
      ),
    ],
  };
}
