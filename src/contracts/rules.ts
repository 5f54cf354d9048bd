/**
 * The contract's dates as pure functions, each returning its result and the articles it rests on.
 * 運用支援サービス契約約款: Art. 12 (契約期間), 13 (利用起算日), 26 (契約者が行う利用契約の解除),
 * 24 (提供の廃止), 42 (クーリングオフ), and the corporate number (法人番号) check digit.
 * No clock, no I/O: callers pass every date in.
 */
import { cite, type Explained } from "../core/citations.ts";
import {
  addDays,
  addMonthsClamped,
  addMonthsToMonth,
  compareDates,
  type IsoDate,
  type IsoMonth,
  lastDayOfMonth,
  monthOf,
  monthsBetween,
} from "../core/dates.ts";
import { AppError } from "../core/errors.ts";

export interface MinimumTerm {
  startDate: IsoDate;
  startMonth: IsoMonth;
  minimumTermEnd: IsoDate;
  /** After the minimum term the contract renews month by month (Art. 12(3)). */
  renewal: "monthly";
  firstRenewalMonth: IsoMonth;
}

/**
 * 最低契約期間 (Art. 12(1)): from establishment (the start date, Art. 13) to the end of the following
 * month; the start month counts as a whole month (Art. 12(2)). A committed term agreed in the
 * contract documents replaces it (Art. 12(2) proviso): `committedMonths` months counting the start month.
 */
export function minimumTerm(start: IsoDate, committedMonths?: number): Explained<MinimumTerm> {
  if (
    committedMonths !== undefined &&
    (!Number.isInteger(committedMonths) || committedMonths < 1 || committedMonths > 120)
  )
    throw new AppError("validation_failed", "a committed term is 1–120 months", { article: "12(2)" });
  const startMonth = monthOf(start);
  const months = committedMonths ?? 2;
  const endMonth = addMonthsToMonth(startMonth, months - 1);
  const minimumTermEnd = lastDayOfMonth(endMonth);
  const basis = [
    cite("13", `The start date (利用起算日) is the day the contract was established: ${start}.`),
    cite(
      "12(2)",
      `Contract months run from the 1st to the month's last day; the start month ${startMonth} counts as a whole month even when the contract starts mid-month.`,
    ),
    committedMonths === undefined
      ? cite(
          "12(1)",
          `The minimum term runs from establishment to the end of the following month: ${minimumTermEnd}.`,
        )
      : cite(
          "12(2)",
          `The contract documents set a term of ${committedMonths} month(s) counting the start month, so the term ends ${minimumTermEnd}.`,
        ),
    cite(
      "12(3)",
      `Unless cancelled under Art. 26, the contract then renews automatically for one month at a time, from ${addMonthsToMonth(endMonth, 1)}.`,
    ),
  ];
  return {
    result: {
      startDate: start,
      startMonth,
      minimumTermEnd,
      renewal: "monthly",
      firstRenewalMonth: addMonthsToMonth(endMonth, 1),
    },
    basis,
  };
}

export const CANCELLATION_REASONS = ["normal", "interruption", "terms-not-accepted", "abolition"] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export interface CancellationInput {
  start: IsoDate;
  /** The day the provider received (受理) the request, or the day the notice arrived. */
  received: IsoDate;
  /** A later month the customer names (Art. 26(3)); normal reason only. */
  month?: IsoMonth;
  reason?: CancellationReason;
  /** For the abolition reason: the abolition date (Art. 26(5)); defaults to `received`. */
  abolitionDate?: IsoDate;
  committedMonths?: number;
}

export interface Cancellation {
  reason: CancellationReason;
  received: IsoDate;
  effectiveDate: IsoDate;
  /** The earliest month the customer could have named (Art. 26(2)); normal reason only. */
  earliestMonth: IsoMonth | null;
  minimumTermEnd: IsoDate;
  /** Fees stay due to the end of the contract period (Art. 29(3)); months are indivisible (Art. 12(2), 29(6)). */
  lastBillableMonth: IsoMonth;
  /** Months from the month of receipt to the last billable month, inclusive: still payable. */
  billableMonthsFromReceipt: IsoMonth[];
}

