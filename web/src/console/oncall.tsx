/**
 * Console: on-call (当番). Each schedule with who is on call now and until when (JST), the next two
 * weeks' shifts day by day (overrides marked), its rotations and overrides; adding an override,
 * creating a schedule, and the escalation policies (steps that notify schedules or people and
 * escalate after N minutes without an acknowledgement, repeated) with a form for a new one.
 * Admins and operators change them; every staff member reads them.
 */
import { type FormEvent, useState } from "react";
import { ApiFailure, api, type Me } from "../api.ts";
import type { GetData } from "../client.ts";
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
import { Check } from "./form-fields.tsx";

type Schedule = GetData<"/api/v1/oncall/schedules">[number];
type Policy = GetData<"/api/v1/escalation-policies">[number];
/** The signed-in user as these pages need it (the shell's `Me` or GET /me's). */
type Who = { user: { id: string; kind: "staff" | "customer"; displayName: string; role: string } };

const PLANNERS = ["admin", "operator"];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const JST = 9 * HOUR;
const DAYS = 14;

/** Midnight in Japan of the day `ms` falls on. */
const jstDayStart = (ms: number) => Math.floor((ms + JST) / DAY) * DAY - JST;
/** An instant as a datetime-local value in Japan time (YYYY-MM-DDTHH:MM). */
const jstInput = (ms: number) => new Date(ms + JST).toISOString().slice(0, 16);
/** A datetime-local value read as Japan time, as the API's instant (with +09:00). */
const jstInstant = (v: string) => `${v.length === 16 ? `${v}:00` : v}+09:00`;
/** HH:MM in Japan time within the day starting at `day` (its end is 24:00). */
const hhmm = (ms: number, day: number) =>
  ms - day >= DAY ? "24:00" : new Date(ms + JST).toISOString().slice(11, 16);

const DAY_LABEL = {
  ja: new Intl.DateTimeFormat("ja-JP", {
    timeZone: "Asia/Tokyo",
    month: "numeric",
    day: "numeric",
    weekday: "short",
  }),
  en: new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Tokyo",
    weekday: "short",
    day: "numeric",
    month: "short",
  }),
};
const dayLabel = (ms: number) => DAY_LABEL[formatLang.current].format(new Date(ms));
/** An ISO weekday (1 = Monday … 7 = Sunday) in the reader's language. */
const weekdayName = (n: number) =>
  new Intl.DateTimeFormat(formatLang.current === "en" ? "en-GB" : "ja-JP", {
    timeZone: "UTC",
    weekday: "short",
  }).format(new Date(Date.UTC(2024, 0, n)));

/** Fill `{name}` placeholders. */
const fill = (text: string, vars: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));

/** What a refused schedule, override or policy names, in the reader's words (the API's own otherwise). */
function problemKey(path: string, message: string): MessageKey | null {
  if (/\.shiftHours$/.test(path)) return "oncall.error.shiftHours";
  if (/^layers\.\d+\.start$/.test(path)) return "oncall.error.start";
  if (/members/.test(path) || path === "userId" || path === "steps.targets")
    return message.includes("not an active staff")
      ? "oncall.error.notStaff"
      : message.includes("schedule")
        ? "oncall.error.noSchedule"
        : "oncall.error.members";
  if (/restriction/.test(path)) return "oncall.error.restriction";
  if (/escalateAfterMinutes$/.test(path)) return "oncall.error.minutes";
  if (/^steps\.\d+\.targets$/.test(path)) return "oncall.error.targets";
  if (path === "steps") return "oncall.error.steps";
  if (path === "repeat") return "oncall.error.repeat";
  return null;
}

function oncallErrorText(t: ReturnType<typeof useT>, err: unknown): string {
  if (err instanceof ApiFailure && err.error.code === "validation_failed") {
    const d = err.error.details;
    const lines: string[] = [];
    if (Array.isArray(d))
      for (const x of d as { path?: string; message?: string }[]) {
        const key = problemKey(x.path ?? "", x.message ?? "");
        if (!key) return errorText(err);
        lines.push(t(key));
      }
    else if (d && typeof d === "object") {
      const to = (d as { to?: unknown }).to;
      if (Array.isArray(to) && to.includes("before_from")) lines.push(t("oncall.error.overrideOrder"));
      if (Array.isArray(to) && to.includes("past")) lines.push(t("oncall.error.overridePast"));
    }
    if (lines.length > 0) return [...new Set(lines)].join(" ");
  }
  return errorText(err);
}

