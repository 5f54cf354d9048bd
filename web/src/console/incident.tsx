/**
 * Console: one incident (障害) — its facts, awareness (認知) and restoration (復旧), the unavailability
 * it is for the SLA credit (Art. 30(4), 36), and what staff do: acknowledge (paging stops), assign,
 * record an internal note or a public update, change the severity, resolve with the restoration time,
 * correct the facts that decide the SLA (a reason is required; audited), and write the customer's
 * report. Who was paged, the alerts and the escalation are for staff only. Live: changes arrive
 * through the incidents' stream.
 */
import { type FormEvent, type ReactNode, useState } from "react";
import { ActionForm } from "../action-form.tsx";
import { api, type Me } from "../api.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { useIncidentStream } from "../shared/incident-live.ts";
import {
  ATTRIBUTIONS,
  CAUSES,
  type IncidentDetail,
  IncidentFacts,
  IncidentStatusBadge,
  LiveIndicator,
  ReportLinks,
  SEVERITIES,
  SeverityBadge,
  Timeline,
  UnavailabilityBox,
  useIncidentLabels,
} from "../shared/incident-view.tsx";
import { ErrorBox, errorText, Link, ScrollBox, Select, tokyoTime, useAction, useGet } from "../ui.tsx";

/** Who responds to incidents (the API's policy), and who corrects what decides the SLA. */
const SERVICE_ROLES = ["admin", "operator", "engineer"];
const CORRECT_ROLES = ["admin", "operator"];

/** A moment as a datetime-local field in Japan time shows it (YYYY-MM-DDTHH:MM). */
export const toJstInput = (iso: string) =>
  new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 16);
/** What a datetime-local field in Japan time means, as an instant with its offset. */
export const fromJstInput = (v: string) => new Date(`${v.length === 16 ? `${v}:00` : v}+09:00`).toISOString();

export function IncidentPage({ id, me }: { id: string; me: Me }) {
  const t = useT();
  const live = useIncidentStream();
  const [i, error, reload] = useGet("/api/v1/incidents/{id}", { path: { id } });
  const service = SERVICE_ROLES.includes(me.user.role);
  if (!i) return <ErrorBox error={error} />;
  return (
    <section>
      <p>
        <Link to="/console/incidents">← {t("incidents.back")}</Link>
      </p>
      <div className="title-row">
        <h1>
          <span data-value>
            {i.reference} {i.title}
          </span>
        </h1>
        <LiveIndicator state={live} />
      </div>
      <p className="badges" data-testid="incident-head">
        <SeverityBadge severity={i.severity} /> <IncidentStatusBadge status={i.status} />
      </p>
      <ErrorBox error={error} />
      <IncidentFacts i={i} staff />
      <UnavailabilityBox i={i} />
      <ReportLinks id={i.id} />
      {service && <Actions i={i} me={me} reload={reload} />}
      {i.staff && <StaffExtras i={i} staff={i.staff} canChange={service} reload={reload} />}
      <section aria-labelledby="report-title" className="card">
        <h2 id="report-title">{t("incident.report.title")}</h2>
        <p className="hint">{t("incident.report.lead")}</p>
        {service ? (
          <ReportEditor key={i.report ?? ""} i={i} reload={reload} />
        ) : i.report ? (
          <pre className="body" data-value>
            {i.report}
          </pre>
        ) : (
          <p className="hint">{t("incident.report.none")}</p>
        )}
      </section>
      <h2>{t("incident.timeline.title")}</h2>
      <Timeline entries={i.timeline} staff />
    </section>
  );
}

function Actions({ i, me, reload }: { i: IncidentDetail; me: Me; reload: () => void }) {
  const t = useT();
  const [actionError, act] = useAction(reload);
  const resolved = i.status === "resolved";
  return (
    <section className="card" aria-labelledby="actions-title" data-testid="incident-actions">
      <h2 id="actions-title">{t("incident.actions")}</h2>
      <div className="inline">
        {i.status === "open" && (
          <button type="button" onClick={() => act(() => api("POST", `/incidents/${i.id}/acknowledge`))}>
            {t("incident.acknowledge")}
          </button>
        )}
        {i.staff?.assigneeId !== me.user.id && (
          <button
            type="button"
            className="secondary"
            onClick={() => act(() => api("POST", `/incidents/${i.id}/assign`, { userId: me.user.id }))}
          >
            {t("incident.assign.me")}
          </button>
        )}
      </div>
      <ErrorBox error={actionError} />
      <div className="grid actions-grid">
        <AssignForm i={i} reload={reload} />
        <CommentForm id={i.id} reload={reload} />
        <SeverityForm i={i} reload={reload} />
        {!resolved && <ResolveForm i={i} reload={reload} />}
      </div>
      {CORRECT_ROLES.includes(me.user.role) && <CorrectForm key={i.status} i={i} reload={reload} />}
    </section>
  );
}

