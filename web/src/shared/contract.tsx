/**
 * One contract (console and portal): its state, terms, servers, timeline, actions and billing.
 */
import { type FormEvent, useState } from "react";
import { api, type Me } from "../api.ts";
import { ContractBillingPanel } from "../billing/contract-billing.tsx";
import { ContractActions } from "../console/contract-actions.tsx";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { Basis, ConfirmButton, ErrorBox, errorText, Field, ScrollBox, Select, useGet } from "../ui.tsx";
import { ChangeRequestForm, ContractChanges } from "./contract-changes.tsx";
import { ContractInventory } from "./contract-inventory.tsx";
import type { Cancellation } from "./contracts.tsx";

export function ContractPage({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const l = useLabels();
  const [c, error, reload] = useGet("/api/v1/contracts/{id}", { path: { id } });
  const isCustomerAdmin = me.user.role === "customer-admin";
  const isOps = me.user.role === "admin" || me.user.role === "operator";
  const [changesKey, setChangesKey] = useState(0);
  const [reasons] = useGet("/api/v1/reasons", {}, isOps);
  const [suspendReason, setSuspendReason] = useState("unpaid_fees");
  const suspensionArticle = reasons?.suspension.find((r) => r.code === suspendReason)?.article ?? "21(1)";
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
      <ContractInventory contractId={id} role={me.user.role} staff={me.user.kind === "staff"} />
      {isOps && live && (
        <p>
          {c.status === "active" ? (
            <>
              <Select
                id="suspendReason"
                label={t("contracts.suspendReason")}
                value={suspendReason}
                onChange={setSuspendReason}
                options={(reasons?.suspension ?? []).map((r): [string, string] => [
                  r.code,
                  `${l.reason(r.code)} (${art(r.article)})`,
                ])}
              />
              <ConfirmButton
                label={`${t("contracts.suspend")} (${art(suspensionArticle)})`}
                message={t("confirm.suspend").replace("{number}", c.number)}
                confirm={t("confirm.suspendYes")}
                cancel={t("confirm.cancel")}
                className="danger"
                onConfirm={() =>
                  act(() => api("POST", `/contracts/${id}/suspend`, { reason: suspendReason }))
                }
              />
            </>
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

export function WhatIf({
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
