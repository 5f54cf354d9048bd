/**
 * Portal: the customer's incidents (障害) — the list, live, and each one read-only: its facts,
 * awareness (認知) and restoration (復旧), the unavailability it is for the SLA credit (Art. 30(4),
 * 36), the public timeline, the provider's report and its downloads (Art. 43).
 */
import { useState } from "react";
import { useT } from "../i18n.ts";
import { useIncidentStream } from "../shared/incident-live.ts";
import {
  IncidentFacts,
  IncidentStatusBadge,
  IncidentsTable,
  LiveIndicator,
  ReportLinks,
  ReportText,
  SeverityBadge,
  STATUSES,
  Timeline,
  UnavailabilityBox,
  useIncidentLabels,
} from "../shared/incident-view.tsx";
import { ErrorBox, Link, MoreButton, Select, useGet, useGetPages } from "../ui.tsx";

type StatusFilter = "active" | "open" | "acknowledged" | "resolved" | "";

export function MyIncidentsPage() {
  const t = useT();
  const l = useIncidentLabels();
  const live = useIncidentStream();
  const [status, setStatus] = useState<StatusFilter>("");
  const [data, error, , more] = useGetPages("/api/v1/incidents", { query: status ? { status } : {} });
  return (
    <section>
      <div className="title-row">
        <h1>{t("incidents.portal.title")}</h1>
        <LiveIndicator state={live} />
      </div>
      <p className="hint">{t("incidents.portal.lead")}</p>
      <div className="filters">
        <Select
          id="myIncidentStatus"
          label={t("incidents.filter.status")}
          value={status}
          onChange={(v) => setStatus(v as StatusFilter)}
          options={[
            ["", t("list.all")],
            ["active", t("incidents.filter.active")],
            ...STATUSES.map((s): [string, string] => [s, l.status(s)]),
          ]}
        />
      </div>
      <ErrorBox error={error} />
      {data && <IncidentsTable items={data.items} base="/portal" staff={false} testId="my-incidents" />}
      {data?.items.length === 0 && <p className="hint">{t("incidents.none")}</p>}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

export function MyIncidentPage({ id }: { id: string }) {
  const t = useT();
  const live = useIncidentStream();
  const [i, error] = useGet("/api/v1/incidents/{id}", { path: { id } });
  if (!i) return <ErrorBox error={error} />;
  return (
    <section>
      <p>
        <Link to="/portal/incidents">← {t("incidents.back")}</Link>
      </p>
      <div className="title-row">
        <h1>
          <span data-value>
            {i.reference} {i.title}
          </span>
        </h1>
        <LiveIndicator state={live} />
      </div>
      <p className="badges" data-testid="incident-head">
        <SeverityBadge severity={i.severity} /> <IncidentStatusBadge status={i.status} />
      </p>
      <ErrorBox error={error} />
      <IncidentFacts i={i} staff={false} />
      <UnavailabilityBox i={i} />
      <section aria-labelledby="report-title" className="card">
        <h2 id="report-title">{t("incident.report.title")}</h2>
        <ReportText report={i.report} />
        <ReportLinks id={i.id} />
      </section>
      <h2>{t("incident.timeline.title")}</h2>
      <Timeline entries={i.timeline} staff={false} />
    </section>
  );
}
