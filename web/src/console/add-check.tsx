/** Console: the form that adds a check to a server (the fields follow the kind). */
import { type FormEvent, useState } from "react";
import { api } from "../api.ts";
import type { GetData } from "../client.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { OnceBox } from "../shared/monitoring.tsx";
import { ErrorBox, errorText, Field, queryClient, Select } from "../ui.tsx";
import { Check, TextArea } from "./form-fields.tsx";

type Item = GetData<"/api/v1/inventory/{id}">;

const CHECK_KINDS = ["http", "tcp", "icmp", "tls", "dns", "heartbeat"] as const;
type CheckKind = (typeof CHECK_KINDS)[number];
const DNS_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"] as const;
const METHODS = ["GET", "HEAD", "POST", "PUT"] as const;

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
export function AddCheck({ item, onAdded }: { item: Item; onAdded: () => void }) {
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
