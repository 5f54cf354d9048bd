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
  daysBetween,
  type IsoDate,
  type IsoMonth,
  lastDayOfMonth,
  monthOf,
  monthsBetween,
  parseDate,
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
    cite(
      "13",
      `The start date is the day the contract was established: ${start}.`,
      `利用起算日は利用契約が成立した日です: ${start}。`,
    ),
    cite(
      "12(2)",
      `Contract months run from the 1st to the month's last day; the start month ${startMonth} counts as a whole month even when the contract starts mid-month.`,
      `契約期間は毎月1日から月末までの1ヶ月ごとです。契約開始月${startMonth}は、月の途中からの契約でも1ヶ月として取り扱います。`,
    ),
    committedMonths === undefined
      ? cite(
          "12(1)",
          `The minimum term runs from establishment to the end of the following month: ${minimumTermEnd}.`,
          `最低契約期間は、利用契約が成立した時から翌月の月末までです: ${minimumTermEnd}。`,
        )
      : cite(
          "12(2)",
          `The contract documents set a term of ${committedMonths} month(s) counting the start month, so the term ends ${minimumTermEnd}.`,
          `契約書類で契約開始月を含めて${committedMonths}ヶ月の契約期間が定められているため、契約期間は${minimumTermEnd}に満了します。`,
        ),
    cite(
      "12(3)",
      `Unless cancelled under Art. 26, the contract then renews automatically for one month at a time, from ${addMonthsToMonth(endMonth, 1)}.`,
      `第26条に定める利用契約の解除を行わない限り、以後、利用契約は${addMonthsToMonth(endMonth, 1)}から1ヶ月ごとに自動的に更新されます。`,
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

/** The paragraph of Art. 26 each reason's effective date follows. */
const ARTICLE_OF_REASON: Record<CancellationReason, string> = {
  normal: "26(2)",
  interruption: "26(4)",
  "terms-not-accepted": "26(6)",
  abolition: "26(5)",
};

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
  /** The article the effective date rests on: 26(2) (3) (4) (5) or (6). */
  article: string;
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
      `契約者は、当社所定の方法による解除の申出により利用契約を解除します。受理日は${input.received}です。`,
    ),
  ];
  let effectiveDate: IsoDate;
  let earliestMonth: IsoMonth | null = null;
  let article = ARTICLE_OF_REASON[reason];

  if (reason === "normal") {
    earliestMonth = addMonthsToMonth(monthOf(input.received), 1);
    let month = earliestMonth;
    basis.push(
      cite(
        "26(2)",
        `Received in ${monthOf(input.received)}: the cancellation takes effect at the end of the following month, ${lastDayOfMonth(earliestMonth)}.`,
        `${monthOf(input.received)}に受理したため、利用契約の解除は翌月末の${lastDayOfMonth(earliestMonth)}をもって成立します。`,
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
      if (month !== earliestMonth) article = "26(3)";
      if (month !== earliestMonth)
        basis.push(
          cite(
            "26(3)",
            `The customer named the later month ${month}: the cancellation takes effect at its end, ${lastDayOfMonth(month)}.`,
            `契約者が以降の月として${month}を指定したため、利用契約の解除はその月末の${lastDayOfMonth(month)}をもって成立します。`,
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
          `契約期間は${term.minimumTermEnd}までのため、利用契約の解除はそれより前には成立しません。`,
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
        `当サービスが廃止されたため(第24条第1項)、利用契約は廃止の日である${effectiveDate}に解除されたものとします。`,
      ),
    );
  } else {
    effectiveDate = input.received;
    basis.push(
      reason === "interruption"
        ? cite(
            "26(4)",
            `An interruption under Art. 23(1) defeats the purpose of the contract: the cancellation takes effect the day the notice arrived, ${effectiveDate}.`,
            `第23条第1項に定める提供の中止により利用契約の目的を達することができないため、利用契約の解除は通知が当社に到着した日である${effectiveDate}に効力を生じます。`,
          )
        : cite(
            "26(6)",
            `The customer does not accept a change of the terms (Art. 2): the cancellation takes effect the day the notice arrived, ${effectiveDate}.`,
            `契約者が約款の変更(第2条)を承認しないため、利用契約の解除は通知が当社に到着した日である${effectiveDate}に効力を生じます。`,
          ),
    );
  }
  const lastBillableMonth = monthOf(effectiveDate);
  basis.push(
    cite(
      "29(3)",
      `Fees remain due to the end of the contract period, even when cancelled mid-term: months through ${lastBillableMonth} are billable.`,
      `契約期間中に利用契約を解除した場合でも、料金等は契約期間の満了まで発生します。${lastBillableMonth}までの各月が請求の対象です。`,
    ),
    cite(
      "29(6)",
      "A month is the indivisible unit: the month in which the cancellation takes effect is charged whole and nothing is refunded.",
      "料金は月を単位とし、分割しません。利用契約の解除が成立する月も1ヶ月分を請求し、返金は行いません。",
    ),
  );
  return {
    result: {
      reason,
      received: input.received,
      effectiveDate,
      article,
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

/** Each channel in the Japanese texts. */
const CHANNEL_JA: Record<Channel, string> = { web: "WEBサイト", paper: "書面", email: "電子メール" };

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
          `クーリングオフは当社の当サービス用WEBサイトからの申込みにのみ適用されます。本件の申込みは${CHANNEL_JA[channel]}によるものです。`,
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
        `${applied}にWEBサイトから申込みがあったため、申込者は申込日を含めて8日間、すなわち${lastDay}まで、申込みの撤回又は利用契約の解除を行うことができます。`,
      ),
      cite(
        "42",
        "Decision (SPEC §2): a cooling-off cancellation voids all charges of the contract.",
        "決定事項(SPEC §2): クーリングオフによる解除では、当該利用契約の料金をすべて取り消します。",
      ),
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
        `${abolitionDate}の廃止は、その2ヶ月前の${latestNoticeDate}までに通知する必要があります。通知日は${notice}です: ${allowed ? "廃止できます" : "通知期間が不足しているため廃止できません"}。`,
      ),
      cite(
        "26(5)",
        "Contracts affected by the abolition end on the abolition date.",
        "廃止の対象となる利用契約は、廃止の日をもって終了します。",
      ),
    ],
  };
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
        `利用契約は${terminatedOn}に終了しました。利用契約解除作業は${earliest}以降の指定の日に行い、予定日は${requested}です。`,
      ),
      cite(
        "27",
        "After the contract ends the provider has no duty to return or keep the data.",
        "利用契約の終了後、当社はデータの返還義務及び保管義務を負いません。",
      ),
    ],
  };
}

