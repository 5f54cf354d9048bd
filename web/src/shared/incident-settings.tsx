/**
 * A customer's incident settings, on the console's customer page and the portal's company page:
 * (a) alert integrations — Alertmanager, Zabbix or generic JSON posting to /ingest/v1 with their own
 * token (shown once with a ready-to-paste configuration; staff create, renew and disable them);
 * (b) notification channels for the customer's incident notices (Slack, Teams, Chatwork, signed
 * webhooks; a URL is shown back only by its host); (c) which users take incident and maintenance
 * notices (Art. 43).
 */
import { type FormEvent, type ReactNode, useState } from "react";
import { api } from "../api.ts";
import type { GetData } from "../client.ts";
import { Check } from "../console/form-fields.tsx";
import { art } from "../format.ts";
import { formatLang, type MessageKey, useT } from "../i18n.ts";
import {
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  ScrollBox,
  Select,
  tokyoTime,
  useAction,
  useGet,
} from "../ui.tsx";

type Integration = GetData<"/api/v1/customers/{id}/integrations">[number];
type Channel = GetData<"/api/v1/customers/{id}/channels">[number];
type Preference = GetData<"/api/v1/customers/{id}/contact-preferences">[number];
type Severity = "critical" | "major" | "minor" | "info";
type Kind = "alertmanager" | "zabbix" | "generic";
type ChannelKind = "slack" | "teams" | "chatwork" | "webhook";

const SEVERITIES: Severity[] = ["critical", "major", "minor", "info"];
const KINDS: Kind[] = ["alertmanager", "zabbix", "generic"];
const CHANNEL_KINDS: ChannelKind[] = ["slack", "teams", "chatwork", "webhook"];
/** Staff who run the service: they create, renew and disable integrations (the API refuses others). */
const SERVICE_ROLES = ["admin", "operator", "engineer"];

const fill = (text: string, vars: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));

/** A product's name (data in either language). */
const KIND_NAME: Record<Kind, string> = { alertmanager: "Alertmanager", zabbix: "Zabbix", generic: "JSON" };
const CHANNEL_NAME: Record<ChannelKind, string> = {
  slack: "Slack",
  teams: "Microsoft Teams",
  chatwork: "Chatwork",
  webhook: "Webhook",
};

function useSeverity() {
  const t = useT();
  return (s: string) => (SEVERITIES.includes(s as Severity) ? t(`isettings.severity.${s as Severity}`) : s);
}

export function IncidentSettings({ customerId }: { customerId: string }) {
  const t = useT();
  const [me] = useGet("/api/v1/me", {});
  if (!me) return null;
  const staff = me.user.kind === "staff";
  const service = staff && SERVICE_ROLES.includes(me.user.role);
  const customerAdmin = me.user.kind === "customer" && me.user.role === "customer-admin";
  return (
    <section aria-labelledby="isettings-title" data-testid="incident-settings">
      <h2 id="isettings-title">{t("isettings.title")}</h2>
      <p className="hint">{t("isettings.lead")}</p>
      <Integrations customerId={customerId} service={service} staff={staff} />
      <Channels customerId={customerId} canChange={staff || customerAdmin} />
      <Preferences customerId={customerId} meId={me.user.id} canAll={staff || customerAdmin} />
    </section>
  );
}

// ---- (a) Alert integrations ------------------------------------------------------------------------

/** The token (and secret) just issued, with what to paste where. Shown once. */
interface Issued {
  kind: Kind;
  name: string;
  url: string;
  token: string;
  secret: string | null;
  renewed: boolean;
}

const endpointOf = (path: string) => `${window.location.origin}${path}`;

function CopyButton({ value, label }: { value: string; label: string }) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  return (
    <>
      <button
        type="button"
        className="secondary"
        aria-label={label}
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setCopied(true);
          } catch {
            setCopied(false);
          }
        }}
      >
        {t("isettings.copy")}
      </button>{" "}
      <span role="status">{copied ? t("isettings.copied") : ""}</span>
    </>
  );
}

/** A value shown once: selectable, with its copy button. */
function OnceValue(props: {
  id: string;
  label: string;
  value: string;
  multiline?: boolean;
  testId?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.multiline ? (
        <textarea
          className="secret mono"
          id={props.id}
          readOnly
          rows={Math.min(props.value.split("\n").length, 16)}
          spellCheck={false}
          value={props.value}
          data-testid={props.testId}
        />
      ) : (
        <input
          className="secret"
          id={props.id}
          readOnly
          value={props.value}
          data-testid={props.testId}
          onFocus={(e) => e.target.select()}
        />
      )}
      <p>
        <CopyButton value={props.value} label={props.label} />
      </p>
    </div>
  );
}

