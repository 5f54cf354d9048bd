import { createHash } from "node:crypto";

/** One audit entry's content: everything that the hash covers. */
export interface AuditContent {
  seq: number;
  at: Date;
  actorKind: "staff" | "customer" | "system" | "token" | "public";
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  customerId: string | null;
  before: unknown;
  after: unknown;
  article: string | null;
}

export const GENESIS_HASH = Buffer.alloc(32);

/** JSON with object keys sorted at every level, so that jsonb round trips hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** hash(n) = SHA-256(hash(n-1) ‖ canonical JSON of entry n). */
export function entryHash(prevHash: Buffer, e: AuditContent): Buffer {
  return createHash("sha256")
    .update(prevHash)
    .update(
      canonicalJson({
        seq: e.seq,
        at: e.at.toISOString(),
        actorKind: e.actorKind,
        actorId: e.actorId,
        action: e.action,
        subjectType: e.subjectType,
        subjectId: e.subjectId,
        customerId: e.customerId,
        before: e.before ?? null,
        after: e.after ?? null,
        article: e.article,
      }),
    )
    .digest();
}

export interface StoredEntry extends AuditContent {
  prevHash: Buffer;
  hash: Buffer;
}

export type ChainProblem =
  | { kind: "gap"; seq: number; expectedSeq: number }
  | { kind: "broken-link"; seq: number }
  | { kind: "hash-mismatch"; seq: number };

/**
 * Check a run of entries that continues a chain whose last verified entry had `tail`.
 * Detects an edited entry (its hash no longer matches), a deleted one (a gap in seq, or the
 * next entry's prev_hash no longer matching), and reordering (seq gaps/links fail).
 */
export function verifyRun(
  entries: StoredEntry[],
  tail: { seq: number; hash: Buffer },
): { problems: ChainProblem[]; tail: { seq: number; hash: Buffer } } {
  const problems: ChainProblem[] = [];
  let { seq, hash } = tail;
  for (const e of entries) {
    if (e.seq !== seq + 1) problems.push({ kind: "gap", seq: e.seq, expectedSeq: seq + 1 });
    if (!e.prevHash.equals(hash)) problems.push({ kind: "broken-link", seq: e.seq });
    if (!entryHash(e.prevHash, e).equals(e.hash)) problems.push({ kind: "hash-mismatch", seq: e.seq });
    seq = e.seq;
    hash = e.hash;
  }
  return { problems, tail: { seq, hash } };
}
