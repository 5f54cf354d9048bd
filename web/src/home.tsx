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
import { useIncidentStream } from "./shared/incident-live.ts";
import { cases, LiveIndicator, SEVERITIES, SeverityBadge } from "./shared/incident-view.tsx";
import { Link, type Page, tokyoTime, useGet } from "./ui.tsx";

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

export function ConsoleHome({ me }: { me: Me }) {
  const t = useT();
  const labels = useLabels();
  const role = me.user.role;
  const ops = ["admin", "operator"].includes(role);
  const money = ["admin", "billing"].includes(role);
  const [applications, applicationsError] = useGet("/api/v1/applications", {
    query: { status: "applied", limit: 100 },
  });
  const [changes, changesError] = useGet("/api/v1/contract-changes", {
    query: { status: "requested", limit: 100 },
  });
  const [overdue, overdueError] = useGet("/api/v1/billing/overdue", { query: { limit: 100 } }, ops || money);
  const [inquiries, inquiriesError] = useGet("/api/v1/inquiries", { query: { limit: 100 } });
  const [drafts, draftsError] = useGet("/api/v1/invoices", { query: { status: "draft", limit: 100 } }, money);
  const [failing, failingError] = useGet("/api/v1/notice-deliveries/failing", { query: { limit: 100 } });
  const [resets, resetsError] = useGet("/api/v1/users/reset-requests", { query: { limit: 100 } }, ops);
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
      <IncidentWidgets />
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
              {r.user.resetRequestedAt && tokyoTime(r.user.resetRequestedAt)})
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

/**
 * The incidents at a glance (live): how many are open, how many nobody has acknowledged yet
 * (highlighted while there are any), by severity; and who is on call now on each schedule.
 */
function IncidentWidgets() {
  const t = useT();
  const live = useIncidentStream();
  const [summary, error] = useGet("/api/v1/incidents/summary", {});
  const unacknowledged = summary?.unacknowledged ?? 0;
  return (
    <>
      <section
        className={`card queue incidents-widget${unacknowledged > 0 ? " flagged" : ""}`}
        data-testid="home-incidents"
        aria-label={t("incidents.home.title")}
      >
        <h2>
          <Link to="/console/incidents">{t("incidents.home.title")}</Link>{" "}
          <span className="count" data-testid="home-incidents-open">
            {summary ? summary.open : "…"}
          </span>
        </h2>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {summary && (
          <>
            <p>
              <span
                className={unacknowledged > 0 ? "unacked" : undefined}
                data-testid="home-incidents-unacked"
              >
                {t("incidents.home.unacknowledged").replace("{n}", cases(t, unacknowledged))}
              </span>
              {summary.muted > 0 && (
                <span className="hint">
                  {" "}
                  {t("incidents.home.muted").replace("{n}", cases(t, summary.muted))}
                </span>
              )}
            </p>
            <ul className="by-severity" aria-label={t("incidents.home.bySeverity")}>
              {SEVERITIES.map((s) => (
                <li key={s}>
                  <SeverityBadge severity={s} /> {cases(t, summary.bySeverity[s] ?? 0)}
                </li>
              ))}
            </ul>
          </>
        )}
        <p className="hint">
          <LiveIndicator state={live} />
        </p>
      </section>
      <section className="card queue" data-testid="home-oncall" aria-label={t("incidents.home.onCall")}>
        <h2>
          <Link to="/console/oncall">{t("incidents.home.onCall")}</Link>
        </h2>
        {summary && summary.onCall.length === 0 && <p className="hint">{t("incidents.home.noSchedules")}</p>}
        {summary && summary.onCall.length > 0 && (
          <ul>
            {summary.onCall.map((s) => (
              <li key={s.scheduleId}>
                <span data-value>{s.schedule}</span>:{" "}
                {s.onCall ? (
                  <>
                    <span data-value>{s.onCall.name}</span>{" "}
                    <span className="hint">
                      {t("incidents.home.until").replace("{time}", tokyoTime(s.onCall.until))}
                    </span>
                  </>
                ) : (
                  t("incidents.home.nobody")
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function PortalHome() {
  const t = useT();
  const l = useLabels();
  const [contracts, contractsError] = useGet("/api/v1/contracts", { query: { limit: 100 } });
  const [invoices, invoicesError] = useGet("/api/v1/invoices", { query: { limit: 100 } });
  const [inbox, inboxError] = useGet("/api/v1/notices", { query: { limit: 100 } });
  const owed = invoices?.items.filter((i) => i.balance > 0) ?? [];
  const balance = owed.reduce((s, i) => s + i.balance, 0);
  const next = [...owed].sort((a, b) => (a.dueDate < b.dueDate ? -1 : 1))[0];
  const unread = inbox && {
    ...inbox,
    items: inbox.items.filter((n) => !("acknowledgedAt" in n && n.acknowledgedAt)),
  };
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
