/**
 * On-call schedules in Japan time (Asia/Tokyo, UTC+9, no daylight saving): layers of rotations, each
 * optionally restricted to hours of the day and days of the week, with overrides on top. Pure: no I/O,
 * no clock — every function takes the instants it works on.
 *
 * Precedence, highest first: overrides (the last in the array wins where they overlap), then layers
 * (a later layer wins over an earlier one where it covers). A layer that `scheduleProblems` reports on,
 * and an override it reports on, is treated as empty rather than guessed at.
 */
import { daysInMonth } from "../core/dates.ts";

export interface Rotation {
  name: string;
  /** Local JST date-time the rotation starts, "YYYY-MM-DDTHH:MM" — the first member's first shift begins then. */
  start: string;
  /** Length of one shift: hours (1..24*28). Handovers happen at start + k × shiftHours. */
  shiftHours: number;
  /** User ids in order; the rotation cycles through them. */
  members: string[];
  /**
   * Optional: the layer only covers these JST hours each day, e.g. { from: "09:00", to: "18:00" }, and
   * optionally only these ISO weekdays (1=Mon..7=Sun). Outside, the layer is empty and lower layers show
   * through. `to` <= `from` means the window crosses midnight (`to` == `from`: a whole day from `from`);
   * such a window belongs to the weekday on which it opens (Fri 22:00–06:00 covers Saturday 01:00).
   */
  restriction?: { from: string; to: string; weekdays?: number[] } | null;
}

/** Replaces whoever is on call in [from, to). */
export interface Override {
  userId: string;
  from: Date;
  to: Date;
}

/** Later layers win over earlier ones where they cover; overrides win over all (the last in the array wins when overrides overlap). */
export interface Schedule {
  layers: Rotation[];
  overrides: Override[];
}

/** One continuous assignment: `layer` is the index in `layers`, null for an override. */
export interface Shift {
  userId: string;
  from: Date;
  to: Date;
  source: "override" | "rotation";
  layer: number | null;
}

export interface Handover {
  at: Date;
  fromUser: string | null;
  toUser: string | null;
}

export interface ScheduleProblem {
  path: string;
  code: string;
  message: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const JST_OFFSET = 9 * HOUR;
export const MAX_SHIFT_HOURS = 24 * 28;
/** How far either side of the instant `onCallAt` follows an assignment that never changes. */
const ON_CALL_HORIZON = 366 * DAY;

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})$/;

/** "YYYY-MM-DDTHH:MM" read as Japan time → the instant; null unless it is a real date-time (years 1900–2999). */
export function parseJstLocal(s: string): Date | null {
  if (typeof s !== "string") return null;
  const m = LOCAL_RE.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59)
    return null;
  return new Date(Date.UTC(y, mo - 1, d, h, mi) - JST_OFFSET);
}

/** "HH:MM" (00:00–23:59) → milliseconds after midnight, or null. */
function parseTime(s: unknown): number | null {
  if (typeof s !== "string") return null;
  const m = TIME_RE.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 23 || mi > 59) return null;
  return h * HOUR + mi * MINUTE;
}

// ---------------------------------------------------------------------------------------------------
// Validation