/** Colours of the day bars (decorative: the names are written beside them). */
const PALETTE = ["#2b6cb0", "#2f855a", "#805ad5", "#b7791f", "#319795", "#c53030"];
const OVERRIDE_FILL = "#dd6b20";

/** Staff whose names the page knows: the signed-in user and everyone the schedules name. */
function knownStaff(me: Who | undefined, schedules: Schedule[] | undefined): [string, string][] {
  const m = new Map<string, string>();
  if (me?.user.kind === "staff") m.set(me.user.id, me.user.displayName);
  for (const s of schedules ?? []) {
    for (const [id, name] of Object.entries(s.memberNames)) m.set(id, name);
    for (const o of s.overrides) m.set(o.userId, o.name);
    for (const sh of s.shifts) m.set(sh.userId, sh.name);
  }
  return [...m].sort((a, b) => a[1].localeCompare(b[1], "ja"));
}

export function OncallPage(props: { me?: Me }) {
  const t = useT();
  const [fetchedMe] = useGet("/api/v1/me", {}, !props.me);
  const me: Who | undefined = props.me ?? fetchedMe;
  const [schedules, error, reload] = useGet("/api/v1/oncall/schedules", { query: { days: DAYS } });
  const [policies, policiesError, reloadPolicies] = useGet("/api/v1/escalation-policies", {});
  const planner = !!me && PLANNERS.includes(me.user.role);
  const staff = knownStaff(me, schedules);
  const names = new Map(staff);
  return (
    <section>
      <h1>{t("oncall.title")}</h1>
      <p className="hint">{t("oncall.lead")}</p>
      {!planner && me && <p className="notice">{t("oncall.readOnly")}</p>}
      <ErrorBox error={error} />
      {schedules?.length === 0 && <p className="hint">{t("oncall.noSchedules")}</p>}
      {schedules?.map((s) => (
        <ScheduleCard key={s.id} schedule={s} staff={staff} planner={planner} reload={reload} />
      ))}
      {planner && <NewSchedule staff={staff} reload={reload} />}
      <h2 id="policies-title">{t("oncall.policies.title")}</h2>
      <p className="hint">{t("oncall.policies.lead")}</p>
      <ErrorBox error={policiesError} />
      {policies?.length === 0 && <p className="hint">{t("oncall.policies.none")}</p>}
      {policies && schedules && (
        <PolicyList
          policies={policies}
          schedules={schedules}
          names={names}
          planner={planner}
          reload={reloadPolicies}
        />
      )}
      {planner && schedules && <NewPolicy schedules={schedules} staff={staff} reload={reloadPolicies} />}
    </section>
  );
}

/** Who is on call now on a schedule, and until when. */
function NowOnCall({ schedule }: { schedule: Schedule }) {
  const t = useT();
  const now = schedule.onCall;
  return (
    <p className="status-banner notice" data-testid="oncall-now">
      {now ? (
        <>
          {t("oncall.now")} <strong data-value>{now.name}</strong>{" "}
          {fill(t("oncall.until"), { time: tokyoTime(now.until) })}
          {now.source === "override" && <> ({t("oncall.override")})</>}
        </>
      ) : (
        t("oncall.nobody")
      )}
    </p>
  );
}

interface Segment {
  name: string;
  userId: string;
  from: number;
  to: number;
  override: boolean;
}

/** The schedule's shifts cut at each day's midnight (JST), for the next `DAYS` days. */
function byDay(schedule: Schedule): { day: number; segments: Segment[] }[] {
  const first = jstDayStart(Date.now());
  const out: { day: number; segments: Segment[] }[] = [];
  for (let i = 0; i <= DAYS; i++) {
    const day = first + i * DAY;
    const segments: Segment[] = [];
    for (const s of schedule.shifts) {
      const from = Math.max(Date.parse(s.from), day);
      const to = Math.min(Date.parse(s.to), day + DAY);
      if (to > from)
        segments.push({ name: s.name, userId: s.userId, from, to, override: s.source === "override" });
    }
    if (segments.length > 0 || i < DAYS) out.push({ day, segments });
  }
  return out;
}

