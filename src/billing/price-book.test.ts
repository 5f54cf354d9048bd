/**
 * The month of a change, from the content's versions through the price book to the month's lines
 * (Art. 11, 20(4), 29(1), 29(4)): the new fees from the day the change was received, the month of
 * receipt at the highest rate of its days, initial fees once in the contract's life.
 */
import { describe, expect, it } from "vitest";
import { type PricedContent, versionsOf } from "../contracts/change-rules.ts";
import { PriceBook } from "./price-book.ts";
import { chargesForMonth } from "./rules/charges.ts";

const row = (code: string, kind: "initial" | "monthly" | "annual", applies: string | null) => ({
  code,
  name_ja: code,
  name_en: code,
  kind,
  tax_category: "10" as const,
  applies_to: applies,
});
const rows = [
  row("initial-basic", "initial", "plan:basic"),
  row("initial-premium", "initial", "plan:premium"),
  row("monthly-basic", "monthly", "plan:basic"),
  row("monthly-standard", "monthly", "plan:standard"),
  row("monthly-premium", "monthly", "plan:premium"),
  row("option-backup", "monthly", "option:backup"),
  row("setup-backup", "initial", "option:backup"),
  row("option-patching", "monthly", "option:patching"),
  row("extended", "annual", "option:extended-support"),
];
const price = (item_code: string, unit_price: number) => ({
  item_code,
  effective_from: "2020-01-01",
  unit_price,
});
const prices = [
  price("initial-basic", 50_000),
  price("initial-premium", 200_000),
  price("monthly-basic", 30_000),
  price("monthly-standard", 80_000),
  price("monthly-premium", 150_000),
  price("option-backup", 10_000),
  price("setup-backup", 20_000),
  price("option-patching", 15_000),
  price("extended", 120_000),
];
const book = new PriceBook(rows, prices);
const perServer = new PriceBook(
  [...rows, row("server", "monthly", "server")],
  [...prices, price("server", 5_000)],
);

const START = "2026-01-05";
const p = (plan: string, options: string[] = [], servers = 2): PricedContent => ({ plan, options, servers });
type Step = { on: string; to: PricedContent };
/** A contract that started on START with `first` and went through `steps` (confirmed changes). */
function lines(first: PricedContent, steps: Step[], month: string, b = book) {
  let cur = first;
  const changes = steps.map((s) => {
    const ch = { receivedOn: s.on, before: cur, after: s.to };
    cur = s.to;
    return ch;
  });
  const cc = b.contractCharges(
    { start_date: START, end_effective_on: null, terminated_on: null, charges_void: false },
    versionsOf(START, cur, changes),
  );
  return chargesForMonth(cc, month).result.lines.map((l) => `${l.itemCode}×${l.quantity}:${l.amount}`);
}

