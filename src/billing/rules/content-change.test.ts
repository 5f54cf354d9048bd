/**
 * The month of a change of the contract's content (Art. 20(4), 29(4)): the new fees apply from the
 * day the change was received, and a month in which old and new were both in effect is charged once, at
 * the highest rate in effect on any of its days.
 */
import { describe, expect, it } from "vitest";
import type { ContractCharges } from "./charges.ts";
import { chargesForMonth } from "./charges.ts";
import { codes, item } from "./fixtures.ts";

const basic = item("plan-basic", "monthly", [["2020-01-01", 30_000]]);
const premium = item("plan-premium", "monthly", [["2020-01-01", 80_000]]);
const standard = item("plan-standard", "monthly", [["2020-01-01", 50_000]]);
const server = item("server", "monthly", [["2020-01-01", 5_000]]);
const backup = item("opt-backup", "monthly", [["2020-01-01", 10_000]]);
const backupSetup = item("opt-backup-setup", "initial", [["2020-01-01", 20_000]]);

type Version = { item: typeof basic; quantity?: number };
/** A contract whose `slot` went through `versions`, the n-th received on `on[n-1]`. */
function changed(slot: string, versions: Version[], on: string[], extra: ContractCharges["items"] = []) {
  const items: ContractCharges["items"] = versions.map((v, i) => ({
    item: v.item,
    quantity: v.quantity ?? 1,
    slot,
    ...(i > 0 ? { from: on[i - 1]! } : {}),
    ...(i < versions.length - 1 ? { cancelledOn: on[i]! } : {}),
  }));
  return { startDate: "2026-01-05", endDate: null, chargesVoid: false, items: [...items, ...extra] };
}

const upThenDown = changed(
  "plan",
  [{ item: basic }, { item: premium }, { item: standard }],
  ["2026-05-10", "2026-05-20"],
);
const fewerServers = changed(
  "servers",
  [
    { item: server, quantity: 4 },
    { item: server, quantity: 2 },
  ],
  ["2026-05-15"],
);
const optionAdded: ContractCharges = {
  ...changed("plan", [{ item: basic }], []),
  items: [
    { item: basic, quantity: 1, slot: "plan" },
    { item: backup, quantity: 1, slot: "opt-backup", from: "2026-05-12" },
    { item: backupSetup, quantity: 1, from: "2026-05-12" },
  ],
};

