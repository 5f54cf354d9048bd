/**
 * What the incident pages share (console and portal): severity and state as badges, the mute and its
 * article (Art. 21–23), the list's table, the facts, the unavailability that drives the SLA credit
 * (Art. 30(4), 36), the timeline, the report's downloads, the "live" indicator, and the status page's
 * section of active incidents and upcoming planned maintenance (Art. 23, 43).
 */
import type { ReactNode } from "react";
import type { GetData } from "../client.ts";
import { art, count } from "../format.ts";
import { formatLang, type MessageKey, useT } from "../i18n.ts";
import { ErrorBox, Link, ScrollBox, tokyoTime, useGet } from "../ui.tsx";
import type { LiveState } from "./incident-live.ts";

export type Incident = GetData<"/api/v1/incidents">["items"][number];
export type IncidentDetail = GetData<"/api/v1/incidents/{id}">;
export type Severity = Incident["severity"];
export type IncidentStatus = Incident["status"];
export type Mute = NonNullable<Incident["muted"]>;
type Window = GetData<"/api/v1/maintenance">[number];

export const SEVERITIES: Severity[] = ["critical", "major", "minor", "info"];
export const STATUSES: IncidentStatus[] = ["open", "acknowledged", "resolved"];
export const ATTRIBUTIONS: Incident["attribution"][] = ["provider", "customer", "carrier", "cloud"];
export const CAUSES: Incident["cause"][] = ["failure", "interruption", "emergency_stop", "abolition"];

/** The articles a mute rests on (Art. 23(1) maintenance, 22(1) emergency stop, 21(1) suspension). */
export const MUTE_ARTICLE: Record<Mute, string> = {
  maintenance: "23(1)",
  emergency_stop: "22(1)",
  suspension: "21(1)",
};

const SEVERITY_KEY: Record<Severity, MessageKey> = {
  critical: "incident.severity.critical",
  major: "incident.severity.major",
  minor: "incident.severity.minor",
  info: "incident.severity.info",
};
const STATUS_KEY: Record<IncidentStatus, MessageKey> = {
  open: "incident.status.open",
  acknowledged: "incident.status.acknowledged",
  resolved: "incident.status.resolved",
};
const MUTE_KEY: Record<Mute, MessageKey> = {
  maintenance: "incident.mute.maintenance",
  emergency_stop: "incident.mute.emergency_stop",
  suspension: "incident.mute.suspension",
};
const ATTRIBUTION_KEY: Record<Incident["attribution"], MessageKey> = {
  provider: "incident.attribution.provider",
  customer: "incident.attribution.customer",
  carrier: "incident.attribution.carrier",
  cloud: "incident.attribution.cloud",
};
const CAUSE_KEY: Record<Incident["cause"], MessageKey> = {
  failure: "incident.cause.failure",
  interruption: "incident.cause.interruption",
  emergency_stop: "incident.cause.emergency_stop",
  abolition: "incident.cause.abolition",
};
const KIND_KEY: Record<string, MessageKey> = {
  opened: "incident.kind.opened",
  signal: "incident.kind.signal",
  acknowledged: "incident.kind.acknowledged",
  assigned: "incident.kind.assigned",
  unassigned: "incident.kind.unassigned",
  note: "incident.kind.note",
  update: "incident.kind.update",
  changed: "incident.kind.changed",
  corrected: "incident.kind.corrected",
  resolved: "incident.kind.resolved",
  restored: "incident.kind.restored",
  paged: "incident.kind.paged",
  not_paged: "incident.kind.not_paged",
  customer_notified: "incident.kind.customer_notified",
};
const FIELD_KEY: Record<string, MessageKey> = {
  severity: "incident.field.severity",
  title: "incident.field.title",
  auto_resolve: "incident.field.autoResolve",
  report: "incident.field.report",
};
const WINDOW_REASON_KEY: Record<Window["reason"], MessageKey> = {
  maintenance: "incidents.window.maintenance",
  failure: "incidents.window.failure",
  carrier: "incidents.window.carrier",
};

