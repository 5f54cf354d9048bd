import { type FormEvent, useState } from "react";
import { CONTRACT_STATUSES } from "../../src/contracts/states.ts";
import { api, type Me } from "./api.ts";
import { ContractBillingPanel } from "./billing.tsx";
import { ChangeRequestForm, ContractChanges } from "./contract-changes.tsx";
import { art } from "./format.ts";
import { useT } from "./i18n.ts";
import { useLabels } from "./labels.ts";
import { ContractActions } from "./lifecycle.tsx";
import {
  Basis,
  type BasisItem,
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  Link,
  MoreButton,
  ScrollBox,
  Select,
  tokyoTime,
  useList,
  useLoad,
} from "./ui.tsx";

interface Application {
  id: string;
  number: string;
  channel: string;
  receivedOn: string;
  legalName: string;
  corporateNumber: string;
  applicantEmail: string;
  coolingOffLastDay: string | null;
  consent: { termsNumber: string | null; privacyNotice: string | null; at: string } | null;
  form?: {
    address: string;
    billingContact: { name: string; email: string; phone: string };
    representatives: { name: string; email: string; phone: string }[];
    plan: string;
    options: string[];
    servers: { hostname: string; provider: string; os?: string; role?: string }[];
  };
}

interface Contract {
  id: string;
  number: string;
  status: string;
  plan: string;
  options: string[];
  servers: { hostname: string; provider: string }[];
  startDate: string;
  minimumTermEnd: string;
  coolingOffLastDay: string | null;
  endEffectiveOn: string | null;
  extensionDays: number;
  serviceUntil: string | null;
  channel: string;
  basis: BasisItem[];
  termsHistory?: { number: string; title: string; since: string }[];
  timeline?: {
    at: string;
    businessDate: string;
    actorKind: string;
    type: string;
    toStatus: string;
    reasonCode: string | null;
    article: string | null;
  }[];
}

interface Cancellation {
  result: { effectiveDate: string; billableMonthsFromReceipt: string[]; lastBillableMonth: string };
  basis: BasisItem[];
}

export function ApplicationsPage() {
  const t = useT();
  const l = useLabels();
  const [data, error, reload, more] = useList<Application>("/applications?status=applied");
  const [accepted, setAccepted] = useState<{
    contract: Contract;
    portalUser: { loginId: string };
    initialPassword: string;
  } | null>(null);
  const [reason, setReason] = useState("risk_of_default");
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
      {data?.items.length === 0 && <p>{t("applications.none")}</p>}
      <Select
        id="rejectReason"
        label={t("applications.rejectReason")}
        value={reason}
        onChange={setReason}
        options={(["risk_of_default", "suspension_reason", "false_statement", "other"] as const).map((r) => [
          r,
          t(`reject.${r}`),
        ])}
      />
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("apply.number")}</th>
              <th scope="col">{t("apply.legalName")}</th>
              <th scope="col">{t("applications.receivedOn")}</th>
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