function alertmanagerYaml(url: string, token: string) {
  return [
    "receivers:",
    "  - name: unyo",
    "    webhook_configs:",
    `      - url: ${url}`,
    "        send_resolved: true",
    "        http_config:",
    "          authorization:",
    "            type: Bearer",
    `            credentials: ${token}`,
  ].join("\n");
}

const ZABBIX_MACROS: [string, string][] = [
  ["event_id", "{EVENT.ID}"],
  ["event_value", "{EVENT.VALUE}"],
  ["event_name", "{EVENT.NAME}"],
  ["event_severity", "{EVENT.SEVERITY}"],
  ["host", "{HOST.NAME}"],
  ["event_date", "{EVENT.DATE}"],
  ["event_time", "{EVENT.TIME}"],
  ["event_recovery_date", "{EVENT.RECOVERY.DATE}"],
  ["event_recovery_time", "{EVENT.RECOVERY.TIME}"],
  ["trigger_id", "{TRIGGER.ID}"],
  ["tags", "{EVENT.TAGS}"],
];

function zabbixParameters(url: string, token: string) {
  return [["url", url], ["token", token], ...ZABBIX_MACROS, ["timezone", "+09:00"]]
    .map(([k, v]) => `${k} = ${v}`)
    .join("\n");
}

const ZABBIX_SCRIPT = [
  "var p = JSON.parse(value), req = new HttpRequest();",
  "req.addHeader('Content-Type: application/json');",
  "req.addHeader('Authorization: Bearer ' + p.token);",
  "var url = p.url; delete p.url; delete p.token;",
  "var resp = req.post(url, JSON.stringify(p));",
  "if (req.getStatus() !== 200) throw 'Unyo answered ' + req.getStatus() + ': ' + resp;",
  "return 'OK';",
].join("\n");

function genericCurl(url: string, token: string, secret: string | null) {
  const startsAt = `${new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 19)}+09:00`;
  const body = JSON.stringify({
    alerts: [
      {
        key: "disk-web01",
        status: "firing",
        title: "Disk 95% on web01",
        startsAt,
        severity: "warning",
        host: "web01.example.jp",
      },
    ],
  });
  if (!secret)
    return [
      `curl -X POST '${url}' \\`,
      `  -H 'Authorization: Bearer ${token}' \\`,
      "  -H 'Content-Type: application/json' \\",
      `  --data '${body}'`,
    ].join("\n");
  return [
    `BODY='${body}'`,
    "T=$(date +%s)",
    `SIG=$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac '${secret}' -hex | sed 's/^.* //')`,
    `curl -X POST '${url}' \\`,
    `  -H 'Authorization: Bearer ${token}' \\`,
    "  -H 'Content-Type: application/json' \\",
    '  -H "X-Unyo-Signature: t=$T,v1=$SIG" \\',
    '  --data "$BODY"',
  ].join("\n");
}

