/**
 * The monitoring room's decisions (Art. 3, 4, 7(1), 21–23, 43): which checks run and which are paused
 * or muted and why, when a check is down, when its next run is due, and what a period's uptime is.
 * Pure: callers hand in the time and the facts.
 */
import { type Basis, cite } from "../core/citations.ts";

export const ITEM_KINDS = ["server", "cloud_resource"] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
export const CREDENTIAL_KINDS = ["root_password", "ssh_private_key", "cloud_api_key", "other"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];
export const REVEAL_STATUSES = ["pending", "approved", "refused", "revealed"] as const;
export type RevealStatus = (typeof REVEAL_STATUSES)[number];
/** Why staff paused a check: by hand, an emergency stop of the server (Art. 22), planned maintenance (Art. 23). */
export const PAUSE_REASONS = ["manual", "emergency_stop", "maintenance"] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];
export const CHECK_STATES = ["pending", "up", "down", "paused"] as const;
/** Roll-up grains: minute, hour, day (Asia/Tokyo). */
export const GRAINS = ["m", "h", "d"] as const;
export type CheckState = (typeof CHECK_STATES)[number];

/** A result's outcome as stored: up, failed but not yet confirmed (counts as up), down, muted (counts neither way). */
export const OUTCOME = { up: 0, failing: 1, down: 2, muted: 3 } as const;
export type OutcomeCode = (typeof OUTCOME)[keyof typeof OUTCOME];

const PAUSE_ARTICLE: Record<PauseReason | "suspended", string | null> = {
  manual: null,
  emergency_stop: "22(1)",
  maintenance: "23(1)",
  suspended: "21(1)",
};

/**
 * Whether a check runs: a check paused by staff is not run (its reason recorded); the checks of a
 * suspended contract are paused (停止, Art. 21: the service is not provided while suspended); a
 * contract that has ended (terminated, data deleted) is not monitored (Art. 3: the service is what
 * the contract covers).
 */
export function checkMode(
  contractStatus: string,
  pausedReason: PauseReason | null,
): { run: boolean; reason: PauseReason | "suspended" | "ended" | null; article: string | null } {
  if (contractStatus === "terminated" || contractStatus === "data_deleted")
    return { run: false, reason: "ended", article: "3" };
  if (pausedReason) return { run: false, reason: pausedReason, article: PAUSE_ARTICLE[pausedReason] };
  if (contractStatus === "suspended") return { run: false, reason: "suspended", article: "21(1)" };
  return { run: true, reason: null, article: null };
}

/**
 * The state after a run. A check is down after `downAfter` consecutive failed runs (each run already
 * retried `retries` times by the probe), and up again after one successful run.
 */
export function nextState(
  prev: CheckState,
  failuresBefore: number,
  ok: boolean,
  downAfter: number,
): { state: CheckState; failures: number; outcome: OutcomeCode } {
  if (ok) return { state: "up", failures: 0, outcome: OUTCOME.up };
  const failures = failuresBefore + 1;
  if (failures >= downAfter) return { state: "down", failures, outcome: OUTCOME.down };
  // Not yet confirmed: the state stays what it was (a new check stays pending).
  return {
    state: prev === "down" ? "down" : prev === "paused" ? "pending" : prev,
    failures,
    outcome: OUTCOME.failing,
  };
}

/**
 * When a check runs: at `phase + k × interval` (ms since the epoch). The phase comes from the check's
 * id, so every probe computes the same slots: a check taken over by another probe keeps its rhythm
 * and a slot is never run twice by two probes.
 */
export function nextSlot(nowMs: number, intervalMs: number, phaseMs: number): number {
  const k = Math.floor((nowMs - phaseMs) / intervalMs) + 1;
  return phaseMs + k * intervalMs;
}

/** The slot a run at `atMs` belongs to (its number, for telling duplicates apart). */
export const slotOf = (atMs: number, intervalMs: number, phaseMs: number) =>
  Math.floor((atMs - phaseMs) / intervalMs);

export interface UptimeTotals {
  upMs: number;
  downMs: number;
  mutedMs: number;
}

/**
 * Uptime over a period: time up over time observed, muted and paused time left out (Art. 23: planned
 * maintenance is not an outage of the service; Art. 21: a suspended service is not provided). Each
 * result stands for its check's interval. No observed time: no figure (null), never 100 %.
 */
export function uptime(t: UptimeTotals): { ratio: number | null; basis: Basis[] } {
  const observed = t.upMs + t.downMs;
  if (observed === 0)
    return {
      ratio: null,
      basis: [
        cite(
          "3",
          "No observed time in the period: no uptime figure.",
          "期間中に観測した時間がないため、稼働率はありません。",
        ),
      ],
    };
  const ratio = t.upMs / observed;
  const pct = (Math.floor(ratio * 100_000) / 1000).toFixed(3);
  const hours = (ms: number) => (ms / 3_600_000).toFixed(2);
  return {
    ratio,
    basis: [
      cite(
        "3",
        `Up ${hours(t.upMs)} h of ${hours(observed)} h observed = ${pct} %; ${hours(t.mutedMs)} h muted or in maintenance not counted.`,
        `観測 ${hours(observed)} 時間のうち稼働 ${hours(t.upMs)} 時間 = ${pct}%(ミュート・保守中の ${hours(t.mutedMs)} 時間は含めません)。`,
      ),
    ],
  };
}

/** A host name as compared: DNS names are case-insensitive (as the contracts room compares servers). */
export const hostKey = (name: string) => name.trim().toLowerCase();

/** Which of 256 shards a check belongs to, and its phase within its interval, both from its id. */
export function placement(id: string, intervalS: number): { shard: number; phaseMs: number } {
  const hex = id.replace(/-/g, "");
  const a = Number.parseInt(hex.slice(0, 8), 16);
  const b = Number.parseInt(hex.slice(8, 16), 16);
  return { shard: a % 256, phaseMs: b % (intervalS * 1000) };
}

export interface CoverageProblem {
  field: string;
  problem: string;
  article: string;
}

/**
 * Whether an item may be registered under a contract (Art. 4: the service covers the servers the
 * contract lists; 20(2): another server is added by a change of content first): a server must be one
 * the contract lists; the options covering it must be options of the contract.
 */
export function coverageProblems(
  contract: { servers: { hostname: string }[]; options: string[] },
  item: { kind: ItemKind; name: string; options: string[] },
): CoverageProblem[] {
  const problems: CoverageProblem[] = [];
  if (item.kind === "server" && !contract.servers.some((s) => hostKey(s.hostname) === hostKey(item.name)))
    problems.push({ field: "name", problem: "not_on_contract", article: "20(2)" });
  for (const o of item.options)
    if (!contract.options.includes(o))
      problems.push({ field: "options", problem: "option_not_contracted", article: "4" });
  return problems;
}
