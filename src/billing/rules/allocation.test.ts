/** Allocation of payments (Art. 30(1)): the named invoice first, then the oldest; the oldest money first. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AllocationStep,
  allocatePayments,
  excessAllocations,
  type MoneyIn,
  type OpenInvoice,
} from "./allocation.ts";

const money = (id: string, unallocated: number, receivedOn = "2026-11-01", customerId = "c1"): MoneyIn => ({
  id,
  customerId,
  unallocated,
  receivedOn,
});
const inv = (id: string, total: number, paidAmount = 0, customerId = "c1"): OpenInvoice => ({
  id,
  customerId,
  total,
  paidAmount,
});

describe("allocation (Art. 30(1))", () => {
  it("pays the oldest invoice first and keeps the rest as credit", () => {
    const r = allocatePayments([money("p", 50_000)], [inv("old", 33_000), inv("new", 33_000)], new Map());
    expect(r.allocations.map((a) => [a.paymentId, a.invoiceId, a.amount])).toEqual([
      ["p", "old", 33_000],
      ["p", "new", 17_000],
    ]);
    expect(r.paid).toEqual(
      new Map([
        ["old", 33_000],
        ["new", 17_000],
      ]),
    );
    expect(r.unallocated).toEqual(new Map([["p", 0]]));
  });

  it("serves the named invoice first", () => {
    const r = allocatePayments(
      [money("p", 33_000)],
      [inv("old", 33_000), inv("named", 33_000)],
      new Map([["c1", [{ prefer: "named", payment: "p" }]]]),
    );
    expect(r.allocations.map((a) => a.invoiceId)).toEqual(["named"]);
  });

  it("spends the oldest money first, and money of a later step only from that step", () => {
    const steps = new Map<string, AllocationStep[]>([
      [
        "c1",
        [
          { prefer: "b", payment: "p1" },
          { prefer: "a", payment: "p2" },
        ],
      ],
    ]);
    const r = allocatePayments(
      [
        money("credit", 1_000, "2026-10-01"),
        money("p1", 10_000, "2026-11-01"),
        money("p2", 10_000, "2026-11-01"),
      ],
      [inv("a", 10_000), inv("b", 10_000)],
      steps,
    );
    // Step 0 (p1 arrives, names b): the old credit first, then p1. Step 1 (p2 arrives, names a): p1's rest, then p2.
    expect(r.allocations.map((a) => [a.paymentId, a.invoiceId, a.amount])).toEqual([
      ["credit", "b", 1_000],
      ["p1", "b", 9_000],
      ["p1", "a", 1_000],
      ["p2", "a", 9_000],
    ]);
    expect(r.unallocated.get("p2")).toBe(1_000);
    expect(
      r.allocations.every((a) => a.receivedOn === (a.paymentId === "credit" ? "2026-10-01" : "2026-11-01")),
    ).toBe(true);
  });

  it("keeps each customer's money to its own invoices and leaves its inputs untouched", () => {
    const pays = [money("p1", 5_000, "2026-11-01", "c1"), money("p2", 5_000, "2026-11-01", "c2")];
    const invs = [inv("i1", 3_000, 0, "c1"), inv("i2", 8_000, 0, "c2")];
    const r = allocatePayments(pays, invs, new Map());
    expect(r.allocations.map((a) => [a.customerId, a.paymentId, a.invoiceId, a.amount])).toEqual([
      ["c1", "p1", "i1", 3_000],
      ["c2", "p2", "i2", 5_000],
    ]);
    expect(pays[0]!.unallocated).toBe(5_000);
    expect(invs[1]!.paidAmount).toBe(0);
  });

  it("property: nothing is created or lost, no invoice is over-paid, no payment over-spent", () => {
    const arb = fc.record({
      pays: fc.array(fc.integer({ min: 1, max: 50_000 }), { maxLength: 6 }),
      invs: fc.array(fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.integer({ min: 0, max: 100 })), {
        maxLength: 6,
      }),
    });
    fc.assert(
      fc.property(arb, ({ pays, invs }) => {
        const ms = pays.map((a, i) => money(`p${i}`, a, `2026-11-${String(1 + i).padStart(2, "0")}`));
        const os = invs.map(([t, pct], i) => inv(`i${i}`, t, Math.floor((t * pct) / 100)));
        const r = allocatePayments(ms, os, new Map());
        const allocated = r.allocations.reduce((s, a) => s + a.amount, 0);
        const left = ms.reduce((s, p) => s + (r.unallocated.get(p.id) ?? p.unallocated), 0);
        expect(allocated + left).toBe(pays.reduce((s, a) => s + a, 0));
        for (const o of os) expect(r.paid.get(o.id) ?? o.paidAmount).toBeLessThanOrEqual(o.total);
        const owed = os.reduce((s, o) => s + o.total - o.paidAmount, 0);
        expect(allocated).toBe(
          Math.min(
            owed,
            pays.reduce((s, a) => s + a, 0),
          ),
        );
      }),
    );
  });
});

describe("money allocated beyond what a credited invoice owes (Art. 30(1), 34)", () => {
  const a = (paymentId: string, amount: number) => ({ paymentId, amount });
  it.each([
    ["nothing paid", { total: 110_000, credited: 11_000 }, [], []],
    ["paid the rest exactly", { total: 110_000, credited: 11_000 }, [a("p1", 99_000)], []],
    [
      "paid in full: the return comes back",
      { total: 110_000, credited: 11_000 },
      [a("p1", 110_000)],
      [a("p1", 11_000)],
    ],
    [
      "two payments: the latest gives back first, then the earlier",
      { total: 110_000, credited: 30_000 },
      [a("p1", 100_000), a("p2", 10_000)],
      [a("p2", 10_000), a("p1", 20_000)],
    ],
    ["returned in full", { total: 110_000, credited: 110_000 }, [a("p1", 50_000)], [a("p1", 50_000)]],
  ] as const)("%s", (_, invoice, allocations, back) => {
    expect(excessAllocations(invoice, [...allocations])).toEqual(back);
  });
});
