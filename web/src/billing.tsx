/**
 * Billing pages (Art. 11, 29–34, 36, 39): the console's billing runs, invoices, payments and price
 * book, the customer's invoices and payments, and the billing panel of a contract page.
 * Every figure shown comes from the API with its article; nothing is computed here.
 */

import { type FormEvent, type ReactNode, useEffect, useState } from "react";
// The API's own types (type-only: nothing of the server is bundled).
import type { ChargeLine, InvoiceDocument, TaxCategory } from "../../src/billing/types.ts";
import { ApiFailure, api, type Me, upload } from "./api.ts";
import { monthInJapan, todayInJapan } from "./clock.ts";
import { art, yen } from "./format.ts";
import { formatLang, type MessageKey, useT } from "./i18n.ts";
import { FEE_KIND_LABEL } from "./labels.ts";
import { ActionForm } from "./lifecycle.tsx";
import { MenuLimits } from "./menu-limits.tsx";
import {
  Basis,
  type BasisItem,
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  Link,
  MoreButton,
  ScrollBox,
  Select,
  tokyoTime,
  useAction,
  useAll,
  useList,
  useLoad,
} from "./ui.tsx";

// ---- shapes of the API's answers --------------------------------------------------------------

type InvoiceStatus = InvoiceDocument["status"];

interface Explained<T> {
  result: T;
  basis: BasisItem[];
}

interface InvoiceRow {
  id: string;
  number: string | null;
  month: string;
  kind: "regular" | "corrected" | "credit";
  status: InvoiceStatus;
  issueDate: string | null;
  dueDate: string;
  total: number;
  paidAmount: number;
  balance: number;
  paidOn: string | null;
  overdue: boolean;
  contractId: string;
  contractNumber: string;
  recipientName: string;
}

interface LateFee {
  fee: number;
  unpaid: number;
  settled: boolean;
  segments: { amount: number; from: string; to: string; days: number; paid: boolean }[];
}

interface InvoiceDetail {
  id: string;
  contractId: string;
  customerId: string;
  document: InvoiceDocument;
  paidAmount: number;
  paidOn: string | null;
  balance: number;
  overdue: boolean;
  payments: { paymentId: string; amount: number; receivedOn: string }[];
  lateFee: Explained<LateFee> | null;
  lateFeeCharged: boolean;
}