/** 契約者が行う利用契約の解除 (Art. 26): when a cancellation takes effect and what stays payable. */
export function cancellation(input: CancellationInput): Explained<Cancellation> {
  const reason = input.reason ?? "normal";
  if (!CANCELLATION_REASONS.includes(reason))
    throw new AppError(
      "validation_failed",
      `unknown cancellation reason "${reason}" (normal, interruption, terms-not-accepted, abolition)`,
      { article: "26" },
    );
  if (compareDates(input.received, input.start) < 0)
    throw new AppError(
      "validation_failed",
      `the request was received (${input.received}) before the contract started (${input.start})`,
      { article: "26(1)" },
    );
  if (input.month !== undefined && reason !== "normal")
    throw new AppError("validation_failed", "a later month can be named only for a normal cancellation", {
      article: "26(3)",
    });
  const term = minimumTerm(input.start, input.committedMonths).result;
  const basis = [
    cite(
      "26(1)",
      `The customer cancels by a request in the provider's prescribed way; received ${input.received}.`,
    ),
  ];
  let effectiveDate: IsoDate;
  let earliestMonth: IsoMonth | null = null;

  if (reason === "normal") {
    earliestMonth = addMonthsToMonth(monthOf(input.received), 1);
    let month = earliestMonth;
    basis.push(
      cite(
        "26(2)",
        `Received in ${monthOf(input.received)}: the cancellation takes effect at the end of the following month, ${lastDayOfMonth(earliestMonth)}.`,
      ),
    );
    if (input.month !== undefined) {
      if (input.month < earliestMonth)
        throw new AppError(
          "validation_failed",
          `the named month ${input.month} is before the earliest possible month ${earliestMonth}`,
          { article: "26(3)" },
        );
      month = input.month;
      if (month !== earliestMonth)
        basis.push(
          cite(
            "26(3)",
            `The customer named the later month ${month}: the cancellation takes effect at its end, ${lastDayOfMonth(month)}.`,
          ),
        );
    }
    effectiveDate = lastDayOfMonth(month);
    if (compareDates(effectiveDate, term.minimumTermEnd) < 0) {
      effectiveDate = term.minimumTermEnd;
      basis.push(
        cite(
          input.committedMonths ? "12(2)" : "12(1)",
          `The contract term runs until ${term.minimumTermEnd}; the cancellation cannot take effect earlier.`,
        ),
      );
    }
  } else if (reason === "abolition") {
    effectiveDate = input.abolitionDate ?? input.received;
    if (compareDates(effectiveDate, input.start) < 0)
      throw new AppError("validation_failed", "the abolition date is before the contract started", {
        article: "26(5)",
      });
    basis.push(
      cite(
        "26(5)",
        `The service is abolished (Art. 24(1)): the contract is cancelled on the abolition date, ${effectiveDate}.`,
      ),
    );
  } else {
    effectiveDate = input.received;
    basis.push(
      reason === "interruption"
        ? cite(
            "26(4)",
            `An interruption under Art. 23(1) defeats the purpose of the contract: the cancellation takes effect the day the notice arrived, ${effectiveDate}.`,
          )
        : cite(
            "26(6)",
            `The customer does not accept a change of the terms (Art. 2): the cancellation takes effect the day the notice arrived, ${effectiveDate}.`,
          ),
    );
  }
  const lastBillableMonth = monthOf(effectiveDate);
  basis.push(
    cite(
      "29(3)",
      `Fees remain due to the end of the contract period, even when cancelled mid-term: months through ${lastBillableMonth} are billable.`,
    ),
    cite(
      "29(6)",
      "A month is the indivisible unit: the month in which the cancellation takes effect is charged whole and nothing is refunded.",
    ),
  );
  return {
    result: {
      reason,
      received: input.received,
      effectiveDate,
      earliestMonth,
      minimumTermEnd: term.minimumTermEnd,
      lastBillableMonth,
      billableMonthsFromReceipt: monthsBetween(monthOf(input.received), lastBillableMonth),
    },
    basis,
  };
}

