import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.ts";
import { type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
beforeAll(async () => {
  env = await testApp();
});
afterAll(async () => {
  await env?.close();
});

const get = async (url: string) => {
  const r = await env.app.inject(url);
  return { status: r.statusCode, json: r.json() };
};

/** `unyo rules …` in process (pure: no database, no server — none is reachable here). */
const cli = async (...args: string[]) => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["rules", ...args], { log: (x) => out.push(x), err: (x) => err.push(x) });
  return { code, out: out.join("\n"), err: err.join("\n") };
};

describe("billing rules over REST (no account needed)", () => {
  it.each([
    ["/api/v1/rules/late-fee?amount=33000&due=2026-09-30&paid=2026-10-20", "fee", 262],
    ["/api/v1/rules/late-fee?amount=33000&due=2026-09-30&paid=2026-10-20", "days", 20],
    ["/api/v1/rules/late-fee?amount=33000&due=2026-09-30&paid=2026-09-30", "fee", 0],
    ["/api/v1/rules/invoice-tax?line=119:8&line=119:8&line=119:8", "tax", 28],
    ["/api/v1/rules/invoice-tax?line=333:10&line=333:10&line=333:10", "tax", 99],
    ["/api/v1/rules/invoice-tax?line=357:8&rounding=up", "tax", 29],
    ["/api/v1/rules/invoice-tax?line=357:8&rounding=half-up", "tax", 29],
    ["/api/v1/rules/invoice-tax?line=1000:10", "total", 1100],
    ["/api/v1/rules/invoice-tax?line=1000:10&line=-1000:10&line=210:out-of-scope", "total", 210],
    ["/api/v1/rules/invoice-tax?line=1000:exempt", "tax", 0],
    [
      "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-10-05T01:00/2026-10-05T13:00",
      "credit",
      20_000,
    ],
    [
      "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-10-05T01:00/2026-10-05T13:00@carrier",
      "credit",
      0,
    ],
    // An offset written with %2B, and an unencoded "+" that arrives as a space.
    [
      "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-10-04T16:00%2B00:00/2026-10-05T04:00%2B00:00",
      "hours",
      12,
    ],
    [
      "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-10-05T01:00+09:00/2026-10-05T07:00+09:00",
      "percentage",
      10,
    ],
    ["/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10", "credit", 0],
    ["/api/v1/rules/special-fee?evaded=10000", "specialFee", 20_000],
    ["/api/v1/rules/special-fee?evaded=10000", "totalOwed", 30_000],
    ["/api/v1/rules/damages-cap?monthly-fee=80000", "cap", 80_000],
    ["/api/v1/rules/late-start?planned=2026-09-10&started=2026-09-15", "days", 5],
    ["/api/v1/rules/late-start?planned=2026-09-10&started=2026-09-15&attribution=carrier", "days", 0],
    ["/api/v1/rules/invoice-number?number=T7000012050002", "valid", true],
    ["/api/v1/rules/invoice-number?number=T8000012050002", "valid", false],
  ])("%s → %s = %j", async (url, key, value) => {
    const r = await get(url);
    expect(r.status).toBe(200);
    expect(r.json.result[key]).toEqual(value);
    expect(r.json.basis.length).toBeGreaterThan(0);
  });

  it("answers the per-rate breakdown and the SLA split", async () => {
    const tax = await get(
      "/api/v1/rules/invoice-tax?line=80000:10&line=-8001:10&line=500:8&line=210:out-of-scope",
    );
    expect(tax.json.result.byRate).toEqual([
      { category: "10", net: 71_999, tax: 7_199 },
      { category: "8", net: 500, tax: 40 },
      { category: "out-of-scope", net: 210, tax: 0 },
    ]);
    const sla = await get(
      "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-01&outage=2026-01-31T20:00/2026-02-01T06:00&outage=2026-01-10T00:00/2026-01-10T03:00@cloud",
    );
    expect(sla.json.result).toMatchObject({
      qualifying: [{ hoursTotal: 10, hoursInMonth: 4 }],
      excluded: [{ attribution: "cloud", article: "36(4)" }],
      hours: 4,
      percentage: 0,
      credit: 0,
    });
    const dmg = await get("/api/v1/rules/damages-cap?monthly-fee=80000");
    expect(dmg.json.result.excluded.length).toBeGreaterThan(0);
    expect(dmg.json.basis[0].article).toBe("39");
  });

  it.each([
    ["/api/v1/rules/late-fee?amount=-1&due=2026-09-30&paid=2026-10-20", /amount/],
    ["/api/v1/rules/late-fee?amount=100&due=2026-02-30&paid=2026-10-20", /due/],
    ["/api/v1/rules/late-fee?amount=100&due=2026-09-30&paid=2026-10-2", /paid must be a date YYYY-MM-DD/],
    ["/api/v1/rules/late-fee?amount=100&due=2026-09-30", /paid/],
    ["/api/v1/rules/invoice-tax?line=1000:5", /YEN:RATE/],
    ["/api/v1/rules/invoice-tax?line=1000:10&line=abc", /YEN:RATE/],
    ["/api/v1/rules/invoice-tax?line=1000:10&rounding=sideways", /rounding/],
    ["/api/v1/rules/invoice-tax", /line/],
    [
      "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-10-05T13:00/2026-10-05T01:00",
      /end after/,
    ],
    [
      "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-10-05T01:00/2026-10-05T13:00@martians",
      /outage/,
    ],
    [
      "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-02-30T01:00/2026-03-01T13:00",
      /date/,
    ],
    ["/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-13", /month/],
    ["/api/v1/rules/invoice-number?number=7000012050002", /13 digits/],
    ["/api/v1/rules/invoice-number", /number/],
    ["/api/v1/rules/special-fee?evaded=12.5", /evaded/],
    ["/api/v1/rules/special-fee?evaded=1&evaded=2", /evaded/],
    ["/api/v1/rules/damages-cap?monthly-fee=-80000", /monthly-fee/],
    ["/api/v1/rules/damages-cap", /monthly-fee/],
    ["/api/v1/rules/late-start?planned=2026-09-10&started=2026-09-10", /nothing to extend/],
    ["/api/v1/rules/late-start?planned=2026-09-10&started=2026-09-15&attribution=customer", /attribution/],
  ])("400 for %s", async (url, message) => {
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(r.json.error.code).toMatch(/validation_failed|bad_request/);
    expect(r.json.error.message).toMatch(message);
  });

  it("is described in the OpenAPI document", async () => {
    const spec = (await get("/api/openapi.json")).json;
    for (const n of [
      "late-fee",
      "invoice-tax",
      "sla-credit",
      "special-fee",
      "damages-cap",
      "invoice-number",
      "late-start",
    ])
      expect(spec.paths).toHaveProperty([`/api/v1/rules/${n}`]);
  });
});

