/**
 * A contract's servers and cloud resources under monitoring (Art. 4), on the contract's page: each with
 * its state; for staff, the servers the contract lists but not yet registered (registered in one go),
 * the inventory as CSV (export, and import: every row or none, a refused file naming its line).
 */
import { type ChangeEvent, useRef, useState } from "react";
import { ActionForm } from "../action-form.tsx";
import { ApiFailure, api, upload } from "../api.ts";
import { art, count } from "../format.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { ErrorBox, errorText, Field, Link, ScrollBox, Select, useGet } from "../ui.tsx";
import { OsText, StateBadge } from "./monitoring.tsx";

const SERVICE_ROLES = ["admin", "operator", "engineer"];

export function ContractInventory({
  contractId,
  role,
  staff,
}: {
  contractId: string;
  role: string;
  staff: boolean;
}) {
  const t = useT();
  const l = useLabels();
  const [data, error, reload] = useGet("/api/v1/contracts/{id}/inventory", { path: { id: contractId } });
  const manages = staff && SERVICE_ROLES.includes(role);
  const [actionError, setActionError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const registerListed = async () => {
    setActionError(null);
    setDone(null);
    try {
      const r = await api<{ created: number; updated: number }>(
        "POST",
        `/contracts/${contractId}/inventory/from-contract`,
      );
      setDone(t("monitoring.inventory.registered").replace("{n}", String(r.created)));
      reload();
    } catch (err) {
      setActionError(errorText(err));
    }
  };
  /** A refused file: its line first, then what is wrong in the reader's words where there are some. */
  const importError = (err: unknown) => {
    if (!(err instanceof ApiFailure)) return errorText(err);
    const details = (err.error.details ?? {}) as Record<string, unknown>;
    const line =
      typeof details.line === "number" ? String(details.line) : /^line (\d+)/.exec(err.error.message)?.[1];
    const problem = (field: string) =>
      Array.isArray(details[field]) ? (details[field] as string[])[0] : null;
    let what = errorText(err);
    if (problem("name") === "not_on_contract")
      what = `${t("monitoring.inventory.notOnContract")} (${art(err.error.article ?? "20(2)")})`;
    else if (problem("options") === "option_not_contracted")
      what = `${t("monitoring.inventory.optionNotContracted")} (${art(err.error.article ?? "4")})`;
    return line ? `${t("monitoring.inventory.line").replace("{n}", line)} ${what}` : what;
  };
  const importCsv = async () => {
    if (!chosen) return;
    setActionError(null);
    setDone(null);
    try {
      const r = await upload<{ created: number; updated: number }>(
        `/contracts/${contractId}/inventory/import`,
        chosen,
        "text/csv",
      );
      setDone(
        t("monitoring.inventory.imported")
          .replace("{created}", String(r.created))
          .replace("{updated}", String(r.updated)),
      );
      setChosen(null);
      if (file.current) file.current.value = "";
      reload();
    } catch (err) {
      setActionError(importError(err));
    }
  };
  const base = staff ? "/console" : "/portal";
  return (
    <section aria-labelledby="inventory-title" data-testid="contract-inventory">
      <h2 id="inventory-title">{t("monitoring.inventory.title")}</h2>
      <p className="hint">
        {t("monitoring.inventory.lead")} ({art("4")})
      </p>
      <ErrorBox error={error ?? actionError} />
      {done && (
        <p role="status" className="notice">
          {done}
        </p>
      )}
      {data && data.registered.length > 0 && (
        <ScrollBox>
          <table className="mon" data-testid="inventory-items">
            <thead>
              <tr>
                <th scope="col">{t("monitoring.server")}</th>
                <th scope="col">{t("monitoring.provider")}</th>
                <th scope="col">{t("monitoring.os")}</th>
                <th scope="col">{t("monitoring.role")}</th>
                <th scope="col">{t("monitoring.state")}</th>
                <th scope="col" className="num">
                  {t("monitoring.checks")}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.registered.map((i) => (
                <tr key={i.id}>
                  <td>
                    {staff ? (
                      <Link to={`/console/servers/${i.id}`}>
                        <span data-value>{i.name}</span>
                      </Link>
                    ) : (
                      <span data-value>{i.name}</span>
                    )}
                    {i.kind !== "server" && <span className="hint"> ({l.itemKind(i.kind)})</span>}
                    {!i.onContract && <span className="hint"> ({t("monitoring.offContract")})</span>}
                  </td>
                  <td>
                    {l.provider(i.provider)}
                    {i.region && (
                      <>
                        {" · "}
                        <span data-value>{i.region}</span>
                      </>
                    )}
                  </td>
                  <td>
                    <OsText family={i.osFamily} version={i.osVersion} />
                  </td>
                  <td>{i.role ? <span data-value>{i.role}</span> : "—"}</td>
                  <td className="state">
                    <StateBadge state={i.state} />
                  </td>
                  <td className="num">{count(i.checks)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {data && data.registered.length === 0 && <p className="hint">{t("monitoring.inventory.none")}</p>}
      {!staff && data && data.registered.length > 0 && (
        <p>
          <Link to={`${base}/servers`}>{t("monitoring.inventory.toPortal")}</Link>
        </p>
      )}
      {staff && data && data.unregistered.length > 0 && (
        <div className="card" data-testid="inventory-unregistered">
          <p>
            {t("monitoring.inventory.unregistered")} <span data-value>{data.unregistered.join(", ")}</span>
          </p>
          {manages && (
            <button type="button" onClick={registerListed}>
              {t("monitoring.inventory.registerListed")}
            </button>
          )}
        </div>
      )}
      {manages && data && (
        <RegisterItem contractId={contractId} unregistered={data.unregistered} onDone={reload} />
      )}
      {staff && (
        <div className="inline csv">
          <p>
            <a href={`/api/v1/contracts/${contractId}/inventory.csv`} download>
              {t("monitoring.inventory.export")}
            </a>
          </p>
          {manages && (
            <>
              <div className="field">
                <label htmlFor="inventoryCsv">{t("monitoring.inventory.importFile")}</label>
                <input
                  ref={file}
                  id="inventoryCsv"
                  type="file"
                  accept=".csv,text/csv"
                  aria-describedby="inventoryCsv-hint"
                  onChange={(e: ChangeEvent<HTMLInputElement>) => setChosen(e.target.files?.[0] ?? null)}
                />
                <small id="inventoryCsv-hint" className="hint">
                  {t("monitoring.inventory.importHint")}
                </small>
              </div>
              <button type="button" onClick={importCsv} disabled={!chosen}>
                {t("monitoring.inventory.import")}
              </button>
            </>
          )}
        </div>
      )}
    </section>
  );
}

const PROVIDERS = ["aws", "azure", "gcp", "other"] as const;

/**
 * Register one item: a server the contract lists (picked from those not registered yet) or a cloud
 * resource by its name (Art. 4); the rest can be added on the server's page.
 */
function RegisterItem({
  contractId,
  unregistered,
  onDone,
}: {
  contractId: string;
  unregistered: string[];
  onDone: () => void;
}) {
  const t = useT();
  const l = useLabels();
  const [chosenKind, setKind] = useState<"server" | "cloud_resource">("server");
  // A server only while the contract lists one not registered yet; otherwise a cloud resource.
  const kind = unregistered.length ? chosenKind : "cloud_resource";
  const [server, setServer] = useState("");
  const [name, setName] = useState("");
  const [provider, setProvider] = useState<string>("aws");
  const [account, setAccount] = useState("");
  const [region, setRegion] = useState("");
  const [addresses, setAddresses] = useState("");
  const [role, setRole] = useState("");
  const text = (v: string) => (v.trim() ? v.trim() : undefined);
  return (
    <ActionForm
      title={t("monitoring.register.title")}
      submit={t("monitoring.register.submit")}
      onSubmit={async () => {
        await api("POST", `/contracts/${contractId}/inventory`, {
          kind,
          name: kind === "server" ? server || unregistered[0] : name.trim(),
          provider,
          account: text(account),
          region: text(region),
          addresses: addresses.split(/[\s,、]+/).filter(Boolean),
          role: text(role),
        });
        setName("");
        onDone();
      }}
    >
      <div className="form-grid">
        <Select
          id="registerKind"
          label={t("monitoring.itemKind")}
          value={kind}
          onChange={(v) => setKind(v as "server" | "cloud_resource")}
          options={(unregistered.length
            ? (["server", "cloud_resource"] as const)
            : (["cloud_resource"] as const)
          ).map((k): [string, string] => [k, l.itemKind(k)])}
        />
        {kind === "server" ? (
          <Select
            id="registerServer"
            label={t("monitoring.register.name")}
            value={server || (unregistered[0] ?? "")}
            onChange={setServer}
            options={unregistered.map((h): [string, string] => [h, h])}
            dataOptions
          />
        ) : (
          <Field id="registerName" label={t("monitoring.register.name")} value={name} onChange={setName} />
        )}
        <Select
          id="registerProvider"
          label={t("monitoring.provider")}
          value={provider}
          onChange={setProvider}
          options={PROVIDERS.map((p): [string, string] => [p, l.provider(p)])}
        />
        <Field
          id="registerAccount"
          label={t("monitoring.account")}
          value={account}
          onChange={setAccount}
          required={false}
        />
        <Field
          id="registerRegion"
          label={t("monitoring.region")}
          value={region}
          onChange={setRegion}
          required={false}
          hint="ap-northeast-1"
        />
        <Field
          id="registerAddresses"
          label={t("monitoring.addresses")}
          value={addresses}
          onChange={setAddresses}
          required={false}
          hint={t("monitoring.edit.addressesHint")}
        />
        <Field
          id="registerRole"
          label={t("monitoring.role")}
          value={role}
          onChange={setRole}
          required={false}
        />
      </div>
      {unregistered.length === 0 && <p className="hint">{t("monitoring.register.noneListed")}</p>}
    </ActionForm>
  );
}
