/**
 * Portal: the company's servers and cloud resources under monitoring (Art. 4), each with its checks
 * and their state (read-only), and who revealed the credentials the provider holds for them, when and
 * why (Art. 7(1)).
 */
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { ChecksTable, OsText, RevealLog, StateBadge, useEvery } from "../shared/monitoring.tsx";
import { ErrorBox, MoreButton, useGet, useGetAll, useGetPages } from "../ui.tsx";

export function MyServersPage() {
  const t = useT();
  const l = useLabels();
  const [items, error, reload, more] = useGetPages("/api/v1/inventory", {});
  const [checks, checksError, reloadChecks] = useGetAll("/api/v1/checks", {});
  const [reveals, revealsError] = useGet("/api/v1/reveals", {});
  useEvery(60_000, () => {
    reload();
    reloadChecks();
  });
  return (
    <section>
      <h1>{t("monitoring.portal.servers")}</h1>
      <p className="hint">
        {t("monitoring.portal.serversLead")} ({art("4")})
      </p>
      <ErrorBox error={error ?? checksError ?? revealsError} />
      {items?.items.length === 0 && <p className="hint">{t("monitoring.inventory.none")}</p>}
      {items?.items.map((i) => {
        const own = checks?.filter((c) => c.itemId === i.id) ?? [];
        return (
          <article key={i.id} className="card" aria-labelledby={`item-${i.id}`} data-testid="my-server">
            <h2 id={`item-${i.id}`}>
              <span data-value>{i.name}</span>
            </h2>
            <dl className="facts">
              <dt>{t("monitoring.state")}</dt>
              <dd>
                <StateBadge state={i.state} />
              </dd>
              <dt>{t("contracts.number")}</dt>
              <dd>
                <span data-value>{i.contractNumber}</span>
              </dd>
              <dt>{t("monitoring.provider")}</dt>
              <dd>
                {l.provider(i.provider)}
                {i.region && (
                  <>
                    {" · "}
                    <span data-value>{i.region}</span>
                  </>
                )}
              </dd>
              <dt>{t("monitoring.os")}</dt>
              <dd>
                <OsText family={i.osFamily} version={i.osVersion} />
              </dd>
              <dt>{t("monitoring.role")}</dt>
              <dd>{i.role ? <span data-value>{i.role}</span> : "—"}</dd>
            </dl>
            <h3>{t("monitoring.checks")}</h3>
            {own.length > 0 ? (
              <ChecksTable checks={own} links={false} />
            ) : (
              <p className="hint">{t("monitoring.noChecks")}</p>
            )}
          </article>
        );
      })}
      <MoreButton more={more} label={t("list.more")} />
      <h2>{t("monitoring.portal.reveals")}</h2>
      <p className="hint">
        {t("monitoring.portal.revealsLead")} ({art("7(1)")})
      </p>
      <RevealLog reveals={reveals ?? []} showItem testId="my-reveals" />
      {reveals?.length === 0 && <p className="hint">{t("monitoring.reveal.none")}</p>}
    </section>
  );
}
