/**
 * Console: one server or cloud resource (Art. 4) — its details and their editing, its checks and a
 * form to add one (the fields follow the kind), the credentials held for it (Art. 7(1)): stored
 * sealed, revealed with a reason (re-authenticated; after a second staff member's approval where the
 * customer asks for it), every reveal on record and visible to the customer — and its retirement.
 */
import { type FormEvent, useState } from "react";
import { api, type Me } from "../api.ts";
import type { GetData } from "../client.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { navigate } from "../router.ts";
import { ChecksTable, OsText, StateBadge, useEvery } from "../shared/monitoring.tsx";
import {
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  Link,
  Select,
  tokyoTime,
  useAction,
  useGet,
  useGetAll,
} from "../ui.tsx";
import { AddCheck } from "./add-check.tsx";
import { Credentials } from "./credentials.tsx";
import { Check, CUSTODY_ROLES, OS_FAMILIES, PROVIDERS, SERVICE_ROLES, TextArea } from "./form-fields.tsx";

type Item = GetData<"/api/v1/inventory/{id}">;

export function ServerPage({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const l = useLabels();
  const [item, error, reload] = useGet("/api/v1/inventory/{id}", { path: { id } });
  const [checks, checksError, reloadChecks] = useGetAll("/api/v1/checks", { query: { itemId: id } });
  // While a check is still being confirmed the page follows it closely, then every half minute.
  const pending = (checks?.some((c) => c.state === "pending") ?? false) || item?.state === "pending";
  useEvery(pending ? 4000 : 30_000, () => {
    reload();
    reloadChecks();
  });
  const service = SERVICE_ROLES.includes(me.user.role);
  const custody = CUSTODY_ROLES.includes(me.user.role);
  const [retireError, act] = useAction(reload);
  if (!item) return <ErrorBox error={error} />;
  return (
    <section>
      <p>
        <Link to="/console/servers">← {t("monitoring.servers.title")}</Link>
      </p>
      <h1>
        <span data-value>{item.name}</span>
      </h1>
      <ErrorBox error={error ?? checksError ?? retireError} />
      <dl className="facts" data-testid="server-facts">
        <dt>{t("monitoring.state")}</dt>
        <dd>
          <StateBadge state={item.state} />
        </dd>
        <dt>{t("monitoring.customer")}</dt>
        <dd>
          <Link to={`/console/customers/${item.customerId}`}>
            <span data-value>{item.customerName}</span>
          </Link>
        </dd>
        <dt>{t("contracts.number")}</dt>
        <dd>
          <Link to={`/console/contracts/${item.contractId}`}>
            <span data-value>{item.contractNumber}</span>
          </Link>{" "}
          ({l.plan(item.plan)}
          {item.options.length > 0 && ` · ${item.options.map(l.option).join(", ")}`})
          {!item.onContract && (
            <strong>
              {" "}
              {t("monitoring.offContract")} ({art("20(2)")})
            </strong>
          )}
        </dd>
        <dt>{t("monitoring.itemKind")}</dt>
        <dd>{l.itemKind(item.kind)}</dd>
        <dt>{t("monitoring.provider")}</dt>
        <dd>
          {l.provider(item.provider)}
          {item.account && (
            <>
              {" · "}
              {t("monitoring.account")} <span data-value>{item.account}</span>
            </>
          )}
          {item.region && (
            <>
              {" · "}
              <span data-value>{item.region}</span>
            </>
          )}
        </dd>
        <dt>{t("monitoring.addresses")}</dt>
        <dd>{item.addresses.length ? <span data-value>{item.addresses.join(", ")}</span> : "—"}</dd>
        <dt>{t("monitoring.os")}</dt>
        <dd>
          <OsText family={item.osFamily} version={item.osVersion} />
        </dd>
        <dt>{t("monitoring.role")}</dt>
        <dd>{item.role ? <span data-value>{item.role}</span> : "—"}</dd>
        <dt>{t("monitoring.notes")}</dt>
        <dd>{item.notes ? <span data-value>{item.notes}</span> : "—"}</dd>
        <dt>{t("monitoring.registeredAt")}</dt>
        <dd>{tokyoTime(item.createdAt)}</dd>
      </dl>
      {service && <EditItem key={item.createdAt + item.notes} item={item} onSaved={reload} />}

      <h2>{t("monitoring.checks")}</h2>
      <ChecksTable checks={checks ?? []} />
      {checks?.length === 0 && <p className="hint">{t("monitoring.noChecks")}</p>}
      {service && checks && checks.length > 0 && (
        <PauseAll
          itemId={item.id}
          anyPaused={checks.some((c) => c.paused)}
          onDone={() => {
            reloadChecks();
            reload();
          }}
        />
      )}
      {service && (
        <AddCheck
          item={item}
          onAdded={() => {
            reloadChecks();
            reload();
          }}
        />
      )}

      <Credentials item={item} me={me} custody={custody} onChanged={reload} />

      {service && (
        <section className="card danger-zone" aria-labelledby="retire-title">
          <h2 id="retire-title">{t("monitoring.retire.title")}</h2>
          <p className="hint">{t("monitoring.retire.lead")}</p>
          <ConfirmButton
            label={t("monitoring.retire.button")}
            message={t("monitoring.retire.confirm")
              .replace("{name}", item.name)
              .replace("{n}", String(item.checks))}
            confirm={t("monitoring.retire.yes")}
            cancel={t("confirm.cancel")}
            className="danger"
            onConfirm={() =>
              act(async () => {
                await api("DELETE", `/inventory/${item.id}`);
                navigate("/console/servers");
              })
            }
          />
        </section>
      )}
    </section>
  );
}

function EditItem({ item, onSaved }: { item: Item; onSaved: () => void }) {
  const t = useT();
  const l = useLabels();
  const [contract] = useGet("/api/v1/contracts/{id}", { path: { id: item.contractId } });
  const [provider, setProvider] = useState<string>(item.provider);
  const [account, setAccount] = useState(item.account ?? "");
  const [region, setRegion] = useState(item.region ?? "");
  const [addresses, setAddresses] = useState(item.addresses.join(", "));
  const [osFamily, setOsFamily] = useState(item.osFamily ?? "");
  const [osVersion, setOsVersion] = useState(item.osVersion ?? "");
  const [role, setRole] = useState(item.role ?? "");
  const [options, setOptions] = useState<string[]>(item.options);
  const [notes, setNotes] = useState(item.notes ?? "");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    // An emptied field is cleared (null); the API keeps what is not sent.
    const text = (v: string) => (v.trim() ? v.trim() : null);
    try {
      await api("PATCH", `/inventory/${item.id}`, {
        provider,
        account: text(account),
        region: text(region),
        addresses: addresses.split(/[\s,、]+/).filter(Boolean),
        osFamily: text(osFamily),
        osVersion: text(osVersion),
        role: text(role),
        options,
        notes: notes.trim(),
      });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details className="card edit">
      <summary>{t("monitoring.edit.title")}</summary>
      <form onSubmit={submit} aria-label={t("monitoring.edit.title")}>
        <div className="form-grid">
          <Select
            id="itemProvider"
            label={t("monitoring.provider")}
            value={provider}
            onChange={setProvider}
            options={PROVIDERS.map((p): [string, string] => [p, l.provider(p)])}
          />
          <Field
            id="itemAccount"
            label={t("monitoring.account")}
            value={account}
            onChange={setAccount}
            required={false}
          />
          <Field
            id="itemRegion"
            label={t("monitoring.region")}
            value={region}
            onChange={setRegion}
            required={false}
            hint="ap-northeast-1"
          />
          <Field
            id="itemAddresses"
            label={t("monitoring.addresses")}
            value={addresses}
            onChange={setAddresses}
            required={false}
            hint={t("monitoring.edit.addressesHint")}
          />
          <Select
            id="itemOsFamily"
            label={t("monitoring.osFamily")}
            value={osFamily}
            onChange={setOsFamily}
            options={[["", "—"], ...OS_FAMILIES.map((f): [string, string] => [f, l.osFamily(f)])]}
            dataOptions
          />
          <Field
            id="itemOsVersion"
            label={t("monitoring.osVersion")}
            value={osVersion}
            onChange={setOsVersion}
            required={false}
            hint="9.4, 22.04, 2022"
          />
          <Field
            id="itemRole"
            label={t("monitoring.role")}
            value={role}
            onChange={setRole}
            required={false}
          />
        </div>
        {contract && contract.options.length > 0 && (
          <fieldset>
            <legend>{t("monitoring.edit.options")}</legend>
            {contract.options.map((o) => (
              <Check
                key={o}
                id={`itemOption-${o}`}
                label={l.option(o)}
                checked={options.includes(o)}
                onChange={(on) => setOptions(on ? [...options, o] : options.filter((x) => x !== o))}
              />
            ))}
          </fieldset>
        )}
        <TextArea id="itemNotes" label={t("monitoring.notes")} value={notes} onChange={setNotes} />
        <ErrorBox error={error} />
        {saved && <p role="status">{t("monitoring.saved")}</p>}
        <button type="submit">{t("monitoring.edit.save")}</button>
      </form>
    </details>
  );
}

const PAUSE_REASONS = ["emergency_stop", "maintenance", "manual"] as const;
const PAUSE_ARTICLE: Record<string, string | undefined> = { emergency_stop: "22(1)", maintenance: "23(1)" };

/**
 * Every check of the server paused at once — the server's emergency stop (Art. 22) or planned
 * maintenance (Art. 23): what it is down for is not counted against its uptime — or resumed.
 */
function PauseAll({ itemId, anyPaused, onDone }: { itemId: string; anyPaused: boolean; onDone: () => void }) {
  const t = useT();
  const l = useLabels();
  const [reason, setReason] = useState<string>("maintenance");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (how: "pause" | "resume") => {
    setError(null);
    setDone(null);
    try {
      const r = await api<{ changed: number }>(
        "POST",
        `/inventory/${itemId}/${how}`,
        how === "pause" ? { reason } : undefined,
      );
      setDone(
        t(how === "pause" ? "monitoring.pauseAll.paused" : "monitoring.pauseAll.resumed").replace(
          "{n}",
          String(r.changed),
        ),
      );
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details className="card edit" data-testid="pause-all">
      <summary>{t("monitoring.pauseAll.title")}</summary>
      <p className="hint">{t("monitoring.pauseAll.lead")}</p>
      <form
        className="inline"
        aria-label={t("monitoring.pauseAll.title")}
        onSubmit={(e) => {
          e.preventDefault();
          void run("pause");
        }}
      >
        <Select
          id="pauseAllReason"
          label={t("monitoring.pause.reason")}
          value={reason}
          onChange={setReason}
          options={PAUSE_REASONS.map((r): [string, string] => {
            const article = PAUSE_ARTICLE[r];
            return [r, article ? `${l.pauseReason(r)} (${art(article)})` : l.pauseReason(r)];
          })}
        />
        <button type="submit">{t("monitoring.pauseAll.submit")}</button>
        {anyPaused && (
          <button type="button" className="secondary" onClick={() => void run("resume")}>
            {t("monitoring.pauseAll.resume")}
          </button>
        )}
      </form>
      <ErrorBox error={error} />
      {done && <p role="status">{done}</p>}
    </details>
  );
}

/** Numbers typed into a form: empty is "not given", anything else goes as a number for the API to judge. */
