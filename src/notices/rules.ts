/**
 * Notice periods as pure functions with citations: change of terms (Art. 2) and the provider's
 * inquiries (Art. 44).
 */
import { cite, type Explained } from "../core/citations.ts";
import { addDays, addMonthsClamped, compareDates, daysBetween, type IsoDate } from "../core/dates.ts";

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

export interface InquiryDeadline {
  sent: IsoDate;
  deadline: IsoDate;
  /** From this day, when still unanswered and work is blocked, the service may be stopped (operator decides). */
  eligibleForStopFrom: IsoDate;
}

/** 当社からの問合せ (Art. 44(3)): one calendar month after the inquiry date; same day, or the month's last day. */
export function inquiryDeadline(sent: IsoDate): Explained<InquiryDeadline> {
  const deadline = addMonthsClamped(sent, 1);
  return {
    result: { sent, deadline, eligibleForStopFrom: addDays(deadline, 1) },
    basis: [
      cite(
        "44(3)",
        `An inquiry sent ${sent} must be answered within one month: by ${deadline} (the same day next month, or that month's last day when the day does not exist).`,
      ),
      cite(
        "44(3)",
        `From ${addDays(deadline, 1)}, if it is still unanswered and the work cannot proceed, the provider may stop the service in whole or in part; an operator decides.`,
      ),
    ],
  };
}
