/**
 * Incidents end to end on a real PostgreSQL: alert ingestion (Alertmanager v4, Zabbix, generic) with
 * deduplication per fingerprint and startsAt under concurrent copies, check failures opening and
 * restoring incidents through the engine, paging by the escalation policy and the on-call schedule,
 * acknowledgement, corrections with a reason, maintenance windows (Art. 23) muting paging, the
 * calendar feed, and the SLA chain: an outage of 7 hours becomes the credit on the next invoice.
 */
import { createHmac } from "node:crypto";
import ICAL from "ical.js";
import { sql } from "kysely";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBilling } from "../src/billing/runs.ts";
import { tick } from "../src/incidents/engine.ts";
import { recordStateChanges } from "../src/monitoring/store/checks.ts";
import {
  buildContract,
  buildUser,
  type Client,
  invoicesOf,
  linesOf,
  login,
  type TestEnv,
  testApp,
} from "./helpers.ts";

let env: TestEnv;
let op: Client;
let opId: string;
let eng: Client;
let engId: string;
beforeAll(async () => {
  env = await testApp();
  const o = await buildUser(env.db, { role: "operator" });
  opId = o.id;
  op = await login(env.app, o.loginId, o.password);
  const e = await buildUser(env.db, { role: "engineer" });
  engId = e.id;
  eng = await login(env.app, e.loginId, e.password);
  // On call: the engineer, around the clock; escalate to the operator after 5 minutes.
  const sched = await op.req("POST", "/api/v1/oncall/schedules", {
    name: "一次対応",
    layers: [{ name: "24/7", start: "2026-01-05T10:00", shiftHours: 168, members: [engId] }],
  });
  expect(sched.status).toBe(201);
  const pol = await op.req("POST", "/api/v1/escalation-policies", {
    name: "標準",
    isDefault: true,
    repeat: 1,
    steps: [
      { escalateAfterMinutes: 5, targets: [{ kind: "schedule", id: sched.json.id }] },
      { escalateAfterMinutes: 10, targets: [{ kind: "user", id: opId }] },
    ],
  });
  expect(pol.status).toBe(201);
});
afterAll(async () => env?.close());

const servers = [{ hostname: "web01.example.jp", provider: "aws" as const, role: "web" }];

async function customerSetup(plan: "basic" | "standard" = "standard") {
  const c = await buildContract(env.db, { start: "2026-01-01", plan, servers });
  const admin = await buildUser(env.db, { role: "customer-admin", customerId: c.customerId });
  const customer = await login(env.app, admin.loginId, admin.password);
  await op.req("POST", `/api/v1/contracts/${c.id}/inventory/from-contract`);
  const inv = await op.req("GET", `/api/v1/contracts/${c.id}/inventory`);
  const itemId = inv.json.registered[0].id as string;
  return { ...c, customer, admin, itemId };
}

async function integration(customerId: string, kind: "alertmanager" | "zabbix" | "generic", signed = false) {
  const r = await op.req("POST", `/api/v1/customers/${customerId}/integrations`, {
    kind,
    name: `${kind} 本番`,
    defaultSeverity: "critical",
    signed,
  });
  expect(r.status).toBe(201);
  return r.json as { id: string; token: string; secret: string | null; path: string };
}