/** Cooling-off is open for a web application up to and including its last day (Art. 42). */
export function withinCoolingOff(applied: IsoDate, channel: Channel, today: IsoDate): boolean {
  const r = coolingOff(applied, channel).result;
  return r.applies && r.lastDay !== null && compareDates(today, r.lastDay) <= 0;
}

// ---- the end of a contract (Art. 25(4), 26, 36(2), 42) ------------------------------------------

export const END_KINDS = ["cancellation", "termination", "abolition", "cooling_off"] as const;
export type EndKind = (typeof END_KINDS)[number];

export interface ContractEnd {
  kind: EndKind;
  /** The day the end takes effect (the cancellation's effective date, the notice's arrival, …). */
  effectiveOn: IsoDate;
  /** The last day the service runs: the effective date plus a late start's extension, for a cancellation. */
  serviceUntil: IsoDate;
  /** Days of a late-start extension added (Art. 36(2)); 0 for ends other than a cancellation. */
  extensionDays: number;
  /** The article the end rests on (26(2), 26(5), 25(4), 42, …). */
  article: string;
}

/**
 * 利用契約の終了: the last day of a contract's service. A cancellation's service runs to its effective
 * date plus the days a late start for the provider's reasons added to the service period (Art. 36(2));
 * a termination (Art. 25(4)), an abolition (Art. 26(5)) and a cooling-off cancellation (Art. 42) end it
 * on their date. The contract is `terminating` through that day and ends the day after (`endedBy`).
 */
export function contractEnd(input: {
  kind: EndKind;
  effectiveOn: IsoDate;
  /** The article of the end itself (a cancellation's comes from `cancellation`). */
  article: string;
  extensionDays: number;
}): Explained<ContractEnd> {
  if (!END_KINDS.includes(input.kind))
    throw new AppError("validation_failed", `unknown end "${input.kind}"`, { article: "26" });
  if (!Number.isInteger(input.extensionDays) || input.extensionDays < 0)
    throw new AppError("validation_failed", "an extension is 0 or more whole days", { article: "36(2)" });
  const extensionDays = input.kind === "cancellation" ? input.extensionDays : 0;
  const serviceUntil = addDays(input.effectiveOn, extensionDays);
  const what: Record<EndKind, string> = {
    cancellation: "The customer's cancellation takes effect",
    termination: "The provider's termination takes effect on the day its notice arrives",
    abolition: "The service is abolished; the contract ends on the abolition date",
    cooling_off: "Cancelled in the cooling-off period",
  };
  const whatJa: Record<EndKind, string> = {
    cancellation: "契約者が行う利用契約の解除の効力が生じます",
    termination: "当社が行う利用契約の解除は、その通知が契約者に到達した日に効力を生じます",
    abolition: "当サービスが廃止され、利用契約は廃止の日に終了します",
    cooling_off: "クーリングオフ期間内に解除されました",
  };
  const basis = [
    cite(
      input.article,
      `${what[input.kind]}: ${input.effectiveOn}.`,
      `${whatJa[input.kind]}: ${input.effectiveOn}。`,
    ),
  ];
  if (extensionDays > 0)
    basis.push(
      cite(
        "36(2)",
        `A late start for the provider's reasons extended the service period by ${extensionDays} day(s): the service runs until ${serviceUntil}, and those days are not billed.`,
        `当社都合による利用開始の遅延のため、利用期間を${extensionDays}日延長しました。当サービスは${serviceUntil}まで提供し、延長した日数分は請求しません。`,
      ),
    );
  else if (input.kind !== "cancellation" && input.extensionDays > 0)
    basis.push(
      cite(
        "36(2)",
        "A late-start extension lengthens the period of a cancelled contract only: the service ends on the date.",
        "利用開始の遅延による利用期間の延長は、契約者が解除した利用契約にのみ適用されます。当サービスは当該日に終了します。",
      ),
    );
  basis.push(
    cite(
      "29(3)",
      `The contract is in force through ${serviceUntil} and ends the day after.`,
      `利用契約は${serviceUntil}まで有効で、その翌日に終了します。`,
    ),
  );
  return {
    result: {
      kind: input.kind,
      effectiveOn: input.effectiveOn,
      serviceUntil,
      extensionDays,
      article: input.article,
    },
    basis,
  };
}

