/**
 * Home pages that are work queues. Console: what waits for staff (applications, contract changes,
 * overdue invoices and suspension candidates, inquiries near their Art. 44 deadline, drafts to
 * issue). Portal: the contracts' state, what is owed and when, unread notices.
 */
import type { ReactNode } from "react";
import type { Me } from "./api.ts";
import { yen } from "./format.ts";
import { type MessageKey, useT } from "./i18n.ts";
import { useLabels } from "./labels.ts";
import { Link, type Page, tokyoTime, useLoad } from "./ui.tsx";

const SHOWN = 5;
const count = (p: Page<unknown> | undefined) => (p ? `${p.items.length}${p.hasMore ? "+" : ""}` : "…");

function Queue<T>({
  title,
  page,
  to,
  empty,
  row,
  testId,
  error,
}: {
  title: MessageKey;
  page: Page<T> | undefined;
  /** Why the queue could not be read: said, not left loading. */
  error?: string | null;
  to: string;
  empty: MessageKey;
  row: (x: T) => ReactNode;
  testId: string;
}) {
  const t = useT();
  return (
    <section className="card queue" data-testid={testId} aria-label={t(title)}>
      <h2>
        <Link to={to}>{t(title)}</Link> <span className="count">{count(page)}</span>
      </h2>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {page && page.items.length === 0 && <p className="hint">{t(empty)}</p>}
      {page && page.items.length > 0 && (
        <ul>
          {page.items.slice(0, SHOWN).map((x, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a static slice of the page
            <li key={i}>{row(x)}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

interface Application {
  id: string;
  number: string;
  legalName: string;
  receivedOn: string;
}
interface ChangeRow {
  id: string;
  contractId: string;
  contractNumber?: string;
  receivedOn: string;
}
interface Overdue {
  id: string;
  number: string | null;
  recipientName: string | null;
  balance: number;
  dueDate: string;
  suspensionCandidate: string | null;
  lateFee: { result: { fee: number } };
}
interface Inquiry {
  id: string;
  contractNumber: string;
  subject: string;
  deadline: string;
  answeredAt: string | null;
  overdue: boolean;
}
interface FailingDelivery {
  id: string;
  subject: string;
  email: string;
  status: string;
  attempts: number;
  lastError: string | null;
}
interface ResetRequest {
  user: { id: string; customerId: string; displayName: string; resetRequestedAt: string };
  customerName: string;
}
interface Draft {
  id: string;
  month: string;
  recipientName: string | null;
  total: number;
}

export function ConsoleHome({ me }: { me: Me }) {
  const t = useT();
  const labels = useLabels();
  const role = me.user.role;
  const ops = ["admin", "operator"].includes(role);
  const money = ["admin", "billing"].includes(role);
  const [applications, applicationsError] = useLoad<Page<Application>>(
    "/applications?status=applied&limit=100",
  );
  const [changes, changesError] = useLoad<Page<ChangeRow>>("/contract-changes?status=requested&limit=100");
  const [overdue, overdueError] = useLoad<Page<Overdue>>(ops || money ? "/billing/overdue?limit=100" : null);
  const [inquiries, inquiriesError] = useLoad<Page<Inquiry>>("/inquiries?limit=100");
  const [drafts, draftsError] = useLoad<Page<Draft>>(money ? "/invoices?status=draft&limit=100" : null);
  const [failing, failingError] = useLoad<Page<FailingDelivery>>("/notice-deliveries/failing?limit=100");
  const [resets, resetsError] = useLoad<Page<ResetRequest>>(ops ? "/users/reset-requests?limit=100" : null);
  const open = inquiries && {
    ...inquiries,
    items: inquiries.items.filter((i) => !i.answeredAt).sort((a, b) => (a.deadline < b.deadline ? -1 : 1)),
  };
  const candidates = overdue && {
    ...overdue,
    items: overdue.items.filter((o) => o.suspensionCandidate),
  };
  return (
    <div className="queues">
      <Queue
        testId="queue-applications"
        title="home.applications"
        page={applications}
        error={applicationsError}
        to="/console/applications"
        empty="home.none"
        row={(a) => `${a.number} ${a.legalName} (${a.receivedOn})`}
      />
      <Queue
        testId="queue-changes"
        title="home.changes"
        page={changes}
        error={changesError}
        to="/console/contract-changes"
        empty="home.none"
        row={(c) => (
          <Link to={`/console/contracts/${c.contractId}`}>
            {c.contractNumber} ({c.receivedOn})
          </Link>
        )}
      />
      {(ops || money) && (
        <Queue
          testId="queue-overdue"
          title="home.overdue"
          page={overdue}
          error={overdueError}
          to="/console/billing"
          empty="home.none"
          row={(o) => (
            <Link to={`/console/invoices/${o.id}`}>
              {o.number} {o.recipientName} {yen(o.balance)} ({t("home.due")} {o.dueDate}
              {o.lateFee.result.fee > 0 ? `, ${t("home.lateFee")} ${yen(o.lateFee.result.fee)}` : ""})
            </Link>
          )}
        />
      )}
      {(ops || money) && (
        <Queue
          testId="queue-candidates"
          title="home.candidates"
          page={candidates}
          error={overdueError}
          to="/console/billing"
          empty="home.none"
          row={(o) => `${o.recipientName} — ${o.number}`}
        />
      )}
      <Queue
        testId="queue-inquiries"
        title="home.inquiries"
        page={open}
        error={inquiriesError}
        to="/console/inquiries"
        empty="home.none"
        row={(i) => (
          <>
            {i.contractNumber} {i.subject} — {t("home.deadline")} {i.deadline}
            {i.overdue && <strong> {t("home.pastDeadline")}</strong>}
          </>
        )}
      />
      <Queue
        testId="queue-deliveries"
        title="home.failingDeliveries"
        page={failing}
        error={failingError}
        to="/console/notices"
        empty="home.none"
        row={(d) => (
          <>
            {d.subject} → <span data-value>{d.email}</span> ({labels.delivery(d.status)},{" "}
            {t("home.attempts").replace("{n}", String(d.attempts))})
            {d.lastError && (
              <>
                <br />
                <small className="hint" lang="en">
                  {d.lastError}
                </small>
              </>
            )}
          </>
        )}
      />
      {ops && (
        <Queue
          testId="queue-resets"
          title="home.resets"
          page={resets}
          error={resetsError}
          to="/console/customers"
          empty="home.none"
          row={(r) => (
            <Link to={`/console/customers/${r.user.customerId}`}>
              <span data-value>{r.customerName}</span> — <span data-value>{r.user.displayName}</span> (
              {tokyoTime(r.user.resetRequestedAt)})
            </Link>
          )}
        />
      )}
      {money && (
        <Queue
          testId="queue-drafts"
          title="home.drafts"
          page={drafts}
          error={draftsError}
          to="/console/billing"
          empty="home.none"
          row={(d) => (
            <Link to={`/console/invoices/${d.id}`}>
              {d.month} {d.recipientName} {yen(d.total)}
            </Link>
          )}
        />
      )}
    </div>
  );
}

interface Contract {
  id: string;
  number: string;
  status: string;
  plan: string;
  minimumTermEnd: string;
  endEffectiveOn: string | null;
}
interface Invoice {
  id: string;
  number: string | null;
  balance: number;
  dueDate: string;
  overdue: boolean;
}
interface InboxItem {
  noticeId: string;
  subject: string;
  readAt: string | null;
  acknowledgedAt: string | null;
}

export function PortalHome() {
  const t = useT();
  const l = useLabels();
  const [contracts, contractsError] = useLoad<Page<Contract>>("/contracts?limit=100");
  const [invoices, invoicesError] = useLoad<Page<Invoice>>("/invoices?limit=100");
  const [inbox, inboxError] = useLoad<Page<InboxItem>>("/notices?limit=100");
  const owed = invoices?.items.filter((i) => i.balance > 0) ?? [];
  const balance = owed.reduce((s, i) => s + i.balance, 0);
  const next = [...owed].sort((a, b) => (a.dueDate < b.dueDate ? -1 : 1))[0];
  const unread = inbox && { ...inbox, items: inbox.items.filter((n) => !n.acknowledgedAt) };
  return (
    <div className="queues">
      <Queue
        testId="portal-contracts"
        title="home.myContracts"
        page={contracts}
        error={contractsError}
        to="/portal/contracts"
        empty="home.none"
        row={(c) => (
          <Link to={`/portal/contracts/${c.id}`}>
            {c.number} — {l.status(c.status)} ({l.plan(c.plan)}
            {c.endEffectiveOn ? `, ${t("home.endsOn")} ${c.endEffectiveOn}` : ""})
          </Link>
        )}
      />
      <section className="card queue" data-testid="portal-balance" aria-label={t("home.balance")}>
        <h2>
          <Link to="/portal/invoices">{t("home.balance")}</Link>
        </h2>
        {invoicesError && (
          <p className="error" role="alert">
            {invoicesError}
          </p>
        )}
        {invoices && (
          <p>
            {balance > 0
              ? t("home.owed")
                  .replace("{amount}", yen(balance))
                  .replace("{due}", next?.dueDate ?? "")
              : t("home.nothingOwed")}
            {owed.some((i) => i.overdue) && <strong> {t("home.pastDue")}</strong>}
          </p>
        )}
      </section>
      <Queue
        testId="portal-unread"
        title="home.unread"
        page={unread}
        error={inboxError}
        to="/portal/notices"
        empty="home.noneUnread"
        row={(n) => n.subject}
      />
    </div>
  );
}
