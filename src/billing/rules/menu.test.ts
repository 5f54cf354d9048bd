/** The service menu's limits on changes (Art. 20(3)), as data, with a table of cases. */
import { describe, expect, it } from "vitest";
import { errorOf } from "./fixtures.ts";
import { checkMenu, type MenuLimit, menuRefusals } from "./menu.ts";

const limit = (target: string, over: Partial<MenuLimit> = {}): [string, MenuLimit] => [
  target,
  { target, rank: null, maxServers: null, noDowngradeInMinimumTerm: false, requiresPlans: null, ...over },
];
const limits = new Map([
  limit("plan:basic", { rank: 1, maxServers: 10 }),
  limit("plan:standard", { rank: 2, maxServers: 50 }),
  limit("plan:premium", { rank: 3, noDowngradeInMinimumTerm: true }),
  limit("option:extended-support", { requiresPlans: ["standard", "premium"] }),
]);
const c = (plan: string, options: string[] = [], servers = 3) => ({ plan, options, servers });

describe("the menu's limits (Art. 20(3))", () => {
  const cases: [string, ReturnType<typeof c>, ReturnType<typeof c>, string, string[]][] = [
    ["an upgrade", c("basic"), c("premium"), "2026-02-10", []],
    [
      "premium → standard on the term's last day",
      c("premium"),
      c("standard"),
      "2026-02-28",
      ["downgrade_in_minimum_term"],
    ],
    ["premium → standard the day after the term", c("premium"), c("standard"), "2026-03-01", []],
    ["standard → basic within the term (standard allows it)", c("standard"), c("basic"), "2026-01-20", []],
    ["basic with 10 servers", c("basic", [], 9), c("basic", [], 10), "2026-05-01", []],
    ["basic with 11 servers", c("basic", [], 10), c("basic", [], 11), "2026-05-01", ["too_many_servers"]],
    [
      "standard → basic with 12 servers",
      c("standard", [], 12),
      c("basic", [], 12),
      "2026-05-01",
      ["too_many_servers"],
    ],
    ["removing servers from an over-full plan", c("basic", [], 12), c("basic", [], 11), "2026-05-01", []],
    ["premium has no server limit", c("premium", [], 400), c("premium", [], 500), "2026-05-01", []],
    ["extended support on standard", c("standard"), c("standard", ["extended-support"]), "2026-05-01", []],
    [
      "extended support on basic",
      c("basic"),
      c("basic", ["extended-support"]),
      "2026-05-01",
      ["option_needs_plan"],
    ],
    [
      "downgrading to a plan the kept option cannot have",
      c("standard", ["extended-support"]),
      c("basic", ["extended-support"]),
      "2026-05-01",
      ["option_needs_plan"],
    ],
    [
      "an old combination untouched by the change",
      c("basic", ["extended-support"], 3),
      c("basic", ["extended-support"], 2),
      "2026-05-01",
      [],
    ],
    [
      "several limits at once",
      c("premium", [], 3),
      c("basic", ["extended-support"], 20),
      "2026-01-10",
      ["downgrade_in_minimum_term", "too_many_servers", "option_needs_plan"],
    ],
  ];
  it.each(cases)("%s", (_name, before, after, receivedOn, expected) => {
    const x = { before, after, receivedOn, minimumTermEnd: "2026-02-28" };
    expect(menuRefusals(limits, x).map((r) => r.code)).toEqual(expected);
    if (expected.length === 0) expect(checkMenu(limits, x)[0]!.article).toBe("20(3)");
    else {
      const e = errorOf(() => checkMenu(limits, x));
      expect(e.code).toBe("conflict");
      expect(e.article).toBe("20(3)");
      expect(e.details).toEqual({ menu: expected });
    }
  });

  it("allows everything when the price book sets no limits", () => {
    expect(
      menuRefusals(new Map(), {
        before: c("premium"),
        after: c("basic", ["x"], 999),
        receivedOn: "2026-01-10",
        minimumTermEnd: "2026-02-28",
      }),
    ).toEqual([]);
  });
});
