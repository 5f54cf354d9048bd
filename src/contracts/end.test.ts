/** When a contract's service ends, receipt dates by channel, suspended months, the lifecycle table. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, addMonthsToMonth, monthOf } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";
import { receiptDate } from "./receipt-rules.ts";
import {
  cancellation,
  contractEnd,
  endedBy,
  lateStartExtension,
  statusOnEnd,
  suspendedMonths,
} from "./rules.ts";
import { CONTRACT_STATUSES, checkTransition, mayUndergo, statusesFor } from "./states.ts";

describe("the end of a contract (Art. 25(4), 26, 36(2), 42)", () => {
  it.each([
    // kind, effective, article, extension → service until, extension applied, article
    ["cancellation", "2026-10-31", "26(2)", 0, "2026-10-31", 0],
    ["cancellation", "2026-10-31", "26(2)", 30, "2026-11-30", 30],
    ["cancellation", "2026-12-31", "26(3)", 5, "2027-01-05", 5], // over the year end
    ["cancellation", "2028-02-28", "12(1)", 1, "2028-02-29", 1], // leap day
    ["cancellation", "2026-11-24", "26(4)", 3, "2026-11-27", 3],
    ["abolition", "2027-01-25", "26(5)", 10, "2027-01-25", 0], // an abolition ends on its date
    ["termination", "2026-11-20", "25(4)", 10, "2026-11-20", 0], // so does a termination
    ["cooling_off", "2026-11-24", "42", 0, "2026-11-24", 0],
  ] as const)(
    "%s effective %s (%s), extension %i → service until %s",
    (kind, effectiveOn, article, ext, until, applied) => {
      const r = contractEnd({ kind, effectiveOn, article, extensionDays: ext });
      expect(r.result).toEqual({ kind, effectiveOn, serviceUntil: until, extensionDays: applied, article });
      expect(r.basis[0]!.article).toBe(article);
      if (applied > 0)
        expect(r.basis.some((b) => b.article === "36(2)" && b.text.includes(until))).toBe(true);
    },
  );

  it("ends the day after the service's last day: terminating through it, terminated from the next", () => {
    expect(statusOnEnd("2026-11-30", "2026-11-30")).toBe("terminating");
    expect(statusOnEnd("2026-11-30", "2026-12-01")).toBe("terminated");
    expect(endedBy("2026-11-30", "2026-11-29")).toBe(false);
  });

  it("refuses an unknown end or a negative extension", () => {
    expect(() =>
      contractEnd({ kind: "holiday" as never, effectiveOn: "2026-11-30", article: "26", extensionDays: 0 }),
    ).toThrow(AppError);
    expect(() =>
      contractEnd({ kind: "cancellation", effectiveOn: "2026-11-30", article: "26(2)", extensionDays: -1 }),
    ).toThrow(/extension/);
  });

  it("property: a cancellation's service never ends before its effective date, and ends exactly the extension later", () => {
    const day = fc.integer({ min: 0, max: 3650 }).map((n) => addDays("2026-01-01", n));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: 400 }), (effectiveOn, ext) => {
        const r = contractEnd({
          kind: "cancellation",
          effectiveOn,
          article: "26(2)",
          extensionDays: ext,
        }).result;
        expect(r.serviceUntil >= effectiveOn).toBe(true);
        expect(addDays(effectiveOn, ext)).toBe(r.serviceUntil);
        expect(statusOnEnd(r.serviceUntil, addDays(r.serviceUntil, 1))).toBe("terminated");
      }),
    );
  });

  it("a cancellation names the paragraph of Art. 26 its date follows", () => {
    const start = "2026-01-15";
    expect(cancellation({ start, received: "2026-03-10" }).result.article).toBe("26(2)");
    expect(cancellation({ start, received: "2026-03-10", month: "2026-04" }).result.article).toBe("26(2)");
    expect(cancellation({ start, received: "2026-03-10", month: "2026-06" }).result.article).toBe("26(3)");
    expect(cancellation({ start, received: "2026-03-10", reason: "interruption" }).result.article).toBe(
      "26(4)",
    );
    expect(cancellation({ start, received: "2026-03-10", reason: "abolition" }).result.article).toBe("26(5)");
    expect(cancellation({ start, received: "2026-03-10", reason: "terms-not-accepted" }).result.article).toBe(
      "26(6)",
    );
  });
});

describe("a receipt date by channel (受理)", () => {
  const base = { today: "2026-11-24", article: "11", what: "the notice", whatJa: "通知" };
  it.each([
    // channel, entered, not before → received on, or the error's reason
    ["portal", undefined, undefined, "2026-11-24"],
    ["web", undefined, undefined, "2026-11-24"],
    ["portal", "2026-11-24", undefined, "2026-11-24"], // the same day, said again: fine
    ["portal", "2026-11-20", undefined, "set_by_channel"],
    ["paper", "2026-11-20", undefined, "2026-11-20"],
    ["email", "2026-11-24", undefined, "2026-11-24"],
    ["paper", undefined, undefined, "2026-11-24"], // not entered: today
    ["paper", "2026-11-25", undefined, "future"],
    ["paper", "2026-08-31", "2026-09-01", "too_early"],
    ["paper", "2026-09-01", "2026-09-01", "2026-09-01"],
  ] as const)("%s entered %s (not before %s) → %s", (channel, entered, notBefore, expected) => {
    const input = { ...base, channel, entered, notBefore };
    if (/^\d{4}/.test(expected)) {
      const r = receiptDate(input);
      expect(r.result).toEqual({ receivedOn: expected, channel });
      expect(r.basis[0]!.article).toBe("11");
    } else {
      try {
        receiptDate(input);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).article).toBe("11");
        expect((err as AppError).details).toEqual({ receivedOn: [expected] });
      }
    }
  });
});

describe("suspended months (Art. 21, 30(3))", () => {
  it.each([
    [[], "2026-12-31", []],
    [[{ type: "suspended", on: "2026-11-24" }], "2026-11-30", ["2026-11"]],
    [[{ type: "suspended", on: "2026-11-24" }], "2027-01-31", ["2026-11", "2026-12", "2027-01"]],
    [
      [
        { type: "suspended", on: "2026-09-30" },
        { type: "resumed", on: "2026-10-01" },
      ],
      "2026-12-31",
      ["2026-09", "2026-10"], // suspended on the 1st of October too, until resumed that day
    ],
    [
      [
        { type: "suspended", on: "2026-05-10" },
        { type: "resumed", on: "2026-05-12" },
        { type: "suspended", on: "2026-08-01" },
        { type: "terminated", on: "2026-08-20" },
      ],
      "2026-12-31",
      ["2026-05", "2026-08"],
    ],
    // Events in any order are read in date order; a resumption without a suspension changes nothing.
    [
      [
        { type: "resumed", on: "2026-03-15" },
        { type: "suspended", on: "2026-03-01" },
      ],
      "2026-12-31",
      ["2026-03"],
    ],
    [[{ type: "resumed", on: "2026-03-15" }], "2026-12-31", []],
    // A suspension starting after `until` is not counted.
    [[{ type: "suspended", on: "2027-01-05" }], "2026-12-31", []],
  ])("%j until %s → %j", (events, until, months) => {
    expect(suspendedMonths(events, until)).toEqual(months);
  });

  it("property: a month is listed exactly when the contract was suspended on one of its days", () => {
    const day = (n: number) => addDays("2026-01-01", n);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 200 }), (s, len) => {
        const from = day(s);
        const to = day(s + len);
        const got = suspendedMonths(
          [
            { type: "suspended", on: from },
            { type: "resumed", on: to },
          ],
          day(900),
        );
        const want: string[] = [];
        for (let m = monthOf(from); m <= monthOf(to); m = addMonthsToMonth(m, 1)) want.push(m);
        expect(got).toEqual(want);
      }),
    );
  });
});

describe("the lifecycle table (SPEC §2)", () => {
  it.each([
    ["suspend", ["active"]],
    ["resume", ["suspended"]],
    ["cancel", ["active", "suspended"]],
    ["terminate", ["active", "suspended", "terminating"]],
    ["complete_end", ["terminating"]],
    ["delete_data", ["terminated"]],
    ["abolish", ["active", "suspended", "terminating"]],
    ["apply_terms", ["active", "suspended", "terminating"]],
  ] as const)(
    "%s is allowed from %j and refused from every other state, citing its article",
    (action, from) => {
      expect([...statusesFor(action)].sort()).toEqual([...from].sort());
      for (const status of CONTRACT_STATUSES) {
        expect(mayUndergo(status, action)).toBe((from as readonly string[]).includes(status));
        if (!mayUndergo(status, action)) {
          try {
            checkTransition(status, action);
            expect.unreachable();
          } catch (err) {
            expect((err as AppError).code).toBe("conflict");
            expect((err as AppError).article).toBeTruthy();
            expect((err as AppError).message).toContain(`a contract that is ${status} cannot be`);
          }
        }
      }
    },
  );
});

describe("late start (Art. 36(2)(3))", () => {
  it("extends by the days lost for the provider's reasons, across a month end, and never refunds", () => {
    const r = lateStartExtension({
      plannedOn: "2026-01-30",
      startedOn: "2026-02-02",
      attribution: "provider",
    });
    expect(r.result).toEqual({ plannedOn: "2026-01-30", startedOn: "2026-02-02", days: 3, refund: 0 });
    expect(r.basis[0]!.article).toBe("36(2)");
    expect(
      lateStartExtension({ plannedOn: "2028-02-28", startedOn: "2028-03-01", attribution: "provider" }).result
        .days,
    ).toBe(2); // 2028 is a leap year
  });
  it("extends nothing for a carrier's fault (36(3))", () => {
    const r = lateStartExtension({
      plannedOn: "2026-04-01",
      startedOn: "2026-04-11",
      attribution: "carrier",
    });
    expect(r.result.days).toBe(0);
    expect(r.basis[0]!.article).toBe("36(3)");
  });
  it("refuses a start on or before the planned day, and bad dates", () => {
    for (const startedOn of ["2026-04-01", "2026-03-31"])
      expect(() =>
        lateStartExtension({ plannedOn: "2026-04-01", startedOn, attribution: "provider" }),
      ).toThrow(AppError);
    expect(() =>
      lateStartExtension({ plannedOn: "2026-02-30", startedOn: "2026-03-05", attribution: "provider" }),
    ).toThrow(AppError);
  });
});
