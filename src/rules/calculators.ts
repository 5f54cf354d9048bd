/**
 * The rules calculator: every pure rule an operator may ask about, with one input schema each,
 * shared by `unyo rules <name>` and `GET /api/v1/rules/<name>`. Output: `{result, basis}`.
 */
import { z } from "zod";
import {
  ATTRIBUTIONS,
  type Attribution,
  damagesCap,
  invoiceTax,
  lateFee,
  registrationNumber,
  slaCredit,
  specialFee,
} from "../billing/rules.ts";
import { invoiceDocumentSchema, slaCreditSchema } from "../billing/schemas.ts";
import { TAX_CATEGORIES, TAX_ROUNDINGS, type TaxCategory } from "../billing/types.ts";
import {
  abolitionNotice,
  CANCELLATION_REASONS,
  CHANNELS,
  cancellation,
  coolingOff,
  lateStartExtension,
  minimumTerm,
} from "../contracts/rules.ts";
import { cancellationSchema, lateStartAnswer } from "../contracts/schemas.ts";
import type { Explained } from "../core/citations.ts";
import { corporateNumber } from "../core/corporate-number.ts";
import { dateField, isoDate, isoMonth, monthField, yen } from "../core/schemas.ts";
import { inquiryDeadline } from "../inquiries/rules.ts";
import { termsChange } from "../terms/rules.ts";

const date = dateField;
const month = monthField;

const yenFlag = (name: string, allowNegative = false) =>
  z
    .string()
    .regex(allowNegative ? /^-?\d{1,13}$/ : /^\d{1,13}$/, `${name} must be a whole number of yen`)
    .transform(Number);

/** A flag that may be given several times: one string from a query/CLI, or several. */
const many = <T>(item: z.ZodType<T>) =>
  z.union([z.string(), z.array(z.string())]).transform((v, ctx) => {
    const list = Array.isArray(v) ? v : [v];
    const out: T[] = [];
    for (const s of list) {
      const r = item.safeParse(s);
      if (!r.success) {
        for (const i of r.error.issues) ctx.addIssue({ code: "custom", message: i.message });
        return z.NEVER;
      }
      out.push(r.data);
    }
    return out;
  });

const taxLine = z.string().transform((s, ctx) => {
  const m = /^(-?\d{1,13}):(10|8|exempt|out-of-scope)$/.exec(s);
  if (!m) {
    ctx.addIssue({
      code: "custom",
      message: `line "${s}" must be YEN:RATE with RATE one of ${TAX_CATEGORIES.join(", ")} (e.g. 1000:10)`,
    });
    return z.NEVER;
  }
  return { amount: Number(m[1]), taxCategory: m[2] as TaxCategory };
});

const outage = z.string().transform((text, ctx) => {
  // In a URL an unencoded "+" of an offset (…T01:00+09:00) arrives as a space: read it back as "+".
  const s = text.replace(/ (\d{2}:?\d{2})(?=\/|@|$)/g, "+$1");
  const m = /^([^/@]+)\/([^/@]+)(?:@([a-z]+))?$/.exec(s);
  if (!m || (m[3] && !ATTRIBUTIONS.includes(m[3] as Attribution))) {
    ctx.addIssue({
      code: "custom",
      message: `outage "${text}" must be START/END[@${ATTRIBUTIONS.join("|")}] with ISO date-times (JST unless an offset is given; in a URL write "+" as %2B)`,
    });
    return z.NEVER;
  }
  return { start: m[1]!, end: m[2]!, attribution: (m[3] ?? "provider") as Attribution };
});

export interface Calculator {
  name: string;
  summary: string;
  /** Flags that may be repeated (collected into an array). */
  repeatable?: string[];
  /** CLI flags (kebab-case) ↔ query parameters (same names). */
  input: z.ZodType<Record<string, unknown>>;
  /** A positional CLI argument, when the calculator takes one. */
  positional?: string;
  /** The schema of `result` (the OpenAPI document describes every answer). */
  output: z.ZodType;
  run(input: Record<string, unknown>): Explained<unknown>;
}

/** A calculator whose rule's result is checked against its output schema at compile time. */
const calc = <S extends z.ZodObject, O extends z.ZodType>(c: {
  name: string;
  summary: string;
  repeatable?: string[];
  input: S;
  positional?: string;
  output: O;
  run(i: z.output<S>): Explained<z.input<O>>;
}): Calculator => c as unknown as Calculator;

// ---- what each rule answers ----------------------------------------------------------------------

const digitCheck = z.object({
  number: z.string(),
  valid: z.boolean(),
  checkDigit: z.number().int(),
  expectedCheckDigit: z.number().int(),
});
const noticeCheck = (dates: Record<string, z.ZodType>) => z.object({ allowed: z.boolean(), ...dates });

