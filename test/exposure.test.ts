/**
 * Exposure by default and behind proxies: which client address Unyo believes, where a demo listens,
 * and who may read /metrics.
 */
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/core/config.ts";
import { buildUser, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

const envs: TestEnv[] = [];
afterAll(async () => {
  for (const e of envs) await e.close();
});
async function app(overrides: Parameters<typeof testApp>[0] = {}) {
  const e = await testApp(overrides);
  envs.push(e);
  return e;
}

/** Log in through a proxy that sent this X-Forwarded-For from `from`; the address the session keeps. */
async function sessionAddress(e: TestEnv, forwardedFor: string, from: string) {
  const u = await buildUser(e.db, { role: "operator" });
  const r = await e.app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { loginId: u.loginId, password: PASSWORD },
    headers: { "x-forwarded-for": forwardedFor },
    remoteAddress: from,
  });
  expect(r.statusCode).toBe(200);
  const row = await e.db
    .selectFrom("sessions")
    .select("ip")
    .where("user_id", "=", u.id)
    .executeTakeFirstOrThrow();
  return row.ip;
}

describe("UNYO_TRUST_PROXY", () => {
  it("reads hops or proxy addresses, and refuses anything else", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ UNYO_TRUST_PROXY: "0" }).trustProxy).toBe(false);
    expect(loadConfig({ UNYO_TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig({ UNYO_TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ UNYO_TRUST_PROXY: "10.0.0.1, 192.168.0.0/16,::1" }).trustProxy).toEqual([
      "10.0.0.1",
      "192.168.0.0/16",
      "::1",
    ]);
    for (const bad of ["true", "10.0.0.300", "10.0.0.0/33", "proxy.example", "1.2.3.4/8/9"])
      expect(() => loadConfig({ UNYO_TRUST_PROXY: bad }), bad).toThrow(/UNYO_TRUST_PROXY/);
  });

  it("unset: X-Forwarded-For is ignored", async () => {
    const e = await app();
    expect(await sessionAddress(e, "6.6.6.6", "10.1.1.1")).toBe("10.1.1.1");
  });

  it("one hop: the address the proxy saw, never the entries the client wrote before it", async () => {
    const e = await app({ trustProxy: 1 });
    expect(await sessionAddress(e, "6.6.6.6, 203.0.113.7", "127.0.0.1")).toBe("203.0.113.7");
    // The per-address throttle holds though the client changes its own entries every time.
    const u = await buildUser(e.db, { role: "operator" });
    const codes: number[] = [];
    for (let i = 0; i < 32; i++) {
      const r = await e.app.inject({
        method: "POST",
        url: "/api/v1/auth/login",
        payload: { loginId: u.loginId, password: `wrong password ${i}` },
        headers: { "x-forwarded-for": `6.6.${i}.${i}, 198.51.100.9` },
        remoteAddress: "127.0.0.1",
      });
      codes.push(r.statusCode);
    }
    expect(codes).toContain(429);
  });

  it("a list of proxies: believed only when the request comes from one of them", async () => {
    const e = await app({ trustProxy: ["127.0.0.1"] });
    expect(await sessionAddress(e, "6.6.6.6, 203.0.113.8", "127.0.0.1")).toBe("203.0.113.8");
    expect(await sessionAddress(e, "6.6.6.6, 203.0.113.8", "10.9.9.9")).toBe("10.9.9.9");
  });
});

describe("exposure by default", () => {
  it("a demo listens on this machine only unless HOST says otherwise", () => {
    expect(loadConfig({}).host).toBe("127.0.0.1");
    expect(loadConfig({ HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    expect(loadConfig({ UNYO_DEMO: "0" }).host).toBe("0.0.0.0");
  });

  it("/metrics needs the bearer token when UNYO_METRICS_TOKEN is set", async () => {
    const e = await app({ metricsToken: "s3cret-metrics-token" });
    expect((await e.app.inject("/metrics")).statusCode).toBe(401);
    const wrong = await e.app.inject({ url: "/metrics", headers: { authorization: "Bearer nope" } });
    expect(wrong.statusCode).toBe(401);
    const ok = await e.app.inject({
      url: "/metrics",
      headers: { authorization: "Bearer s3cret-metrics-token" },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("unyo_http_request_duration_seconds");
    const open = await app();
    expect((await open.app.inject("/metrics")).statusCode).toBe(200);
  });

  it("API answers are never cached and load nothing; pages get a CSP that forbids framing; HSTS with secure cookies", async () => {
    const e = await app({ secureCookies: true });
    const u = await buildUser(e.db, { role: "billing" });
    const s = await login(e.app, u.loginId, PASSWORD);
    const me = await s.req("GET", "/api/v1/me");
    expect(me.headers["cache-control"]).toBe("no-store");
    expect(me.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(me.headers["strict-transport-security"]).toMatch(/^max-age=\d+/);
    const csv = await e.app.inject({
      url: "/api/v1/billing/months/2026-10/invoices.csv",
      headers: { cookie: s.cookie },
    });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["cache-control"]).toBe("no-store");
    const plain = await app();
    expect((await plain.app.inject("/healthz")).headers["strict-transport-security"]).toBeUndefined();
    // The web UI's page (the built app is served by a process with serveWeb).
    const { buildApp } = await import("../src/http/app.ts");
    const web = await buildApp({
      db: plain.db,
      config: plain.config,
      clock: plain.clock,
      logger: false,
      serveWeb: true,
      queue: plain.queue,
    });
    try {
      const page = await web.app.inject("/console");
      expect(page.statusCode).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      const csp = String(page.headers["content-security-policy"]);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-eval");
    } finally {
      await web.app.close();
    }
  });
});
