/**
 * Planned interruptions (提供の中止, Art. 23): a window per server, contract or the whole service.
 * Scheduling one sends the prior notice to the affected customers at once — refused when it is too
 * late for the provider's notice period (Art. 23(3)), unless an emergency is stated (its proviso).
 * Alerts and check failures inside a window are recorded but page no one and are not the provider's
 * unavailability (`rules.muteOf`). Customers see their windows and subscribe to an iCalendar feed.
 */

import { createHash, randomBytes } from "node:crypto";
import { appendAudit } from "../audit/service.ts";
import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { queueNotice } from "../notices/service.ts";
import { icalendar } from "./ical.ts";
import { noticeDeadline, realNow, WINDOW_ARTICLE, type WindowReason, type WindowScope } from "./rules.ts";
import {
  cancelWindow as cancelRow,
  feedCustomer,
  insertWindow,
  liveCustomers,
  maintenanceContacts,
  markNoticed,
  ownerOfContract,
  ownerOfItem,
  upsertFeed,
  windowForUpdate,
  windowsFrom,
} from "./store/maintenance.ts";

export interface WindowInput {
  scope: WindowScope;
  itemId?: string | undefined;
  contractId?: string | undefined;
  title: string;
  description?: string | undefined;
  reason: WindowReason;
  startsAt: Date;
  endsAt: Date;
  emergency: boolean;
  emergencyReason?: string | undefined;
}

const jst = (d: Date) =>
  `${new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace("T", " ")} JST`;

const REASON_JA: Record<WindowReason, string> = {
  maintenance: "設備の保守上又は工事上やむを得ないため(第23条第1項第1号)",
  failure: "設備にやむを得ない障害が発生したため(第23条第1項第2号)",
  carrier: "電気通信事業者が電気通信サービスの提供を中止するため(第23条第2項)",
};

async function affected(tx: Tx, input: WindowInput) {
  if (input.scope === "item") {
    if (!input.itemId)
      throw new AppError("validation_failed", "a server's window names the server", {
        details: { itemId: ["required"] },
      });
    const it = await ownerOfItem(tx, input.itemId);
    if (!it) throw notFound("server");
    return {
      customerId: it.customer_id,
      contractId: it.contract_id,
      itemId: it.id,
      customers: [it.customer_id],
      what: it.name,
    };
  }
  if (input.scope === "contract") {
    if (!input.contractId)
      throw new AppError("validation_failed", "a contract's window names the contract", {
        details: { contractId: ["required"] },
      });
    const c = await ownerOfContract(tx, input.contractId);
    if (!c) throw notFound("contract");
    return {
      customerId: c.customer_id,
      contractId: c.id,
      itemId: null,
      customers: [c.customer_id],
      what: null,
    };
  }
  return { customerId: null, contractId: null, itemId: null, customers: await liveCustomers(tx), what: null };
}

export async function scheduleWindow(deps: Deps & { config: Config }, auth: AuthContext, input: WindowInput) {
  const now = realNow();
  const rule = noticeDeadline({
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    now,
    leadDays: deps.config.maintenanceNoticeDays,
    emergency: input.emergency,
    emergencyReason: input.emergencyReason,
  });
  return deps.db.transaction().execute(async (tx) => {
    const a = await affected(tx, input);
    const w = await insertWindow(tx, {
      scope: input.scope,
      customer_id: a.customerId,
      contract_id: a.contractId,
      item_id: a.itemId,
      title: input.title,
      description: input.description ?? null,
      reason: input.reason,
      starts_at: input.startsAt,
      ends_at: input.endsAt,
      emergency: input.emergency,
      emergency_reason: input.emergency ? (input.emergencyReason ?? null) : null,
      notice_deadline: rule.result.deadline,
      created_by: auth.user.id,
      created_at: now,
    });
    const contacts = await maintenanceContacts(tx, a.customers);
    const body = [
      `${input.title}`,
      "",
      `期間 / When: ${jst(input.startsAt)} 〜 ${jst(input.endsAt)}`,
      ...(a.what
        ? [`対象 / Server: ${a.what}`]
        : input.scope === "service"
          ? ["対象 / Scope: 全サービス / the whole service"]
          : []),
      `理由 / Reason: ${REASON_JA[input.reason]}`,
      ...(input.description ? ["", input.description] : []),
      ...(input.emergency
        ? ["", `緊急のため事前通知期間を置かずにお知らせします / Emergency: ${input.emergencyReason}`]
        : []),
      "",
      "この間、当サービスの提供を中止します(第23条)。 The service is interrupted during this window (Art. 23).",
    ].join("\n");
    if (contacts.length > 0)
      await queueNotice(deps, tx, {
        kind: a.customers.length === 1 ? "notice" : "announcement",
        topic: "maintenance.scheduled",
        subject: `【計画メンテナンス】${input.title} (${jst(input.startsAt)}〜)`.slice(0, 200),
        body,
        article: "23(3)",
        contractId: a.contractId,
        recipients: contacts.map((c) => ({ customerId: c.customer_id, email: c.email })),
        actor: actorOf(auth),
        at: now,
      });
    await markNoticed(tx, w.id, now);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "maintenance.scheduled",
      subjectType: "maintenance_window",
      subjectId: w.id,
      customerId: a.customerId,
      after: { ...input, startsAt: input.startsAt.toISOString(), endsAt: input.endsAt.toISOString() },
      article: WINDOW_ARTICLE[input.reason],
      at: now,
    });
    return {
      id: w.id,
      noticeDeadline: rule.result.deadline.toISOString(),
      notified: contacts.length,
      basis: rule.basis,
    };
  });
}