export const calculators: Calculator[] = [
  calc({
    name: "minimum-term",
    summary: "Minimum term end and renewal for a start date (Art. 12, 13)",
    input: z.strictObject({
      start: date("start"),
      "committed-months": z.coerce.number().int().min(1).max(120).optional(),
    }),
    output: z.object({
      startDate: isoDate,
      startMonth: isoMonth,
      minimumTermEnd: isoDate,
      renewal: z.literal("monthly"),
      firstRenewalMonth: isoMonth,
    }),
    run: (i) => minimumTerm(i.start, i["committed-months"]),
  }),
  calc({
    name: "cancellation",
    summary: "When a cancellation takes effect and which months stay billable (Art. 26, 29(3))",
    input: z.strictObject({
      start: date("start"),
      received: date("received"),
      month: month("month").optional(),
      reason: z.enum(CANCELLATION_REASONS).optional(),
      "abolition-date": date("abolition-date").optional(),
      "committed-months": z.coerce.number().int().min(1).max(120).optional(),
    }),
    output: cancellationSchema.shape.result,
    run: (i) =>
      cancellation({
        start: i.start,
        received: i.received,
        month: i.month,
        reason: i.reason,
        abolitionDate: i["abolition-date"],
        committedMonths: i["committed-months"],
      }),
  }),
  calc({
    name: "cooling-off",
    summary: "Last day of the cooling-off window (Art. 42)",
    input: z.strictObject({ applied: date("applied"), channel: z.enum(CHANNELS) }),
    output: z.object({
      applies: z.boolean(),
      channel: z.enum(CHANNELS),
      applied: isoDate,
      lastDay: isoDate.nullable(),
    }),
    run: (i) => coolingOff(i.applied, i.channel),
  }),
  calc({
    name: "inquiry-deadline",
    summary: "Response deadline of a provider inquiry (Art. 44(3))",
    input: z.strictObject({ sent: date("sent") }),
    output: z.object({ sent: isoDate, deadline: isoDate, eligibleForStopFrom: isoDate }),
    run: (i) => inquiryDeadline(i.sent),
  }),
  calc({
    name: "terms-change",
    summary: "Whether a terms version may take effect on a date (Art. 2: 14 days' notice)",
    input: z.strictObject({ announced: date("announced"), effective: date("effective") }),
    output: noticeCheck({
      announced: isoDate,
      effective: isoDate,
      leadDays: z.number().int(),
      earliestEffective: isoDate,
    }),
    run: (i) => termsChange(i.announced, i.effective),
  }),
  calc({
    name: "abolition",
    summary: "Whether an abolition date gives two months' notice (Art. 24(2))",
    input: z.strictObject({ notice: date("notice"), date: date("date") }),
    output: noticeCheck({
      notice: isoDate,
      abolitionDate: isoDate,
      latestNoticeDate: isoDate,
      earliestAbolitionDate: isoDate,
    }),
    run: (i) => abolitionNotice(i.notice, i.date),
  }),
  calc({
    name: "corporate-number",
    summary: "Check a corporate number's check digit (法人番号)",
    input: z.strictObject({ number: z.string() }),
    positional: "number",
    output: digitCheck,
    run: (i) => corporateNumber(i.number),
  }),
  calc({
    name: "late-fee",
    summary: "Late fee for an amount paid after its due date (Art. 33: 14.5 % a year)",
    input: z.strictObject({ amount: yenFlag("amount"), due: date("due"), paid: date("paid") }),
    output: z.object({ amount: yen, due: isoDate, paid: isoDate, days: z.number().int(), fee: yen }),
    run: (i) => lateFee(i.amount, i.due, i.paid),
  }),
  calc({
    name: "invoice-tax",
    summary: "Totals and consumption tax per rate, rounded once per rate (Art. 34, qualified invoice)",
    repeatable: ["line"],
    input: z.strictObject({ line: many(taxLine), rounding: z.enum(TAX_ROUNDINGS).optional() }),
    output: invoiceDocumentSchema.shape.totals,
    run: (i) => invoiceTax(i.line, i.rounding),
  }),
  calc({
    name: "sla-credit",
    summary: "SLA credit for a month's unavailability (Art. 30(4), 36)",
    repeatable: ["outage"],
    input: z.strictObject({
      "monthly-fee": yenFlag("monthly-fee"),
      month: month("month"),
      outage: many(outage).optional(),
    }),
    output: slaCreditSchema.shape.result,
    run: (i) => slaCredit({ monthlyFee: i["monthly-fee"], month: i.month, outages: i.outage ?? [] }),
  }),
  calc({
    name: "special-fee",
    summary: "Special fee: twice the fees unlawfully evaded (Art. 32)",
    input: z.strictObject({ evaded: yenFlag("evaded") }),
    output: z.object({ evaded: yen, specialFee: yen, totalOwed: yen }),
    run: (i) => specialFee(i.evaded),
  }),
  calc({
    name: "late-start",
    summary:
      "A start later than agreed: the service period is extended by the days lost, nothing refunded (Art. 36(2)(3))",
    input: z.strictObject({
      planned: date("planned"),
      started: date("started"),
      attribution: z.enum(["provider", "carrier"]).optional(),
    }),
    output: lateStartAnswer.shape.result.omit({ extensionDays: true, serviceUntil: true }),
    run: (i) =>
      lateStartExtension({
        plannedOn: i.planned,
        startedOn: i.started,
        attribution: i.attribution ?? "provider",
      }),
  }),
  calc({
    name: "damages-cap",
    summary: "Damages cap: one month's monthly fee (Art. 39)",
    input: z.strictObject({ "monthly-fee": yenFlag("monthly-fee") }),
    output: z.object({ monthlyFee: yen, cap: yen, excluded: z.array(z.string()) }),
    run: (i) => damagesCap(i["monthly-fee"]),
  }),
  calc({
    name: "invoice-number",
    summary: "Check a qualified-invoice registration number, T + 13 digits (Art. 34)",
    input: z.strictObject({ number: z.string() }),
    positional: "number",
    output: digitCheck,
    run: (i) => registrationNumber(i.number),
  }),
];

export const calculatorByName = new Map(calculators.map((c) => [c.name, c]));
