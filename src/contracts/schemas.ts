import { z } from "zod";
import { parseDate, parseMonth } from "../core/dates.ts";
import { CANCELLATION_REASONS, REJECTION_REASONS, SUSPENSION_REASONS, TERMINATION_REASONS } from "./rules.ts";

export const dateField = (name: string) =>
  z.string().refine(
    (s) => {
      try {
        parseDate(s, name);
        return true;
      } catch {
        return false;
      }
    },
    { message: `${name} must be a real date YYYY-MM-DD` },
  );
export const monthField = (name: string) =>
  z.string().refine(
    (s) => {
      try {
        parseMonth(s, name);
        return true;
      } catch {
        return false;
      }
    },
    { message: `${name} must be a month YYYY-MM` },
  );
export const isoDate = dateField("date");

export const PLANS = ["basic", "standard", "premium"] as const;
export const OPTIONS = ["backup", "patching", "change-work", "extended-support"] as const;

const contact = z.strictObject({
  name: z.string().trim().min(1).max(100),
  email: z.email().max(254),
  phone: z
    .string()
    .trim()
    .regex(/^[0-9+\-() ]{6,20}$/, "a phone number"),
});

const server = z.strictObject({
  hostname: z.string().trim().min(1).max(253),
  provider: z.enum(["aws", "azure", "gcp", "other"]),
  role: z.string().trim().max(100).optional(),
  os: z.string().trim().max(100).optional(),
});

/** The application form (申込用紙, Art. 15). */
export const applicationForm = z.strictObject({
  legalName: z.string().trim().min(1).max(200),
  corporateNumber: z.string().regex(/^\d{13}$/, "13 digits"),
  address: z.string().trim().min(1).max(300),
  billingContact: contact,
  representatives: z.array(contact).min(1).max(2),
  plan: z.enum(PLANS),
  options: z.array(z.enum(OPTIONS)).max(OPTIONS.length).default([]),
  servers: z.array(server).min(1).max(500),
  /** Honeypot: a field people never see; bots fill it. */
  website: z.string().max(200).optional(),
});
export type ApplicationForm = z.infer<typeof applicationForm>;

export const paperApplicationBody = applicationForm.omit({ website: true }).extend({
  channel: z.enum(["paper", "email"]),
  receivedOn: dateField("receivedOn"),
  applicantEmail: z.email().max(254),
});

export const rejectBody = z.strictObject({
  reason: z.enum(Object.keys(REJECTION_REASONS) as [keyof typeof REJECTION_REASONS]),
  note: z.string().trim().max(2000).optional(),
});

export const cancellationBody = z.strictObject({ month: monthField("month").optional() });
export const paperCancellationBody = z.strictObject({
  receivedOn: dateField("receivedOn"),
  month: monthField("month").optional(),
  reason: z.enum(CANCELLATION_REASONS).optional(),
});
export const whatIfQuery = z.strictObject({
  received: dateField("received").optional(),
  month: monthField("month").optional(),
  reason: z.enum(CANCELLATION_REASONS).optional(),
});
export const suspendBody = z.strictObject({
  reason: z.enum(Object.keys(SUSPENSION_REASONS) as [keyof typeof SUSPENSION_REASONS]),
  note: z.string().trim().max(2000).optional(),
});
export const noteBody = z.strictObject({ note: z.string().trim().min(1).max(2000) });
export const terminateBody = z.strictObject({
  reason: z.enum(Object.keys(TERMINATION_REASONS) as [keyof typeof TERMINATION_REASONS]),
  /** The day the termination notice arrived (Art. 25(4)). */
  noticeArrivedOn: dateField("noticeArrivedOn"),
  /** Partial termination (Art. 25(6)): these servers only. */
  servers: z.array(z.string().min(1)).min(1).optional(),
  note: z.string().trim().max(2000).optional(),
});
export const scheduleDeletionBody = z.strictObject({ on: dateField("on") });
export const termsVersionBody = z.strictObject({
  number: z.string().trim().min(1).max(50),
  title: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(200_000),
  announcedOn: dateField("announcedOn"),
  effectiveOn: dateField("effectiveOn"),
});
export const abolitionBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  noticeOn: dateField("noticeOn"),
  abolitionOn: dateField("abolitionOn"),
  contractIds: z.array(z.uuid()).min(1).optional(),
});
export const noticeBody = z.strictObject({
  customerId: z.uuid().optional(),
  subject: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  article: z.string().max(20).optional(),
});
export const inquiryBody = z.strictObject({
  subject: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  sentOn: dateField("sentOn").optional(),
});
export const answerBody = z.strictObject({ answer: z.string().trim().min(1).max(20_000) });
export const customerChangeBody = z
  .strictObject({
    legalName: z.string().trim().min(1).max(200).optional(),
    address: z.string().trim().min(1).max(300).optional(),
    billingContact: contact.optional(),
    representatives: z.array(contact).min(1).max(2).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });
export const decisionBody = z.strictObject({ note: z.string().trim().max(2000).optional() });
export const successionBody = z.strictObject({
  legalName: z.string().trim().min(1).max(200),
  corporateNumber: z.string().regex(/^\d{13}$/, "13 digits"),
  address: z.string().trim().min(1).max(300).optional(),
  /** The acceptance check of Art. 17 re-run by staff: no rejection reason applies. */
  acceptanceCheckPassed: z.literal(true),
  note: z.string().trim().max(2000).optional(),
});
