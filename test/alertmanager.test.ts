/**
 * Alert ingestion from the real thing: Debian's Prometheus Alertmanager notifies Unyo's
 * `/ingest/v1/alertmanager` (webhook v4, the integration's bearer token) over loopback. Alerts go in
 * through Alertmanager's API v2 and amtool, as Prometheus and an operator would send them; Unyo opens
 * one incident per alert on the customer's server and closes it when Alertmanager sends the resolution.
 * A clustered pair, both sent every alert (as Prometheus does for HA), notifies Unyo twice: the copies
 * change nothing. Every notification passes through a recording relay in front of Unyo, so the test
 * counts what Alertmanager actually sent and what Unyo answered.
 */
import { execFile } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildContract, buildUser, type Client, login, type TestEnv, testApp } from "./helpers.ts";
import { type AlertmanagerPeer, AMTOOL_BIN, startAlertmanager, waitFor } from "./peers.ts";

const execFileP = promisify(execFile);

let env: TestEnv;
let op: Client;
let unyoUrl: string;

beforeAll(async () => {
  env = await testApp();
  // Alertmanager reaches Unyo over HTTP, so the app listens on a real port.
  await env.app.listen({ port: 0, host: "127.0.0.1" });
  const a = env.app.server.address();
  if (!a || typeof a !== "object") throw new Error("the app is not listening");
  unyoUrl = `http://127.0.0.1:${a.port}`;
  const u = await buildUser(env.db, { role: "operator" });
  op = await login(env.app, u.loginId, u.password);
});

afterAll(async () => {
  await env?.close();
});

interface AmAlertSent {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}
interface Notification {
  at: number;
  authorization: string | undefined;
  body: {
    version: string;
    groupKey: string;
    truncatedAlerts: number;
    status: "firing" | "resolved";
    receiver: string;
    groupLabels: Record<string, string>;
    alerts: AmAlertSent[];
  } & Record<string, unknown>;
  status: number;
  answer: { received: number; recorded: number; duplicates: number; opened: number; resolved: number };
}

/**
 * A relay in front of Unyo that records each notification (its body) and Unyo's answer, in order of
 * arrival. Nothing is changed on the way.
 */
