/**
 * The rules calculator: every pure rule an operator may ask about, with one input schema each,
 * shared by `unyo rules <name>` and `GET /api/v1/rules/<name>`. Output: `{result, basis}`.
 */
import { z } from "zod";
import {
  abolitionNotice,
  CANCELLATION_REASONS,
  CHANNELS,
  cancellation,
  coolingOff,
  corporateNumber,
  minimumTerm,
} from "../contracts/rules.ts";
import type { Explained } from "../core/citations.ts";
import { parseDate, parseMonth } from "../core/dates.ts";
import { inquiryDeadline, termsChange } from "../notices/rules.ts";

const date = (name: string) => z.string().transform((s, ctx) => checked(ctx, () => parseDate(s, name)));
const month = (name: string) => z.string().transform((s, ctx) => checked(ctx, () => parseMonth(s, name)));

function checked<T>(ctx: z.RefinementCtx, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
}

export interface Calculator {
  name: string;
  summary: string;
  /** CLI flags (kebab-case) ↔ query parameters (same names). */
  input: z.ZodType<Record<string, unknown>>;
  /** A positional CLI argument, when the calculator takes one. */
  positional?: string;
  run(input: Record<string, unknown>): Explained<unknown>;
}

const calc = <S extends z.ZodObject>(c: {
  name: string;
  summary: string;
  input: S;
  positional?: string;
  run(i: z.output<S>): Explained<unknown>;
}): Calculator => c as unknown as Calculator;

export const calculators: Calculator[] = [
  calc({
    name: "minimum-term",
    summary: "Minimum term end and renewal for a start date (Art. 12, 13)",
    input: z.strictObject({
      start: date("start"),
      "committed-months": z.coerce.number().int().min(1).max(120).optional(),
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
    run: (i) => coolingOff(i.applied, i.channel),
  }),
  calc({
    name: "inquiry-deadline",
    summary: "Response deadline of a provider inquiry (Art. 44(3))",
    input: z.strictObject({ sent: date("sent") }),
    run: (i) => inquiryDeadline(i.sent),
  }),
  calc({
    name: "terms-change",
    summary: "Whether a terms version may take effect on a date (Art. 2: 14 days' notice)",
    input: z.strictObject({ announced: date("announced"), effective: date("effective") }),
    run: (i) => termsChange(i.announced, i.effective),
  }),
  calc({
    name: "abolition",
    summary: "Whether an abolition date gives two months' notice (Art. 24(2))",
    input: z.strictObject({ notice: date("notice"), date: date("date") }),
    run: (i) => abolitionNotice(i.notice, i.date),
  }),
  calc({
    name: "corporate-number",
    summary: "Check a corporate number's check digit (法人番号)",
    input: z.strictObject({ number: z.string() }),
    positional: "number",
    run: (i) => corporateNumber(i.number),
  }),
];

export const calculatorByName = new Map(calculators.map((c) => [c.name, c]));
