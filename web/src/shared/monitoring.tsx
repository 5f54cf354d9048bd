/**
 * What the monitoring pages share (Art. 3, 7(1), 43): a check's state as a badge, the 90-day uptime
 * strip with its text alternative, the status view (portal, console and the public page), the log of
 * credential reveals, a secret shown once with a copy button, and re-authentication before a
 * sensitive action (the API answers `reauthentication_required`: the password, then the action again).
 */
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from "react";
import { ApiFailure, api } from "../api.ts";
import type { GetData, Schema } from "../client.ts";
import { art, percent } from "../format.ts";
import { formatLang, type MessageKey, useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { ErrorBox, errorText, Field, Link, ScrollBox, tokyoTime, useGet } from "../ui.tsx";

export type CheckState = "pending" | "up" | "down" | "paused";
export type StatusData = GetData<"/api/v1/status">;
export type Reveal = GetData<"/api/v1/reveals">[number];

/** A check's (or a server's worst) state: a word with a colour, never the colour alone. */
export function StateBadge({ state, since }: { state: CheckState | null; since?: string | null }) {
  const t = useT();
  const l = useLabels();
  return (
    <>
      <span className={`badge state-${state ?? "none"}`} data-state={state ?? "none"}>
        {state ? l.checkState(state) : t("monitoring.state.none")}
      </span>
      {since && (
        <span className="hint since"> {t("monitoring.since").replace("{time}", tokyoTime(since))}</span>
      )}
    </>
  );
}

/** An operating system as family and version (Ubuntu 24.04), or a dash. */
export function OsText({ family, version }: { family: string | null; version: string | null }) {
  const l = useLabels();
  if (!family && !version) return <>—</>;
  return (
    <span data-value>
      {family ? l.osFamily(family) : ""}
      {family && version ? " " : ""}
      {version ?? ""}
    </span>
  );
}

/** The checks of a server: each links to its page, with its kind, target, interval and state. */
export function ChecksTable({
  checks,
  links = true,
}: {
  checks: GetData<"/api/v1/checks">["items"];
  links?: boolean;
}) {
  const t = useT();
  const l = useLabels();
  const interval = useInterval();
  return (
    <ScrollBox>
      <table className="mon" data-testid="checks">
        <thead>
          <tr>
            <th scope="col">{t("monitoring.check.name")}</th>
            <th scope="col">{t("monitoring.check.kind")}</th>
            <th scope="col">{t("monitoring.check.target")}</th>
            <th scope="col" className="num">
              {t("monitoring.check.interval")}
            </th>
            <th scope="col">{t("monitoring.state")}</th>
          </tr>
        </thead>
        <tbody>
          {checks.map((c) => (
            <tr key={c.id} data-testid={`check-${c.name}`}>
              <td>
                {links ? (
                  <Link to={`/console/checks/${c.id}`}>
                    <span data-value>{c.name}</span>
                  </Link>
                ) : (
                  <span data-value>{c.name}</span>
                )}
              </td>
              <td>{l.checkKind(c.kind)}</td>
              <td className="target">
                {c.kind === "heartbeat" ? (
                  t("monitoring.check.pushTarget")
                ) : (
                  <code data-value>{c.target}</code>
                )}
              </td>
              <td className="num">{interval(c.intervalS)}</td>
              <td className="state">
                <StateBadge state={c.state as CheckState} since={c.since} />
                {c.state === "down" && c.code && <span className="hint"> · {l.checkCode(c.code)}</span>}
                {c.paused && <span className="hint"> · {l.checkCode(c.paused.reason)}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

/**
 * How an uptime figure was reached, in the reader's language (each rule's explanation is written in
 * both), with the article it rests on.
 */
export function BasisText({ basis }: { basis: Schema<"Basis">[] }) {
  return (
    <p className="hint basis-text">
      {basis.map((b) => `${formatLang.current === "ja" ? b.textJa : b.text} (${art(b.article)})`).join(" ")}
    </p>
  );
}

/** A check's interval in the largest whole unit: 30 秒, 5 分, 1 時間, 1 日 (30 s, 5 min, 1 h, 1 day). */
export function useInterval() {
  const t = useT();
  return (s: number) => {
    const [key, n]: [MessageKey, number] =
      s % 86_400 === 0
        ? ["monitoring.days", s / 86_400]
        : s % 3600 === 0
          ? ["monitoring.hours", s / 3600]
          : s % 60 === 0
            ? ["monitoring.minutes", s / 60]
            : ["monitoring.seconds", s];
    return t(key).replace("{n}", String(n));
  };
}

/** Reload what a page shows every `ms` while it is open (a check's state changes on its own). */
export function useEvery(ms: number, reload: () => void, enabled = true) {
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => {
    if (!enabled) return;
    const timer = setInterval(() => latest.current(), ms);
    return () => clearInterval(timer);
  }, [ms, enabled]);
}

/** A day's bar: good (99.9 % and up), degraded (99 % and up), bad, or nothing observed. */
const level = (u: number | null) => (u === null ? "none" : u >= 0.999 ? "good" : u >= 0.99 ? "fair" : "bad");

/**
 * Uptime per day as a strip of bars (each day's figure in its title), said as a sentence to screen
 * readers, with the days as a table below for whoever wants the figures.
 */
export function UptimeBars({ days, name }: { days: { day: string; uptime: number | null }[]; name: string }) {
  const t = useT();
  const observed = days.filter((d) => d.uptime !== null);
  const short = observed.filter((d) => (d.uptime ?? 1) < 0.999);
  const summary = t("monitoring.barsSummary")
    .replace("{name}", name)
    .replace("{days}", String(days.length))
    .replace("{observed}", String(observed.length))
    .replace("{short}", String(short.length));
  return (
    <div className="uptime">
      <div className="bars" role="img" aria-label={summary}>
        {days.map((d) => (
          <span
            key={d.day}
            className={`bar ${level(d.uptime)}`}
            title={`${d.day}: ${d.uptime === null ? t("monitoring.noData") : percent(d.uptime)}`}
          />
        ))}
      </div>
      <div className="bars-axis" aria-hidden="true">
        <span>{t("monitoring.daysAgo").replace("{n}", String(days.length))}</span>
        <span>{t("monitoring.today")}</span>
      </div>
      <details className="figures">
        <summary>{t("monitoring.dailyFigures")}</summary>
        <ScrollBox>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("monitoring.day")}</th>
                <th scope="col" className="num">
                  {t("monitoring.uptime")}
                </th>
              </tr>
            </thead>
            <tbody>
              {[...days].reverse().map((d) => (
                <tr key={d.day}>
                  <td>{d.day}</td>
                  <td className="num">{d.uptime === null ? t("monitoring.noData") : percent(d.uptime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      </details>
    </div>
  );
}

const OVERALL: Record<CheckState | "none", MessageKey> = {
  up: "monitoring.overall.up",
  down: "monitoring.overall.down",
  pending: "monitoring.overall.pending",
  paused: "monitoring.overall.paused",
  none: "monitoring.overall.none",
};

/**
 * A customer's status page (Art. 43): the overall state, then each service with its state since when,
 * its uptime over 90 days and a bar a day. `showItems`: the server each service runs on (never on
 * the public page, which has no host names).
 */
export function StatusView({ data, showItems }: { data: StatusData; showItems: boolean }) {
  const t = useT();
  const overall = data.overall ?? "none";
  return (
    <div className="status-view">
      <p className={`status-banner state-${overall}`} role="status" data-testid="status-overall">
        {t(OVERALL[overall])}
      </p>
      <p className="hint">{t("monitoring.asOf").replace("{time}", tokyoTime(data.asOf))}</p>
      {data.services.length === 0 && <p className="hint">{t("monitoring.noServices")}</p>}
      {data.services.map((s) => (
        <article
          key={s.id}
          className="card service"
          aria-labelledby={`service-${s.id}`}
          data-testid="status-service"
        >
          <h2 id={`service-${s.id}`} className="service-head">
            <span data-value>{s.name}</span>
          </h2>
          {showItems && s.itemName && (
            <p className="hint">
              {t("monitoring.runsOn")} <span data-value>{s.itemName}</span>
            </p>
          )}
          <p>
            <StateBadge state={s.state} since={s.since} />
          </p>
          <p>
            {t("monitoring.uptime90")}: <strong>{percent(s.uptime90)}</strong>
          </p>
          <UptimeBars days={s.days} name={s.name} />
        </article>
      ))}
      <p className="hint">
        {t("monitoring.statusNote")} ({art("43")})
      </p>
    </div>
  );
}

/** Who revealed which credential, when and why, and what became of the request (Art. 7(1)). */
export function RevealLog({
  reveals,
  showItem,
  actions,
  testId,
}: {
  reveals: Reveal[];
  showItem: boolean;
  /** A row's buttons (approve, refuse, collect), for staff. */
  actions?: (r: Reveal) => ReactNode;
  testId?: string;
}) {
  const t = useT();
  const l = useLabels();
  return (
    <ScrollBox>
      <table className="mon" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t("monitoring.reveal.requestedAt")}</th>
            {showItem && <th scope="col">{t("monitoring.server")}</th>}
            <th scope="col">{t("monitoring.credential.label")}</th>
            <th scope="col">{t("monitoring.reveal.who")}</th>
            <th scope="col">{t("monitoring.reveal.why")}</th>
            <th scope="col">{t("monitoring.reveal.status")}</th>
            {actions && <th scope="col">{t("monitoring.actions")}</th>}
          </tr>
        </thead>
        <tbody>
          {reveals.map((r) => (
            <tr key={r.id}>
              <td>{tokyoTime(r.requestedAt)}</td>
              {showItem && (
                <td>
                  <span data-value>{r.itemName}</span>
                </td>
              )}
              <td>
                <span data-value>{r.credentialLabel}</span>
              </td>
              <td>
                <span data-value>{r.requestedBy}</span>
              </td>
              <td className="reason">
                <span data-value>{r.reason}</span>
              </td>
              <td className="state">
                {l.revealStatus(r.status)}
                {r.revealedAt && <span className="hint"> {tokyoTime(r.revealedAt)}</span>}
                {r.decidedBy && (
                  <>
                    <br />
                    <span className="hint">
                      {t("monitoring.reveal.decidedBy")} <span data-value>{r.decidedBy}</span>
                      {r.decidedAt ? ` ${tokyoTime(r.decidedAt)}` : ""}
                    </span>
                  </>
                )}
              </td>
              {actions && <td className="actions">{actions(r)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}

/**
 * A secret shown this once (a revealed credential, a push check's URL): monospace, a copy button, and
 * what the reader must know about it; closing it forgets it.
 */
export function OnceBox(props: {
  title: string;
  value: string;
  note: ReactNode;
  close: string;
  onClose: () => void;
  testId: string;
  /** A one-line value (a URL) is a read-only field, the easier to select; a key keeps its lines. */
  multiline?: boolean;
}) {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const id = `${props.testId}-value`;
  return (
    <section className="card once" aria-label={props.title} data-testid={props.testId}>
      <h3>{props.title}</h3>
      {props.multiline ? (
        <pre className="secret" id={id} data-value data-testid={`${props.testId}-value`}>
          {props.value}
        </pre>
      ) : (
        <input
          className="secret"
          id={id}
          readOnly
          value={props.value}
          aria-label={props.title}
          data-testid={`${props.testId}-value`}
          onFocus={(e) => e.target.select()}
        />
      )}
      <p className="warning">{props.note}</p>
      <p>
        <button type="button" onClick={copy}>
          {t("monitoring.copy")}
        </button>{" "}
        <button type="button" className="secondary" onClick={props.onClose}>
          {props.close}
        </button>{" "}
        <span role="status">{copied ? t("monitoring.copied") : ""}</span>
      </p>
    </section>
  );
}

/**
 * An action the API may refuse until the password is confirmed again (revealing or deciding on a
 * credential, Art. 7(1)): `run` does it; when it is refused for want of a recent log-in, `prompt`
 * asks for the password, confirms it (`POST /me/reauthenticate`) and does the action again.
 */
export function useReauthenticated(): {
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
  prompt: ReactNode;
  error: string | null;
} {
  const [pending, setPending] = useState<(() => Promise<unknown>) | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      return true;
    } catch (err) {
      if (err instanceof ApiFailure && err.error.code === "reauthentication_required") {
        setPending(() => fn);
        return false;
      }
      setError(errorText(err));
      return false;
    }
  };
  const prompt = pending ? (
    <ReauthForm
      onConfirmed={async () => {
        setPending(null);
        await run(pending);
      }}
      onCancel={() => setPending(null)}
    />
  ) : null;
  return { run, prompt, error };
}

function ReauthForm({ onConfirmed, onCancel }: { onConfirmed: () => Promise<void>; onCancel: () => void }) {
  const t = useT();
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api("POST", "/me/reauthenticate", { password });
      setPassword("");
      await onConfirmed();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card reauth" onSubmit={submit} aria-label={t("monitoring.reauth.title")}>
      <h3>{t("monitoring.reauth.title")}</h3>
      <p className="hint">{t("monitoring.reauth.lead")}</p>
      <Field
        id="reauthPassword"
        label={t("monitoring.reauth.password")}
        type="password"
        value={password}
        onChange={setPassword}
        autoComplete="current-password"
      />
      <ErrorBox error={error} />
      <button type="submit">{t("monitoring.reauth.submit")}</button>{" "}
      <button type="button" className="secondary" onClick={onCancel}>
        {t("confirm.cancel")}
      </button>
    </form>
  );
}

/** The Asia/Tokyo month `back` months before the one `iso` falls in (YYYY-MM). */
function jstMonth(iso: string, back: number) {
  const d = new Date(Date.parse(iso) + 9 * 3_600_000);
  const m = d.getUTCFullYear() * 12 + d.getUTCMonth() - back;
  return `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, "0")}`;
}

/**
 * Uptime per month (Asia/Tokyo) of some checks — this month and the two before — from the day
 * roll-ups (`GET /monitoring/uptime`); muted and paused time is not counted.
 */
export function MonthlyUptime({
  customerId,
  checks,
  asOf,
}: {
  customerId?: string | undefined;
  checks: { id: string; name: string }[];
  asOf: string;
}) {
  const t = useT();
  const months = [jstMonth(asOf, 2), jstMonth(asOf, 1), jstMonth(asOf, 0)];
  const query = (month: string) => ({ query: customerId ? { month, customerId } : { month } });
  const [m0, e0] = useGet("/api/v1/monitoring/uptime", query(months[0]!));
  const [m1, e1] = useGet("/api/v1/monitoring/uptime", query(months[1]!));
  const [m2, e2] = useGet("/api/v1/monitoring/uptime", query(months[2]!));
  const figures = [m0, m1, m2].map((m) => new Map((m?.checks ?? []).map((c) => [c.checkId, c.uptime])));
  if (checks.length === 0) return null;
  return (
    <section className="card" aria-labelledby="monthly-title" data-testid="monthly-uptime">
      <h3 id="monthly-title">{t("monitoring.months.title")}</h3>
      <ErrorBox error={e0 ?? e1 ?? e2} />
      <ScrollBox>
        <table className="mon">
          <thead>
            <tr>
              <th scope="col">{t("monitoring.checks")}</th>
              {months.map((m) => (
                <th key={m} scope="col" className="num">
                  {m}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {checks.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <span data-value>{c.name}</span>
                </th>
                {figures.map((f, i) => {
                  const u = f.get(c.id);
                  return (
                    <td key={months[i]} className="num">
                      {u === undefined || u === null ? t("monitoring.noData") : percent(u)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </section>
  );
}