export const CHANNELS = ["web", "paper", "email"] as const;
export type Channel = (typeof CHANNELS)[number];

export interface CoolingOff {
  applies: boolean;
  channel: Channel;
  applied: IsoDate;
  /** The last day to withdraw or cancel (8 days counting the application day). */
  lastDay: IsoDate | null;
}

/** クーリングオフ (Art. 42): applications on the provider's web site; 8 days counting the application day. */
export function coolingOff(applied: IsoDate, channel: Channel): Explained<CoolingOff> {
  if (!CHANNELS.includes(channel))
    throw new AppError("validation_failed", `unknown channel "${channel}" (web, paper, email)`, {
      article: "42",
    });
  if (channel !== "web")
    return {
      result: { applies: false, channel, applied, lastDay: null },
      basis: [
        cite(
          "42",
          `Cooling-off applies only to applications made on the provider's web site; this one came by ${channel}.`,
        ),
      ],
    };
  const lastDay = addDays(applied, 7);
  return {
    result: { applies: true, channel, applied, lastDay },
    basis: [
      cite(
        "42",
        `Applied on the web site on ${applied}: the applicant may withdraw the application or cancel the contract within 8 days counting the application day, that is through ${lastDay}.`,
      ),
      cite("42", "Decision (SPEC §2): a cooling-off cancellation voids all charges of the contract."),
    ],
  };
}

export interface AbolitionCheck {
  allowed: boolean;
  notice: IsoDate;
  abolitionDate: IsoDate;
  /** The last day a notice can be given for this abolition date. */
  latestNoticeDate: IsoDate;
  /** The earliest abolition date for a notice given on `notice`. */
  earliestAbolitionDate: IsoDate;
}

/**
 * 提供の廃止 (Art. 24(2)): affected customers are notified at least two months before the abolition
 * date — counted back from the abolition date to the same day two months earlier (the month's last
 * day when that day does not exist).
 */
export function abolitionNotice(notice: IsoDate, abolitionDate: IsoDate): Explained<AbolitionCheck> {
  const latestNoticeDate = addMonthsClamped(abolitionDate, -2);
  // The earliest date whose two-months-earlier day is on or after the notice.
  let earliest = addMonthsClamped(notice, 2);
  while (compareDates(addMonthsClamped(earliest, -2), notice) < 0) earliest = addDays(earliest, 1);
  while (compareDates(addMonthsClamped(addDays(earliest, -1), -2), notice) >= 0)
    earliest = addDays(earliest, -1);
  const allowed = compareDates(notice, latestNoticeDate) <= 0;
  return {
    result: { allowed, notice, abolitionDate, latestNoticeDate, earliestAbolitionDate: earliest },
    basis: [
      cite(
        "24(2)",
        `An abolition on ${abolitionDate} must be notified at least two months before, by ${latestNoticeDate}; the notice is dated ${notice}: ${allowed ? "allowed" : "refused — too little notice"}.`,
      ),
      cite("26(5)", "Contracts affected by the abolition end on the abolition date."),
    ],
  };
}

/** 法人番号 check digit: 9 − (Σ Pn×Qn mod 9), Pn the n-th digit from the right of the 12-digit base, Qn 1 (odd n) or 2 (even n). */
export function corporateNumberCheckDigit(base12: string): number {
  let sum = 0;
  for (let n = 1; n <= 12; n++) sum += Number(base12[12 - n]) * (n % 2 === 1 ? 1 : 2);
  return 9 - (sum % 9);
}