function layerProblems(l: Rotation, i: number): ScheduleProblem[] {
  const out: ScheduleProblem[] = [];
  const p = `layers.${i}`;
  if (typeof l !== "object" || l === null) {
    out.push({ path: p, code: "invalid_layer", message: "a layer must be an object" });
    return out;
  }
  if (parseJstLocal(l.start) === null)
    out.push({
      path: `${p}.start`,
      code: "invalid_datetime",
      message: `start must be a real Japan-time date-time "YYYY-MM-DDTHH:MM", got ${JSON.stringify(l.start)}`,
    });
  if (
    typeof l.shiftHours !== "number" ||
    !Number.isInteger(l.shiftHours) ||
    l.shiftHours < 1 ||
    l.shiftHours > MAX_SHIFT_HOURS
  )
    out.push({
      path: `${p}.shiftHours`,
      code: "invalid_shift_hours",
      message: `shiftHours must be a whole number of hours from 1 to ${MAX_SHIFT_HOURS} (4 weeks), got ${JSON.stringify(l.shiftHours)}`,
    });
  if (!Array.isArray(l.members) || l.members.length === 0)
    out.push({ path: `${p}.members`, code: "no_members", message: "a rotation needs at least one member" });
  else
    l.members.forEach((m, j) => {
      if (typeof m !== "string" || m.trim() === "")
        out.push({
          path: `${p}.members.${j}`,
          code: "empty_member",
          message: "a member must be a non-empty user id",
        });
    });
  const r = l.restriction;
  if (r !== undefined && r !== null) {
    if (typeof r !== "object") {
      out.push({
        path: `${p}.restriction`,
        code: "invalid_restriction",
        message: "restriction must be an object or null",
      });
      return out;
    }
    for (const key of ["from", "to"] as const)
      if (parseTime(r[key]) === null)
        out.push({
          path: `${p}.restriction.${key}`,
          code: "invalid_time",
          message: `restriction ${key} must be a time "HH:MM" from 00:00 to 23:59, got ${JSON.stringify(r[key])}${
            r[key] === "24:00" ? " (write midnight as 00:00)" : ""
          }`,
        });
    if (r.weekdays !== undefined) {
      if (!Array.isArray(r.weekdays))
        out.push({
          path: `${p}.restriction.weekdays`,
          code: "invalid_weekday",
          message: "weekdays must be a list of ISO weekdays, 1 (Monday) to 7 (Sunday)",
        });
      else if (r.weekdays.length === 0)
        out.push({
          path: `${p}.restriction.weekdays`,
          code: "no_weekdays",
          message: "list at least one weekday, or leave weekdays out to cover every day",
        });
      else {
        const seen = new Set<number>();
        r.weekdays.forEach((w, j) => {
          if (typeof w !== "number" || !Number.isInteger(w) || w < 1 || w > 7)
            out.push({
              path: `${p}.restriction.weekdays.${j}`,
              code: "invalid_weekday",
              message: `a weekday is 1 (Monday) to 7 (Sunday), got ${JSON.stringify(w)}`,
            });
          else if (seen.has(w))
            out.push({
              path: `${p}.restriction.weekdays.${j}`,
              code: "duplicate_weekday",
              message: `weekday ${w} is listed more than once`,
            });
          else seen.add(w);
        });
      }
    }
  }
  return out;
}

function overrideProblems(o: Override, i: number): ScheduleProblem[] {
  const out: ScheduleProblem[] = [];
  const p = `overrides.${i}`;
  if (typeof o !== "object" || o === null) {
    out.push({ path: p, code: "invalid_override", message: "an override must be an object" });
    return out;
  }
  if (typeof o.userId !== "string" || o.userId.trim() === "")
    out.push({ path: `${p}.userId`, code: "empty_user", message: "an override needs a non-empty user id" });
  const validFrom = o.from instanceof Date && Number.isFinite(o.from.getTime());
  const validTo = o.to instanceof Date && Number.isFinite(o.to.getTime());
  if (!validFrom)
    out.push({ path: `${p}.from`, code: "invalid_date", message: "override from must be a valid instant" });
  if (!validTo)
    out.push({ path: `${p}.to`, code: "invalid_date", message: "override to must be a valid instant" });
  if (validFrom && validTo && !(o.to.getTime() > o.from.getTime()))
    out.push({
      path: `${p}.to`,
      code: "invalid_range",
      message: `an override must end after it starts (from ${o.from.toISOString()}, to ${o.to.toISOString()})`,
    });
  return out;
}

