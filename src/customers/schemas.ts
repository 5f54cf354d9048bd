import { z } from "zod";
import { pageFields, sortField } from "../db/page.ts";

const contactView = z.object({ name: z.string(), email: z.string(), phone: z.string() });

export const customerSchema = z
  .object({
    id: z.uuid(),
    legalName: z.string(),
    corporateNumber: z.string().nullable(),
    address: z.string().nullable(),
    billingContact: contactView.nullable(),
    representatives: z.array(contactView),
    isDemo: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: "Customer" });

/** The orders of the customers list (`?sort=`): by legal name, or by registration. */
export const CUSTOMER_SORTS = ["name", "created"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];

export const customersQuery = z.strictObject({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: "Part of the legal name, or the start of the corporate number" }),
  sort: sortField(CUSTOMER_SORTS, "name"),
  ...pageFields,
});

export const createCustomerBody = z.strictObject({
  legalName: z.string().trim().min(1).max(200),
  corporateNumber: z
    .string()
    .regex(/^\d{13}$/, "13 digits")
    .optional(),
});

/** A person to contact at the customer (billing contact, representatives, Art. 15). */
export const contactSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  email: z.email().max(254),
  phone: z
    .string()
    .trim()
    .regex(/^[0-9+\-() ]{6,20}$/, "a phone number"),
});

/** A change of the company's data, pending until the provider confirms it (Art. 19, 20(4)). */
export const customerChangeBody = z
  .strictObject({
    legalName: z.string().trim().min(1).max(200).optional(),
    address: z.string().trim().min(1).max(300).optional(),
    billingContact: contactSchema.optional(),
    representatives: z.array(contactSchema).min(1).max(2).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });
export type CustomerChange = z.infer<typeof customerChangeBody>;
export type CustomerView = z.infer<typeof customerSchema>;

/** A change of company data is pending until the provider confirms or refuses it (Art. 20(4)). */
export const CHANGE_STATUSES = ["pending", "confirmed", "refused"] as const;

export const customerChangeSchema = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    legalName: z.string(),
    changes: z.object({
      legalName: z.string().optional(),
      address: z.string().optional(),
      billingContact: z.object({ name: z.string(), email: z.string(), phone: z.string() }).optional(),
      representatives: z
        .array(z.object({ name: z.string(), email: z.string(), phone: z.string() }))
        .optional(),
    }),
    status: z.enum(CHANGE_STATUSES),
    requestedAt: z.string(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
  })
  .meta({ id: "CustomerChange" });
export type CustomerChangeView = z.infer<typeof customerChangeSchema>;

/** One entry of a customer's timeline: what was done, by whom, when, under which article. */
export const timelineEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actorKind: z.enum(["staff", "customer", "system", "token", "public"]),
    actorName: z.string().nullable(),
    action: z.string(),
    subjectType: z.string(),
    subjectId: z.string().nullable(),
    article: z.string().nullable(),
  })
  .meta({ id: "TimelineEntry" });
