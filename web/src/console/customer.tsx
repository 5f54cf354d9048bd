/**
 * Console: one customer on one page — the company, its contracts (plan, state, start, minimum term,
 * end) and its invoices with what is still owed and whether it is overdue (Art. 31(3), 33).
 */
import type { Me } from "../api.ts";
import type { Schema } from "../client.ts";
import { art, yen } from "../format.ts";
import { type MessageKey, useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { CompanyUsers } from "../shared/company-users.tsx";
import { ContractsTable } from "../shared/contracts.tsx";
import { IncidentSettings } from "../shared/incident-settings.tsx";
import { ErrorBox, Link, MoreButton, ScrollBox, tokyoTime, useGet, useGetPages } from "../ui.tsx";
import { CustomerMonitoring } from "./customer-monitoring.tsx";

type Contact = NonNullable<Schema<"Customer">["billingContact"]>;

const contactText = (c: Contact) => `${c.name} <${c.email}> ${c.phone}`;

const INVOICE_STATUS: Record<string, MessageKey> = {
  draft: "billing.statusDraft",
  issued: "billing.statusIssued",
  void: "billing.statusVoid",
};

export function CustomerPage({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const _l = useLabels();
  const [customer, error] = useGet("/api/v1/customers/{id}", { path: { id } });
  const [contracts, contractsError, , moreContracts] = useGetPages("/api/v1/contracts", {
    query: { customerId: id },
  });
  const [invoices, invoicesError, , moreInvoices] = useGetPages("/api/v1/invoices", {
    query: { customerId: id },
  });
  const issued = invoices?.items.filter((i) => i.status === "issued") ?? [];
  const owed = issued.reduce((s, i) => s + Math.max(0, i.balance), 0);
  const overdue = issued.filter((i) => i.overdue && i.balance > 0);
  return (
    <section>
      <p>
        <Link to="/console/customers">← {t("customers.title")}</Link>
      </p>
      <h1>
        <span data-value>{customer?.legalName ?? "…"}</span>
      </h1>
      <ErrorBox error={error ?? contractsError ?? invoicesError} />
      {customer && (
        <dl className="facts">
          <dt>{t("customers.corporateNumber")}</dt>
          <dd>{customer.corporateNumber ?? "—"}</dd>
          <dt>{t("customer.address")}</dt>
          <dd>
            <span data-value>{customer.address ?? "—"}</span>
          </dd>
          <dt>{t("customer.billingContact")}</dt>
          <dd>
            <span data-value>{customer.billingContact ? contactText(customer.billingContact) : "—"}</span>
          </dd>
          <dt>{t("customer.representatives")}</dt>
          <dd>
            <span data-value>
              {customer.representatives.length > 0
                ? customer.representatives.map(contactText).join(" / ")
                : "—"}
            </span>
          </dd>
          <dt>{t("customer.balance")}</dt>
          <dd data-testid="customer-balance">
            {yen(owed)}
            {overdue.length > 0 && (
              <strong> {t("customer.overdue").replace("{n}", String(overdue.length))}</strong>
            )}
            {invoices?.hasMore && <span className="hint"> {t("customer.loadedOnly")}</span>}
          </dd>
        </dl>
      )}
      <h2>{t("customer.contracts")}</h2>
      <ContractsTable items={contracts?.items ?? []} base="/console" testId="customer-contracts" />
      {contracts?.items.length === 0 && <p className="hint">{t("home.none")}</p>}
      <MoreButton more={moreContracts} label={t("list.more")} />
      <h2>{t("customer.invoices")}</h2>
      <ScrollBox>
        <table data-testid="customer-invoices">
          <thead>
            <tr>
              <th scope="col">{t("billing.invoiceNumber")}</th>
              <th scope="col">{t("billing.month")}</th>
              <th scope="col">{t("billing.status")}</th>
              <th scope="col">{t("billing.total")}</th>
              <th scope="col">{t("billing.balance")}</th>
              <th scope="col">{t("billing.dueDate")}</th>
            </tr>
          </thead>
          <tbody>
            {invoices?.items.map((i) => (
              <tr key={i.id}>
                <td>
                  <Link to={`/console/invoices/${i.id}`}>{i.number ?? t("billing.statusDraft")}</Link>
                </td>
                <td>{i.month}</td>
                <td>{t(INVOICE_STATUS[i.status] ?? "billing.statusDraft")}</td>
                <td>{yen(i.total)}</td>
                <td>
                  {yen(i.balance)}
                  {i.overdue && i.balance > 0 && <strong> {t("customer.pastDue")}</strong>}
                </td>
                <td>{i.dueDate}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {invoices?.items.length === 0 && <p className="hint">{t("home.none")}</p>}
      <MoreButton more={moreInvoices} label={t("list.more")} />
      <CustomerMonitoring id={id} me={me} />
      <CompanyUsers customerId={id} me={me} heading="h2" />
      <IncidentSettings customerId={id} />
      <CustomerNotices id={id} />
      <CustomerTimeline id={id} />
    </section>
  );
}

function CustomerNotices({ id }: { id: string }) {
  const t = useT();
  const [notices, error, , more] = useGetPages("/api/v1/customers/{id}/notices", { path: { id } });
  return (
    <>
      <h2>{t("customer.notices")}</h2>
      <ErrorBox error={error} />
      <ScrollBox>
        <table data-testid="customer-notices">
          <thead>
            <tr>
              <th scope="col">{t("customer.when")}</th>
              <th scope="col">{t("customer.what")}</th>
              <th scope="col">{t("customer.read")}</th>
            </tr>
          </thead>
          <tbody>
            {notices?.items.map((n) => (
              <tr key={n.noticeId}>
                <td>{tokyoTime(n.createdAt)}</td>
                <td>
                  <span data-value>{n.subject}</span>
                </td>
                <td>
                  {n.acknowledgedAt
                    ? `${t("customer.acknowledged")} ${tokyoTime(n.acknowledgedAt)}`
                    : n.readAt
                      ? `${t("customer.read")} ${tokyoTime(n.readAt)}`
                      : t("customer.unread")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {notices?.items.length === 0 && <p className="hint">{t("home.none")}</p>}
      <MoreButton more={more} label={t("list.more")} />
    </>
  );
}

/** What was done for or by the customer, from the audit log, the latest first. */
function CustomerTimeline({ id }: { id: string }) {
  const t = useT();
  const l = useLabels();
  const [entries, error, , more] = useGetPages("/api/v1/customers/{id}/timeline", {
    path: { id },
    query: { limit: 50 },
  });
  return (
    <>
      <h2>{t("customer.timeline")}</h2>
      <ErrorBox error={error} />
      <ScrollBox>
        <table data-testid="customer-timeline">
          <thead>
            <tr>
              <th scope="col">{t("customer.when")}</th>
              <th scope="col">{t("customer.what")}</th>
              <th scope="col">{t("customer.who")}</th>
              <th scope="col">{t("customer.article")}</th>
            </tr>
          </thead>
          <tbody>
            {entries?.items.map((e) => {
              const what = l.audit(e.action);
              return (
                <tr key={e.seq}>
                  <td>{tokyoTime(e.at)}</td>
                  <td>
                    {what.text}
                    {!what.known && (
                      <>
                        {" "}
                        <code data-value>{e.action}</code>
                      </>
                    )}
                  </td>
                  <td>
                    {l.actorKind(e.actorKind)}
                    {e.actorName && (
                      <>
                        {" "}
                        <span data-value>{e.actorName}</span>
                      </>
                    )}
                  </td>
                  <td>{e.article ? art(e.article) : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollBox>
      <MoreButton more={more} label={t("list.more")} />
    </>
  );
}