interface RunRow {
  id: string;
  month: string;
  status: "queued" | "running" | "done" | "failed";
  contracts: number;
  created: number;
  skipped: number;
  scanned: number;
  total: number;
  attempts: number;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const RUN_STATUS_LABEL = {
  queued: "billing.runQueued",
  running: "billing.runRunning",
  done: "billing.runDone",
  failed: "billing.runFailed",
} as const;

interface OverdueRow {
  id: string;
  number: string;
  month: string;
  dueDate: string;
  total: number;
  balance: number;
  contractId: string;
  contractNumber: string;
  recipientName: string;
  suspensionCandidate: boolean;
  lateFee: Explained<LateFee>;
}

interface Payment {
  id: string;
  customerId: string;
  receivedOn: string;
  amount: number;
  unallocated: number;
  method: string;
  reference: string | null;
  allocations: { invoiceId: string; number: string | null; amount: number }[];
}

interface OneOffCharge extends ChargeLine {
  id: string;
  month: string;
  invoiceId: string | null;
}

interface PriceItemRow {
  code: string;
  nameJa: string;
  nameEn: string;
  kind: string;
  taxCategory: TaxCategory;
  appliesTo: string | null;
  active: boolean;
  currentPrice: number | null;
  prices: { from: string; unitPrice: number }[];
}

interface Settings {
  issuerName: string;
  registrationNumber: string;
  issuerAddress: string;
  issuerPhone: string | null;
  bankAccount: string | null;
  taxRounding: string;
  dueMonthsAfter: number;
  invoicePrefix: string;
  debitConsignor:
    | (Omit<
        Mandate,
        "customerId" | "accountHolder" | "status" | "registeredOn" | "revokedOn" | "nextNewCode"
      > & {
        consignorCode: string;
        consignorName: string;
      })
    | null;
}

interface ContractBilling {
  month: string;
  charges: Explained<{ billable: boolean; lines: ChargeLine[] }>;
  monthlyFee: number;
  damagesCap: Explained<{ monthlyFee: number; cap: number; excluded: string[] }>;
  sla: Explained<{
    hours: number;
    percentage: number;
    credit: number;
    qualifying: { start: string; end: string; hoursTotal: number; hoursInMonth: number; merged?: number }[];
  }>;
  periods: {
    id: string;
    startedAt: string;
    endedAt: string;
    attribution: string;
    cause: string;
    note: string | null;
  }[];
  credits: { month: string; hours: number; percentage: number; credit: number; invoiceId: string | null }[];
  cancelledOptions: { option: string; receivedOn: string }[];
}

// ---- small helpers ----------------------------------------------------------------------------

/** Integer yen, the way a Japanese invoice writes it. */
export { yen };

const TAX_LABEL: Record<TaxCategory, MessageKey> = {
  "10": "billing.tax10",
  "8": "billing.tax8",
  exempt: "billing.taxExempt",
  "out-of-scope": "billing.taxOutOfScope",
};

const STATUS_LABEL: Record<InvoiceStatus, MessageKey> = {
  draft: "billing.statusDraft",
  issued: "billing.statusIssued",
  void: "billing.statusVoid",
};

function canHandleMoney(me: Me) {
  return me.user.role === "admin" || me.user.role === "billing";
}

function PaymentState({ inv }: { inv: Pick<InvoiceRow, "status" | "balance" | "overdue" | "paidOn"> }) {
  const t = useT();
  if (inv.status !== "issued") return <span>—</span>;
  if (inv.balance <= 0) return <span className="ok">{t("billing.paid")}</span>;
  return (
    <span className={inv.overdue ? "error-text" : undefined}>
      {inv.overdue ? t("billing.overdue") : t("billing.unpaid")} ({yen(inv.balance)})
    </span>
  );
}

function InvoicesTable({ items, base }: { items: InvoiceRow[]; base: string }) {
  const t = useT();
  return (
    <ScrollBox>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("billing.invoiceNumber")}</th>
            <th scope="col">{t("billing.month")}</th>
            <th scope="col">{t("billing.recipient")}</th>
            <th scope="col">{t("contracts.number")}</th>
            <th scope="col">{t("billing.status")}</th>
            <th scope="col">{t("billing.dueDate")}</th>
            <th scope="col" className="num">
              {t("billing.total")}
            </th>
            <th scope="col">{t("billing.paymentStatus")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((i) => (
            <tr key={i.id}>
              <td>
                <Link to={`${base}/invoices/${i.id}`}>
                  {i.number ?? `${t("billing.statusDraft")} ${i.id.slice(0, 8)}`}
                </Link>
              </td>
              <td>{i.month}</td>
              <td>{i.recipientName}</td>
              <td>{i.contractNumber}</td>
              <td>
                {t(STATUS_LABEL[i.status])}
                {i.kind !== "regular"
                  ? ` (${t(i.kind === "credit" ? "billing.kindCredit" : "billing.kindCorrected")})`
                  : ""}
              </td>
              <td>{i.dueDate}</td>
              <td className="num">{yen(i.total)}</td>
              <td>
                <PaymentState inv={i} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

// ---- console: billing runs and the month's invoices -------------------------------------------

/** A billing run as the server reports it while it is queued, running and done. */
interface RunResult {
  id: string;
  month: string;
  status: "queued" | "running" | "done" | "failed";
  contracts: number;
  created: number;
  skipped: number;
  issued: number;
  scanned: number;
  total: number;
  error: string | null;
}

/** Follow a queued run until it is done or failed. */
async function followRun(run: RunResult, onUpdate: (r: RunResult) => void): Promise<RunResult> {
  let r = run;
  onUpdate(r);
  while (r.status === "queued" || r.status === "running") {
    await new Promise((ok) => setTimeout(ok, 400));
    r = await api<RunResult>("GET", `/billing/runs/${r.id}`);
    onUpdate(r);
  }
  if (r.status === "failed")
    throw new ApiFailure(500, { code: "run_failed", message: r.error ?? "the run failed" });
  return r;
}

export function BillingPage({ me }: { me: Me }) {
  const t = useT();
  const money = canHandleMoney(me);
  const [month, setMonth] = useState(monthInJapan(-1));
  const [status, setStatus] = useState("");
  const [runMonth, setRunMonth] = useState(monthInJapan(-1));
  const [issueToo, setIssueToo] = useState(false);
  const [result, setResult] = useState<RunResult | null>(null);
  const [issued, setIssued] = useState<number | null>(null);
  const [runs, runsError, reloadRuns, moreRuns] = useList<RunRow>("/billing/runs");
  const validMonth = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const query = new URLSearchParams({ month, limit: "500", ...(status ? { status } : {}) });
  const [invoices, invoicesError, reloadInvoices, moreInvoices] = useList<InvoiceRow>(
    validMonth ? `/invoices?${query}` : null,
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
      </div>
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
      </p>
      {issued !== null && <p role="status">{t("billing.issuedCount").replace("{n}", String(issued))}</p>}
      <ErrorBox error={invoicesError} />
      {invoices && invoices.items.length === 0 && <p>{t("billing.noInvoices")}</p>}
      {invoices && invoices.items.length > 0 && <InvoicesTable items={invoices.items} base="/console" />}
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
  const [data, error, , more] = useList<OverdueRow>("/billing/overdue");
  return (
    <section aria-labelledby="overdue-title">
      <h2 id="overdue-title">{t("billing.overdueTitle")}</h2>
      <ErrorBox error={error} />
      {data?.items.length === 0 && <p>{t("billing.noOverdue")}</p>}
      {data && data.items.length > 0 && (
        <ScrollBox>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("billing.invoiceNumber")}</th>
                <th scope="col">{t("billing.recipient")}</th>
                <th scope="col">{t("billing.dueDate")}</th>
                <th scope="col" className="num">
                  {t("billing.balance")}
                </th>
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

export function InvoicePage({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const isStaff = me.user.kind === "staff";
  const money = isStaff && canHandleMoney(me);
  const [inv, error, reload] = useLoad<InvoiceDetail>(`/invoices/${id}`);
  const [actionError, act] = useAction(reload);
  const [reason, setReason] = useState("");
  const [corrected, setCorrected] = useState<{ id: string } | null>(null);
  if (!inv) return <ErrorBox error={error} />;
  const d = inv.document;
  const base = isStaff ? "/console" : "/portal";
  const needReason = async (fn: () => Promise<unknown>) => {
    if (!reason.trim()) {
      await act(async () => {
        throw new Error(t("billing.reasonRequired"));
      });
      return;
    }
    await act(fn);
  };
  return (
    <section>
      <h1>
        {d.kind === "credit" ? t("billing.creditNote") : t("billing.invoice")}{" "}
        {d.number ?? t("billing.statusDraft")}
      </h1>
      <ErrorBox error={error} />
      {d.status === "void" && (
        <p className="error" role="note">
          {t("billing.voided")}: {d.voidReason}
        </p>
      )}
      <dl className="facts">
        <dt>{t("billing.status")}</dt>
        <dd data-testid="invoice-status">{t(STATUS_LABEL[d.status])}</dd>
        {d.refersTo && (
          <>
            <dt>{t("billing.refersTo")}</dt>
            <dd>{d.refersTo}</dd>
          </>
        )}
        <dt>{t("billing.issuer")}</dt>
        <dd>
          {d.issuer.name} ({t("billing.registrationNumber")} {d.issuer.registrationNumber})
        </dd>
        <dt>{t("billing.recipient")}</dt>
        <dd>
          {d.recipient.name} — {t("contracts.number")}{" "}
          <Link to={`${base}/contracts/${inv.contractId}`}>{d.recipient.contractNumber}</Link>
        </dd>
        <dt>{t("billing.period")}</dt>
        <dd>
          {d.periodStart} 〜 {d.periodEnd} ({d.month})
        </dd>
        <dt>{t("billing.issueDate")}</dt>
        <dd>{d.issueDate ?? "—"}</dd>
        <dt>{t("billing.dueDate")}</dt>
        <dd>
          {d.dueDate} ({art("31(3)")})
        </dd>
        <dt>{t("billing.total")}</dt>
        <dd data-testid="invoice-total">{yen(d.totals.total)}</dd>
        <dt>{t("billing.paymentStatus")}</dt>
        <dd data-testid="invoice-payment">
          <PaymentState
            inv={{ status: d.status, balance: inv.balance, overdue: inv.overdue, paidOn: inv.paidOn }}
          />
          {inv.paidOn ? ` ${inv.paidOn}` : ""}
        </dd>
      </dl>
      <p>
        <a href={`/api/v1/invoices/${id}/pdf`} target="_blank" rel="noreferrer" data-testid="invoice-pdf">
          {t("billing.pdf")}
        </a>{" "}
        ·{" "}
        <a href={`/api/v1/invoices/${id}/pdf?lang=en`} target="_blank" rel="noreferrer">
          PDF (English)
        </a>
      </p>
      <ScrollBox>
        <table>
          <caption>{t("billing.lines")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("billing.description")}</th>
              <th scope="col" className="num">
                {t("billing.quantity")}
              </th>
              <th scope="col" className="num">
                {t("billing.unitPrice")}
              </th>
              <th scope="col" className="num">
                {t("billing.amount")}
              </th>
              <th scope="col">{t("billing.taxCategory")}</th>
              <th scope="col">{t("contracts.article")}</th>
            </tr>
          </thead>
          <tbody>
            {d.lines.map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines are ordered and fixed per invoice
              <tr key={i}>
                <td>
                  {l.description}
                  <br />
                  <small className="hint" lang="en">
                    {l.note}
                  </small>
                </td>
                <td className="num">{l.quantity}</td>
                <td className="num">{yen(l.unitPrice)}</td>
                <td className="num">{yen(l.amount)}</td>
                <td>{t(TAX_LABEL[l.taxCategory])}</td>
                <td>Art. {l.article}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <ScrollBox>
        <table className="totals">
          <caption>{t("billing.byRate")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("billing.taxCategory")}</th>
              <th scope="col" className="num">
                {t("billing.net")}
              </th>
              <th scope="col" className="num">
                {t("billing.tax")}
              </th>
            </tr>
          </thead>
          <tbody>
            {d.totals.byRate.map((r) => (
              <tr key={r.category}>
                <td>{t(TAX_LABEL[r.category])}</td>
                <td className="num">{yen(r.net)}</td>
                <td className="num">{yen(r.tax)}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">{t("billing.sum")}</th>
              <td className="num">{yen(d.totals.net)}</td>
              <td className="num">{yen(d.totals.tax)}</td>
            </tr>
            <tr>
              <th scope="row">{t("billing.total")}</th>
              <td className="num" colSpan={2}>
                <strong>{yen(d.totals.total)}</strong>
              </td>
            </tr>
          </tbody>
        </table>
      </ScrollBox>
      <Basis basis={d.basis} title={t("billing.taxWhy")} />
      {inv.payments.length > 0 && (
        <ScrollBox>
          <table>
            <caption>{t("billing.payments")}</caption>
            <tbody>
              {inv.payments.map((p) => (
                <tr key={p.paymentId}>
                  <td>{p.receivedOn}</td>
                  <td className="num">{yen(p.amount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {inv.lateFee && (
        <section className="card" aria-labelledby="late-title">
          <h2 id="late-title">{t("billing.lateFee")}</h2>
          <p>
            <strong data-testid="late-fee">{yen(inv.lateFee.result.fee)}</strong>{" "}
            {inv.lateFeeCharged
              ? t("billing.lateFeeCharged")
              : inv.lateFee.result.settled
                ? t("billing.lateFeeNext")
                : t("billing.lateFeeAccruing")}
          </p>
          <Basis basis={inv.lateFee.basis} title={t("contracts.why")} />
        </section>
      )}
      {money && d.status !== "void" && (
        <section className="card" aria-labelledby="invoice-actions">
          <h2 id="invoice-actions">{t("billing.actions")}</h2>
          {d.status === "draft" && (
            <p>
              <button type="button" onClick={() => act(() => api("POST", `/invoices/${id}/issue`))}>
                {t("billing.issue")}
              </button>
            </p>
          )}
          <Field
            id="voidReason"
            label={t("billing.voidReason")}
            value={reason}
            onChange={setReason}
            required={false}
          />
          <ConfirmButton
            label={t("billing.void")}
            className="danger"
            message={t("confirm.void").replace("{number}", d.number ?? t("billing.statusDraft"))}
            confirm={t("confirm.voidYes")}
            cancel={t("confirm.cancel")}
            precheck={() => (reason.trim() ? null : t("billing.reasonRequired"))}
            onConfirm={() => needReason(() => api("POST", `/invoices/${id}/void`, { reason }))}
          />{" "}
          {d.status === "issued" && d.kind !== "credit" && (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                needReason(async () =>
                  setCorrected(await api<{ id: string }>("POST", `/invoices/${id}/correct`, { reason })),
                )
              }
            >
              {t("billing.correct")}
            </button>
          )}
          <ErrorBox error={actionError} />
          {corrected && (
            <p role="status">
              {t("billing.correctedMade")}{" "}
              <Link to={`/console/invoices/${corrected.id}`}>{t("billing.open")}</Link>
            </p>
          )}
        </section>
      )}
    </section>
  );
}

// ---- console: payments and imports ------------------------------------------------------------

export function PaymentsPage({ me }: { me: Me }) {
  const t = useT();
  const money = canHandleMoney(me);
  const [data, error, reload, more] = useList<Payment>("/payments");
  const [customers] = useAll<{ id: string; legalName: string }>("/customers");
  const [customerId, setCustomerId] = useState("");
  const [receivedOn, setReceivedOn] = useState(todayInJapan());
  const [amount, setAmount] = useState("");
  const [method, setMethod] = useState("bank_transfer");
  const [reference, setReference] = useState("");
  const [invoiceNumber, setInvoiceNumber] = useState("");
  const [recorded, setRecorded] = useState<Payment | null>(null);
  const [actionError, act] = useAction(reload);
  const [requests, , reloadRequests, moreRequests] = useList<DebitRequestRow>(
    money ? "/billing/debit-requests" : null,
  );
  const names = new Map(customers?.map((c) => [c.id, c.legalName]));
  const record = async (e: FormEvent) => {
    e.preventDefault();
    setRecorded(null);
    await act(async () => {
      let invoiceId: string | undefined;
      if (invoiceNumber.trim()) {
        const q = new URLSearchParams({ customerId, status: "issued", number: invoiceNumber.trim() });
        const found = await api<{ items: InvoiceRow[] }>("GET", `/invoices?${q}`);
        invoiceId = found.items[0]?.id;
        if (!invoiceId) throw new Error(t("billing.invoiceNotFound").replace("{n}", invoiceNumber));
      }
      const n = Number(amount);
      setRecorded(
        await api<Payment>("POST", "/payments", {
          customerId,
          receivedOn,
          amount: Number.isFinite(n) && amount.trim() !== "" ? n : amount,
          method,
          ...(reference.trim() ? { reference: reference.trim() } : {}),
          ...(invoiceId ? { invoiceId } : {}),
        }),
      );
      setAmount("");
      setReference("");
      setInvoiceNumber("");
    });
  };
  return (
    <section>
      <h1>{t("billing.paymentsTitle")}</h1>
      {money && (
        <div className="grid">
          <form className="card" onSubmit={record} aria-labelledby="pay-title">
            <h2 id="pay-title">{t("billing.recordPayment")}</h2>
            <Select
              id="payCustomer"
              label={t("billing.customer")}
              value={customerId}
              onChange={setCustomerId}
              options={[["", "—"], ...(customers?.map((c): [string, string] => [c.id, c.legalName]) ?? [])]}
              dataOptions
            />
            <Field
              id="payReceivedOn"
              label={t("billing.receivedOn")}
              type="date"
              value={receivedOn}
              onChange={setReceivedOn}
            />
            <Field
              id="payAmount"
              label={t("billing.amountYen")}
              value={amount}
              onChange={setAmount}
              inputMode="numeric"
            />
            <Select
              id="payMethod"
              label={t("billing.method")}
              value={method}
              onChange={setMethod}
              options={[
                ["bank_transfer", t("billing.methodTransfer")],
                ["direct_debit", t("billing.methodDebit")],
                ["cash", t("billing.methodCash")],
                ["other", t("billing.methodOther")],
              ]}
            />
            <Field
              id="payReference"
              label={t("billing.reference")}
              value={reference}
              onChange={setReference}
              required={false}
            />
            <Field
              id="payInvoice"
              label={t("billing.forInvoice")}
              value={invoiceNumber}
              onChange={setInvoiceNumber}
              required={false}
            />
            <ErrorBox error={actionError} />
            <button type="submit">{t("billing.record")}</button>
            {recorded && (
              <p role="status" data-testid="payment-recorded">
                {t("billing.recordedPayment")
                  .replace("{amount}", yen(recorded.amount))
                  .replace("{allocated}", yen(recorded.amount - recorded.unallocated))
                  .replace("{credit}", yen(recorded.unallocated))}
              </p>
            )}
          </form>
          <FileImport
            title={t("billing.importDebit")}
            lead={t("billing.importDebitLead")}
            id="debitFile"
            onImport={async (file) => {
              const r = await upload<{ records: number; paid: number; failed: number; unmatched: number }>(
                `/billing/debit-results?name=${encodeURIComponent(file.name)}`,
                file,
              );
              reload();
              reloadRequests();
              return t("billing.debitResult")
                .replace("{records}", String(r.records))
                .replace("{paid}", String(r.paid))
                .replace("{failed}", String(r.failed))
                .replace("{unmatched}", String(r.unmatched));
            }}
          />
          <UsageImport />
          <DebitMandateForm customers={customers ?? []} />
          <DebitRequestForm onMade={reloadRequests} />
        </div>
      )}
      {money && <DebitRequestsTable items={requests?.items ?? []} />}
      {money && <MoreButton more={moreRequests} label={t("list.more")} />}
      <ErrorBox error={error} />
      <PaymentsTable items={data?.items ?? []} names={names} />
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

const METHOD_LABEL: Record<string, MessageKey> = {
  bank_transfer: "billing.methodTransfer",
  direct_debit: "billing.methodDebit",
  cash: "billing.methodCash",
  other: "billing.methodOther",
};

function PaymentsTable({ items, names }: { items: Payment[]; names?: Map<string, string> }) {
  const t = useT();
  if (items.length === 0) return <p>{t("billing.noPayments")}</p>;
  return (
    <ScrollBox>
      <table>
        <caption>{t("billing.payments")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("billing.receivedOn")}</th>
            {names && <th scope="col">{t("billing.customer")}</th>}
            <th scope="col">{t("billing.method")}</th>
            <th scope="col" className="num">
              {t("billing.amount")}
            </th>
            <th scope="col">{t("billing.allocations")}</th>
            <th scope="col" className="num">
              {t("billing.creditBalance")}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id}>
              <td>{p.receivedOn}</td>
              {names && <td>{names.get(p.customerId) ?? p.customerId.slice(0, 8)}</td>}
              <td>
                {METHOD_LABEL[p.method] ? t(METHOD_LABEL[p.method]!) : p.method}
                {p.reference ? ` (${p.reference})` : ""}
              </td>
              <td className="num">{yen(p.amount)}</td>
              <td>{p.allocations.map((a) => `${a.number ?? "—"}: ${yen(a.amount)}`).join(", ") || "—"}</td>
              <td className="num">{yen(p.unallocated)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

function FileImport({
  title,
  lead,
  id,
  onImport,
  children,
}: {
  title: string;
  lead: string;
  id: string;
  onImport: (file: File) => Promise<string>;
  children?: ReactNode;
}) {
  const t = useT();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setResult(null);
    if (!file) {
      setError(t("billing.chooseFile"));
      return;
    }
    try {
      setResult(await onImport(file));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <p className="hint">{lead}</p>
      <div className="field">
        <label htmlFor={id}>{t("billing.file")}</label>
        <input id={id} type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      {children}
      <ErrorBox error={error} />
      {result && <p role="status">{result}</p>}
      <button type="submit">{t("billing.import")}</button>
    </form>
  );
}

function UsageImport() {
  const t = useT();
  const [format, setFormat] = useState("aws-cur");
  const [rate, setRate] = useState("");
  return (
    <FileImport
      title={t("billing.importUsage")}
      lead={t("billing.importUsageLead")}
      id="usageFile"
      onImport={async (file) => {
        const q = new URLSearchParams({
          format,
          name: file.name,
          ...(rate.trim() ? { rate: rate.trim() } : {}),
        });
        const r = await upload<{
          lines: number;
          created: number;
          updated: number;
          unchanged: number;
          alreadyInvoiced: string[];
        }>(`/billing/usage-imports?${q}`, file, file.name.endsWith(".gz") ? "application/gzip" : "text/csv");
        return t("billing.usageResult")
          .replace("{lines}", String(r.lines))
          .replace("{created}", String(r.created))
          .replace("{updated}", String(r.updated))
          .replace("{unchanged}", String(r.unchanged))
          .replace("{invoiced}", String(r.alreadyInvoiced.length));
      }}
    >
      <Select
        id="usageFormat"
        label={t("billing.format")}
        value={format}
        onChange={setFormat}
        options={[
          ["aws-cur", t("billing.awsCur")],
          ["generic", t("billing.genericCsv")],
        ]}
      />
      <Field
        id="usageRate"
        label={t("billing.rate")}
        value={rate}
        onChange={setRate}
        required={false}
        hint="151.23"
      />
    </FileImport>
  );
}

// ---- direct debit (口座振替): mandates and request files --------------------------------------

interface Mandate {
  customerId: string;
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  accountType: "1" | "2" | "9";
  accountNumber: string;
  accountHolder: string;
  status: "active" | "revoked";
  registeredOn: string;
  revokedOn: string | null;
  nextNewCode: string;
}

interface DebitRequestRow {
  id: string;
  debitDate: string;
  records: number;
  amount: number;
  fileName: string;
  result: { paid: number; failed: number; unmatched: number } | null;
}

const ACCOUNT_TYPE_KEY: Record<string, MessageKey> = {
  "1": "billing.accountOrdinary",
  "2": "billing.accountCurrent",
  "9": "billing.accountOther",
};

/** The customer's mandate, or null when there is none (a 404 is an answer here, not an error). */
async function loadMandate(customerId: string): Promise<Mandate | null> {
  try {
    return await api<Mandate>("GET", `/customers/${customerId}/debit-mandate`);
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return null;
    throw err;
  }
}

function mandateText(t: ReturnType<typeof useT>, m: Mandate) {
  return `${m.bankName} (${m.bankCode}) ${m.branchName} (${m.branchCode}) ${t(ACCOUNT_TYPE_KEY[m.accountType]!)} ${m.accountNumber} ${m.accountHolder}`;
}

const EMPTY_ACCOUNT = {
  bankCode: "",
  bankName: "",
  branchCode: "",
  branchName: "",
  accountType: "1",
  accountNumber: "",
  accountHolder: "",
};

/** The account fields a 全銀 record carries: bank, branch, type, number (names in kana). */
function BankAccountFields({
  prefix,
  value,
  set,
}: {
  prefix: string;
  value: Record<string, string | undefined>;
  set: (k: keyof typeof EMPTY_ACCOUNT) => (v: string) => void;
}) {
  const t = useT();
  const field = (k: keyof typeof EMPTY_ACCOUNT, label: MessageKey, hint?: string) => (
    <Field
      id={`${prefix}-${k}`}
      label={t(label)}
      value={value[k] ?? ""}
      onChange={set(k)}
      hint={hint}
      inputMode={k.endsWith("Code") || k === "accountNumber" ? "numeric" : undefined}
    />
  );
  return (
    <>
      {field("bankCode", "billing.bankCode", "0001")}
      {field("bankName", "billing.bankName", "ミズホ / ﾐｽﾞﾎ")}
      {field("branchCode", "billing.branchCode", "001")}
      {field("branchName", "billing.branchName")}
      <Select
        id={`${prefix}-accountType`}
        label={t("billing.accountType")}
        value={value.accountType ?? "1"}
        onChange={set("accountType")}
        options={(["1", "2", "9"] as const).map((k): [string, string] => [k, t(ACCOUNT_TYPE_KEY[k]!)])}
      />
      {field("accountNumber", "billing.accountNumber")}
    </>
  );
}

function DebitMandateForm({ customers }: { customers: { id: string; legalName: string }[] }) {
  const t = useT();
  const [customerId, setCustomerId] = useState("");
  const [current, setCurrent] = useState<Mandate | null>(null);
  const [draft, setDraft] = useState(EMPTY_ACCOUNT);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const choose = async (id: string) => {
    setCustomerId(id);
    setError(null);
    setSaved(null);
    setCurrent(null);
    setDraft(EMPTY_ACCOUNT);
    if (!id) return;
    try {
      const m = await loadMandate(id);
      setCurrent(m);
      if (m) setDraft({ ...m });
    } catch (err) {
      setError(errorText(err));
    }
  };
  const set = (k: keyof typeof EMPTY_ACCOUNT) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(null);
    try {
      const m = await api<Mandate>("PUT", `/customers/${customerId}/debit-mandate`, {
        bankCode: draft.bankCode.trim(),
        bankName: draft.bankName,
        branchCode: draft.branchCode.trim(),
        branchName: draft.branchName,
        accountType: draft.accountType,
        accountNumber: draft.accountNumber.trim(),
        accountHolder: draft.accountHolder,
      });
      setCurrent(m);
      setDraft({ ...m });
      setSaved(t("billing.mandateSaved").replace("{account}", mandateText(t, m)));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const revoke = async () => {
    setError(null);
    setSaved(null);
    try {
      setCurrent(await api<Mandate>("DELETE", `/customers/${customerId}/debit-mandate`));
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-label={t("billing.mandate")}>
      <h2>{t("billing.mandate")}</h2>
      <p className="hint">{t("billing.mandateLead")}</p>
      <Select
        id="mandateCustomer"
        label={t("billing.customer")}
        value={customerId}
        onChange={(v) => void choose(v)}
        options={[["", "—"], ...customers.map((c): [string, string] => [c.id, c.legalName])]}
        dataOptions
      />
      {customerId && (
        <p data-testid="mandate-current">
          {current
            ? `${current.status === "active" ? t("billing.mandateActive") : t("billing.mandateRevoked")}: ${mandateText(t, current)}`
            : t("billing.mandateNone")}
        </p>
      )}
      <BankAccountFields prefix="mandate" value={draft} set={set} />
      <Field
        id="mandateHolder"
        label={t("billing.accountHolder")}
        value={draft.accountHolder}
        onChange={set("accountHolder")}
        hint={t("billing.accountHolderHint")}
      />
      <ErrorBox error={error} />
      {saved && <p role="status">{saved}</p>}
      <button type="submit" disabled={!customerId}>
        {t("billing.save")}
      </button>
      {current?.status === "active" && (
        <button type="button" className="secondary" onClick={() => void revoke()}>
          {t("billing.mandateRevoke")}
        </button>
      )}
    </form>
  );
}

function DebitRequestForm({ onMade }: { onMade: () => void }) {
  const t = useT();
  const [debitDate, setDebitDate] = useState("");
  const [made, setMade] = useState<string | null>(null);
  const [actionError, act] = useAction(onMade);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setMade(null);
    await act(async () => {
      const r = await api<DebitRequestRow>("POST", "/billing/debit-requests", { debitDate });
      setMade(
        t("billing.debitRequestMade")
          .replace("{date}", r.debitDate)
          .replace("{records}", String(r.records))
          .replace("{amount}", yen(r.amount)),
      );
    });
  };
  return (
    <form className="card" onSubmit={create} aria-label={t("billing.debitRequests")}>
      <h2>{t("billing.debitRequests")}</h2>
      <p className="hint">{t("billing.debitRequestsLead")}</p>
      <Field
        id="debitDate"
        label={t("billing.debitDate")}
        type="date"
        value={debitDate}
        onChange={setDebitDate}
      />
      <ErrorBox error={actionError} />
      {made && <p role="status">{made}</p>}
      <button type="submit">{t("billing.debitRequestCreate")}</button>
    </form>
  );
}

function DebitRequestsTable({ items }: { items: DebitRequestRow[] }) {
  const t = useT();
  if (items.length === 0) return null;
  return (
    <ScrollBox>
      <table data-testid="debit-requests">
        <caption>{t("billing.debitRequests")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("billing.debitDate")}</th>
            <th scope="col" className="num">
              {t("billing.records")}
            </th>
            <th scope="col" className="num">
              {t("billing.amount")}
            </th>
            <th scope="col">{t("billing.debitOutcome")}</th>
            <th scope="col">{t("billing.file")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id}>
              <td>{r.debitDate}</td>
              <td className="num">{r.records}</td>
              <td className="num">{yen(r.amount)}</td>
              <td>
                {r.result
                  ? t("billing.debitResultShort")
                      .replace("{paid}", String(r.result.paid))
                      .replace("{failed}", String(r.result.failed))
                  : t("billing.debitAwaiting")}
              </td>
              <td>
                <a href={`/api/v1/billing/debit-requests/${r.id}/file`} download={r.fileName}>
                  {r.fileName}
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

// ---- console: price book and issuer settings --------------------------------------------------

export function PriceBookPage({ me }: { me: Me }) {
  const t = useT();
  const money = canHandleMoney(me);
  const [rows, error, reload] = useAll<PriceItemRow>("/billing/price-items");
  const data = rows && { items: rows };
  const [code, setCode] = useState("");
  const [nameJa, setNameJa] = useState("");
  const [nameEn, setNameEn] = useState("");
  const [kind, setKind] = useState("other");
  const [tax, setTax] = useState("10");
  const [price, setPrice] = useState("");
  const [priceCode, setPriceCode] = useState("");
  const [priceFrom, setPriceFrom] = useState("");
  const [newPrice, setNewPrice] = useState("");
  const num = (s: string) => (s.trim() !== "" && Number.isFinite(Number(s)) ? Number(s) : s);
  return (
    <section>
      <h1>{t("billing.priceBook")}</h1>
      <ErrorBox error={error} />
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("billing.code")}</th>
              <th scope="col">{t("billing.name")}</th>
              <th scope="col">{t("billing.feeKind")}</th>
              <th scope="col">{t("billing.taxCategory")}</th>
              <th scope="col" className="num">
                {t("billing.currentPrice")}
              </th>
              <th scope="col">{t("billing.priceHistory")}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((i) => (
              <tr key={i.code}>
                <td>
                  <code>{i.code}</code>
                </td>
                <td>
                  <span lang="ja">{i.nameJa}</span>
                  <br />
                  <small className="hint" lang="en">
                    {i.nameEn}
                  </small>
                </td>
                <td>{t(FEE_KIND_LABEL[i.kind] ?? "billing.kindOther")}</td>
                <td>{t(TAX_LABEL[i.taxCategory])}</td>
                <td className="num">{i.currentPrice === null ? "—" : yen(i.currentPrice)}</td>
                <td>{i.prices.map((p) => `${p.from}〜 ${yen(p.unitPrice)}`).join(" → ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {money && (
        <div className="grid">
          <ActionForm
            title={t("billing.addItem")}
            submit={t("billing.add")}
            onSubmit={async () => {
              await api("POST", "/billing/price-items", {
                code,
                nameJa,
                nameEn,
                kind,
                taxCategory: tax,
                unitPrice: num(price),
              });
              reload();
            }}
          >
            <Field
              id="itemCode"
              label={t("billing.code")}
              value={code}
              onChange={setCode}
              hint="log-review"
            />
            <Field id="itemNameJa" label={t("billing.nameJa")} value={nameJa} onChange={setNameJa} />
            <Field id="itemNameEn" label={t("billing.nameEn")} value={nameEn} onChange={setNameEn} />
            <Select
              id="itemKind"
              label={t("billing.feeKind")}
              value={kind}
              onChange={setKind}
              options={Object.entries(FEE_KIND_LABEL).map(([k, l]): [string, string] => [k, t(l)])}
            />
            <Select
              id="itemTax"
              label={t("billing.taxCategory")}
              value={tax}
              onChange={setTax}
              options={Object.entries(TAX_LABEL).map(([k, l]): [string, string] => [k, t(l)])}
            />
            <Field
              id="itemPrice"
              label={t("billing.unitPriceYen")}
              value={price}
              onChange={setPrice}
              inputMode="numeric"
            />
          </ActionForm>
          <ActionForm
            title={t("billing.addPrice")}
            submit={t("billing.add")}
            onSubmit={async () => {
              await api("POST", `/billing/price-items/${encodeURIComponent(priceCode)}/prices`, {
                from: priceFrom,
                unitPrice: num(newPrice),
              });
              reload();
            }}
          >
            <Select
              id="priceCode"
              label={t("billing.code")}
              value={priceCode}
              onChange={setPriceCode}
              options={[
                ["", "—"],
                ...(data?.items.map((i): [string, string] => [
                  i.code,
                  `${i.code} ${formatLang.current === "en" ? i.nameEn : i.nameJa}`,
                ]) ?? []),
              ]}
            />
            <Field
              id="priceFrom"
              label={t("billing.from")}
              type="date"
              value={priceFrom}
              onChange={setPriceFrom}
            />
            <Field
              id="priceAmount"
              label={t("billing.unitPriceYen")}
              value={newPrice}
              onChange={setNewPrice}
              inputMode="numeric"
            />
          </ActionForm>
        </div>
      )}
      <SettingsSection editable={money} />
      <ConsignorSection editable={money} />
      <MenuLimits me={me} />
    </section>
  );
}

function SettingsSection({ editable }: { editable: boolean }) {
  const t = useT();
  const [data, error, reload] = useLoad<Settings>("/billing/settings");
  const [draft, setDraft] = useState<Partial<Settings>>({});
  if (!data) return <ErrorBox error={error} />;
  const v = { ...data, ...draft };
  const set = (k: keyof Settings) => (x: string) => setDraft((d) => ({ ...d, [k]: x }));
  return (
    <ActionForm
      title={t("billing.settings")}
      submit={t("billing.save")}
      onSubmit={async () => {
        if (!editable) throw new Error(t("billing.readOnly"));
        const patch: Record<string, unknown> = { ...draft };
        if (typeof patch.dueMonthsAfter === "string") patch.dueMonthsAfter = Number(patch.dueMonthsAfter);
        for (const k of ["issuerPhone", "bankAccount"]) if (patch[k] === "") patch[k] = null;
        await api("PATCH", "/billing/settings", patch);
        setDraft({});
        reload();
      }}
    >
      <Field
        id="issuerName"
        label={t("billing.issuerName")}
        value={v.issuerName}
        onChange={set("issuerName")}
      />
      <Field
        id="registrationNumber"
        label={t("billing.registrationNumber")}
        value={v.registrationNumber}
        onChange={set("registrationNumber")}
        hint={t("billing.registrationHint")}
      />
      <Field
        id="issuerAddress"
        label={t("billing.issuerAddress")}
        value={v.issuerAddress}
        onChange={set("issuerAddress")}
      />
      <Field
        id="issuerPhone"
        label={t("billing.issuerPhone")}
        value={v.issuerPhone ?? ""}
        onChange={set("issuerPhone")}
        required={false}
      />
      <Field
        id="bankAccount"
        label={t("billing.bankAccount")}
        value={v.bankAccount ?? ""}
        onChange={set("bankAccount")}
        required={false}
      />
      <Select
        id="taxRounding"
        label={t("billing.taxRounding")}
        value={v.taxRounding}
        onChange={set("taxRounding")}
        options={[
          ["down", t("billing.roundDown")],
          ["up", t("billing.roundUp")],
          ["half-up", t("billing.roundHalfUp")],
        ]}
      />
      <Select
        id="dueMonthsAfter"
        label={t("billing.dueMonthsAfter")}
        value={String(v.dueMonthsAfter)}
        onChange={set("dueMonthsAfter")}
        options={["0", "1", "2", "3"].map((n): [string, string] => [n, n])}
      />
      <Field
        id="invoicePrefix"
        label={t("billing.invoicePrefix")}
        value={v.invoicePrefix}
        onChange={set("invoicePrefix")}
      />
    </ActionForm>
  );
}

/** The provider as the originator of direct debits (委託者): what the bank gave it, for the request files. */
function ConsignorSection({ editable }: { editable: boolean }) {
  const t = useT();
  const [data, error, reload] = useLoad<Settings>("/billing/settings");
  const [draft, setDraft] = useState<Record<string, string>>({});
  if (!data) return <ErrorBox error={error} />;
  const c: Record<string, string> = {
    consignorCode: "",
    consignorName: "",
    ...EMPTY_ACCOUNT,
    ...(data.debitConsignor ?? {}),
    ...draft,
  };
  const set = (k: string) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const field = (k: string, label: MessageKey, hint?: string) => (
    <Field id={`consignor-${k}`} label={t(label)} value={c[k] ?? ""} onChange={set(k)} hint={hint} />
  );
  return (
    <ActionForm
      title={t("billing.consignor")}
      submit={t("billing.save")}
      onSubmit={async () => {
        if (!editable) throw new Error(t("billing.readOnly"));
        const { accountHolder: _, ...rest } = c;
        await api("PATCH", "/billing/settings", { debitConsignor: rest });
        setDraft({});
        reload();
      }}
    >
      <p className="hint">{t("billing.consignorLead")}</p>
      {field("consignorCode", "billing.consignorCode", t("billing.consignorHint"))}
      {field("consignorName", "billing.consignorName")}
      <BankAccountFields prefix="consignor" value={c} set={set} />
    </ActionForm>
  );
}

// ---- portal: the customer's invoices, payments and credits ------------------------------------

export function MyInvoicesPage({ me }: { me: Me }) {
  const t = useT();
  // Every invoice and payment: the balances below are sums over all of them, never over a page.
  const [invoiceRows, error] = useAll<InvoiceRow>("/invoices");
  const invoices = invoiceRows && { items: invoiceRows };
  const [mandate, setMandate] = useState<Mandate | null | undefined>(undefined);
  useEffect(() => {
    if (me.user.customerId) loadMandate(me.user.customerId).then(setMandate, () => setMandate(undefined));
  }, [me.user.customerId]);
  const [paymentRows, paymentsError] = useAll<Payment>("/payments");
  const payments = paymentRows && { items: paymentRows };
  // Shown only once both have loaded: a balance of 0 while loading would be a false statement.
  const credit = payments?.items.reduce((s, p) => s + p.unallocated, 0) ?? 0;
  const open = invoices?.items.filter((i) => i.status === "issued" && i.balance > 0) ?? [];
  return (
    <section>
      <h1>{t("billing.myInvoices")}</h1>
      <ErrorBox error={error ?? paymentsError} />
      {invoices && payments && (
        <dl className="facts">
          <dt>{t("billing.openBalance")}</dt>
          <dd data-testid="open-balance">{yen(open.reduce((s, i) => s + i.balance, 0))}</dd>
          <dt>{t("billing.creditBalance")}</dt>
          <dd data-testid="credit-balance">
            {yen(credit)} <small className="hint">{t("billing.creditLead")}</small>
          </dd>
          {mandate !== undefined && (
            <>
              <dt>{t("billing.paymentMethod")}</dt>
              <dd data-testid="my-mandate">
                {mandate?.status === "active"
                  ? `${t("billing.methodDebit")}: ${mandate.bankName} ${mandate.branchName} ${t(ACCOUNT_TYPE_KEY[mandate.accountType]!)} ****${mandate.accountNumber.slice(-3)}`
                  : t("billing.methodTransfer")}
              </dd>
            </>
          )}
        </dl>
      )}
      {invoices?.items.length === 0 && <p>{t("billing.noInvoices")}</p>}
      {invoices && invoices.items.length > 0 && <InvoicesTable items={invoices.items} base="/portal" />}
      <PaymentsTable items={payments?.items ?? []} />
    </section>
  );
}

// ---- the billing panel of a contract page -----------------------------------------------------

export function ContractBillingPanel({ id, me, onChanged }: { id: string; me: Me; onChanged?: () => void }) {
  const t = useT();
  const isStaff = me.user.kind === "staff";
  const money = isStaff && canHandleMoney(me);
  const [month, setMonth] = useState(monthInJapan());
  const valid = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const [data, error, reload] = useLoad<ContractBilling>(
    valid ? `/contracts/${id}/billing?month=${month}` : null,
  );
  const [invoices, , , moreInvoices] = useList<InvoiceRow>(`/invoices?contractId=${id}&limit=24`);
  const [oneOff, , reloadOneOff, moreOneOff] = useList<OneOffCharge>(`/contracts/${id}/charges`);
  const [items] = useAll<PriceItemRow>(isStaff ? "/billing/price-items" : null);
  const [workCode, setWorkCode] = useState("");
  const [workQty, setWorkQty] = useState("1");
  const [startedAt, setStartedAt] = useState("");
  const [endedAt, setEndedAt] = useState("");
  const [attribution, setAttribution] = useState("provider");
  const [cause, setCause] = useState("failure");
  const [evaded, setEvaded] = useState("");
  const [plannedOn, setPlannedOn] = useState("");
  const [startedOn, setStartedOn] = useState("");
  const [lateBy, setLateBy] = useState("provider");
  const [sfNote, setSfNote] = useState("");
  const base = isStaff ? "/console" : "/portal";
  // datetime-local has no zone: the staff enter Japan time (the terms' clock).
  const jst = (local: string) => (local.length === 16 ? `${local}:00+09:00` : local);
  return (
    <section aria-labelledby="billing-panel">
      <h2 id="billing-panel">{t("billing.contractPanel")}</h2>
      <Field id="billingMonth" label={t("billing.month")} value={month} onChange={setMonth} hint="YYYY-MM" />
      <ErrorBox error={error} />
      {data && (
        <>
          <ScrollBox>
            <table>
              <caption>
                {t("billing.chargesFor").replace("{month}", data.month)}
                {data.charges.result.billable ? "" : ` — ${t("billing.notBillable")}`}
              </caption>
              <tbody>
                {data.charges.result.lines.map((l, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines are ordered per month
                  <tr key={i}>
                    <td>
                      {l.description}
                      <br />
                      <small className="hint" lang="en">
                        {l.note}
                      </small>
                    </td>
                    <td className="num">{yen(l.amount)}</td>
                    <td>Art. {l.article}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          <Basis basis={data.charges.basis} title={t("contracts.why")} />
          <dl className="facts">
            <dt>{t("billing.monthlyFee")}</dt>
            <dd>{yen(data.monthlyFee)}</dd>
            <dt>{t("billing.damagesCap")}</dt>
            <dd data-testid="damages-cap">
              {yen(data.damagesCap.result.cap)} ({art("39")})
            </dd>
            <dt>{t("billing.sla")}</dt>
            <dd data-testid="sla-credit">
              {data.sla.result.hours} h → {data.sla.result.percentage}% → {yen(data.sla.result.credit)}
            </dd>
          </dl>
          <Basis basis={[...data.damagesCap.basis, ...data.sla.basis]} title={t("contracts.why")} />
          {data.periods.length > 0 && (
            <ScrollBox>
              <table>
                <caption>{t("billing.periods")}</caption>
                <tbody>
                  {data.periods.map((p) => (
                    <tr key={p.id}>
                      <td>
                        {new Date(p.startedAt).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" })} →{" "}
                        {new Date(p.endedAt).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" })}
                      </td>
                      <td>{p.attribution}</td>
                      <td>{p.cause}</td>
                      <td>{p.note}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {data.credits.length > 0 && (
            <ScrollBox>
              <table>
                <caption>{t("billing.slaCredits")}</caption>
                <tbody>
                  {data.credits.map((c) => (
                    <tr key={c.month}>
                      <td>{c.month}</td>
                      <td>{c.hours} h</td>
                      <td>{c.percentage}%</td>
                      <td className="num">{yen(c.credit)}</td>
                      <td>{c.invoiceId ? t("billing.onInvoice") : t("billing.onNextInvoice")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {data.cancelledOptions.length > 0 && (
            <p>
              {t("billing.cancelledOptions")}:{" "}
              {data.cancelledOptions.map((o) => `${o.option} (${o.receivedOn})`).join(", ")} ({art("11")})
            </p>
          )}
        </>
      )}
      {oneOff && oneOff.items.length > 0 && (
        <ScrollBox>
          <table>
            <caption>{t("billing.oneOff")}</caption>
            <tbody>
              {oneOff.items.map((c) => (
                <tr key={c.id}>
                  <td>{c.month}</td>
                  <td>
                    {c.description}
                    <br />
                    <small className="hint" lang="en">
                      {c.note}
                    </small>
                  </td>
                  <td className="num">{yen(c.amount)}</td>
                  <td>Art. {c.article}</td>
                  <td>{c.invoiceId ? t("billing.onInvoice") : t("billing.onNextInvoice")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <MoreButton more={moreOneOff} label={t("list.more")} />
      {invoices && invoices.items.length > 0 && <InvoicesTable items={invoices.items} base={base} />}
      <MoreButton more={moreInvoices} label={t("list.more")} />
      {isStaff && (
        <div className="grid">
          <ActionForm
            title={t("billing.addWork")}
            submit={t("billing.add")}
            onSubmit={async () => {
              await api("POST", `/contracts/${id}/charges`, {
                itemCode: workCode,
                quantity: Number(workQty),
              });
              reloadOneOff();
            }}
          >
            <Select
              id="workCode"
              label={t("billing.code")}
              value={workCode}
              onChange={setWorkCode}
              options={[
                ["", "—"],
                ...(items
                  ?.filter((i) => i.kind === "other" && i.active)
                  .map((i): [string, string] => [
                    i.code,
                    `${formatLang.current === "en" ? i.nameEn : i.nameJa} ${i.currentPrice === null ? "" : yen(i.currentPrice)}`,
                  ]) ?? []),
              ]}
            />
            <Field
              id="workQty"
              label={t("billing.quantity")}
              value={workQty}
              onChange={setWorkQty}
              inputMode="numeric"
            />
          </ActionForm>
          <ActionForm
            title={t("billing.recordUnavailability")}
            submit={t("lifecycle.record")}
            onSubmit={async () => {
              await api("POST", `/contracts/${id}/unavailability`, {
                startedAt: jst(startedAt),
                endedAt: jst(endedAt),
                attribution,
                cause,
              });
              reload();
            }}
          >
            <Field
              id="outageStart"
              label={t("billing.awareness")}
              type="datetime-local"
              value={startedAt}
              onChange={setStartedAt}
            />
            <Field
              id="outageEnd"
              label={t("billing.restoration")}
              type="datetime-local"
              value={endedAt}
              onChange={setEndedAt}
            />
            <Select
              id="outageAttribution"
              label={t("billing.attribution")}
              value={attribution}
              onChange={setAttribution}
              options={[
                ["provider", t("billing.attrProvider")],
                ["customer", t("billing.attrCustomer")],
                ["carrier", t("billing.attrCarrier")],
                ["cloud", t("billing.attrCloud")],
              ]}
            />
            <Select
              id="outageCause"
              label={t("billing.cause")}
              value={cause}
              onChange={setCause}
              options={[
                ["failure", t("billing.causeFailure")],
                ["interruption", t("billing.causeInterruption")],
                ["emergency_stop", t("billing.causeEmergency")],
                ["abolition", t("billing.causeAbolition")],
              ]}
            />
          </ActionForm>
          <ActionForm
            title={t("billing.lateStart")}
            submit={t("lifecycle.record")}
            onSubmit={async () => {
              await api("POST", `/contracts/${id}/late-start`, { plannedOn, startedOn, attribution: lateBy });
              onChanged?.();
            }}
          >
            <Field
              id="plannedOn"
              label={t("billing.plannedOn")}
              type="date"
              value={plannedOn}
              onChange={setPlannedOn}
            />
            <Field
              id="startedOn"
              label={t("billing.startedOn")}
              type="date"
              value={startedOn}
              onChange={setStartedOn}
            />
            <Select
              id="lateBy"
              label={t("billing.attribution")}
              value={lateBy}
              onChange={setLateBy}
              options={[
                ["provider", t("billing.attrProvider")],
                ["carrier", t("billing.attrCarrier")],
              ]}
            />
          </ActionForm>
          {money && (
            <ActionForm
              title={t("billing.specialFee")}
              submit={t("billing.add")}
              onSubmit={async () => {
                await api("POST", `/contracts/${id}/special-fees`, {
                  evaded: evaded.trim() !== "" && Number.isFinite(Number(evaded)) ? Number(evaded) : evaded,
                  note: sfNote,
                });
                reloadOneOff();
              }}
            >
              <Field
                id="sfEvaded"
                label={t("billing.evaded")}
                value={evaded}
                onChange={setEvaded}
                inputMode="numeric"
              />
              <Field id="sfNote" label={t("billing.sfNote")} value={sfNote} onChange={setSfNote} />
            </ActionForm>
          )}
        </div>
      )}
    </section>
  );
}
