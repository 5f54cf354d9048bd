/**
 * Chat and webhook channels for notices: one HTTPS POST per delivery, shaped for its receiver.
 *
 * - slack: Slack "Incoming webhooks" (a hooks.slack.com URL) with Block Kit. JSON `{ text, blocks }`:
 *   `text` is the notification/fallback line, the blocks a header (the subject, plain_text), a section
 *   with the body in mrkdwn and, given a link, a context block linking to it. In mrkdwn text `&`, `<`
 *   and `>` are escaped as `&amp;`, `&lt;`, `&gt;` (Slack's "Formatting text": escaping), so a notice
 *   cannot forge links or mentions; plain_text is not parsed and goes as is.
 * - teams: Microsoft Teams "Incoming webhooks" and their successor, Power Automate "Workflows" webhooks
 *   ("Post to a channel when a webhook request is received"): a `message` with one Adaptive Card 1.4
 *   attachment (subject and body TextBlocks, an Action.OpenUrl for the link). Workflows answer 202.
 * - chatwork: Chatwork API v2 "POST /rooms/{room_id}/messages"; the target's URL is that endpoint, the
 *   API token goes in `X-ChatWorkToken`, the form fields are `body` (the notice in an
 *   `[info][title]…[/title]…[/info]` box) and `self_unread=0`.
 * - webhook: a generic signed webhook: JSON `{ id, subject, body, link, at, data }`, with
 *   `X-Unyo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (the Stripe
 *   scheme; check it with {@link verifySignature}).
 *
 * Every request carries `X-Unyo-Delivery: <delivery id>`, the same on each retry, so that a receiver
 * drops a repeat, and `User-Agent: Unyo`.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { request } from "undici";

export const CHANNEL_KINDS = ["slack", "teams", "chatwork", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface ChannelTarget {
  kind: ChannelKind;
  url: string;
  /** Chatwork: the API token. */
  token?: string | null;
  /** Webhook: the HMAC secret (at least 16 characters). */
  secret?: string | null;
}

export interface ChannelMessage {
  /** The delivery's id: sent in `X-Unyo-Delivery` (and as `id` to webhooks), the same on every retry. */
  deliveryId: string;
  subject: string;
  body: string;
  /** The page the notice is about, shown as a link or button. */
  link?: string | null;
  /** When the notice was raised. */
  at: Date;
  /** Extra fields for webhooks (`data`); ignored by the chat channels. */
  data?: Record<string, unknown>;
}

