/**
 * A probe process (`unyo probe`): it leases shards of checks in PostgreSQL, runs each check in its
 * slots (phase + k × interval, the same on every probe) from one timer over a min-heap, and writes the
 * results in batches with their minute roll-ups and the state changes, fenced by the leases it still
 * holds. Started three times, each takes a fair share; killed, its shards expire and the others take
 * them within a lease period plus a renewal; restarted, every check runs again within one interval.
 */

import { randomBytes } from "node:crypto";
import os from "node:os";
import { serviceFacts } from "../../contracts/store.ts";
import type { Db } from "../../db/db.ts";
import { runCheck } from "../checks/run.ts";
import type { CheckSpec, Outcome, RunOptions } from "../checks/types.ts";
import { type CheckState, checkMode, nextSlot, nextState, type PauseReason } from "../rules.ts";
import { recordStateChanges, type StateChange } from "../store/checks.ts";
import {
  checksChangedSince,
  checksOfShards,
  heldShards,
  lastPingsOf,
  liveMembers,
  type ProbeCheckRow,
  releaseShards,
  removeMember,
  renewShards,
  statesOf,
  takeShards,
  touchMember,
} from "../store/leases.ts";
import { ensurePartitions, type ResultRow, writeResults } from "../store/results.ts";
import { DueHeap, type Scheduled } from "./heap.ts";

export const SHARDS = 256;
/** Results written in one transaction at most. */
const BATCH = 5_000;

export interface ProbeOptions {
  db: Db;
  log?: {
    info(o: object, m?: string): void;
    warn(o: object, m?: string): void;
    error(o: object, m?: string): void;
  };
  id?: string;
  /** Lease length; a killed probe's shards are taken over within this plus one renewal. */
  leaseMs?: number;
  renewMs?: number;
  flushMs?: number;
  /** Runs in flight at most (a slot whose run cannot start is counted as missed). */
  maxInFlight?: number;
  /** The executor (tests and benchmarks may count calls; production runs the real checks). */
  execute?: (spec: CheckSpec, o: RunOptions) => Promise<Outcome>;
}

interface Live extends Scheduled {
  row: ProbeCheckRow;
  spec: CheckSpec | null;
  intervalMs: number;
  state: CheckState;
  failures: number;
  running: boolean;
  removed: boolean;
  lastPingMs: number | null;
}

interface Pending extends ResultRow {
  shard: number;
  epoch: number;
}

export interface ProbeStats {
  runs: number;
  written: number;
  fenced: number;
  missed: number;
  failedWrites: number;
  /** Start lag (ms after the slot) histogram, 1 ms buckets up to 10 s. */
  lag: Uint32Array;
}

const noLog = { info() {}, warn() {}, error() {} };

