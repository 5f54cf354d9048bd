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
import {
  ChecksTable,
  OnceBox,
  OsText,
  RevealLog,
  StateBadge,
  useEvery,
  useReauthenticated,
} from "../shared/monitoring.tsx";
import {
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  Link,
  queryClient,
  ScrollBox,
  Select,
  tokyoTime,
  useAction,
  useGet,
  useGetAll,
} from "../ui.tsx";

type Item = GetData<"/api/v1/inventory/{id}">;
type Credential = GetData<"/api/v1/inventory/{id}/credentials">[number];

const SERVICE_ROLES = ["admin", "operator", "engineer"];
const CUSTODY_ROLES = ["admin", "engineer"];
const PROVIDERS = ["aws", "azure", "gcp", "other"] as const;
const OS_FAMILIES = [
  "rhel",
  "almalinux",
  "rocky",
  "centos",
  "ubuntu",
  "debian",
  "amazon_linux",
  "suse",
  "windows_server",
  "other",
] as const;
const CHECK_KINDS = ["http", "tcp", "icmp", "tls", "dns", "heartbeat"] as const;
type CheckKind = (typeof CHECK_KINDS)[number];
const CREDENTIAL_KINDS = ["root_password", "ssh_private_key", "cloud_api_key", "other"] as const;
const DNS_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"] as const;
const METHODS = ["GET", "HEAD", "POST", "PUT"] as const;

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

function TextArea(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  rows?: number;
  hint?: string;
  required?: boolean;
  mono?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        name={props.id}
        rows={props.rows ?? 3}
        value={props.value}
        required={props.required ?? false}
        className={props.mono ? "mono" : undefined}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
      />
      {props.hint && (
        <small id={`${props.id}-hint`} className="hint">
          {props.hint}
        </small>
      )}
    </div>
  );
}

function Check(props: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div className="check">
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <label htmlFor={props.id}>{props.label}</label>
    </div>
  );
}

/** A server's details, changed by staff (the name and kind stay: they are what the contract lists). */
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
    const text = (v: string) => (v.trim() ? v.trim() : undefined);
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
const num = (v: string) => (v.trim() === "" ? undefined : Number(v));

/** A check's settings from the form, by kind (the advanced HTTP ones only when given). */
function settingsOf(kind: CheckKind, f: Record<string, string>, flags: Record<string, boolean>) {
  const given = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);
  switch (kind) {
    case "http": {
      const headers = Object.fromEntries(
        f
          .headers!.split("\n")
          .map((line) => line.match(/^\s*([^:]+?)\s*:\s*(.*)$/))
          .filter((m): m is RegExpMatchArray => m !== null)
          .map((m) => [m[1]!, m[2]!]),
      );
      const statuses = f
        .expectStatus!.split(/[\s,、]+/)
        .filter(Boolean)
        .map(Number);
      return {
        url: f.url!.trim(),
        method: f.method,
        ...(Object.keys(headers).length ? { headers } : {}),
        ...(f.body ? { body: f.body } : {}),
        ...(statuses.length ? { expectStatus: statuses } : {}),
        ...(given(f.keyword) ? { keyword: f.keyword, keywordAbsent: flags.keywordAbsent } : {}),
        ...(given(f.jsonPath) ? { jsonPath: f.jsonPath!.trim(), jsonEquals: f.jsonEquals ?? "" } : {}),
        ...(num(f.maxLatencyMs!) !== undefined ? { maxLatencyMs: num(f.maxLatencyMs!) } : {}),
        verifyTls: flags.verifyTls,
      };
    }
    case "tcp":
      return { host: f.host!.trim(), port: num(f.port!) };
    case "icmp":
      return { host: f.host!.trim() };
    case "tls":
      return {
        host: f.host!.trim(),
        port: num(f.tlsPort!),
        minDaysLeft: num(f.minDaysLeft!),
        ...(given(f.serverName) ? { serverName: f.serverName!.trim() } : {}),
      };
    case "dns":
      return {
        name: f.dnsName!.trim(),
        recordType: f.recordType,
        expected: f
          .expected!.split(/[\n,、]+/)
          .map((s) => s.trim())
          .filter(Boolean),
        ...(given(f.dnsServer) ? { server: f.dnsServer!.trim() } : {}),
      };
    case "heartbeat":
      return { graceS: num(f.graceS!) };
  }
}

