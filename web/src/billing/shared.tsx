/**
 * Billing (Art. 11, 29–34, 36, 39), what its pages share: the shapes of the API's answers, the
 * labels of statuses, tax categories and methods, the invoices and payments tables, the file imports.
 * Every figure shown comes from the API with its article; nothing is computed here.
 */

import { type FormEvent, type ReactNode, useState } from "react";
// The API's own types (type-only: nothing of the server is bundled).
import type { InvoiceDocument, TaxCategory } from "../../../src/billing/types.ts";
import { ApiFailure, api, type Me, upload } from "../api.ts";
import type { Params, Schema } from "../client.ts";
import { yen } from "../format.ts";
import { type MessageKey, useT } from "../i18n.ts";
import { ErrorBox, errorText, Field, Link, ScrollBox, Select, SortHeader } from "../ui.tsx";

export type InvoiceStatus = InvoiceDocument["status"];

export type InvoiceRow = Schema<"InvoiceRow">;

export const RUN_STATUS_LABEL = {
  queued: "billing.runQueued",
  running: "billing.runRunning",
  done: "billing.runDone",
  failed: "billing.runFailed",
} as const;

export type Payment = Schema<"Payment">;

export type Settings = Schema<"BillingSettings">;

// ---- small helpers ----------------------------------------------------------------------------

/** Integer yen, the way a Japanese invoice writes it. */
export { yen };

export const TAX_LABEL: Record<TaxCategory, MessageKey> = {
  "10": "billing.tax10",
  "8": "billing.tax8",
  exempt: "billing.taxExempt",
  "out-of-scope": "billing.taxOutOfScope",
};

export const STATUS_LABEL: Record<InvoiceStatus, MessageKey> = {
  draft: "billing.statusDraft",
  issued: "billing.statusIssued",
  void: "billing.statusVoid",
};

export function canHandleMoney(me: Me) {
  return me.user.role === "admin" || me.user.role === "billing";
}

export function PaymentState({
  inv,
}: {
  inv: Pick<InvoiceRow, "status" | "balance" | "overdue" | "paidOn">;
}) {
  const t = useT();
  if (inv.status !== "issued") return <span>—</span>;
  if (inv.balance <= 0) return <span className="ok">{t("billing.paid")}</span>;
  return (
    <span className={inv.overdue ? "error-text" : undefined}>
      {inv.overdue ? t("billing.overdue") : t("billing.unpaid")} ({yen(inv.balance)})
    </span>
  );
}

export type InvoiceSort = NonNullable<NonNullable<Params<"/api/v1/invoices">["query"]>["sort"]>;

/** Invoices; with `onSort`, the columns the server orders by are headings that sort. */
export function InvoicesTable({
  items,
  base,
  sort,
  onSort,
}: {
  items: InvoiceRow[];
  base: string;
  sort?: InvoiceSort;
  onSort?: (sort: InvoiceSort) => void;
}) {
  const t = useT();
  const by = (
    name: "number" | "month" | "customer" | "due" | "total",
    label: MessageKey,
    className?: string,
  ) =>
    sort && onSort ? (
      <SortHeader label={t(label)} name={name} sort={sort} onSort={onSort} className={className} />
    ) : (
      <th scope="col" className={className}>
        {t(label)}
      </th>
    );
  return (
    <ScrollBox>
      <table>
        <thead>
          <tr>
            {by("number", "billing.invoiceNumber")}
            {by("month", "billing.month")}
            {by("customer", "billing.recipient")}
            <th scope="col">{t("contracts.number")}</th>
            <th scope="col">{t("billing.status")}</th>
            {by("due", "billing.dueDate")}
            {by("total", "billing.total", "num")}
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
export type RunResult = Schema<"BillingRun">;

/** Follow a queued run until it is done or failed. */
export async function followRun(run: RunResult, onUpdate: (r: RunResult) => void): Promise<RunResult> {
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

export const METHOD_LABEL: Record<string, MessageKey> = {
  bank_transfer: "billing.methodTransfer",
  direct_debit: "billing.methodDebit",
  cash: "billing.methodCash",
  other: "billing.methodOther",
};

export function PaymentsTable({ items, showCustomer }: { items: Payment[]; showCustomer?: boolean }) {
  const t = useT();
  if (items.length === 0) return <p>{t("billing.noPayments")}</p>;
  return (
    <ScrollBox>
      <table>
        <caption>{t("billing.payments")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("billing.receivedOn")}</th>
            {showCustomer && <th scope="col">{t("billing.customer")}</th>}
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
              {showCustomer && (
                <td>
                  <span data-value>{p.customerName}</span>
                </td>
              )}
              <td>
                {METHOD_LABEL[p.method] ? t(METHOD_LABEL[p.method]!) : p.method}
                {p.reference ? ` (${p.reference})` : ""}
                {p.payerName && (
                  <>
                    <br />
                    <small data-value>{p.payerName}</small>
                  </>
                )}
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

export function FileImport({
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

export function UsageImport() {
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

export type Mandate = Schema<"DebitMandate">;

export type DebitRequestRow = Schema<"DebitRequestSummary">;

export const ACCOUNT_TYPE_KEY: Record<string, MessageKey> = {
  "1": "billing.accountOrdinary",
  "2": "billing.accountCurrent",
  "9": "billing.accountOther",
};

/** The customer's mandate, or null when there is none (a 404 is an answer here, not an error). */
export async function loadMandate(customerId: string): Promise<Mandate | null> {
  try {
    return await api<Mandate>("GET", `/customers/${customerId}/debit-mandate`);
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 404) return null;
    throw err;
  }
}

export function mandateText(t: ReturnType<typeof useT>, m: Mandate) {
  return `${m.bankName} (${m.bankCode}) ${m.branchName} (${m.branchCode}) ${t(ACCOUNT_TYPE_KEY[m.accountType]!)} ${m.accountNumber} ${m.accountHolder}`;
}

export const EMPTY_ACCOUNT = {
  bankCode: "",
  bankName: "",
  branchCode: "",
  branchName: "",
  accountType: "1",
  accountNumber: "",
  accountHolder: "",
};

/** The account fields a 全銀 record carries: bank, branch, type, number (names in kana). */
export function BankAccountFields({
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
