/**
 * The alert formats Unyo receives, read into one shape. Each is validated at the boundary: a payload
 * that is not the format answers 400 naming the field, and nothing of it is recorded.
 *
 * - **Prometheus Alertmanager** webhook, payload version 4 (`webhook_config`): a group of alerts, each
 *   with `status`, `labels`, `annotations`, `startsAt`, `endsAt` and `fingerprint`. Alertmanager
 *   re-sends the whole group every `group_interval` and each HA peer sends its own copy: an alert
 *   occurrence is its (fingerprint, startsAt), never the POST or the group key.
 * - **Zabbix** webhook media type: the JSON our media-type script posts from Zabbix macros
 *   (docs/INCIDENTS.md): `event_id`, `event_value` (1 problem, 0 recovery), `event_name`,
 *   `event_severity`, `host`, `event_date`/`event_time` (and the recovery's), `trigger_id`, `tags`.
 * - **Generic JSON**: `{ "alerts": [{ "key", "status", "title", "startsAt", … }] }` (or one alert).
 */
import { z } from "zod";
import { AppError } from "../core/errors.ts";

export interface IncomingAlert {
  fingerprint: string;
  startsAt: Date;
  status: "firing" | "resolved";
  endsAt: Date | null;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  severity: string | null;
  /** Why the title reads as it does: summary annotation, else the alert name. */
  title: string;
}

const labelMap = z.record(z.string().max(200), z.string().max(10_000));
const instant = z.string().max(64);

function toDate(s: string, path: string): Date {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw invalid(`${path} is not a date-time: "${s.slice(0, 40)}"`, path);
  return new Date(t);
}

function invalid(message: string, path: string, issues?: z.core.$ZodIssue[]): AppError {
  return new AppError("validation_failed", message, {
    details: issues
      ? issues.slice(0, 20).map((i) => ({ path: i.path.join("."), message: i.message }))
      : [{ path, message }],
  });
}

/** Alertmanager's zero time ("0001-01-01T00:00:00Z") and unset ends mean "still firing". */
const isZeroTime = (d: Date) => d.getUTCFullYear() < 1970;

const amAlert = z.looseObject({
  status: z.enum(["firing", "resolved"]),
  labels: labelMap,
  annotations: labelMap.default({}),
  startsAt: instant,
  endsAt: instant.optional(),
  generatorURL: z.string().max(4000).optional(),
  fingerprint: z.string().min(1).max(200),
});
export const alertmanagerPayload = z.looseObject({
  version: z.literal("4"),
  groupKey: z.string().max(10_000).optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(["firing", "resolved"]),
  receiver: z.string().max(1000).optional(),
  groupLabels: labelMap.optional(),
  commonLabels: labelMap.optional(),
  commonAnnotations: labelMap.optional(),
  externalURL: z.string().max(4000).optional(),
  alerts: z.array(amAlert).max(10_000),
});

function parse<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const r = schema.safeParse(body);
  if (!r.success) throw invalid(`not ${what}`, "", r.error.issues);
  return r.data;
}

export function fromAlertmanager(body: unknown): IncomingAlert[] {
  const p = parse(alertmanagerPayload, body, "an Alertmanager webhook payload (version 4)");
  return p.alerts.map((a, i) => {
    const startsAt = toDate(a.startsAt, `alerts.${i}.startsAt`);
    const ends = a.endsAt ? toDate(a.endsAt, `alerts.${i}.endsAt`) : null;
    const name = a.labels.alertname ?? "alert";
    return {
      fingerprint: a.fingerprint,
      startsAt,
      status: a.status,
      endsAt: a.status === "resolved" ? (ends && !isZeroTime(ends) ? ends : startsAt) : null,
      name,
      labels: a.labels,
      annotations: a.annotations,
      severity: a.labels.severity ?? null,
      title: a.annotations.summary ?? a.annotations.description ?? name,
    };
  });
}

const zabbixPayload = z.looseObject({
  event_id: z.union([z.string(), z.number()]).transform(String).pipe(z.string().min(1).max(64)),
  event_value: z
    .union([z.string(), z.number()])
    .transform(String)
    .pipe(z.enum(["0", "1"])),
  event_name: z.string().min(1).max(2000),
  event_severity: z.string().max(64).optional(),
  event_nseverity: z.union([z.string(), z.number()]).transform(String).optional(),
  host: z.string().min(1).max(253),
  host_ip: z.string().max(64).optional(),
  event_date: z.string().regex(/^\d{4}\.\d{2}\.\d{2}$/, "YYYY.MM.DD"),
  event_time: z.string().regex(/^\d{2}:\d{2}:\d{2}$/, "HH:MM:SS"),
  event_recovery_date: z.string().max(10).optional(),
  event_recovery_time: z.string().max(8).optional(),
  trigger_id: z.union([z.string(), z.number()]).transform(String).optional(),
  tags: z.string().max(10_000).optional(),
  /** The Zabbix server's UTC offset for its local dates ("+09:00" unless told). */
  timezone: z
    .string()
    .regex(/^[+-]\d{2}:\d{2}$/, "±HH:MM")
    .optional(),
});