describe("the month of a change of content (Art. 29(4))", () => {
  const cases: [string, ContractCharges, string, string[]][] = [
    [
      "upgrade received on the 20th: the whole month at the new rate",
      changed("plan", [{ item: basic }, { item: premium }], ["2026-05-20"]),
      "2026-05",
      ["plan-premium:80000"],
    ],
    [
      "… and the month before at the old",
      changed("plan", [{ item: basic }, { item: premium }], ["2026-05-20"]),
      "2026-04",
      ["plan-basic:30000"],
    ],
    [
      "… and the month after at the new",
      changed("plan", [{ item: basic }, { item: premium }], ["2026-05-20"]),
      "2026-06",
      ["plan-premium:80000"],
    ],
    [
      "downgrade received on the 10th: that month at the old rate",
      changed("plan", [{ item: premium }, { item: basic }], ["2026-05-10"]),
      "2026-05",
      ["plan-premium:80000"],
    ],
    [
      "… the new rate from the next month",
      changed("plan", [{ item: premium }, { item: basic }], ["2026-05-10"]),
      "2026-06",
      ["plan-basic:30000"],
    ],
    [
      "downgrade received on the 1st: the new rate that month (the old was in effect on none of its days)",
      changed("plan", [{ item: premium }, { item: basic }], ["2026-05-01"]),
      "2026-05",
      ["plan-basic:30000"],
    ],
    [
      "upgrade received on the 1st: the new rate that month",
      changed("plan", [{ item: basic }, { item: premium }], ["2026-05-01"]),
      "2026-05",
      ["plan-premium:80000"],
    ],
    [
      "downgrade received on the last day: that month at the old rate",
      changed("plan", [{ item: premium }, { item: basic }], ["2026-05-31"]),
      "2026-05",
      ["plan-premium:80000"],
    ],
    [
      "… on 29 February of a leap year",
      changed("plan", [{ item: premium }, { item: basic }], ["2028-02-29"]),
      "2028-02",
      ["plan-premium:80000"],
    ],
    [
      "… and the new from 1 March",
      changed("plan", [{ item: premium }, { item: basic }], ["2028-02-29"]),
      "2028-03",
      ["plan-basic:30000"],
    ],
    [
      "upgrade then downgrade in one month: the highest of the three",
      upThenDown,
      "2026-05",
      ["plan-premium:80000"],
    ],
    ["… and the last from the next month", upThenDown, "2026-06", ["plan-standard:50000"]],
    [
      "two more servers received on the 15th: that month for four",
      changed(
        "servers",
        [
          { item: server, quantity: 2 },
          { item: server, quantity: 4 },
        ],
        ["2026-05-15"],
      ),
      "2026-05",
      ["server:20000"],
    ],
    [
      "two servers fewer received on the 15th: that month for four, then two",
      fewerServers,
      "2026-05",
      ["server:20000"],
    ],
    ["… then two", fewerServers, "2026-06", ["server:10000"]],
    [
      "an option added on the 12th: its initial fee once and the month whole, the plan untouched",
      optionAdded,
      "2026-05",
      ["plan-basic:30000", "opt-backup:10000", "opt-backup-setup:20000"],
    ],
    [
      "… the month after without its initial fee",
      optionAdded,
      "2026-06",
      ["plan-basic:30000", "opt-backup:10000"],
    ],
    [
      "a change received in the start month: one line for the plan, the higher",
      { ...changed("plan", [{ item: basic }, { item: premium }], ["2026-01-20"]) },
      "2026-01",
      ["plan-premium:80000"],
    ],
  ];
  it.each(cases)("%s", (_name, c, month, expected) => {
    expect([...codes(c, month)].sort()).toEqual([...expected].sort());
  });

  it("says why, with the article, on the line and in the basis", () => {
    const r = chargesForMonth(
      changed("plan", [{ item: basic }, { item: premium }], ["2026-05-20"]),
      "2026-05",
    );
    expect(r.result.lines).toHaveLength(1);
    expect(r.result.lines[0]!.note).toBe(
      "Monthly fee for 2026-05; the content changed during the month (from 2026-05-01 plan-basic × 1 at 30,000 yen, from 2026-05-20 plan-premium × 1 at 80,000 yen): the highest rate in effect on any of its days applies (Art. 29(4)); not prorated (Art. 29(6)).",
    );
    // The same in Japanese: the versions by their Japanese names, amounts as Japanese writes them.
    expect(r.result.lines[0]!.noteJa).toMatch(
      /^2026-05 分の月間費用。月内に契約内容が変更されたため\(2026-05-01 から .+ × 1、30,000円、2026-05-20 から .+ × 1、80,000円\)、月内に適用された最も高い料金によります\(第29条第4項\)。日割り計算はいたしません\(第29条第6項\)。$/,
    );
    expect(r.basis.map((b) => b.article)).toContain("29(4)");
    expect(r.result.lines[0]!.article).toBe("29(4)");
    // A month without a change says nothing of one.
    const quiet = chargesForMonth(
      changed("plan", [{ item: basic }, { item: premium }], ["2026-05-20"]),
      "2026-06",
    );
    expect(quiet.basis.map((b) => b.article)).not.toContain("29(4)");
    expect(quiet.result.lines[0]!.note).not.toMatch(/changed/);
    expect(quiet.result.lines[0]!.article).toBe("29(1)");
  });

  it("a change that was cancelled before it applied changes nothing (it is not a version)", () => {
    expect(codes(changed("plan", [{ item: basic }], []), "2026-05")).toEqual(["plan-basic:30000"]);
  });
});
