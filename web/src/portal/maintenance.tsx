/**
 * Portal: the customer's planned maintenance (計画メンテナンス — 提供の中止, Art. 23): the windows of
 * its servers and contracts and the service-wide ones, those to come first; and a calendar feed
 * (iCalendar) to subscribe to, its secret URL shown once (issuing a new one stops the old one).
 */
import { useState } from "react";
import { api, type Me } from "../api.ts";
import {
  type MaintenanceWindow,
  Period,
  ReasonText,
  StateText,
  WindowTarget,
  windowState,
} from "../console/maintenance.tsx";
import { useT } from "../i18n.ts";
import { OnceBox } from "../shared/monitoring.tsx";
import { ConfirmButton, ErrorBox, errorText, ScrollBox, useGet } from "../ui.tsx";

/** Those to come or under way first (the soonest first), then the rest (the latest first). */
function ordered(windows: MaintenanceWindow[]) {
  const now = Date.now();
  const live = (w: MaintenanceWindow) => ["planned", "ongoing"].includes(windowState(w, now));
  return [
    ...windows.filter(live).sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt)),
    ...windows.filter((w) => !live(w)).sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt)),
  ];
}

export function MyMaintenancePage(props: { me?: Me }) {
  const t = useT();
  const [fetchedMe] = useGet("/api/v1/me", {}, !props.me);
  const customerId = (props.me ?? fetchedMe)?.user.customerId ?? null;
  const [windows, error] = useGet("/api/v1/maintenance", {});
  const list = windows ? ordered(windows) : [];
  return (
    <section>
      <h1>{t("maintenance.portal.title")}</h1>
      <p className="hint">{t("maintenance.portal.lead")}</p>
      <ErrorBox error={error} />
      {windows && list.length === 0 && <p className="hint">{t("maintenance.portal.none")}</p>}
      {list.length > 0 && (
        <ScrollBox>
          <table className="mon" data-testid="my-maintenance">
            <thead>
              <tr>
                <th scope="col">{t("maintenance.col.period")}</th>
                <th scope="col">{t("maintenance.col.title")}</th>
                <th scope="col">{t("maintenance.col.target")}</th>
                <th scope="col">{t("maintenance.col.reason")}</th>
                <th scope="col">{t("maintenance.col.state")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((w) => (
                <tr key={w.id}>
                  <td className="period">
                    <Period w={w} />
                  </td>
                  <td>
                    <strong data-value>{w.title}</strong>
                    {w.description && (
                      <div className="hint" data-value>
                        {w.description}
                      </div>
                    )}
                  </td>
                  <td className="target">
                    <WindowTarget w={w} base="/portal" />
                  </td>
                  <td>
                    <ReasonText reason={w.reason} />
                    {w.emergency && (
                      <div>
                        <strong>{t("maintenance.emergency")}</strong>
                        {w.emergencyReason && (
                          <>
                            {": "}
                            <span data-value>{w.emergencyReason}</span>
                          </>
                        )}
                      </div>
                    )}
                  </td>
                  <td className="state">
                    <StateText w={w} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {customerId && <CalendarFeed customerId={customerId} />}
    </section>
  );
}

/** The secret URL of the customer's maintenance calendar: issued on request, shown once. */
function CalendarFeed({ customerId }: { customerId: string }) {
  const t = useT();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const issue = async () => {
    setError(null);
    try {
      const r = await api<{ url: string; path: string }>("POST", `/customers/${customerId}/calendar-feed`);
      setUrl(/^https?:\/\//.test(r.url) ? r.url : `${window.location.origin}${r.path}`);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section className="card" aria-labelledby="calendar-feed-title" data-testid="calendar-feed">
      <h2 id="calendar-feed-title">{t("maintenance.feed.title")}</h2>
      <p>{t("maintenance.feed.lead")}</p>
      <p className="warning">{t("maintenance.feed.renewWarning")}</p>
      <ErrorBox error={error} />
      {url ? (
        <OnceBox
          title={t("maintenance.feed.urlTitle")}
          value={url}
          note={t("maintenance.feed.once")}
          close={t("maintenance.feed.close")}
          onClose={() => setUrl(null)}
          testId="calendar-url"
        />
      ) : (
        <ConfirmButton
          label={t("maintenance.feed.issue")}
          message={t("maintenance.feed.issueConfirm")}
          confirm={t("maintenance.feed.issueYes")}
          cancel={t("confirm.cancel")}
          onConfirm={issue}
        />
      )}
    </section>
  );
}