/** Add a check to the server: the fields follow the kind; sensible defaults; the rarer HTTP ones folded. */
function AddCheck({ item, onAdded }: { item: Item; onAdded: () => void }) {
  const t = useT();
  const l = useLabels();
  const host = item.addresses[0] ?? item.name;
  const initial = {
    name: "",
    intervalS: "60",
    timeoutMs: "10000",
    retries: "0",
    downAfter: "1",
    url: `https://${item.name}/`,
    method: "GET",
    headers: "",
    body: "",
    expectStatus: "",
    keyword: "",
    jsonPath: "",
    jsonEquals: "",
    maxLatencyMs: "",
    host,
    port: "22",
    tlsPort: "443",
    minDaysLeft: "14",
    serverName: "",
    dnsName: item.name,
    recordType: "A",
    expected: "",
    dnsServer: "",
    graceS: "60",
  };
  const [kind, setKind] = useState<CheckKind>("http");
  const [f, setF] = useState<Record<string, string>>(initial);
  const [flags, setFlags] = useState({ verifyTls: true, keywordAbsent: false });
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const [pushUrl, setPushUrl] = useState<string | null>(null);
  const set = (k: keyof typeof initial) => (v: string) => setF((prev) => ({ ...prev, [k]: v }));
  const field = (
    k: keyof typeof initial,
    label: string,
    extra: Partial<Parameters<typeof Field>[0]> = {},
  ) => <Field id={`check-${k}`} label={label} value={f[k] ?? ""} onChange={set(k)} {...extra} />;
  const number = { type: "number", inputMode: "numeric" as const };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setAdded(null);
    try {
      const created = await api<{ name: string; heartbeatUrl: string | null }>("POST", "/checks", {
        kind,
        name: f.name!.trim(),
        itemId: item.id,
        intervalS: num(f.intervalS!),
        timeoutMs: num(f.timeoutMs!),
        retries: num(f.retries!),
        downAfter: num(f.downAfter!),
        settings: settingsOf(kind, f, flags),
      });
      setAdded(created.name);
      setPushUrl(created.heartbeatUrl ? `${window.location.origin}${created.heartbeatUrl}` : null);
      setF((prev) => ({ ...prev, name: "" }));
      onAdded();
      void queryClient.invalidateQueries({ queryKey: ["api"] });
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      {pushUrl && (
        <OnceBox
          title={t("monitoring.push.urlTitle")}
          value={pushUrl}
          note={t("monitoring.push.urlOnce")}
          close={t("monitoring.push.urlClose")}
          onClose={() => setPushUrl(null)}
          testId="push-url"
        />
      )}
      <form className="card" onSubmit={submit} aria-labelledby="add-check-title" data-testid="add-check">
        <h3 id="add-check-title">{t("monitoring.add.title")}</h3>
        <div className="form-grid">
          {field("name", t("monitoring.check.name"), { hint: t("monitoring.add.nameHint") })}
          <Select
            id="check-kind"
            label={t("monitoring.check.kind")}
            value={kind}
            onChange={(v) => setKind(v as CheckKind)}
            options={CHECK_KINDS.map((k): [string, string] => [k, l.checkKind(k)])}
          />
          {field("intervalS", t("monitoring.add.intervalS"), {
            ...number,
            hint:
              kind === "heartbeat" ? t("monitoring.add.intervalPushHint") : t("monitoring.add.intervalHint"),
          })}
          {kind !== "heartbeat" &&
            field("timeoutMs", t("monitoring.add.timeoutMs"), {
              ...number,
              hint: t("monitoring.add.timeoutHint"),
            })}
        </div>
        <p className="hint">{t(`monitoring.add.about.${kind}`)}</p>
        {kind === "http" && (
          <>
            <div className="form-grid">
              {field("url", t("monitoring.add.url"), { type: "url", hint: "https://www.example.jp/health" })}
              <Select
                id="check-method"
                label={t("monitoring.add.method")}
                value={f.method!}
                onChange={set("method")}
                options={METHODS.map((m): [string, string] => [m, m])}
                dataOptions
              />
            </div>
            <details className="advanced">
              <summary>{t("monitoring.add.advanced")}</summary>
              <div className="form-grid">
                {field("expectStatus", t("monitoring.add.expectStatus"), {
                  required: false,
                  hint: t("monitoring.add.expectStatusHint"),
                })}
                {field("maxLatencyMs", t("monitoring.add.maxLatencyMs"), { ...number, required: false })}
                {field("keyword", t("monitoring.add.keyword"), { required: false })}
                {field("jsonPath", t("monitoring.add.jsonPath"), { required: false, hint: "$.status" })}
                {field("jsonEquals", t("monitoring.add.jsonEquals"), { required: false, hint: "ok" })}
              </div>
              <Check
                id="check-keywordAbsent"
                label={t("monitoring.add.keywordAbsent")}
                checked={flags.keywordAbsent}
                onChange={(v) => setFlags({ ...flags, keywordAbsent: v })}
              />
              <Check
                id="check-verifyTls"
                label={t("monitoring.add.verifyTls")}
                checked={flags.verifyTls}
                onChange={(v) => setFlags({ ...flags, verifyTls: v })}
              />
              <TextArea
                id="check-headers"
                label={t("monitoring.add.headers")}
                value={f.headers!}
                onChange={set("headers")}
                hint={t("monitoring.add.headersHint")}
                mono
              />
              {(f.method === "POST" || f.method === "PUT") && (
                <TextArea
                  id="check-body"
                  label={t("monitoring.add.body")}
                  value={f.body!}
                  onChange={set("body")}
                  mono
                />
              )}
              <div className="form-grid">
                {field("retries", t("monitoring.add.retries"), {
                  ...number,
                  hint: t("monitoring.add.retriesHint"),
                })}
                {field("downAfter", t("monitoring.add.downAfter"), {
                  ...number,
                  hint: t("monitoring.add.downAfterHint"),
                })}
              </div>
            </details>
          </>
        )}
        {(kind === "tcp" || kind === "icmp" || kind === "tls") && (
          <div className="form-grid">
            {field("host", t("monitoring.add.host"))}
            {kind === "tcp" && field("port", t("monitoring.add.port"), number)}
            {kind === "tls" && field("tlsPort", t("monitoring.add.port"), number)}
            {kind === "tls" &&
              field("minDaysLeft", t("monitoring.add.minDaysLeft"), {
                ...number,
                hint: t("monitoring.add.minDaysLeftHint"),
              })}
            {kind === "tls" &&
              field("serverName", t("monitoring.add.serverName"), {
                required: false,
                hint: t("monitoring.add.serverNameHint"),
              })}
          </div>
        )}
        {kind === "dns" && (
          <div className="form-grid">
            {field("dnsName", t("monitoring.add.dnsName"))}
            <Select
              id="check-recordType"
              label={t("monitoring.add.recordType")}
              value={f.recordType!}
              onChange={set("recordType")}
              options={DNS_TYPES.map((r): [string, string] => [r, r])}
              dataOptions
            />
            {field("expected", t("monitoring.add.expected"), { hint: t("monitoring.add.expectedHint") })}
            {field("dnsServer", t("monitoring.add.dnsServer"), {
              required: false,
              hint: t("monitoring.add.dnsServerHint"),
            })}
          </div>
        )}
        {kind === "heartbeat" &&
          field("graceS", t("monitoring.add.graceS"), { ...number, hint: t("monitoring.add.graceHint") })}
        {kind !== "http" && kind !== "heartbeat" && (
          <div className="form-grid">
            {field("retries", t("monitoring.add.retries"), {
              ...number,
              hint: t("monitoring.add.retriesHint"),
            })}
            {field("downAfter", t("monitoring.add.downAfter"), {
              ...number,
              hint: t("monitoring.add.downAfterHint"),
            })}
          </div>
        )}
        <ErrorBox error={error} />
        {added && (
          <p role="status">
            {t("monitoring.add.done")} <span data-value>{added}</span>
          </p>
        )}
        <button type="submit">{t("monitoring.add.submit")}</button>
      </form>
    </>
  );
}

