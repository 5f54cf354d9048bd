/**
 * Alert ingestion: Alertmanager (webhook v4), Zabbix (webhook media type) and the generic JSON webhook,
 * each authenticated per customer integration (bearer token; an HMAC signature too when the
 * integration has a secret). One transaction per request takes the whole group: alerts already
 * recorded (the same fingerprint and startsAt, re-sent every group_interval or by another HA peer)
 * change nothing; new ones open an incident or join the open one for their fingerprint; resolved
 * ones close it when nothing of it fires any more (auto-resolve).
 */
import { createHash } from "node:crypto";
import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import type { Tx } from "../db/db.ts";
import { verifySignature } from "../notices/channels.ts";
import { fromAlertmanager, fromGeneric, fromZabbix, hostOf, type IncomingAlert } from "./formats.ts";
import { resolveIncidents } from "./lifecycle.ts";
import { alertKey, type IntegrationKind, muteOf, type Severity, severityOf } from "./rules.ts";
import {
  type AlertKey,
  type AlertRow,
  countSignals,
  insertAlerts,
  integrationByToken,
  itemsForMapping,
  knownAlerts,
  muteFacts,
  type NewIncident,
  openOrJoin,
  resolveAlerts,
  touchAlerts,
} from "./store/alerts.ts";
import { deleteIncidents, incidentsForUpdate, insertEvents, notifyChanged } from "./store/incidents.ts";
import { defaultPolicyId } from "./store/oncall.ts";

type Integration = NonNullable<Awaited<ReturnType<typeof integrationByToken>>>;
type Item = Awaited<ReturnType<typeof itemsForMapping>>[number];

/** Short-lived caches: an integration disabled or a server added takes effect within this time. */
const CACHE_MS = 5_000;
const integrations = new Map<string, { at: number; value: Integration | null }>();
const itemCache = new Map<string, { at: number; value: Map<string, Item> }>();

export const tokenHash = (token: string) => createHash("sha256").update(token, "utf8").digest();

async function integrationFor(deps: Pick<Deps, "db">, token: string): Promise<Integration | null> {
  const key = tokenHash(token);
  const k = key.toString("hex");
  const hit = integrations.get(k);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = (await integrationByToken(deps.db, key)) ?? null;
  if (integrations.size > 10_000) integrations.clear();
  integrations.set(k, { at: Date.now(), value });
  return value;
}

/** Forget cached integrations (after one is changed or disabled in this process). */
export function forgetIntegrations() {
  integrations.clear();
  itemCache.clear();
}

async function itemsOf(deps: Pick<Deps, "db">, customerId: string): Promise<Map<string, Item>> {
  const hit = itemCache.get(customerId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const byHost = new Map<string, Item>();
  for (const i of await itemsForMapping(deps.db, customerId)) {
    byHost.set(i.host_key, i);
    for (const a of i.addresses ?? []) if (!byHost.has(a.toLowerCase())) byHost.set(a.toLowerCase(), i);
  }
  itemCache.set(customerId, { at: Date.now(), value: byHost });
  return byHost;
}

export interface IngestRequest {
  kind: IntegrationKind;
  authorization: string | undefined;
  signature: string | undefined;
  raw: Buffer;
}

export interface IngestResult {
  received: number;
  recorded: number;
  duplicates: number;
  opened: number;
  joined: number;
  resolved: number;
}

function authenticate(i: Integration | null, req: IngestRequest, now: Date): Integration {
  if (!i || i.disabled_at)
    throw new AppError(
      "unauthenticated",
      "unknown or disabled integration token (Authorization: Bearer <token>)",
    );
  if (i.kind !== req.kind)
    throw new AppError(
      "bad_request",
      `this integration receives ${i.kind} alerts; post them to /ingest/v1/${i.kind}`,
    );
  if (i.hmac_secret) {
    const ok =
      req.signature !== undefined &&
      verifySignature(
        i.hmac_secret,
        req.signature,
        req.raw.toString("utf8"),
        Math.floor(now.getTime() / 1000),
      );
    if (!ok)
      throw new AppError(
        "unauthenticated",
        "this integration needs X-Unyo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of `t.body`> within 5 minutes",
      );
  }
  return i;
}

function parseBody(kind: IntegrationKind, raw: Buffer): IncomingAlert[] {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new AppError("bad_request", "the body is not JSON");
  }
  if (kind === "alertmanager") return fromAlertmanager(body);
  if (kind === "zabbix") return fromZabbix(body);
  return fromGeneric(body);
}

