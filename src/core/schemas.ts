/**
 * The field schemas every room shares (zod): business dates, months, yen, ids, instants. One
 * validator each, so a date is refused with the same words in the API, the CLI and the calculator.
 */
import { z } from "zod";
import { type IsoDate, type IsoMonth, parseDate, parseMonth } from "./dates.ts";

/** Run a parser that throws with a readable message; its message becomes the zod issue. */
function parsed<T>(parse: (s: string) => T) {
  return (s: string, ctx: z.RefinementCtx) => {
    try {
      parse(s);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  };
}

/** A business date `YYYY-MM-DD` (a real calendar day). */
export const dateField = (name = "date") =>
  z
    .string()
    .superRefine(parsed((s) => parseDate(s, name)))
    .transform((s) => s as IsoDate)
    .meta({ format: "date" });

/** A month `YYYY-MM`. */
export const monthField = (name = "month") =>
  z
    .string()
    .superRefine(parsed((s) => parseMonth(s, name)))
    .transform((s) => s as IsoMonth)
    .meta({ pattern: "^\\d{4}-\\d{2}$" });

/** A business date in a response (already valid). */
export const isoDate = z.string().meta({ format: "date" });
/** A month in a response. */
export const isoMonth = z.string().meta({ pattern: "^\\d{4}-\\d{2}$" });
/** An instant in a response: ISO 8601 in UTC. */
export const instant = z.string().meta({ format: "date-time" });
/** An instant in a request: ISO 8601 with an offset. */
export const instantField = z.iso.datetime({ offset: true });

export const MAX_YEN = 1_000_000_000_000;
/** Whole yen, 0 or more (money is integer yen). */
export const yen = z.number().int().min(0).max(MAX_YEN);
/** Whole yen that may be negative (credits). */
export const signedYen = z.number().int().min(-MAX_YEN).max(MAX_YEN);

export const uuid = z.uuid();
export const idParams = z.strictObject({ id: z.uuid() });

/** `{"article": "26(2)", "text": "…"}`: why a date or an amount is what it is. */
export const basisSchema = z
  .object({ article: z.string(), text: z.string(), textJa: z.string() })
  .meta({ id: "Basis" });
export const basisList = z.array(basisSchema);

/** A computed result with the articles it rests on. */
export const explained = <T extends z.ZodType>(result: T) => z.object({ result, basis: basisList });

/** `true`/`false` in a query string. */
export const booleanQuery = z.enum(["true", "false"]).transform((v) => v === "true");
