/**
 * Console: the servers and cloud resources under monitoring (Art. 4), every customer's or one's,
 * searched by name or role; each with its worst check state and how many checks and credentials.
 */
import { useState } from "react";
import { count } from "../format.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { CustomerPicker } from "../shared/customer-picker.tsx";
import { OsText, StateBadge } from "../shared/monitoring.tsx";
import { ErrorBox, Link, MoreButton, ScrollBox, SearchForm, useGetPages } from "../ui.tsx";

export function ServersPage() {
  const t = useT();
  const l = useLabels();
  const [q, setQ] = useState("");
  const [customerId, setCustomerId] = useState("");
  const [data, error, , more] = useGetPages("/api/v1/inventory", {
    query: { ...(q ? { q } : {}), ...(customerId ? { customerId } : {}) },
  });
  return (
    <section>
      <h1>{t("monitoring.servers.title")}</h1>
      <p className="hint">{t("monitoring.servers.lead")}</p>
      <div className="filters">
        <SearchForm
          id="server-search"
          label={t("monitoring.servers.search")}
          button={t("customers.searchButton")}
          onSearch={setQ}
        />
        <CustomerPicker
          id="serverCustomer"
          label={t("monitoring.customer")}
          value={customerId}
          onChange={(id) => setCustomerId(id)}
          empty={t("list.all")}
        />
      </div>
      <ErrorBox error={error} />
      <ScrollBox>
        <table className="mon" data-testid="servers">
          <thead>
            <tr>
              <th scope="col">{t("monitoring.server")}</th>
              <th scope="col">{t("monitoring.customer")}</th>
              <th scope="col">{t("contracts.number")}</th>
              <th scope="col">{t("monitoring.providerRegion")}</th>
              <th scope="col">{t("monitoring.os")}</th>
              <th scope="col">{t("monitoring.role")}</th>
              <th scope="col">{t("monitoring.state")}</th>
              <th scope="col" className="num">
                {t("monitoring.checks")}
              </th>
              <th scope="col" className="num">
                {t("monitoring.credentials")}
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((i) => (
              <tr key={i.id}>
                <td>
                  <Link to={`/console/servers/${i.id}`}>
                    <span data-value>{i.name}</span>
                  </Link>
                  {i.kind !== "server" && <span className="hint"> ({l.itemKind(i.kind)})</span>}
                  {!i.onContract && <span className="hint"> ({t("monitoring.offContract")})</span>}
                </td>
                <td>
                  <Link to={`/console/customers/${i.customerId}`}>
                    <span data-value>{i.customerName}</span>
                  </Link>
                </td>
                <td>
                  <Link to={`/console/contracts/${i.contractId}`}>
                    <span data-value>{i.contractNumber}</span>
                  </Link>
                </td>
                <td>
                  {l.provider(i.provider)}
                  {i.region && (
                    <>
                      {" · "}
                      <span data-value>{i.region}</span>
                    </>
                  )}
                </td>
                <td>
                  <OsText family={i.osFamily} version={i.osVersion} />
                </td>
                <td>{i.role ? <span data-value>{i.role}</span> : "—"}</td>
                <td className="state">
                  <StateBadge state={i.state} />
                </td>
                <td className="num">{count(i.checks)}</td>
                <td className="num">{count(i.credentials)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {data?.items.length === 0 && <p className="hint">{t("home.none")}</p>}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
