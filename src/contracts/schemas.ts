/**
 * The contracts room's requests and answers (zod); the types the routes and presenters use are
 * inferred from these.
 */
import { z } from "zod";
import { basisList, dateField, explained, instant, isoDate, isoMonth, monthField } from "../core/schemas.ts";
import { contactSchema as contact } from "../customers/schemas.ts";
import { REJECTION_REASONS, SUSPENSION_REASONS, TERMINATION_REASONS } from "./reasons.ts";
import { CANCELLATION_REASONS, CHANNELS, END_KINDS } from "./rules.ts";
import { APPLICATION_STATUSES, CANDIDACY_REASONS, CONTRACT_STATUSES } from "./states.ts";

const keysOf = <T extends Record<string, unknown>>(o: T) =>
  Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

export const PLANS = ["basic", "standard", "premium"] as const;
export const OPTIONS = ["backup", "patching", "change-work", "extended-support"] as const;
/** The clouds a server may run on. */
export const PROVIDERS = ["aws", "azure", "gcp", "other"] as const;

export const serverSchema = z.strictObject({
  hostname: z.string().trim().min(1).max(253),
  provider: z.enum(PROVIDERS),
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
  servers: z.array(serverSchema).min(1).max(500),
  /** Honeypot: a field people never see; bots fill it. */
  website: z.string().max(200).optional(),
});
export type ApplicationForm = z.infer<typeof applicationForm>;

/** What a web applicant consents to: the terms version in force (null when none is) and the privacy notice. */
export const consentBody = z.strictObject({
  termsVersionId: z.uuid().nullable(),
  privacyNotice: z.string().min(1).max(40),
});
export type Consent = z.infer<typeof consentBody>;

export const paperApplicationBody = applicationForm.omit({ website: true }).extend({
  channel: z.enum(["paper", "email"]),
  receivedOn: dateField("receivedOn"),
  applicantEmail: z.email().max(254),
});

export const rejectBody = z.strictObject({
  reason: z.enum(keysOf(REJECTION_REASONS)),
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
  reason: z.enum(keysOf(SUSPENSION_REASONS)),
  note: z.string().trim().max(2000).optional(),
});
export const noteBody = z.strictObject({ note: z.string().trim().min(1).max(2000) });
export const terminateBody = z.strictObject({
  reason: z.enum(keysOf(TERMINATION_REASONS)),
  /** The day the termination notice arrived (Art. 25(4)). */
  noticeArrivedOn: dateField("noticeArrivedOn"),
  /** Partial termination (Art. 25(6)): these servers only. */
  servers: z.array(z.string().min(1)).min(1).optional(),
  note: z.string().trim().max(2000).optional(),
});
export const scheduleDeletionBody = z.strictObject({ on: dateField("on") });
export const abolitionBody = z.strictObject({
  title: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  noticeOn: dateField("noticeOn"),
  abolitionOn: dateField("abolitionOn"),
  contractIds: z.array(z.uuid()).min(1).optional(),
});
export const successionBody = z.strictObject({
  legalName: z.string().trim().min(1).max(200),
  corporateNumber: z.string().regex(/^\d{13}$/, "13 digits"),
  address: z.string().trim().min(1).max(300).optional(),
  /** The acceptance check of Art. 17 re-run by staff: no rejection reason applies. */
  acceptanceCheckPassed: z.literal(true),
  note: z.string().trim().max(2000).optional(),
});
/** An optional note to a decision (resume, confirm, refuse). */
export const decisionBody = z.strictObject({ note: z.string().trim().max(2000).optional() });

// ---- answers -----------------------------------------------------------------------------------

const contactView = z.object({ name: z.string(), email: z.string(), phone: z.string() });

const serverView = z.object({
  hostname: z.string(),
  provider: z.string(),
  role: z.string().optional(),
  os: z.string().optional(),
});

export const contractSchema = z
  .object({
    id: z.uuid(),
    number: z.string(),
    customerId: z.uuid(),
    status: z.enum(CONTRACT_STATUSES),
    plan: z.string(),
    options: z.array(z.string()),
    servers: z.array(serverView),
    channel: z.string(),
    appliedOn: isoDate,
    startDate: isoDate,
    committedMonths: z.number().int().nullable(),
    minimumTermEnd: isoDate,
    coolingOffLastDay: isoDate.nullable(),
    suspensionReason: z.string().nullable(),
    suspensionCandidate: z.enum(CANDIDACY_REASONS).nullable(),
    endKind: z.enum(END_KINDS).nullable(),
    endReason: z.string().nullable(),
    endArticle: z.string().nullable(),
    cancellationReceivedOn: isoDate.nullable(),
    endEffectiveOn: isoDate.nullable(),
    /** Days added to the service period for a late start (Art. 36(2)). */
    extensionDays: z.number().int(),
    /** The last day of an ending contract's service (Art. 26, 36(2)). */
    serviceUntil: isoDate.nullable(),
    terminatedOn: isoDate.nullable(),
    deletionScheduledOn: isoDate.nullable(),
    dataDeletedOn: isoDate.nullable(),
    eligibleForStop: z.boolean(),
    chargesVoid: z.boolean(),
    basis: basisList,
  })
  .meta({ id: "Contract" });
