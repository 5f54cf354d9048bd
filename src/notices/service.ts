/**
 * Notices (通知, one customer) and announcements (発表, many), Art. 1, 43. A notice is written with
 * one delivery row per recipient in the caller's transaction — the outbox — together with a job that
 * wakes the delivery worker (`jobs/deliver.ts`): nothing is lost if the process dies after the event.
 */

import { randomUUID } from "node:crypto";
import { type Actor, appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { notFound } from "../core/errors.ts";
import { customerExists } from "../customers/store.ts";
import { asCaller, type Db, type Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { activeEmailsOf } from "../identity/store.ts";
import type { JobQueue } from "../jobs/queue.ts";
import type { FailingDelivery, InboxItem, NoticeDetail, NoticeSummary } from "./schemas.ts";
import {
  acknowledgeDeliveries,
  deliveriesOf,
  failingDeliveries,
  inboxOf,
  insertDeliveries,
  insertNotice,
  insertNotices,
  type NoticeFilter,
  noticeById,
  recentNotices,
} from "./store.ts";

export interface Recipient {
  customerId: string | null;
  /** The e-mail address, or for a channel its label (e.g. "Slack: #ops"). */
  email: string;
  /** A chat or webhook channel instead of e-mail. */
  channel?: { kind: "slack" | "teams" | "chatwork" | "webhook"; id: string } | undefined;
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
export const DELIVER_JOB = "notices.deliver";

/** Queue a notice and its deliveries in the caller's transaction (the outbox), and wake the sender. */
export async function queueNotice(
  deps: Pick<Deps, "queue">,
  tx: Tx,
  input: NoticeInput,
): Promise<{ noticeId: string; deliveries: number }> {
  const notice = await insertNotice(tx, {
    kind: input.kind,
    topic: input.topic,
    subject: input.subject,
    body: input.body,
    article: input.article ?? null,
    contract_id: input.contractId ?? null,
    created_by: input.actor.kind === "staff" ? input.actor.id : null,
    created_at: input.at,
  });
  const unique = new Map(
    input.recipients.map((r) => [
      r.channel ? `channel|${r.channel.id}` : `${r.customerId}|${r.email.toLowerCase()}`,
      r,
    ]),
  );
  await insertDeliveries(
    tx,
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
        channel: r.channel?.kind ?? "email",
        channel_id: r.channel?.id ?? null,
      };
    }),
  );
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
  if (unique.size > 0) await deps.queue.enqueue(tx, DELIVER_JOB, {});
  return { noticeId: notice.id, deliveries: unique.size };
}

/**
 * Many notices of one kind at once, each to one customer's active portal users (a month's issued
 * invoices): the notices, their deliveries and one audit entry in a few statements, not per notice.
 * Answers how many e-mails were queued.
 */
export async function queueNoticeBatch(
  deps: { queue?: Pick<JobQueue, "enqueue"> | undefined },
  tx: Tx,
  batch: {
    topic: string;
    article: string | null;
    actor: Actor;
    at: Date;
    notices: { customerId: string; contractId: string | null; subject: string; body: string }[];
  },
): Promise<number> {
  if (batch.notices.length === 0) return 0;
  const recipients = await customerRecipients(tx, [...new Set(batch.notices.map((n) => n.customerId))]);
  const byCustomer = new Map<string, string[]>();
  for (const r of recipients) {
    if (!r.customerId) continue;
    const list = byCustomer.get(r.customerId) ?? [];
    if (!list.some((e) => e.toLowerCase() === r.email.toLowerCase())) list.push(r.email);
    byCustomer.set(r.customerId, list);
  }
  const rows = batch.notices.map((n) => ({
    id: randomUUID(),
    kind: "notice" as const,
    topic: batch.topic,
    subject: n.subject,
    body: n.body,
    article: batch.article,
    contract_id: n.contractId,
    created_by: batch.actor.kind === "staff" ? batch.actor.id : null,
    created_at: batch.at,
  }));
  await insertNotices(tx, rows);
  const deliveries = rows.flatMap((row, i) => {
    const customerId = batch.notices[i]!.customerId;
    return (byCustomer.get(customerId) ?? []).map((email) => {
      const id = randomUUID();
      return {
        id,
        notice_id: row.id,
        customer_id: customerId,
        email,
        message_id: `<${id}@${MESSAGE_ID_DOMAIN}>`,
        next_attempt_at: batch.at,
      };
    });
  });
  await insertDeliveries(tx, deliveries);
  await appendAudit(tx, {
    actor: batch.actor,
    action: "notice.notice",
    subjectType: "notice",
    subjectId: rows.length === 1 ? rows[0]!.id : null,
    customerId: rows.length === 1 ? batch.notices[0]!.customerId : null,
    after: { topic: batch.topic, notices: rows.length, recipients: deliveries.length },
    article: batch.article,
    at: batch.at,
  });
  if (deliveries.length > 0 && deps.queue) await deps.queue.enqueue(tx, DELIVER_JOB, {});
  return deliveries.length;
}