function DayBar({
  day,
  segments,
  colour,
}: {
  day: number;
  segments: Segment[];
  colour: (s: Segment) => string;
}) {
  return (
    <svg
      className="daybar"
      viewBox="0 0 1440 16"
      preserveAspectRatio="none"
      width="240"
      height="16"
      aria-hidden="true"
    >
      <rect x="0" y="0" width="1440" height="16" fill="#edf2f7" />
      {segments.map((s) => (
        <rect
          key={`${s.from}-${s.userId}`}
          x={(s.from - day) / 60_000}
          y="0"
          width={(s.to - s.from) / 60_000}
          height="16"
          fill={colour(s)}
        />
      ))}
      {[360, 720, 1080].map((x) => (
        <line key={x} x1={x} x2={x} y1="0" y2="16" stroke="#fff" strokeWidth="4" />
      ))}
    </svg>
  );
}

function ScheduleCard(props: {
  schedule: Schedule;
  staff: [string, string][];
  planner: boolean;
  reload: () => void;
}) {
  const t = useT();
  const s = props.schedule;
  const [actionError, act] = useAction(props.reload);
  const members = [...new Set(s.layers.flatMap((l) => l.members))];
  const colour = (seg: Segment) =>
    seg.override ? OVERRIDE_FILL : (PALETTE[members.indexOf(seg.userId) % PALETTE.length] ?? PALETTE[0]!);
  const headingId = `schedule-${s.id}`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid="oncall-schedule">
      <h2 id={headingId}>
        <span data-value>{s.name}</span>
      </h2>
      <NowOnCall schedule={s} />
      <h3>{fill(t("oncall.shifts.title"), { n: DAYS })}</h3>
      <ScrollBox>
        <table className="mon" data-testid="oncall-shifts">
          <thead>
            <tr>
              <th scope="col">{t("oncall.shifts.day")}</th>
              <th scope="col">{t("oncall.shifts.who")}</th>
              <th scope="col">{t("oncall.shifts.bar")}</th>
            </tr>
          </thead>
          <tbody>
            {byDay(s).map(({ day, segments }) => (
              <tr key={day}>
                <th scope="row">{dayLabel(day)}</th>
                <td>
                  {segments.length === 0 ? (
                    <span className="hint">{t("oncall.shifts.nobody")}</span>
                  ) : (
                    <ul className="plain">
                      {segments.map((seg) => (
                        <li key={`${seg.from}-${seg.userId}`}>
                          {hhmm(seg.from, day)}–{hhmm(seg.to, day)} <span data-value>{seg.name}</span>
                          {seg.override && <strong> ({t("oncall.override")})</strong>}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  <DayBar day={day} segments={segments} colour={colour} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <p className="hint">{t("oncall.shifts.barHint")}</p>
      <h3>{t("oncall.layers.title")}</h3>
      <ScrollBox>
        <table className="mon" data-testid="oncall-layers">
          <thead>
            <tr>
              <th scope="col">{t("oncall.layers.name")}</th>
              <th scope="col">{t("oncall.layers.start")}</th>
              <th scope="col">{t("oncall.layers.shift")}</th>
              <th scope="col">{t("oncall.layers.members")}</th>
              <th scope="col">{t("oncall.layers.restriction")}</th>
            </tr>
          </thead>
          <tbody>
            {s.layers.map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a schedule's layers are in order
              <tr key={i}>
                <td>
                  <span data-value>{l.name}</span>
                </td>
                <td>{tokyoTime(`${l.start}:00+09:00`)}</td>
                <td>{hoursText(t, l.shiftHours)}</td>
                <td>
                  <ol className="plain-numbered">
                    {l.members.map((m, j) => (
                      // biome-ignore lint/suspicious/noArrayIndexKey: a member may be listed twice
                      <li key={j}>
                        <span data-value>{s.memberNames[m] ?? m}</span>
                      </li>
                    ))}
                  </ol>
                </td>
                <td>{restrictionText(t, l.restriction)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <h3>{t("oncall.overrides.title")}</h3>
      <ErrorBox error={actionError} />
      {s.overrides.length === 0 ? (
        <p className="hint">{t("oncall.overrides.none")}</p>
      ) : (
        <ScrollBox>
          <table className="mon" data-testid="oncall-overrides">
            <thead>
              <tr>
                <th scope="col">{t("oncall.overrides.who")}</th>
                <th scope="col">{t("oncall.overrides.from")}</th>
                <th scope="col">{t("oncall.overrides.to")}</th>
                <th scope="col">{t("oncall.overrides.note")}</th>
                {props.planner && <th scope="col">{t("oncall.overrides.actions")}</th>}
              </tr>
            </thead>
            <tbody>
              {s.overrides.map((o) => (
                <tr key={o.id}>
                  <td>
                    <span data-value>{o.name}</span>
                  </td>
                  <td>{tokyoTime(o.from)}</td>
                  <td>{tokyoTime(o.to)}</td>
                  <td>{o.note ? <span data-value>{o.note}</span> : "—"}</td>
                  {props.planner && (
                    <td className="actions">
                      <ConfirmButton
                        label={t("oncall.overrides.remove")}
                        ariaLabel={fill(t("oncall.overrides.removeLabel"), { name: o.name })}
                        message={t("oncall.overrides.removeConfirm")}
                        confirm={t("oncall.overrides.removeYes")}
                        cancel={t("confirm.cancel")}
                        className="secondary"
                        onConfirm={() =>
                          act(() => api("DELETE", `/oncall/schedules/${s.id}/overrides/${o.id}`))
                        }
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {props.planner && <AddOverride schedule={s} staff={props.staff} reload={props.reload} />}
    </section>
  );
}

function hoursText(t: ReturnType<typeof useT>, hours: number) {
  const text = fill(t("oncall.hours"), { n: hours });
  return hours % 24 === 0 && hours >= 48 ? `${text} ${fill(t("oncall.hoursDays"), { n: hours / 24 })}` : text;
}

function restrictionText(
  t: ReturnType<typeof useT>,
  r: { from: string; to: string; weekdays?: number[] } | null | undefined,
) {
  if (!r) return t("oncall.layers.always");
  const days = r.weekdays?.length
    ? r.weekdays.map(weekdayName).join(formatLang.current === "ja" ? "・" : ", ")
    : t("oncall.layers.everyDay");
  return `${days} ${r.from}–${r.to}`;
}

/** Someone covers a stretch of the schedule (an override wins over every rotation). */
function AddOverride(props: { schedule: Schedule; staff: [string, string][]; reload: () => void }) {
  const t = useT();
  const s = props.schedule;
  const nextHour = Math.ceil(Date.now() / HOUR) * HOUR;
  const [userId, setUserId] = useState("");
  const [from, setFrom] = useState(jstInput(nextHour));
  const [to, setTo] = useState(jstInput(nextHour + DAY));
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const id = (k: string) => `override-${s.id}-${k}`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    if (!userId) {
      setError(t("oncall.overrides.chooseWho"));
      return;
    }
    try {
      await api("POST", `/oncall/schedules/${s.id}/overrides`, {
        userId,
        from: jstInstant(from),
        to: jstInstant(to),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      setDone(true);
      setNote("");
      props.reload();
    } catch (err) {
      setError(oncallErrorText(t, err));
    }
  };
  return (
    <details className="edit">
      <summary>{t("oncall.overrides.add")}</summary>
      <form onSubmit={submit} aria-label={t("oncall.overrides.add")} data-testid="add-override">
        <div className="form-grid">
          <Select
            id={id("user")}
            label={t("oncall.overrides.who")}
            value={userId}
            onChange={setUserId}
            options={[["", "—"], ...props.staff]}
            dataOptions
          />
          <Field
            id={id("from")}
            label={t("oncall.overrides.fromJst")}
            type="datetime-local"
            value={from}
            onChange={setFrom}
          />
          <Field
            id={id("to")}
            label={t("oncall.overrides.toJst")}
            type="datetime-local"
            value={to}
            onChange={setTo}
          />
          <Field
            id={id("note")}
            label={t("oncall.overrides.note")}
            value={note}
            onChange={setNote}
            required={false}
          />
        </div>
        <ErrorBox error={error} />
        {done && <p role="status">{t("oncall.overrides.added")}</p>}
        <button type="submit">{t("oncall.overrides.submit")}</button>
      </form>
    </details>
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The rotation's members in order: chosen from the staff the page knows, or by user ID. */
function MemberPicker(props: {
  id: string;
  staff: [string, string][];
  value: string[];
  onChange: (ids: string[]) => void;
}) {
  const t = useT();
  const [choice, setChoice] = useState("");
  const [typed, setTyped] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const names = new Map(props.staff);
  const name = (id: string) => names.get(id) ?? id;
  const add = (id: string) => {
    props.onChange([...props.value, id]);
    setChoice("");
  };
  const move = (i: number, by: number) => {
    const next = [...props.value];
    const [m] = next.splice(i, 1);
    next.splice(i + by, 0, m!);
    props.onChange(next);
  };
  return (
    <fieldset>
      <legend>{t("oncall.form.members")}</legend>
      {props.value.length === 0 ? (
        <p className="hint">{t("oncall.form.noMembers")}</p>
      ) : (
        <ol data-testid="schedule-members">
          {props.value.map((m, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a member may be listed twice
            <li key={i}>
              <span data-value>{name(m)}</span>{" "}
              <button
                type="button"
                className="link"
                disabled={i === 0}
                aria-label={fill(t("oncall.form.upLabel"), { name: name(m) })}
                onClick={() => move(i, -1)}
              >
                {t("oncall.form.up")}
              </button>{" "}
              <button
                type="button"
                className="link"
                aria-label={fill(t("oncall.form.removeLabel"), { name: name(m) })}
                onClick={() => props.onChange(props.value.filter((_, j) => j !== i))}
              >
                {t("oncall.form.remove")}
              </button>
            </li>
          ))}
        </ol>
      )}
      <div className="inline">
        <Select
          id={`${props.id}-choice`}
          label={t("oncall.form.addMember")}
          value={choice}
          onChange={setChoice}
          options={[["", "—"], ...props.staff]}
          dataOptions
        />
        <button type="button" className="secondary" disabled={!choice} onClick={() => add(choice)}>
          {t("oncall.form.addButton")}
        </button>
      </div>
      <details className="advanced">
        <summary>{t("oncall.form.byId")}</summary>
        <div className="inline">
          <Field
            id={`${props.id}-typed`}
            label={t("oncall.form.userId")}
            value={typed}
            onChange={setTyped}
            required={false}
            hint={t("oncall.form.userIdHint")}
          />
          <button
            type="button"
            className="secondary"
            onClick={() => {
              if (!UUID.test(typed.trim())) {
                setProblem(t("oncall.form.userIdInvalid"));
                return;
              }
              setProblem(null);
              add(typed.trim().toLowerCase());
              setTyped("");
            }}
          >
            {t("oncall.form.addButton")}
          </button>
        </div>
        <ErrorBox error={problem} />
      </details>
    </fieldset>
  );
}

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** A new schedule with one rotation (more layers are added through the API). */
function NewSchedule(props: { staff: [string, string][]; reload: () => void }) {
  const t = useT();
  const [name, setName] = useState("");
  const [layerName, setLayerName] = useState(t("oncall.form.layerNameDefault"));
  const [start, setStart] = useState(jstInput(jstDayStart(Date.now()) + 10 * HOUR));
  const [shiftHours, setShiftHours] = useState("168");
  const [members, setMembers] = useState<string[]>([]);
  const [restricted, setRestricted] = useState(false);
  const [from, setFrom] = useState("09:00");
  const [to, setTo] = useState("18:00");
  const [weekdays, setWeekdays] = useState<number[]>([1, 2, 3, 4, 5]);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    if (members.length === 0) {
      setError(t("oncall.form.needMembers"));
      return;
    }
    try {
      await api("POST", "/oncall/schedules", {
        name: name.trim(),
        layers: [
          {
            name: layerName.trim(),
            start: start.slice(0, 16),
            shiftHours: Number(shiftHours),
            members,
            restriction: restricted ? { from, to, ...(weekdays.length < 7 ? { weekdays } : {}) } : null,
          },
        ],
      });
      setDone(name.trim());
      setName("");
      setMembers([]);
      props.reload();
    } catch (err) {
      setError(oncallErrorText(t, err));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-schedule-title" data-testid="new-schedule">
      <h2 id="new-schedule-title">{t("oncall.form.title")}</h2>
      <p className="hint">{t("oncall.form.lead")}</p>
      <div className="form-grid">
        <Field id="schedule-name" label={t("oncall.form.name")} value={name} onChange={setName} />
        <Field
          id="schedule-layer-name"
          label={t("oncall.form.layerName")}
          value={layerName}
          onChange={setLayerName}
        />
        <Field
          id="schedule-start"
          label={t("oncall.form.start")}
          type="datetime-local"
          value={start}
          onChange={setStart}
          hint={t("oncall.form.startHint")}
        />
        <Field
          id="schedule-shift-hours"
          label={t("oncall.form.shiftHours")}
          type="number"
          inputMode="numeric"
          value={shiftHours}
          onChange={setShiftHours}
          hint={t("oncall.form.shiftHoursHint")}
        />
      </div>
      <MemberPicker id="schedule-members" staff={props.staff} value={members} onChange={setMembers} />
      <Check
        id="schedule-restricted"
        label={t("oncall.form.restricted")}
        checked={restricted}
        onChange={setRestricted}
      />
      {restricted && (
        <fieldset>
          <legend>{t("oncall.form.restriction")}</legend>
          <div className="form-grid">
            <Field
              id="schedule-from"
              label={t("oncall.form.fromTime")}
              type="time"
              value={from}
              onChange={setFrom}
            />
            <Field
              id="schedule-to"
              label={t("oncall.form.toTime")}
              type="time"
              value={to}
              onChange={setTo}
              hint={t("oncall.form.toTimeHint")}
            />
          </div>
          <div className="inline">
            {WEEKDAYS.map((d) => (
              <Check
                key={d}
                id={`schedule-weekday-${d}`}
                label={weekdayName(d)}
                checked={weekdays.includes(d)}
                onChange={(on) => setWeekdays((w) => (on ? [...w, d].sort() : w.filter((x) => x !== d)))}
              />
            ))}
          </div>
        </fieldset>
      )}
      <ErrorBox error={error} />
      {done && (
        <p role="status">
          {t("oncall.form.done")} <span data-value>{done}</span>
        </p>
      )}
      <p>
        <button type="submit">{t("oncall.form.submit")}</button>
      </p>
    </form>
  );
}

/** A target of an escalation step, by name. */
function targetName(
  t: ReturnType<typeof useT>,
  target: { kind: "schedule" | "user"; id: string },
  schedules: Schedule[],
  names: Map<string, string>,
) {
  if (target.kind === "schedule") {
    const s = schedules.find((x) => x.id === target.id);
    return { kind: t("oncall.policies.targetSchedule"), name: s?.name ?? target.id.slice(0, 8) };
  }
  return { kind: t("oncall.policies.targetUser"), name: names.get(target.id) ?? target.id.slice(0, 8) };
}

function PolicyList(props: {
  policies: Policy[];
  schedules: Schedule[];
  names: Map<string, string>;
  planner: boolean;
  reload: () => void;
}) {
  const t = useT();
  const [error, act] = useAction(props.reload);
  return (
    <>
      <ErrorBox error={error} />
      {props.policies.map((p) => (
        <section
          key={p.id}
          className="card"
          aria-labelledby={`policy-${p.id}`}
          data-testid="escalation-policy"
        >
          <h3 id={`policy-${p.id}`}>
            <span data-value>{p.name}</span>
            {p.isDefault && <span className="badge state-up"> {t("oncall.policies.default")}</span>}
          </h3>
          <ol>
            {p.steps.map((step, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: steps are in order
              <li key={i}>
                {fill(t("oncall.policies.notify"), { n: i + 1 })}{" "}
                {step.targets.map((x, j) => {
                  const n = targetName(t, x, props.schedules, props.names);
                  return (
                    // biome-ignore lint/suspicious/noArrayIndexKey: targets are in order
                    <span key={j}>
                      {j > 0 && (formatLang.current === "ja" ? "、" : ", ")}
                      {n.kind} <strong data-value>{n.name}</strong>
                    </span>
                  );
                })}
                {(i + 1 < p.steps.length || p.repeat > 0) && (
                  <>
                    {" — "}
                    {fill(t(i + 1 < p.steps.length ? "oncall.policies.after" : "oncall.policies.afterLast"), {
                      n: step.escalateAfterMinutes,
                    })}
                  </>
                )}
              </li>
            ))}
          </ol>
          <p>
            {p.repeat > 0
              ? fill(t("oncall.policies.repeat"), { n: p.repeat })
              : t("oncall.policies.noRepeat")}
          </p>
          {props.planner && !p.isDefault && (
            <button
              type="button"
              className="secondary"
              onClick={() =>
                act(() =>
                  api("PUT", `/escalation-policies/${p.id}`, {
                    name: p.name,
                    steps: p.steps,
                    repeat: p.repeat,
                    isDefault: true,
                  }),
                )
              }
            >
              {t("oncall.policies.makeDefault")}
            </button>
          )}
        </section>
      ))}
    </>
  );
}

interface StepDraft {
  minutes: string;
  /** "schedule:<id>" or "user:<id>". */
  targets: string[];
}

/** A new escalation policy: its steps, each notifying schedules or people, repeated. */
function NewPolicy(props: { schedules: Schedule[]; staff: [string, string][]; reload: () => void }) {
  const t = useT();
  const [name, setName] = useState("");
  const [steps, setSteps] = useState<StepDraft[]>([{ minutes: "5", targets: [] }]);
  const [repeat, setRepeat] = useState("0");
  const [isDefault, setIsDefault] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const choices: [string, string, string][] = [
    ...props.schedules.map((s): [string, string, string] => [
      `schedule:${s.id}`,
      t("oncall.policies.targetSchedule"),
      s.name,
    ]),
    ...props.staff.map(([id, n]): [string, string, string] => [
      `user:${id}`,
      t("oncall.policies.targetUser"),
      n,
    ]),
  ];
  const setStep = (i: number, change: Partial<StepDraft>) =>
    setSteps((all) => all.map((s, j) => (j === i ? { ...s, ...change } : s)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      await api("POST", "/escalation-policies", {
        name: name.trim(),
        steps: steps.map((s) => ({
          escalateAfterMinutes: Number(s.minutes),
          targets: s.targets.map((x) => {
            const [kind, id] = x.split(":") as ["schedule" | "user", string];
            return { kind, id };
          }),
        })),
        repeat: Number(repeat),
        isDefault,
      });
      setDone(name.trim());
      setName("");
      setSteps([{ minutes: "5", targets: [] }]);
      props.reload();
    } catch (err) {
      setError(oncallErrorText(t, err));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="new-policy-title" data-testid="new-policy">
      <h3 id="new-policy-title">{t("oncall.policyForm.title")}</h3>
      <div className="form-grid">
        <Field id="policy-name" label={t("oncall.policyForm.name")} value={name} onChange={setName} />
      </div>
      {steps.map((step, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: steps are in order
        <fieldset key={i}>
          <legend>{fill(t("oncall.policyForm.step"), { n: i + 1 })}</legend>
          <p className="hint">{t("oncall.policyForm.targets")}</p>
          {choices.length === 0 && <p className="hint">{t("oncall.policyForm.noTargets")}</p>}
          <div className="form-grid">
            {choices.map(([value, kind, label]) => (
              <div className="check" key={value}>
                <input
                  id={`policy-step-${i}-${value}`}
                  type="checkbox"
                  checked={step.targets.includes(value)}
                  onChange={(e) =>
                    setStep(i, {
                      targets: e.target.checked
                        ? [...step.targets, value]
                        : step.targets.filter((x) => x !== value),
                    })
                  }
                />
                <label htmlFor={`policy-step-${i}-${value}`}>
                  {kind} <span data-value>{label}</span>
                </label>
              </div>
            ))}
          </div>
          <div className="form-grid">
            <Field
              id={`policy-step-${i}-minutes`}
              label={t("oncall.policyForm.minutes")}
              type="number"
              inputMode="numeric"
              value={step.minutes}
              onChange={(v) => setStep(i, { minutes: v })}
              hint={t("oncall.policyForm.minutesHint")}
            />
          </div>
          {steps.length > 1 && (
            <button
              type="button"
              className="secondary"
              onClick={() => setSteps((all) => all.filter((_, j) => j !== i))}
            >
              {fill(t("oncall.policyForm.removeStep"), { n: i + 1 })}
            </button>
          )}
        </fieldset>
      ))}
      <p>
        <button
          type="button"
          className="secondary"
          disabled={steps.length >= 10}
          onClick={() => setSteps((all) => [...all, { minutes: "10", targets: [] }])}
        >
          {t("oncall.policyForm.addStep")}
        </button>
      </p>
      <div className="form-grid">
        <Field
          id="policy-repeat"
          label={t("oncall.policyForm.repeat")}
          type="number"
          inputMode="numeric"
          value={repeat}
          onChange={setRepeat}
          hint={t("oncall.policyForm.repeatHint")}
        />
      </div>
      <Check
        id="policy-default"
        label={t("oncall.policyForm.isDefault")}
        checked={isDefault}
        onChange={setIsDefault}
      />
      <ErrorBox error={error} />
      {done && (
        <p role="status">
          {t("oncall.policyForm.done")} <span data-value>{done}</span>
        </p>
      )}
      <p>
        <button type="submit">{t("oncall.policyForm.submit")}</button>
      </p>
    </form>
  );
}