describe("billing rules from the CLI", () => {
  it("answers JSON with exit 0, the same as REST", async () => {
    const [tax, sla, late, number, special, cap, equals, help] = await Promise.all([
      cli("invoice-tax", "--line", "80000:10", "--line", "999:8", "--line", "210:out-of-scope"),
      cli(
        "sla-credit",
        "--monthly-fee",
        "80000",
        "--month",
        "2026-02",
        "--outage",
        "2026-01-31T20:00/2026-02-01T06:00",
        "--outage",
        "2026-02-10T00:00/2026-02-10T03:00",
        "--outage",
        "2026-02-11T00:00Z/2026-02-11T12:00Z@carrier",
      ),
      cli("late-fee", "--amount", "33000", "--due", "2026-09-30", "--paid", "2026-10-01"),
      cli("invoice-number", "T7000012050002"),
      cli("special-fee", "--evaded", "12345"),
      cli("damages-cap", "--monthly-fee", "80000"),
      cli("invoice-tax", "--line=-5000:10", "--line=1000:8", "--rounding=up"),
      cli("--help"),
    ]);
    for (const r of [tax, sla, late, number, special, cap, equals]) expect(r.code, r.err).toBe(0);
    expect(JSON.parse(tax.out).result).toMatchObject({ net: 81_209, tax: 8_079, total: 89_288 });
    expect(JSON.parse(sla.out).result).toMatchObject({
      hours: 6,
      percentage: 10,
      credit: 8_000,
      excluded: [
        { attribution: "provider", article: "30(4)" },
        { attribution: "carrier", article: "36(3)" },
      ],
    });
    expect(JSON.parse(late.out).result).toMatchObject({ days: 1, fee: 13 });
    expect(JSON.parse(number.out).result.valid).toBe(true);
    expect(JSON.parse(special.out).result).toEqual({ evaded: 12_345, specialFee: 24_690, totalOwed: 37_035 });
    expect(JSON.parse(cap.out).result.cap).toBe(80_000);
    expect(JSON.parse(equals.out).result).toMatchObject({ net: -4_000, tax: -420, total: -4_420 });
    const rest = await get("/api/v1/rules/invoice-tax?line=80000:10&line=999:8&line=210:out-of-scope");
    expect(JSON.parse(tax.out)).toEqual(rest.json);
    expect(help.code).toBe(0);
    for (const n of [
      "late-fee",
      "invoice-tax",
      "sla-credit",
      "special-fee",
      "damages-cap",
      "invoice-number",
      "late-start",
    ])
      expect(help.out).toContain(`unyo rules ${n}`);
    expect(help.out).toMatch(/invoice-tax\s+--line/);
  });

  it.each([
    [["late-fee", "--amount", "33000", "--due", "2026-09-31", "--paid", "2026-10-01"], /--due/],
    [
      ["late-fee", "--amount", "33000", "--due", "2026-09-30", "--paid", "2026-1-1"],
      /^--paid must be a date YYYY-MM-DD/,
    ],
    [["late-fee", "--amount", "33000", "--due", "2026-09-30"], /^--paid is required$/],
    [["invoice-tax", "--line", "1000:5"], /^--line "1000:5" must be YEN:RATE/],
    [["invoice-tax", "--line", "--rounding", "up"], /--line needs a value/],
    [
      ["invoice-tax", "--line", "1000:10", "--rounding", "up", "--rounding", "down"],
      /--rounding given twice/,
    ],
    [["sla-credit", "--monthly-fee", "1", "--month", "2026-10", "--outage", "2026-10-05T13:00"], /--outage/],
    [
      [
        "sla-credit",
        "--monthly-fee",
        "1",
        "--month",
        "2026-10",
        "--outage",
        "2026-10-05T13:00/2026-10-05T01:00",
      ],
      /end after/,
    ],
    [["special-fee", "--evaded", "1", "--evaded", "2"], /--evaded given twice/],
    [["damages-cap", "--monthly-fee", "1.5"], /--monthly-fee/],
    [["invoice-number", "7000012050002"], /13 digits/],
    [["invoice-number", "T7000012050002", "extra"], /unexpected argument/],
  ])("exit 2 with the error shape for %j", async (args, message) => {
    const r = await cli(...args);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.err).error.message).toMatch(message);
  });
});
