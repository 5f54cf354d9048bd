/**
 * Notices (通知, one customer) and announcements (発表, many), Art. 1, 43. A notice is written with
 * one delivery row per recipient in the caller's transaction — the outbox — and the worker
 * delivers it by SMTP later (`delivery.ts`): nothing is lost if the process dies after the event.
 */
import { randomUUID } from "node:crypto";
import { type Actor, appendAudit } from "../audit/service.ts";
import { notFound } from "../core/errors.ts";
import type { Db, Tx } from "../db/db.ts";

export interface Recipient {
  customerId: string | null;
  email: string;
}

export interface NoticeInput {
  kind: "notice" | "announcement";
  /** What the notice is about, e.g. "application.receipt", "contract.accepted". */
  topic: string;
  subject: string;
  body: string;
  article?: string | null;
  contractId?: string | null;
  recipients: Recipient[];
  actor: Actor;
  at: Date;
}

export const MESSAGE_ID_DOMAIN = "unyo.mail";

/** Queue a notice and its deliveries in the caller's transaction (the outbox). */
export async function queueNotice(
  tx: Tx,
  input: NoticeInput,
): Promise<{ noticeId: string; deliveries: number }> {
  const notice = await tx
    .insertInto("notices")
    .values({
      kind: input.kind,
      topic: input.topic,
      subject: input.subject,
      body: input.body,
      article: input.article ?? null,
      contract_id: input.contractId ?? null,
      created_by: input.actor.kind === "staff" ? input.actor.id : null,
      created_at: input.at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const unique = new Map(input.recipients.map((r) => [`${r.customerId}|${r.email.toLowerCase()}`, r]));
  if (unique.size > 0)
    await tx
      .insertInto("notice_deliveries")
      .values(
        [...unique.values()].map((r) => {
          const id = randomUUID();
          // A stable Message-ID per delivery: a resend after a crash is recognisably the same message.
          return {
            id,
            notice_id: notice.id,
            customer_id: r.customerId,
            email: r.email,
            message_id: `<${id}@${MESSAGE_ID_DOMAIN}>`,
            next_attempt_at: input.at,
          };
        }),
      )
      .execute();
  await appendAudit(tx, {
    actor: input.actor,
    action: `notice.${input.kind}`,
    subjectType: "notice",
    subjectId: notice.id,
    customerId: input.recipients.length === 1 ? input.recipients[0]!.customerId : null,
    after: { topic: input.topic, subject: input.subject, recipients: unique.size },
    article: input.article ?? null,
    at: input.at,
  });
  return { noticeId: notice.id, deliveries: unique.size };
}

/** The e-mail addresses a customer company is notified at: its active portal users. */
export async function customerRecipients(tx: Tx | Db, customerIds: string[]): Promise<Recipient[]> {
  if (customerIds.length === 0) return [];
  const rows = await tx
    .selectFrom("users")
    .select(["customer_id", "email"])
    .where("customer_id", "in", customerIds)
    .where("disabled_at", "is", null)
    .execute();
  return rows.map((r) => ({ customerId: r.customer_id, email: r.email }));
}

export interface InboxItem {
  noticeId: string;
  kind: "notice" | "announcement";
  topic: string;
  subject: string;
  body: string;
  article: string | null;
  createdAt: string;
  readAt: string | null;
  acknowledgedAt: string | null;
}

/** The portal inbox of one customer company (call inside its RLS scope). */
export async function inbox(tx: Tx, customerId: string): Promise<InboxItem[]> {
  const rows = await tx
    .selectFrom("notice_deliveries as d")
    .innerJoin("notices as n", "n.id", "d.notice_id")
    .select((eb) => [
      "n.id",
      "n.kind",
      "n.topic",
      "n.subject",
      "n.body",
      "n.article",
      "n.created_at",
      eb.fn.min("d.read_at").as("read_at"),
      eb.fn.min("d.acknowledged_at").as("acknowledged_at"),
    ])
    .where("d.customer_id", "=", customerId)
    .groupBy(["n.id", "n.kind", "n.topic", "n.subject", "n.body", "n.article", "n.created_at"])
    .orderBy("n.created_at", "desc")
    .limit(500)
    .execute();
  return rows.map((r) => ({
    noticeId: r.id,
    kind: r.kind,
    topic: r.topic,
    subject: r.subject,
    body: r.body,
    article: r.article,
    createdAt: new Date(r.created_at).toISOString(),
    readAt: r.read_at ? new Date(r.read_at as Date).toISOString() : null,
    acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at as Date).toISOString() : null,
  }));
}

/** Acknowledge (and so read) a notice for the caller's company. */
export async function acknowledge(
  tx: Tx,
  customerId: string,
  noticeId: string,
  userId: string,
  at: Date,
): Promise<void> {
  const res = await tx
    .updateTable("notice_deliveries")
    .set((eb) => ({
      acknowledged_at: eb.fn.coalesce("acknowledged_at", eb.val(at)),
      acknowledged_by: userId,
      read_at: eb.fn.coalesce("read_at", eb.val(at)),
    }))
    .where("notice_id", "=", noticeId)
    .where("customer_id", "=", customerId)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) throw notFound("notice");
  await appendAudit(tx, {
    actor: { kind: "customer", id: userId },
    action: "notice.acknowledge",
    subjectType: "notice",
    subjectId: noticeId,
    customerId,
    at,
  });
}

export interface DeliveryView {
  email: string;
  customerId: string | null;
  status: "queued" | "sent" | "failed";
  attempts: number;
  sentAt: string | null;
  lastError: string | null;
  readAt: string | null;
  acknowledgedAt: string | null;
}

/** Staff: a notice with its delivery result per recipient. */
export async function noticeWithDeliveries(db: Db, noticeId: string) {
  const n = await db.selectFrom("notices").selectAll().where("id", "=", noticeId).executeTakeFirst();
  if (!n) throw notFound("notice");
  const ds = await db
    .selectFrom("notice_deliveries")
    .selectAll()
    .where("notice_id", "=", noticeId)
    .orderBy("email")
    .execute();
  return {
    id: n.id,
    kind: n.kind,
    topic: n.topic,
    subject: n.subject,
    body: n.body,
    article: n.article,
    createdAt: new Date(n.created_at).toISOString(),
    deliveries: ds.map(
      (d): DeliveryView => ({
        email: d.email,
        customerId: d.customer_id,
        status: d.status,
        attempts: d.attempts,
        sentAt: d.sent_at ? new Date(d.sent_at).toISOString() : null,
        lastError: d.last_error,
        readAt: d.read_at ? new Date(d.read_at).toISOString() : null,
        acknowledgedAt: d.acknowledged_at ? new Date(d.acknowledged_at).toISOString() : null,
      }),
    ),
  };
}