function IssuedPanel({ issued, onClose }: { issued: Issued; onClose: () => void }) {
  const t = useT();
  const { kind, url, token, secret } = issued;
  return (
    <section className="card once" aria-labelledby="issued-title" data-testid="integration-issued">
      <h4 id="issued-title">
        {t(issued.renewed ? "isettings.issued.renewedTitle" : "isettings.issued.title")}{" "}
        <span data-value>{issued.name}</span>
      </h4>
      <p className="warning">{t("isettings.issued.once")}</p>
      <OnceValue id="issued-url" label={t("isettings.issued.url")} value={url} testId="integration-url" />
      <OnceValue
        id="issued-token"
        label={t("isettings.issued.token")}
        value={token}
        testId="integration-token"
      />
      {secret && (
        <OnceValue
          id="issued-secret"
          label={t("isettings.issued.secret")}
          value={secret}
          testId="integration-secret"
        />
      )}
      {issued.renewed && <p className="hint">{t("isettings.issued.secretKept")}</p>}
      {kind === "alertmanager" && (
        <>
          <p>{t("isettings.snippet.alertmanager")}</p>
          <OnceValue
            id="issued-snippet"
            label={t("isettings.snippet.alertmanagerLabel")}
            value={alertmanagerYaml(url, token)}
            multiline
            testId="integration-snippet"
          />
          <p>{t("isettings.snippet.alertmanagerRoute")}</p>
          {secret && <p className="warning">{t("isettings.snippet.unsignedOnly")}</p>}
        </>
      )}
      {kind === "zabbix" && (
        <>
          <p>{t("isettings.snippet.zabbix")}</p>
          <OnceValue
            id="issued-snippet"
            label={t("isettings.snippet.zabbixParameters")}
            value={zabbixParameters(url, token)}
            multiline
            testId="integration-snippet"
          />
          <OnceValue
            id="issued-script"
            label={t("isettings.snippet.zabbixScript")}
            value={ZABBIX_SCRIPT}
            multiline
          />
          <p>{t("isettings.snippet.zabbixHint")}</p>
          {secret && <p className="warning">{t("isettings.snippet.unsignedOnly")}</p>}
        </>
      )}
      {kind === "generic" && (
        <>
          <p>{t("isettings.snippet.generic")}</p>
          <OnceValue
            id="issued-snippet"
            label={t("isettings.snippet.genericLabel")}
            value={genericCurl(url, token, secret)}
            multiline
            testId="integration-snippet"
          />
        </>
      )}
      <p>
        <button type="button" onClick={onClose}>
          {t("isettings.issued.close")}
        </button>
      </p>
    </section>
  );
}

