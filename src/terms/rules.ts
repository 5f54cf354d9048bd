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
        allowed
          ? `${announced}に発表し${effective}に効力を生じるため、通知期間は${leadDays}日で、必要な14日以上を満たしています(最も早い効力発生日は${earliestEffective})。`
          : `不可: ${announced}に発表し${effective}に効力を生じる場合、通知期間は${leadDays}日です。約款の変更は14日前までに通知又は発表する必要があるため、最も早い効力発生日は${earliestEffective}です。`,
      ),
    ],
  };
}