export type ContractView = z.infer<typeof contractSchema>;

export const timelineEventSchema = z
  .object({
    at: instant,
    businessDate: isoDate,
    actorKind: z.string(),
    actorId: z.string().nullable(),
    type: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string().nullable(),
    reasonCode: z.string().nullable(),
    article: z.string().nullable(),
    /** What the event says besides its type (dates, the invoice, the servers, …): event-specific. */
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: "ContractEvent" });

export const contractDetailSchema = contractSchema
  .extend({
    termsHistory: z.array(
      z.object({
        id: z.uuid(),
        number: z.string(),
        title: z.string(),
        effectiveOn: isoDate,
        since: isoDate,
      }),
    ),
    timeline: z.array(timelineEventSchema),
  })
  .meta({ id: "ContractDetail" });
export type ContractDetail = z.infer<typeof contractDetailSchema>;

export const applicationSchema = z
  .object({
    id: z.uuid(),
    number: z.string(),
    channel: z.enum(CHANNELS),
    receivedOn: isoDate,
    status: z.enum(APPLICATION_STATUSES),
    legalName: z.string(),
    corporateNumber: z.string(),
    /** The application form as received (Art. 15). */
    form: z.object({
      legalName: z.string(),
      corporateNumber: z.string(),
      address: z.string(),
      billingContact: contactView,
      representatives: z.array(contactView),
      plan: z.string(),
      options: z.array(z.string()),
      servers: z.array(serverView),
    }),
    applicantEmail: z.string(),
    rejectionReason: z.string().nullable(),
    rejectionNote: z.string().nullable(),
    decidedAt: instant.nullable(),
    customerId: z.uuid().nullable(),
    contractId: z.uuid().nullable(),
    coolingOffLastDay: isoDate.nullable(),
    /** What a web applicant consented to (Art. 15): the terms version in force and the privacy notice. */
    consent: z
      .object({
        termsVersionId: z.uuid().nullable(),
        termsNumber: z.string().nullable(),
        privacyNotice: z.string().nullable(),
        at: instant,
      })
      .nullable(),
  })
  .meta({ id: "Application" });
export type ApplicationView = z.infer<typeof applicationSchema>;

export const cancellationSchema = explained(
  z.object({
    reason: z.enum(CANCELLATION_REASONS),
    received: isoDate,
    effectiveDate: isoDate,
    article: z.string(),
    earliestMonth: isoMonth.nullable(),
    minimumTermEnd: isoDate,
    lastBillableMonth: isoMonth,
    billableMonthsFromReceipt: z.array(isoMonth),
  }),
).meta({ id: "Cancellation" });

export const cancellationAnswer = cancellationSchema.extend({ contract: contractSchema });

export const acceptedSchema = z.object({
  contract: contractSchema,
  customerId: z.uuid(),
  portalUser: z.object({ id: z.uuid(), loginId: z.string() }),
  /** Shown once: handed over through the designated channel, changed at first log-in (Art. 10). */
  initialPassword: z.string(),
});

export const applicationReceipt = z.object({
  id: z.uuid(),
  number: z.string(),
  coolingOffLastDay: isoDate.nullable(),
});

export const webApplicationReceipt = z.object({
  number: z.string(),
  receivedOn: isoDate,
  coolingOffLastDay: isoDate.nullable(),
});

export const abolitionAnswer = z.object({
  id: z.uuid(),
  abolitionOn: isoDate,
  affectedContracts: z.number().int(),
  basis: basisList,
});

export const optionCancellationAnswer = z.object({
  option: z.string(),
  receivedOn: isoDate,
  basis: basisList,
});

export const lateStartAnswer = explained(
  z.object({
    plannedOn: isoDate,
    startedOn: isoDate,
    days: z.number().int(),
    refund: z.literal(0),
    extensionDays: z.number().int(),
    serviceUntil: isoDate.nullable(),
  }),
);

export const lateStartBody = z.strictObject({
  plannedOn: dateField("plannedOn"),
  startedOn: dateField("startedOn"),
  attribution: z.enum(["provider", "carrier"]),
  note: z.string().trim().max(1000).optional(),
});

export const optionCancelBody = z
  .strictObject({ receivedOn: dateField("receivedOn").optional() })
  .default({});

const codedReasons = z.array(z.object({ code: z.string(), article: z.string() }));
export const reasonsSchema = z
  .object({ rejection: codedReasons, suspension: codedReasons, termination: codedReasons })
  .meta({ id: "Reasons" });

/** The orders of the contracts list (`?sort=`). */
export const CONTRACT_SORTS = ["number", "customer", "start", "end"] as const;
export type ContractSort = (typeof CONTRACT_SORTS)[number];

/** The orders of the applications list (`?sort=`). */
export const APPLICATION_SORTS = ["received", "name"] as const;
export type ApplicationSort = (typeof APPLICATION_SORTS)[number];