function Integrations({
  customerId,
  service,
  staff,
}: {
  customerId: string;
  service: boolean;
  staff: boolean;
}) {
  const t = useT();
  const severity = useSeverity();
  const [list, error, reload] = useGet("/api/v1/customers/{id}/integrations", { path: { id: customerId } });
  const [actionError, act] = useAction(reload);
  const [issued, setIssued] = useState<Issued | null>(null);
  const renew = (i: Integration) =>
    act(async () => {
      const r = await api<{ token: string | null }>("POST", `/integrations/${i.id}/token`);
      if (r.token)
        setIssued({
          kind: i.kind,
          name: i.name,
          url: endpointOf(i.path),
          token: r.token,
          secret: null,
          renewed: true,
        });
    });
  return (
    <section aria-labelledby="integrations-title" data-testid="integrations">
      <h3 id="integrations-title">{t("isettings.integrations.title")}</h3>
      <p>{t(staff ? "isettings.integrations.lead" : "isettings.integrations.leadCustomer")}</p>
      <ErrorBox error={error ?? actionError} />
      {issued && <IssuedPanel issued={issued} onClose={() => setIssued(null)} />}
      {list && list.length === 0 && <p className="hint">{t("isettings.integrations.none")}</p>}
      {list && list.length > 0 && (
        <ScrollBox>
          <table className="mon" data-testid="integrations-table">
            <thead>
              <tr>
                <th scope="col">{t("isettings.integrations.name")}</th>
                <th scope="col">{t("isettings.integrations.kind")}</th>
                <th scope="col">{t("isettings.integrations.endpoint")}</th>
                <th scope="col">{t("isettings.integrations.severity")}</th>
                <th scope="col">{t("isettings.integrations.created")}</th>
                <th scope="col">{t("isettings.integrations.state")}</th>
                {service && <th scope="col">{t("isettings.integrations.actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((i) => (
                <tr key={i.id}>
                  <td>
                    <span data-value>{i.name}</span>
                  </td>
                  <td>
                    {i.kind === "generic" ? (
                      t("isettings.kind.generic")
                    ) : (
                      <span data-value>{KIND_NAME[i.kind]}</span>
                    )}
                  </td>
                  <td className="target">
                    <code data-value>{endpointOf(i.path)}</code>
                  </td>
                  <td>{severity(i.defaultSeverity)}</td>
                  <td>{tokyoTime(i.createdAt)}</td>
                  <td className="state">
                    {i.disabledAt ? (
                      <>
                        <span className="badge state-none">{t("isettings.integrations.disabled")}</span>{" "}
                        {tokyoTime(i.disabledAt)}
                      </>
                    ) : (
                      <span className="badge state-up">{t("isettings.integrations.active")}</span>
                    )}
                  </td>
                  {service && (
                    <td>
                      {!i.disabledAt && (
                        <div className="inline">
                          <ConfirmButton
                            label={t("isettings.integrations.renew")}
                            ariaLabel={fill(t("isettings.integrations.renewLabel"), { name: i.name })}
                            message={t("isettings.integrations.renewConfirm")}
                            confirm={t("isettings.integrations.renewYes")}
                            cancel={t("confirm.cancel")}
                            className="secondary"
                            onConfirm={() => renew(i)}
                          />
                          <ConfirmButton
                            label={t("isettings.integrations.disable")}
                            ariaLabel={fill(t("isettings.integrations.disableLabel"), { name: i.name })}
                            message={t("isettings.integrations.disableConfirm")}
                            confirm={t("isettings.integrations.disableYes")}
                            cancel={t("confirm.cancel")}
                            className="danger"
                            onConfirm={() => act(() => api("POST", `/integrations/${i.id}/disable`))}
                          />
                        </div>
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {service && <NewIntegration customerId={customerId} reload={reload} onIssued={setIssued} />}
    </section>
  );
}

function NewIntegration(props: { customerId: string; reload: () => void; onIssued: (i: Issued) => void }) {
  const t = useT();
  const severity = useSeverity();
  const [kind, setKind] = useState<Kind>("alertmanager");
  const [name, setName] = useState("");
  const [defaultSeverity, setDefaultSeverity] = useState<Severity>("major");
  const [signed, setSigned] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ id: string; token: string; secret: string | null; url: string; path: string }>(
        "POST",
        `/customers/${props.customerId}/integrations`,
        { kind, name: name.trim(), defaultSeverity, signed },
      );
      props.onIssued({
        kind,
        name: name.trim(),
        url: /^https?:\/\//.test(r.url) ? r.url : endpointOf(r.path),
        token: r.token,
        secret: r.secret,
        renewed: false,
      });
      setName("");
      setSigned(false);
      props.reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details className="edit">
      <summary>{t("isettings.integrations.add")}</summary>
      <form onSubmit={submit} aria-label={t("isettings.integrations.add")} data-testid="new-integration">
        <div className="form-grid">
          <Select
            id="integration-kind"
            label={t("isettings.integrations.kind")}
            value={kind}
            onChange={(v) => setKind(v as Kind)}
            options={KINDS.map((k): [string, string] => [k, t(`isettings.kind.${k}`)])}
            dataOptions
          />
          <Field
            id="integration-name"
            label={t("isettings.integrations.name")}
            value={name}
            onChange={setName}
            hint={t("isettings.integrations.nameHint")}
          />
          <Select
            id="integration-severity"
            label={t("isettings.integrations.severity")}
            value={defaultSeverity}
            onChange={(v) => setDefaultSeverity(v as Severity)}
            options={SEVERITIES.map((s): [string, string] => [s, severity(s)])}
          />
        </div>
        <p>{t(`isettings.kindAbout.${kind}`)}</p>
        <p className="hint">{t("isettings.integrations.severityHint")}</p>
        <Check
          id="integration-signed"
          label={t("isettings.integrations.signed")}
          checked={signed}
          onChange={setSigned}
        />
        <p className="hint">{t("isettings.integrations.signedHint")}</p>
        <ErrorBox error={error} />
        <button type="submit">{t("isettings.integrations.submit")}</button>
      </form>
    </details>
  );
}

// ---- (b) Notification channels ---------------------------------------------------------------------

function ChannelKindText({ kind }: { kind: ChannelKind }): ReactNode {
  const t = useT();
  if (kind === "webhook") return t("isettings.channels.webhook");
  return <span data-value>{CHANNEL_NAME[kind]}</span>;
}

function Channels({ customerId, canChange }: { customerId: string; canChange: boolean }) {
  const t = useT();
  const severity = useSeverity();
  const [list, error, reload] = useGet("/api/v1/customers/{id}/channels", { path: { id: customerId } });
  const [actionError, act] = useAction(reload);
  return (
    <section aria-labelledby="channels-title" data-testid="channels">
      <h3 id="channels-title">{t("isettings.channels.title")}</h3>
      <p className="hint">{t("isettings.channels.lead")}</p>
      <ErrorBox error={error ?? actionError} />
      {list && list.length === 0 && <p className="hint">{t("isettings.channels.none")}</p>}
      {list && list.length > 0 && (
        <ScrollBox>
          <table className="mon" data-testid="channels-table">
            <thead>
              <tr>
                <th scope="col">{t("isettings.channels.name")}</th>
                <th scope="col">{t("isettings.channels.kind")}</th>
                <th scope="col">{t("isettings.channels.host")}</th>
                <th scope="col">{t("isettings.channels.minSeverity")}</th>
                <th scope="col">{t("isettings.channels.created")}</th>
                {canChange && <th scope="col">{t("isettings.channels.actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {list.map((c: Channel) => (
                <tr key={c.id}>
                  <td>
                    <span data-value>{c.name}</span>
                  </td>
                  <td>
                    <ChannelKindText kind={c.kind} />
                  </td>
                  <td>
                    <code data-value>{c.host || "—"}</code>
                  </td>
                  <td>{fill(t("isettings.orAbove"), { severity: severity(c.minSeverity) })}</td>
                  <td>{tokyoTime(c.createdAt)}</td>
                  {canChange && (
                    <td className="actions">
                      <ConfirmButton
                        label={t("isettings.channels.remove")}
                        ariaLabel={fill(t("isettings.channels.removeLabel"), { name: c.name })}
                        message={t("isettings.channels.removeConfirm")}
                        confirm={t("isettings.channels.removeYes")}
                        cancel={t("confirm.cancel")}
                        className="danger"
                        onConfirm={() => act(() => api("DELETE", `/channels/${c.id}`))}
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {canChange ? (
        <NewChannel customerId={customerId} reload={reload} />
      ) : (
        <p className="hint">{t("isettings.channels.adminOnly")}</p>
      )}
    </section>
  );
}

const URL_HINT: Record<ChannelKind, MessageKey> = {
  slack: "isettings.channels.urlHint.slack",
  teams: "isettings.channels.urlHint.teams",
  chatwork: "isettings.channels.urlHint.chatwork",
  webhook: "isettings.channels.urlHint.webhook",
};

/** A random signing secret (32 characters of base64url). */
function newSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function NewChannel({ customerId, reload }: { customerId: string; reload: () => void }) {
  const t = useT();
  const severity = useSeverity();
  const [kind, setKind] = useState<ChannelKind>("slack");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [token, setToken] = useState("");
  const [secret, setSecret] = useState("");
  const [minSeverity, setMinSeverity] = useState<Severity>("major");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    if (kind === "webhook" && secret.trim().length < 16) return setError(t("isettings.channels.secretShort"));
    try {
      await api("POST", `/customers/${customerId}/channels`, {
        kind,
        name: name.trim(),
        url: url.trim(),
        ...(kind === "chatwork" ? { token: token.trim() } : {}),
        ...(kind === "webhook" ? { secret: secret.trim() } : {}),
        minSeverity,
      });
      setDone(name.trim());
      setName("");
      setUrl("");
      setToken("");
      setSecret("");
      reload();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <details className="edit">
      <summary>{t("isettings.channels.add")}</summary>
      <form onSubmit={submit} aria-label={t("isettings.channels.add")} data-testid="new-channel">
        <div className="form-grid">
          <Select
            id="channel-kind"
            label={t("isettings.channels.kind")}
            value={kind}
            onChange={(v) => setKind(v as ChannelKind)}
            options={CHANNEL_KINDS.map((k): [string, string] => [
              k,
              k === "webhook" ? t("isettings.channels.webhook") : CHANNEL_NAME[k],
            ])}
            dataOptions
          />
          <Field id="channel-name" label={t("isettings.channels.name")} value={name} onChange={setName} />
          <Select
            id="channel-severity"
            label={t("isettings.channels.minSeverity")}
            value={minSeverity}
            onChange={(v) => setMinSeverity(v as Severity)}
            options={SEVERITIES.map((s): [string, string] => [
              s,
              fill(t("isettings.orAbove"), { severity: severity(s) }),
            ])}
          />
        </div>
        <Field
          id="channel-url"
          label={t("isettings.channels.url")}
          type="url"
          value={url}
          onChange={setUrl}
          hint={t(URL_HINT[kind])}
        />
        {kind === "chatwork" && (
          <Field
            id="channel-token"
            label={t("isettings.channels.token")}
            type="password"
            autoComplete="off"
            value={token}
            onChange={setToken}
            hint={t("isettings.channels.tokenHint")}
          />
        )}
        {kind === "webhook" && (
          <>
            <Field
              id="channel-secret"
              label={t("isettings.channels.secret")}
              value={secret}
              onChange={setSecret}
              autoComplete="off"
              hint={t("isettings.channels.secretHint")}
            />
            <p>
              <button type="button" className="secondary" onClick={() => setSecret(newSecret())}>
                {t("isettings.channels.generate")}
              </button>
            </p>
          </>
        )}
        <ErrorBox error={error} />
        {done && (
          <p role="status">
            {t("isettings.channels.added")} <span data-value>{done}</span>
          </p>
        )}
        <button type="submit">{t("isettings.channels.submit")}</button>
      </form>
    </details>
  );
}

// ---- (c) Contact preferences -----------------------------------------------------------------------

const INCIDENT_CHOICES = ["all", "major", "none"] as const;

function Preferences({ customerId, meId, canAll }: { customerId: string; meId: string; canAll: boolean }) {
  const t = useT();
  const [list, error, reload] = useGet("/api/v1/customers/{id}/contact-preferences", {
    path: { id: customerId },
  });
  return (
    <section aria-labelledby="preferences-title" data-testid="contact-preferences">
      <h3 id="preferences-title">{t("isettings.prefs.title")}</h3>
      <p className="hint">
        {t("isettings.prefs.lead")}
        {formatLang.current === "ja" ? "" : " "}({art("43")})
      </p>
      <ErrorBox error={error} />
      {list && list.length === 0 && <p className="hint">{t("isettings.prefs.none")}</p>}
      {list && list.length > 0 && (
        <ScrollBox>
          <table className="mon" data-testid="preferences-table">
            <thead>
              <tr>
                <th scope="col">{t("isettings.prefs.user")}</th>
                <th scope="col">{t("isettings.prefs.incidents")}</th>
                <th scope="col">{t("isettings.prefs.maintenance")}</th>
                <th scope="col">{t("isettings.prefs.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <PreferenceRow
                  key={p.userId}
                  customerId={customerId}
                  p={p}
                  editable={canAll || p.userId === meId}
                  reload={reload}
                />
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}

function PreferenceRow(props: { customerId: string; p: Preference; editable: boolean; reload: () => void }) {
  const t = useT();
  const { p } = props;
  const [incidents, setIncidents] = useState<string>(p.incidents);
  const [maintenance, setMaintenance] = useState(p.maintenance);
  const [saved, setSaved] = useState(false);
  const [error, act] = useAction(props.reload);
  const changed = incidents !== p.incidents || maintenance !== p.maintenance;
  const id = `pref-${p.userId}`;
  return (
    <tr>
      <td>
        <span data-value>{p.name}</span>
        <div className="hint">
          <span data-value>{p.email}</span>
        </div>
      </td>
      <td>
        <select
          id={`${id}-incidents`}
          aria-label={fill(t("isettings.prefs.incidentsFor"), { name: p.name })}
          value={incidents}
          disabled={!props.editable}
          onChange={(e) => {
            setIncidents(e.target.value);
            setSaved(false);
          }}
        >
          {INCIDENT_CHOICES.map((c) => (
            <option key={c} value={c}>
              {t(`isettings.prefs.incidents.${c}`)}
            </option>
          ))}
        </select>
      </td>
      <td>
        <div className="check">
          <input
            id={`${id}-maintenance`}
            type="checkbox"
            checked={maintenance}
            disabled={!props.editable}
            onChange={(e) => {
              setMaintenance(e.target.checked);
              setSaved(false);
            }}
          />
          <label htmlFor={`${id}-maintenance`}>
            {t("isettings.prefs.maintenanceYes")}
            <span className="sr-only">
              {" "}
              <span data-value>{p.name}</span>
            </span>
          </label>
        </div>
      </td>
      <td className="actions">
        {props.editable && (
          <button
            type="button"
            disabled={!changed}
            aria-label={fill(t("isettings.prefs.saveLabel"), { name: p.name })}
            onClick={async () => {
              if (
                await act(() =>
                  api("PUT", `/customers/${props.customerId}/contact-preferences/${p.userId}`, {
                    incidents,
                    maintenance,
                  }),
                )
              )
                setSaved(true);
            }}
          >
            {t("isettings.prefs.save")}
          </button>
        )}
        {saved && <span role="status"> {t("isettings.prefs.saved")}</span>}
        <ErrorBox error={error} />
      </td>
    </tr>
  );
}
