/**
 * Console: payments received and their import, direct debit mandates and requests (Art. 31, 32).
 */

import { type FormEvent, useState } from "react";
import { api, type Me, upload } from "../api.ts";
import {
  BankAccountFields,
  canHandleMoney,
  type DebitRequestRow,
  EMPTY_ACCOUNT,
  FileImport,
  type InvoiceRow,
  loadMandate,
  type Mandate,
  mandateText,
  type Payment,
  PaymentsTable,
  UsageImport,
} from "../billing/shared.tsx";
import { todayInJapan } from "../clock.ts";
import { yen } from "../format.ts";
import { useT } from "../i18n.ts";
import { CustomerPicker } from "../shared/customer-picker.tsx";
import {
  ErrorBox,
  errorText,
  Field,
  MoreButton,
  ScrollBox,
  SearchForm,
  Select,
  useAction,
  useGetPages,
} from "../ui.tsx";

export function PaymentsPage({ me }: { me: Me }) {
  const t = useT();
  const money = canHandleMoney(me);
  const [q, setQ] = useState("");
  const [ofCustomer, setOfCustomer] = useState("");
  const [left, setLeft] = useState<"" | "true" | "false">("");
  const [data, error, reload, more] = useGetPages("/api/v1/payments", {
    query: {
      ...(q ? { q } : {}),
      ...(ofCustomer ? { customerId: ofCustomer } : {}),
      ...(left ? { unallocated: left } : {}),
    },
  });
  const [customerId, setCustomerId] = useState("");
  const [receivedOn, setReceivedOn] = useState(todayInJapan());
  const [amount, setAmount] = useState("");
  const [method, setMethod] = useState("bank_transfer");
  const [reference, setReference] = useState("");
  const [invoiceNumber, setInvoiceNumber] = useState("");
  const [recorded, setRecorded] = useState<Payment | null>(null);
  const [actionError, act] = useAction(reload);
  const [requests, , reloadRequests, moreRequests] = useGetPages("/api/v1/billing/debit-requests", {}, money);
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
            <CustomerPicker
              id="payCustomer"
              label={t("billing.customer")}
              value={customerId}
              onChange={setCustomerId}
              empty="—"
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
          <DebitMandateForm />
          <DebitRequestForm onMade={reloadRequests} />
        </div>
      )}
      {money && <DebitRequestsTable items={requests?.items ?? []} />}
      {money && <MoreButton more={moreRequests} label={t("list.more")} />}
      <h2>{t("billing.payments")}</h2>
      <SearchForm
        id="payment-search"
        label={t("billing.searchPayments")}
        button={t("customers.searchButton")}
        onSearch={setQ}
      />
      <div className="filters">
        <CustomerPicker
          id="paymentsOf"
          label={t("billing.customer")}
          value={ofCustomer}
          onChange={setOfCustomer}
          empty={t("list.all")}
        />
        <Select
          id="paymentsLeft"
          label={t("billing.filterAllocation")}
          value={left}
          onChange={(v) => setLeft(v as typeof left)}
          options={[
            ["", t("list.all")],
            ["true", t("billing.withCredit")],
            ["false", t("billing.fullyAllocated")],
          ]}
        />
      </div>
      <ErrorBox error={error} />
      <PaymentsTable items={data?.items ?? []} showCustomer />
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

function DebitMandateForm() {
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
      <CustomerPicker
        id="mandateCustomer"
        label={t("billing.customer")}
        value={customerId}
        onChange={(v) => void choose(v)}
        empty="—"
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