export function ContractsPage({ base }: { base: string }) {
  const t = useT();
  const l = useLabels();
  const [status, setStatus] = useState("");
  const [data, error, , more] = useList<Contract>(status ? `/contracts?status=${status}` : "/contracts");
  return (
    <section>
      <h1>{t("contracts.title")}</h1>
      <Select
        id="contractStatusFilter"
        label={t("contracts.filterStatus")}
        value={status}
        onChange={setStatus}
        options={[["", t("list.all")], ...CONTRACT_STATUSES.map((s): [string, string] => [s, l.status(s)])]}
      />
      <ErrorBox error={error} />
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("contracts.number")}</th>
              <th scope="col">{t("contracts.status")}</th>
              <th scope="col">{t("contracts.plan")}</th>
              <th scope="col">{t("contracts.startDate")}</th>
              <th scope="col">{t("contracts.minimumTermEnd")}</th>
              <th scope="col">{t("contracts.endEffective")}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`${base}/contracts/${c.id}`}>{c.number}</Link>
                </td>
                <td>{l.status(c.status)}</td>
                <td>{l.plan(c.plan)}</td>
                <td>{c.startDate}</td>
                <td>{c.minimumTermEnd}</td>
                <td>{c.endEffectiveOn ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

export function ContractPage({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const l = useLabels();
  const [c, error, reload] = useLoad<Contract>(`/contracts/${id}`);
  const isCustomerAdmin = me.user.role === "customer-admin";
  const isOps = me.user.role === "admin" || me.user.role === "operator";
  const [changesKey, setChangesKey] = useState(0);
  const [actionError, setActionError] = useState<string | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await fn();
      reload();
    } catch (err) {
      setActionError(errorText(err));
    }
  };
  if (!c) return <ErrorBox error={error} />;
  const live = ["active", "suspended"].includes(c.status);
  return (
    <section>
      <h1>
        {t("contracts.number")} <span data-value>{c.number}</span>
      </h1>
      <ErrorBox error={error ?? actionError} />
      <dl className="facts">
        <dt>{t("contracts.status")}</dt>
        <dd data-testid="contract-status">{l.status(c.status)}</dd>
        <dt>{t("contracts.plan")}</dt>
        <dd>
          {l.plan(c.plan)}
          {c.options.length > 0 && ` (${c.options.map(l.option).join(", ")})`}
        </dd>
        <dt>{t("contracts.startDate")}</dt>
        <dd>
          {c.startDate} ({art("13")})
        </dd>
        <dt>{t("contracts.minimumTermEnd")}</dt>
        <dd>
          {c.minimumTermEnd} — {t("contracts.renewal")}
        </dd>
        {c.coolingOffLastDay && (
          <>
            <dt>{t("contracts.coolingOff")}</dt>
            <dd>
              {c.coolingOffLastDay} ({art("42")})
            </dd>
          </>
        )}
        {c.endEffectiveOn && (
          <>
            <dt>{t("contracts.endEffective")}</dt>
            <dd data-testid="end-effective">{c.endEffectiveOn}</dd>
          </>
        )}
        {c.extensionDays > 0 && (
          <>
            <dt>{t("contracts.extension")}</dt>
            <dd data-testid="extension">
              {t("contracts.extensionDays").replace("{n}", String(c.extensionDays))}
              {c.serviceUntil ? ` — ${t("contracts.serviceUntil")} ${c.serviceUntil}` : ""} ({art("36(2)")})
            </dd>
          </>
        )}
        <dt>{t("contracts.terms")}</dt>
        <dd>{c.termsHistory?.map((h) => `${h.number} (${h.since}〜)`).join(" → ") || "IS6-035-00-S"}</dd>
        <dt>{t("contracts.servers")}</dt>
        <dd>{c.servers.map((s) => s.hostname).join(", ")}</dd>
      </dl>
      <Basis basis={c.basis} title={t("contracts.why")} />
      {isOps && live && (
        <p>
          {c.status === "active" ? (
            <ConfirmButton
              label={`${t("contracts.suspend")} (21(1)(1))`}
              message={t("confirm.suspend").replace("{number}", c.number)}
              confirm={t("confirm.suspendYes")}
              cancel={t("confirm.cancel")}
              className="danger"
              onConfirm={() => act(() => api("POST", `/contracts/${id}/suspend`, { reason: "unpaid_fees" }))}
            />
          ) : (
            <ConfirmButton
              label={t("contracts.resume")}
              message={t("confirm.resume").replace("{number}", c.number)}
              confirm={t("confirm.resumeYes")}
              cancel={t("confirm.cancel")}
              onConfirm={() => act(() => api("POST", `/contracts/${id}/resume`, {}))}
            />
          )}
        </p>
      )}
      {isOps && <ContractActions id={id} me={me} onDone={reload} />}
      <WhatIf
        id={id}
        canCancel={isCustomerAdmin && live}
        onCancelled={reload}
        coolingOff={isCustomerAdmin && live && c.channel === "web" ? c.coolingOffLastDay : null}
      />
      <ContractBillingPanel id={id} me={me} onChanged={reload} />
      <ContractChanges key={`changes-${changesKey}`} contractId={id} me={me} onChanged={reload} />
      {live && (isOps || isCustomerAdmin) && (
        <ChangeRequestForm
          key={c.plan + c.options.join()}
          contract={c}
          me={me}
          onSent={() => {
            setChangesKey((n) => n + 1);
            reload();
          }}
        />
      )}
      <h2>{t("contracts.timeline")}</h2>
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("contracts.date")}</th>
              <th scope="col">{t("contracts.event")}</th>
              <th scope="col">{t("contracts.status")}</th>
              <th scope="col">{t("contracts.article")}</th>
            </tr>
          </thead>
          <tbody>
            {c.timeline?.map((e) => (
              <tr key={`${e.at}-${e.type}`}>
                <td>{e.businessDate}</td>
                <td>
                  {l.event(e.type)}
                  {e.reasonCode ? ` (${l.reason(e.reasonCode)})` : ""} — {l.actor(e.actorKind)}
                </td>
                <td>{l.status(e.toStatus)}</td>
                <td>{e.article ? art(e.article) : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}

function WhatIf({
  id,
  canCancel,
  onCancelled,
  coolingOff,
}: {
  id: string;
  canCancel: boolean;
  onCancelled: () => void;
  coolingOff: string | null;
}) {
  const t = useT();
  const [received, setReceived] = useState("");
  const [month, setMonth] = useState("");
  const [result, setResult] = useState<Cancellation | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const calc = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(null);
    const q = new URLSearchParams({ ...(received ? { received } : {}), ...(month ? { month } : {}) });
    try {
      setResult(await api("GET", `/contracts/${id}/what-if?${q}`));
    } catch (err) {
      setResult(null);
      setError(errorText(err));
    }
  };
  const confirm = async () => {
    setError(null);
    try {
      await api("POST", `/contracts/${id}/cancellation`, month ? { month } : {});
      setDone(true);
      onCancelled();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section className="card" aria-labelledby="whatif-title">
      <h2 id="whatif-title">{canCancel ? t("contracts.cancel") : t("contracts.whatIf")}</h2>
      <form onSubmit={calc} className="inline">
        {!canCancel && (
          <Field
            id="whatIfReceived"
            label={t("contracts.whatIfReceived")}
            type="date"
            value={received}
            onChange={setReceived}
            required={false}
          />
        )}
        <Field
          id="whatIfMonth"
          label={t("contracts.whatIfMonth")}
          value={month}
          onChange={setMonth}
          required={false}
          hint="2027-03"
        />
        <button type="submit">{t("contracts.calculate")}</button>
      </form>
      <ErrorBox error={error} />
      {result && (
        <div aria-live="polite">
          <p>
            {t("contracts.effectiveDate")}:{" "}
            <strong data-testid="whatif-effective">{result.result.effectiveDate}</strong>
          </p>
          <p>
            {t("contracts.billableMonths")}: {result.result.billableMonthsFromReceipt.join(", ")}
          </p>
          <Basis basis={result.basis} title={t("contracts.why")} />
          {canCancel && !done && (
            <button type="button" className="danger" onClick={confirm}>
              {t("contracts.cancelConfirm")}
            </button>
          )}
        </div>
      )}
      {done && <p role="status">{t("contracts.cancelled")}</p>}
      {coolingOff && !done && (
        <p>
          <button
            type="button"
            className="secondary"
            onClick={async () => {
              try {
                await api("POST", `/contracts/${id}/cooling-off`);
                onCancelled();
              } catch (err) {
                setError(errorText(err));
              }
            }}
          >
            {t("contracts.coolingOffCancel")} ({coolingOff} まで)
          </button>
        </p>
      )}
    </section>
  );
}
