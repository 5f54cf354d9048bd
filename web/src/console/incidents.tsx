/**
 * Console: the incidents (障害) of every customer, the latest first — active ones unless asked
 * otherwise, by severity, by customer, by words of the title; new incidents and changes of state
 * arrive live (the incidents' stream), without reloading the page.
 */
import { useState } from "react";
import { useT } from "../i18n.ts";
import { CustomerPicker } from "../shared/customer-picker.tsx";
import { useIncidentStream } from "../shared/incident-live.ts";
import {
  IncidentsTable,
  LiveIndicator,
  SEVERITIES,
  type Severity,
  STATUSES,
  useIncidentLabels,
} from "../shared/incident-view.tsx";
import { ErrorBox, MoreButton, SearchForm, Select, useGetPages } from "../ui.tsx";

type StatusFilter = "active" | "open" | "acknowledged" | "resolved" | "";

export function IncidentsPage() {
  const t = useT();
  const l = useIncidentLabels();
  const live = useIncidentStream();
  const [status, setStatus] = useState<StatusFilter>("active");
  const [severity, setSeverity] = useState<Severity | "">("");
  const [customerId, setCustomerId] = useState("");
  const [q, setQ] = useState("");
  const [data, error, , more] = useGetPages("/api/v1/incidents", {
    query: {
      ...(status ? { status } : {}),
      ...(severity ? { severity } : {}),
      ...(customerId ? { customerId } : {}),
      ...(q ? { q } : {}),
    },
  });
  return (
    <section>
      <div className="title-row">
        <h1>{t("incidents.title")}</h1>
        <LiveIndicator state={live} />
      </div>
      <p className="hint">{t("incidents.lead")}</p>
      <div className="filters">
        <Select
          id="incidentStatus"
          label={t("incidents.filter.status")}
          value={status}
          onChange={(v) => setStatus(v as StatusFilter)}
          options={[
            ["active", t("incidents.filter.active")],
            ...STATUSES.map((s): [string, string] => [s, l.status(s)]),
            ["", t("list.all")],
          ]}
        />
        <Select
          id="incidentSeverity"
          label={t("incidents.filter.severity")}
          value={severity}
          onChange={(v) => setSeverity(v as Severity | "")}
          options={[["", t("list.all")], ...SEVERITIES.map((s): [string, string] => [s, l.severity(s)])]}
        />
        <CustomerPicker
          id="incidentCustomer"
          label={t("incidents.col.customer")}
          value={customerId}
          onChange={(id) => setCustomerId(id)}
          empty={t("list.all")}
        />
      </div>
      <SearchForm
        id="incident-search"
        label={t("incidents.search")}
        button={t("customers.searchButton")}
        onSearch={setQ}
      />
      <ErrorBox error={error} />
      {data && <IncidentsTable items={data.items} base="/console" staff testId="incidents" />}
      {data?.items.length === 0 && <p className="hint">{t("incidents.none")}</p>}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