export interface CorporateNumberCheck {
  number: string;
  valid: boolean;
  checkDigit: number;
  expectedCheckDigit: number;
}

export function corporateNumber(number: string): Explained<CorporateNumberCheck> {
  if (!/^\d{13}$/.test(number))
    throw new AppError("validation_failed", `a corporate number is 13 digits, got "${number}"`, {
      article: "15",
    });
  const expected = corporateNumberCheckDigit(number.slice(1));
  const checkDigit = Number(number[0]);
  const valid = expected === checkDigit;
  return {
    result: { number, valid, checkDigit, expectedCheckDigit: expected },
    basis: [
      cite(
        "15",
        "The application form names the company by its corporate number (法人番号): 13 digits, the first being a check digit.",
      ),
      cite(
        "15",
        `Check digit = 9 − (Σ digit×weight mod 9) over the other 12 digits (weights 1,2 alternating from the right) = ${expected}; the number has ${checkDigit}: ${valid ? "valid" : "invalid"}.`,
      ),
    ],
  };
}

/** 申込の拒絶 (Art. 17(1)): reasons recorded internally; nothing is sent to the applicant (Art. 17(2)). */
export const REJECTION_REASONS = {
  risk_of_default: { article: "17(1)", text: "料金等の支払を怠るおそれがある (risk of default)" },
  suspension_reason: {
    article: "17(1)",
    text: "第21条の停止事由に該当する (a suspension reason of Art. 21)",
  },
  false_statement: { article: "17(1)", text: "申込に虚偽の記載がある (false statements)" },
  other: { article: "17(1)", text: "その他業務の遂行上支障がある (other)" },
} as const;
export type RejectionReason = keyof typeof REJECTION_REASONS;

/** 提供の停止 (Art. 21(1)): one code per item, in the order of the terms. */
export const SUSPENSION_REASONS = {
  unpaid_fees: {
    article: "21(1)(1)",
    text: "料金等を支払期日を経過しても支払わない (unpaid fees past the due date)",
  },
  direct_debit_failed: {
    article: "21(1)(2)",
    text: "指定口座から引き落としができない (failed direct debit)",
  },
  illegal_use: { article: "21(1)(3)", text: "法令又は公序良俗に反する利用 (illegal use)" },
  harmful_content: { article: "21(1)(4)", text: "風俗・アダルト等の有害な情報 (harmful content)" },
  infringement: { article: "21(1)(5)", text: "著作権・財産・プライバシーの侵害 (infringement)" },
  defamation: { article: "21(1)(6)", text: "誹謗中傷 (defamation)" },
  false_application: { article: "21(1)(7)", text: "申込用紙の虚偽記載 (false application)" },
  security_hole: {
    article: "21(1)(8)",
    text: "セキュリティホール等により他者に危険を及ぼす (a security hole endangering others)",
  },
  unsuitable: { article: "21(1)(9)", text: "その他契約者として不適当 (otherwise unsuitable)" },
  unauthorised_access: {
    article: "21(1)(10)",
    text: "運用支援システムへの許可されない通信方法 (unauthorised protocol access)",
  },
  interception: { article: "21(1)(11)", text: "他契約者のサーバ・通信の傍受等 (interception)" },
  cloud_prohibited: {
    article: "21(1)(12)",
    text: "各種クラウドサービスの禁止事項 (cloud-provider prohibited acts)",
  },
} as const;
export type SuspensionReason = keyof typeof SUSPENSION_REASONS;

