/**
 * The contracts list (console: every customer's; portal: the company's), filtered by state.
 */

import { useState } from "react";
import { CONTRACT_STATUSES } from "../../../src/contracts/states.ts";
import type { Params, Schema } from "../client.ts";
import { type MessageKey, useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import {
  ErrorBox,
  Link,
  MoreButton,
  ScrollBox,
  SearchForm,
  Select,
  SortHeader,
  useGetPages,
} from "../ui.tsx";

type ContractSort = NonNullable<NonNullable<Params<"/api/v1/contracts">["query"]>["sort"]>;

export type Contract = Schema<"ContractDetail">;

export type Cancellation = Schema<"Cancellation">;

export function ContractsPage({ base }: { base: string }) {
  const t = useT();
  const l = useLabels();
  const [status, setStatus] = useState("");
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<ContractSort>("-number");
  const staff = base === "/console";
  const [data, error, , more] = useGetPages("/api/v1/contracts", {
    query: { ...(status ? { status: status as Contract["status"] } : {}), ...(q ? { q } : {}), sort },
  });
  return (
    <section>
      <h1>{t("contracts.title")}</h1>
      <SearchForm
        id="contract-search"
        label={staff ? t("contracts.search") : t("contracts.searchOwn")}
        button={t("customers.searchButton")}
        onSearch={setQ}
      />
      <Select
        id="contractStatusFilter"
        label={t("contracts.filterStatus")}
        value={status}
        onChange={setStatus}
        options={[["", t("list.all")], ...CONTRACT_STATUSES.map((s): [string, string] => [s, l.status(s)])]}
      />
      <ErrorBox error={error} />
      <ContractsTable
        items={data?.items ?? []}
        base={base}
        showCustomer={staff}
        sort={sort}
        onSort={setSort}
      />
      {data?.items.length === 0 && <p className="hint">{t("home.none")}</p>}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

/**
 * Contracts with their state, plan and options, dates of the term (Art. 12, 13) and end; the
 * customer's name where several companies' contracts are listed. With `onSort`, the columns the
 * server orders by are headings that sort.
 */
export function ContractsTable(props: {
  items: (Schema<"ContractRow"> | Contract)[];
  base: string;
  showCustomer?: boolean;
  sort?: ContractSort;
  onSort?: (sort: ContractSort) => void;
  testId?: string;
}) {
  const t = useT();
  const l = useLabels();
  const { sort, onSort } = props;
  const by = (name: "number" | "customer" | "start" | "end", label: MessageKey) =>
    sort && onSort ? (
      <SortHeader label={t(label)} name={name} sort={sort} onSort={onSort} />
    ) : (
      <th scope="col">{t(label)}</th>
    );
  return (
    <ScrollBox>
      <table data-testid={props.testId}>
        <thead>
          <tr>
            {by("number", "contracts.number")}
            {props.showCustomer && by("customer", "contracts.customer")}
            <th scope="col">{t("contracts.status")}</th>
            <th scope="col">{t("contracts.plan")}</th>
            {by("start", "contracts.startDate")}
            <th scope="col">{t("contracts.minimumTermEnd")}</th>
            {by("end", "contracts.endEffective")}
          </tr>
        </thead>
        <tbody>
          {props.items.map((c) => (
            <tr key={c.id}>
              <td>
                <Link to={`${props.base}/contracts/${c.id}`}>{c.number}</Link>
              </td>
              {props.showCustomer && (
                <td>
                  {"customerName" in c && (
                    <Link to={`/console/customers/${c.customerId}`}>{c.customerName}</Link>
                  )}
                </td>
              )}
              <td>{l.status(c.status)}</td>
              <td>
                {l.plan(c.plan)}
                {c.options.length > 0 && ` (${c.options.map(l.option).join(", ")})`}
              </td>
              <td>{c.startDate}</td>
              <td>{c.minimumTermEnd}</td>
              <td>{c.endEffectiveOn ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}
