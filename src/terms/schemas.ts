import { z } from "zod";
import { basisList, dateField, isoDate } from "../core/schemas.ts";

export const termsVersionBody = z.strictObject({
  number: z.string().trim().min(1).max(50),
  title: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(200_000),
  announcedOn: dateField("announcedOn"),
  effectiveOn: dateField("effectiveOn"),
});

export const termsVersionSchema = z
  .object({
    id: z.uuid(),
    number: z.string(),
    title: z.string(),
    announcedOn: isoDate,
    effectiveOn: isoDate,
  })
  .meta({ id: "TermsVersion" });
export type TermsVersionView = z.infer<typeof termsVersionSchema>;

export const publishedSchema = termsVersionSchema.extend({ basis: basisList });

export const termsTextSchema = termsVersionSchema.extend({ body: z.string() }).meta({ id: "TermsText" });
