/**
 * Console, on a customer's page: its status page as the customer sees it, publishing it at an
 * unguessable URL or withdrawing it (Art. 43), and — for admins — whether revealing the customer's
 * credentials needs a second staff member's approval (Art. 7(1)).
 */
import { useState } from "react";
import { api, type Me } from "../api.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { ConfirmButton, ErrorBox, Link, useAction, useGet } from "../ui.tsx";

const SERVICE_ROLES = ["admin", "operator", "engineer"];

export function CustomerMonitoring({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const [settings, error, reload] = useGet("/api/v1/customers/{id}/monitoring-settings", { path: { id } });
  const [actionError, act] = useAction(reload);
  const [saved, setSaved] = useState(false);
  const service = SERVICE_ROLES.includes(me.user.role);
  const admin = me.user.role === "admin";
  const publish = () => act(() => api("PUT", `/customers/${id}/status-page`, { enabled: true }));
  const publicUrl = settings?.publicUrl ? `${window.location.origin}${settings.publicUrl}` : null;
  return (
    <section aria-labelledby="monitoring-title" data-testid="customer-monitoring">
      <h2 id="monitoring-title">{t("monitoring.customer.title")}</h2>
      <ErrorBox error={error ?? actionError} />
      <p>
        <Link to={`/console/customers/${id}/status`}>{t("monitoring.customer.statusLink")}</Link>
      </p>
      {settings && (
        <div className="card">
          <h3>
            {t("monitoring.customer.public")} ({art("43")})
          </h3>
          {publicUrl ? (
            <>
              <p data-testid="public-status-state">{t("monitoring.customer.published")}</p>
              <div className="field">
                <label htmlFor="publicStatusUrl">{t("monitoring.customer.publicUrl")}</label>
                <input
                  id="publicStatusUrl"
                  className="secret"
                  readOnly
                  value={publicUrl}
                  onFocus={(e) => e.target.select()}
                />
              </div>
              <p>
                <a href={settings.publicUrl ?? ""} target="_blank" rel="noopener noreferrer">
                  {t("monitoring.customer.openPublic")}
                </a>
              </p>
              {service && (
                <div className="inline">
                  <ConfirmButton
                    label={t("monitoring.customer.withdraw")}
                    message={t("monitoring.customer.withdrawConfirm")}
                    confirm={t("monitoring.customer.withdrawYes")}
                    cancel={t("confirm.cancel")}
                    className="danger"
                    onConfirm={() =>
                      act(() => api("PUT", `/customers/${id}/status-page`, { enabled: false }))
                    }
                  />
                  <ConfirmButton
                    label={t("monitoring.customer.renew")}
                    message={t("monitoring.customer.renewConfirm")}
                    confirm={t("monitoring.customer.renewYes")}
                    cancel={t("confirm.cancel")}
                    className="secondary"
                    onConfirm={publish}
                  />
                </div>
              )}
            </>
          ) : (
            <>
              <p data-testid="public-status-state">{t("monitoring.customer.notPublished")}</p>
              {service && (
                <ConfirmButton
                  label={t("monitoring.customer.publish")}
                  message={t("monitoring.customer.publishConfirm")}
                  confirm={t("monitoring.customer.publishYes")}
                  cancel={t("confirm.cancel")}
                  onConfirm={publish}
                />
              )}
            </>
          )}
        </div>
      )}
      {settings && (
        <div className="card">
          <h3>
            {t("monitoring.customer.custody")} ({art("7(1)")})
          </h3>
          {admin ? (
            <div className="check">
              <input
                id="revealNeedsApproval"
                type="checkbox"
                checked={settings.revealNeedsApproval}
                onChange={(e) => {
                  setSaved(false);
                  const on = e.target.checked;
                  void act(() =>
                    api("PUT", `/customers/${id}/custody-settings`, { revealNeedsApproval: on }),
                  ).then((ok) => setSaved(ok));
                }}
              />
              <label htmlFor="revealNeedsApproval">{t("monitoring.customer.twoPerson")}</label>
            </div>
          ) : (
            <p>
              {settings.revealNeedsApproval
                ? t("monitoring.customer.twoPersonOn")
                : t("monitoring.customer.twoPersonOff")}
            </p>
          )}
          <p className="hint">{t("monitoring.customer.twoPersonHint")}</p>
          {saved && <p role="status">{t("monitoring.saved")}</p>}
        </div>
      )}
    </section>
  );
}
