/**
 * Console: the billing runs of a month (drafts, issue, the month's CSV) and the overdue invoices with
 * their late fees and suspension candidates (Art. 29–34, 39).
 */

import { type FormEvent, useState } from "react";
import { api, type Me } from "../api.ts";
import {
  canHandleMoney,
  followRun,
  type InvoiceSort,
  type InvoiceStatus,
  InvoicesTable,
  RUN_STATUS_LABEL,
  type RunResult,
} from "../billing/shared.tsx";
import { monthInJapan } from "../clock.ts";
import { yen } from "../format.ts";
import { useT } from "../i18n.ts";
import {
  Basis,
  ConfirmButton,
  ErrorBox,
  Field,
  Link,
  MoreButton,
  ScrollBox,
  SearchForm,
  Select,
  SortHeader,
  tokyoTime,
  useAction,
  useGetPages,
} from "../ui.tsx";

export function BillingPage({ me }: { me: Me }) {
  const t = useT();
  const money = canHandleMoney(me);
  const [month, setMonth] = useState(monthInJapan(-1));
  const [status, setStatus] = useState("");
  const [runMonth, setRunMonth] = useState(monthInJapan(-1));
  const [issueToo, setIssueToo] = useState(false);
  const [result, setResult] = useState<RunResult | null>(null);
  const [issued, setIssued] = useState<number | null>(null);
  const [runs, runsError, reloadRuns, moreRuns] = useGetPages("/api/v1/billing/runs", {});
  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  // 電子帳簿保存法's search: issue date range, amount range, counterparty (with or without a month).
  const [search, setSearch] = useState({
    counterparty: "",
    issuedFrom: "",
    issuedTo: "",
    totalMin: "",
    totalMax: "",
  });
  const setSearchField = (k: keyof typeof search) => (v: string) => setSearch({ ...search, [k]: v });
  const isDate = (s: string) => s === "" || /^\d{4}-\d{2}-\d{2}$/.test(s);
  const isYen = (s: string) => s === "" || /^-?\d{1,13}$/.test(s);
  const searchValid =
    isDate(search.issuedFrom) && isDate(search.issuedTo) && isYen(search.totalMin) && isYen(search.totalMax);
  const [sort, setSort] = useState<InvoiceSort>("number");
  const [invoices, invoicesError, reloadInvoices, moreInvoices] = useGetPages(
    "/api/v1/invoices",
    {
      query: {
        ...(month ? { month } : {}),
        limit: 500,
        sort,
        ...(status ? { status: status as InvoiceStatus } : {}),
        ...(search.counterparty.trim() ? { counterparty: search.counterparty.trim() } : {}),
        ...(search.issuedFrom ? { issuedFrom: search.issuedFrom } : {}),
        ...(search.issuedTo ? { issuedTo: search.issuedTo } : {}),
        ...(search.totalMin ? { totalMin: Number(search.totalMin) } : {}),
        ...(search.totalMax ? { totalMax: Number(search.totalMax) } : {}),
      },
    },
    (month === "" || validMonth) && searchValid,
  );
  const reload = () => {
    reloadRuns();
    reloadInvoices();
  };
  const [actionError, act] = useAction(reload);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    await act(async () => {
      const queued = await api<RunResult>("POST", "/billing/runs", { month: runMonth, issue: issueToo });
      await followRun(queued, (r) => {
        setResult(r);
        reloadRuns();
      });
      setMonth(runMonth);
    });
  };
  // Drafts come first in a month's list: when the loaded ones are all drafts and more follow, say "n+".
  const draftCount = invoices?.items.filter((i) => i.status === "draft").length ?? 0;
  const drafts = `${draftCount}${invoices?.hasMore && draftCount === invoices.items.length ? "+" : ""}`;
  return (
    <section>
      <h1>{t("billing.title")}</h1>
      {money && (
        <form className="card" onSubmit={run} aria-labelledby="run-title">
          <h2 id="run-title">{t("billing.run")}</h2>
          <p className="hint">{t("billing.runLead")}</p>
          <div className="inline">
            <Field
              id="runMonth"
              label={t("billing.month")}
              value={runMonth}
              onChange={setRunMonth}
              hint="YYYY-MM"
            />
            <label className="check">
              <input type="checkbox" checked={issueToo} onChange={(e) => setIssueToo(e.target.checked)} />{" "}
              {t("billing.issueToo")}
            </label>
            <button type="submit">{t("billing.runSubmit")}</button>
          </div>
          {result && result.status !== "done" && (
            <p role="status" data-testid="run-progress">
              <progress max={Math.max(1, result.total)} value={result.scanned} />{" "}
              {t("billing.runProgress")
                .replace("{scanned}", String(result.scanned))
                .replace("{total}", String(result.total))}
            </p>
          )}
          {result && result.status === "done" && (
            <p role="status" data-testid="run-result">
              {t("billing.runResult")
                .replace("{month}", result.month)
                .replace("{contracts}", String(result.contracts))
                .replace("{created}", String(result.created))
                .replace("{skipped}", String(result.skipped))
                .replace("{issued}", String(result.issued))}
            </p>
          )}
        </form>
      )}
      <ErrorBox error={actionError ?? runsError} />
      <h2>{t("billing.invoices")}</h2>
      <div className="inline">
        <Field
          id="invoiceMonth"
          label={t("billing.month")}
          value={month}
          onChange={setMonth}
          hint="YYYY-MM"
        />
        <Select
          id="invoiceStatus"
          label={t("billing.status")}
          value={status}
          onChange={setStatus}
          options={[
            ["", t("billing.all")],
            ["draft", t("billing.statusDraft")],
            ["issued", t("billing.statusIssued")],
            ["void", t("billing.statusVoid")],
          ]}
        />
        <Field
          id="invoiceCounterparty"
          label={t("billing.searchCounterparty")}
          value={search.counterparty}
          onChange={setSearchField("counterparty")}
          required={false}
        />
        <Field
          id="invoiceIssuedFrom"
          label={t("billing.issuedFrom")}
          value={search.issuedFrom}
          onChange={setSearchField("issuedFrom")}
          type="date"
          required={false}
        />
        <Field
          id="invoiceIssuedTo"
          label={t("billing.issuedTo")}
          value={search.issuedTo}
          onChange={setSearchField("issuedTo")}
          type="date"
          required={false}
        />
        <Field
          id="invoiceTotalMin"
          label={t("billing.totalMin")}
          value={search.totalMin}
          onChange={setSearchField("totalMin")}
          inputMode="numeric"
          required={false}
        />
        <Field
          id="invoiceTotalMax"
          label={t("billing.totalMax")}
          value={search.totalMax}
          onChange={setSearchField("totalMax")}
          inputMode="numeric"
          required={false}
        />
      </div>
      <p className="hint">{t("billing.searchHint")}</p>
      <p>
        {money && draftCount > 0 && (
          <ConfirmButton
            label={t("billing.issueAll").replace("{n}", drafts)}
            message={t("confirm.issueAll").replace("{n}", drafts).replace("{month}", month)}
            confirm={t("confirm.issueAllYes")}
            cancel={t("confirm.cancel")}
            onConfirm={() =>
              act(async () => {
                setIssued((await api<{ issued: number }>("POST", `/billing/months/${month}/issue`)).issued);
              })
            }
          />
        )}{" "}
        {money && validMonth && (
          <a href={`/api/v1/billing/months/${month}/invoices.csv`} download>
            {t("billing.csv")}
          </a>
        )}
        {money && validMonth && (
          <span data-testid="journal-exports">
            {" "}
            · {t("billing.journal")}:{" "}
            {(
              [
                ["yayoi", t("billing.journalYayoi")],
                ["freee", "freee"],
                ["moneyforward", t("billing.journalMoneyForward")],
              ] as const
            ).map(([format, name], i) => (
              <span key={format}>
                {i > 0 ? " · " : ""}
                <a href={`/api/v1/billing/months/${month}/journal.csv?format=${format}`} download>
                  {name}
                </a>
              </span>
            ))}
          </span>
        )}
      </p>
      {issued !== null && <p role="status">{t("billing.issuedCount").replace("{n}", String(issued))}</p>}
      <ErrorBox error={invoicesError} />
      {invoices && invoices.items.length === 0 && <p>{t("billing.noInvoices")}</p>}
      {invoices && invoices.items.length > 0 && (
        <InvoicesTable items={invoices.items} base="/console" sort={sort} onSort={setSort} />
      )}
      <MoreButton more={moreInvoices} label={t("list.more")} />
      <OverdueSection />
      <h2>{t("billing.runs")}</h2>
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("billing.month")}</th>
              <th scope="col">{t("billing.status")}</th>
              <th scope="col" className="num">
                {t("billing.contractsCount")}
              </th>
              <th scope="col" className="num">
                {t("billing.created")}
              </th>
              <th scope="col" className="num">
                {t("billing.skipped")}
              </th>
              <th scope="col">{t("billing.startedAt")}</th>
            </tr>
          </thead>
          <tbody>
            {runs?.items.map((r) => (
              <tr key={r.id}>
                <td>{r.month}</td>
                <td data-testid="run-status">
                  {t(RUN_STATUS_LABEL[r.status])
                    .replace("{scanned}", String(r.scanned))
                    .replace("{total}", String(r.total))}
                  {r.attempts > 1 ? ` ${t("billing.runAttempts").replace("{n}", String(r.attempts))}` : ""}
                  {r.error ? `: ${r.error}` : ""}
                </td>
                <td className="num">{r.contracts}</td>
                <td className="num">{r.created}</td>
                <td className="num">{r.skipped}</td>
                <td>{tokyoTime(r.startedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <MoreButton more={moreRuns} label={t("list.more")} />
    </section>
  );
}

function OverdueSection() {
  const t = useT();
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<"due" | "-due" | "balance" | "-balance" | "customer" | "-customer">("due");
  const [data, error, , more] = useGetPages("/api/v1/billing/overdue", {
    query: { sort, ...(q ? { q } : {}) },
  });
  return (
    <section aria-labelledby="overdue-title">
      <h2 id="overdue-title">{t("billing.overdueTitle")}</h2>
      <SearchForm
        id="overdue-search"
        label={t("billing.searchOverdue")}
        button={t("customers.searchButton")}
        onSearch={setQ}
      />
      <ErrorBox error={error} />
      {data?.items.length === 0 && <p>{t("billing.noOverdue")}</p>}
      {data && data.items.length > 0 && (
        <ScrollBox>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("billing.invoiceNumber")}</th>
                <SortHeader label={t("billing.recipient")} name="customer" sort={sort} onSort={setSort} />
                <SortHeader label={t("billing.dueDate")} name="due" sort={sort} onSort={setSort} />
                <SortHeader
                  label={t("billing.balance")}
                  name="balance"
                  sort={sort}
                  onSort={setSort}
                  className="num"
                />
                <th scope="col">{t("billing.lateFee")}</th>
                <th scope="col">{t("billing.suspensionCandidate")}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/console/invoices/${o.id}`}>{o.number}</Link>
                  </td>
                  <td>
                    <Link to={`/console/contracts/${o.contractId}`}>{o.recipientName}</Link>
                  </td>
                  <td>{o.dueDate}</td>
                  <td className="num">{yen(o.balance)}</td>
                  <td>
                    {yen(o.lateFee.result.fee)}
                    <Basis basis={o.lateFee.basis} title={t("contracts.why")} />
                  </td>
                  <td>{o.suspensionCandidate ? t("billing.yes21") : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

// ---- one invoice (console and portal) ---------------------------------------------------------
