import { z } from "zod";
import { instant } from "../core/schemas.ts";
import { pageOf } from "../db/page.ts";

export const noticeBody = z.strictObject({
  customerId: z.uuid().optional(),
  subject: z.string().trim().min(1).max(200),
  body: z.string().min(1).max(20_000),
  article: z.string().max(20).optional(),
});

/** A notice goes to one customer, an announcement to many (Art. 1, 43). */
export const NOTICE_KINDS = ["notice", "announcement"] as const;
/** A delivery of the outbox: queued until sent, failed after its last attempt. */
export const DELIVERY_STATUSES = ["queued", "sent", "failed"] as const;

/** What every view of a notice shows. */
const notice = {
  kind: z.enum(NOTICE_KINDS),
  topic: z.string(),
  subject: z.string(),
  article: z.string().nullable(),
  createdAt: instant,
};

export const noticeSummarySchema = z.object({ id: z.uuid(), ...notice }).meta({ id: "NoticeSummary" });
export type NoticeSummary = z.infer<typeof noticeSummarySchema>;

export const inboxItemSchema = z
  .object({
    noticeId: z.uuid(),
    ...notice,
    body: z.string(),
    readAt: instant.nullable(),
    acknowledgedAt: instant.nullable(),
  })
  .meta({ id: "InboxItem" });
export type InboxItem = z.infer<typeof inboxItemSchema>;

/** Staff see notice summaries, a customer its inbox. */
export const noticeListSchema = pageOf(z.union([inboxItemSchema, noticeSummarySchema]));

export const failingDeliverySchema = z
  .object({
    id: z.uuid(),
    noticeId: z.uuid(),
    subject: z.string(),
    customerName: z.string().nullable(),
    email: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    /** When it is tried again; null once given up. */
    nextAttemptAt: instant.nullable(),
    noticeCreatedAt: instant,
  })
  .meta({ id: "FailingDelivery" });
export type FailingDelivery = z.infer<typeof failingDeliverySchema>;
export const failingDeliveryListSchema = pageOf(failingDeliverySchema);

export const noticeDetailSchema = z
  .object({
    id: z.uuid(),
    ...notice,
    body: z.string(),
    deliveries: z.array(
      z.object({
        email: z.string(),
        customerId: z.uuid().nullable(),
        status: z.enum(DELIVERY_STATUSES),
        attempts: z.number().int(),
        sentAt: instant.nullable(),
        lastError: z.string().nullable(),
        readAt: instant.nullable(),
        acknowledgedAt: instant.nullable(),
      }),
    ),
  })
  .meta({ id: "NoticeDetail" });
export type NoticeDetail = z.infer<typeof noticeDetailSchema>;

export const queuedSchema = z.object({ noticeId: z.uuid(), deliveries: z.number().int() });