/** Receive one request's alerts. */
export async function ingest(
  deps: Pick<Deps, "db"> & { config: Config },
  req: IngestRequest,
): Promise<IngestResult> {
  const now = new Date();
  const bearer = req.authorization?.startsWith("Bearer ") ? req.authorization.slice(7).trim() : "";
  const integration = authenticate(bearer ? await integrationFor(deps, bearer) : null, req, now);
  const alerts = parseBody(req.kind, req.raw);
  // The same occurrence twice in one group counts once (the last copy wins).
  const unique = new Map<string, IncomingAlert>();
  for (const a of alerts) unique.set(`${a.fingerprint}\u0000${a.startsAt.toISOString()}`, a);
  const list = [...unique.values()].sort((a, b) =>
    a.fingerprint < b.fingerprint
      ? -1
      : a.fingerprint > b.fingerprint
        ? 1
        : a.startsAt.getTime() - b.startsAt.getTime(),
  );
  const items = await itemsOf(deps, integration.customer_id);
  const result: IngestResult = {
    received: alerts.length,
    recorded: 0,
    duplicates: 0,
    opened: 0,
    joined: 0,
    resolved: 0,
  };
  if (list.length === 0) return result;
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction().execute((tx) => take(tx, integration, list, items, now, result));
    } catch (err) {
      // Concurrent peers taking the same incidents may deadlock: the loser is retried whole.
      const code = (err as { code?: string }).code;
      if ((code === "40P01" || code === "40001") && attempt < 5) continue;
      throw err;
    }
  }
}