/** Whether a contract whose service runs until `serviceUntil` has ended by `today` (the day after). */
export function endedBy(serviceUntil: IsoDate, today: IsoDate): boolean {
  return compareDates(serviceUntil, today) < 0;
}

/** The state an ending contract is in on `today`. */
export function statusOnEnd(serviceUntil: IsoDate, today: IsoDate): "terminating" | "terminated" {
  return endedBy(serviceUntil, today) ? "terminated" : "terminating";
}

// ---- suspended months (Art. 21, 30(3)) -------------------------------------------------------------

/**
 * The months a contract was suspended on any day of, from its timeline: a suspension starts on the
 * day of its `suspended` event and lasts through the day it was resumed or ended. Suspended months
 * are charged as if the service had been provided (Art. 30(3)).
 */
export function suspendedMonths(events: { type: string; on: IsoDate }[], until: IsoDate): IsoMonth[] {
  const months = new Set<IsoMonth>();
  let since: IsoDate | null = null;
  const close = (to: IsoDate) => {
    if (since === null) return;
    for (const m of monthsBetween(monthOf(since), monthOf(to))) months.add(m);
    since = null;
  };
  const sorted = [...events].sort((a, b) => compareDates(a.on, b.on));
  for (const e of sorted) {
    if (e.type === "suspended") since ??= e.on;
    else if (SUSPENSION_ENDS.has(e.type)) close(e.on);
  }
  close(until);
  return [...months].sort();
}

/** Timeline events that end a suspension. */
const SUSPENSION_ENDS = new Set(["resumed", "terminated", "ended", "cooling_off_cancellation"]);

/** The timeline events `suspendedMonths` reads. */
export const SUSPENSION_EVENTS = ["suspended", ...SUSPENSION_ENDS];

// ---- Art. 36(2)(3): a late start --------------------------------------------------------------------

export interface LateStartExtension {
  plannedOn: IsoDate;
  startedOn: IsoDate;
  /** Days the service could not be used before it started: the service period is extended by as many. */
  days: number;
  /** Never a refund (Art. 36(2)). */
  refund: 0;
}

/**
 * The agreed start date (利用開始予定日, agreed after the contract was established) was missed for the
 * provider's reasons: the service period is extended by the days it could not be used, and no fee is
 * refunded (Art. 36(2)). A carrier's fault extends nothing (Art. 36(3)).
 */
export function lateStartExtension(input: {
  plannedOn: IsoDate;
  startedOn: IsoDate;
  attribution: "provider" | "carrier";
}): Explained<LateStartExtension> {
  parseDate(input.plannedOn, "plannedOn");
  parseDate(input.startedOn, "startedOn");
  if (compareDates(input.startedOn, input.plannedOn) <= 0)
    throw new AppError(
      "validation_failed",
      `the service started on ${input.startedOn}, not after the planned ${input.plannedOn}: nothing to extend`,
      { article: "36(2)" },
    );
  const late = daysBetween(input.plannedOn, input.startedOn);
  if (input.attribution === "carrier")
    return {
      result: { plannedOn: input.plannedOn, startedOn: input.startedOn, days: 0, refund: 0 },
      basis: [
        cite(
          "36(3)",
          `The start was ${late} day(s) late because of a carrier (a telecommunications carrier or the like): Art. 36(2) does not apply, nothing is extended.`,
          `利用開始の${late}日の遅延は第1種電気通信事業者等の責に帰すべき事由によるため、第36条第2項は適用されず、利用期間の延長はありません。`,
        ),
      ],
    };
  return {
    result: { plannedOn: input.plannedOn, startedOn: input.startedOn, days: late, refund: 0 },
    basis: [
      cite(
        "36(2)",
        `The service was to start on ${input.plannedOn} and started on ${input.startedOn}, ${late} day(s) late for the provider's reasons: the service period is extended by ${late} day(s); no fee is refunded.`,
        `利用開始予定日は${input.plannedOn}でしたが、利用開始は${input.startedOn}となり、当社都合により${late}日遅れました。このため利用期間を${late}日延長し、料金の返却は行いません。`,
      ),
    ],
  };
}