/** Everything wrong with a schedule, with a path such as "layers.0.restriction.from"; [] when it is fine. */
export function scheduleProblems(s: Schedule): ScheduleProblem[] {
  return [
    ...(s.layers ?? []).flatMap((l, i) => layerProblems(l, i)),
    ...(s.overrides ?? []).flatMap((o, i) => overrideProblems(o, i)),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Evaluation. Instants are epoch milliseconds inside; Dates only at the edges.

interface Seg {
  from: number;
  to: number;
  user: string;
}

interface Piece extends Seg {
  source: "override" | "rotation";
  layer: number | null;
}

interface Layer {
  start: number;
  shift: number;
  members: string[];
  /** Every member is the same user: the layer never hands over. */
  uniform: boolean;
  window: { open: number; length: number; weekdays: Set<number> | null } | null;
}

function compileLayer(l: Rotation, index: number): Layer | null {
  if (layerProblems(l, index).length > 0) return null;
  const r = l.restriction;
  let window: Layer["window"] = null;
  if (r) {
    const open = parseTime(r.from) ?? 0;
    const close = parseTime(r.to) ?? 0;
    window = {
      open,
      length: close > open ? close - open : close + DAY - open,
      weekdays: r.weekdays ? new Set(r.weekdays) : null,
    };
  }
  return {
    start: parseJstLocal(l.start)?.getTime() ?? 0,
    shift: l.shiftHours * HOUR,
    members: l.members,
    uniform: l.members.every((m) => m === l.members[0]),
    window,
  };
}

/** Appends, merging into the last segment when it is contiguous and the same user. */
function pushSeg(out: Seg[], from: number, to: number, user: string): void {
  const last = out[out.length - 1];
  if (last && last.to === from && last.user === user) last.to = to;
  else out.push({ from, to, user });
}

/** ISO weekday (1=Mon..7=Sun) of a JST day counted from 1970-01-01 (a Thursday). */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** The instants in [lo, hi) a restriction window covers, as sorted, merged intervals. */
function windowsBetween(
  w: NonNullable<Layer["window"]>,
  lo: number,
  hi: number,
): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  // A window opening the previous JST day may still be open at `lo`.
  const firstDay = Math.floor((lo + JST_OFFSET) / DAY) - 1;
  const lastDay = Math.floor((hi - 1 + JST_OFFSET) / DAY);
  for (let day = firstDay; day <= lastDay; day++) {
    if (w.weekdays && !w.weekdays.has(isoWeekday(day))) continue;
    const open = day * DAY - JST_OFFSET + w.open;
    const a = Math.max(open, lo);
    const b = Math.min(open + w.length, hi);
    if (a >= b) continue;
    const last = out[out.length - 1];
    if (last && last.to >= a) last.to = Math.max(last.to, b);
    else out.push({ from: a, to: b });
  }
  return out;
}

/** Who a layer puts on call in [lo, hi), ignoring every other layer. */
function layerSegments(l: Layer, lo: number, hi: number): Seg[] {
  const from = Math.max(lo, l.start);
  if (from >= hi) return [];
  const windows = l.window ? windowsBetween(l.window, from, hi) : [{ from, to: hi }];
  const out: Seg[] = [];
  const n = l.members.length;
  for (const w of windows) {
    if (l.uniform) {
      pushSeg(out, w.from, w.to, l.members[0] ?? "");
      continue;
    }
    let k = Math.floor((w.from - l.start) / l.shift);
    let t = w.from;
    while (t < w.to) {
      const end = Math.min(l.start + (k + 1) * l.shift, w.to);
      pushSeg(out, t, end, l.members[k % n] ?? "");
      t = end;
      k++;
    }
  }
  return out;
}

/** Who the overrides put on call in [lo, hi): the last override in the array wins where several cover. */
function overrideSegments(overrides: Override[], lo: number, hi: number): Seg[] {
  const live: Seg[] = [];
  overrides.forEach((o, i) => {
    if (overrideProblems(o, i).length > 0) return;
    const from = Math.max(o.from.getTime(), lo);
    const to = Math.min(o.to.getTime(), hi);
    if (from < to) live.push({ from, to, user: o.userId });
  });
  if (live.length === 0) return [];
  const bounds = sortedUnique(live.flatMap((s) => [s.from, s.to]));
  const out: Seg[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const a = bounds[i] as number;
    const b = bounds[i + 1] as number;
    for (let j = live.length - 1; j >= 0; j--) {
      const s = live[j] as Seg;
      if (s.from <= a && a < s.to) {
        pushSeg(out, a, b, s.user);
        break;
      }
    }
  }
  return out;
}

function sortedUnique(values: number[]): Float64Array {
  const sorted = Float64Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++)
    if (n === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i] as number;
  return sorted.subarray(0, n);
}