/** The credentials held for a server, storing one, revealing one, and the reveals on record. */
function Credentials({
  item,
  me,
  custody,
  onChanged,
}: {
  item: Item;
  me: Me;
  custody: boolean;
  onChanged: () => void;
}) {
  const t = useT();
  const l = useLabels();
  const [creds, error, reload] = useGet("/api/v1/inventory/{id}/credentials", { path: { id: item.id } });
  const [reveals, revealsError, reloadReveals] = useGet("/api/v1/reveals", { query: { itemId: item.id } });
  const [settings] = useGet("/api/v1/customers/{id}/monitoring-settings", { path: { id: item.customerId } });
  const reloadAll = () => {
    reload();
    reloadReveals();
    onChanged();
  };
  const [actionError, act] = useAction(reloadAll);
  const { run, prompt, error: revealError } = useReauthenticated();
  const [asking, setAsking] = useState<Credential | null>(null);
  const [reason, setReason] = useState("");
  const [shown, setShown] = useState<{ label: string; secret: string } | null>(null);
  const [waiting, setWaiting] = useState<string | null>(null);
  type Revealed = { reveal: { credentialLabel: string }; secret: string | null };
  const showResult = (r: Revealed) => {
    if (r.secret !== null) {
      setShown({ label: r.reveal.credentialLabel, secret: r.secret });
      setWaiting(null);
    } else setWaiting(r.reveal.credentialLabel);
    setAsking(null);
    setReason("");
    reloadReveals();
  };
  const reveal = (e: FormEvent) => {
    e.preventDefault();
    if (!asking) return;
    const credential = asking;
    void run(async () =>
      showResult(
        await api<Revealed>("POST", `/credentials/${credential.id}/reveal`, { reason: reason.trim() }),
      ),
    );
  };
  const decide = (revealId: string, how: "approve" | "refuse") =>
    void run(async () => {
      await api("POST", `/reveals/${revealId}/${how}`);
      reloadReveals();
    });
  const collect = (revealId: string) =>
    void run(async () => showResult(await api<Revealed>("POST", `/reveals/${revealId}/collect`)));
  const open = reveals?.filter((r) => r.status === "pending" || r.status === "approved") ?? [];
  const mine = (r: { requestedBy: string }) => r.requestedBy === me.user.displayName;
  return (
    <section aria-labelledby="credentials-title">
      <h2 id="credentials-title">{t("monitoring.credentials")}</h2>
      <p className="hint">
        {t("monitoring.credentials.lead")} ({art("7(1)")})
        {settings?.revealNeedsApproval && <strong> {t("monitoring.credentials.twoPerson")}</strong>}
      </p>
      <ErrorBox error={error ?? revealsError ?? actionError ?? revealError} />
      {shown && (
        <OnceBox
          title={t("monitoring.reveal.shownTitle").replace("{label}", shown.label)}
          value={shown.secret}
          multiline
          note={
            <>
              {t("monitoring.reveal.shownNote")} ({art("7(1)")})
            </>
          }
          close={t("monitoring.reveal.hide")}
          onClose={() => setShown(null)}
          testId="revealed-secret"
        />
      )}
      {waiting && (
        <p className="notice" role="status" data-testid="reveal-waiting">
          {t("monitoring.reveal.waiting").replace("{label}", waiting)}
        </p>
      )}
      {prompt}
      <ScrollBox>
        <table className="mon" data-testid="credentials">
          <thead>
            <tr>
              <th scope="col">{t("monitoring.credential.label")}</th>
              <th scope="col">{t("monitoring.credential.kind")}</th>
              <th scope="col">{t("monitoring.credential.username")}</th>
              <th scope="col">{t("monitoring.credential.storedAt")}</th>
              {custody && <th scope="col">{t("monitoring.actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {creds?.map((c) => (
              <tr key={c.id}>
                <td>
                  <span data-value>{c.label}</span>
                </td>
                <td>{l.credentialKind(c.kind)}</td>
                <td>{c.username ? <code data-value>{c.username}</code> : "—"}</td>
                <td>{tokyoTime(c.createdAt)}</td>
                {custody && (
                  <td className="actions">
                    <button
                      type="button"
                      aria-label={`${t("monitoring.reveal.button")}: ${c.label}`}
                      onClick={() => {
                        setAsking(c);
                        setShown(null);
                      }}
                    >
                      {t("monitoring.reveal.button")}
                    </button>{" "}
                    <ConfirmButton
                      label={t("monitoring.credential.retire")}
                      ariaLabel={`${t("monitoring.credential.retire")}: ${c.label}`}
                      message={t("monitoring.credential.retireConfirm").replace("{label}", c.label)}
                      confirm={t("monitoring.credential.retireYes")}
                      cancel={t("confirm.cancel")}
                      className="secondary"
                      onConfirm={() => act(() => api("DELETE", `/credentials/${c.id}`))}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {creds?.length === 0 && <p className="hint">{t("monitoring.credentials.none")}</p>}
      {asking && (
        <form className="card" onSubmit={reveal} aria-labelledby="reveal-title" data-testid="reveal-form">
          <h3 id="reveal-title">
            {t("monitoring.reveal.title")} <span data-value>{asking.label}</span>
          </h3>
          <p className="warning">{t("monitoring.reveal.lead")}</p>
          <TextArea
            id="revealReason"
            label={t("monitoring.reveal.reason")}
            value={reason}
            onChange={setReason}
            required
            hint={t("monitoring.reveal.reasonHint")}
          />
          <button type="submit">{t("monitoring.reveal.submit")}</button>{" "}
          <button type="button" className="secondary" onClick={() => setAsking(null)}>
            {t("confirm.cancel")}
          </button>
        </form>
      )}
      {custody && <StoreCredential itemId={item.id} onStored={reloadAll} />}

      {open.length > 0 && (
        <>
          <h3>{t("monitoring.reveal.open")}</h3>
          <RevealLog
            reveals={open}
            showItem={false}
            testId="open-reveals"
            actions={(r) =>
              !custody ? null : mine(r) ? (
                r.status === "approved" ? (
                  <button type="button" onClick={() => collect(r.id)}>
                    {t("monitoring.reveal.collect")}
                  </button>
                ) : (
                  <span className="hint">{t("monitoring.reveal.waitingOther")}</span>
                )
              ) : r.status === "pending" ? (
                <>
                  <button type="button" onClick={() => decide(r.id, "approve")}>
                    {t("monitoring.reveal.approve")}
                  </button>{" "}
                  <button type="button" className="secondary" onClick={() => decide(r.id, "refuse")}>
                    {t("monitoring.reveal.refuse")}
                  </button>
                </>
              ) : null
            }
          />
        </>
      )}
      <h3>{t("monitoring.reveal.log")}</h3>
      <p className="hint">{t("monitoring.reveal.logLead")}</p>
      <RevealLog reveals={reveals ?? []} showItem={false} testId="reveal-log" />
      {reveals?.length === 0 && <p className="hint">{t("monitoring.reveal.none")}</p>}
    </section>
  );
}

/** Store a credential, sealed: the secret is sent once and never shown back. */
function StoreCredential({ itemId, onStored }: { itemId: string; onStored: () => void }) {
  const t = useT();
  const l = useLabels();
  const [kind, setKind] = useState<string>("root_password");
  const [label, setLabel] = useState("");
  const [username, setUsername] = useState("");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [stored, setStored] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setStored(null);
    try {
      await api("POST", `/inventory/${itemId}/credentials`, {
        kind,
        label: label.trim(),
        ...(username.trim() ? { username: username.trim() } : {}),
        secret,
      });
      setStored(label.trim());
      setLabel("");
      setUsername("");
      setSecret("");
      onStored();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="store-title" data-testid="store-credential">
      <h3 id="store-title">{t("monitoring.store.title")}</h3>
      <div className="form-grid">
        <Select
          id="credentialKind"
          label={t("monitoring.credential.kind")}
          value={kind}
          onChange={setKind}
          options={CREDENTIAL_KINDS.map((k): [string, string] => [k, l.credentialKind(k)])}
        />
        <Field
          id="credentialLabel"
          label={t("monitoring.credential.label")}
          value={label}
          onChange={setLabel}
          hint={t("monitoring.store.labelHint")}
        />
        <Field
          id="credentialUsername"
          label={t("monitoring.credential.username")}
          value={username}
          onChange={setUsername}
          required={false}
          autoComplete="off"
        />
      </div>
      {kind === "ssh_private_key" ? (
        <TextArea
          id="credentialSecret"
          label={t("monitoring.store.secret")}
          value={secret}
          onChange={setSecret}
          rows={6}
          required
          mono
          hint={t("monitoring.store.secretHint")}
        />
      ) : (
        <Field
          id="credentialSecret"
          label={t("monitoring.store.secret")}
          type="password"
          value={secret}
          onChange={setSecret}
          autoComplete="new-password"
          hint={t("monitoring.store.secretHint")}
        />
      )}
      <ErrorBox error={error} />
      {stored && (
        <p role="status">
          {t("monitoring.store.done")} <span data-value>{stored}</span>
        </p>
      )}
      <button type="submit">{t("monitoring.store.submit")}</button>
    </form>
  );
}
