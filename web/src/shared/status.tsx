/**
 * The status page (Art. 43) inside the app: a customer's own in the portal, any customer's in the
 * console (as the customer sees it, with the server each service runs on). Refreshed every minute;
 * above the checks, the customer's active incidents (live) and upcoming planned maintenance (Art. 23).
 */
import { useT } from "../i18n.ts";
import { ErrorBox, Link, useGet } from "../ui.tsx";
import { useIncidentStream } from "./incident-live.ts";
import { IncidentsAndMaintenance } from "./incident-view.tsx";
import { MonthlyUptime, StatusView, useEvery } from "./monitoring.tsx";

export function StatusPage({ customerId }: { customerId?: string }) {
  const t = useT();
  const [data, error, reload] = useGet("/api/v1/status", { query: customerId ? { customerId } : {} });
  useEvery(60_000, reload);
  useIncidentStream();
  return (
    <section>
      {customerId && (
        <p>
          <Link to={`/console/customers/${customerId}`}>
            ← <span data-value>{data?.customerName ?? "…"}</span>
          </Link>
        </p>
      )}
      <h1>
        {t("monitoring.status.title")}
        {customerId && data && (
          <>
            {" — "}
            <span data-value>{data.customerName}</span>
          </>
        )}
      </h1>
      <ErrorBox error={error} />
      <IncidentsAndMaintenance customerId={customerId} base={customerId ? "/console" : "/portal"} />
      {data && <StatusView data={data} showItems />}
      {data && (
        <MonthlyUptime
          customerId={customerId}
          checks={data.services.map((s) => ({ id: s.id, name: s.name }))}
          asOf={data.asOf}
        />
      )}
    </section>
  );
}
