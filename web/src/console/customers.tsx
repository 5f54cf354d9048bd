/** Console: the customers, each linking to its page. */

import { useState } from "react";
import type { Params } from "../client.ts";
import { useT } from "../i18n.ts";
import {
  ErrorBox,
  Link,
  MoreButton,
  ScrollBox,
  SearchForm,
  SortHeader,
  tokyoTime,
  useGetPages,
} from "../ui.tsx";

type CustomerSort = NonNullable<NonNullable<Params<"/api/v1/customers">["query"]>["sort"]>;

export function CustomersPage() {
  const t = useT();
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<CustomerSort>("name");
  const [data, error, , more] = useGetPages("/api/v1/customers", { query: { ...(q ? { q } : {}), sort } });
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
              <SortHeader label={t("customers.legalName")} name="name" sort={sort} onSort={setSort} />
              <th scope="col">{t("customers.corporateNumber")}</th>
              <SortHeader label={t("customers.registered")} name="created" sort={sort} onSort={setSort} />
            </tr>
          </thead>
          <tbody>
            {data?.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/console/customers/${c.id}`}>{c.legalName}</Link>
                </td>
                <td>{c.corporateNumber}</td>
                <td>{tokyoTime(c.createdAt)}</td>
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