describe("the month of a change through the price book (Art. 29(4))", () => {
  const cases: [string, PricedContent, Step[], string, string[]][] = [
    [
      "no change: the start month",
      p("basic"),
      [],
      "2026-01",
      ["initial-basic×1:50000", "monthly-basic×1:30000"],
    ],
    [
      "upgrade received on the 1st: the month at the new rate",
      p("basic"),
      [{ on: "2026-05-01", to: p("premium") }],
      "2026-05",
      ["initial-premium×1:200000", "monthly-premium×1:150000"],
    ],
    [
      "… and the month before untouched",
      p("basic"),
      [{ on: "2026-05-01", to: p("premium") }],
      "2026-04",
      ["monthly-basic×1:30000"],
    ],
    [
      "upgrade received on the 20th: the whole month at the new rate",
      p("basic"),
      [{ on: "2026-05-20", to: p("standard") }],
      "2026-05",
      ["monthly-standard×1:80000"],
    ],
    [
      "upgrade received on the last day: that month at the new rate",
      p("basic"),
      [{ on: "2026-05-31", to: p("standard") }],
      "2026-05",
      ["monthly-standard×1:80000"],
    ],
    [
      "downgrade received on the 10th: that month at the old rate",
      p("standard"),
      [{ on: "2026-05-10", to: p("basic") }],
      "2026-05",
      ["monthly-standard×1:80000", "initial-basic×1:50000"],
    ],
    [
      "downgrade: the new rate from the next month",
      p("standard"),
      [{ on: "2026-05-10", to: p("basic") }],
      "2026-06",
      ["monthly-basic×1:30000"],
    ],
    [
      "upgrade then downgrade in one month: the highest",
      p("standard"),
      [
        { on: "2026-05-10", to: p("premium") },
        { on: "2026-05-20", to: p("basic") },
      ],
      "2026-05",
      ["monthly-premium×1:150000", "initial-premium×1:200000", "initial-basic×1:50000"],
    ],
    [
      "… and the month after at the last plan",
      p("standard"),
      [
        { on: "2026-05-10", to: p("premium") },
        { on: "2026-05-20", to: p("basic") },
      ],
      "2026-06",
      ["monthly-basic×1:30000"],
    ],
    [
      "back to the first plan: its initial fee is not charged again",
      p("basic"),
      [
        { on: "2026-03-10", to: p("standard") },
        { on: "2026-06-10", to: p("basic") },
      ],
      "2026-06",
      ["monthly-standard×1:80000"],
    ],
    [
      "an option added: its fee and set-up from receipt",
      p("basic"),
      [{ on: "2026-05-12", to: p("basic", ["backup"]) }],
      "2026-05",
      ["monthly-basic×1:30000", "option-backup×1:10000", "setup-backup×1:20000"],
    ],
    [
      "an option removed on the 12th: that month still charged (Art. 11)",
      p("basic", ["backup", "patching"]),
      [{ on: "2026-05-12", to: p("basic", ["patching"]) }],
      "2026-05",
      ["monthly-basic×1:30000", "option-patching×1:15000", "option-backup×1:10000"],
    ],
    [
      "… and not the month after",
      p("basic", ["backup", "patching"]),
      [{ on: "2026-05-12", to: p("basic", ["patching"]) }],
      "2026-06",
      ["monthly-basic×1:30000", "option-patching×1:15000"],
    ],
    [
      "an option removed on the 1st: not charged that month",
      p("basic", ["backup"]),
      [{ on: "2026-05-01", to: p("basic") }],
      "2026-05",
      ["monthly-basic×1:30000"],
    ],
    [
      "an option removed and added again in one month: once",
      p("basic", ["backup"]),
      [
        { on: "2026-05-05", to: p("basic") },
        { on: "2026-05-25", to: p("basic", ["backup"]) },
      ],
      "2026-05",
      ["monthly-basic×1:30000", "option-backup×1:10000"],
    ],
    [
      "an annual option added: its year starts in the month of receipt",
      p("standard"),
      [{ on: "2026-07-15", to: p("standard", ["extended-support"]) }],
      "2026-07",
      ["monthly-standard×1:80000", "extended×1:120000"],
    ],
    [
      "… and not the month after",
      p("standard"),
      [{ on: "2026-07-15", to: p("standard", ["extended-support"]) }],
      "2026-08",
      ["monthly-standard×1:80000"],
    ],
  ];
  it.each(cases)("%s", (_name, first, steps, month, expected) => {
    expect(lines(first, steps, month)).toEqual(expected);
  });

  it("charges servers per server where the price book has a per-server item, at the month's highest count", () => {
    const steps = [
      { on: "2026-05-15", to: p("basic", [], 5) },
      { on: "2026-05-25", to: p("basic", [], 1) },
    ];
    expect(lines(p("basic", [], 2), steps, "2026-05", perServer)).toEqual([
      "monthly-basic×1:30000",
      "server×5:25000",
    ]);
    expect(lines(p("basic", [], 2), steps, "2026-06", perServer)).toEqual([
      "monthly-basic×1:30000",
      "server×1:5000",
    ]);
    expect(lines(p("basic", [], 2), [], "2026-06", book)).toEqual(["monthly-basic×1:30000"]);
  });

  it("says on the line that the content changed and why the amount", () => {
    const cc = book.contractCharges(
      { start_date: START, end_effective_on: null, terminated_on: null, charges_void: false },
      versionsOf(START, p("basic"), [{ receivedOn: "2026-05-10", before: p("standard"), after: p("basic") }]),
    );
    const r = chargesForMonth(cc, "2026-05");
    expect(r.result.lines[0]!.note).toContain("from 2026-05-10 monthly-basic × 1 at 30,000 yen");
    expect(r.result.lines[0]!.note).toContain("(Art. 29(4))");
    expect(r.basis.map((b) => b.article)).toContain("29(4)");
  });
});
