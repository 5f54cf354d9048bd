/**
 * What an applicant sees before applying (Art. 15, 29(1)): the plans and options with their prices in
 * effect today from the price book, what is charged per server, the terms version in force (Art. 1, 2)
 * and the privacy notice's version — the two the application form asks consent to.
 */
import { OPTIONS, PLANS, PROVIDERS } from "../contracts/schemas.ts";
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { PRIVACY_NOTICE_VERSION } from "../core/privacy.ts";
import { versionInForce } from "../terms/service.ts";
import { PriceBook } from "./price-book.ts";
import { priceOn } from "./rules.ts";
import type { CatalogueView } from "./schemas.ts";

export async function catalogue(deps: Pick<Deps, "db" | "clock">): Promise<CatalogueView> {
  const today: IsoDate = todayOf(deps);
  const [book, terms] = await Promise.all([PriceBook.load(deps.db), versionInForce(deps, today)]);
  const priced = (target: string) =>
    (book.byTarget.get(target) ?? []).flatMap((item) => {
      const unitPrice = priceOn(item, today);
      return unitPrice === null
        ? []
        : [
            {
              code: item.code,
              nameJa: item.nameJa,
              nameEn: item.nameEn,
              kind: item.kind,
              taxCategory: item.taxCategory,
              unitPrice,
            },
          ];
    });
  return {
    on: today,
    plans: PLANS.map((code) => ({ code, prices: priced(`plan:${code}`) })),
    options: OPTIONS.map((code) => ({ code, prices: priced(`option:${code}`) })),
    perServer: priced("server"),
    providers: [...PROVIDERS],
    terms,
    privacyNotice: PRIVACY_NOTICE_VERSION,
    article: "29(1)",
  };
}