/** The incidents' codes in the reader's language. */
export function useIncidentLabels() {
  const t = useT();
  return {
    severity: (s: Severity) => t(SEVERITY_KEY[s]),
    status: (s: IncidentStatus) => t(STATUS_KEY[s]),
    mute: (m: Mute) => t(MUTE_KEY[m]),
    attribution: (a: Incident["attribution"]) => t(ATTRIBUTION_KEY[a]),
    cause: (c: Incident["cause"]) => t(CAUSE_KEY[c]),
    /** A timeline entry's kind; one with no words yet is "other". */
    kind: (k: string) => t(KIND_KEY[k] ?? "incident.kind.other"),
    windowReason: (r: Window["reason"]) => t(WINDOW_REASON_KEY[r]),
  };
}

/** A severity: a word on a colour, never the colour alone. */
export function SeverityBadge({ severity }: { severity: Severity }) {
  const l = useIncidentLabels();
  return (
    <span className={`badge sev-${severity}`} data-severity={severity}>
      {l.severity(severity)}
    </span>
  );
}

export function IncidentStatusBadge({ status }: { status: IncidentStatus }) {
  const l = useIncidentLabels();
  return (
    <span className={`badge inc-${status}`} data-status={status}>
      {l.status(status)}
    </span>
  );
}

/** Why paging is muted, with its article: 計画メンテナンス中 (第23条第1項). */
export function MutedText({ muted }: { muted: Mute | null }) {
  const l = useIncidentLabels();
  if (!muted) return <>—</>;
  return (
    <>
      {l.mute(muted)} ({art(MUTE_ARTICLE[muted])})
    </>
  );
}

/** Whether the page follows the incidents live. */
export function LiveIndicator({ state }: { state: LiveState }) {
  const t = useT();
  const key: MessageKey =
    state === "live"
      ? "incidents.live"
      : state === "connecting"
        ? "incidents.connecting"
        : "incidents.offline";
  return (
    <span className={`live live-${state}`} role="status" data-testid="live" data-state={state}>
      <span aria-hidden="true" className="dot" />
      {t(key)}
    </span>
  );
}

/** An incident's page in the reader's area. */
export const incidentPath = (base: string, id: string) => `${base}/incidents/${id}`;