function post(path: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  return env.app.inject({
    method: "POST",
    url: path,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function amPayload(
  status: "firing" | "resolved",
  alerts: { fp: string; startsAt: string; endsAt?: string; host?: string; name?: string }[],
) {
  return {
    version: "4",
    groupKey: '{}:{alertname="HostDown"}',
    truncatedAlerts: 0,
    status,
    receiver: "unyo",
    groupLabels: { alertname: "HostDown" },
    commonLabels: { alertname: "HostDown" },
    commonAnnotations: {},
    externalURL: "http://alertmanager:9093",
    alerts: alerts.map((a) => ({
      status,
      labels: {
        alertname: a.name ?? "HostDown",
        instance: `${a.host ?? "web01.example.jp"}:9100`,
        severity: "critical",
      },
      annotations: { summary: `${a.host ?? "web01"} is down` },
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus:9090/graph",
      fingerprint: a.fp,
    })),
  };
}

const incidentsOf = (customerId: string) =>
  env.db
    .selectFrom("incidents")
    .selectAll()
    .where("customer_id", "=", customerId)
    .orderBy("number")
    .execute();

describe("alert ingestion (Alertmanager webhook v4)", () => {
  it("opens one incident per alert however many peers re-send the group, and resolves it when all is quiet", async () => {
    const c = await customerSetup();
    const ig = await integration(c.customerId, "alertmanager");
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const firing = amPayload("firing", [
      { fp: "aaaa000000000001", startsAt },
      { fp: "aaaa000000000002", startsAt, name: "DiskFull" },
    ]);
    // Three HA peers, each re-sending the group three times, all at once.
    const copies = await Promise.all(Array.from({ length: 9 }, () => post(ig.path, ig.token, firing)));
    for (const r of copies) expect(r.statusCode).toBe(200);
    const totals = copies
      .map((r) => r.json())
      .reduce(
        (s, j) => ({
          recorded: s.recorded + j.recorded,
          opened: s.opened + j.opened,
          duplicates: s.duplicates + j.duplicates,
        }),
        { recorded: 0, opened: 0, duplicates: 0 },
      );
    expect(totals).toEqual({ recorded: 2, opened: 2, duplicates: 16 });
    let list = await incidentsOf(c.customerId);
    expect(list).toHaveLength(2);
    expect(list.every((i) => i.status === "open" && i.item_id === c.itemId && i.contract_id === c.id)).toBe(
      true,
    );
    expect(list.map((i) => i.firing)).toEqual([1, 1]);
    // Resolved: one of them; then the other with its own end time.
    // Restored after Unyo received it (a restoration is never before awareness, Art. 30(4)).
    await new Promise((r) => setTimeout(r, 20));
    const end1 = new Date().toISOString();
    const r1 = await post(
      ig.path,
      ig.token,
      amPayload("resolved", [{ fp: "aaaa000000000001", startsAt, endsAt: end1 }]),
    );
    expect(r1.json()).toMatchObject({ resolved: 1, recorded: 0 });
    // A late copy of the firing group changes nothing (the occurrence is known).
    const late = await post(ig.path, ig.token, firing);
    expect(late.json()).toMatchObject({ recorded: 0, opened: 0, duplicates: 2 });
    list = await incidentsOf(c.customerId);
    const first = list.find((i) => i.dedupe_key.endsWith("aaaa000000000001"))!;
    expect(first.status).toBe("resolved");
    expect(first.restored_at?.toISOString()).toBe(new Date(end1).toISOString());
    expect(list.filter((i) => i.status === "open")).toHaveLength(1);
    // The same fingerprint firing again (a new startsAt) is a new incident.
    const again = await post(
      ig.path,
      ig.token,
      amPayload("firing", [{ fp: "aaaa000000000001", startsAt: new Date().toISOString() }]),
    );
    expect(again.json()).toMatchObject({ opened: 1 });
    expect(await incidentsOf(c.customerId)).toHaveLength(3);
  });

  it("a copy racing a request that recorded the same occurrence (its incident already resolved) answers 200 and opens nothing", async () => {
    const c = await customerSetup();
    const ig = await integration(c.customerId, "alertmanager");
    const startsAt = new Date(Date.now() - 60_000);
    // Another request, still uncommitted: it recorded the occurrence and its incident is resolved.
    const other = new pg.Client({ connectionString: env.url });
    await other.connect();
    await other.query("BEGIN");
    const i1 = await other.query(
      `INSERT INTO incidents (dedupe_key, customer_id, integration_id, title, severity, status, opened_at, aware_at,
         restored_at, resolved_at, attribution, cause, outage, last_signal_at)
       VALUES ($1, $2, $3, 'HostDown', 'critical', 'resolved', $4, $4, now(), now(), 'provider', 'failure', true, $4)
       RETURNING id`,
      [`alert:${ig.id}:fp-race`, c.customerId, ig.id, startsAt],
    );
    await other.query(
      `INSERT INTO alerts (integration_id, fingerprint, starts_at, customer_id, status, ends_at, name, labels,
         annotations, incident_id, received_at, last_seen_at)
       VALUES ($1, 'fp-race', $2, $3, 'resolved', now(), 'HostDown', '{}', '{}', $4, now(), now())`,
      [ig.id, startsAt, c.customerId, i1.rows[0].id],
    );
    const copy = post(
      ig.path,
      ig.token,
      amPayload("firing", [{ fp: "fp-race", startsAt: startsAt.toISOString() }]),
    );
    await new Promise((r) => setTimeout(r, 500));
    await other.query("COMMIT");
    await other.end();
    const r = await copy;
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ recorded: 0, opened: 0 });
    expect((await incidentsOf(c.customerId)).map((i) => i.status)).toEqual(["resolved"]);
  });

  it("refuses a wrong token (401), another integration's format (400), and a payload that is not v4 (400, naming the field)", async () => {
    const c = await customerSetup();
    const ig = await integration(c.customerId, "alertmanager");
    const body = amPayload("firing", [{ fp: "bbbb000000000001", startsAt: new Date().toISOString() }]);
    const bad = await post(ig.path, "unyo_ing_nope", body);
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe("unauthenticated");
    expect((await post("/ingest/v1/zabbix", ig.token, body)).statusCode).toBe(400);
    const v3 = await post(ig.path, ig.token, { ...body, version: "3" });
    expect(v3.statusCode).toBe(400);
    expect(v3.json().error.details.some((d: { path: string }) => d.path === "version")).toBe(true);
    const notJson = await post(ig.path, ig.token, "{not json");
    expect(notJson.statusCode).toBe(400);
    expect(await incidentsOf(c.customerId)).toHaveLength(0);
    // Disabled: refused.
    await op.req("POST", `/api/v1/integrations/${ig.id}/disable`);
    await new Promise((r) => setTimeout(r, 5_100));
    expect((await post(ig.path, ig.token, body)).statusCode).toBe(401);
  });

  it("a signed integration needs a valid X-Unyo-Signature", async () => {
    const c = await customerSetup();
    const ig = await integration(c.customerId, "generic", true);
    const body = JSON.stringify({
      alerts: [
        {
          key: "disk-web01",
          status: "firing",
          title: "Disk 95%",
          startsAt: new Date().toISOString(),
          host: "web01.example.jp",
          severity: "warning",
        },
      ],
    });
    expect((await post(ig.path, ig.token, body)).statusCode).toBe(401);
    const t = Math.floor(Date.now() / 1000);
    const sig = createHmac("sha256", ig.secret!).update(`${t}.${body}`).digest("hex");
    expect(
      (await post(ig.path, ig.token, body, { "x-unyo-signature": `t=${t},v1=${"0".repeat(64)}` })).statusCode,
    ).toBe(401);
    const ok = await post(ig.path, ig.token, body, { "x-unyo-signature": `t=${t},v1=${sig}` });
    expect(ok.statusCode).toBe(200);
    const [inc] = await incidentsOf(c.customerId);
    // "warning" is a minor incident: not a complete unavailability.
    expect(inc).toMatchObject({ severity: "minor", outage: false, item_id: c.itemId });
  });

  it("reads Zabbix problem and recovery events of one problem into one incident", async () => {
    const c = await customerSetup();
    const ig = await integration(c.customerId, "zabbix");
    const problem = {
      event_id: "4711",
      event_value: "1",
      event_name: "Zabbix agent is not available",
      event_severity: "High",
      host: "web01.example.jp",
      event_date: "2026.12.01",
      event_time: "09:00:00",
      trigger_id: "13491",
    };
    expect((await post(ig.path, ig.token, problem)).json()).toMatchObject({ opened: 1 });
    expect((await post(ig.path, ig.token, problem)).json()).toMatchObject({ opened: 0, duplicates: 1 });
    const rec = await post(ig.path, ig.token, {
      ...problem,
      event_value: "0",
      event_recovery_date: "2026.12.01",
      event_recovery_time: "09:30:00",
    });
    expect(rec.json()).toMatchObject({ resolved: 1 });
    const [inc] = await incidentsOf(c.customerId);
    expect(inc).toMatchObject({ severity: "critical", status: "resolved" });
    expect(inc!.opened_at.toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(inc!.restored_at!.getTime()).toBeGreaterThanOrEqual(inc!.aware_at.getTime());
  });
});

async function checkOf(c: { id: string; itemId: string }) {
  const r = await op.req("POST", "/api/v1/checks", {
    itemId: c.itemId,
    name: "トップページ",
    kind: "http",
    intervalS: 60,
    settings: { url: "http://127.0.0.1:9/", method: "GET" },
  });
  expect(r.status).toBe(201);
  return r.json.id as string;
}

async function stateChange(c: { customerId: string }, checkId: string, to: "down" | "up", at: Date) {
  await env.db.transaction().execute((tx) =>
    recordStateChanges(tx, [
      {
        checkId,
        customerId: c.customerId,
        at,
        from: to === "down" ? "up" : "down",
        to,
        code: to === "down" ? "connect_refused" : null,
        message: to === "down" ? "connection refused" : null,
        article: null,
      },
    ]),
  );
}

describe("check failures, paging and the SLA chain (Art. 30(4), 36)", () => {
  it("a check down for 7 hours → incident → page → acknowledged → restored → period → credit on the next invoice", async () => {
    const c = await customerSetup();
    const checkId = await checkOf(c);
    const downAt = new Date(Date.now() - 7 * 3_600_000 - 60_000);
    await stateChange(c, checkId, "down", downAt);
    const t1 = await tick(env);
    expect(t1.events).toBeGreaterThanOrEqual(1);
    const [inc] = await incidentsOf(c.customerId);
    expect(inc).toMatchObject({ status: "open", severity: "critical", outage: true, check_id: checkId });
    expect(inc!.aware_at.toISOString()).toBe(downAt.toISOString());
    // The on-call engineer was paged by e-mail (the outbox), the customer told (Art. 43).
    const pages = await env.db.selectFrom("pages").selectAll().where("incident_id", "=", inc!.id).execute();
    expect(pages.map((p) => [p.user_id, p.step])).toEqual([[engId, 0]]);
    const topics = await env.db
      .selectFrom("notices")
      .innerJoin("notice_deliveries", "notice_deliveries.notice_id", "notices.id")
      .select(["notices.topic", "notice_deliveries.email", "notice_deliveries.customer_id"])
      .where("notices.subject", "like", `%INC-${inc!.number} %`)
      .execute();
    expect(topics.map((t) => t.topic).sort()).toEqual(["incident.opened", "incident.page"]);
    expect(topics.find((t) => t.topic === "incident.opened")!.customer_id).toBe(c.customerId);
    // Nobody acknowledges: after 5 minutes step 2 pages the operator.
    await sql`UPDATE incidents SET next_escalation_at = now() WHERE id = ${inc!.id}`.execute(env.db);
    await tick(env);
    const pages2 = await env.db
      .selectFrom("pages")
      .select(["user_id", "step"])
      .where("incident_id", "=", inc!.id)
      .execute();
    expect(pages2.map((p) => p.user_id).sort()).toEqual([engId, opId].sort());
    // The engineer acknowledges: paging stops.
    const ack = await eng.req("POST", `/api/v1/incidents/${inc!.id}/acknowledge`);
    expect(ack.status).toBe(200);
    expect(ack.json).toMatchObject({
      status: "acknowledged",
      staff: { nextEscalationAt: null, assigneeId: engId },
    });
    // The customer sees it, with the public timeline only.
    const seen = await c.customer.req("GET", `/api/v1/incidents/${inc!.id}`);
    expect(seen.status).toBe(200);
    expect(seen.json.staff).toBeNull();
    expect(seen.json.timeline.every((e: { public: boolean }) => e.public)).toBe(true);
    // Restored 7 hours after awareness.
    const upAt = new Date(downAt.getTime() + 7 * 3_600_000);
    await stateChange(c, checkId, "up", upAt);
    await tick(env);
    const done = await op.req("GET", `/api/v1/incidents/${inc!.id}`);
    expect(done.json).toMatchObject({ status: "resolved", restoredAt: upAt.toISOString() });
    expect(done.json.unavailability).toMatchObject({ counts: true, hours: 7, article: "30(4)" });
    const period = await env.db
      .selectFrom("unavailability_periods")
      .selectAll()
      .where("incident_id", "=", inc!.id)
      .executeTakeFirstOrThrow();
    expect(period).toMatchObject({
      contract_id: c.id,
      attribution: "provider",
      reference: `INC-${inc!.number}`,
    });
    // The next month's invoice carries the SLA credit: 7 h → 10 % of 80,000 yen, naming the incident.
    const month = new Date(upAt.getTime() + 9 * 3_600_000).toISOString().slice(0, 7);
    const [y, m] = month.split("-").map(Number);
    const next = `${m === 12 ? y! + 1 : y}-${String(m === 12 ? 1 : m! + 1).padStart(2, "0")}`;
    await runBilling(env, next);
    const inv = (await invoicesOf(env.db, c.id)).find((i) => i.month === next)!;
    const credit = (await linesOf(env.db, inv.id)).find((l) => l.kind === "credit")!;
    expect(credit).toMatchObject({ amount: -8_000, article: "36(1)" });
    expect(credit.note).toContain(`INC-${inc!.number}`);
    // … and on the invoice's PDF, as text.
    const pdf = await env.app.inject({
      method: "GET",
      url: `/api/v1/invoices/${inv.id}/pdf`,
      headers: { cookie: op.cookie },
    });
    expect(pdf.statusCode).toBe(200);
    const doc = await getDocument({
      data: new Uint8Array(pdf.rawPayload),
      useSystemFonts: false,
      isEvalSupported: false,
    }).promise;
    let text = "";
    for (let p = 1; p <= doc.numPages; p++)
      text += (await (await doc.getPage(p)).getTextContent()).items
        .map((i) => ("str" in i ? i.str : ""))
        .join("");
    expect(text).toContain(`SLA返還 ${month}`);
    expect(text).toContain(`INC-${inc!.number}`);
    expect(text).toMatch(/-8,000|−8,000|-¥8,000|−¥8,000/);
  });

  it("corrections need a reason, are audited, and move the period; a carrier's fault is kept but not counted", async () => {
    const c = await customerSetup();
    const checkId = await checkOf(c);
    const downAt = new Date(Date.now() - 3 * 3_600_000);
    await stateChange(c, checkId, "down", downAt);
    await tick(env);
    const [inc] = await incidentsOf(c.customerId);
    const noReason = await op.req("POST", `/api/v1/incidents/${inc!.id}/corrections`, {
      awareAt: new Date(downAt.getTime() - 3_600_000).toISOString(),
    });
    expect(noReason.status).toBe(400);
    const future = await op.req("POST", `/api/v1/incidents/${inc!.id}/resolve`, {
      restoredAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.status).toBe(400);
    expect(future.json.error.article).toBe("30(4)");
    const beforeAware = await op.req("POST", `/api/v1/incidents/${inc!.id}/resolve`, {
      restoredAt: new Date(downAt.getTime() - 60_000).toISOString(),
    });
    expect(beforeAware.json.error.details).toEqual({ restoredAt: ["before_aware"] });
    const resolved = await op.req("POST", `/api/v1/incidents/${inc!.id}/resolve`, { note: "再起動で復旧" });
    expect(resolved.json.status).toBe("resolved");
    const earlier = new Date(downAt.getTime() - 4 * 3_600_000);
    const fix = await op.req("POST", `/api/v1/incidents/${inc!.id}/corrections`, {
      reason: "顧客からの連絡で、実際は4時間前に認知していたことが判明",
      awareAt: earlier.toISOString(),
    });
    expect(fix.status).toBe(200);
    expect(fix.json.awareAt).toBe(earlier.toISOString());
    expect(fix.json.unavailability.counts).toBe(true);
    const p1 = await env.db
      .selectFrom("unavailability_periods")
      .selectAll()
      .where("incident_id", "=", inc!.id)
      .executeTakeFirstOrThrow();
    expect(p1.started_at.toISOString()).toBe(earlier.toISOString());
    const audit = await env.db
      .selectFrom("audit_log")
      .selectAll()
      .where("action", "=", "incident.corrected")
      .where("subject_id", "=", inc!.id)
      .execute();
    expect(audit).toHaveLength(1);
    const carrier = await op.req("POST", `/api/v1/incidents/${inc!.id}/corrections`, {
      reason: "回線事業者の障害と判明",
      attribution: "carrier",
    });
    expect(carrier.json.unavailability).toMatchObject({ counts: false, article: "36(3)" });
    const p2 = await env.db
      .selectFrom("unavailability_periods")
      .selectAll()
      .where("incident_id", "=", inc!.id)
      .executeTakeFirstOrThrow();
    expect(p2.attribution).toBe("carrier");
    const notOutage = await op.req("POST", `/api/v1/incidents/${inc!.id}/corrections`, {
      reason: "一部機能のみの劣化",
      outage: false,
    });
    expect(notOutage.json.unavailability.counts).toBe(false);
    expect(
      await env.db
        .selectFrom("unavailability_periods")
        .select("id")
        .where("incident_id", "=", inc!.id)
        .execute(),
    ).toHaveLength(0);
    // Customers cannot correct.
    expect(
      (
        await c.customer.req("POST", `/api/v1/incidents/${inc!.id}/corrections`, {
          reason: "x",
          outage: true,
        })
      ).status,
    ).toBe(403);
  });

  it("shows each customer only its own incidents", async () => {
    const a = await customerSetup();
    const b = await customerSetup();
    const ig = await integration(a.customerId, "generic");
    await post(ig.path, ig.token, {
      key: "k1",
      status: "firing",
      title: "API 5xx",
      startsAt: new Date().toISOString(),
    });
    const [inc] = await incidentsOf(a.customerId);
    expect((await b.customer.req("GET", `/api/v1/incidents/${inc!.id}`)).status).toBe(404);
    const list = await b.customer.req("GET", "/api/v1/incidents");
    expect(list.json.items.some((i: { id: string }) => i.id === inc!.id)).toBe(false);
    expect(
      (await a.customer.req("GET", "/api/v1/incidents")).json.items.map((i: { id: string }) => i.id),
    ).toContain(inc!.id);
  });
});

describe("emergency stop (Art. 22) and suspension (Art. 21)", () => {
  it("an emergency stop pauses the contract's checks and mutes its servers' incidents; a suspension mutes too", async () => {
    const c = await customerSetup();
    const checkId = await checkOf(c);
    const stop = await op.req("POST", `/api/v1/contracts/${c.id}/emergency-stop`, {
      note: "高負荷で他の契約者に影響",
    });
    expect(stop.status).toBe(200);
    const check = await op.req("GET", `/api/v1/checks/${checkId}`);
    expect(check.json.paused).toMatchObject({ reason: "emergency_stop", article: "22(1)" });
    const ig = await integration(c.customerId, "alertmanager");
    await post(
      ig.path,
      ig.token,
      amPayload("firing", [{ fp: "dddd000000000001", startsAt: new Date().toISOString() }]),
    );
    const [inc] = await incidentsOf(c.customerId);
    expect(inc).toMatchObject({ muted: "emergency_stop", next_escalation_at: null });
    const s = await customerSetup();
    await sql`UPDATE contracts SET status = 'suspended' WHERE id = ${s.id}`.execute(env.db);
    const ig2 = await integration(s.customerId, "generic");
    await post(ig2.path, ig2.token, {
      key: "x",
      status: "firing",
      title: "down",
      startsAt: new Date().toISOString(),
      host: "web01.example.jp",
    });
    const [inc2] = await incidentsOf(s.customerId);
    expect(inc2).toMatchObject({ muted: "suspension" });
  });
});

describe("maintenance windows (Art. 23)", () => {
  it("refuses a window announced too late (Art. 23(3)), takes an emergency with its reason, mutes paging inside it", async () => {
    const c = await customerSetup();
    const soon = new Date(Date.now() + 2 * 86_400_000);
    const late = await op.req("POST", "/api/v1/maintenance", {
      scope: "item",
      itemId: c.itemId,
      title: "OS パッチ適用",
      startsAt: soon.toISOString(),
      endsAt: new Date(soon.getTime() + 3_600_000).toISOString(),
    });
    expect(late.status).toBe(400);
    expect(late.json.error).toMatchObject({ article: "23(3)", details: { startsAt: ["notice_too_late"] } });
    const inTime = new Date(Date.now() + 8 * 86_400_000);
    const ok = await op.req("POST", "/api/v1/maintenance", {
      scope: "contract",
      contractId: c.id,
      title: "ストレージ交換",
      startsAt: inTime.toISOString(),
      endsAt: new Date(inTime.getTime() + 7_200_000).toISOString(),
    });
    expect(ok.status).toBe(201);
    expect(ok.json.notified).toBe(1);
    expect(ok.json.basis[0].article).toBe("23(3)");
    // An emergency window now: allowed with its reason; an alert inside is recorded, pages no one.
    const noReason = await op.req("POST", "/api/v1/maintenance", {
      scope: "item",
      itemId: c.itemId,
      title: "緊急メンテナンス",
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      emergency: true,
    });
    expect(noReason.status).toBe(400);
    const em = await op.req("POST", "/api/v1/maintenance", {
      scope: "item",
      itemId: c.itemId,
      reason: "failure",
      title: "緊急メンテナンス",
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      emergency: true,
      emergencyReason: "ディスク障害の拡大を防ぐため",
    });
    expect(em.status).toBe(201);
    const ig = await integration(c.customerId, "alertmanager");
    await post(
      ig.path,
      ig.token,
      amPayload("firing", [{ fp: "cccc000000000001", startsAt: new Date().toISOString() }]),
    );
    await tick(env);
    const [inc] = await incidentsOf(c.customerId);
    expect(inc).toMatchObject({ muted: "maintenance", next_escalation_at: null, maintenance_id: em.json.id });
    expect(
      await env.db.selectFrom("pages").select("id").where("incident_id", "=", inc!.id).execute(),
    ).toHaveLength(0);
    // Restored: no unavailability period (the customer was told of the interruption).
    await op.req("POST", `/api/v1/incidents/${inc!.id}/resolve`, {});
    expect(
      await env.db
        .selectFrom("unavailability_periods")
        .select("id")
        .where("incident_id", "=", inc!.id)
        .execute(),
    ).toHaveLength(0);
    // The customer's calendar feed, read by a third-party iCalendar parser.
    const feed = await c.customer.req("POST", `/api/v1/customers/${c.customerId}/calendar-feed`);
    expect(feed.status).toBe(200);
    const ics = await env.app.inject({ method: "GET", url: feed.json.path });
    expect(ics.statusCode).toBe(200);
    expect(ics.headers["content-type"]).toContain("text/calendar");
    const cal = new ICAL.Component(ICAL.parse(ics.body));
    const events = cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
    expect(events.map((e) => e.summary).sort()).toEqual(["ストレージ交換", "緊急メンテナンス"]);
    expect(
      events
        .find((e) => e.summary === "ストレージ交換")!
        .startDate.toJSDate()
        .getTime(),
    ).toBe(Math.floor(inTime.getTime() / 1000) * 1000);
    // Another customer's feed URL does not exist; a renewed one replaces the old.
    const renewed = await c.customer.req("POST", `/api/v1/customers/${c.customerId}/calendar-feed`);
    expect((await env.app.inject({ method: "GET", url: feed.json.path })).statusCode).toBe(404);
    expect((await env.app.inject({ method: "GET", url: renewed.json.path })).statusCode).toBe(200);
  });
});
