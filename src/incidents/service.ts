/**
 * Incidents as staff and customers use them: the list and one incident with its timeline; staff
 * acknowledge, assign, comment, change severity, resolve, write the customer's report, and correct the
 * awareness (認知) and restoration (復旧) times, the attribution and the cause — only with a reason,
 * audited, because they decide the unavailability period and the SLA credit (Art. 30(4), 36).
 */

import { appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { mapPage, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { type IncidentRow, referenceOf, resolveIncidents, syncPeriod } from "./lifecycle.ts";
import { periodOf, realNow, type Severity } from "./rules.ts";
import {
  activeCounts,
  alertsOf,
  eventsOf,
  type IncidentFilter,
  incidentById,
  incidentForUpdate,
  insertEvents,
  listIncidents,
  notifyChanged,
  pagesOf,
  publicEventsOf,
  staffFacts,
  updateIncident,
} from "./store/incidents.ts";
import { staffByIds } from "./store/oncall.ts";

type Row = NonNullable<Awaited<ReturnType<typeof incidentById>>>;

export function incidentView(r: Row) {
  return {
    id: r.id,
    number: Number(r.number),
    reference: referenceOf(r.number),
    customerId: r.customer_id,
    customerName: r.customer_name,
    contractId: r.contract_id,
    itemId: r.item_id,
    itemName: r.item_name,
    checkId: r.check_id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    openedAt: r.opened_at.toISOString(),
    awareAt: r.aware_at.toISOString(),
    restoredAt: r.restored_at?.toISOString() ?? null,
    acknowledgedAt: r.acknowledged_at?.toISOString() ?? null,
    resolvedAt: r.resolved_at?.toISOString() ?? null,
    attribution: r.attribution,
    cause: r.cause,
    outage: r.outage,
    muted: r.muted,
    report: r.report,
  };
}

export async function incidents(deps: Deps, auth: AuthContext, filter: IncidentFilter, page: PageRequest) {
  return asCaller(deps.db, auth, (tx) => mapPage(listIncidents(tx, filter, page), incidentView));
}

/** One incident: staff see everything (timeline, alerts, pages, escalation); customers the public part. */
export async function incident(deps: Deps, auth: AuthContext, id: string) {
  return asCaller(deps.db, auth, async (tx) => {
    const r = await incidentById(tx, id);
    if (!r) throw notFound("incident");
    const staff = auth.user.kind === "staff";
    const events = staff ? await eventsOf(tx, id) : await publicEventsOf(tx, id);
    const period = periodOf({
      status: r.status,
      awareAt: r.aware_at,
      restoredAt: r.restored_at,
      attribution: r.attribution,
      muted: r.muted,
      contractId: r.contract_id,
      outage: r.outage,
    });
    const base = {
      ...incidentView(r),
      timeline: events.map((e) => ({
        at: e.at.toISOString(),
        kind: e.kind,
        body: e.body,
        actor: "actor_name" in e ? ((e.actor_name as string | null) ?? null) : null,
        public: e.public,
      })),
      unavailability:
        "none" in period
          ? {
              counts: false,
              reason: period.none,
              article: period.article,
              start: null,
              end: null,
              hours: null,
            }
          : {
              counts: r.attribution === "provider",
              reason:
                r.attribution === "provider"
                  ? "an unavailability period of the contract: the SLA counts it from awareness to restoration"
                  : `attributed to ${r.attribution}: recorded, not counted for the SLA`,
              article:
                r.attribution === "provider"
                  ? "30(4)"
                  : r.attribution === "carrier"
                    ? "36(3)"
                    : r.attribution === "cloud"
                      ? "36(4)"
                      : "36(1)",
              start: period.start.toISOString(),
              end: period.end.toISOString(),
              hours: Math.floor(((period.end.getTime() - period.start.getTime()) * 100) / 3_600_000) / 100,
            },
    };
    if (!staff) return { ...base, staff: null };
    const [f, alerts, pages] = await Promise.all([staffFacts(tx, id), alertsOf(tx, id), pagesOf(tx, id)]);
    return {
      ...base,
      staff: {
        assigneeId: f?.assignee_id ?? null,
        assigneeName: f?.assignee_name ?? null,
        acknowledgedByName: f?.acknowledged_by_name ?? null,
        escalationStep: f?.escalation_step ?? 0,
        escalationRound: f?.escalation_round ?? 0,
        nextEscalationAt: f?.next_escalation_at?.toISOString() ?? null,
        signals: f?.signals ?? 0,
        firing: f?.firing ?? 0,
        autoResolve: f?.auto_resolve ?? true,
        alerts: alerts.map((a) => ({
          fingerprint: a.fingerprint,
          name: a.name,
          status: a.status,
          startsAt: a.starts_at.toISOString(),
          endsAt: a.ends_at?.toISOString() ?? null,
          labels: a.labels as Record<string, string>,
          lastSeenAt: a.last_seen_at.toISOString(),
        })),
        pages: pages.map((p) => ({
          userId: p.user_id,
          name: p.display_name,
          step: p.step,
          round: p.round,
          at: p.at.toISOString(),
        })),
      },
    };
  });
}

/** The console's summary: open and unacknowledged incidents by severity. */
export async function incidentSummary(deps: Deps) {
  const rows = await activeCounts(deps.db);
  const sum = (f: (r: (typeof rows)[number]) => boolean) => rows.filter(f).reduce((s, r) => s + r.n, 0);
  return {
    open: sum(() => true),
    unacknowledged: sum((r) => r.status === "open" && !r.muted),
    muted: sum((r) => r.muted),
    bySeverity: Object.fromEntries(
      (["critical", "major", "minor", "info"] as const).map((s) => [s, sum((r) => r.severity === s)]),
    ) as Record<Severity, number>,
  };
}

/** Change an incident under its row lock: `fn` answers the patch and the timeline entry. */
async function change(
  deps: Deps,
  auth: AuthContext,
  id: string,
  fn: (
    i: IncidentRow,
    tx: Tx,
  ) => Promise<{
    patch: Partial<IncidentRow>;
    event: { kind: string; body: string | null; public: boolean; data?: unknown };
  } | null>,
) {
  const now = realNow();
  await deps.db.transaction().execute(async (tx) => {
    const i = await incidentForUpdate(tx, id);
    if (!i) throw notFound("incident");
    const out = await fn(i, tx);
    if (!out) return;
    await updateIncident(tx, id, { ...out.patch, updated_at: now });
    await insertEvents(tx, [
      {
        incident_id: id,
        customer_id: i.customer_id,
        at: now,
        kind: out.event.kind,
        actor_id: auth.user.id,
        body: out.event.body,
        data: out.event.data ?? null,
        public: out.event.public,
      },
    ]);
    await notifyChanged(tx, [{ id, customerId: i.customer_id }]);
  });
  return incident(deps, auth, id);
}

export function acknowledge(deps: Deps, auth: AuthContext, id: string) {
  return change(deps, auth, id, async (i) => {
    if (i.status === "resolved") throw new AppError("conflict", "the incident is resolved");
    if (i.status === "acknowledged") return null;
    const now = realNow();
    return {
      patch: {
        status: "acknowledged",
        acknowledged_at: now,
        acknowledged_by: auth.user.id,
        next_escalation_at: null,
        assignee_id: i.assignee_id ?? auth.user.id,
      },
      event: { kind: "acknowledged", body: null, public: true },
    };
  });
}

export function assign(deps: Deps, auth: AuthContext, id: string, userId: string | null) {
  return change(deps, auth, id, async (i, tx) => {
    if (userId) {
      const [u] = await staffByIds(tx, [userId]);
      if (!u)
        throw new AppError("validation_failed", "the assignee must be an active staff member", {
          details: { userId: ["not_staff"] },
        });
      return {
        patch: { assignee_id: userId },
        event: { kind: "assigned", body: u.display_name, public: false },
      };
    }
    if (!i.assignee_id) return null;
    return { patch: { assignee_id: null }, event: { kind: "unassigned", body: null, public: false } };
  });
}

export function comment(deps: Deps, auth: AuthContext, id: string, input: { body: string; public: boolean }) {
  return change(deps, auth, id, async () => ({
    patch: {},
    event: { kind: input.public ? "update" : "note", body: input.body, public: input.public },
  }));
}

export function changeIncident(
  deps: Deps,
  auth: AuthContext,
  id: string,
  input: {
    severity?: Severity | undefined;
    title?: string | undefined;
    autoResolve?: boolean | undefined;
    report?: string | null | undefined;
  },
) {
  return change(deps, auth, id, async (i) => {
    const patch: Partial<IncidentRow> = {};
    if (input.severity && input.severity !== i.severity) patch.severity = input.severity;
    if (input.title && input.title !== i.title) patch.title = input.title;
    if (input.autoResolve !== undefined && input.autoResolve !== i.auto_resolve)
      patch.auto_resolve = input.autoResolve;
    if (input.report !== undefined && input.report !== i.report) patch.report = input.report;
    if (Object.keys(patch).length === 0) return null;
    return {
      patch,
      event: {
        kind: "changed",
        body: Object.keys(patch).join(", "),
        public: patch.report !== undefined || patch.severity !== undefined,
        data: {
          before: Object.fromEntries(Object.keys(patch).map((k) => [k, i[k as keyof IncidentRow]])),
          after: patch,
        },
      },
    };
  });
}

/** Resolve by hand: restored at the given time (default now), never before awareness nor in the future. */
export async function resolve(
  deps: Deps,
  auth: AuthContext,
  id: string,
  input: { restoredAt?: Date | undefined; note?: string | undefined },
) {
  const now = realNow();
  await deps.db.transaction().execute(async (tx) => {
    const i = await incidentForUpdate(tx, id);
    if (!i) throw notFound("incident");
    if (i.status === "resolved") throw new AppError("conflict", "the incident is already resolved");
    const restored = input.restoredAt ?? now;
    checkTimes(i.aware_at, restored, now);
    await resolveIncidents(tx, [i], {
      at: now,
      restoredAt: () => restored,
      by: auth.user.id,
      kind: "manual",
      ...(input.note ? { note: input.note } : {}),
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "incident.resolved",
      subjectType: "incident",
      subjectId: id,
      customerId: i.customer_id,
      after: { restoredAt: restored.toISOString(), note: input.note ?? null },
      article: "30(4)",
      at: now,
    });
  });
  return incident(deps, auth, id);
}

function checkTimes(aware: Date, restored: Date | null, now: Date) {
  if (aware > now)
    throw new AppError("validation_failed", "the provider cannot have become aware in the future", {
      article: "30(4)",
      details: { awareAt: ["future"] },
    });
  if (restored && restored > now)
    throw new AppError("validation_failed", "restoration cannot be in the future", {
      article: "30(4)",
      details: { restoredAt: ["future"] },
    });
  if (restored && restored < aware)
    throw new AppError(
      "validation_failed",
      "restoration comes after the provider became aware: the period of unavailability runs from awareness to restoration",
      { article: "30(4)", details: { restoredAt: ["before_aware"] } },
    );
}

/**
 * Correct the facts that decide the SLA: awareness, restoration, attribution, cause, whether it was a
 * complete unavailability. Only with a reason; audited with before and after; the period follows.
 */
export async function correct(
  deps: Deps,
  auth: AuthContext,
  id: string,
  input: {
    reason: string;
    awareAt?: Date | undefined;
    restoredAt?: Date | undefined;
    attribution?: IncidentRow["attribution"] | undefined;
    cause?: IncidentRow["cause"] | undefined;
    outage?: boolean | undefined;
  },
) {
  const now = realNow();
  await deps.db.transaction().execute(async (tx) => {
    const i = await incidentForUpdate(tx, id);
    if (!i) throw notFound("incident");
    if (input.restoredAt && i.status !== "resolved")
      throw new AppError(
        "conflict",
        "restoration is corrected on a resolved incident (resolve it with its time)",
        {
          article: "30(4)",
        },
      );
    const next: IncidentRow = {
      ...i,
      aware_at: input.awareAt ?? i.aware_at,
      restored_at: input.restoredAt ?? i.restored_at,
      attribution: input.attribution ?? i.attribution,
      cause: input.cause ?? i.cause,
      outage: input.outage ?? i.outage,
    };
    checkTimes(next.aware_at, next.restored_at, now);
    if (next.opened_at > next.aware_at) next.opened_at = next.aware_at;
    const fields = ["aware_at", "restored_at", "attribution", "cause", "outage"] as const;
    const value = (v: unknown) => (v instanceof Date ? v.getTime() : v);
    const changed = fields.filter((f) => value(next[f]) !== value(i[f]));
    if (changed.length === 0) return;
    const pick = (r: IncidentRow) =>
      Object.fromEntries(changed.map((f) => [f, r[f] instanceof Date ? (r[f] as Date).toISOString() : r[f]]));
    await updateIncident(tx, id, {
      aware_at: next.aware_at,
      restored_at: next.restored_at,
      opened_at: next.opened_at,
      attribution: next.attribution,
      cause: next.cause,
      outage: next.outage,
      updated_at: now,
    });
    const period = await syncPeriod(tx, next);
    await insertEvents(tx, [
      {
        incident_id: id,
        customer_id: i.customer_id,
        at: now,
        kind: "corrected",
        actor_id: auth.user.id,
        body: input.reason,
        data: { before: pick(i), after: pick(next), period },
        public: true,
      },
    ]);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "incident.corrected",
      subjectType: "incident",
      subjectId: id,
      customerId: i.customer_id,
      before: pick(i),
      after: { ...pick(next), reason: input.reason },
      article: "30(4)",
      at: now,
    });
    await notifyChanged(tx, [{ id, customerId: i.customer_id }]);
  });
  return incident(deps, auth, id);
}