export async function cancelWindow(deps: Deps, auth: AuthContext, id: string, reason: string) {
  const now = realNow();
  await deps.db.transaction().execute(async (tx) => {
    const w = await windowForUpdate(tx, id);
    if (!w) throw notFound("maintenance window");
    if (w.cancelled_at) throw new AppError("conflict", "the window is already cancelled");
    if (w.ends_at <= now) throw new AppError("conflict", "the window is over");
    await cancelRow(tx, id, now, reason);
    const customers = w.customer_id ? [w.customer_id] : await liveCustomers(tx);
    const contacts = await maintenanceContacts(tx, customers);
    if (contacts.length > 0)
      await queueNotice(deps, tx, {
        kind: customers.length === 1 ? "notice" : "announcement",
        topic: "maintenance.cancelled",
        subject: `【計画メンテナンス中止】${w.title} / Cancelled`.slice(0, 200),
        body: `${w.title}\n${jst(w.starts_at)} 〜 ${jst(w.ends_at)}\n\n予定していた中止は行いません。 The planned interruption will not take place.\n${reason}`,
        article: "43(1)",
        contractId: w.contract_id,
        recipients: contacts.map((c) => ({ customerId: c.customer_id, email: c.email })),
        actor: actorOf(auth),
        at: now,
      });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "maintenance.cancelled",
      subjectType: "maintenance_window",
      subjectId: id,
      customerId: w.customer_id,
      after: { reason },
      at: now,
    });
  });
}

function view(w: Awaited<ReturnType<typeof windowsFrom>>[number]) {
  return {
    id: w.id,
    scope: w.scope,
    customerId: w.customer_id,
    contractId: w.contract_id,
    itemId: w.item_id,
    itemName: w.item_name,
    title: w.title,
    description: w.description,
    reason: w.reason,
    article: WINDOW_ARTICLE[w.reason],
    startsAt: w.starts_at.toISOString(),
    endsAt: w.ends_at.toISOString(),
    emergency: w.emergency,
    emergencyReason: w.emergency_reason,
    noticeDeadline: w.notice_deadline.toISOString(),
    noticedAt: w.noticed_at?.toISOString() ?? null,
    cancelledAt: w.cancelled_at?.toISOString() ?? null,
    cancelReason: w.cancel_reason,
  };
}

/** Windows not yet over (and the last `pastDays` days'), the earliest first. */
export async function windows(deps: Deps, auth: AuthContext, pastDays = 30) {
  const from = new Date(realNow().getTime() - pastDays * 86_400_000);
  return asCaller(deps.db, auth, async (tx) => (await windowsFrom(tx, from)).map(view));
}

const feedHash = (token: string) => createHash("sha256").update(token, "utf8").digest();

/** A new secret URL of the customer's calendar feed (the previous one stops working). */
export async function renewFeed(deps: Deps & { config: Config }, auth: AuthContext, customerId: string) {
  const token = randomBytes(24).toString("base64url");
  await deps.db.transaction().execute(async (tx) => {
    await upsertFeed(tx, customerId, feedHash(token), realNow());
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "maintenance.feed.renewed",
      subjectType: "customer",
      subjectId: customerId,
      customerId,
      at: realNow(),
    });
  });
  const base = (deps.config.publicUrl ?? "").replace(/\/$/, "");
  return { url: `${base}/api/v1/calendar/${token}.ics`, path: `/api/v1/calendar/${token}.ics` };
}

/** The iCalendar feed of a customer's windows (public: the URL is the secret). */
export async function calendarFeed(deps: Deps, token: string) {
  const c = await feedCustomer(deps.db, feedHash(token));
  if (!c) throw notFound("calendar feed");
  const now = realNow();
  const list = await windowsFrom(deps.db, new Date(now.getTime() - 90 * 86_400_000), c.customer_id);
  return icalendar({
    name: `${c.legal_name} — 計画メンテナンス / Maintenance`,
    description: "Unyo: planned interruptions of the operations support service (Art. 23)",
    now,
    events: list.map((w) => ({
      uid: `${w.id}@unyo`,
      start: w.starts_at,
      end: w.ends_at,
      summary: w.title,
      description: [REASON_JA[w.reason], w.description ?? ""].filter(Boolean).join("\n"),
      location: w.item_name ?? null,
      url: null,
      status: w.cancelled_at ? ("CANCELLED" as const) : ("CONFIRMED" as const),
      sequence: w.sequence,
      lastModified: w.updated_at,
      categories: ["MAINTENANCE"],
    })),
  });
}
