import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["bin/unyo.js", "rules", ...args], { encoding: "utf8" });

describe("billing rules over REST (no account needed)", () => {
  it.each([
    ["/api/v1/rules/late-fee?amount=33000&due=2026-09-30&paid=2026-10-20", "fee", 262],
    ["/api/v1/rules/invoice-tax?line=119:8&line=119:8&line=119:8", "tax", 28],
    ["/api/v1/rules/invoice-tax?line=357:8&rounding=up", "tax", 29],
    ["/api/v1/rules/invoice-tax?line=1000:10", "total", 1100],
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
    ["/api/v1/rules/special-fee?evaded=10000", "specialFee", 20_000],
    ["/api/v1/rules/damages-cap?monthly-fee=80000", "cap", 80_000],
    ["/api/v1/rules/invoice-number?number=T7000012050002", "valid", true],
    ["/api/v1/rules/invoice-number?number=T8000012050002", "valid", false],
  ])("%s → %s = %j", async (url, key, value) => {
    const r = await get(url);
    expect(r.status).toBe(200);
    expect(r.json.result[key]).toEqual(value);
    expect(r.json.basis.length).toBeGreaterThan(0);
  });

  it.each([
    "/api/v1/rules/late-fee?amount=-1&due=2026-09-30&paid=2026-10-20",
    "/api/v1/rules/late-fee?amount=100&due=2026-02-30&paid=2026-10-20",
    "/api/v1/rules/invoice-tax?line=1000:5",
    "/api/v1/rules/invoice-tax",
    "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-10-05T13:00/2026-10-05T01:00",
    "/api/v1/rules/sla-credit?monthly-fee=80000&month=2026-10&outage=2026-10-05T01:00/2026-10-05T13:00@martians",
    "/api/v1/rules/invoice-number?number=7000012050002",
    "/api/v1/rules/special-fee?evaded=12.5",
  ])("400 for %s", async (url) => {
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(r.json.error.message.length).toBeGreaterThan(5);
  });
});

describe("billing rules from the CLI", () => {
  it("answers JSON with repeated --line and --outage, and exits 2 on bad input", () => {
    const tax = cli("invoice-tax", "--line", "80000:10", "--line", "999:8", "--line", "210:out-of-scope");
    expect(tax.status).toBe(0);
    expect(JSON.parse(tax.stdout).result).toMatchObject({ net: 81_209, tax: 8_079, total: 89_288 });
    const sla = cli(
      "sla-credit",
      "--monthly-fee",
      "80000",
      "--month",
      "2026-02",
      "--outage",
      "2026-01-31T20:00/2026-02-01T06:00",
      "--outage",
      "2026-02-10T00:00/2026-02-10T03:00",
    );
    expect(sla.status).toBe(0);
    expect(JSON.parse(sla.stdout).result).toMatchObject({ hours: 6, percentage: 10, credit: 8_000 });
    expect(
      JSON.parse(cli("late-fee", "--amount", "33000", "--due", "2026-09-30", "--paid", "2026-10-01").stdout)
        .result.fee,
    ).toBe(13);
    expect(JSON.parse(cli("invoice-number", "T7000012050002").stdout).result.valid).toBe(true);
    const bad = cli("late-fee", "--amount", "33000", "--due", "2026-09-31", "--paid", "2026-10-01");
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stderr).error.message).toMatch(/due/);
    expect(cli("special-fee", "--evaded", "1", "--evaded", "2").status).toBe(2);
  });
});