function SeverityForm({ i, reload }: { i: IncidentDetail; reload: () => void }) {
  const t = useT();
  const l = useIncidentLabels();
  const [value, setValue] = useState<string>(i.severity);
  return (
    <ActionForm
      title={t("incident.severity.title")}
      submit={t("incident.severity.submit")}
      onSubmit={async () => {
        await api("PATCH", `/incidents/${i.id}`, { severity: value });
        reload();
      }}
    >
      <Select
        id="incidentSeverity"
        label={t("incident.severity")}
        value={value}
        onChange={setValue}
        options={SEVERITIES.map((s): [string, string] => [s, l.severity(s)])}
      />
    </ActionForm>
  );
}

/** Assign to someone of the on-call schedules (the staff the console knows), or to nobody. */
function AssignForm({ i, reload }: { i: IncidentDetail; reload: () => void }) {
  const t = useT();
  const [schedules] = useGet("/api/v1/oncall/schedules", { query: { days: 1 } });
  const people = new Map<string, string>();
  for (const s of schedules ?? [])
    for (const [uid, name] of Object.entries(s.memberNames)) people.set(uid, name);
  if (i.staff?.assigneeId && i.staff.assigneeName) people.set(i.staff.assigneeId, i.staff.assigneeName);
  const [userId, setUserId] = useState(i.staff?.assigneeId ?? "");
  return (
    <ActionForm
      title={t("incident.assign.title")}
      submit={t("incident.assign.submit")}
      onSubmit={async () => {
        await api("POST", `/incidents/${i.id}/assign`, { userId: userId || null });
        reload();
      }}
    >
      <p>
        {t("incident.assign.current")}:{" "}
        {i.staff?.assigneeName ? <span data-value>{i.staff.assigneeName}</span> : t("incident.assign.none")}
      </p>
      <Select
        id="incidentAssignee"
        label={t("incident.assign.pick")}
        value={userId}
        onChange={setUserId}
        dataOptions
        options={[
          ["", t("incident.assign.none")],
          ...[...people.entries()].sort((a, b) => a[1].localeCompare(b[1])),
        ]}
      />
      <p className="hint">{t("incident.assign.hint")}</p>
    </ActionForm>
  );
}