export interface ChannelRequest {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** The webhook secret's least length, for {@link validateTarget}. */
export const MIN_SECRET_LENGTH = 16;

/** Slack limits: header text 150 characters, section text 3000, a message's `text` 40000. */
const SLACK_HEADER_MAX = 150;
const SLACK_SECTION_MAX = 3000;
const SLACK_TEXT_MAX = 40_000;

/**
 * The HTTP request for one message to one target. Pure: the same input gives the same request.
 * `signedAt` is the webhook signature's time (`t`); it defaults to `msg.at`, but a sender passes the
 * current time, since receivers reject signatures older than a few minutes and a retry may come
 * hours after the notice was raised.
 */
export function channelRequest(
  target: ChannelTarget,
  msg: ChannelMessage,
  signedAt: Date = msg.at,
): ChannelRequest {
  const base = { "User-Agent": "Unyo", "X-Unyo-Delivery": msg.deliveryId };
  const link = msg.link || null;
  switch (target.kind) {
    case "slack":
      return {
        url: target.url,
        method: "POST",
        headers: { ...base, "Content-Type": "application/json; charset=utf-8" },
        body: JSON.stringify(slackPayload(msg.subject, msg.body, link)),
      };
    case "teams":
      return {
        url: target.url,
        method: "POST",
        headers: { ...base, "Content-Type": "application/json; charset=utf-8" },
        body: JSON.stringify(teamsPayload(msg.subject, msg.body, link)),
      };
    case "chatwork": {
      if (!target.token) throw new Error("a Chatwork channel needs an API token");
      // A link already in the body (where delivery finds it) is not repeated under it.
      const tail = link && !msg.body.includes(link) ? `\n${link}` : "";
      const form = new URLSearchParams({
        body: `[info][title]${msg.subject}[/title]${msg.body}${tail}[/info]`,
        self_unread: "0",
      });
      return {
        url: target.url,
        method: "POST",
        headers: {
          ...base,
          "Content-Type": "application/x-www-form-urlencoded",
          "X-ChatWorkToken": target.token,
        },
        body: form.toString(),
      };
    }
    case "webhook": {
      if (!target.secret) throw new Error("a webhook channel needs a signing secret");
      const body = JSON.stringify({
        id: msg.deliveryId,
        subject: msg.subject,
        body: msg.body,
        link,
        at: msg.at.toISOString(),
        data: msg.data ?? {},
      });
      return {
        url: target.url,
        method: "POST",
        headers: {
          ...base,
          "Content-Type": "application/json",
          "X-Unyo-Signature": signatureHeader(target.secret, body, Math.floor(signedAt.getTime() / 1000)),
        },
        body,
      };
    }
    default:
      throw new Error(`unknown channel kind: ${String((target as { kind: unknown }).kind)}`);
  }
}

/**
 * Sends one message. Resolves when the receiver answered 2xx; otherwise throws an Error naming the
 * status, the `Retry-After` if any and the start of the answer (never the URL: for Slack and Teams
 * the URL is the secret). Network failures and the deadline (`timeoutMs`, default 10 s, for the
 * whole exchange) throw too. Redirects are not followed (a 3xx fails).
 */
export async function sendChannel(
  target: ChannelTarget,
  msg: ChannelMessage,
  opts: { timeoutMs?: number } = {},
): Promise<void> {
  const problems = validateTarget(target);
  if (problems.length > 0) throw new Error(`${target.kind} channel: ${problems.join("; ")}`);
  const req = channelRequest(target, msg, new Date());
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  let status: number;
  let retryAfter: string | undefined;
  let answer: string | undefined;
  try {
    const res = await request(req.url, { method: req.method, headers: req.headers, body: req.body, signal });
    status = res.statusCode;
    if (status >= 200 && status < 300) {
      await res.body.dump();
      // dump() settles quietly when the deadline destroyed the body under it.
      if (signal.aborted) throw signal.reason;
      return;
    }
    const ra = res.headers["retry-after"];
    retryAfter = Array.isArray(ra) ? ra[0] : ra;
    answer = await readStart(res.body, 4096);
  } catch (err) {
    if (signal.aborted)
      throw new Error(`${target.kind} channel: no answer within ${timeoutMs} ms`, { cause: err });
    throw new Error(`${target.kind} channel: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  const text = answer.replace(/\s+/g, " ").trim().slice(0, 200);
  throw new Error(
    `${target.kind} channel answered ${status}${retryAfter ? ` (Retry-After: ${retryAfter})` : ""}${text ? `: ${text}` : ""}`,
  );
}

/**
 * Checks an `X-Unyo-Signature` header (`t=<unix seconds>,v1=<hex>`, several `v1` allowed) against
 * the raw body: true when one `v1` is the HMAC-SHA256 of `<t>.<body>` under `secret` and `t` is within
 * `toleranceSeconds` of `nowSeconds`. False for anything malformed; never throws.
 */
export function verifySignature(
  secret: string,
  header: string,
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  try {
    if (!secret || typeof header !== "string" || typeof rawBody !== "string") return false;
    let t: string | undefined;
    const candidates: string[] = [];
    for (const part of header.split(",")) {
      const eq = part.indexOf("=");
      if (eq < 0) return false;
      const key = part.slice(0, eq).trim();
      const value = part.slice(eq + 1).trim();
      if (key === "t") {
        if (t !== undefined) return false;
        t = value;
      } else if (key === "v1") candidates.push(value);
    }
    if (t === undefined || !/^\d{1,12}$/.test(t) || candidates.length === 0) return false;
    if (!Number.isFinite(nowSeconds) || Math.abs(nowSeconds - Number(t)) > toleranceSeconds) return false;
    const expected = Buffer.from(hmacHex(secret, `${t}.${rawBody}`), "utf8");
    let ok = false;
    for (const c of candidates) {
      if (!/^[0-9a-fA-F]{64}$/.test(c)) continue;
      // Lowercase hex on both sides; equal lengths, as timingSafeEqual requires.
      if (timingSafeEqual(expected, Buffer.from(c.toLowerCase(), "utf8"))) ok = true;
    }
    return ok;
  } catch {
    return false;
  }
}

/** The problems with a channel's settings, in words for the person entering them; empty when fine. */
export function validateTarget(t: {
  kind: string;
  url: string;
  token?: string | null;
  secret?: string | null;
}): string[] {
  const problems: string[] = [];
  if (!(CHANNEL_KINDS as readonly string[]).includes(t.kind))
    problems.push(`unknown channel kind "${t.kind}" (expected one of ${CHANNEL_KINDS.join(", ")})`);
  let url: URL | undefined;
  try {
    url = new URL(t.url);
  } catch {
    problems.push("the URL is not a valid URL");
  }
  if (url) {
    if (url.protocol === "http:") {
      if (!LOOPBACK_HOSTS.has(url.hostname))
        problems.push("the URL must use https:// (http:// only to 127.0.0.1, localhost or [::1])");
    } else if (url.protocol !== "https:") problems.push("the URL must use https://");
    if (url.username || url.password) problems.push("the URL must not contain a user name or password");
  }
  if (t.kind === "chatwork" && !t.token?.trim()) problems.push("a Chatwork channel needs an API token");
  if (t.kind === "webhook" && (t.secret ?? "").length < MIN_SECRET_LENGTH)
    problems.push(`a webhook channel needs a signing secret of at least ${MIN_SECRET_LENGTH} characters`);
  return problems;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function hmacHex(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload, "utf8").digest("hex");
}

function signatureHeader(secret: string, rawBody: string, t: number): string {
  return `t=${t},v1=${hmacHex(secret, `${t}.${rawBody}`)}`;
}

/** Slack's escaping for mrkdwn text: only `&`, `<` and `>`. */
export function slackEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** At most `max` characters, ending in "…" when cut, never in the middle of an `&…;` escape. */
function clip(s: string, max: number): string {
  if (s.length <= max) return s;
  return `${s.slice(0, max - 1).replace(/&[a-z]*$/, "")}…`;
}

function slackPayload(subject: string, body: string, link: string | null) {
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: clip(subject || "(no subject)", SLACK_HEADER_MAX) } },
  ];
  if (body.trim())
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: clip(slackEscape(body), SLACK_SECTION_MAX) },
    });
  if (link) {
    // Inside <…|…> a `|` would end the URL: it goes percent-encoded.
    const href = slackEscape(link.replace(/\|/g, "%7C"));
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: clip(`<${href}|${href}>`, SLACK_SECTION_MAX) }],
    });
  }
  return { text: clip(slackEscape(body.trim() ? `${subject}\n${body}` : subject), SLACK_TEXT_MAX), blocks };
}

function teamsPayload(subject: string, body: string, link: string | null) {
  const cardBody: unknown[] = [
    { type: "TextBlock", text: subject, weight: "bolder", size: "medium", wrap: true },
  ];
  if (body.trim()) cardBody.push({ type: "TextBlock", text: body, wrap: true });
  const content: Record<string, unknown> = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body: cardBody,
  };
  if (link) content.actions = [{ type: "Action.OpenUrl", title: "Open", url: link }];
  return {
    type: "message",
    attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content }],
  };
}

type Body = Awaited<ReturnType<typeof request>>["body"];

/** The start of an answer (up to `cap` bytes, as text); the rest is not read, the stream is closed. */
async function readStart(body: Body, cap: number): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  try {
    for await (const chunk of body) {
      const b = chunk as Buffer;
      chunks.push(b);
      n += b.length;
      if (n >= cap) break;
    }
  } finally {
    if (!body.destroyed) body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, cap).toString("utf8");
}
