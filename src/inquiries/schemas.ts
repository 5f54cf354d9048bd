import { z } from "zod";
import { basisList, dateField, instant, isoDate } from "../core/schemas.ts";

export const inquiryBody = z.strictObject({
  subject: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  sentOn: dateField("sentOn").optional(),
});

export const answerBody = z.strictObject({ answer: z.string().trim().min(1).max(20_000) });

export const inquirySchema = z
  .object({
    id: z.uuid(),
    contractId: z.uuid(),
    contractNumber: z.string(),
    subject: z.string(),
    body: z.string(),
    sentOn: isoDate,
    deadline: isoDate,
    answeredAt: instant.nullable(),
    answer: z.string().nullable(),
    overdue: z.boolean(),
    eligibleForStop: z.boolean(),
  })
  .meta({ id: "Inquiry" });
export type InquiryView = z.infer<typeof inquirySchema>;

export const inquirySentSchema = z.object({ id: z.uuid(), deadline: isoDate, basis: basisList });
