/** The provider's inquiries (Art. 44) as pure functions with citations. */
import { cite, type Explained } from "../core/citations.ts";
import { addDays, addMonthsClamped, type IsoDate } from "../core/dates.ts";

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
        `${sent}に行った問合せには1ヶ月以内、すなわち${deadline}までに回答が必要です(翌月の同日。その日がない場合はその月の末日)。`,
      ),
      cite(
        "44(3)",
        `From ${addDays(deadline, 1)}, if it is still unanswered and the work cannot proceed, the provider may stop the service in whole or in part; an operator decides.`,
        `${addDays(deadline, 1)}以降も回答がなく作業を行うことができない場合、当社は当サービスの全部又は一部の提供を取り止めることがあります。その判断は当社の担当者が行います。`,
      ),
    ],
  };
}

/** A reminder goes out this many days before an unanswered inquiry's deadline (Art. 44(3)). */
export const REMINDER_DAYS_BEFORE = 7;

/** The latest deadline that is due a reminder on `today`: deadlines up to this day get one. */
export function remindDeadlinesUpTo(today: IsoDate): IsoDate {
  return addDays(today, REMINDER_DAYS_BEFORE);
}
