/**
 * The outbox worker: delivers queued notice e-mails over SMTP, one at a time, each marked sent right
 * after the server accepted it. A crash between acceptance and the mark repeats at most that one
 * message, with the same Message-ID. Failures retry with exponential backoff; nothing is dropped:
 * after MAX_ATTEMPTS a delivery is marked failed for staff to see and retry.
 */
import nodemailer, { type Transporter } from "nodemailer";
import type { Config } from "../core/config.ts";
import type { Db } from "../db/db.ts";
import { type ChannelKind, sendChannel } from "./channels.ts";
import { channelTargets, claimDue, updateDelivery } from "./store.ts";

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

/**
 * Claim up to `batch` due deliveries (lease), then send them one by one: e-mails over SMTP (skipped
 * when no server is configured: they wait), the others to their channel (Slack, Teams, Chatwork, a
 * signed webhook) with the delivery's id in `X-Unyo-Delivery` so that a receiver drops a repeat.
 */
export async function deliverDue(
  db: Db,
  transport: Transporter | undefined,
  config: Config,
  now: Date,
  batch = 50,
): Promise<DeliveryRunResult> {
  const claimed = await claimDue(db, now, config.deliveryLeaseSeconds, batch, transport !== undefined);
  const targets = new Map(
    (
      await channelTargets(db, [...new Set(claimed.map((d) => d.channel_id).filter((c): c is string => !!c))])
    ).map((t) => [t.id, t]),
  );
  const result: DeliveryRunResult = { sent: 0, retried: 0, failed: 0 };
  for (const d of claimed) {
    try {
      if (d.channel === "email") {
        if (!transport) throw new Error("no SMTP server configured");
        await transport.sendMail({
          from: config.mailFrom,
          to: d.email,
          subject: d.subject,
          text: d.body,
          messageId: d.message_id,
          headers: { "X-Unyo-Delivery": d.id },
        });
      } else {
        const t = d.channel_id ? targets.get(d.channel_id) : undefined;
        if (!t || t.disabled_at) throw new Error("the channel was removed or disabled");
        await sendChannel(
          { kind: t.kind as ChannelKind, url: t.url, token: t.token, secret: t.secret },
          {
            deliveryId: d.id,
            subject: d.subject,
            body: d.body,
            link: linkIn(d.body),
            at: d.created_at,
          },
        );
      }
      await updateDelivery(db, d.id, { status: "sent", sent_at: new Date(), last_error: null });
      result.sent++;
    } catch (err) {
      const failed = d.attempts >= MAX_ATTEMPTS;
      await updateDelivery(db, d.id, {
        status: failed ? "failed" : "queued",
        last_error: String((err as Error).message).slice(0, 500),
        next_attempt_at: new Date(now.getTime() + backoffSeconds(d.attempts) * 1000),
      });
      if (failed) result.failed++;
      else result.retried++;
    }
  }
  return result;
}

/** The first URL of a notice's body (the page it is about), shown as a button by chat channels. */
function linkIn(body: string): string | null {
  return /https?:\/\/\S+/.exec(body)?.[0] ?? null;
}
