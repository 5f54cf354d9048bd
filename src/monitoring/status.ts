/**
 * What monitoring shows (Art. 3, 43): a check's history and uptime from the roll-ups (never by summing
 * raw results in a request), the month's uptime per check, each customer's status page (in the portal,
 * and optionally public at an unguessable URL), and the Prometheus service-discovery list.
 */
import { randomBytes } from "node:crypto";
import { appendAudit } from "../audit/service.ts";
import { serviceFacts } from "../contracts/store.ts";
import { addDays, addMonthsToMonth, type IsoMonth, tokyoDate } from "../core/dates.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { customerById } from "../customers/store.ts";
import { asCaller, type Db } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { presentCheck, targetOf } from "./checks-service.ts";
import { checkMode, type PauseReason, uptime } from "./rules.ts";
import { checkById, checksOfCustomer, discoverableChecks } from "./store/checks.ts";
import { settingsByStatusToken, settingsOf, upsertSettings } from "./store/custody.ts";
import { rollupsOf, uptimeTotals } from "./store/results.ts";

/**
 * Monitoring lives on real time even on a test clock: probes run and stamp results at real instants
 * (as sessions keep real time), so histories and status pages are read against the real now.
 */
const realNow = () => Date.now();
/** The instant an Asia/Tokyo date starts. */
export const jstStart = (date: string) => Date.parse(`${date}T00:00:00+09:00`);
const DEFAULT_SPAN = { m: 3 * 3_600_000, h: 7 * 86_400_000, d: 90 * 86_400_000 } as const;
const MAX_SPAN = { m: 2 * 86_400_000, h: 92 * 86_400_000, d: 3 * 366 * 86_400_000 } as const;

export async function checkHistory(
  deps: Deps,
  auth: AuthContext,
  id: string,
  q: { grain: "m" | "h" | "d"; from?: string | undefined; to?: string | undefined },
) {
  const now = realNow();
  const to = q.to ? Date.parse(q.to) : now;
  const from = q.from ? Date.parse(q.from) : to - DEFAULT_SPAN[q.grain];
  if (!(to > from))
    throw new AppError("validation_failed", "from must be before to", { details: { from: ["after_to"] } });
  if (to - from > MAX_SPAN[q.grain])
    throw new AppError("validation_failed", "the span is too long for this grain", {
      details: { from: ["too_long"] },
    });
  return asCaller(deps.db, auth, async (tx) => {
    const row = await checkById(tx, id);
    if (!row || row.deleted_at) throw notFound("check");
    const rows = await rollupsOf(tx, [id], q.grain, from, to);
    const totals = { upMs: 0, downMs: 0, mutedMs: 0 };
    const points = rows.map((r) => {
      totals.upMs += Number(r.up_ms);
      totals.downMs += Number(r.down_ms);
      totals.mutedMs += Number(r.muted_ms);
      const observed = Number(r.up_ms) + Number(r.down_ms);
      return {
        bucket: new Date(r.bucket).toISOString(),
        upMs: Number(r.up_ms),
        downMs: Number(r.down_ms),
        mutedMs: Number(r.muted_ms),
        runs: r.runs,
        uptime: observed ? Number(r.up_ms) / observed : null,
        latencyAvgMs: r.latency_count ? Math.round(Number(r.latency_sum) / r.latency_count) : null,
        latencyMaxMs: r.latency_count ? r.latency_max : null,
      };
    });
    const u = uptime(totals);
    return {
      grain: q.grain,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      points,
      uptime: u.ratio,
      basis: u.basis,
    };
  });
}

/** The [from, to) instants of an Asia/Tokyo month. */
export function monthSpan(month: IsoMonth): [number, number] {
  return [jstStart(`${month}-01`), jstStart(`${addMonthsToMonth(month, 1)}-01`)];
}

/** Each visible check's uptime over a month, from the day roll-ups. */
export async function monthUptime(
  deps: Deps,
  auth: AuthContext,
  month: IsoMonth,
  customerId?: string | undefined,
) {
  const [from, to] = monthSpan(month);
  return asCaller(deps.db, auth, async (tx) => {
    const ids = customerId ? (await checksOfCustomer(tx, customerId)).map((c) => c.id) : ("all" as const);
    const rows = await uptimeTotals(tx, ids, from, to);
    return {
      month,
      checks: rows.map((r) => {
        const u = uptime({ upMs: Number(r.up), downMs: Number(r.down), mutedMs: Number(r.muted) });
        return {
          checkId: r.check_id,
          uptime: u.ratio,
          upMs: Number(r.up),
          downMs: Number(r.down),
          mutedMs: Number(r.muted),
          basis: u.basis,
        };
      }),
    };
  });
}