/** The customer's report of an incident, as text in Japanese and English (Art. 43). */
export async function incidentReport(deps: Deps, auth: AuthContext, id: string, lang: "ja" | "en") {
  const i = await incident(deps, auth, id);
  const t = (iso: string | null) =>
    iso
      ? `${new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 16).replace("T", " ")} JST`
      : "—";
  const ja = lang === "ja";
  const lines = [
    `# ${i.reference} ${i.title}`,
    "",
    `${ja ? "契約者" : "Customer"}: ${i.customerName}`,
    ...(i.itemName ? [`${ja ? "対象サーバ" : "Server"}: ${i.itemName}`] : []),
    `${ja ? "重大度" : "Severity"}: ${i.severity}`,
    `${ja ? "発生" : "Started"}: ${t(i.openedAt)}`,
    `${ja ? "当社認知" : "Provider aware"}: ${t(i.awareAt)}`,
    `${ja ? "復旧" : "Restored"}: ${t(i.restoredAt)}`,
    `${ja ? "帰責" : "Attribution"}: ${i.attribution}`,
    ...(i.muted ? [`${ja ? "通知抑止" : "Muted"}: ${i.muted}`] : []),
    "",
    `## ${ja ? "利用不能時間とSLA(第30条第4項、第36条)" : "Unavailability and the SLA (Art. 30(4), 36)"}`,
    i.unavailability.start
      ? `${t(i.unavailability.start)} – ${t(i.unavailability.end)} (${i.unavailability.hours} h): ${i.unavailability.reason} (Art. ${i.unavailability.article})`
      : `${i.unavailability.reason} (Art. ${i.unavailability.article})`,
    "",
    `## ${ja ? "経過" : "Timeline"}`,
    ...i.timeline.filter((e) => e.public).map((e) => `- ${t(e.at)} ${e.kind}${e.body ? `: ${e.body}` : ""}`),
    "",
    `## ${ja ? "報告" : "Report"}`,
    i.report ?? (ja ? "(未記入)" : "(not written yet)"),
    "",
  ];
  return { reference: i.reference, text: lines.join("\n") };
}
