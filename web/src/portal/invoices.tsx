/**
 * Portal: the customer's invoices and payments (Art. 31).
 */

import { useEffect, useState } from "react";
import type { Me } from "../api.ts";
import {
  ACCOUNT_TYPE_KEY,
  type InvoiceSort,
  InvoicesTable,
  loadMandate,
  type Mandate,
  PaymentsTable,
} from "../billing/shared.tsx";
import { yen } from "../format.ts";
import { useT } from "../i18n.ts";
import { ErrorBox, useGetAll } from "../ui.tsx";

export function MyInvoicesPage({ me }: { me: Me }) {
  const t = useT();
  // Every invoice and payment: the balances below are sums over all of them, never over a page.
  const [sort, setSort] = useState<InvoiceSort>("-month");
  const [invoiceRows, error] = useGetAll("/api/v1/invoices", { query: { sort } });
  const invoices = invoiceRows && { items: invoiceRows };
  const [mandate, setMandate] = useState<Mandate | null | undefined>(undefined);
  useEffect(() => {
    if (me.user.customerId) loadMandate(me.user.customerId).then(setMandate, () => setMandate(undefined));
  }, [me.user.customerId]);
  const [paymentRows, paymentsError] = useGetAll("/api/v1/payments", {});
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
      {invoices && invoices.items.length > 0 && (
        <InvoicesTable items={invoices.items} base="/portal" sort={sort} onSort={setSort} />
      )}
      <PaymentsTable items={payments?.items ?? []} />
    </section>
  );
}

// ---- the billing panel of a contract page -----------------------------------------------------
