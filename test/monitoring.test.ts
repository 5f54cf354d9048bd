/**
 * Monitoring end to end on a real PostgreSQL: the inventory (Art. 4) with its CSV round trip and
 * tenancy, checks run by a real probe against loopback targets (state, history, roll-ups), pauses
 * recorded with their article, push checks, the status page, and Prometheus discovery's answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Probe } from "../src/monitoring/probe/probe.ts";
import { buildContract, buildUser, type Client, login, type TestEnv, testApp } from "./helpers.ts";
import { closedPort, httpTarget, tcpTarget } from "./targets.ts";

let env: TestEnv;
let staff: Client;
beforeAll(async () => {
  env = await testApp();
  const u = await buildUser(env.db, { role: "engineer" });
  staff = await login(env.app, u.loginId, u.password);
});
afterAll(async () => env?.close());

const servers = [
  { hostname: "web01.example.jp", provider: "aws" as const, role: "web", os: "Ubuntu 22.04" },
  { hostname: "DB01.example.jp", provider: "aws" as const, role: "db", os: "AlmaLinux 9.4" },
];

async function customerWithContract() {
  const c = await buildContract(env.db, { start: "2026-10-01", options: ["backup"], servers });
  const admin = await buildUser(env.db, { role: "customer-admin", customerId: c.customerId });
  const customer = await login(env.app, admin.loginId, admin.password);
  return { ...c, customer };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("inventory (Art. 4)", () => {
  it("registers the contract's servers, refuses others citing Art. 20(2), and shows each customer only its own", async () => {
    const a = await customerWithContract();
    const b = await customerWithContract();
    const before = await staff.req("GET", `/api/v1/contracts/${a.id}/inventory`);
    expect(before.json.unregistered).toEqual(["web01.example.jp", "DB01.example.jp"]);
    const all = await staff.req("POST", `/api/v1/contracts/${a.id}/inventory/from-contract`);
    expect(all.json).toEqual({ created: 2, updated: 0 });
    const after = await staff.req("GET", `/api/v1/contracts/${a.id}/inventory`);
    expect(after.json.unregistered).toEqual([]);
    const db01 = after.json.registered.find((i: { name: string }) => i.name === "DB01.example.jp");
    expect(db01).toMatchObject({
      osFamily: "almalinux",
      osVersion: "9.4",
      role: "db",
      onContract: true,
      plan: "standard",
    });
    // Again: nothing more (host names compare case-insensitively).
    expect((await staff.req("POST", `/api/v1/contracts/${a.id}/inventory/from-contract`)).json.created).toBe(
      0,
    );
    const stranger = await staff.req("POST", `/api/v1/contracts/${a.id}/inventory`, {
      name: "mail01.example.jp",
      provider: "aws",
    });
    expect(stranger.status).toBe(400);
    expect(stranger.json.error).toMatchObject({ article: "20(2)", details: { name: ["not_on_contract"] } });
    const option = await staff.req("POST", `/api/v1/contracts/${a.id}/inventory`, {
      kind: "cloud_resource",
      name: "rds-main",
      provider: "aws",
      options: ["patching"],
    });
    expect(option.status).toBe(400);
    expect(option.json.error.article).toBe("4");
    const rds = await staff.req("POST", `/api/v1/contracts/${a.id}/inventory`, {
      kind: "cloud_resource",
      name: "rds-main",
      provider: "aws",
      account: "123456789012",
      region: "ap-northeast-1",
      options: ["backup"],
      addresses: ["10.0.0.5"],
    });
    expect(rds.status).toBe(201);
    // The customer sees its three; the other customer sees none of them, not even by id.
    const mine = await a.customer.req("GET", "/api/v1/inventory");
    expect(mine.json.items.map((i: { name: string }) => i.name).sort()).toEqual([
      "DB01.example.jp",
      "rds-main",
      "web01.example.jp",
    ]);
    expect((await b.customer.req("GET", "/api/v1/inventory")).json.items).toEqual([]);
    expect((await b.customer.req("GET", `/api/v1/inventory/${rds.json.id}`)).status).toBe(404);
    expect((await b.customer.req("GET", `/api/v1/contracts/${a.id}/inventory`)).status).toBe(404);
    // Customers read, never write.
    expect((await a.customer.req("PATCH", `/api/v1/inventory/${rds.json.id}`, { role: "x" })).status).toBe(
      403,
    );
  });

  it("exports CSV and imports it back: changes apply, a bad line refuses the whole file naming the line", async () => {
    const a = await customerWithContract();
    await staff.req("POST", `/api/v1/contracts/${a.id}/inventory/from-contract`);
    const res = await env.app.inject({
      method: "GET",
      url: `/api/v1/contracts/${a.id}/inventory.csv`,
      headers: { cookie: staff.cookie },
    });
    expect(res.statusCode).toBe(200);
    const csv = res.body;
    expect(csv.startsWith("\uFEFFkind,name,provider")).toBe(true);
    const changed = csv.replace(
      "web01.example.jp,aws,,,,ubuntu,22.04,web",
      "web01.example.jp,aws,111122223333,ap-northeast-1,192.0.2.10 192.0.2.11,ubuntu,24.04,web",
    );
    expect(changed).not.toBe(csv);
    const imp = await env.app.inject({
      method: "POST",
      url: `/api/v1/contracts/${a.id}/inventory/import`,
      headers: { cookie: staff.cookie, "x-csrf-token": staff.csrf, "content-type": "text/csv" },
      payload: changed,
    });
    expect(imp.json()).toEqual({ created: 0, updated: 2 });
    const web = (await staff.req("GET", `/api/v1/contracts/${a.id}/inventory`)).json.registered.find(
      (i: { name: string }) => i.name === "web01.example.jp",
    );
    expect(web).toMatchObject({
      account: "111122223333",
      osVersion: "24.04",
      addresses: ["192.0.2.10", "192.0.2.11"],
    });
    const bad = `${changed.trimEnd()}\r\nserver,web01.example.jp,aws,,,999.1.1.1,,,,,\r\n`;
    const refused = await env.app.inject({
      method: "POST",
      url: `/api/v1/contracts/${a.id}/inventory/import`,
      headers: { cookie: staff.cookie, "x-csrf-token": staff.csrf, "content-type": "text/csv" },
      payload: bad,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/^line 4: addresses/);
    // Nothing of the refused file was applied.
    const again = (await staff.req("GET", `/api/v1/contracts/${a.id}/inventory`)).json.registered;
    expect(again).toHaveLength(2);
  });
});

describe("checks run by a probe", () => {
  it("records up and down with their times, pauses with the article, push checks, and the status page", async () => {
    const a = await customerWithContract();
    const web =
      (await staff.req("POST", `/api/v1/contracts/${a.id}/inventory/from-contract`)) &&
      (await staff.req("GET", `/api/v1/contracts/${a.id}/inventory`)).json.registered[0];
    const target = await httpTarget();
    const tcp = await tcpTarget();
    const closed = await closedPort();
    const mk = (body: object) =>
      staff.req("POST", "/api/v1/checks", { itemId: web.id, intervalS: 10, timeoutMs: 2000, ...body });
    const ok = await mk({ name: "site", kind: "http", settings: { url: `${target.url}/ok`, keyword: "ok" } });
    expect(ok.status).toBe(201);
    const down = await mk({ name: "admin port", kind: "tcp", settings: { host: "127.0.0.1", port: closed } });
    const port = await mk({ name: "ssh", kind: "tcp", settings: { host: "127.0.0.1", port: tcp.port } });
    const push = await mk({ name: "nightly backup", kind: "heartbeat", settings: { graceS: 0 } });
    expect(push.json.heartbeatUrl).toMatch(/^\/api\/v1\/heartbeat\/hb_/);
    const pinged = await env.app.inject({ method: "POST", url: push.json.heartbeatUrl });
    expect(pinged.statusCode).toBe(200);
    expect((await env.app.inject({ method: "POST", url: "/api/v1/heartbeat/hb_nope" })).statusCode).toBe(404);
    // A suspended contract's checks are paused (Art. 21), recorded as such.
    const susp = await buildContract(env.db, { start: "2026-10-01", status: "suspended", servers });
    await staff.req("POST", `/api/v1/contracts/${susp.id}/inventory/from-contract`);
    const suspItem = (await staff.req("GET", `/api/v1/contracts/${susp.id}/inventory`)).json.registered[0];
    const suspended = await staff.req("POST", "/api/v1/checks", {
      itemId: suspItem.id,
      name: "suspended site",
      kind: "http",
      intervalS: 10,
      timeoutMs: 2000,
      settings: { url: `${target.url}/suspended` },
    });
    const probe = new Probe({ db: env.db, flushMs: 200, renewMs: 500 });
    await probe.start();
    try {
      const state = (id: string) => staff.req("GET", `/api/v1/checks/${id}`).then((r) => r.json);
      await until("states", async () => {
        const s = await Promise.all([ok, down, port, push].map((c) => state(c.json.id)));
        return s.every((x) => x.state !== "pending") ? s : undefined;
      });
      const [sOk, sDown, sPort, sPush] = await Promise.all(
        [ok, down, port, push].map((c) => state(c.json.id)),
      );
      expect(sOk.state).toBe("up");
      expect(sPort.state).toBe("up");
      expect(sPush.state).toBe("up");
      expect(sDown).toMatchObject({ state: "down", code: "refused" });
      expect(sDown.events[0]).toMatchObject({ from: "pending", to: "down", code: "refused" });
      expect(target.hits.get("/ok")?.length).toBeGreaterThanOrEqual(1);
      const sSusp = await until("the suspended contract's check paused", async () => {
        const s = await state(suspended.json.id);
        return s.state === "paused" ? s : undefined;
      });
      expect(sSusp.events[0]).toMatchObject({
        from: "pending",
        to: "paused",
        code: "suspended",
        article: "21(1)",
      });
      expect(target.hits.get("/suspended")).toBeUndefined();
      // Paused for planned maintenance (Art. 23): recorded at its next slot with the article.
      const paused = await staff.req("POST", `/api/v1/checks/${ok.json.id}/pause`, { reason: "maintenance" });
      expect(paused.json.paused).toMatchObject({ reason: "maintenance", article: "23(1)" });
      const ev = await until("paused event", async () => {
        const s = await state(ok.json.id);
        return s.state === "paused" ? s.events[0] : undefined;
      });
      expect(ev).toMatchObject({ from: "up", to: "paused", code: "maintenance", article: "23(1)" });
      const hitsWhilePaused = target.hits.get("/ok")!.length;
      // The customer's status page: its checks' states; another customer's is not reachable.
      await probe.flush();
      const page = await a.customer.req("GET", "/api/v1/status");
      expect(page.status).toBe(200);
      expect(page.json.overall).toBe("down");
      expect(page.json.services.map((s: { name: string }) => s.name).sort()).toEqual([
        "admin port",
        "nightly backup",
        "site",
        "ssh",
      ]);
      // Minute roll-ups are written with the results: the history has a point.
      const history = await staff.req("GET", `/api/v1/checks/${port.json.id}/history?grain=m`);
      expect(history.json.points.length).toBeGreaterThanOrEqual(1);
      expect(history.json.uptime).toBe(1);
      const downHistory = await staff.req("GET", `/api/v1/checks/${down.json.id}/history?grain=m`);
      expect(downHistory.json.uptime).toBe(0);
      await new Promise((r) => setTimeout(r, 11_000));
      expect(target.hits.get("/ok")!.length).toBe(hitsWhilePaused);
    } finally {
      await probe.stop();
      await target.close();
      await tcp.close();
    }
  }, 90_000);

  it("pauses every check of a server for its emergency stop (Art. 22) and resumes them", async () => {
    const a = await customerWithContract();
    await staff.req("POST", `/api/v1/contracts/${a.id}/inventory/from-contract`);
    const item = (await staff.req("GET", `/api/v1/contracts/${a.id}/inventory`)).json.registered[0];
    for (const port of [22, 443])
      await staff.req("POST", "/api/v1/checks", {
        itemId: item.id,
        name: `port ${port}`,
        kind: "tcp",
        settings: { host: "192.0.2.1", port },
      });
    const paused = await staff.req("POST", `/api/v1/inventory/${item.id}/pause`, {
      reason: "emergency_stop",
      note: "heavy load",
    });
    expect(paused.json).toEqual({ changed: 2 });
    const list = (await staff.req("GET", `/api/v1/checks?itemId=${item.id}`)).json.items;
    expect(list.map((c: { paused: { reason: string; article: string } }) => c.paused)).toEqual([
      expect.objectContaining({ reason: "emergency_stop", article: "22(1)" }),
      expect.objectContaining({ reason: "emergency_stop", article: "22(1)" }),
    ]);
    // The customer sees them paused too, and cannot pause anything.
    expect(
      (await a.customer.req("GET", `/api/v1/checks?itemId=${item.id}`)).json.items[0].paused.reason,
    ).toBe("emergency_stop");
    expect((await a.customer.req("POST", `/api/v1/inventory/${item.id}/resume`)).status).toBe(403);
    expect((await staff.req("POST", `/api/v1/inventory/${item.id}/resume`)).json).toEqual({ changed: 2 });
    const audit = await env.db
      .selectFrom("audit_log")
      .select(["action", "article"])
      .where("action", "in", ["check.pause", "check.resume"])
      .where("customer_id", "=", a.customerId)
      .execute();
    expect(audit.filter((x) => x.action === "check.pause").map((x) => x.article)).toEqual(["22(1)", "22(1)"]);
    expect(audit.filter((x) => x.action === "check.resume")).toHaveLength(2);
  });

  it("keeps each customer's checks, history, uptime and status page to itself", async () => {
    const a = await customerWithContract();
    const b = await customerWithContract();
    await staff.req("POST", `/api/v1/contracts/${a.id}/inventory/from-contract`);
    const item = (await staff.req("GET", `/api/v1/contracts/${a.id}/inventory`)).json.registered[0];
    const check = await staff.req("POST", "/api/v1/checks", {
      itemId: item.id,
      name: "a's site",
      kind: "icmp",
      settings: { host: "192.0.2.1" },
    });
    expect((await a.customer.req("GET", `/api/v1/checks/${check.json.id}`)).json.settings).toBeNull();
    expect((await b.customer.req("GET", `/api/v1/checks/${check.json.id}`)).status).toBe(404);
    expect((await b.customer.req("GET", `/api/v1/checks/${check.json.id}/history?grain=d`)).status).toBe(404);
    expect((await b.customer.req("GET", "/api/v1/checks")).json.items).toEqual([]);
    expect((await b.customer.req("GET", `/api/v1/checks?customerId=${a.customerId}`)).json.items).toEqual([]);
    const status = await b.customer.req("GET", `/api/v1/status?customerId=${a.customerId}`);
    expect(status.json.services).toEqual([]);
    expect(
      (await b.customer.req("GET", `/api/v1/customers/${a.customerId}/monitoring-settings`)).json.publicUrl,
    ).toBeNull();
    // A public page only once published, at an unguessable URL; withdrawn, it is gone.
    const published = await staff.req("PUT", `/api/v1/customers/${a.customerId}/status-page`, {
      enabled: true,
    });
    expect(published.json.publicUrl).toMatch(/^\/status\/[A-Za-z0-9_-]{32}$/);
    const token = published.json.publicUrl.split("/")[2];
    const page = await env.app.inject({ method: "GET", url: `/api/v1/public/status/${token}` });
    expect(page.statusCode).toBe(200);
    expect(page.json().services[0]).toMatchObject({ name: "a's site", itemName: "" });
    expect(
      (await b.customer.req("PUT", `/api/v1/customers/${a.customerId}/status-page`, { enabled: false }))
        .status,
    ).toBe(403);
    await staff.req("PUT", `/api/v1/customers/${a.customerId}/status-page`, { enabled: false });
    expect((await env.app.inject({ method: "GET", url: `/api/v1/public/status/${token}` })).statusCode).toBe(
      404,
    );
  });

  it("refuses a check whose timeout and retries do not fit its interval, and unknown kinds", async () => {
    const a = await customerWithContract();
    await staff.req("POST", `/api/v1/contracts/${a.id}/inventory/from-contract`);
    const item = (await staff.req("GET", `/api/v1/contracts/${a.id}/inventory`)).json.registered[0];
    const tooLong = await staff.req("POST", "/api/v1/checks", {
      itemId: item.id,
      name: "slow",
      kind: "tcp",
      intervalS: 10,
      timeoutMs: 6000,
      retries: 1,
      settings: { host: "127.0.0.1", port: 22 },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.json.error.details).toEqual({ timeoutMs: ["exceeds_interval"] });
    const kind = await staff.req("POST", "/api/v1/checks", {
      itemId: item.id,
      name: "x",
      kind: "smtp",
      settings: {},
    });
    expect(kind.status).toBe(400);
    const interval = await staff.req("POST", "/api/v1/checks", {
      itemId: item.id,
      name: "x",
      kind: "icmp",
      intervalS: 5,
      settings: { host: "127.0.0.1" },
    });
    expect(interval.status).toBe(400);
    // A customer cannot add one.
    expect(
      (
        await a.customer.req("POST", "/api/v1/checks", {
          itemId: item.id,
          name: "x",
          kind: "icmp",
          settings: { host: "127.0.0.1" },
        })
      ).status,
    ).toBe(403);
  });
});
