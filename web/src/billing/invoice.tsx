/**
 * One invoice, in the console and the portal: its lines with their articles, tax per rate, payments,
 * the PDF; for staff the issue, void, correction and credit note (Art. 29–34, 36).
 */

import { useState } from "react";
import { api, type Me } from "../api.ts";
import { art, yen } from "../format.ts";
import { useT } from "../i18n.ts";
import {
  Basis,
  ConfirmButton,
  ErrorBox,
  Field,
  LineDescription,
  LineNote,
  Link,
  ScrollBox,
  Select,
  tokyoTime,
  useAction,
  useGet,
} from "../ui.tsx";
import { canHandleMoney, PaymentState, STATUS_LABEL, TAX_LABEL } from "./shared.tsx";

export function InvoicePage({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const isStaff = me.user.kind === "staff";
  const money = isStaff && canHandleMoney(me);
  const [inv, error, reloadInvoice] = useGet("/api/v1/invoices/{id}", { path: { id } });
  const [kept, , reloadKept] = useGet("/api/v1/invoices/{id}/documents", { path: { id } });
  const reload = () => {
    reloadInvoice();
    reloadKept();
  };
  const [actionError, act] = useAction(reload);
  const [reason, setReason] = useState("");
  const [corrected, setCorrected] = useState<{ id: string } | null>(null);
  const [creditMade, setCreditMade] = useState<{ id: string } | null>(null);
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
        {d.kind === "credit"
          ? t("billing.creditNote")
          : d.kind === "corrected"
            ? t("billing.correctedInvoice")
            : t("billing.invoice")}{" "}
        {d.number ?? t("billing.statusDraft")}
      </h1>
      <ErrorBox error={error} />
      {d.status === "void" && (
        <p className="error" role="note" data-testid="invoice-void">
          {t("billing.voided")}: {d.voidReason}
          {d.voidedOn ? ` (${d.voidedOn})` : ""}
          {d.replacedBy
            ? ` — ${t("billing.replacedBy")} ${d.replacedBy === "draft" ? t("billing.statusDraft") : d.replacedBy}`
            : ""}
        </p>
      )}
      <dl className="facts">
        <dt>{t("billing.status")}</dt>
        <dd data-testid="invoice-status">{t(STATUS_LABEL[d.status])}</dd>
        {d.refersTo && (
          <>
            <dt>{t("billing.refersTo")}</dt>
            <dd>
              {d.refersTo}
              {d.refersToIssueDate ? ` (${t("billing.issueDate")} ${d.refersToIssueDate})` : ""}
            </dd>
          </>
        )}
        {d.kind === "credit" && (
          <>
            <dt>{t("billing.returnDate")}</dt>
            <dd>{d.returnDate ?? "—"}</dd>
            <dt>{t("billing.creditReason")}</dt>
            <dd data-testid="credit-reason">{d.creditReason ?? "—"}</dd>
          </>
        )}
        {d.kind === "corrected" && d.correctionReason && (
          <>
            <dt>{t("billing.correctionReason")}</dt>
            <dd>{d.correctionReason}</dd>
          </>
        )}
        {d.creditedBy && d.creditedBy.length > 0 && (
          <>
            <dt>{t("billing.creditedBy")}</dt>
            <dd data-testid="credited-by">
              {d.creditedBy.map((n) => (n === "draft" ? t("billing.statusDraft") : n)).join(", ")}
            </dd>
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
        {d.kind !== "credit" && (
          <>
            <dt>{t("billing.dueDate")}</dt>
            <dd>
              {d.dueDate} ({art("31(3)")})
            </dd>
          </>
        )}
        <dt>{t("billing.total")}</dt>
        <dd data-testid="invoice-total">{yen(d.totals.total)}</dd>
        {(inv.creditedAmount ?? 0) > 0 && (
          <>
            <dt>{t("billing.creditedAmount")}</dt>
            <dd data-testid="invoice-credited">{yen(inv.creditedAmount ?? 0)}</dd>
          </>
        )}
        {d.kind !== "credit" && (
          <>
            <dt>{t("billing.paymentStatus")}</dt>
            <dd data-testid="invoice-payment">
              <PaymentState
                inv={{ status: d.status, balance: inv.balance, overdue: inv.overdue, paidOn: inv.paidOn }}
              />
              {inv.paidOn ? ` ${inv.paidOn}` : ""}
            </dd>
          </>
        )}
      </dl>
      <p>
        <a href={`/api/v1/invoices/${id}/pdf`} target="_blank" rel="noreferrer" data-testid="invoice-pdf">
          {t("billing.pdf")}
        </a>{" "}
        ·{" "}
        <a href={`/api/v1/invoices/${id}/pdf?lang=en`} target="_blank" rel="noreferrer">
          {t("billing.pdfEn")}
        </a>
      </p>
      {d.number && (
        <section className="card" aria-labelledby="kept-title">
          <h2 id="kept-title">{t("billing.kept")}</h2>
          {kept && kept.length > 0 ? (
            <ul data-testid="kept-documents">
              {kept.map((k) => (
                <li key={k.lang}>
                  <a href={`/api/v1/invoices/${id}/documents/${k.lang}`} target="_blank" rel="noreferrer">
                    {t("billing.keptOpen")} ({k.lang.toUpperCase()})
                  </a>{" "}
                  — {tokyoTime(k.keptAt)} · {k.size.toLocaleString()} bytes ·{" "}
                  <code title={k.sha256}>SHA-256 {k.sha256.slice(0, 16)}…</code>
                </li>
              ))}
            </ul>
          ) : (
            <p className="hint">{t("billing.keptNone")}</p>
          )}
        </section>
      )}
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
                  <LineDescription line={l} />
                  <br />
                  <LineNote line={l} />
                </td>
                <td className="num">{l.quantity}</td>
                <td className="num">{yen(l.unitPrice)}</td>
                <td className="num">{yen(l.amount)}</td>
                <td>{t(TAX_LABEL[l.taxCategory])}</td>
                <td className="article">{art(l.article)}</td>
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
          {d.status === "issued" && d.kind !== "credit" && (
            <CreditNoteForm
              id={id}
              categories={d.totals.byRate.filter((r) => r.net > 0).map((r) => r.category)}
              onMade={(made) => {
                setCreditMade(made);
                reload();
              }}
            />
          )}
          {creditMade && (
            <p role="status">
              {t("billing.creditMade")}{" "}
              <Link to={`/console/invoices/${creditMade.id}`}>{t("billing.open")}</Link>
            </p>
          )}
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

type Category = "10" | "8" | "exempt" | "out-of-scope";

/** A credit note (適格返還請求書) against an issued invoice: reason, return date, amounts per rate. */
function CreditNoteForm({
  id,
  categories,
  onMade,
}: {
  id: string;
  categories: Category[];
  onMade: (made: { id: string }) => void;
}) {
  const t = useT();
  const [reason, setReason] = useState("");
  const [returnDate, setReturnDate] = useState("");
  const [lines, setLines] = useState([{ description: "", amount: "", taxCategory: categories[0] ?? "10" }]);
  const [error, act] = useAction(() => undefined);
  const setLine = (i: number, k: "description" | "amount" | "taxCategory") => (v: string) =>
    setLines(lines.map((l, j) => (j === i ? { ...l, [k]: v } : l)));
  return (
    <form
      aria-labelledby="credit-title"
      onSubmit={(e) => {
        e.preventDefault();
        void act(async () => {
          const made = await api<{ id: string }>("POST", `/invoices/${id}/credit-note`, {
            reason,
            ...(returnDate ? { returnDate } : {}),
            lines: lines.map((l) => ({
              description: l.description,
              amount: Number(l.amount),
              taxCategory: l.taxCategory,
            })),
          });
          onMade(made);
        });
      }}
    >
      <h3 id="credit-title">{t("billing.makeCredit")}</h3>
      <p className="hint">{t("billing.creditNoteLead")}</p>
      <Field id="creditReason" label={t("billing.creditReason")} value={reason} onChange={setReason} />
      <Field
        id="creditReturnDate"
        label={t("billing.returnDate")}
        value={returnDate}
        onChange={setReturnDate}
        type="date"
        required={false}
      />
      {lines.map((l, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the lines are edited in place, in order
        <div className="inline" key={i}>
          <Field
            id={`creditDescription${i}`}
            label={t("billing.description")}
            value={l.description}
            onChange={setLine(i, "description")}
          />
          <Field
            id={`creditAmount${i}`}
            label={t("billing.creditAmount")}
            value={l.amount}
            onChange={setLine(i, "amount")}
            inputMode="numeric"
          />
          <Select
            id={`creditTax${i}`}
            label={t("billing.taxCategory")}
            value={l.taxCategory}
            onChange={setLine(i, "taxCategory")}
            options={categories.map((c) => [c, t(TAX_LABEL[c])])}
          />
        </div>
      ))}
      <p>
        <button
          type="button"
          className="secondary"
          onClick={() =>
            setLines([...lines, { description: "", amount: "", taxCategory: categories[0] ?? "10" }])
          }
        >
          {t("billing.addLine")}
        </button>{" "}
        <button type="submit">{t("billing.makeCreditSubmit")}</button>
      </p>
      <ErrorBox error={error} />
    </form>
  );
}

// ---- console: payments and imports ------------------------------------------------------------
