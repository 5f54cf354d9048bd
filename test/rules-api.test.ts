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

describe("rules calculator over REST (no account needed)", () => {
  it.each([
    ["/api/v1/rules/minimum-term?start=2026-01-15", "minimumTermEnd", "2026-02-28"],
    ["/api/v1/rules/cancellation?start=2026-01-15&received=2026-03-10", "effectiveDate", "2026-04-30"],
    [
      "/api/v1/rules/cancellation?start=2026-01-15&received=2026-03-10&month=2026-06",
      "effectiveDate",
      "2026-06-30",
    ],
    [
      "/api/v1/rules/cancellation?start=2026-01-15&received=2026-03-10&reason=terms-not-accepted",
      "effectiveDate",
      "2026-03-10",
    ],
    ["/api/v1/rules/cooling-off?applied=2026-11-24&channel=web", "lastDay", "2026-12-01"],
    ["/api/v1/rules/inquiry-deadline?sent=2026-01-31", "deadline", "2026-02-28"],
    ["/api/v1/rules/terms-change?announced=2026-11-24&effective=2026-12-07", "allowed", false],
    ["/api/v1/rules/abolition?notice=2026-11-24&date=2027-01-24", "allowed", true],
    ["/api/v1/rules/corporate-number?number=7000012050002", "valid", true],
  ])("%s → %s = %j", async (url, key, value) => {
    const r = await get(url);
    expect(r.status).toBe(200);
    expect(r.json.result[key]).toEqual(value);
    expect(r.json.basis.length).toBeGreaterThan(0);
    for (const b of r.json.basis)
      expect(b).toEqual({
        article: expect.stringMatching(/^\d+(\(\d+\))*$/),
        text: expect.not.stringMatching(/[\u3040-\u30ff\u3400-\u9fff]/),
        textJa: expect.stringMatching(/^(?!.*Art\.).*[\u3040-\u30ff\u3400-\u9fff]/),
      });
  });

  it.each([
    ["/api/v1/rules/minimum-term?start=2026-02-30", undefined],
    ["/api/v1/rules/minimum-term", undefined],
    ["/api/v1/rules/cancellation?start=2026-01-15&received=2026-03-10&month=2026-03", "26(3)"],
    ["/api/v1/rules/cancellation?start=2026-01-15&received=2026-03-10&reason=whim", undefined],
    ["/api/v1/rules/cooling-off?applied=2026-11-24&channel=fax", undefined],
    ["/api/v1/rules/corporate-number?number=12", "15"],
    ["/api/v1/rules/terms-change?announced=2026-11-24&effective=2026-12-07&x=1", undefined],
  ])("%s → 400 with a clear message", async (url, article) => {
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(r.json.error.message.length).toBeGreaterThan(5);
    if (article) expect(r.json.error.article).toBe(article);
  });

  it("is described in the OpenAPI document", async () => {
    const spec = (await get("/api/openapi.json")).json;
    for (const n of [
      "minimum-term",
      "cancellation",
      "cooling-off",
      "inquiry-deadline",
      "terms-change",
      "abolition",
      "corporate-number",
    ])
      expect(spec.paths).toHaveProperty([`/api/v1/rules/${n}`]);
  });
});

describe("unyo rules (pure: no database, no server)", () => {
  /** In process; no database is reachable, and none is needed. */
  const rules = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["rules", ...args], { log: (x) => out.push(x), err: (x) => err.push(x) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  it("answers the same JSON as REST", async () => {
    const cli = await rules(
      "cancellation",
      "--start",
      "2026-01-15",
      "--received",
      "2026-03-10",
      "--month",
      "2026-06",
    );
    expect(cli.code).toBe(0);
    const rest = await get("/api/v1/rules/cancellation?start=2026-01-15&received=2026-03-10&month=2026-06");
    expect(JSON.parse(cli.out)).toEqual(rest.json);
  });
  it("takes --flag=value and a positional corporate number", async () => {
    expect(
      JSON.parse((await rules("cooling-off", "--applied=2026-11-24", "--channel=paper")).out).result.applies,
    ).toBe(false);
    expect(JSON.parse((await rules("corporate-number", "7000012050002")).out).result.valid).toBe(true);
  });
  it.each([
    [["minimum-term", "--start", "2026-02-30"]],
    [["cancellation", "--start", "2026-01-15", "--received", "2026-03-10", "--month", "2026-02"]],
    [["cancellation", "--start", "2026-01-15", "--received", "2026-03-10", "--reason", "bored"]],
    [["inquiry-deadline"]],
    [["no-such-rule"]],
    [["terms-change", "--announced", "2026-11-24"]],
    [["minimum-term", "--start"]],
  ])("exit 2 with the error shape for %j", async (args) => {
    const r = await rules(...args);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.err).error.message).toBeTruthy();
  });
});
