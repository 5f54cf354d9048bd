/** Changes of the terms (Art. 1, 2) as pure functions with citations. */
import { cite, type Explained } from "../core/citations.ts";
import { addDays, compareDates, daysBetween, type IsoDate } from "../core/dates.ts";

export const TERMS_CHANGE_NOTICE_DAYS = 14;

export interface TermsChangeCheck {
  allowed: boolean;
  announced: IsoDate;
  effective: IsoDate;
  leadDays: number;
  earliestEffective: IsoDate;
}

/** 約款の変更 (Art. 2): a new version may take effect no earlier than 14 days after it was announced. */
export function termsChange(announced: IsoDate, effective: IsoDate): Explained<TermsChangeCheck> {
  const earliestEffective = addDays(announced, TERMS_CHANGE_NOTICE_DAYS);
  const leadDays = daysBetween(announced, effective);
  const allowed = compareDates(effective, earliestEffective) >= 0;
  return {
    result: { allowed, announced, effective, leadDays, earliestEffective },
    basis: [
      cite(
        "2",
        allowed
          ? `Announced ${announced}, effective ${effective}: ${leadDays} days' notice, at least the 14 days required (earliest effective date ${earliestEffective}).`
          : `Refused: announced ${announced}, effective ${effective} gives ${leadDays} days' notice; a change must be notified or announced at least 14 days before, so the earliest effective date is ${earliestEffective}.`,
      ),
    ],
  };
}
