/**
 * Checks (監視, Art. 3): staff add them to a registered server, change, pause (by hand, for an
 * emergency stop, Art. 22, or planned maintenance, Art. 23) and resume them, and remove them; everyone
 * entitled reads their state, history and uptime. A push check gets a secret URL its job calls.
 */
import { createHash, randomBytes } from "node:crypto";
import { appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { checkMode, hostKey, type PauseReason, placement } from "./rules.ts";
import type { CheckInput, CheckView } from "./schemas.ts";
import {
  type CheckRow,
  checkById,
  checkForUpdate,
  eventsOfCheck,
  insertCheck,
  listCheckRows,
  recordPing,
  recordStateChanges,
  stateOf,
  updateCheck,
} from "./store/checks.ts";
import { itemById } from "./store/inventory.ts";

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);
const sha256 = (s: string) => createHash("sha256").update(s).digest();
/**
 * States change on real time, as probes stamp them (monitoring keeps real time even on a test clock):
 * a pause recorded here orders after the run a probe started before it.
 */
const stateNow = () => new Date();

/** What a check checks, in one line: never a header, a body or a credential. */
export function targetOf(kind: string, settings: unknown): string {
  const s = (settings ?? {}) as Record<string, unknown>;
  switch (kind) {
    case "http": {
      try {
        const u = new URL(String(s.url));
        u.username = "";
        u.password = "";
        u.search = u.search ? "?…" : "";
        return `${String(s.method ?? "GET")} ${u.toString()}`;
      } catch {
        return "";
      }
    }
    case "tcp":
    case "tls":
      return `${String(s.host)}:${String(s.port)}`;
    case "icmp":
      return String(s.host);
    case "dns":
      return `${String(s.name)} ${String(s.recordType)}`;
    default:
      return "push";
  }
}

export function presentCheck(r: CheckRow): CheckView {
  const mode = r.paused_reason ? checkMode("active", r.paused_reason) : null;
  return {
    id: r.id,
    customerId: r.customer_id,
    contractId: r.contract_id,
    itemId: r.item_id,
    itemName: r.item_name,
    name: r.name,
    kind: r.kind,
    target: targetOf(r.kind, r.settings),
    intervalS: r.interval_s,
    timeoutMs: r.timeout_ms,
    retries: r.retries,
    downAfter: r.down_after,
    state: r.state ?? "pending",
    since: iso(r.since),
    code: r.code,
    message: r.message,
    paused: r.paused_reason
      ? { reason: r.paused_reason, article: mode?.article ?? null, at: iso(r.paused_at) }
      : null,
    lastPingAt: iso(r.last_ping_at),
  };
}

/** Settings as staff see them again: header values hidden (they may hold a token). */
function shownSettings(kind: string, settings: unknown): Record<string, unknown> | null {
  if (!settings || typeof settings !== "object") return null;
  const s = { ...(settings as Record<string, unknown>) };
  if (kind === "http" && s.headers && typeof s.headers === "object")
    s.headers = Object.fromEntries(Object.keys(s.headers).map((k) => [k, "••••••"]));
  return s;
}

async function loadCheck(tx: Tx, id: string) {
  const row = await checkById(tx, id);
  if (!row || row.deleted_at) throw notFound("check");
  return row;
}