/** The e-mail addresses a customer company is notified at: its active portal users. */
export async function customerRecipients(tx: Tx | Db, customerIds: string[]): Promise<Recipient[]> {
  return (await activeEmailsOf(tx, customerIds)).map((r) => ({ customerId: r.customer_id, email: r.email }));
}

/** A notice to one customer (customerId) or an announcement to the `audience` (the caller's choice). */
export async function sendNotice(
  deps: Deps,
  auth: AuthContext,
  input: { customerId?: string; subject: string; body: string; article?: string },
  audience: (tx: Tx) => Promise<string[]>,
) {
  return deps.db.transaction().execute(async (tx) => {
    let ids: string[];
    if (input.customerId) {
      if (!(await customerExists(tx, input.customerId))) throw notFound("customer");
      ids = [input.customerId];
    } else ids = await audience(tx);
    return queueNotice(deps, tx, {
      kind: input.customerId ? "notice" : "announcement",
      topic: "manual",
      subject: input.subject,
      body: input.body,
      article: input.article ?? "43",
      recipients: await customerRecipients(tx, ids),
      actor: actorOf(auth),
      at: deps.clock.now(),
    });
  });
}

const iso = (d: Date | string | null | unknown) => (d ? new Date(d as Date).toISOString() : null);

/** A customer's portal inbox. */
export async function inbox(
  deps: Deps,
  auth: AuthContext,
  page: PageRequest & NoticeFilter = {},
): Promise<Page<InboxItem>> {
  const customerId = auth.user.customerId;
  if (!customerId) return { items: [], hasMore: false, nextCursor: null };
  return companyInbox(deps, auth, customerId, page);
}

/** A company's inbox as its users see it, with what they read and acknowledged (staff: any company's). */
export async function companyInbox(
  deps: Pick<Deps, "db">,
  auth: AuthContext,
  customerId: string,
  page: PageRequest & NoticeFilter = {},
): Promise<Page<InboxItem>> {
  return asCaller(deps.db, auth, async (tx) => {
    if (!(await customerExists(tx, customerId))) throw notFound("customer");
    return mapPage(inboxOf(tx, customerId, page, page), (r) => ({
      noticeId: r.id,
      kind: r.kind,
      topic: r.topic,
      subject: r.subject,
      body: r.body,
      article: r.article,
      createdAt: new Date(r.created_at).toISOString(),
      readAt: iso(r.read_at),
      acknowledgedAt: iso(r.acknowledged_at),
    }));
  });
}

/** Staff: the latest notices. */
/** Deliveries failing (given up, or being retried after a refusal): the console's work queue. */
export async function failingNoticeDeliveries(
  deps: Pick<Deps, "db">,
  page: PageRequest = {},
): Promise<Page<FailingDelivery>> {
  return mapPage(failingDeliveries(deps.db, page), (d) => ({
    id: d.id,
    noticeId: d.notice_id,
    subject: d.subject,
    customerName: d.legal_name,
    email: d.email,
    status: d.status,
    attempts: d.attempts,
    lastError: d.last_error,
    nextAttemptAt: d.status === "failed" ? null : new Date(d.next_attempt_at).toISOString(),
    noticeCreatedAt: new Date(d.created_at).toISOString(),
  }));
}

export async function latestNotices(
  deps: Pick<Deps, "db">,
  page: PageRequest & NoticeFilter = {},
): Promise<Page<NoticeSummary>> {
  return mapPage(recentNotices(deps.db, page, page), (n) => ({
    id: n.id,
    kind: n.kind,
    topic: n.topic,
    subject: n.subject,
    article: n.article,
    createdAt: new Date(n.created_at).toISOString(),
  }));
}

/** Acknowledge (and so read) a notice for the caller's company. */
export async function acknowledge(deps: Deps, auth: AuthContext, noticeId: string): Promise<void> {
  const customerId = auth.user.customerId;
  if (!customerId) throw notFound("notice");
  const at = deps.clock.now();
  await asCaller(deps.db, auth, async (tx) => {
    if ((await acknowledgeDeliveries(tx, noticeId, customerId, auth.user.id, at)) === 0)
      throw notFound("notice");
    await appendAudit(tx, {
      actor: { kind: "customer", id: auth.user.id },
      action: "notice.acknowledge",
      subjectType: "notice",
      subjectId: noticeId,
      customerId,
      at,
    });
  });
}

/** Staff: a notice with its delivery result per recipient. */
export async function noticeWithDeliveries(deps: Pick<Deps, "db">, noticeId: string): Promise<NoticeDetail> {
  const n = await noticeById(deps.db, noticeId);
  if (!n) throw notFound("notice");
  const ds = await deliveriesOf(deps.db, noticeId);
  return {
    id: n.id,
    kind: n.kind,
    topic: n.topic,
    subject: n.subject,
    body: n.body,
    article: n.article,
    createdAt: new Date(n.created_at).toISOString(),
    deliveries: ds.map((d) => ({
      email: d.email,
      customerId: d.customer_id,
      status: d.status,
      attempts: d.attempts,
      sentAt: iso(d.sent_at),
      lastError: d.last_error,
      readAt: iso(d.read_at),
      acknowledgedAt: iso(d.acknowledged_at),
    })),
  };
}