/** The incidents as a table: each links to its page; staff see the customer and its server. */
export function IncidentsTable({
  items,
  base,
  staff,
  testId,
}: {
  items: Incident[];
  base: string;
  staff: boolean;
  testId: string;
}) {
  const t = useT();
  return (
    <ScrollBox>
      <table className="mon incidents" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t("incidents.col.reference")}</th>
            <th scope="col">{t("incidents.col.titleServer")}</th>
            {staff && <th scope="col">{t("incidents.col.customer")}</th>}
            <th scope="col">{t("incidents.col.severity")}</th>
            <th scope="col">{t("incidents.col.statusMuted")}</th>
            <th scope="col">{t("incidents.col.opened")}</th>
            <th scope="col">{t("incidents.col.aware")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id} data-testid={`incident-${i.reference}`} data-status={i.status}>
              <td className="ref">
                <Link to={incidentPath(base, i.id)}>
                  <span data-value>{i.reference}</span>
                </Link>
              </td>
              <td className="reason">
                <Link to={incidentPath(base, i.id)}>
                  <span data-value>{i.title}</span>
                </Link>
                {i.itemName && (
                  <>
                    <br />
                    <small>
                      {i.itemId && staff ? (
                        <Link to={`/console/servers/${i.itemId}`}>
                          <span data-value>{i.itemName}</span>
                        </Link>
                      ) : (
                        <span data-value>{i.itemName}</span>
                      )}
                    </small>
                  </>
                )}
              </td>
              {staff && (
                <td>
                  <Link to={`/console/customers/${i.customerId}`}>
                    <span data-value>{i.customerName}</span>
                  </Link>
                </td>
              )}
              <td className="state">
                <SeverityBadge severity={i.severity} />
              </td>
              <td className="state" data-testid="incident-status">
                <IncidentStatusBadge status={i.status} />
                {i.muted && (
                  <>
                    <br />
                    <small data-testid="incident-muted">
                      <MutedText muted={i.muted} />
                    </small>
                  </>
                )}
              </td>
              <td className="time">{tokyoTime(i.openedAt)}</td>
              <td className="time">{tokyoTime(i.awareAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

/** A label that starts a line (English words written to go inside a sentence). */
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const yesNo = (t: ReturnType<typeof useT>, v: boolean) => t(v ? "incident.yes" : "incident.no");

/** The facts of an incident: who, what, when (認知, 復旧), to whom it is attributed and why. */
export function IncidentFacts({ i, staff }: { i: IncidentDetail; staff: boolean }) {
  const t = useT();
  const l = useIncidentLabels();
  const row = (label: MessageKey, value: ReactNode, testId?: string) => (
    <div className="contents" key={label}>
      <dt>{t(label)}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
  return (
    <dl className="facts" data-testid="incident-facts">
      {row("incident.customer", <span data-value>{i.customerName}</span>)}
      {row(
        "incident.server",
        i.itemName ? (
          staff && i.itemId ? (
            <Link to={`/console/servers/${i.itemId}`}>
              <span data-value>{i.itemName}</span>
            </Link>
          ) : (
            <span data-value>{i.itemName}</span>
          )
        ) : (
          "—"
        ),
      )}
      {staff &&
        i.checkId &&
        row("incident.check", <Link to={`/console/checks/${i.checkId}`}>{t("incident.openCheck")}</Link>)}
      {row("incident.severity", <SeverityBadge severity={i.severity} />)}
      {row("incident.status", <IncidentStatusBadge status={i.status} />, "incident-status")}
      {row("incident.openedAt", tokyoTime(i.openedAt))}
      {row(
        "incident.awareAt",
        <>
          {tokyoTime(i.awareAt)} <span className="hint">{t("incident.awareHint")}</span>
        </>,
      )}
      {i.acknowledgedAt && row("incident.acknowledgedAt", tokyoTime(i.acknowledgedAt))}
      {row("incident.restoredAt", i.restoredAt ? tokyoTime(i.restoredAt) : t("incident.notRestored"))}
      {row("incident.attribution", capital(l.attribution(i.attribution)))}
      {row("incident.cause", l.cause(i.cause))}
      {row("incident.outage", yesNo(t, i.outage))}
      {row("incident.muted", <MutedText muted={i.muted} />)}
    </dl>
  );
}

/**
 * Why the incident does (not) count as unavailability, in the reader's words: the same order of
 * reasons as the server's rule (src/incidents/rules.ts `periodOf`).
 */
function unavailabilityReason(t: ReturnType<typeof useT>, i: IncidentDetail): string {
  const l = { attribution: (a: Incident["attribution"]) => t(ATTRIBUTION_KEY[a]) };
  const u = i.unavailability;
  if (u.start && u.end)
    return u.counts
      ? t("incident.unavail.counted")
      : t("incident.unavail.otherAttribution").replace("{who}", l.attribution(i.attribution));
  if (!i.contractId) return t("incident.unavail.noContract");
  if (i.muted) return t("incident.unavail.muted").replace("{mute}", t(MUTE_KEY[i.muted]));
  if (!i.outage) return t("incident.unavail.degradation");
  if (!i.restoredAt) return t("incident.unavail.notRestored");
  return t("incident.unavail.beforeAware");
}

/**
 * The unavailability this incident is (or is not) for the SLA credit (Art. 30(4), 36): whether it
 * counts, the hours, the period, the reason and the article.
 */
export function UnavailabilityBox({ i }: { i: IncidentDetail }) {
  const t = useT();
  const u = i.unavailability;
  const hours =
    u.hours === null
      ? null
      : u.hours.toLocaleString(formatLang.current === "en" ? "en-US" : "ja-JP", {
          maximumFractionDigits: 2,
        });
  return (
    <section
      className={`card unavailability${u.counts ? " counts" : ""}`}
      aria-labelledby="unavailability-title"
      data-testid="unavailability"
    >
      <h2 id="unavailability-title">{t("incident.unavail.title")}</h2>
      <dl className="facts">
        <dt>{t("incident.unavail.counts")}</dt>
        <dd data-testid="unavailability-counts">
          <strong>{t(u.counts ? "incident.unavail.countsYes" : "incident.unavail.countsNo")}</strong>
        </dd>
        <dt>{t("incident.unavail.hours")}</dt>
        <dd>{hours === null ? "—" : t("incident.hours").replace("{n}", hours)}</dd>
        <dt>{t("incident.unavail.period")}</dt>
        <dd>
          {u.start && u.end
            ? t("incident.period").replace("{from}", tokyoTime(u.start)).replace("{to}", tokyoTime(u.end))
            : "—"}
        </dd>
        <dt>{t("incident.unavail.reason")}</dt>
        <dd>{unavailabilityReason(t, i)}</dd>
        <dt>{t("incident.unavail.article")}</dt>
        <dd>{art(u.article)}</dd>
      </dl>
      <p className="hint">
        {t("incident.unavail.note").replace("{articles}", `${art("30(4)")}, ${art("36")}`)}
      </p>
    </section>
  );
}

/** A timeline entry's text in the reader's words where the system wrote it; staff's and data as written. */
function EntryBody({ kind, body }: { kind: string; body: string | null }) {
  const t = useT();
  if (!body) return <>—</>;
  if (kind === "changed")
    return (
      <>
        {body
          .split(/,\s*/)
          .map((f) => (FIELD_KEY[f] ? t(FIELD_KEY[f]) : f))
          .join(t("incident.listSep"))}
      </>
    );
  if (kind === "not_paged")
    return (
      <>
        {t(
          body.startsWith("no escalation policy")
            ? "incident.timeline.noPolicy"
            : "incident.timeline.nobodyOnCall",
        )}
      </>
    );
  if (kind === "customer_notified") {
    const n = /(\d+)/.exec(body)?.[1] ?? "0";
    return (
      <>
        {t(
          body.startsWith("restoration")
            ? "incident.timeline.notifiedRestoration"
            : "incident.timeline.notifiedIncident",
        ).replace("{n}", n)}
      </>
    );
  }
  return (
    <span data-value className="pre">
      {body}
    </span>
  );
}

/** The timeline, newest first: time (JST), what happened, the text, who, and whether the customer sees it. */
export function Timeline({ entries, staff }: { entries: IncidentDetail["timeline"]; staff: boolean }) {
  const t = useT();
  const l = useIncidentLabels();
  const rows = [...entries].reverse();
  return (
    <>
      <ScrollBox>
        <table className="mon timeline" data-testid="incident-timeline">
          <thead>
            <tr>
              <th scope="col">{t("incident.timeline.at")}</th>
              <th scope="col">{t("incident.timeline.kind")}</th>
              <th scope="col">{t("incident.timeline.body")}</th>
              {staff && <th scope="col">{t("incident.timeline.actor")}</th>}
              {staff && <th scope="col">{t("incident.timeline.visibility")}</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map((e, n) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: entries have no id; the list is as read
              <tr key={`${e.at}-${n}`} data-kind={e.kind}>
                <td className="time">{tokyoTime(e.at)}</td>
                <td className="state">{l.kind(e.kind)}</td>
                <td className="reason">
                  <EntryBody kind={e.kind} body={e.body} />
                </td>
                {staff && (
                  <td>{e.actor ? <span data-value>{e.actor}</span> : t("incident.timeline.system")}</td>
                )}
                {staff && (
                  <td className="state">
                    <span className={`badge ${e.public ? "vis-public" : "vis-internal"}`}>
                      {t(e.public ? "incident.timeline.public" : "incident.timeline.internal")}
                    </span>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {entries.length === 0 && <p className="hint">{t("incidents.none")}</p>}
    </>
  );
}

/** The customer's report as text (Markdown), in Japanese and in English. */
export function ReportLinks({ id }: { id: string }) {
  const t = useT();
  return (
    <p className="report-links" data-testid="report-links">
      {t("incident.download")}:{" "}
      <a href={`/api/v1/incidents/${id}/report?lang=ja`} target="_blank" rel="noopener" hrefLang="ja">
        {t("incident.download.ja")}
      </a>
      {" / "}
      <a href={`/api/v1/incidents/${id}/report?lang=en`} target="_blank" rel="noopener" hrefLang="en">
        {t("incident.download.en")}
      </a>
    </p>
  );
}

/** The report written for the customer, or that there is none yet. */
export function ReportText({ report }: { report: string | null }) {
  const t = useT();
  if (!report) return <p className="hint">{t("incident.report.none")}</p>;
  return (
    <pre className="body" data-value data-testid="incident-report">
      {report}
    </pre>
  );
}

/** A planned interruption that is not over yet (and not cancelled) is upcoming or under way. */
const upcoming = (w: Window, now: number) => !w.cancelledAt && Date.parse(w.endsAt) > now;

/**
 * The status page's section above the checks: the customer's active incidents and its upcoming
 * planned maintenance (its own and the service-wide).
 */
export function IncidentsAndMaintenance({ customerId, base }: { customerId?: string; base: string }) {
  const t = useT();
  const l = useIncidentLabels();
  const [incidents, incidentsError] = useGet("/api/v1/incidents", {
    query: { status: "active", limit: 20, ...(customerId ? { customerId } : {}) },
  });
  const [windows, windowsError] = useGet("/api/v1/maintenance", {});
  const now = Date.now();
  const shown = (windows ?? [])
    .filter((w) => upcoming(w, now) && (!customerId || w.customerId === null || w.customerId === customerId))
    .sort((a, b) => (a.startsAt < b.startsAt ? -1 : 1));
  return (
    <section
      className="card status-incidents"
      aria-labelledby="status-incidents-title"
      data-testid="status-incidents"
    >
      <h2 id="status-incidents-title">{t("incidents.status.active")}</h2>
      <ErrorBox error={incidentsError} />
      {incidents && incidents.items.length === 0 && (
        <p className="hint">{t("incidents.status.noneActive")}</p>
      )}
      {incidents && incidents.items.length > 0 && (
        <ul className="status-list">
          {incidents.items.map((i) => (
            <li key={i.id} data-testid="status-incident">
              <SeverityBadge severity={i.severity} /> <IncidentStatusBadge status={i.status} />{" "}
              <Link to={incidentPath(base, i.id)}>
                <span data-value>
                  {i.reference} {i.title}
                </span>
              </Link>
              <br />
              <span className="hint">
                {t("incidents.status.since").replace("{time}", tokyoTime(i.openedAt))}
                {i.muted && (
                  <>
                    {" · "}
                    <MutedText muted={i.muted} />
                  </>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {incidents?.hasMore && (
        <p>
          <Link to={`${base}/incidents`}>{t("incidents.status.all")}</Link>
        </p>
      )}
      <h2>{t("incidents.status.maintenance")}</h2>
      <ErrorBox error={windowsError} />
      {windows && shown.length === 0 && <p className="hint">{t("incidents.status.noneMaintenance")}</p>}
      {shown.length > 0 && (
        <ul className="status-list" data-testid="status-maintenance">
          {shown.map((w) => (
            <li key={w.id}>
              <span data-value>{w.title}</span>
              {w.itemName && (
                <>
                  {" — "}
                  <span data-value>{w.itemName}</span>
                </>
              )}
              <br />
              <span className="hint">
                {t("incident.period")
                  .replace("{from}", tokyoTime(w.startsAt))
                  .replace("{to}", tokyoTime(w.endsAt))}
                {" · "}
                {l.windowReason(w.reason)} ({art(w.article)})
                {w.emergency && ` · ${t("incidents.window.emergency")}`}
              </span>
            </li>
          ))}
        </ul>
      )}
      {base === "/portal" && (
        <p>
          <Link to="/portal/maintenance">{t("incidents.status.allMaintenance")}</Link>
        </p>
      )}
    </section>
  );
}

/** A count as the reader's language writes it, with its unit ("3 件"). */
export const cases = (t: ReturnType<typeof useT>, n: number) => t("incidents.count").replace("{n}", count(n));
