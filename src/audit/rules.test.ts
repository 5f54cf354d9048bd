import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AuditContent,
  canonicalJson,
  entryHash,
  GENESIS_HASH,
  type StoredEntry,
  verifyRun,
} from "./rules.ts";

const entry = (seq: number, extra: Partial<AuditContent> = {}): AuditContent => ({
  seq,
  at: new Date(Date.UTC(2026, 10, 24, 0, 0, seq)),
  actorKind: "system",
  actorId: null,
  action: "x",
  subjectType: "t",
  subjectId: String(seq),
  customerId: null,
  before: null,
  after: { seq },
  article: null,
  ...extra,
});

function chain(n: number): StoredEntry[] {
  const out: StoredEntry[] = [];
  let prev: Buffer = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const e = entry(i);
    const hash = entryHash(prev, e);
    out.push({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe("canonicalJson", () => {
  it("sorts keys at every level so jsonb round trips hash the same", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"x":2,"y":1}]},"b":1}',
    );
  });
  it("is stable under key reordering (property)", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });
});

describe("verifyRun", () => {
  it("accepts an intact chain", () => {
    expect(verifyRun(chain(10), { seq: 0, hash: GENESIS_HASH }).problems).toEqual([]);
  });
  it("flags any single edited field", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.string({ minLength: 1 }), (i, text) => {
        const c = chain(10);
        c[i] = { ...c[i]!, action: `${c[i]!.action}${text}` };
        const problems = verifyRun(c, { seq: 0, hash: GENESIS_HASH }).problems;
        expect(problems).toContainEqual({ kind: "hash-mismatch", seq: i + 1 });
      }),
    );
  });
  it("flags a removed entry and a swap", () => {
    const removed = chain(10).filter((e) => e.seq !== 4);
    expect(verifyRun(removed, { seq: 0, hash: GENESIS_HASH }).problems).toContainEqual({
      kind: "gap",
      seq: 5,
      expectedSeq: 4,
    });
    const swapped = chain(10);
    [swapped[2], swapped[3]] = [swapped[3]!, swapped[2]!];
    expect(verifyRun(swapped, { seq: 0, hash: GENESIS_HASH }).problems.length).toBeGreaterThan(0);
  });
});