function TextArea(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  required?: boolean;
  rows?: number;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        rows={props.rows ?? 3}
        required={props.required ?? false}
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

function DateTimeField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="datetime-local"
        value={props.value}
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

/** An internal note (staff only) or a public update the customer sees on its portal and report. */
function CommentForm({ id, reload }: { id: string; reload: () => void }) {
  const t = useT();
  const [body, setBody] = useState("");
  const [visibility, setVisibility] = useState<"internal" | "public">("internal");
  return (
    <ActionForm
      title={t("incident.comment.title")}
      submit={t("incident.comment.submit")}
      onSubmit={async () => {
        await api("POST", `/incidents/${id}/comments`, {
          body: body.trim(),
          public: visibility === "public",
        });
        setBody("");
        reload();
      }}
    >
      <TextArea
        id="incidentComment"
        label={t("incident.comment.body")}
        value={body}
        onChange={setBody}
        required
      />
      <Select
        id="incidentVisibility"
        label={t("incident.comment.visibility")}
        value={visibility}
        onChange={(v) => setVisibility(v as "internal" | "public")}
        options={[
          ["internal", t("incident.comment.internal")],
          ["public", t("incident.comment.public")],
        ]}
      />
    </ActionForm>
  );
}

/** Resolve: restored at a time in Japan time (empty: now), never before awareness (Art. 30(4)). */
function ResolveForm({ i, reload }: { i: IncidentDetail; reload: () => void }) {
  const t = useT();
  const [restoredAt, setRestoredAt] = useState("");
  const [note, setNote] = useState("");
  return (
    <ActionForm
      title={t("incident.resolve.title")}
      submit={t("incident.resolve.submit")}
      onSubmit={async () => {
        await api("POST", `/incidents/${i.id}/resolve`, {
          ...(restoredAt ? { restoredAt: fromJstInput(restoredAt) } : {}),
          ...(note.trim() ? { note: note.trim() } : {}),
        });
        reload();
      }}
    >
      <DateTimeField
        id="resolveRestoredAt"
        label={t("incident.resolve.restoredAt")}
        value={restoredAt}
        onChange={setRestoredAt}
        hint={t("incident.resolve.restoredAtHint").replace("{article}", art("30(4)"))}
      />
      <TextArea
        id="resolveNote"
        label={t("incident.resolve.note")}
        value={note}
        onChange={setNote}
        rows={2}
      />
    </ActionForm>
  );
}

/**
 * Correct awareness, restoration, attribution, cause or whether it was a complete unavailability: a
 * reason is required; the API refuses what the terms do not allow (restoration before awareness, a
 * time in the future) and says the article.
 */
function CorrectForm({ i, reload }: { i: IncidentDetail; reload: () => void }) {
  const t = useT();
  const l = useIncidentLabels();
  const [reason, setReason] = useState("");
  const [awareAt, setAwareAt] = useState("");
  const [restoredAt, setRestoredAt] = useState("");
  const [attribution, setAttribution] = useState("");
  const [cause, setCause] = useState("");
  const [outage, setOutage] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    try {
      await api("POST", `/incidents/${i.id}/corrections`, {
        reason: reason.trim(),
        ...(awareAt ? { awareAt: fromJstInput(awareAt) } : {}),
        ...(restoredAt ? { restoredAt: fromJstInput(restoredAt) } : {}),
        ...(attribution ? { attribution } : {}),
        ...(cause ? { cause } : {}),
        ...(outage ? { outage: outage === "yes" } : {}),
      });
      setReason("");
      setAwareAt("");
      setRestoredAt("");
      setAttribution("");
      setCause("");
      setOutage("");
      setDone(true);
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const unchanged = t("incident.correct.unchanged");
  return (
    <details className="edit correct" data-testid="incident-correct">
      <summary className="correct-toggle">{t("incident.correct.title")}</summary>
      <form onSubmit={submit} aria-label={t("incident.correct.title")}>
        <p className="hint">
          {t("incident.correct.lead").replace("{articles}", `${art("30(4)")}, ${art("36")}`)}
        </p>
        <TextArea
          id="correctReason"
          label={t("incident.correct.reason")}
          value={reason}
          onChange={setReason}
          required
        />
        <div className="form-grid">
          <DateTimeField
            id="correctAwareAt"
            label={t("incident.correct.awareAt")}
            value={awareAt}
            onChange={setAwareAt}
            hint={`${t("incident.correct.now")}: ${tokyoTime(i.awareAt)}`}
          />
          {i.status === "resolved" && (
            <DateTimeField
              id="correctRestoredAt"
              label={t("incident.correct.restoredAt")}
              value={restoredAt}
              onChange={setRestoredAt}
              hint={i.restoredAt ? `${t("incident.correct.now")}: ${tokyoTime(i.restoredAt)}` : undefined}
            />
          )}
          <Select
            id="correctAttribution"
            label={t("incident.attribution")}
            value={attribution}
            onChange={setAttribution}
            options={[["", unchanged], ...ATTRIBUTIONS.map((a): [string, string] => [a, l.attribution(a)])]}
          />
          <Select
            id="correctCause"
            label={t("incident.cause")}
            value={cause}
            onChange={setCause}
            options={[["", unchanged], ...CAUSES.map((c): [string, string] => [c, l.cause(c)])]}
          />
          <Select
            id="correctOutage"
            label={t("incident.outage")}
            value={outage}
            onChange={setOutage}
            options={[
              ["", unchanged],
              ["yes", t("incident.yes")],
              ["no", t("incident.no")],
            ]}
          />
        </div>
        <ErrorBox error={error ? errorText(error) : null} />
        {done && <p role="status">{t("incident.correct.done")}</p>}
        <button type="submit">{t("incident.correct.submit")}</button>
      </form>
    </details>
  );
}

/** The report for the customer (shown on its portal and in the downloadable report). */
function ReportEditor({ i, reload }: { i: IncidentDetail; reload: () => void }) {
  const t = useT();
  const [text, setText] = useState(i.report ?? "");
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    try {
      await api("PATCH", `/incidents/${i.id}`, { report: text.trim() ? text.trim() : null });
      setSaved(true);
      reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} aria-label={t("incident.report.title")}>
      <div className="field">
        <label htmlFor="incidentReport">{t("incident.report.text")}</label>
        <textarea
          id="incidentReport"
          className="report"
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={8}
        />
      </div>
      <ErrorBox error={error ? errorText(error) : null} />
      {saved && <p role="status">{t("incident.report.saved")}</p>}
      <button type="submit">{t("incident.report.save")}</button>
    </form>
  );
}

/** What only staff see: the assignee, the escalation, who was paged, the alerts and their labels. */
function StaffExtras({
  i,
  staff,
  canChange,
  reload,
}: {
  i: IncidentDetail;
  staff: NonNullable<IncidentDetail["staff"]>;
  canChange: boolean;
  reload: () => void;
}) {
  const t = useT();
  const [error, act] = useAction(reload);
  const fact = (label: string, value: ReactNode) => (
    <div className="contents" key={label}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  const step = (n: number, round: number) =>
    `${t("incident.staff.step").replace("{step}", String(n + 1))}${
      round > 0 ? t("incident.staff.repeat").replace("{round}", String(round)) : ""
    }`;
  return (
    <section className="card" aria-labelledby="paging-title" data-testid="incident-staff">
      <h2 id="paging-title">{t("incident.staff.title")}</h2>
      <dl className="facts">
        {fact(
          t("incident.assign.title"),
          staff.assigneeName ? <span data-value>{staff.assigneeName}</span> : t("incident.assign.none"),
        )}
        {fact(
          t("incident.staff.acknowledgedBy"),
          staff.acknowledgedByName ? (
            <span data-value>
              {staff.acknowledgedByName}
              {i.acknowledgedAt ? ` (${tokyoTime(i.acknowledgedAt)})` : ""}
            </span>
          ) : (
            "—"
          ),
        )}
        {fact(
          t("incident.staff.nextEscalation"),
          staff.nextEscalationAt
            ? `${step(staff.escalationStep, staff.escalationRound)} — ${tokyoTime(staff.nextEscalationAt)}`
            : t("incident.staff.noEscalation"),
        )}
        {fact(t("incident.staff.signals"), String(staff.signals))}
        {fact(t("incident.staff.firing"), String(staff.firing))}
        {fact(
          t("incident.staff.autoResolve"),
          <>
            {t(staff.autoResolve ? "incident.yes" : "incident.no")}{" "}
            {canChange && i.status !== "resolved" && (
              <button
                type="button"
                className="link"
                onClick={() =>
                  act(() => api("PATCH", `/incidents/${i.id}`, { autoResolve: !staff.autoResolve }))
                }
              >
                {t(staff.autoResolve ? "incident.staff.autoResolveOff" : "incident.staff.autoResolveOn")}
              </button>
            )}
          </>,
        )}
      </dl>
      <ErrorBox error={error} />
      <h3>{t("incident.staff.pages")}</h3>
      {staff.pages.length === 0 ? (
        <p className="hint">{t("incident.staff.noPages")}</p>
      ) : (
        <ScrollBox>
          <table className="mon" data-testid="incident-pages">
            <thead>
              <tr>
                <th scope="col">{t("incident.timeline.at")}</th>
                <th scope="col">{t("incident.staff.who")}</th>
                <th scope="col">{t("incident.staff.escalation")}</th>
              </tr>
            </thead>
            <tbody>
              {staff.pages.map((p) => (
                <tr key={`${p.userId}-${p.at}`}>
                  <td className="time">{tokyoTime(p.at)}</td>
                  <td>
                    <span data-value>{p.name}</span>
                  </td>
                  <td>{step(p.step, p.round)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <h3>{t("incident.staff.alerts")}</h3>
      {staff.alerts.length === 0 ? (
        <p className="hint">{t("incident.staff.noAlerts")}</p>
      ) : (
        <ScrollBox>
          <table className="mon" data-testid="incident-alerts">
            <thead>
              <tr>
                <th scope="col">{t("incident.staff.alertName")}</th>
                <th scope="col">{t("incident.staff.alertStatus")}</th>
                <th scope="col">{t("incident.staff.alertStarts")}</th>
                <th scope="col">{t("incident.staff.alertEnds")}</th>
                <th scope="col">{t("incident.staff.lastSeen")}</th>
                <th scope="col">{t("incident.staff.labels")}</th>
              </tr>
            </thead>
            <tbody>
              {staff.alerts.map((a) => (
                <tr key={`${a.fingerprint}-${a.startsAt}`}>
                  <td>
                    <span data-value>{a.name}</span>
                  </td>
                  <td>
                    {a.status === "firing"
                      ? t("incident.staff.firingNow")
                      : t("incident.staff.alertResolved")}
                  </td>
                  <td className="time">{tokyoTime(a.startsAt)}</td>
                  <td className="time">{a.endsAt ? tokyoTime(a.endsAt) : "—"}</td>
                  <td className="time">{tokyoTime(a.lastSeenAt)}</td>
                  <td className="labels">
                    {Object.entries(a.labels).map(([k, v]) => (
                      <code key={k} data-value lang="en">
                        {k}={v}
                      </code>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
