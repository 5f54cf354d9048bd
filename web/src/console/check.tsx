/**
 * Console: one check — its state since when and why, what it checks and how (staff see the settings),
 * pausing it (by hand, an emergency stop, Art. 22, or planned maintenance, Art. 23) and resuming it,
 * a push check's URL renewed, its history (uptime a day over 90 days, latency an hour over 7 days) with
 * the uptime's derivation, and its changes of state.
 */
import { type FormEvent, useState } from "react";
import { api, type Me } from "../api.ts";
import type { GetData } from "../client.ts";
import { art, percent } from "../format.ts";
import { type MessageKey, useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { navigate } from "../router.ts";
import {
  BasisText,
  type CheckState,
  MonthlyUptime,
  OnceBox,
  StateBadge,
  UptimeBars,
  useEvery,
  useInterval,
} from "../shared/monitoring.tsx";
import {
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  Link,
  ScrollBox,
  Select,
  tokyoTime,
  useAction,
  useGet,
} from "../ui.tsx";
import { HourlyLatency } from "./latency-chart.tsx";

type Check = GetData<"/api/v1/checks/{id}">;
type History = GetData<"/api/v1/checks/{id}/history">;

const SERVICE_ROLES = ["admin", "operator", "engineer"];
const PAUSE_REASONS = ["manual", "emergency_stop", "maintenance"] as const;
const PAUSE_ARTICLE: Record<string, string | null> = {
  manual: null,
  emergency_stop: "22(1)",
  maintenance: "23(1)",
};

/** The settings' names as the add form calls them. */
const SETTING: Record<string, MessageKey> = {
  url: "monitoring.add.url",
  method: "monitoring.add.method",
  headers: "monitoring.add.headers",
  body: "monitoring.add.body",
  expectStatus: "monitoring.add.expectStatus",
  keyword: "monitoring.add.keyword",
  keywordAbsent: "monitoring.add.keywordAbsent",
  jsonPath: "monitoring.add.jsonPath",
  jsonEquals: "monitoring.add.jsonEquals",
  maxLatencyMs: "monitoring.add.maxLatencyMs",
  verifyTls: "monitoring.add.verifyTls",
  host: "monitoring.add.host",
  port: "monitoring.add.port",
  serverName: "monitoring.add.serverName",
  minDaysLeft: "monitoring.add.minDaysLeft",
  name: "monitoring.add.dnsName",
  recordType: "monitoring.add.recordType",
  expected: "monitoring.add.expected",
  server: "monitoring.add.dnsServer",
  graceS: "monitoring.add.graceS",
};

/** An instant's day in Japan (YYYY-MM-DD). */
const jstDay = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 10);
const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export function CheckPage({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const l = useLabels();
  const [c, error, reload] = useGet("/api/v1/checks/{id}", { path: { id } });
  const [days, daysError, reloadDays] = useGet("/api/v1/checks/{id}/history", {
    path: { id },
    query: { grain: "d" },
  });
  const [hours, hoursError, reloadHours] = useGet("/api/v1/checks/{id}/history", {
    path: { id },
    query: { grain: "h" },
  });
  useEvery(c?.state === "pending" ? 4000 : 30_000, reload);
  useEvery(60_000, () => {
    reloadDays();
    reloadHours();
  });
  const service = SERVICE_ROLES.includes(me.user.role);
  const interval = useInterval();
  const [actionError, act] = useAction(reload);
  const [pushUrl, setPushUrl] = useState<string | null>(null);
  if (!c) return <ErrorBox error={error} />;
  return (
    <section>
      <p>
        <Link to={`/console/servers/${c.itemId}`}>
          ← <span data-value>{c.itemName}</span>
        </Link>
      </p>
      <h1>
        <span data-value>{c.name}</span>
      </h1>
      <ErrorBox error={error ?? actionError} />
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
      <dl className="facts" data-testid="check-facts">
        <dt>{t("monitoring.state")}</dt>
        <dd data-testid="check-state">
          <StateBadge state={c.state as CheckState} since={c.since} />
        </dd>
        {c.code && (
          <>
            <dt>{t("monitoring.check.lastProblem")}</dt>
            <dd>
              {l.checkCode(c.code)}
              {c.message && (
                <>
                  {" — "}
                  <span lang="en">{c.message}</span>
                </>
              )}
            </dd>
          </>
        )}
        {c.paused && (
          <>
            <dt>{t("monitoring.check.paused")}</dt>
            <dd>
              {l.checkCode(c.paused.reason)}
              {c.paused.article && ` (${art(c.paused.article)})`}
              {c.paused.at && ` — ${tokyoTime(c.paused.at)}`}
            </dd>
          </>
        )}
        <dt>{t("monitoring.check.kind")}</dt>
        <dd>{l.checkKind(c.kind)}</dd>
        <dt>{t("monitoring.check.target")}</dt>
        <dd>
          {c.kind === "heartbeat" ? t("monitoring.check.pushTarget") : <code data-value>{c.target}</code>}
        </dd>
        {c.kind === "heartbeat" && (
          <>
            <dt>{t("monitoring.check.lastPing")}</dt>
            <dd>{c.lastPingAt ? tokyoTime(c.lastPingAt) : t("monitoring.check.noPing")}</dd>
          </>
        )}
        <dt>{t("monitoring.server")}</dt>
        <dd>
          <Link to={`/console/servers/${c.itemId}`}>
            <span data-value>{c.itemName}</span>
          </Link>
        </dd>
        <dt>{t("monitoring.check.interval")}</dt>
        <dd>{interval(c.intervalS)}</dd>
        {c.kind !== "heartbeat" && (
          <>
            <dt>{t("monitoring.add.timeoutMs")}</dt>
            <dd>{t("monitoring.ms").replace("{n}", String(c.timeoutMs))}</dd>
            <dt>{t("monitoring.add.retries")}</dt>
            <dd>{c.retries}</dd>
            <dt>{t("monitoring.add.downAfter")}</dt>
            <dd>{c.downAfter}</dd>
          </>
        )}
      </dl>
      {c.settings && <Settings settings={c.settings} />}
      {service && (
        <div className="card" data-testid="check-actions">
          <h2>{t("monitoring.check.actions")}</h2>
          {c.paused ? (
            <p>
              <button type="button" onClick={() => act(() => api("POST", `/checks/${id}/resume`))}>
                {t("monitoring.pause.resume")}
              </button>
            </p>
          ) : (
            <PauseForm id={id} onDone={reload} />
          )}
          {c.kind === "heartbeat" && (
            <p>
              <ConfirmButton
                label={t("monitoring.push.renew")}
                message={t("monitoring.push.renewConfirm")}
                confirm={t("monitoring.push.renewYes")}
                cancel={t("confirm.cancel")}
                className="secondary"
                onConfirm={() =>
                  act(async () => {
                    const r = await api<{ heartbeatUrl: string | null }>(
                      "POST",
                      `/checks/${id}/heartbeat-url`,
                    );
                    if (r.heartbeatUrl) setPushUrl(`${window.location.origin}${r.heartbeatUrl}`);
                  })
                }
              />
            </p>
          )}
          <EditCheck key={`${c.name}-${c.intervalS}-${c.timeoutMs}`} check={c} onSaved={reload} />
          <p>
            <ConfirmButton
              label={t("monitoring.check.remove")}
              message={t("monitoring.check.removeConfirm").replace("{name}", c.name)}
              confirm={t("monitoring.check.removeYes")}
              cancel={t("confirm.cancel")}
              className="danger"
              onConfirm={() =>
                act(async () => {
                  await api("DELETE", `/checks/${id}`);
                  navigate(`/console/servers/${c.itemId}`);
                })
              }
            />
          </p>
        </div>
      )}

      <h2>{t("monitoring.history.title")}</h2>
      <ErrorBox error={daysError ?? hoursError} />
      {days && <DailyUptime history={days} name={c.name} />}
      {hours && <HourlyLatency history={hours} />}
      {days && (
        <MonthlyUptime customerId={c.customerId} checks={[{ id: c.id, name: c.name }]} asOf={days.to} />
      )}

      <h2>{t("monitoring.events.title")}</h2>
      <ScrollBox>
        <table className="mon" data-testid="check-events">
          <thead>
            <tr>
              <th scope="col">{t("monitoring.events.at")}</th>
              <th scope="col">{t("monitoring.events.change")}</th>
              <th scope="col">{t("monitoring.events.why")}</th>
              <th scope="col">{t("contracts.article")}</th>
            </tr>
          </thead>
          <tbody>
            {c.events.map((e) => (
              <tr key={`${e.at}-${e.to}`}>
                <td>{tokyoTime(e.at)}</td>
                <td className="state">
                  {e.from === "none" ? "—" : l.checkState(e.from)} → {l.checkState(e.to)}
                </td>
                <td>
                  {e.code ? l.checkCode(e.code) : "—"}
                  {e.message && (
                    <>
                      {" — "}
                      <span lang="en">{e.message}</span>
                    </>
                  )}
                </td>
                <td className="article">{e.article ? art(e.article) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {c.events.length === 0 && <p className="hint">{t("home.none")}</p>}
    </section>
  );
}

/** The settings as given (staff only; header values are hidden by the API). */
function Settings({ settings }: { settings: Record<string, unknown> }) {
  const t = useT();
  const value = (v: unknown) => {
    if (typeof v === "boolean") return t(v ? "monitoring.yes" : "monitoring.no");
    if (Array.isArray(v)) return <code data-value>{v.join(", ")}</code>;
    if (v && typeof v === "object")
      return (
        <code data-value>
          {Object.entries(v)
            .map(([k, x]) => `${k}: ${String(x)}`)
            .join(" / ")}
        </code>
      );
    return <code data-value>{String(v)}</code>;
  };
  return (
    <details className="card settings">
      <summary>{t("monitoring.check.settings")}</summary>
      <dl className="facts">
        {Object.entries(settings).map(([k, v]) => (
          <div key={k} className="contents">
            <dt>{SETTING[k] ? t(SETTING[k]) : <code data-value>{k}</code>}</dt>
            <dd>{value(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function PauseForm({ id, onDone }: { id: string; onDone: () => void }) {
  const t = useT();
  const l = useLabels();
  const [reason, setReason] = useState<string>("maintenance");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api("POST", `/checks/${id}/pause`, { reason, ...(note.trim() ? { note: note.trim() } : {}) });
      setNote("");
      onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="inline" onSubmit={submit} aria-label={t("monitoring.pause.title")}>
      <Select
        id="pauseReason"
        label={t("monitoring.pause.reason")}
        value={reason}
        onChange={setReason}
        options={PAUSE_REASONS.map((r): [string, string] => {
          const article = PAUSE_ARTICLE[r];
          return [r, article ? `${l.pauseReason(r)} (${art(article)})` : l.pauseReason(r)];
        })}
      />
      <Field
        id="pauseNote"
        label={t("monitoring.pause.note")}
        value={note}
        onChange={setNote}
        required={false}
      />
      <button type="submit">{t("monitoring.pause.submit")}</button>
      <ErrorBox error={error} />
    </form>
  );
}

function EditCheck({ check, onSaved }: { check: Check; onSaved: () => void }) {
  const t = useT();
  const [name, setName] = useState(check.name);
  const [intervalS, setIntervalS] = useState(String(check.intervalS));
  const [timeoutMs, setTimeoutMs] = useState(String(check.timeoutMs));
  const [retries, setRetries] = useState(String(check.retries));
  const [downAfter, setDownAfter] = useState(String(check.downAfter));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api("PATCH", `/checks/${check.id}`, {
        name: name.trim(),
        intervalS: Number(intervalS),
        ...(check.kind !== "heartbeat"
          ? { timeoutMs: Number(timeoutMs), retries: Number(retries), downAfter: Number(downAfter) }
          : {}),
      });
      setSaved(true);
      onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const number = { type: "number", inputMode: "numeric" as const };
  return (
    <details className="edit">
      <summary>{t("monitoring.check.edit")}</summary>
      <form onSubmit={submit} aria-label={t("monitoring.check.edit")}>
        <div className="form-grid">
          <Field id="editName" label={t("monitoring.check.name")} value={name} onChange={setName} />
          <Field
            id="editInterval"
            label={t("monitoring.add.intervalS")}
            value={intervalS}
            onChange={setIntervalS}
            {...number}
          />
          {check.kind !== "heartbeat" && (
            <>
              <Field
                id="editTimeout"
                label={t("monitoring.add.timeoutMs")}
                value={timeoutMs}
                onChange={setTimeoutMs}
                {...number}
              />
              <Field
                id="editRetries"
                label={t("monitoring.add.retries")}
                value={retries}
                onChange={setRetries}
                {...number}
              />
              <Field
                id="editDownAfter"
                label={t("monitoring.add.downAfter")}
                value={downAfter}
                onChange={setDownAfter}
                {...number}
              />
            </>
          )}
        </div>
        <ErrorBox error={error} />
        {saved && <p role="status">{t("monitoring.saved")}</p>}
        <button type="submit">{t("monitoring.edit.save")}</button>
      </form>
    </details>
  );
}

/** Uptime a day over the last 90 days (Asia/Tokyo days), and over the period with its derivation. */
function DailyUptime({ history, name }: { history: History; name: string }) {
  const t = useT();
  const today = jstDay(history.to);
  const byDay = new Map(history.points.map((p) => [jstDay(p.bucket), p.uptime]));
  const days = Array.from({ length: 90 }, (_, i) => {
    const day = addDays(today, i - 89);
    return { day, uptime: byDay.get(day) ?? null };
  });
  return (
    <section className="card" aria-labelledby="daily-title" data-testid="daily-uptime">
      <h3 id="daily-title">{t("monitoring.history.daily")}</h3>
      <p>
        {t("monitoring.uptime90")}: <strong data-testid="uptime-90">{percent(history.uptime)}</strong>
      </p>
      <BasisText basis={history.basis} />
      <UptimeBars days={days} name={name} />
    </section>
  );
}