/** Zabbix' local "YYYY.MM.DD" + "HH:MM:SS" in the server's offset. */
function zabbixTime(date: string, time: string, tz: string, path: string): Date {
  return toDate(`${date.replaceAll(".", "-")}T${time}${tz}`, path);
}

export function fromZabbix(body: unknown): IncomingAlert[] {
  const p = parse(
    zabbixPayload,
    body,
    "a Zabbix webhook payload (event_id, event_value, event_name, host, event_date, event_time)",
  );
  const tz = p.timezone ?? "+09:00";
  const startsAt = zabbixTime(p.event_date, p.event_time, tz, "event_date");
  const recovered = p.event_value === "0";
  let endsAt: Date | null = null;
  if (recovered)
    endsAt =
      p.event_recovery_date && p.event_recovery_time && /^\d{4}\.\d{2}\.\d{2}$/.test(p.event_recovery_date)
        ? zabbixTime(p.event_recovery_date, p.event_recovery_time, tz, "event_recovery_date")
        : new Date();
  const labels: Record<string, string> = { host: p.host, alertname: p.event_name };
  if (p.host_ip) labels.host_ip = p.host_ip;
  if (p.trigger_id) labels.trigger_id = p.trigger_id;
  if (p.event_severity) labels.severity = p.event_severity;
  for (const t of (p.tags ?? "").split(",")) {
    const [k, ...v] = t.split(":");
    if (k?.trim() && !labels[k.trim()]) labels[k.trim()] = v.join(":").trim();
  }
  return [
    {
      fingerprint: `zabbix:${p.event_id}`,
      startsAt,
      status: recovered ? "resolved" : "firing",
      endsAt,
      name: p.event_name,
      labels,
      annotations: {},
      severity: p.event_severity ?? p.event_nseverity ?? null,
      title: `${p.event_name} (${p.host})`,
    },
  ];
}

const genericAlert = z.strictObject({
  key: z.string().min(1).max(200),
  status: z.enum(["firing", "resolved"]),
  title: z.string().min(1).max(500),
  startsAt: instant,
  endsAt: instant.optional(),
  severity: z.string().max(64).optional(),
  host: z.string().max(253).optional(),
  description: z.string().max(10_000).optional(),
  labels: labelMap.optional(),
});
const genericPayload = z.union([
  z.strictObject({ alerts: z.array(genericAlert).min(1).max(10_000) }),
  genericAlert,
]);

export function fromGeneric(body: unknown): IncomingAlert[] {
  const p = parse(
    genericPayload,
    body,
    "a generic alert payload ({ alerts: [{ key, status, title, startsAt, … }] })",
  );
  const list = "alerts" in p ? p.alerts : [p];
  return list.map((a, i) => {
    const startsAt = toDate(a.startsAt, `alerts.${i}.startsAt`);
    const labels: Record<string, string> = { ...(a.labels ?? {}), alertname: a.title };
    if (a.host) labels.host = a.host;
    if (a.severity) labels.severity = a.severity;
    return {
      fingerprint: a.key,
      startsAt,
      status: a.status,
      endsAt:
        a.status === "resolved" ? (a.endsAt ? toDate(a.endsAt, `alerts.${i}.endsAt`) : new Date()) : null,
      name: a.title,
      labels,
      annotations: (a.description ? { description: a.description } : {}) as Record<string, string>,
      severity: a.severity ?? null,
      title: a.title,
    };
  });
}

/**
 * The server an alert is about: the first of the integration's host labels present, without a port
 * (Prometheus' `instance` is host:port), matched to a server's name or one of its addresses.
 */
export function hostOf(labels: Record<string, string>, hostLabels: readonly string[]): string | null {
  for (const l of hostLabels) {
    const v = labels[l]?.trim();
    if (!v) continue;
    if (v.startsWith("[")) return v.slice(1, v.indexOf("]") > 0 ? v.indexOf("]") : undefined).toLowerCase();
    const colons = v.split(":").length - 1;
    return (colons === 1 ? v.slice(0, v.indexOf(":")) : v).toLowerCase();
  }
  return null;
}
