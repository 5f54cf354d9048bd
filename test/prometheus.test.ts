/**
 * Prometheus HTTP service discovery against the real thing: Debian's Prometheus reads Unyo's
 * `/monitoring/prometheus/targets` with a staff API token of the discovery scope, hands each check to
 * Debian's blackbox_exporter with the module Unyo named, and the exporter probes the loopback targets.
 * Prometheus's own API shows what it discovered and scraped; pausing a check drops its target.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildContract, buildUser, type Client, login, type TestEnv, testApp } from "./helpers.ts";
import { type Peer, startBlackbox, startPrometheus, waitFor } from "./peers.ts";
import { httpTarget, tcpTarget } from "./targets.ts";

const DISCOVERY = "/api/v1/monitoring/prometheus/targets";

let env: TestEnv;
let staff: Client;
let unyoUrl: string;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  env = await testApp();
  // Prometheus reaches Unyo over HTTP, so the app listens on a real port.
  await env.app.listen({ port: 0, host: "127.0.0.1" });
  const a = env.app.server.address();
  if (!a || typeof a !== "object") throw new Error("the app is not listening");
  unyoUrl = `http://127.0.0.1:${a.port}`;
  const u = await buildUser(env.db, { role: "engineer" });
  staff = await login(env.app, u.loginId, u.password);
});

afterAll(async () => {
  // Peers first (Prometheus keeps polling Unyo), then the targets, then the app and its database.
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await env?.close();
});

interface PromTarget {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: "up" | "down" | "unknown";
  lastError: string;
}

async function promTargets(prom: Peer): Promise<PromTarget[]> {
  const r = await fetch(`${prom.url}/api/v1/targets?state=active`);
  const body = (await r.json()) as { status: string; data: { activeTargets: PromTarget[] } };
  if (body.status !== "success") throw new Error(`targets: ${JSON.stringify(body)}`);
  return body.data.activeTargets.filter((t) => t.scrapePool === "unyo-blackbox");
}

async function promQuery(prom: Peer, query: string) {
  const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await r.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  if (body.status !== "success") throw new Error(`query ${query}: ${JSON.stringify(body)}`);
  return body.data.result;
}

describe("Prometheus HTTP service discovery with real Prometheus and blackbox_exporter", () => {
  it("discovers the active HTTP and TCP checks, probes them through blackbox, and drops a paused one", async () => {
    // ---- Unyo: a customer's contract, its servers registered, checks on loopback targets ----
    const contract = await buildContract(env.db, {
      start: "2026-10-01",
      servers: [
        { hostname: "web01.example.jp", provider: "aws", role: "web", os: "Ubuntu 22.04" },
        { hostname: "db01.example.jp", provider: "aws", role: "db", os: "AlmaLinux 9.4" },
      ],
    });
    expect(
      (await staff.req("POST", `/api/v1/contracts/${contract.id}/inventory/from-contract`)).json,
    ).toEqual({ created: 2, updated: 0 });
    const items = (await staff.req("GET", `/api/v1/contracts/${contract.id}/inventory`)).json.registered as {
      id: string;
      name: string;
    }[];
    const web = items.find((i) => i.name === "web01.example.jp")!;
    const dbItem = items.find((i) => i.name === "db01.example.jp")!;
    const site = await httpTarget();
    cleanups.push(site.close);
    const tcp = await tcpTarget();
    cleanups.push(tcp.close);
    const mk = async (body: object) => {
      const r = await staff.req("POST", "/api/v1/checks", { intervalS: 60, timeoutMs: 2000, ...body });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      return r.json as { id: string };
    };
    const httpCheck = await mk({
      itemId: web.id,
      name: "site health",
      kind: "http",
      settings: { url: `${site.url}/health` },
    });
    const tcpCheck = await mk({
      itemId: dbItem.id,
      name: "postgres port",
      kind: "tcp",
      settings: { host: "127.0.0.1", port: tcp.port },
    });
    const pausedCheck = await mk({
      itemId: web.id,
      name: "paused page",
      kind: "http",
      settings: { url: `${site.url}/paused` },
    });
    const paused = await staff.req("POST", `/api/v1/checks/${pausedCheck.id}/pause`, { reason: "manual" });
    expect(paused.status, JSON.stringify(paused.json)).toBe(200);
    await mk({
      itemId: web.id,
      name: "zone",
      kind: "dns",
      settings: {
        name: "web01.example.jp",
        recordType: "A",
        expected: ["192.0.2.10"],
        server: "127.0.0.1:53",
      },
    });

    // ---- the discovery token: only the discovery scope ----
    const created = await staff.req("POST", "/api/v1/me/tokens", {
      name: "prometheus",
      scopes: ["discovery"],
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect(created.json.scopes).toEqual(["discovery"]);
    const token = created.json.token as string;
    const bearer = { authorization: `Bearer ${token}` };
    const sd = await fetch(`${unyoUrl}${DISCOVERY}`, { headers: bearer });
    expect(sd.status).toBe(200);
    expect(sd.headers.get("content-type")).toMatch(/^application\/json/);
    const groups = (await sd.json()) as { targets: string[]; labels: Record<string, string> }[];
    expect(groups.map((g) => g.targets).sort()).toEqual(
      [[`${site.url}/health`], [`127.0.0.1:${tcp.port}`]].sort(),
    );
    const byCheck = new Map(groups.map((g) => [g.labels.unyo_check, g]));
    expect(byCheck.get(httpCheck.id)?.labels).toMatchObject({
      __param_module: "http_2xx",
      module: "http_2xx",
      unyo_check_name: "site health",
      customer_id: contract.customerId,
      contract: contract.number,
      server: "web01.example.jp",
    });
    expect(byCheck.get(tcpCheck.id)?.labels).toMatchObject({
      __param_module: "tcp_connect",
      module: "tcp_connect",
      contract: contract.number,
      server: "db01.example.jp",
    });
    const customerName = byCheck.get(httpCheck.id)!.labels.customer!;
    expect(customerName).toMatch(/^株式会社テスト/);
    // The token reads nothing else; no token (or a wrong one) reads nothing at all.
    expect((await fetch(`${unyoUrl}/api/v1/contracts`, { headers: bearer })).status).toBe(403);
    expect((await fetch(`${unyoUrl}${DISCOVERY}`)).status).toBe(401);
    expect(
      (await fetch(`${unyoUrl}${DISCOVERY}`, { headers: { authorization: `Bearer ${token}x` } })).status,
    ).toBe(401);

    // ---- blackbox_exporter and Prometheus, discovering from Unyo ----
    const blackbox = await startBlackbox();
    cleanups.push(blackbox.stop);
    const prom = await startPrometheus({
      config: {
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        scrape_configs: [
          {
            job_name: "unyo-blackbox",
            scrape_interval: "1s",
            scrape_timeout: "1s",
            metrics_path: "/probe",
            http_sd_configs: [
              {
                url: `${unyoUrl}${DISCOVERY}`,
                refresh_interval: "1s",
                authorization: { type: "Bearer", credentials: token },
              },
            ],
            relabel_configs: [
              { source_labels: ["__address__"], target_label: "__param_target" },
              { source_labels: ["__param_target"], target_label: "instance" },
              { target_label: "__address__", replacement: `127.0.0.1:${blackbox.port}` },
            ],
          },
        ],
      },
    });
    cleanups.push(prom.stop);
    const diagnosis = async () =>
      `Prometheus targets: ${JSON.stringify(await promTargets(prom).catch(String))}\n` +
      `Prometheus output:\n${prom.tail()}\nblackbox output:\n${blackbox.tail()}`;

    // Exactly the two discovered targets, with Unyo's labels kept, both up.
    const instances = [`${site.url}/health`, `127.0.0.1:${tcp.port}`].sort();
    const targets = await waitFor(
      async () => {
        const ts = await promTargets(prom);
        return ts.length === 2 && ts.every((t) => t.health === "up") ? ts : undefined;
      },
      60_000,
      async () => `both targets up\n${await diagnosis()}`,
    );
    expect(targets.map((t) => t.labels.instance).sort()).toEqual(instances);
    const httpT = targets.find((t) => t.labels.unyo_check === httpCheck.id)!;
    expect(httpT.labels).toMatchObject({
      job: "unyo-blackbox",
      instance: `${site.url}/health`,
      module: "http_2xx",
      customer: customerName,
      customer_id: contract.customerId,
      contract: contract.number,
      server: "web01.example.jp",
      unyo_check_name: "site health",
    });
    // Prometheus asks blackbox for the module Unyo named, about the check's own target.
    const httpScrape = new URL(httpT.scrapeUrl);
    expect(httpScrape.host).toBe(`127.0.0.1:${blackbox.port}`);
    expect(httpScrape.pathname).toBe("/probe");
    expect(httpScrape.searchParams.get("module")).toBe("http_2xx");
    expect(httpScrape.searchParams.get("target")).toBe(`${site.url}/health`);
    const tcpT = targets.find((t) => t.labels.unyo_check === tcpCheck.id)!;
    expect(tcpT.labels).toMatchObject({
      instance: `127.0.0.1:${tcp.port}`,
      module: "tcp_connect",
      customer: customerName,
      contract: contract.number,
      server: "db01.example.jp",
    });
    expect(new URL(tcpT.scrapeUrl).searchParams.get("module")).toBe("tcp_connect");
    expect(tcpT.discoveredLabels.__param_module).toBe("tcp_connect");

    // The probes themselves succeeded, as Prometheus recorded them.
    const success = await waitFor(
      async () => {
        const r = await promQuery(prom, 'probe_success{job="unyo-blackbox"}');
        return r.length === 2 ? r : undefined;
      },
      30_000,
      async () => `probe_success for both\n${await diagnosis()}`,
    );
    expect(success.map((s) => [s.metric.instance, s.value[1]]).sort()).toEqual(
      instances.map((i) => [i, "1"]),
    );
    // Prometheus → blackbox → target: the exporter really asked the site and connected to the port,
    // and never touched the paused check's page.
    expect(site.hits.get("/health")?.length).toBeGreaterThanOrEqual(1);
    const healthAgents = new Set(
      site.requests.filter((r) => r.path === "/health").map((r) => r.headers["user-agent"]),
    );
    expect([...healthAgents]).toEqual([expect.stringMatching(/^Blackbox Exporter\//)]);
    expect(tcp.accepted()).toBeGreaterThanOrEqual(1);
    expect(site.hits.has("/paused")).toBe(false);

    // ---- pausing the HTTP check drops its target from Prometheus ----
    const pause = await staff.req("POST", `/api/v1/checks/${httpCheck.id}/pause`, { reason: "manual" });
    expect(pause.status, JSON.stringify(pause.json)).toBe(200);
    const after = await (await fetch(`${unyoUrl}${DISCOVERY}`, { headers: bearer })).json();
    expect(after.map((g: { targets: string[] }) => g.targets)).toEqual([[`127.0.0.1:${tcp.port}`]]);
    const left = await waitFor(
      async () => {
        const ts = await promTargets(prom);
        return ts.length === 1 ? ts : undefined;
      },
      30_000,
      async () => `the paused target to be dropped\n${await diagnosis()}`,
    );
    expect(left[0]!.labels.instance).toBe(`127.0.0.1:${tcp.port}`);
    expect(left[0]!.health).toBe("up");
    // Its series ends (a staleness marker), so a query now sees only the TCP probe.
    const stale = await waitFor(
      async () => {
        const r = await promQuery(prom, 'probe_success{job="unyo-blackbox"}');
        return r.length === 1 ? r : undefined;
      },
      10_000,
      async () => `the paused target's series to end\n${await diagnosis()}`,
    );
    expect(stale[0]!.metric.instance).toBe(`127.0.0.1:${tcp.port}`);
  }, 90_000);
});
