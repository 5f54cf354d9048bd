/**
 * Console: the applications awaiting review, each shown whole before it is accepted or refused (Art. 15–17).
 */

import { useState } from "react";
import { api } from "../api.ts";
import { art } from "../format.ts";
import { type MessageKey, useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import type { Contract } from "../shared/contracts.tsx";
import {
  ConfirmButton,
  ErrorBox,
  errorText,
  MoreButton,
  ScrollBox,
  SearchForm,
  Select,
  SortHeader,
  tokyoTime,
  useGet,
  useGetPages,
} from "../ui.tsx";

export function ApplicationsPage() {
  const t = useT();
  const l = useLabels();
  const [q, setQ] = useState("");
  const [sort, setSort] = useState<"received" | "-received" | "name" | "-name">("-received");
  const [data, error, reload, more] = useGetPages("/api/v1/applications", {
    query: { status: "applied", sort, ...(q ? { q } : {}) },
  });
  const [accepted, setAccepted] = useState<{
    contract: Contract;
    portalUser: { loginId: string };
    initialPassword: string;
  } | null>(null);
  const [reason, setReason] = useState("risk_of_default");
  const [reasons] = useGet("/api/v1/reasons", {});
  const [actionError, setActionError] = useState<string | null>(null);
  const act = async (fn: () => Promise<void>) => {
    setActionError(null);
    try {
      await fn();
      reload();
    } catch (err) {
      setActionError(errorText(err));
    }
  };
  return (
    <section>
      <h1>{t("applications.title")}</h1>
      <ErrorBox error={error ?? actionError} />
      {accepted && (
        <div className="card notice" role="status">
          <p>{t("applications.accepted")}</p>
          <dl>
            <dt>{t("contracts.number")}</dt>
            <dd>{accepted.contract.number}</dd>
            <dt>{t("applications.portalUser")}</dt>
            <dd data-testid="portal-user">{accepted.portalUser.loginId}</dd>
            <dt>{t("applications.initialPassword")}</dt>
            <dd>
              <code data-testid="initial-password">{accepted.initialPassword}</code>
            </dd>
          </dl>
        </div>
      )}
      <SearchForm
        id="application-search"
        label={t("applications.search")}
        button={t("customers.searchButton")}
        onSearch={setQ}
      />
      {data?.items.length === 0 && <p>{t("applications.none")}</p>}
      <Select
        id="rejectReason"
        label={t("applications.rejectReason")}
        value={reason}
        onChange={setReason}
        options={(reasons?.rejection ?? []).map((r): [string, string] => [
          r.code,
          `${t(`reject.${r.code}` as MessageKey)} (${art(r.article)})`,
        ])}
      />
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("apply.number")}</th>
              <SortHeader label={t("apply.legalName")} name="name" sort={sort} onSort={setSort} />
              <SortHeader label={t("applications.receivedOn")} name="received" sort={sort} onSort={setSort} />
              <th scope="col">{t("applications.channel")}</th>
              <th scope="col">
                <span className="sr-only">{t("list.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((a) => (
              <tr key={a.id}>
                <td>{a.number}</td>
                <td>
                  {a.form ? (
                    <details data-testid={`application-${a.number}`}>
                      <summary>{a.legalName}</summary>
                      <dl className="facts">
                        <dt>{t("apply.corporateNumber")}</dt>
                        <dd>{a.corporateNumber}</dd>
                        <dt>{t("apply.address")}</dt>
                        <dd>{a.form.address}</dd>
                        <dt>{t("apply.billingContact")}</dt>
                        <dd>
                          {a.form.billingContact.name} &lt;{a.form.billingContact.email}&gt;{" "}
                          {a.form.billingContact.phone}
                        </dd>
                        <dt>{t("apply.representatives")}</dt>
                        <dd>
                          {a.form.representatives.map((r) => `${r.name} <${r.email}> ${r.phone}`).join(" / ")}
                        </dd>
                        <dt>{t("apply.plan")}</dt>
                        <dd>{l.plan(a.form.plan)}</dd>
                        <dt>{t("apply.options")}</dt>
                        <dd>{a.form.options.map(l.option).join(", ") || "—"}</dd>
                        <dt>{t("applications.servers")}</dt>
                        <dd>
                          {a.form.servers
                            .map((x) => `${x.hostname} (${x.provider}${x.os ? `, ${x.os}` : ""})`)
                            .join(", ")}
                        </dd>
                        <dt>{t("applications.applicantEmail")}</dt>
                        <dd>{a.applicantEmail}</dd>
                        <dt>{t("applications.consent")}</dt>
                        <dd data-testid="application-consent">
                          {a.consent
                            ? t("applications.consentGiven")
                                .replace("{terms}", a.consent.termsNumber ?? t("applications.noTerms"))
                                .replace("{privacy}", a.consent.privacyNotice ?? "—")
                                .replace("{at}", tokyoTime(a.consent.at))
                            : t("applications.consentPaper")}
                        </dd>
                      </dl>
                    </details>
                  ) : (
                    a.legalName
                  )}
                </td>
                <td>{a.receivedOn}</td>
                <td>{l.channel(a.channel)}</td>
                <td>
                  <ConfirmButton
                    label={t("applications.accept")}
                    ariaLabel={`${t("applications.accept")} ${a.number}`}
                    message={`${t("confirm.accept").replace("{name}", a.legalName)}${
                      a.form
                        ? ` ${t("confirm.acceptWhat")
                            .replace("{plan}", l.plan(a.form.plan))
                            .replace("{options}", a.form.options.map(l.option).join(", ") || "—")
                            .replace("{servers}", String(a.form.servers.length))}`
                        : ""
                    }`}
                    confirm={t("confirm.acceptYes")}
                    cancel={t("confirm.cancel")}
                    onConfirm={() =>
                      act(async () => setAccepted(await api("POST", `/applications/${a.id}/accept`)))
                    }
                  />{" "}
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`${t("applications.reject")} ${a.number}`}
                    onClick={() => act(() => api("POST", `/applications/${a.id}/reject`, { reason }))}
                  >
                    {t("applications.reject")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