async function take(
  tx: Tx,
  integration: Integration,
  list: IncomingAlert[],
  items: Map<string, Item>,
  now: Date,
  base: IngestResult,
): Promise<IngestResult> {
  const result = { ...base };
  const keys: AlertKey[] = list.map((a) => ({ fingerprint: a.fingerprint, startsAt: a.startsAt }));
  const known = new Map(
    (await knownAlerts(tx, integration.id, keys)).map((k) => [
      `${k.fingerprint}\u0000${k.starts_at.toISOString()}`,
      k,
    ]),
  );
  const keyOf = (a: IncomingAlert) => `${a.fingerprint}\u0000${a.startsAt.toISOString()}`;
  const fresh = list.filter((a) => !known.has(keyOf(a)));
  const seen = list.filter((a) => known.has(keyOf(a)));

  // New occurrences: open or join their incidents.
  const itemOf = (a: IncomingAlert) => {
    const h = hostOf(a.labels, integration.host_labels);
    const it = h ? items.get(h) : undefined;
    return it && (!integration.contract_id || it.contract_id === integration.contract_id) ? it : undefined;
  };
  const freshItems = fresh.map(itemOf);
  const contractIds = [
    ...new Set(
      freshItems.map((i) => i?.contract_id ?? integration.contract_id).filter((c): c is string => !!c),
    ),
  ];
  const itemIds = [...new Set(freshItems.map((i) => i?.id).filter((i): i is string => !!i))];
  const facts =
    fresh.length > 0 ? await muteFacts(tx, integration.customer_id, contractIds, itemIds, now) : undefined;
  const policyId = integration.policy_id ?? (fresh.length > 0 ? await defaultPolicyId(tx) : null);
  const rows: NewIncident[] = [];
  const byKey = new Map<string, NewIncident>();
  for (const [n, a] of fresh.entries()) {
    const item = freshItems[n];
    const contractId = item?.contract_id ?? integration.contract_id;
    const dedupeKey = alertKey(integration.id, a.fingerprint);
    if (byKey.has(dedupeKey)) continue;
    const mute = muteOf({
      windows: (facts?.windows ?? []).filter(
        (w) =>
          w.scope === "service" ||
          (w.scope === "contract" && w.contract_id === contractId) ||
          (w.scope === "item" && item && w.item_id === item.id),
      ),
      contractStatus: contractId ? (facts?.contractStatus.get(contractId) ?? null) : null,
      emergencyStopped: !!item && !!facts?.stopped.has(item.id),
    });
    const severity: Severity = severityOf(a.severity, integration.default_severity);
    const row: NewIncident = {
      dedupeKey,
      customerId: integration.customer_id,
      contractId,
      itemId: item?.id ?? null,
      checkId: null,
      integrationId: integration.id,
      title: a.title.slice(0, 500),
      severity,
      openedAt: a.startsAt < now ? a.startsAt : now,
      // 認知: the provider became aware when the first signal reached it.
      awareAt: a.status === "resolved" && a.endsAt && a.endsAt < now ? a.endsAt : now,
      outage: severity === "critical",
      muted: mute?.mute ?? null,
      maintenanceId: mute?.windowId ?? null,
      policyId,
      nextEscalationAt: mute || a.status === "resolved" ? null : now,
    };
    if (row.openedAt > row.awareAt) row.openedAt = row.awareAt;
    byKey.set(dedupeKey, row);
    rows.push(row);
  }
  const incidents = await openOrJoin(tx, rows);
  const alertRows: AlertRow[] = fresh.map((a, n) => ({
    integrationId: integration.id,
    fingerprint: a.fingerprint,
    startsAt: a.startsAt,
    customerId: integration.customer_id,
    status: a.status,
    endsAt: a.endsAt,
    name: a.name.slice(0, 500),
    labels: a.labels,
    annotations: a.annotations,
    itemId: freshItems[n]?.id ?? null,
    incidentId: incidents.get(alertKey(integration.id, a.fingerprint))!.id,
  }));
  const inserted = await insertAlerts(tx, alertRows, now);
  result.recorded = inserted.length;
  // An incident opened here whose alert another request recorded first (a race with a resolved one) is dropped.
  const orphans = [...incidents.values()]
    .filter((i) => i.opened && !inserted.some((a) => a.incident_id === i.id))
    .map((i) => i.id);
  await deleteIncidents(tx, orphans);

  // Copies of known occurrences; resolutions of firing ones.
  await touchAlerts(
    tx,
    integration.id,
    seen.map((a) => ({ fingerprint: a.fingerprint, startsAt: a.startsAt })),
    now,
  );
  const ended = await resolveAlerts(
    tx,
    integration.id,
    seen
      .filter((a) => a.status === "resolved" && known.get(keyOf(a))!.status === "firing")
      .map((a) => ({ fingerprint: a.fingerprint, startsAt: a.startsAt, endsAt: a.endsAt ?? now })),
    now,
  );
  result.duplicates = seen.length - ended.length + (fresh.length - inserted.length);
  const deltas = new Map<string, { incidentId: string; signals: number; firing: number }>();
  const delta = (id: string) => {
    const d = deltas.get(id) ?? { incidentId: id, signals: 0, firing: 0 };
    deltas.set(id, d);
    return d;
  };
  const lastEnd = new Map<string, Date>();
  for (const a of inserted) {
    const d = delta(a.incident_id);
    d.signals++;
    if (a.status === "firing") d.firing++;
  }
  for (const e of ended) {
    delta(e.incident_id).firing--;
    if (!lastEnd.has(e.incident_id) || lastEnd.get(e.incident_id)! < e.ends_at)
      lastEnd.set(e.incident_id, e.ends_at);
  }
  // New occurrences that arrive already resolved end at their own end.
  for (const [n, a] of fresh.entries())
    if (a.status === "resolved" && a.endsAt) {
      const id = alertRows[n]!.incidentId;
      if (!lastEnd.has(id) || lastEnd.get(id)! < a.endsAt) lastEnd.set(id, a.endsAt);
    }
  const counted = await countSignals(
    tx,
    [...deltas.values()].sort((a, b) => (a.incidentId < b.incidentId ? -1 : 1)),
    now,
  );

  const opened = [...incidents.values()].filter((i) => i.opened);
  result.opened = opened.filter((o) => inserted.some((a) => a.incident_id === o.id)).length;
  result.joined = new Set(
    inserted.map((a) => a.incident_id).filter((id) => !opened.some((o) => o.id === id)),
  ).size;
  await insertEvents(
    tx,
    rows
      .filter((r) => {
        const i = incidents.get(r.dedupeKey);
        return i?.opened && !orphans.includes(i.id);
      })
      .map((r) => ({
        incident_id: incidents.get(r.dedupeKey)!.id,
        customer_id: r.customerId,
        at: now,
        kind: "opened",
        actor_id: null,
        body: r.title,
        data: {
          source: integration.kind,
          integration: integration.name,
          severity: r.severity,
          muted: r.muted,
        },
        public: true,
      })),
  );

  // Auto-resolve: nothing of the incident fires any more.
  const quiet = counted
    .filter((c) => c.firing === 0 && c.auto_resolve && c.status !== "resolved")
    .map((c) => c.id);
  const toResolve = await incidentsForUpdate(tx, quiet);
  const done = await resolveIncidents(tx, toResolve, {
    at: now,
    restoredAt: (i) => lastEnd.get(i.id) ?? now,
    by: null,
    kind: "auto",
  });
  result.resolved = done.length;
  await notifyChanged(
    tx,
    counted
      .filter((c) => !done.some((d) => d.id === c.id))
      .map((c) => ({ id: c.id, customerId: integration.customer_id })),
  );
  return result;
}