/** 当社が行う利用契約の解除 (Art. 25): after an uncured suspension, at once, or the twelve reasons of 25(3). */
export const TERMINATION_REASONS = {
  suspension_not_cured: { article: "25(1)", text: "停止の原因が解消されない (suspension not cured)" },
  suspension_harms_business: {
    article: "25(2)",
    text: "停止事由が当社の業務に支障を及ぼす (a suspension reason harming the business)",
  },
  breach_not_cured: { article: "25(3)(1)", text: "催告後も約款違反が是正されない" },
  no_prospect_of_performance: { article: "25(3)(2)", text: "履行の見込みがない" },
  serious_damage: { article: "25(3)(3)", text: "重大な損害・危害" },
  licence_revoked: { article: "25(3)(4)", text: "監督官庁による営業取消・停止" },
  attachment: { article: "25(3)(5)", text: "差押・仮差押・仮処分・強制執行・競売" },
  tax_delinquency: { article: "25(3)(6)", text: "公租公課の滞納処分" },
  dishonoured_bills: { article: "25(3)(7)", text: "手形・小切手の不渡り" },
  insolvency_filing: { article: "25(3)(8)", text: "法的倒産手続の申立て" },
  payment_stop: { article: "25(3)(9)", text: "支払停止・支払不能" },
  merger_dissolution: { article: "25(3)(10)", text: "合併・解散・営業譲渡" },
  deteriorated_finances: { article: "25(3)(11)", text: "財産状態の著しい悪化" },
  similar: { article: "25(3)(12)", text: "その他前各号に準ずる事由" },
} as const;
export type TerminationReason = keyof typeof TERMINATION_REASONS;

export type LifecycleAction =
  | "suspend"
  | "resume"
  | "cancel"
  | "terminate"
  | "complete_end"
  | "delete_data"
  | "emergency_stop";

const ALLOWED: Record<LifecycleAction, readonly string[]> = {
  suspend: ["active"],
  resume: ["suspended"],
  cancel: ["active", "suspended"],
  terminate: ["active", "suspended", "terminating"],
  complete_end: ["terminating"],
  delete_data: ["terminated"],
  emergency_stop: ["active", "suspended", "terminating"],
};

const ACTION_ARTICLE: Record<LifecycleAction, string> = {
  suspend: "21",
  resume: "21",
  cancel: "26",
  terminate: "25",
  complete_end: "26",
  delete_data: "26(7)",
  emergency_stop: "22",
};

/** Whether a contract in `status` may undergo `action`; the refusal cites the article. */
export function checkTransition(status: string, action: LifecycleAction): void {
  if (!ALLOWED[action].includes(status))
    throw new AppError(
      "conflict",
      `a contract that is ${status} cannot be ${action.replace("_", " ")}ed (allowed from: ${ALLOWED[action].join(", ")})`,
      {
        article: ACTION_ARTICLE[action],
      },
    );
}

/**
 * 利用契約解除作業 (Art. 26(7)): the deletion work is done on a designated day in the month after the
 * month the contract ended, or later — never earlier.
 */
export function deletionDate(
  terminatedOn: IsoDate,
  requested: IsoDate,
): Explained<{ earliest: IsoDate; scheduledOn: IsoDate }> {
  const earliest = `${addMonthsToMonth(monthOf(terminatedOn), 1)}-01`;
  if (compareDates(requested, earliest) < 0)
    throw new AppError(
      "validation_failed",
      `the deletion work may be scheduled no earlier than ${earliest}, the month after the contract ended (${terminatedOn})`,
      {
        article: "26(7)",
      },
    );
  return {
    result: { earliest, scheduledOn: requested },
    basis: [
      cite(
        "26(7)",
        `The contract ended ${terminatedOn}: the deletion work is done on a designated day from ${earliest} on; scheduled ${requested}.`,
      ),
      cite("27", "After the contract ends the provider has no duty to return or keep the data."),
    ],
  };
}

/** Cooling-off is open for a web application up to and including its last day (Art. 42). */
export function withinCoolingOff(applied: IsoDate, channel: Channel, today: IsoDate): boolean {
  const r = coolingOff(applied, channel).result;
  return r.applies && r.lastDay !== null && compareDates(today, r.lastDay) <= 0;
}