export async function createCheck(deps: Deps, auth: AuthContext, input: CheckInput) {
  const now = deps.clock.now();
  if (input.kind !== "heartbeat" && input.timeoutMs * (input.retries + 1) > input.intervalS * 1000)
    throw new AppError("validation_failed", "timeout × (retries + 1) must fit in the interval", {
      details: { timeoutMs: ["exceeds_interval"] },
    });
  const token = input.kind === "heartbeat" ? `hb_${randomBytes(24).toString("base64url")}` : null;
  return deps.db.transaction().execute(async (tx) => {
    const item = await itemById(tx, input.itemId);
    if (!item || item.retired_at) throw notFound("inventory item");
    // Placement from a fresh id: the row is written with the id it was computed from.
    const id = crypto.randomUUID();
    const { shard, phaseMs } = placement(id, input.intervalS);
    await insertCheck(tx, {
      id,
      customer_id: item.customer_id,
      contract_id: item.contract_id,
      item_id: item.id,
      name: input.name,
      kind: input.kind,
      settings: JSON.stringify(input.settings),
      interval_s: input.intervalS,
      timeout_ms: input.timeoutMs,
      retries: input.retries,
      down_after: input.downAfter,
      shard,
      phase_ms: phaseMs,
      heartbeat_token_hash: token ? sha256(token) : null,
    });
    await recordStateChanges(tx, [
      {
        checkId: id,
        customerId: item.customer_id,
        at: stateNow(),
        from: "none",
        to: "pending",
        code: null,
        message: null,
        article: "3",
      },
    ]);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "check.create",
      subjectType: "check",
      subjectId: id,
      customerId: item.customer_id,
      article: "3",
      after: {
        name: input.name,
        kind: input.kind,
        target: targetOf(input.kind, input.settings),
        host: hostKey(item.name),
      },
      at: now,
    });
    const view = presentCheck(await loadCheck(tx, id));
    return { ...view, heartbeatUrl: token ? `/api/v1/heartbeat/${token}` : null };
  });
}

export async function changeCheck(
  deps: Deps,
  auth: AuthContext,
  id: string,
  patch: {
    name?: string | undefined;
    intervalS?: number | undefined;
    timeoutMs?: number | undefined;
    retries?: number | undefined;
    downAfter?: number | undefined;
  },
) {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const row = await checkForUpdate(tx, id);
    if (!row || row.deleted_at) throw notFound("check");
    const interval = patch.intervalS ?? row.interval_s;
    const timeout = patch.timeoutMs ?? row.timeout_ms;
    const retries = patch.retries ?? row.retries;
    if (row.kind !== "heartbeat" && timeout * (retries + 1) > interval * 1000)
      throw new AppError("validation_failed", "timeout × (retries + 1) must fit in the interval", {
        details: { timeoutMs: ["exceeds_interval"] },
      });
    await updateCheck(tx, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.intervalS !== undefined
        ? { interval_s: interval, phase_ms: placement(id, interval).phaseMs }
        : {}),
      ...(patch.timeoutMs !== undefined ? { timeout_ms: timeout } : {}),
      ...(patch.retries !== undefined ? { retries } : {}),
      ...(patch.downAfter !== undefined ? { down_after: patch.downAfter } : {}),
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "check.change",
      subjectType: "check",
      subjectId: id,
      customerId: row.customer_id,
      article: "3",
      after: patch,
      at: now,
    });
    return presentCheck(await loadCheck(tx, id));
  });
}

/** Pause a check: its state is recorded paused at once, with the reason and its article. */
export async function pauseCheck(
  deps: Deps,
  auth: AuthContext,
  id: string,
  reason: PauseReason,
  note?: string,
) {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const row = await checkForUpdate(tx, id);
    if (!row || row.deleted_at) throw notFound("check");
    if (row.paused_reason) throw new AppError("conflict", "the check is already paused");
    const mode = checkMode("active", reason);
    await updateCheck(tx, id, { paused_reason: reason, paused_at: now, paused_by: auth.user.id });
    // Recorded at once (the probe no longer runs it from its next slot).
    const state = await stateOf(tx, id);
    if (state?.state !== "paused")
      await recordStateChanges(tx, [
        {
          checkId: id,
          customerId: row.customer_id,
          at: stateNow(),
          from: state?.state ?? "pending",
          to: "paused",
          code: reason,
          message: note ?? null,
          article: mode.article,
        },
      ]);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "check.pause",
      subjectType: "check",
      subjectId: id,
      customerId: row.customer_id,
      article: mode.article ?? "3",
      after: { reason, note: note ?? null },
      at: now,
    });
    return presentCheck(await loadCheck(tx, id));
  });
}

