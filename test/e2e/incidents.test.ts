/**
 * Browser: incidents (障害対応) live. Staff add an HTTP check against a real loopback target that
 * answers 200 and see it turn up as a real probe runs it; then the target fails (500) and the
 * incident appears in the console's incidents list by itself — no reload, no navigation (the
 * incidents' Server-Sent Events stream). Staff open it and acknowledge it (状態: 確認済み), post a
 * public update, and a correction that would put awareness in the future is refused with its article
 * (Art. 30(4)). The customer signs in and sees the incident on its status page (above the checks) and
 * on its incidents pages, with the public update and without the internal parts. In Japanese and
 * English; screenshots in test-artifacts/incidents-*.png.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../src/cli/demo.ts";
import { seedIncidentsDemo } from "../../src/incidents/demo.ts";
import { httpTarget } from "../targets.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
let probe: ChildProcess | undefined;
let target: Awaited<ReturnType<typeof httpTarget>>;
let probeOutput = "";
/** What the target answers: 200 "ok" until the test makes it fail. */
let failing = false;

beforeAll(async () => {
  e2e = await startE2E();
  // The demo's on-call rotation and default escalation policy (the home shows who is on call).
  await seedIncidentsDemo(e2e.db);
  target = await httpTarget((_req, res) => {
    res.writeHead(failing ? 500 : 200, { "content-type": "text/plain" });
    res.end(failing ? "broken" : "ok");
  });
  probe = spawn(process.execPath, ["bin/unyo.js", "probe"], {
    env: { ...process.env, DATABASE_URL: e2e.url, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  probe.stdout?.on("data", (c) => (probeOutput += c));
  probe.stderr?.on("data", (c) => (probeOutput += c));
});

afterAll(async () => {
  if (probe && probe.exitCode === null) {
    const p = probe;
    p.kill("SIGTERM");
    await new Promise((r) => p.once("exit", r));
  }
  await target?.close();
  await e2e?.close();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `incidents-${name}.png`), fullPage: true });

/** The API as a user, in a session of its own (the data a test starts from). */
async function apiAs(base: string, loginId: string) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ loginId, password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`log-in as ${loginId}: ${login.status}`);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .find((c) => c.startsWith("unyo_session="))!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  // biome-ignore lint/suspicious/noExplicitAny: the answers are read as the API documents them
  return async (method: string, url: string, body?: unknown): Promise<any> => {
    const r = await fetch(`${base}/api/v1${url}`, {
      method,
      headers: {
        cookie,
        "x-csrf-token": csrfToken,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
    return r.status === 204 ? null : r.json();
  };
}

async function english(page: Page) {
  await page.getByLabel("Language / 言語").first().selectOption("en");
}

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, ms = 60_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nprobe: ${probeOutput}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("incidents in the browser", () => {
  it("a failing check opens an incident that appears live; staff acknowledge it; the customer sees it", async () => {
    const { browser, base, db } = e2e;
    const contract = await db
      .selectFrom("contracts")
      .select(["id", "customer_id"])
      .where("number", "=", "C-DEMO-0001")
      .executeTakeFirstOrThrow();
    const host = "web1.1.demo.invalid";
    const errors: string[] = [];

    // ---- staff: the contract's server and an HTTP check against the target, up ----
    const engineer = await apiAs(base, "engineer");
    await engineer("POST", `/contracts/${contract.id}/inventory/from-contract`);
    const item = (await engineer("GET", `/contracts/${contract.id}/inventory`)).registered[0] as {
      id: string;
    };
    const check = await engineer("POST", "/checks", {
      kind: "http",
      name: "ウェブサイト",
      itemId: item.id,
      intervalS: 10,
      timeoutMs: 2000,
      retries: 0,
      downAfter: 1,
      settings: { url: `${target.url}/health`, method: "GET" },
    });
    await until("the check to turn up", async () => {
      const c = await engineer("GET", `/checks/${check.id}`);
      return c.state === "up";
    });

    // ---- staff: the incidents list, open before anything fails ----
    const staff = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    staff.on("pageerror", (e) => errors.push(String(e)));
    await logIn(staff, base, "operator");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    // The home: no open incident, who is on call now.
    await staff.getByTestId("home-incidents").getByText("未確認: 0 件").waitFor();
    await staff.getByTestId("home-oncall").getByText("一次対応 (24/7)").waitFor();
    await staff.getByRole("link", { name: "障害", exact: true }).click();
    await staff.getByRole("heading", { name: "障害", level: 1 }).waitFor();
    await staff.getByTestId("live").and(staff.locator('[data-state="live"]')).waitFor();
    await staff.getByText("該当する障害はありません。").waitFor();
    // Any reload or navigation from here on would lose this mark and be counted.
    await staff.evaluate(() => {
      (window as unknown as { liveMark: number }).liveMark = 42;
    });
    let navigations = 0;
    staff.on("framenavigated", (f) => {
      if (f === staff.mainFrame()) navigations++;
    });

    // ---- the target fails: the probe confirms it down, the engine opens an incident ----
    failing = true;
    const table = staff.getByTestId("incidents");
    const row = table.getByRole("row", { name: new RegExp(host) });
    await row.waitFor({ timeout: 60_000 }).catch((err) => {
      throw new Error(`the incident did not appear live: ${String(err)}\nprobe: ${probeOutput}`);
    });
    expect(navigations).toBe(0);
    expect(await staff.evaluate(() => (window as unknown as { liveMark?: number }).liveMark)).toBe(42);
    expect(await row.textContent()).toContain("株式会社サンプル商事");
    await row.locator('[data-severity="critical"]', { hasText: "緊急" }).waitFor();
    await row.locator('[data-status="open"]', { hasText: "未確認" }).waitFor();
    const reference = (await row.getByRole("link").first().textContent())?.trim() ?? "";
    expect(reference).toMatch(/^INC-\d+$/);
    await shot(staff, "list-ja");

    // ---- staff: the incident, acknowledged ----
    await row.getByRole("link", { name: reference }).click();
    await staff
      .getByRole("heading", { level: 1, name: new RegExp(`^${reference} `) })
      .waitFor()
      .catch(async (err) => {
        await shot(staff, "failed");
        // Say what the page showed instead.
        throw new Error(`${String(err)}\n${errors.join("\n")}\n${await staff.locator("main").textContent()}`);
      });
    const facts = staff.getByTestId("incident-facts");
    await facts.getByText(host).waitFor();
    await staff.getByTestId("incident-status").getByText("未確認").waitFor();
    await staff
      .getByTestId("unavailability")
      .getByText("まだ復旧していません(復旧後に期間が決まります)。")
      .waitFor();
    await staff.getByRole("button", { name: "確認する", exact: true }).click();
    await staff.getByTestId("incident-status").getByText("確認済み").waitFor();
    await staff.getByTestId("incident-staff").getByText("運用 花子").first().waitFor();
    const timeline = staff.getByTestId("incident-timeline");
    await timeline.getByRole("row", { name: /確認/ }).first().waitFor();
    // A public update for the customer.
    const comment = staff.getByRole("form", { name: "経過を記録する" });
    await comment.getByLabel("内容").fill("原因を調査しています。");
    await comment.getByLabel("公開範囲").selectOption("public");
    await comment.getByRole("button", { name: "記録する" }).click();
    await timeline
      .getByRole("row", { name: /原因を調査しています。/ })
      .getByText("公開")
      .waitFor();
    // A correction the terms do not allow: awareness in the future, refused with its article.
    const correct = staff.getByTestId("incident-correct");
    await correct.getByText("認知・復旧・帰責などを訂正する").click();
    await correct.getByLabel("訂正の理由(必須)").fill("検知時刻の誤り");
    const future = new Date(Date.now() + 9 * 3_600_000 + 2 * 86_400_000).toISOString().slice(0, 16);
    await correct.getByLabel("認知日時(日本時間)").fill(future);
    await correct.getByRole("button", { name: "訂正する" }).click();
    const refusal = correct.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/第30条第4項.*認知日時: 未来の日時は指定できません/);
    await shot(staff, "incident-ja");

    // ---- in English: the incident, then the list ----
    await english(staff);
    await staff.getByTestId("incident-status").getByText("Acknowledged").waitFor();
    await staff
      .getByTestId("incident-timeline")
      .getByRole("row", { name: /原因を調査しています。/ })
      .getByText("Public", { exact: true })
      .waitFor();
    await shot(staff, "incident-en");
    await staff.getByRole("link", { name: "All incidents" }).click();
    await staff.getByRole("heading", { name: "Incidents", level: 1 }).waitFor();
    await staff
      .getByTestId("incidents")
      .getByRole("row", { name: new RegExp(host) })
      .locator('[data-status="acknowledged"]', { hasText: "Acknowledged" })
      .waitFor();
    await shot(staff, "list-en");
    await staff.setViewportSize({ width: 375, height: 812 });
    await shot(staff, "list-en-375");
    expect(await staff.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);
    await staff.close();

    // ---- the customer: the status page, its incidents, the incident ----
    const customer = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    customer.on("pageerror", (e) => errors.push(String(e)));
    await logIn(customer, base, "sample-admin");
    await customer.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();
    await customer.getByRole("link", { name: "稼働状況", exact: true }).click();
    await customer.getByRole("heading", { name: "サービスの稼働状況" }).waitFor();
    const active = customer.getByTestId("status-incidents");
    await active.getByRole("heading", { name: "対応中の障害" }).waitFor();
    await active.getByTestId("status-incident").getByText(reference, { exact: false }).waitFor();
    await active.getByTestId("status-incident").getByText("確認済み").waitFor();
    // Above the checks (which load on their own: wait for them first).
    await customer.getByTestId("status-overall").waitFor();
    const above = await customer.evaluate(() => {
      const a = document.querySelector('[data-testid="status-incidents"]');
      const b = document.querySelector('[data-testid="status-overall"]');
      return !!a && !!b && !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    expect(above).toBe(true);
    await shot(customer, "portal-status-ja");
    await customer.getByRole("link", { name: "障害", exact: true }).click();
    await customer.getByRole("heading", { name: "障害情報", level: 1 }).waitFor();
    const mine = customer.getByTestId("my-incidents").getByRole("row", { name: new RegExp(reference) });
    await mine.locator('[data-status="acknowledged"]').waitFor();
    await shot(customer, "portal-list-ja");
    await mine.getByRole("link", { name: reference }).click();
    await customer.getByRole("heading", { level: 1, name: new RegExp(`^${reference} `) }).waitFor();
    const publicTimeline = customer.getByTestId("incident-timeline");
    await publicTimeline.getByText("原因を調査しています。").waitFor();
    // Internal parts stay with staff.
    expect(await customer.getByTestId("incident-staff").count()).toBe(0);
    expect(await customer.getByTestId("incident-actions").count()).toBe(0);
    await customer.getByTestId("report-links").getByRole("link", { name: "日本語" }).waitFor();
    await shot(customer, "portal-incident-ja");
    await english(customer);
    await customer.getByTestId("incident-status").getByText("Acknowledged").waitFor();
    await shot(customer, "portal-incident-en");
    await customer.setViewportSize({ width: 375, height: 812 });
    await shot(customer, "portal-incident-en-375");
    expect(await customer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);
    await customer.getByRole("link", { name: "Status", exact: true }).click();
    await customer
      .getByTestId("status-incidents")
      .getByRole("heading", { name: "Active incidents" })
      .waitFor();
    await shot(customer, "portal-status-en-375");
    expect(await customer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);

    // The report, as the customer downloads it.
    const report = await customer.evaluate(
      async (u) => (await fetch(u)).text(),
      `/api/v1/incidents/${
        (await db.selectFrom("incidents").select("id").executeTakeFirstOrThrow()).id
      }/report?lang=ja`,
    );
    expect(report).toContain(`# ${reference}`);
    expect(report).toContain("原因を調査しています。");
    await customer.close();
    expect(errors).toEqual([]);
  }, 180_000);
});
