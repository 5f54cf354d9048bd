/**
 * The check executors against real loopback servers (test/targets.ts): what each one finds, and that
 * nothing a check sends ever comes back in an outcome's message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  closedPort,
  type DnsRecords,
  dnsTarget,
  httpsTarget,
  httpTarget,
  tcpTarget,
} from "../../../test/targets.ts";
import { runDns } from "./dns.ts";
import { BODY_CAP, runHttp } from "./http.ts";
import { NOT_PERMITTED, runIcmp } from "./icmp.ts";
import { runCheck } from "./run.ts";
import { runTcp } from "./tcp.ts";
import { runTls } from "./tls.ts";
import type { CheckSpec, DnsRecordType, HttpSettings, Outcome } from "./types.ts";

const O = { timeoutMs: 3000 };

type Target = Awaited<ReturnType<typeof httpTarget>>;
let web: Target;
let refusedPort: number;
const closers: (() => Promise<void>)[] = [];

const bigBody = `${"x".repeat(BODY_CAP - 10)}EARLY-MARK${"y".repeat(BODY_CAP)}LATE-MARK`;

beforeAll(async () => {
  web = await httpTarget((req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    const send = (status: number, text: string, type = "text/plain") => {
      res.writeHead(status, { "content-type": type });
      res.end(text);
    };
    switch (url.pathname) {
      case "/health":
        return send(200, "all systems go");
      case "/json":
        return send(
          200,
          JSON.stringify({ status: "up", items: [{ state: "ok", n: 2 }] }),
          "application/json",
        );
      case "/slow":
        setTimeout(() => send(200, "late"), 150);
        return;
      case "/never":
        return; // holds the request open
      case "/teapot":
        return send(418, "short and stout");
      case "/echo":
        // What a careless target does: hands the request's secrets back.
        return send(
          500,
          JSON.stringify({ auth: req.headers.authorization, key: req.headers["x-api-key"], body }),
          "application/json",
        );
      case "/big":
        return send(200, bigBody);
      default:
        return send(200, "ok");
    }
  });
  closers.push(web.close);
  refusedPort = await closedPort();
});

afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

const get = (path: string, more: Partial<HttpSettings> = {}): HttpSettings => ({
  url: `${web.url}${path}`,
  method: "GET",
  ...more,
});

describe("HTTP", () => {
  it("passes on a 2xx answer and reports status and latency", async () => {
    const out = await runHttp(get("/health"), O);
    expect(out).toMatchObject({ ok: true, status: 200 });
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
    expect(out.code).toBeUndefined();
    expect(web.hits.get("/health")?.length).toBeGreaterThan(0);
  });

  it("fails on a status outside 200–399, or outside expectStatus", async () => {
    expect(await runHttp(get("/teapot"), O)).toMatchObject({
      ok: false,
      code: "status",
      status: 418,
      message: "status 418 (expected 200–399)",
    });
    expect(await runHttp(get("/teapot", { expectStatus: [418] }), O)).toMatchObject({
      ok: true,
      status: 418,
    });
    expect(await runHttp(get("/health", { expectStatus: [204, 301] }), O)).toMatchObject({
      ok: false,
      code: "status",
      message: "status 200 (expected 204, 301)",
    });
  });

  it("checks a keyword present or absent", async () => {
    expect(await runHttp(get("/health", { keyword: "systems go" }), O)).toMatchObject({ ok: true });
    expect(await runHttp(get("/health", { keyword: "meltdown" }), O)).toMatchObject({
      ok: false,
      code: "keyword",
    });
    expect(await runHttp(get("/health", { keyword: "meltdown", keywordAbsent: true }), O)).toMatchObject({
      ok: true,
    });
    expect(await runHttp(get("/health", { keyword: "go", keywordAbsent: true }), O)).toMatchObject({
      ok: false,
      code: "keyword",
    });
  });

  it("reads at most 1 MiB of the body for a keyword", async () => {
    expect(await runHttp(get("/big", { keyword: "EARLY-MARK" }), O)).toMatchObject({ ok: true });
    const late = await runHttp(get("/big", { keyword: "LATE-MARK" }), O);
    expect(late).toMatchObject({ ok: false, code: "keyword" });
    expect(late.message).toContain("first 1 MiB");
    // A body nobody asked about is drained (or dropped past the cap) without failing the check.
    expect(await runHttp(get("/big"), O)).toMatchObject({ ok: true });
  });

  it("compares a JSON path's value as text", async () => {
    expect(await runHttp(get("/json", { jsonPath: "$.status", jsonEquals: "up" }), O)).toMatchObject({
      ok: true,
    });
    expect(await runHttp(get("/json", { jsonPath: "$.items[0].n", jsonEquals: "2" }), O)).toMatchObject({
      ok: true,
    });
    expect(await runHttp(get("/json", { jsonPath: "$.status", jsonEquals: "down" }), O)).toMatchObject({
      ok: false,
      code: "json_path",
      message: '$.status is "up", expected "down"',
    });
    expect(await runHttp(get("/json", { jsonPath: "$.nope", jsonEquals: "x" }), O)).toMatchObject({
      ok: false,
      code: "json_path",
    });
    expect(await runHttp(get("/health", { jsonPath: "$.status", jsonEquals: "up" }), O)).toMatchObject({
      ok: false,
      code: "json_path",
      message: "the body is not JSON",
    });
    expect(await runHttp(get("/json", { jsonPath: "$[?(@.x)]", jsonEquals: "up" }), O)).toMatchObject({
      ok: false,
      code: "json_path",
    });
  });

  it("fails when slower than maxLatencyMs", async () => {
    const slow = await runHttp(get("/slow", { maxLatencyMs: 50 }), O);
    expect(slow).toMatchObject({ ok: false, code: "latency", status: 200 });
    expect(slow.latencyMs).toBeGreaterThanOrEqual(140);
    expect(await runHttp(get("/slow", { maxLatencyMs: 2000 }), O)).toMatchObject({ ok: true });
  });

  it("sends the method, headers and body", async () => {
    const out = await runHttp(
      {
        url: `${web.url}/submit?probe=1`,
        method: "POST",
        headers: { "content-type": "application/json", "x-probe": "unyo" },
        body: '{"ping":true}',
      },
      O,
    );
    expect(out).toMatchObject({ ok: true, status: 200 });
    const seen = web.requests.findLast((r) => r.path === "/submit?probe=1");
    expect(seen).toMatchObject({ method: "POST", body: '{"ping":true}' });
    expect(seen?.headers["x-probe"]).toBe("unyo");
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(await runHttp(get("/health", { method: "HEAD" }), O)).toMatchObject({ ok: true, status: 200 });
    expect(web.requests.findLast((r) => r.path === "/health")?.method).toBe("HEAD");
  });

  it("rejects a self-signed certificate when verifying, accepts it when not", async () => {
    const site = await httpsTarget({ daysValid: 30 });
    closers.push(site.close);
    const verified = await runHttp({ url: `${site.url}/`, method: "GET" }, O);
    expect(verified).toMatchObject({ ok: false, code: "tls_invalid" });
    expect(verified.message).toContain("SELF_SIGNED");
    expect(
      await runHttp({ url: `${site.url}/`, method: "GET", verifyTls: false, keyword: "ok" }, O),
    ).toMatchObject({
      ok: true,
      status: 200,
    });
  });

  it("says refused for a closed port", async () => {
    expect(await runHttp({ url: `http://127.0.0.1:${refusedPort}/`, method: "GET" }, O)).toMatchObject({
      ok: false,
      code: "refused",
      message: "connection refused",
    });
  });

  it("times out on a target that never answers, on time", async () => {
    const t = performance.now();
    const out = await runHttp(get("/never"), { timeoutMs: 300 });
    const took = performance.now() - t;
    expect(out).toMatchObject({ ok: false, code: "timeout", message: "no answer within 300 ms" });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1000);
  });

  it("stops when the caller cancels", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const out = await runHttp(get("/never"), { timeoutMs: 5000, signal: ac.signal });
    expect(out).toMatchObject({ ok: false, code: "error", message: "cancelled" });
    expect(out.latencyMs).toBeLessThan(1000);
  });

  it("refuses a URL that is not http(s)", async () => {
    expect(await runHttp({ url: "file:///etc/passwd", method: "GET" }, O)).toMatchObject({
      ok: false,
      code: "error",
    });
  });
});

describe("no outcome message repeats what a check sent", () => {
  const SECRET = "PLANTED-SECRET-123";
  const KEY = "PLANTED-KEY-456";
  const BODY = "PLANTED-BODY-789";
  const secrets = (more: Partial<HttpSettings>): HttpSettings => ({
    url: `${web.url}/echo`,
    method: "POST",
    headers: { Authorization: `Bearer ${SECRET}`, "X-Api-Key": KEY },
    body: BODY,
    ...more,
  });

  it("on every kind of failure", async () => {
    const site = await httpsTarget({ daysValid: 30 });
    closers.push(site.close);
    const outcomes: Outcome[] = await Promise.all([
      runHttp(secrets({}), O),
      runHttp(secrets({ expectStatus: [500], jsonPath: "$.auth", jsonEquals: "nope" }), O),
      runHttp(secrets({ expectStatus: [500], jsonPath: "$.key", jsonEquals: "nope" }), O),
      runHttp(secrets({ expectStatus: [500], jsonPath: "$.body", jsonEquals: "nope" }), O),
      runHttp(secrets({ expectStatus: [500], jsonPath: "$", jsonEquals: "nope" }), O),
      runHttp(secrets({ expectStatus: [500], keyword: "absent-word" }), O),
      runHttp(secrets({ expectStatus: [500], maxLatencyMs: -1 }), O),
      runHttp(secrets({ url: `${web.url}/never` }), { timeoutMs: 200 }),
      runHttp(secrets({ url: `http://127.0.0.1:${refusedPort}/` }), O),
      runHttp(secrets({ url: `${site.url}/` }), O),
      runHttp(secrets({ headers: { Authorization: `Bearer ${SECRET}\r\nX-Evil: 1` } }), O),
      runHttp(secrets({ headers: { "Bad Name": SECRET } }), O),
      runCheck({ kind: "http", settings: secrets({ url: "http://no-such-host.invalid/" }) }, O),
    ]);
    expect(outcomes.every((o) => !o.ok)).toBe(true);
    expect(outcomes.map((o) => o.code)).toEqual([
      "status",
      "json_path",
      "json_path",
      "json_path",
      "json_path",
      "keyword",
      "latency",
      "timeout",
      "refused",
      "tls_invalid",
      "error",
      "error",
      "unreachable",
    ]);
    for (const o of outcomes) {
      expect(o.message).toBeTruthy();
      for (const s of [SECRET, KEY, BODY, "PLANTED"]) expect(o.message).not.toContain(s);
    }
    // The target did receive them: the scrubbing is ours, not a request that never went out.
    expect(web.requests.some((r) => r.headers.authorization === `Bearer ${SECRET}` && r.body === BODY)).toBe(
      true,
    );
  });
});

describe("TCP", () => {
  it("passes when the port accepts, says refused when it does not", async () => {
    const t = await tcpTarget();
    closers.push(t.close);
    expect(await runTcp({ host: "127.0.0.1", port: t.port }, O)).toMatchObject({ ok: true });
    await expect.poll(() => t.accepted()).toBe(1);
    expect(await runTcp({ host: "127.0.0.1", port: refusedPort }, O)).toMatchObject({
      ok: false,
      code: "refused",
    });
    expect(await runTcp({ host: "127.0.0.1", port: 70000 }, O)).toMatchObject({ ok: false, code: "error" });
  });
});

describe("TLS certificate expiry", () => {
  it("fails a certificate with a day left when 14 are required", async () => {
    const site = await httpsTarget({ daysValid: 1 });
    closers.push(site.close);
    const out = await runTls({ host: "127.0.0.1", port: site.port, minDaysLeft: 14 }, O);
    expect(out).toMatchObject({ ok: false, code: "cert_expiring" });
    expect([0, 1]).toContain(out.daysLeft);
    // The expiry date, give or take the minute the certificate was made in.
    const expiry = (ms: number) => new Date(Date.now() + 86_400_000 - ms).toISOString().slice(0, 10);
    expect([expiry(0), expiry(60_000)].some((d) => out.message?.includes(d))).toBe(true);
    expect(out.message).toContain(`${out.daysLeft} days left`);
    expect(out.message).toContain("not trusted");
    // Seen from two days on: expired a day (less a moment) ago, which floors to -2.
    const later = await runTls(
      { host: "localhost", port: site.port, minDaysLeft: 14 },
      O,
      new Date(Date.now() + 2 * 86_400_000),
    );
    expect(later).toMatchObject({ ok: false, code: "cert_expiring", daysLeft: -2 });
    expect(later.message).toContain("expired");
  });

  it("passes a certificate with 400 days left", async () => {
    const site = await httpsTarget({ daysValid: 400 });
    closers.push(site.close);
    const out = await runTls({ host: "127.0.0.1", port: site.port, minDaysLeft: 14 }, O);
    expect(out).toMatchObject({ ok: true });
    expect([399, 400]).toContain(out.daysLeft);
    expect(out.message).toContain("not trusted");
  });

  it("says tls_invalid when the port does not speak TLS, refused when closed", async () => {
    expect(await runTls({ host: "127.0.0.1", port: web.port, minDaysLeft: 1 }, O)).toMatchObject({
      ok: false,
      code: "tls_invalid",
    });
    expect(await runTls({ host: "127.0.0.1", port: refusedPort, minDaysLeft: 1 }, O)).toMatchObject({
      ok: false,
      code: "refused",
    });
  });
});

describe("DNS", () => {
  const records: DnsRecords = {
    "example.test": {
      A: ["192.0.2.1", "192.0.2.2"],
      AAAA: ["2001:db8::1"],
      MX: [
        { priority: 10, exchange: "Mail.Example.test" },
        { priority: 20, exchange: "backup.example.test" },
      ],
      TXT: [["v=spf1 ", "-all"], "hello world"],
      NS: ["ns1.example.test"],
    },
    "www.example.test": { CNAME: "example.test" },
  };
  let server = "";

  beforeAll(async () => {
    const dns = await dnsTarget(records);
    closers.push(dns.close);
    server = dns.server;
  });

  it("passes when the answers equal the expected set, in any order and spelling", async () => {
    const run = (name: string, recordType: DnsRecordType, expected: string[]) =>
      runDns({ name, recordType, expected, server }, O);
    expect(await run("example.test", "A", ["192.0.2.2", "192.0.2.1"])).toMatchObject({ ok: true });
    expect(await run("EXAMPLE.test.", "A", ["192.0.2.1", "192.0.2.2"])).toMatchObject({ ok: true });
    expect(await run("example.test", "AAAA", ["2001:DB8:0:0:0:0:0:1"])).toMatchObject({ ok: true });
    expect(await run("example.test", "TXT", ["hello world", "v=spf1 -all"])).toMatchObject({ ok: true });
    expect(
      await run("example.test", "MX", ["20 backup.example.test", "10 mail.example.test."]),
    ).toMatchObject({ ok: true });
    expect(await run("www.example.test", "CNAME", ["Example.Test."])).toMatchObject({ ok: true });
    expect(await run("example.test", "NS", ["ns1.example.test."])).toMatchObject({ ok: true });
  });

  it("says dns_mismatch with the answers", async () => {
    const a = await runDns({ name: "example.test", recordType: "A", expected: ["192.0.2.1"], server }, O);
    expect(a).toMatchObject({ ok: false, code: "dns_mismatch" });
    expect(a.message).toContain("192.0.2.1, 192.0.2.2");
    const txt = await runDns(
      { name: "example.test", recordType: "TXT", expected: ["v=spf1 ~all"], server },
      O,
    );
    expect(txt).toMatchObject({ ok: false, code: "dns_mismatch" });
    expect(txt.message).toContain("v=spf1 -all");
    const mx = await runDns(
      { name: "example.test", recordType: "MX", expected: ["10 mail.example.test"], server },
      O,
    );
    expect(mx).toMatchObject({ ok: false, code: "dns_mismatch" });
    expect(mx.message).toContain("20 backup.example.test");
    const cname = await runDns(
      { name: "www.example.test", recordType: "CNAME", expected: ["other.test"], server },
      O,
    );
    expect(cname).toMatchObject({ ok: false, code: "dns_mismatch" });
    expect(cname.message).toContain("example.test");
    // A name with no records of the type: an empty answer.
    const none = await runDns(
      { name: "www.example.test", recordType: "A", expected: ["192.0.2.1"], server },
      O,
    );
    expect(none).toMatchObject({
      ok: false,
      code: "dns_mismatch",
      message: expect.stringContaining("no A records"),
    });
  });

  it("says dns_error for NXDOMAIN and timeout for a silent server", async () => {
    expect(
      await runDns({ name: "nope.example.test", recordType: "A", expected: ["192.0.2.1"], server }, O),
    ).toMatchObject({
      ok: false,
      code: "dns_error",
      message: expect.stringContaining("NXDOMAIN"),
    });
    // A UDP port with nobody on it: the query is lost (or refused by ICMP); either way no answer.
    const silent = await runDns(
      { name: "example.test", recordType: "A", expected: [], server: `127.0.0.1:${refusedPort}` },
      { timeoutMs: 300 },
    );
    expect(silent.ok).toBe(false);
    expect(["timeout", "dns_error"]).toContain(silent.code);
    expect(silent.latencyMs).toBeLessThan(1000);
    expect(
      await runDns({ name: "x.test", recordType: "A", expected: [], server: "bad server!" }, O),
    ).toMatchObject({
      ok: false,
      code: "error",
    });
  });
});

describe("ICMP", () => {
  it("pings the loopback address", async () => {
    const out = await runIcmp({ host: "127.0.0.1" }, O);
    expect(out).toMatchObject({ ok: true });
    expect(out.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it("refuses a host that is not a host name or address, without running anything", async () => {
    for (const host of ["-f", "127.0.0.1; touch /tmp/pwned", "a b", "$(id)", "", "-c 100 127.0.0.1"]) {
      // With a ping path that cannot exist: had anything been run, the outcome would be icmp_not_permitted.
      expect(await runIcmp({ host }, O, "/nonexistent/ping")).toMatchObject({
        ok: false,
        code: "error",
        message: "not a host name or IP address",
      });
    }
  });

  it("says icmp_not_permitted when there is no ping to run", async () => {
    expect(await runIcmp({ host: "127.0.0.1" }, O, "/nonexistent/ping")).toMatchObject({
      ok: false,
      code: "icmp_not_permitted",
      message: NOT_PERMITTED,
    });
  });

  it("says unreachable for a name that does not resolve", async () => {
    expect(await runIcmp({ host: "no-such-host.invalid" }, O)).toMatchObject({
      ok: false,
      code: "unreachable",
    });
  });
});

describe("runCheck", () => {
  it("dispatches by kind and never rejects", async () => {
    expect(await runCheck({ kind: "http", settings: get("/health") }, O)).toMatchObject({ ok: true });
    expect(await runCheck({ kind: "tcp", settings: { host: "127.0.0.1", port: web.port } }, O)).toMatchObject(
      {
        ok: true,
      },
    );
    expect(await runCheck({ kind: "icmp", settings: { host: "127.0.0.1" } }, O)).toMatchObject({ ok: true });
    expect(await runCheck({ kind: "heartbeat", settings: {} } as unknown as CheckSpec, O)).toMatchObject({
      ok: false,
      code: "error",
    });
    expect(await runCheck({ kind: "http", settings: null } as unknown as CheckSpec, O)).toMatchObject({
      ok: false,
      code: "error",
    });
  });
});