export async function resumeCheck(deps: Deps, auth: AuthContext, id: string) {
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const row = await checkForUpdate(tx, id);
    if (!row || row.deleted_at) throw notFound("check");
    if (!row.paused_reason) throw new AppError("conflict", "the check is not paused");
    await updateCheck(tx, id, { paused_reason: null, paused_at: null, paused_by: null });
    await recordStateChanges(tx, [
      {
        checkId: id,
        customerId: row.customer_id,
        at: stateNow(),
        from: "paused",
        to: "pending",
        code: null,
        message: null,
        article: "3",
      },
    ]);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "check.resume",
      subjectType: "check",
      subjectId: id,
      customerId: row.customer_id,
      article: "3",
      at: now,
    });
    return presentCheck(await loadCheck(tx, id));
  });
}

export async function removeCheck(deps: Deps, auth: AuthContext, id: string) {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const row = await checkForUpdate(tx, id);
    if (!row || row.deleted_at) throw notFound("check");
    await updateCheck(tx, id, { deleted_at: now });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "check.remove",
      subjectType: "check",
      subjectId: id,
      customerId: row.customer_id,
      article: "3",
      at: now,
    });
  });
}

/** A new secret URL for a push check (the old one stops working). */
export async function renewHeartbeatUrl(deps: Deps, auth: AuthContext, id: string) {
  const now = deps.clock.now();
  const token = `hb_${randomBytes(24).toString("base64url")}`;
  return deps.db.transaction().execute(async (tx) => {
    const row = await checkForUpdate(tx, id);
    if (!row || row.deleted_at) throw notFound("check");
    if (row.kind !== "heartbeat") throw new AppError("conflict", "only a push check has a URL");
    await updateCheck(tx, id, { heartbeat_token_hash: sha256(token) });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "check.renew_url",
      subjectType: "check",
      subjectId: id,
      customerId: row.customer_id,
      article: "3",
      at: now,
    });
    return { ...presentCheck(await loadCheck(tx, id)), heartbeatUrl: `/api/v1/heartbeat/${token}` };
  });
}

/** A ping of a push check (no account: the secret URL is the credential). Unknown: not found. */
export async function heartbeat(deps: Deps, token: string) {
  if (!/^hb_[A-Za-z0-9_-]{32}$/.test(token)) throw notFound("heartbeat");
  const at = new Date();
  const found = await deps.db.transaction().execute((tx) => recordPing(tx, sha256(token), at));
  if (!found) throw notFound("heartbeat");
  return { receivedAt: at.toISOString() };
}

export async function getCheck(deps: Deps, auth: AuthContext, id: string) {
  return asCaller(deps.db, auth, async (tx) => {
    const row = await loadCheck(tx, id);
    const events = await eventsOfCheck(tx, id);
    return {
      ...presentCheck(row),
      settings: auth.user.kind === "staff" ? shownSettings(row.kind, row.settings) : null,
      events: events.map((e) => ({
        at: new Date(e.at).toISOString(),
        from: e.from_state,
        to: e.to_state,
        code: e.code,
        message: e.message,
        article: e.article,
      })),
    };
  });
}

export async function listChecks(
  deps: Deps,
  auth: AuthContext,
  filter: {
    itemId?: string | undefined;
    contractId?: string | undefined;
    customerId?: string | undefined;
    state?: string | undefined;
    q?: string | undefined;
  } & PageRequest,
): Promise<Page<CheckView>> {
  return asCaller(deps.db, auth, async (tx) =>
    mapPage(await listCheckRows(tx, filter, filter), presentCheck),
  );
}

/**
 * Pause or resume every check of a server at once: an emergency stop of the server (Art. 22) or its
 * planned maintenance (Art. 23) pauses all it is watched by; each check records the reason.
 */
export async function pauseItemChecks(
  deps: Deps,
  auth: AuthContext,
  itemId: string,
  input: { pause: true; reason: PauseReason; note?: string | undefined } | { pause: false },
) {
  const ids = await deps.db.transaction().execute(async (tx) => {
    const item = await itemById(tx, itemId);
    if (!item || item.retired_at) throw notFound("inventory item");
    return (await listCheckRows(tx, { itemId }, { limit: 500 })).items
      .filter((c) => (input.pause ? !c.paused_reason : !!c.paused_reason))
      .map((c) => c.id);
  });
  for (const id of ids)
    if (input.pause) await pauseCheck(deps, auth, id, input.reason, input.note);
    else await resumeCheck(deps, auth, id);
  return { changed: ids.length };
}
