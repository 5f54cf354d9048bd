import { type MessageKey, useT } from "../i18n.ts";
import { ChangeSteps } from "../shared/contract-changes.tsx";
import { ErrorBox, Link, MoreButton, ScrollBox, useGetPages } from "../ui.tsx";

/** Staff's queue: changes waiting for confirmation, the oldest first. */
export function ChangeQueuePage() {
  const t = useT();
  const [list, error, , more] = useGetPages("/api/v1/contract-changes", { query: { status: "requested" } });
  return (
    <section>
      <h1>{t("changes.queue")}</h1>
      <p className="hint">{t("changes.pendingHint")}</p>
      <ErrorBox error={error} />
      {list && list.items.length === 0 && <p>{t("changes.none")}</p>}
      {list && list.items.length > 0 && (
        <ScrollBox>
          <table data-testid="change-queue">
            <thead>
              <tr>
                <th scope="col">{t("contracts.number")}</th>
                <th scope="col">{t("changes.receivedOn")}</th>
                <th scope="col">{t("changes.what")}</th>
                <th scope="col">{t("changes.channel")}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/console/contracts/${c.contractId}`}>{c.contractNumber ?? c.contractId}</Link>
                  </td>
                  <td>{c.receivedOn}</td>
                  <td>
                    <ChangeSteps before={c.before} after={c.after} />
                  </td>
                  <td>{t(`changes.channel.${c.channel}` as MessageKey)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
