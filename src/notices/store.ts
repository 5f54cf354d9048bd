/** The notices room's SQL: notices and announcements, and their deliveries (the outbox). */

import type { Insertable, SelectQueryBuilder, Updateable } from "kysely";
import { sql } from "kysely";
import type { Db, Tx } from "../db/db.ts";
import { containing, type PageOrder, type PageRequest, paginate } from "../db/page.ts";
import type { NoticeDeliveriesTable, NoticesTable } from "../db/schema.ts";

type Q = Db | Tx;

export async function insertNotice(tx: Q, values: Insertable<NoticesTable>) {
  return tx.insertInto("notices").values(values).returning("id").executeTakeFirstOrThrow();
}

export async function insertDeliveries(tx: Q, rows: Insertable<NoticeDeliveriesTable>[]) {
  // In chunks: a statement carries at most 65,535 parameters.
  for (let i = 0; i < rows.length; i += 5000)
    await tx
      .insertInto("notice_deliveries")
      .values(rows.slice(i, i + 5000))
      .execute();
}

/** Many notices at once (ids chosen by the caller), a thousand a statement. */
export async function insertNotices(tx: Q, rows: (Insertable<NoticesTable> & { id: string })[]) {
  for (let i = 0; i < rows.length; i += 1000)
    await tx
      .insertInto("notices")
      .values(rows.slice(i, i + 1000))
      .execute();
}

const NOTICE_ORDER = (list: string): PageOrder => ({
  list,
  keys: [
    ["n.created_at", "desc"],
    ["n.id", "desc"],
  ],
});

/** What a list of notices is narrowed to: a kind (notice or announcement), a part of the subject. */
export interface NoticeFilter {
  kind?: "notice" | "announcement" | undefined;
  q?: string | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: both lists select from `notices as n`
function filtered<Q extends SelectQueryBuilder<any, "n", any>>(q: Q, filter: NoticeFilter): Q {
  let out = q;
  if (filter.kind) out = out.where("n.kind", "=", filter.kind) as Q;
  if (filter.q) out = out.where("n.subject", "ilike", containing(filter.q)) as Q;
  return out;
}

/** Notices, the latest first. */
export async function recentNotices(db: Q, filter: NoticeFilter, page: PageRequest) {
  return paginate(
    filtered(db.selectFrom("notices as n").selectAll("n"), filter),
    NOTICE_ORDER("notices"),
    page,
  );
}

export async function noticeById(db: Q, id: string) {
  return db.selectFrom("notices").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function deliveriesOf(db: Q, noticeId: string) {
  return db
    .selectFrom("notice_deliveries")
    .selectAll()
    .where("notice_id", "=", noticeId)
    .orderBy("email")
    .execute();
}

/** One company's inbox: each notice once, read/acknowledged when any of its deliveries is. */
export async function inboxOf(tx: Q, customerId: string, filter: NoticeFilter, page: PageRequest) {
  const q = tx
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
    .groupBy(["n.id", "n.kind", "n.topic", "n.subject", "n.body", "n.article", "n.created_at"]);
  return paginate(filtered(q, filter), NOTICE_ORDER("inbox"), page);
}

export async function acknowledgeDeliveries(
  tx: Q,
  noticeId: string,
  customerId: string,
  userId: string,
  at: Date,
) {
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
  return Number(res.numUpdatedRows);
}

/**
 * Claim up to `batch` due deliveries with a lease (a worker that dies lets them come due again); with
 * `emailToo` false only the channel deliveries (no SMTP server configured).
 */
export async function claimDue(db: Q, now: Date, leaseSeconds: number, batch: number, emailToo = true) {
  const r = await sql<{
    id: string;
    email: string;
    message_id: string;
    attempts: number;
    subject: string;
    body: string;
    channel: string;
    channel_id: string | null;
    created_at: Date;
  }>`
    UPDATE notice_deliveries d SET attempts = d.attempts + 1, next_attempt_at = ${now}::timestamptz + make_interval(secs => ${leaseSeconds})
    FROM notices n
    WHERE n.id = d.notice_id AND d.id IN (
      SELECT id FROM notice_deliveries WHERE status = 'queued' AND next_attempt_at <= ${now}
        AND (${emailToo} OR channel <> 'email')
      ORDER BY next_attempt_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    RETURNING d.id, d.email, d.message_id, d.attempts, n.subject, n.body, d.channel, d.channel_id, n.created_at`.execute(
    db,
  );
  return r.rows;
}

/** Where a channel delivery goes (the URL and secrets stay in the table; read at sending time). */
export async function channelTargets(db: Q, ids: string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom("notify_channels")
    .select(["id", "kind", "url", "token", "secret", "disabled_at"])
    .where("id", "in", ids)
    .execute();
}

export async function updateDelivery(db: Q, id: string, patch: Updateable<NoticeDeliveriesTable>) {
  await db.updateTable("notice_deliveries").set(patch).where("id", "=", id).execute();
}

/** When the next queued delivery falls due (to wake the outbox then). */
export async function nextDueAt(db: Q): Promise<Date | null> {
  const r = await db
    .selectFrom("notice_deliveries")
    .select((eb) => eb.fn.min("next_attempt_at").as("at"))
    .where("status", "=", "queued")
    .executeTakeFirst();
  return r?.at ? new Date(r.at as Date) : null;
}

/**
 * Deliveries failing: given up (`failed`) or being retried (`queued` after a refused attempt), the
 * latest notice first, with the notice's subject and the customer's name.
 */
export async function failingDeliveries(db: Q, page: PageRequest) {
  const q = db
    .selectFrom("notice_deliveries as d")
    .innerJoin("notices as n", "n.id", "d.notice_id")
    .leftJoin("customers as c", "c.id", "d.customer_id")
    .where((w) =>
      w.or([w("d.status", "=", "failed"), w.and([w("d.status", "=", "queued"), w("d.attempts", ">", 0)])]),
    )
    .select([
      "d.id",
      "d.notice_id",
      "d.email",
      "d.status",
      "d.attempts",
      "d.last_error",
      "d.next_attempt_at",
      "n.subject",
      "n.created_at",
      "c.legal_name",
    ]);
  return paginate(
    q,
    {
      list: "failing-deliveries",
      keys: [
        ["n.created_at", "desc"],
        ["d.id", "desc"],
      ],
    },
    page,
  );
}
