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
        `Fees unlawfully evaded: ${fmt(evaded)} yen. The special fee (特別利用料金) is twice that, ${fmt(special)} yen, payable on top of the evaded fees: ${fmt(evaded + special)} yen in all.`,
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
      ),
    ],
  };
}