export class Probe {
  readonly id: string;
  readonly stats: ProbeStats = {
    runs: 0,
    written: 0,
    fenced: 0,
    missed: 0,
    failedWrites: 0,
    lag: new Uint32Array(10_001),
  };
  private readonly db: Db;
  private readonly log: NonNullable<ProbeOptions["log"]>;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  private readonly flushMs: number;
  private readonly maxInFlight: number;
  private readonly execute: (spec: CheckSpec, o: RunOptions) => Promise<Outcome>;
  private readonly heap = new DueHeap<Live>();
  private readonly checks = new Map<string, Live>();
  /** Shard → epoch it was taken at. */
  private held = new Map<number, number>();
  private contractStatus = new Map<string, string>();
  private pending: Pending[] = [];
  private changes: (StateChange & { shard: number; epoch: number })[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Number.POSITIVE_INFINITY;
  private loops: NodeJS.Timeout[] = [];
  private inFlight = 0;
  private seenUpdatedAt = new Date(0);
  private lastFullRead = Date.now();
  /** When the leases were last renewed: past a lease period without, this probe may have lost them. */
  private renewedAt = 0;
  private leasing = false;
  private stopped = false;
  private flushing: Promise<void> | undefined;

  constructor(o: ProbeOptions) {
    this.db = o.db;
    this.log = o.log ?? noLog;
    this.id = o.id ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.leaseMs = o.leaseMs ?? 5_000;
    this.renewMs = o.renewMs ?? 1_000;
    this.flushMs = o.flushMs ?? 1_000;
    this.maxInFlight = o.maxInFlight ?? 10_000;
    this.execute = o.execute ?? runCheck;
  }

  get shards(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  get checkCount() {
    return this.checks.size;
  }

  async start() {
    const now = Date.now();
    await ensurePartitions(this.db, now - 86_400_000, 4);
    await this.lease();
    this.loops.push(
      setInterval(
        () => void this.lease().catch((e) => this.log.warn({ err: e }, "probe lease round failed")),
        this.renewMs,
      ),
      setInterval(() => void this.flush(), this.flushMs),
      setInterval(
        () =>
          void this.refreshContracts().catch((e) =>
            this.log.warn({ err: e }, "probe contract refresh failed"),
          ),
        10_000,
      ),
    );
    this.log.info({ probe: this.id, shards: this.held.size, checks: this.checks.size }, "probe started");
  }

  /** Stop: no new runs, write what is buffered, give the shards back at once. */
  async stop() {
    this.stopped = true;
    for (const l of this.loops) clearInterval(l);
    if (this.timer) clearTimeout(this.timer);
    await this.flush();
    await removeMember(this.db, this.id).catch(() => {});
  }

  // ---- leases ----

  private async lease() {
    // One round at a time: a slow database must not run two rounds over each other.
    if (this.stopped || this.leasing) return;
    this.leasing = true;
    try {
      await this.leaseRound();
    } finally {
      this.leasing = false;
    }
  }

  private async leaseRound() {
    const now = new Date();
    await touchMember(this.db, { id: this.id, host: os.hostname(), pid: process.pid, at: now });
    const members = await liveMembers(this.db, new Date(now.getTime() - 3 * this.renewMs));
    const fair = Math.ceil(SHARDS / Math.max(1, members.length));
    const kept = await renewShards(this.db, this.id, this.leaseMs);
    this.renewedAt = now.getTime();
    let mine = new Map(kept.map((r) => [r.shard, Number(r.epoch)]));
    if (mine.size > fair) {
      const extra = [...mine.keys()].sort((a, b) => b - a).slice(0, mine.size - fair);
      // Stop running them before another probe can take them.
      for (const s of extra) mine.delete(s);
      this.dropShards(extra);
      await releaseShards(this.db, this.id, extra);
    } else if (mine.size < fair) {
      for (const r of await takeShards(this.db, this.id, fair - mine.size, this.leaseMs))
        mine.set(r.shard, Number(r.epoch));
    }
    const lost = [...this.held.keys()].filter((s) => !mine.has(s) || mine.get(s) !== this.held.get(s));
    this.dropShards(lost);
    const gained = [...mine.keys()].filter((s) => this.held.get(s) !== mine.get(s));
    for (const s of lost) this.held.delete(s);
    if (gained.length) {
      const rows = await checksOfShards(this.db, gained);
      await this.addChecks(rows);
    }
    this.held = mine;
    mine = new Map();
    await this.pollChanges();
    await this.refreshPings();
  }

  private dropShards(shards: number[]) {
    if (shards.length === 0) return;
    const set = new Set(shards);
    for (const c of this.checks.values())
      if (set.has(c.row.shard)) {
        c.removed = true;
        this.heap.remove(c);
        this.checks.delete(c.row.id);
      }
  }

  private async addChecks(rows: ProbeCheckRow[]) {
    if (rows.length === 0) return;
    const states = new Map(
      (
        await statesOf(
          this.db,
          rows.map((r) => r.id),
        )
      ).map((s) => [s.check_id, s]),
    );
    const missing = [...new Set(rows.map((r) => r.contract_id))].filter((c) => !this.contractStatus.has(c));
    for (const f of await serviceFacts(this.db, missing)) this.contractStatus.set(f.id, f.status);
    const now = Date.now();
    for (const row of rows) {
      const found = this.checks.get(row.id);
      const old = found ? { state: found.state, failures: found.failures, removed: false } : undefined;
      if (found) {
        found.removed = true;
        this.heap.remove(found);
      }
      const s = states.get(row.id);
      // A change keeps what the probe knows of the check's state (and its rhythm when the interval stays).
      const live: Live = {
        row,
        spec: row.kind === "heartbeat" ? null : ({ kind: row.kind, settings: row.settings } as CheckSpec),
        intervalMs: row.interval_s * 1000,
        // A pause and a resume are recorded by the service that made them: the probe follows.
        state: row.paused_reason
          ? "paused"
          : old && old.state !== "paused"
            ? old.state
            : ((s?.state as CheckState) ?? "pending"),
        failures: old && !old.removed ? old.failures : 0,
        running: false,
        removed: false,
        lastPingMs: s?.last_ping_at ? new Date(s.last_ping_at).getTime() : null,
        due: nextSlot(now, row.interval_s * 1000, row.phase_ms),
        at: -1,
      };
      this.checks.set(row.id, live);
      this.heap.push(live);
      if (new Date(row.updated_at) > this.seenUpdatedAt) this.seenUpdatedAt = new Date(row.updated_at);
    }
    this.arm();
  }

  private async pollChanges() {
    if (this.held.size === 0) return;
    // With an overlap: a change's time is its transaction's start, so one that commits a little later
    // can carry a time older than one already seen; every five minutes the whole set is read again
    // (a change in a transaction longer than the overlap is picked up then).
    const full = Date.now() - this.lastFullRead > 300_000;
    const all = full
      ? await checksOfShards(this.db, this.shards)
      : await checksChangedSince(this.db, this.shards, new Date(this.seenUpdatedAt.getTime() - 2_000));
    if (full) {
      this.lastFullRead = Date.now();
      const present = new Set(all.map((r) => r.id));
      for (const c of [...this.checks.values()])
        if (!present.has(c.row.id)) {
          c.removed = true;
          this.heap.remove(c);
          this.checks.delete(c.row.id);
        }
    }
    const rows = all.filter((r) => {
      const known = this.checks.get(r.id);
      return !known || new Date(known.row.updated_at).getTime() !== new Date(r.updated_at).getTime();
    });
    if (rows.length === 0) return;
    for (const r of rows)
      if (new Date(r.updated_at) > this.seenUpdatedAt) this.seenUpdatedAt = new Date(r.updated_at);
    const gone = rows.filter((r) => r.deleted_at);
    for (const r of gone) {
      const c = this.checks.get(r.id);
      if (c) {
        c.removed = true;
        this.heap.remove(c);
        this.checks.delete(r.id);
      }
    }
    await this.addChecks(rows.filter((r) => !r.deleted_at));
  }

  private async refreshContracts() {
    const ids = [...new Set([...this.checks.values()].map((c) => c.row.contract_id))];
    for (let i = 0; i < ids.length; i += 5000)
      for (const f of await serviceFacts(this.db, ids.slice(i, i + 5000)))
        this.contractStatus.set(f.id, f.status);
  }

  private async refreshPings() {
    const ids = [...this.checks.values()].filter((c) => c.row.kind === "heartbeat").map((c) => c.row.id);
    if (ids.length === 0) return;
    const pings = await lastPingsOf(this.db, ids);
    for (const [id, at] of pings) {
      const c = this.checks.get(id);
      if (c && at) c.lastPingMs = at.getTime();
    }
  }

  // ---- the schedule ----

  private arm() {
    if (this.stopped) return;
    const next = this.heap.peek();
    if (!next) return;
    if (this.timer && next.due >= this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = next.due;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.due - Date.now()));
  }

  private fire() {
    this.timer = undefined;
    this.timerDue = Number.POSITIVE_INFINITY;
    const now = Date.now();
    for (;;) {
      const c = this.heap.peek();
      // Never before its slot (a timer may wake a millisecond early): the target would see the
      // previous slot run twice.
      if (!c || c.due > now) break;
      this.heap.pop();
      const slot = c.due;
      // The next slot; a probe that fell more than an interval behind skips to the coming one.
      c.due = slot + c.intervalMs;
      if (c.due <= now) {
        this.stats.missed += Math.floor((now - slot) / c.intervalMs);
        c.due = nextSlot(now, c.intervalMs, c.row.phase_ms);
      }
      this.heap.push(c);
      if (c.running || this.inFlight >= this.maxInFlight) {
        this.stats.missed++;
        continue;
      }
      void this.run(c, slot, now);
    }
    this.arm();
  }

  private async run(c: Live, slot: number, startedAt: number) {
    const lag = Math.min(10_000, Math.max(0, startedAt - slot));
    this.stats.lag[lag] = (this.stats.lag[lag] ?? 0) + 1;
    const status = this.contractStatus.get(c.row.contract_id) ?? "active";
    const mode = checkMode(status, c.row.paused_reason as PauseReason | null);
    const shard = c.row.shard;
    const epoch = this.held.get(shard);
    if (epoch === undefined) return;
    // Cut off from the database for a lease period: another probe may hold this shard now; running it
    // would run a slot twice (its result would not be written anyway).
    if (startedAt - this.renewedAt > this.leaseMs) {
      this.stats.missed++;
      return;
    }
    if (!mode.run) {
      if (c.state !== "paused") {
        this.changes.push({
          checkId: c.row.id,
          customerId: c.row.customer_id,
          at: new Date(startedAt),
          from: c.state,
          to: "paused",
          code: mode.reason,
          message: null,
          article: mode.article,
          shard,
          epoch,
        });
        c.state = "paused";
        c.failures = 0;
      }
      return;
    }
    c.running = true;
    this.inFlight++;
    let outcome: Outcome;
    try {
      if (c.spec) {
        outcome = await this.execute(c.spec, { timeoutMs: c.row.timeout_ms });
        for (let i = 0; i < c.row.retries && !outcome.ok && !c.removed; i++)
          outcome = await this.execute(c.spec, { timeoutMs: c.row.timeout_ms });
      } else {
        const graceMs = ((c.row.settings as { graceS?: number }).graceS ?? 60) * 1000;
        const since = c.lastPingMs === null ? null : startedAt - c.lastPingMs;
        outcome =
          since !== null && since <= c.intervalMs + graceMs
            ? { ok: true, latencyMs: 0 }
            : {
                ok: false,
                latencyMs: 0,
                code: "missed_heartbeat",
                message:
                  since === null ? "no ping received yet" : `last ping ${Math.round(since / 1000)} s ago`,
              };
      }
    } finally {
      c.running = false;
      this.inFlight--;
    }
    this.stats.runs++;
    if (c.removed) return;
    const next = nextState(c.state, c.failures, outcome.ok, c.row.down_after);
    if (next.state !== c.state)
      this.changes.push({
        checkId: c.row.id,
        customerId: c.row.customer_id,
        at: new Date(startedAt),
        from: c.state,
        to: next.state,
        code: outcome.code ?? null,
        message: outcome.message ?? null,
        article: null,
        shard,
        epoch,
      });
    c.state = next.state;
    c.failures = next.failures;
    this.pending.push({
      checkId: c.row.id,
      customerId: c.row.customer_id,
      at: startedAt,
      latencyMs: outcome.latencyMs,
      outcome: next.outcome,
      weightMs: c.intervalMs,
      code: outcome.code ?? null,
      ok: outcome.ok,
      shard,
      epoch,
    });
    if (this.pending.length >= 20_000) void this.flush();
  }

  // ---- writing ----

  /** Write what is buffered (one at a time); on failure keep it for the next round. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.length === 0 && this.changes.length === 0) return Promise.resolve();
    // A bounded batch a transaction (after a slow spell the buffer may hold many); the rest next round.
    const rows = this.pending.length > BATCH ? this.pending.slice(0, BATCH) : this.pending;
    this.pending = rows === this.pending ? [] : this.pending.slice(BATCH);
    const changes = this.changes;
    this.changes = [];
    this.flushing = this.write(rows, changes)
      .catch((e: unknown) => {
        this.stats.failedWrites++;
        this.log.warn({ err: e, rows: rows.length }, "probe could not write results; keeping them");
        // Kept for the next round, up to a bound (a long outage loses the oldest, counted).
        this.pending = [...rows, ...this.pending].slice(-500_000);
        this.changes = [...changes, ...this.changes];
      })
      .finally(() => {
        this.flushing = undefined;
        if (this.pending.length >= BATCH) void this.flush();
      });
    return this.flushing;
  }

  private async write(rows: Pending[], changes: (StateChange & { shard: number; epoch: number })[]) {
    const attempt = () =>
      this.db.transaction().execute(async (tx) => {
        const held = await heldShards(tx, this.id);
        const mine = (r: { shard: number; epoch: number }) => held.get(r.shard) === r.epoch;
        const keep = rows.filter(mine);
        const keepChanges = changes.filter(mine);
        await writeResults(tx, keep);
        await recordStateChanges(tx, keepChanges);
        return keep.length;
      });
    let written: number;
    try {
      written = await attempt();
    } catch (e) {
      // A new day with no partition yet (23514: no partition of relation "check_results" found for row).
      if ((e as { code?: string }).code !== "23514") throw e;
      await ensurePartitions(this.db, Date.now() - 86_400_000, 4);
      written = await attempt();
    }
    this.stats.written += written;
    this.stats.fenced += rows.length - written;
  }
}

/** The p-th percentile (0–100) of a lag histogram, in ms. */
export function percentile(hist: Uint32Array, p: number): number {
  let total = 0;
  for (const n of hist) total += n;
  if (total === 0) return 0;
  const want = Math.ceil((p / 100) * total);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= want) return i;
  }
  return hist.length - 1;
}