async function relay() {
  const seen: Notification[] = [];
  const server = http.createServer((req, res) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks);
      try {
        const r = await fetch(`${unyoUrl}${req.url}`, {
          method: req.method,
          headers: {
            "content-type": req.headers["content-type"] ?? "application/json",
            ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          },
          body: raw,
        });
        const text = await r.text();
        seen.push({
          at,
          authorization: req.headers.authorization,
          body: JSON.parse(raw.toString("utf8")),
          status: r.status,
          answer: JSON.parse(text),
        });
        res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
        res.end(text);
      } catch (err) {
        res.writeHead(502);
        res.end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const a = server.address();
  const port = typeof a === "object" && a ? a.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const servers = [{ hostname: "web01.example.jp", provider: "aws" as const, role: "web" }];

/** A customer with a contract, its server registered in the inventory, and an Alertmanager integration. */
async function customerSetup() {
  const c = await buildContract(env.db, { start: "2026-01-01", plan: "standard", servers });
  const from = await op.req("POST", `/api/v1/contracts/${c.id}/inventory/from-contract`);
  expect(from.status, JSON.stringify(from.json)).toBe(200);
  const inv = await op.req("GET", `/api/v1/contracts/${c.id}/inventory`);
  const item = (inv.json.registered as { id: string; name: string }[]).find(
    (i) => i.name === "web01.example.jp",
  )!;
  const r = await op.req("POST", `/api/v1/customers/${c.customerId}/integrations`, {
    kind: "alertmanager",
    name: "Alertmanager 本番",
    defaultSeverity: "critical",
  });
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  const ig = r.json as { id: string; token: string; path: string };
  expect(ig.path).toBe("/ingest/v1/alertmanager");
  return { ...c, itemId: item.id, ig };
}

interface PostedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

async function postAlerts(am: AlertmanagerPeer, alerts: PostedAlert[]) {
  const r = await fetch(`${am.url}/api/v2/alerts`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(alerts.map((a) => ({ ...a, generatorURL: "http://prometheus.example.jp/graph" }))),
  });
  if (r.status !== 200) throw new Error(`POST ${am.url}/api/v2/alerts: ${r.status} ${await r.text()}`);
}

/** amtool, as an operator runs it against an Alertmanager. */
async function amtool(am: AlertmanagerPeer, args: string[]) {
  try {
    return await execFileP(AMTOOL_BIN, [`--alertmanager.url=${am.url}/`, ...args], { timeout: 10_000 });
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT")
      throw new Error(
        `${AMTOOL_BIN} is missing: install Debian's prometheus-alertmanager package (apt-get install --no-install-recommends prometheus-alertmanager)`,
      );
    throw err;
  }
}

/** The alerts an Alertmanager holds, by alertname: their fingerprints and state. */
async function amAlerts(am: AlertmanagerPeer) {
  const r = await fetch(`${am.url}/api/v2/alerts`);
  const list = (await r.json()) as {
    fingerprint: string;
    labels: Record<string, string>;
    startsAt: string;
    endsAt: string;
    status: { state: string };
  }[];
  return new Map(list.map((a) => [a.labels.alertname!, a]));
}

const incidentsOf = (customerId: string) =>
  env.db
    .selectFrom("incidents")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("number")
    .execute();

const alertsOf = (integrationId: string) =>
  env.db.selectFrom("alerts").selectAll().where("integration_id", "=", integrationId).execute();

/** Milliseconds to an RFC 3339 instant (Alertmanager's API takes any fraction; amtool too). */
const iso = (ms: number) => new Date(ms).toISOString();
/** Whole seconds, for amtool's --start/--end (RFC 3339 as Go's time.RFC3339 reads it). */
const isoSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

const sum = (ns: Notification[], k: keyof Notification["answer"]) => ns.reduce((s, n) => s + n.answer[k], 0);

describe("Alertmanager notifying Unyo (real prometheus-alertmanager)", () => {
  it("one Alertmanager: alerts from its API and from amtool open one incident each on the server, and their resolution closes them", async () => {
    const c = await customerSetup();
    const hook = await relay();
    let am: AlertmanagerPeer | undefined;
    try {
      am = await startAlertmanager({
        webhookUrl: `${hook.url}${c.ig.path}`,
        token: c.ig.token,
        clusterListen: null,
      });
      const peer = am;
      const diagnosis = async () =>
        `notifications: ${JSON.stringify(hook.seen, null, 1).slice(0, 6000)}\n` +
        `incidents: ${JSON.stringify(await incidentsOf(c.customerId))}\nAlertmanager output:\n${peer.tail()}`;

      // ---- fire: two alerts through API v2 (as Prometheus posts them), one with amtool ----
      const startsAt = Date.now() - 30_000;
      const viaApi: PostedAlert[] = [
        {
          labels: { alertname: "HostDown", instance: "web01.example.jp:9100", severity: "critical" },
          annotations: { summary: "web01 is down" },
          startsAt: iso(startsAt),
        },
        {
          labels: { alertname: "ProbeFailed", instance: "web01.example.jp:9115", severity: "critical" },
          annotations: { summary: "web01 does not answer HTTP" },
          startsAt: iso(startsAt + 1234),
        },
      ];
      await postAlerts(am, viaApi);
      const amtoolStart = isoSeconds(startsAt + 5000);
      const amtoolLabels = ["alertname=DiskFull", "instance=web01.example.jp:9100", "severity=critical"];
      await amtool(am, [
        "alert",
        "add",
        ...amtoolLabels,
        "--annotation=summary=web01 / is 95% full",
        `--start=${amtoolStart}`,
      ]);
      const held = await amAlerts(am);
      expect([...held.keys()].sort()).toEqual(["DiskFull", "HostDown", "ProbeFailed"]);
      const fingerprints = [...held.values()].map((a) => a.fingerprint).sort();

      const opened = await waitFor(
        async () => {
          const list = await incidentsOf(c.customerId);
          return list.length === 3 ? list : undefined;
        },
        15_000,
        diagnosis,
      );
      expect(opened.map((i) => i.dedupe_key).sort()).toEqual(
        fingerprints.map((fp) => `alert:${c.ig.id}:${fp}`).sort(),
      );
      for (const i of opened) {
        expect(i).toMatchObject({
          status: "open",
          item_id: c.itemId,
          contract_id: c.id,
          integration_id: c.ig.id,
          severity: "critical",
          signals: 1,
          firing: 1,
          restored_at: null,
        });
      }
      expect(opened.map((i) => i.title).sort()).toEqual([
        "web01 / is 95% full",
        "web01 does not answer HTTP",
        "web01 is down",
      ]);
      // Opened when the alert started (Alertmanager passes Prometheus' startsAt through).
      const byName = new Map((await alertsOf(c.ig.id)).map((a) => [a.name, a]));
      expect(byName.get("HostDown")?.starts_at.toISOString()).toBe(iso(startsAt));
      expect(byName.get("DiskFull")?.starts_at.toISOString()).toBe(new Date(amtoolStart).toISOString());

      // Nothing changes in the groups: no re-notification within repeat_interval (two group_intervals).
      await new Promise((r) => setTimeout(r, 4500));
      const firing = hook.seen.filter((n) => n.body.status === "firing");
      expect(hook.seen).toHaveLength(3);
      expect(firing.map((n) => n.body.groupLabels.alertname).sort()).toEqual([
        "DiskFull",
        "HostDown",
        "ProbeFailed",
      ]);
      for (const n of hook.seen) {
        expect(n.authorization).toBe(`Bearer ${c.ig.token}`);
        expect(n.status).toBe(200);
        expect(n.body).toMatchObject({ version: "4", receiver: "unyo", truncatedAlerts: 0 });
        expect(n.body.alerts).toHaveLength(1);
        expect(n.answer).toMatchObject({ received: 1, recorded: 1, duplicates: 0, opened: 1 });
      }
      expect(await incidentsOf(c.customerId)).toHaveLength(3);

      // ---- resolve: the same alerts ending now (API v2), and amtool's with --end ----
      const endsAt = Date.now();
      await postAlerts(
        am,
        viaApi.map((a) => ({ ...a, endsAt: iso(endsAt) })),
      );
      const amtoolEnd = isoSeconds(endsAt);
      await amtool(am, [
        "alert",
        "add",
        ...amtoolLabels,
        "--annotation=summary=web01 / is 95% full",
        `--start=${amtoolStart}`,
        `--end=${amtoolEnd}`,
      ]);
      const resolved = await waitFor(
        async () => {
          const list = await incidentsOf(c.customerId);
          return list.every((i) => i.status === "resolved") ? list : undefined;
        },
        15_000,
        diagnosis,
      );
      expect(resolved).toHaveLength(3);
      const restored = new Map(
        resolved.map((i) => [i.title, i.restored_at?.toISOString()] as [string, string | undefined]),
      );
      expect(restored.get("web01 is down")).toBe(iso(endsAt));
      expect(restored.get("web01 does not answer HTTP")).toBe(iso(endsAt));
      expect(restored.get("web01 / is 95% full")).toBe(new Date(amtoolEnd).toISOString());
      for (const i of resolved) expect(i).toMatchObject({ firing: 0, signals: 1, resolved_by: null });
      const rows = await alertsOf(c.ig.id);
      expect(rows).toHaveLength(3);
      expect(rows.every((a) => a.status === "resolved" && a.ends_at !== null)).toBe(true);

      // Six notifications in all: each group once firing, once resolved.
      await new Promise((r) => setTimeout(r, 2500));
      const done = hook.seen.filter((n) => n.body.status === "resolved");
      expect(hook.seen, await diagnosis()).toHaveLength(6);
      expect(done.map((n) => n.answer)).toEqual(
        Array.from({ length: 3 }, () => ({
          received: 1,
          recorded: 0,
          duplicates: 0,
          opened: 0,
          joined: 0,
          resolved: 1,
        })),
      );
      for (const n of done) expect(n.body.alerts[0]).toMatchObject({ status: "resolved" });
    } finally {
      await am?.stop();
      await hook.close();
    }
  }, 60_000);

  it("a clustered pair, both sent every alert: both notify, Unyo keeps one incident per alert and resolves each once", async () => {
    const c = await customerSetup();
    const hook = await relay();
    const peers: AlertmanagerPeer[] = [];
    try {
      const webhookUrl = `${hook.url}${c.ig.path}`;
      // peer-timeout 0s: the second peer does not wait for the first one's notification log to arrive
      // by gossip, as when the peers are slow to gossip: both notify.
      const a = await startAlertmanager({
        webhookUrl,
        token: c.ig.token,
        clusterPeers: [],
        peerTimeout: "0s",
      });
      peers.push(a);
      const b = await startAlertmanager({
        webhookUrl,
        token: c.ig.token,
        clusterPeers: [a.clusterAddress!],
        peerTimeout: "0s",
      });
      peers.push(b);
      const diagnosis = async () =>
        `notifications: ${JSON.stringify(hook.seen, null, 1).slice(0, 6000)}\n` +
        `incidents: ${JSON.stringify(await incidentsOf(c.customerId))}\n` +
        peers.map((p, n) => `Alertmanager ${n} output:\n${p.tail()}`).join("\n");

      // The pair has found each other and settled.
      for (const p of peers)
        await waitFor(
          async () => {
            const s = (await (await fetch(`${p.url}/api/v2/status`)).json()) as {
              cluster: { status: string; peers: { address: string }[] };
            };
            return s.cluster.status === "ready" && s.cluster.peers.length === 2;
          },
          20_000,
          diagnosis,
        );

      const startsAt = Date.now() - 20_000;
      const alerts: PostedAlert[] = [
        {
          labels: { alertname: "HostDown", instance: "web01.example.jp:9100", severity: "critical" },
          annotations: { summary: "web01 is down" },
          startsAt: iso(startsAt),
        },
        {
          labels: { alertname: "MemoryPressure", instance: "web01.example.jp:9100", severity: "critical" },
          annotations: { summary: "web01 is swapping" },
          startsAt: iso(startsAt + 500),
        },
      ];
      // As Prometheus does: every alert to every peer.
      await Promise.all(peers.map((p) => postAlerts(p, alerts)));

      // Both peers notify (each with its own copy), and after that nothing more (the log is shared).
      await waitFor(() => hook.seen.length >= 2 * alerts.length, 15_000, diagnosis);
      // Three more group_intervals: neither peer notifies again (the notification log is gossiped).
      await new Promise((r) => setTimeout(r, 6500));
      const fired = [...hook.seen];
      expect(fired.every((n) => n.status === 200 && n.body.status === "firing")).toBe(true);
      expect(fired.length, await diagnosis()).toBeGreaterThan(alerts.length);
      expect(sum(fired, "received")).toBe(fired.length);
      expect(sum(fired, "opened")).toBe(alerts.length);
      expect(sum(fired, "recorded")).toBe(alerts.length);
      expect(sum(fired, "duplicates")).toBe(fired.length - alerts.length);

      const held = await amAlerts(a);
      const fingerprints = [...held.values()].map((x) => x.fingerprint).sort();
      expect([...(await amAlerts(b)).values()].map((x) => x.fingerprint).sort()).toEqual(fingerprints);
      const open = await incidentsOf(c.customerId);
      expect(open.map((i) => i.dedupe_key).sort()).toEqual(
        fingerprints.map((fp) => `alert:${c.ig.id}:${fp}`).sort(),
      );
      for (const i of open)
        expect(i).toMatchObject({ status: "open", item_id: c.itemId, signals: 1, firing: 1 });
      const rows = await alertsOf(c.ig.id);
      expect(rows.map((r) => `${r.fingerprint}@${r.starts_at.toISOString()}`).sort()).toEqual(
        [...held.values()].map((x) => `${x.fingerprint}@${new Date(x.startsAt).toISOString()}`).sort(),
      );

      // ---- resolve through both peers ----
      const endsAt = Date.now();
      await Promise.all(
        peers.map((p) =>
          postAlerts(
            p,
            alerts.map((x) => ({ ...x, endsAt: iso(endsAt) })),
          ),
        ),
      );
      await waitFor(
        async () => (await incidentsOf(c.customerId)).every((i) => i.status === "resolved"),
        15_000,
        diagnosis,
      );
      await new Promise((r) => setTimeout(r, 4500));
      const ended = hook.seen.slice(fired.length);
      expect(ended.every((n) => n.status === 200 && n.body.status === "resolved")).toBe(true);
      expect(ended.length, await diagnosis()).toBeGreaterThanOrEqual(alerts.length);
      expect(sum(ended, "resolved")).toBe(alerts.length);
      expect(sum(ended, "opened") + sum(ended, "recorded")).toBe(0);
      const closed = await incidentsOf(c.customerId);
      expect(closed).toHaveLength(alerts.length);
      for (const i of closed)
        expect(i).toMatchObject({ status: "resolved", signals: 1, firing: 0, restored_at: new Date(endsAt) });
      expect(await alertsOf(c.ig.id)).toHaveLength(alerts.length);
    } finally {
      for (const p of peers.reverse()) await p.stop();
      await hook.close();
    }
  }, 60_000);
});
