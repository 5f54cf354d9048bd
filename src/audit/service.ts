import type { Caller } from "../core/deps.ts";
import type { Db, Tx } from "../db/db.ts";
import { mapPage, type PageRequest } from "../db/page.ts";
import {
  type AuditContent,
  type ChainProblem,
  entryHash,
  GENESIS_HASH,
  type StoredEntry,
  verifyRun,
} from "./rules.ts";
import { entriesAfter, entriesOfCustomer, insertEntries, lockTail } from "./store.ts";

export interface Actor {
  kind: AuditContent["actorKind"];
  id: string | null;
}

export const systemActor: Actor = { kind: "system", id: null };

/** Who acts, as the audit log records it: a staff or customer user, an API token, or the public. */
export function actorOf(caller: Caller | undefined): Actor {
  if (!caller) return { kind: "public", id: null };
  return { kind: caller.kind === "token" ? "token" : caller.user.kind, id: caller.user.id };
}

export interface AuditInput {
  actor: Actor;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  customerId?: string | null;
  before?: unknown;
  after?: unknown;
  article?: string | null;
  at?: Date;
}

/**
 * Append one entry, in the caller's transaction (so it commits or rolls back with the change
 * it records). Appends are serialised by an advisory lock taken in `audit_lock_tail()`.
 */
export async function appendAudit(tx: Tx, input: AuditInput): Promise<{ seq: number }> {
  const [first] = await appendAuditMany(tx, [input]);
  return first!;
}

/**
 * Append entries in order, chained one to the next, under one lock of the tail: what a batch
 * (an imported file of payments, say) records costs one round trip per 1,000 entries, not two each.
 */
export async function appendAuditMany(tx: Tx, inputs: AuditInput[]): Promise<{ seq: number }[]> {
  if (inputs.length === 0) return [];
  const last = await lockTail(tx);
  let prevHash = last?.hash ?? GENESIS_HASH;
  let seq = Number(last?.seq ?? 0);
  const rows = inputs.map((input) => {
    const content: AuditContent = {
      seq: ++seq,
      at: input.at ?? new Date(),
      actorKind: input.actor.kind,
      actorId: input.actor.id,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId ?? null,
      customerId: input.customerId ?? null,
      before: normalise(input.before),
      after: normalise(input.after),
      article: input.article ?? null,
    };
    const hash = entryHash(prevHash, content);
    const row = {
      seq: content.seq,
      at: content.at,
      actor_kind: content.actorKind,
      actor_id: content.actorId,
      action: content.action,
      subject_type: content.subjectType,
      subject_id: content.subjectId,
      customer_id: content.customerId,
      before: content.before === null ? null : JSON.stringify(content.before),
      after: content.after === null ? null : JSON.stringify(content.after),
      article: content.article,
      prev_hash: prevHash,
      hash,
    };
    prevHash = hash;
    return row;
  });
  await insertEntries(tx, rows);
  return rows.map((r) => ({ seq: r.seq }));
}

/** Values as they will read back from jsonb (dates become strings, undefined keys vanish). */
function normalise(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}

export interface VerifyReport {
  ok: boolean;
  entries: number;
  problems: ChainProblem[];
  seconds: number;
}

/** Recompute every link of the chain, streaming in pages of `pageSize` entries. */
export async function verifyAudit(
  db: Db,
  opts: { pageSize?: number; maxProblems?: number } = {},
): Promise<VerifyReport> {
  const pageSize = opts.pageSize ?? 20_000;
  const maxProblems = opts.maxProblems ?? 100;
  const started = process.hrtime.bigint();
  let tail: { seq: number; hash: Buffer } = { seq: 0, hash: GENESIS_HASH };
  const problems: ChainProblem[] = [];
  let entries = 0;
  let after = -1;
  for (;;) {
    const rows = await entriesAfter(db, after, pageSize);
    if (rows.length === 0) break;
    const run: StoredEntry[] = rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      customerId: r.customer_id,
      before: r.before,
      after: r.after,
      article: r.article,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
    const result = verifyRun(run, tail);
    tail = result.tail;
    if (problems.length < maxProblems)
      problems.push(...result.problems.slice(0, maxProblems - problems.length));
    entries += rows.length;
    after = tail.seq;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { ok: problems.length === 0, entries, problems, seconds };
}

/** What was done for or by one customer, the latest first: the customer page's timeline (staff). */
export async function customerTimeline(db: Db, customerId: string, page: PageRequest = {}) {
  return mapPage(entriesOfCustomer(db, customerId, page), (r) => ({
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    article: r.article,
  }));
}
