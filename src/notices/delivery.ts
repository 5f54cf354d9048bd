/**
 * The outbox worker: delivers queued notice e-mails over SMTP, one at a time, each marked sent right
 * after the server accepted it. A crash between acceptance and the mark repeats at most that one
 * message, with the same Message-ID. Failures retry with exponential backoff; nothing is dropped:
 * after MAX_ATTEMPTS a delivery is marked failed for staff to see and retry.
 */
import { sql } from "kysely";
import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../core/config.ts";
import type { Db } from "../db/db.ts";

export const MAX_ATTEMPTS = 10;

export function backoffSeconds(attempt: number): number {
  return Math.min(30 * 2 ** (attempt - 1), 3600);
}

export function createTransport(config: Config): Transporter {
  if (!config.smtp) throw new Error("no SMTP server configured (SMTP_HOST)");
  return nodemailer.createTransport({
    // One reused connection: messages go one at a time, each recorded before the next.
    pool: true,
    maxConnections: 1,
    maxMessages: 1000,
    host: config.smtp.host,
    port: config.smtp.port,
    secure: config.smtp.secure,
    ignoreTLS: !config.smtp.secure && config.smtp.host === "127.0.0.1",
    ...(config.smtp.user ? { auth: { user: config.smtp.user, pass: config.smtp.pass ?? "" } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

export interface DeliveryRunResult {
  sent: number;
  retried: number;
  failed: number;
}

/** Claim up to `batch` due deliveries (lease), then send them one by one. */
export async function deliverDue(
  db: Db,
  transport: Transporter,
  config: Config,
  now: Date,
  batch = 50,
): Promise<DeliveryRunResult> {
  const claimed = await sql<{
    id: string;
    email: string;
    message_id: string;
    attempts: number;
    subject: string;
    body: string;
  }>`
    UPDATE notice_deliveries d SET attempts = d.attempts + 1, next_attempt_at = ${now}::timestamptz + make_interval(secs => ${config.deliveryLeaseSeconds})
    FROM notices n
    WHERE n.id = d.notice_id AND d.id IN (
      SELECT id FROM notice_deliveries WHERE status = 'queued' AND next_attempt_at <= ${now}
      ORDER BY next_attempt_at LIMIT ${batch} FOR UPDATE SKIP LOCKED)
    RETURNING d.id, d.email, d.message_id, d.attempts, n.subject, n.body`.execute(db);
  const result: DeliveryRunResult = { sent: 0, retried: 0, failed: 0 };
  for (const d of claimed.rows) {
    try {
      await transport.sendMail({
        from: config.mailFrom,
        to: d.email,
        subject: d.subject,
        text: d.body,
        messageId: d.message_id,
        headers: { "X-Unyo-Delivery": d.id },
      });
      await db
        .updateTable("notice_deliveries")
        .set({ status: "sent", sent_at: new Date(), last_error: null })
        .where("id", "=", d.id)
        .execute();
      result.sent++;
    } catch (err) {
      const failed = d.attempts >= MAX_ATTEMPTS;
      await db
        .updateTable("notice_deliveries")
        .set({
          status: failed ? "failed" : "queued",
          last_error: String((err as Error).message).slice(0, 500),
          next_attempt_at: new Date(now.getTime() + backoffSeconds(d.attempts) * 1000),
        })
        .where("id", "=", d.id)
        .execute();
      if (failed) result.failed++;
      else result.retried++;
    }
  }
  return result;
}