async function statusOf(
  db: Db | Parameters<Parameters<typeof asCaller>[2]>[0],
  customerId: string,
  now: number,
  publicView: boolean,
) {
  const customer = await customerById(db, customerId);
  if (!customer) throw notFound("status page");
  const checks = await checksOfCustomer(db, customerId);
  const today = tokyoDate(new Date(now));
  const firstDay = addDays(today, -89);
  const rows = await rollupsOf(
    db,
    checks.map((c) => c.id),
    "d",
    jstStart(firstDay),
    jstStart(addDays(today, 1)),
  );
  const byCheck = new Map<string, Map<string, { up: number; down: number }>>();
  for (const r of rows) {
    const day = tokyoDate(new Date(r.bucket));
    let m = byCheck.get(r.check_id);
    if (!m) {
      m = new Map();
      byCheck.set(r.check_id, m);
    }
    m.set(day, { up: Number(r.up_ms), down: Number(r.down_ms) });
  }
  const days: string[] = [];
  for (let d = firstDay; d <= today; d = addDays(d, 1)) days.push(d);
  const order = { down: 0, pending: 1, paused: 2, up: 3 } as const;
  const services = checks.map((c) => {
    const m = byCheck.get(c.id) ?? new Map();
    let up = 0;
    let down = 0;
    for (const v of m.values()) {
      up += v.up;
      down += v.down;
    }
    const view = presentCheck(c);
    return {
      id: c.id,
      name: c.name,
      itemName: publicView ? "" : c.item_name,
      state: view.state,
      since: view.since,
      uptime90: up + down ? up / (up + down) : null,
      days: days.map((day) => {
        const v = m.get(day);
        return { day, uptime: v && v.up + v.down ? v.up / (v.up + v.down) : null };
      }),
    };
  });
  const overall = services.length
    ? services.reduce((w, s) => (order[s.state] < order[w] ? s.state : w), "up" as keyof typeof order)
    : null;
  return { customerName: customer.legal_name, asOf: new Date(now).toISOString(), overall, services };
}

/** A customer's status page in the portal (their own; staff may look at any customer's). */
export async function statusPage(deps: Deps, auth: AuthContext, customerId?: string) {
  const id = auth.user.kind === "customer" ? auth.user.customerId : customerId;
  if (!id)
    throw new AppError("validation_failed", "name the customer", { details: { customerId: ["required"] } });
  return asCaller(deps.db, auth, (tx) => statusOf(tx, id, realNow(), false));
}

/** The public status page at its unguessable URL (no host names). */
export async function publicStatusPage(deps: Deps, token: string) {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) throw notFound("status page");
  const s = await settingsByStatusToken(deps.db, token);
  if (!s) throw notFound("status page");
  return statusOf(deps.db, s.customer_id, realNow(), true);
}

/** Turn a customer's public status page on (a new URL each time) or off. */
export async function setPublicStatusPage(
  deps: Deps,
  auth: AuthContext,
  customerId: string,
  enabled: boolean,
) {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    if (!(await customerById(tx, customerId))) throw notFound("customer");
    const token = enabled ? randomBytes(24).toString("base64url") : null;
    await upsertSettings(tx, customerId, { status_page_token: token, updated_at: now });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: enabled ? "status_page.publish" : "status_page.withdraw",
      subjectType: "customer",
      subjectId: customerId,
      customerId,
      article: "43",
      at: now,
    });
    return { publicUrl: token ? `/status/${token}` : null };
  });
}

export async function statusPageSettings(deps: Deps, auth: AuthContext, customerId: string) {
  return asCaller(deps.db, auth, async (tx) => {
    const s = await settingsOf(tx, customerId);
    return {
      publicUrl: s?.status_page_token ? `/status/${s.status_page_token}` : null,
      revealNeedsApproval: s?.reveal_needs_approval ?? false,
    };
  });
}

const MODULES: Record<string, string> = {
  http: "http_2xx",
  tcp: "tcp_connect",
  icmp: "icmp",
  tls: "tls_connect",
};

/**
 * Prometheus HTTP service discovery (`http_sd`): each active check a blackbox_exporter target, with
 * its customer, contract, server, check and module as labels (`__param_module` asks the exporter for
 * the module). DNS and push checks have no blackbox form and are not listed; paused checks and those of
 * suspended or ended contracts are not either.
 */
export async function prometheusTargets(deps: Deps) {
  const rows = await discoverableChecks(deps.db, Object.keys(MODULES));
  const facts = new Map(
    (
      await serviceFacts(
        deps.db,
        rows.map((r) => r.contract_id),
      )
    ).map((f) => [f.id, f]),
  );
  const groups: { targets: string[]; labels: Record<string, string> }[] = [];
  for (const r of rows) {
    const f = facts.get(r.contract_id);
    if (!f || !checkMode(f.status, r.paused_reason as PauseReason | null).run) continue;
    const s = r.settings as Record<string, unknown>;
    const target =
      r.kind === "http"
        ? String(s.url)
        : r.kind === "icmp"
          ? String(s.host)
          : `${String(s.host)}:${String(s.port)}`;
    groups.push({
      targets: [target],
      labels: {
        __param_module: MODULES[r.kind]!,
        module: MODULES[r.kind]!,
        unyo_check: r.id,
        unyo_check_name: r.name,
        customer: f.legal_name,
        customer_id: r.customer_id,
        contract: f.number,
        server: r.item_name,
        target_display: targetOf(r.kind, r.settings),
      },
    });
  }
  return groups;
}