/**
 * The flattened timeline in [lo, hi), painted from the top down: overrides first, then each layer from
 * the last to the first only into the gaps still left, so a hidden layer costs nothing.
 */
function timeline(s: Schedule, lo: number, hi: number): Piece[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) return [];
  const painted: Piece[] = [];
  let gaps: { from: number; to: number }[] = [];
  let t = lo;
  for (const g of overrideSegments(s.overrides ?? [], lo, hi)) {
    if (g.from > t) gaps.push({ from: t, to: g.from });
    painted.push({ ...g, source: "override", layer: null });
    t = g.to;
  }
  if (t < hi) gaps.push({ from: t, to: hi });

  const layers = s.layers ?? [];
  for (let i = layers.length - 1; i >= 0 && gaps.length > 0; i--) {
    const l = compileLayer(layers[i] as Rotation, i);
    if (!l) continue;
    const left: { from: number; to: number }[] = [];
    for (const gap of gaps) {
      let u = gap.from;
      for (const g of layerSegments(l, gap.from, gap.to)) {
        if (g.from > u) left.push({ from: u, to: g.from });
        painted.push({ ...g, source: "rotation", layer: i });
        u = g.to;
      }
      if (u < gap.to) left.push({ from: u, to: gap.to });
    }
    gaps = left;
  }

  painted.sort((a, b) => a.from - b.from);
  const out: Piece[] = [];
  for (const p of painted) {
    const last = out[out.length - 1];
    if (
      last &&
      last.to === p.from &&
      last.user === p.user &&
      last.source === p.source &&
      last.layer === p.layer
    )
      last.to = p.to;
    else out.push(p);
  }
  return out;
}

function toShift(p: Piece): Shift {
  return { userId: p.user, from: new Date(p.from), to: new Date(p.to), source: p.source, layer: p.layer };
}

/**
 * Who is on call at an instant, with the whole continuous assignment (same user, source and layer)
 * around it: `to` is the next moment the answer changes. An assignment that runs on for more than a
 * year either side (a one-member layer around the clock) is reported as ending a year away. null when
 * nobody is on call.
 */
export function onCallAt(s: Schedule, at: Date): Shift | null {
  const t = at.getTime();
  if (!Number.isFinite(t)) return null;
  let back = DAY;
  let ahead = DAY;
  for (;;) {
    const lo = t - back;
    const hi = t + ahead;
    const p = timeline(s, lo, hi).find((x) => x.from <= t && t < x.to);
    if (!p) return null;
    const growBack = p.from === lo && back < ON_CALL_HORIZON;
    const growAhead = p.to === hi && ahead < ON_CALL_HORIZON;
    if (!growBack && !growAhead) return toShift(p);
    if (growBack) back = Math.min(back * 4, ON_CALL_HORIZON);
    if (growAhead) ahead = Math.min(ahead * 4, ON_CALL_HORIZON);
  }
}

/**
 * The final timeline in [from, to): non-overlapping shifts in time order, clipped to the range, with
 * contiguous pieces of the same user, source and layer merged. Nobody on call → no shift there.
 */
export function shiftsBetween(s: Schedule, from: Date, to: Date): Shift[] {
  return timeline(s, from.getTime(), to.getTime()).map(toShift);
}

/**
 * Every instant in [from, to) at which the on-call user changes (including to or from nobody). A change
 * of source or layer that keeps the same user is not a handover.
 */
export function handovers(s: Schedule, from: Date, to: Date): Handover[] {
  const lo = from.getTime();
  const hi = to.getTime();
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) return [];
  // Start one millisecond early to know who was on call just before `from`.
  const pieces = timeline(s, lo - 1, hi);
  const out: Handover[] = [];
  const add = (at: number, fromUser: string | null, toUser: string | null) => {
    if (at >= lo && at < hi && fromUser !== toUser) out.push({ at: new Date(at), fromUser, toUser });
  };
  let user: string | null = null;
  let until = lo - 1;
  for (const p of pieces) {
    if (p.from > until) {
      add(until, user, null);
      user = null;
    }
    add(p.from, user, p.user);
    user = p.user;
    until = p.to;
  }
  if (until < hi) add(until, user, null);
  return out;
}
