/** Console: the customers, each linking to its page. */

import { useState } from "react";
import { useT } from "../i18n.ts";
import { ErrorBox, Link, MoreButton, ScrollBox, SearchForm, useGetPages } from "../ui.tsx";

export function CustomersPage() {
  const t = useT();
  const [q, setQ] = useState("");
  const [data, error, , more] = useGetPages("/api/v1/customers", { query: q ? { q } : {} });
  return (
    <section>
      <h1>{t("customers.title")}</h1>
      <SearchForm
        id="customer-search"
        label={t("customers.search")}
        button={t("customers.searchButton")}
        onSearch={setQ}
      />
      <ErrorBox error={error} />
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("customers.legalName")}</th>
              <th scope="col">{t("customers.corporateNumber")}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/console/customers/${c.id}`}>{c.legalName}</Link>
                </td>
                <td>{c.corporateNumber}</td>
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
