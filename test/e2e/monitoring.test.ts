/**
 * Browser: monitoring from the contract to the customer's status page. Staff open a contract, register
 * the servers it lists, refuse a CSV naming a server the contract does not list (the line is named),
 * open the server, add an HTTP check against a real loopback target and see it turn 正常 as a real
 * probe runs it; store a root password and reveal it with a reason, confirming their password when
 * asked (Art. 7(1)); publish the customer's status page. The customer sees the service up on its
 * status page and the reveal in its log; the public page shows the service without host names. In
 * Japanese and English and at phone width; screenshots in test-artifacts/monitoring-*.png.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../src/cli/demo.ts";
import type { Db } from "../../src/db/db.ts";
import { rebuildRollupsSinceMarks } from "../../src/monitoring/housekeeping.ts";
import { buildUser, PASSWORD } from "../helpers.ts";
import { httpTarget } from "../targets.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
let probe: ChildProcess | undefined;
let target: Awaited<ReturnType<typeof httpTarget>>;
let probeOutput = "";

beforeAll(async () => {
  // Custody needs a master key in the web process (`unyo serve` makes none of its own).
  e2e = await startE2E({ env: { UNYO_MASTER_KEY: randomBytes(32).toString("base64") } });
  target = await httpTarget();
  // A probe, as a deployment runs one beside the web process (more than one share the checks).
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
  page.screenshot({ path: path.join(ARTIFACTS, `monitoring-${name}.png`), fullPage: true });

/**
 * Weeks of history for a check that was just added, so that the charts have something to draw: hour
 * roll-ups over the last 7 days (an outage of half an hour three days ago), day roll-ups before that
 * for the 60 days since "monitoring began" (two bad days), and today's day rebuilt from the hours as
 * the worker does.
 */
async function seedHistory(db: Db, checkId: string, customerId: string) {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const now = Date.now();
  const hourNow = Math.floor(now / HOUR) * HOUR;
  const today = Math.floor((now + 9 * HOUR) / DAY) * DAY - 9 * HOUR;
  const row = (grain: "h" | "d", at: number, span: number, down: number, avg: number) => {
    const runs = span / 10_000;
    return {
      check_id: checkId,
      customer_id: customerId,
      grain,
      bucket: new Date(at),
      runs,
      ok_runs: runs - Math.round(down / 10_000),
      up_ms: span - down,
      down_ms: down,
      muted_ms: 0,
      latency_sum: avg * runs,
      latency_count: runs,
      latency_max: avg * 3,
    };
  };
  const rows: ReturnType<typeof row>[] = [];
  for (let h = today - 7 * DAY, i = 0; h < hourNow; h += HOUR, i++)
    rows.push(
      row("h", h, HOUR, i === 80 ? 1_800_000 : 0, Math.round(45 + 15 * Math.sin((i / 24) * 2 * Math.PI))),
    );
  for (let d = today - 7 * DAY; d < today; d += DAY) {
    const hours = rows.filter((r) => +r.bucket >= d && +r.bucket < d + DAY);
    const down = hours.reduce((n, r) => n + r.down_ms, 0);
    rows.push(row("d", d, DAY, down, 45));
  }
  for (let d = today - 67 * DAY, k = 0; d < today - 7 * DAY; d += DAY, k++)
    rows.push(row("d", d, DAY, k === 20 ? 3_600_000 : k === 41 ? 432_000 : 0, 45));
  await db
    .insertInto("check_rollups")
    .values(rows)
    .onConflict((oc) => oc.columns(["check_id", "grain", "bucket"]).doNothing())
    .execute();
  await rebuildRollupsSinceMarks(db, Date.now());
}

/** The API as a staff member, in a session of its own (data a test starts from). */
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

describe("monitoring in the browser", () => {
  it("staff register the contract's servers, add a check that turns up, reveal a credential; the customer sees both", async () => {
    const { browser, base, db } = e2e;
    const contract = await db
      .selectFrom("contracts")
      .select(["id", "customer_id"])
      .where("number", "=", "C-DEMO-0001")
      .executeTakeFirstOrThrow();
    const host = "web1.1.demo.invalid";

    // ---- staff: the contract's servers ----
    const staff = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    staff.on("pageerror", (e) => errors.push(String(e)));
    await logIn(staff, base, "engineer");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await staff.goto(`${base}/console/contracts/${contract.id}`);
    const inventory = staff.getByTestId("contract-inventory");
    await inventory.getByRole("heading", { name: "サーバーとリソース" }).waitFor();
    await inventory.getByTestId("inventory-unregistered").getByText(host).waitFor();
    await inventory.getByRole("button", { name: "契約記載のサーバーを登録" }).click();
    await inventory.getByText("1 台を登録しました。").waitFor();
    await inventory.getByTestId("inventory-items").getByRole("link", { name: host }).waitFor();
    expect(await inventory.getByTestId("inventory-unregistered").count()).toBe(0);
    // A CSV naming a server the contract does not list: refused whole, its line named.
    await staff.setInputFiles("#inventoryCsv", {
      name: "inventory.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        `kind,name,provider,account,region,addresses,os_family,os_version,role,options,notes\r\nserver,${host},aws,,,,ubuntu,24.04,web,,\r\nserver,mail9.demo.invalid,aws,,,,,,,,\r\n`,
      ),
    });
    await inventory.getByRole("button", { name: "CSV を取り込む" }).click();
    const refusal = inventory.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^3 行目: 契約に記載のないサーバーです。.*第20条第2項/);
    await shot(staff, "contract-ja");

    // ---- staff: the server, a check against a real target ----
    await inventory.getByTestId("inventory-items").getByRole("link", { name: host }).click();
    await staff.getByRole("heading", { name: host, level: 1 }).waitFor();
    const add = staff.getByTestId("add-check");
    await add.getByLabel("監視名").fill("ウェブサイト");
    expect(await add.getByLabel("監視の種類").inputValue()).toBe("http");
    await add.getByLabel("間隔(秒)").fill("10");
    await add.getByLabel("タイムアウト(ミリ秒)").fill("5000");
    await add.getByLabel("URL", { exact: true }).fill(`${target.url}/health`);
    // The rarer conditions are folded away until asked for.
    expect(await add.getByLabel("本文に含まれるべき文字列").isVisible()).toBe(false);
    await add.getByText("詳細な条件").click();
    await add.getByLabel("本文に含まれるべき文字列").fill("ok");
    await add.getByRole("button", { name: "監視を追加する" }).click();
    await add.getByText("監視を追加しました:").waitFor();
    const row = staff.getByTestId("check-ウェブサイト");
    await row.waitFor();
    // The probe runs it within its 10 s interval; the page follows until it is up.
    await row
      .locator('[data-state="up"]', { hasText: "正常" })
      .waitFor({ timeout: 30_000 })
      .catch((err) => {
        throw new Error(`the check did not turn up: ${String(err)}\nprobe: ${probeOutput}`);
      });
    expect(target.hits.get("/health")?.length).toBeGreaterThan(0);
    await staff.getByTestId("server-facts").locator('[data-state="up"]').waitFor();

    // ---- staff: a root password stored, then revealed with a reason (re-authenticated) ----
    const store = staff.getByTestId("store-credential");
    await store.getByLabel("名前").fill("本番ルートパスワード");
    await store.getByLabel("ユーザー名").fill("root");
    await store.getByLabel("秘密情報").fill("S3cret-Root-pass!");
    await store.getByRole("button", { name: "暗号化して保管する" }).click();
    await store.getByText("保管しました:").waitFor();
    expect(await store.getByLabel("秘密情報").inputValue()).toBe("");
    const credentials = staff.getByTestId("credentials");
    await credentials.getByText("本番ルートパスワード").waitFor();
    expect(await staff.locator("main").textContent()).not.toContain("S3cret-Root-pass!");
    // The log-in was a while ago: the API asks for the password again before revealing.
    await db
      .updateTable("sessions")
      .set({ reauthenticated_at: new Date(Date.now() - 15 * 60_000) })
      .execute();
    await credentials.getByRole("button", { name: "開示: 本番ルートパスワード" }).click();
    const ask = staff.getByTestId("reveal-form");
    await ask.getByLabel("開示する理由").fill("障害調査のためサーバーにログインする");
    await ask.getByRole("button", { name: "理由を記録して開示する" }).click();
    const reauth = staff.getByRole("form", { name: "本人確認" });
    await reauth.waitFor();
    await reauth.getByLabel("あなたのパスワード").fill(DEMO_PASSWORD);
    await reauth.getByRole("button", { name: "確認して続ける" }).click();
    const secret = staff.getByTestId("revealed-secret-value");
    await secret.waitFor();
    expect(await secret.textContent()).toBe("S3cret-Root-pass!");
    await staff.getByTestId("revealed-secret").getByText("契約者も確認できます").waitFor();
    const log = staff.getByTestId("reveal-log");
    await log.getByText("障害調査のためサーバーにログインする").waitFor();
    await log.getByText("開示済み").waitFor();
    await shot(staff, "server-ja");
    await staff.getByRole("button", { name: "閉じる" }).click();
    expect(await staff.getByTestId("revealed-secret").count()).toBe(0);

    // ---- staff: the check's page (with weeks of history, so that its charts have something to draw) ----
    const check = await db
      .selectFrom("checks")
      .select(["id", "customer_id"])
      .where("name", "=", "ウェブサイト")
      .executeTakeFirstOrThrow();
    await seedHistory(db, check.id, check.customer_id);
    await row.getByRole("link", { name: "ウェブサイト" }).click();
    await staff.getByRole("heading", { name: "ウェブサイト", level: 1 }).waitFor();
    await staff.getByTestId("check-state").getByText("正常").waitFor();
    await staff.getByTestId("check-events").getByText("確認中 → 正常").waitFor();
    await staff.getByTestId("daily-uptime").getByRole("img").waitFor();
    await staff
      .getByTestId("hourly-latency")
      .getByRole("img", { name: "1時間ごとの応答時間(過去7日)" })
      .waitFor();
    expect(await staff.getByTestId("uptime-90").textContent()).toMatch(/^99\.\d\d%$/);
    await shot(staff, "check-ja");
    await english(staff);
    await staff.getByTestId("check-state").getByText("Up").waitFor();
    await staff.getByTestId("check-events").getByText("Pending → Up").waitFor();
    await shot(staff, "check-en");
    await staff.setViewportSize({ width: 375, height: 812 });
    await shot(staff, "check-en-375");
    expect(await staff.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);
    await staff.setViewportSize({ width: 1280, height: 900 });

    // ---- staff: the servers list, and the server in English and on a phone ----
    await staff.getByRole("link", { name: "Servers", exact: true }).click();
    await staff.getByRole("heading", { name: "Servers and resources" }).waitFor();
    const listRow = staff.getByTestId("servers").getByRole("row", { name: new RegExp(host) });
    await listRow.locator('[data-state="up"]', { hasText: "Up" }).waitFor();
    await shot(staff, "servers-en");
    await listRow.getByRole("link", { name: host }).click();
    await staff.getByRole("heading", { name: host, level: 1 }).waitFor();
    await staff
      .getByTestId("reveal-log")
      .getByRole("cell", { name: /^Revealed/ })
      .waitFor();
    await shot(staff, "server-en");
    await staff.setViewportSize({ width: 375, height: 812 });
    await shot(staff, "server-en-375");
    expect(await staff.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);

    // ---- staff: the customer's status page published ----
    await staff.setViewportSize({ width: 1280, height: 900 });
    await staff.goto(`${base}/console/customers/${contract.customer_id}`);
    const monitoring = staff.getByTestId("customer-monitoring");
    await monitoring.getByRole("heading", { name: "Monitoring and status page" }).waitFor();
    await monitoring.getByRole("button", { name: "Publish" }).click();
    await monitoring.getByRole("alertdialog").getByRole("button", { name: "Publish" }).click();
    const urlField = monitoring.getByLabel("Public URL");
    await urlField.waitFor();
    const publicUrl = await urlField.inputValue();
    expect(publicUrl).toMatch(new RegExp(`^${base}/status/[A-Za-z0-9_-]{32}$`));
    await shot(staff, "customer-en");
    await monitoring.getByRole("link", { name: "Open the status page as the customer sees it" }).click();
    await staff.getByTestId("status-service").getByText(host).waitFor();
    expect(errors).toEqual([]);
    await staff.close();

    // ---- the customer: its status page and who revealed its credentials ----
    const customer = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    customer.on("pageerror", (e) => errors.push(String(e)));
    await logIn(customer, base, "sample-admin");
    await customer.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();
    await customer.getByRole("link", { name: "稼働状況", exact: true }).click();
    await customer.getByRole("heading", { name: "サービスの稼働状況" }).waitFor();
    const service = customer.getByTestId("status-service").filter({ hasText: "ウェブサイト" });
    await service.locator('[data-state="up"]', { hasText: "正常" }).waitFor();
    await customer
      .getByTestId("status-overall")
      .getByText("すべてのサービスが正常に稼働しています。")
      .waitFor();
    const bars = service.getByRole("img");
    expect(await bars.getAttribute("aria-label")).toMatch(/^ウェブサイト の過去 90 日間/);
    expect(await service.locator(".bar").count()).toBe(90);
    await shot(customer, "portal-status-ja");
    await customer.getByRole("link", { name: "サーバー", exact: true }).click();
    await customer.getByRole("heading", { name: "サーバーと監視" }).waitFor();
    const reveals = customer.getByTestId("my-reveals");
    const revealRow = reveals.getByRole("row", { name: /障害調査のためサーバーにログインする/ });
    await revealRow.waitFor();
    expect(await revealRow.textContent()).toContain("技術 次郎");
    expect(await revealRow.textContent()).toContain("開示済み");
    expect(await customer.locator("main").textContent()).not.toContain("S3cret-Root-pass!");
    await customer.getByTestId("my-server").getByTestId("check-ウェブサイト").getByText("正常").waitFor();
    await shot(customer, "portal-servers-ja");
    await english(customer);
    await customer.getByRole("heading", { name: "Servers and checks" }).waitFor();
    await reveals.getByRole("cell", { name: /^Revealed/ }).waitFor();
    await shot(customer, "portal-servers-en");
    await customer.setViewportSize({ width: 375, height: 812 });
    await shot(customer, "portal-servers-en-375");
    await customer.getByRole("link", { name: "Status", exact: true }).click();
    await customer.getByRole("heading", { name: "Service status" }).waitFor();
    await customer.getByTestId("status-overall").getByText("All services are operating normally.").waitFor();
    await shot(customer, "portal-status-en-375");
    expect(await customer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);
    await customer.close();

    // ---- anyone: the public status page, no host names ----
    const visitor = await browser.newPage({ viewport: { width: 375, height: 812 } });
    visitor.on("pageerror", (e) => errors.push(String(e)));
    await visitor.goto(publicUrl);
    await visitor.getByRole("heading", { name: "株式会社サンプル商事 のサービス稼働状況" }).waitFor();
    await visitor
      .getByTestId("status-service")
      .filter({ hasText: "ウェブサイト" })
      .getByText("正常")
      .waitFor();
    expect(await visitor.locator("body").textContent()).not.toContain(host);
    await shot(visitor, "public-ja-375");
    await english(visitor);
    await visitor.getByRole("heading", { name: "Service status of 株式会社サンプル商事" }).waitFor();
    await visitor.getByTestId("status-service").getByText("Up", { exact: true }).waitFor();
    await shot(visitor, "public-en-375");
    await visitor.close();
    expect(errors).toEqual([]);
  }, 180_000);

  it("where the customer asks for it, a reveal waits for a second staff member's approval, then its requester collects it", async () => {
    const { browser, base, db } = e2e;
    const contract = await db
      .selectFrom("contracts")
      .select(["id", "customer_id"])
      .where("number", "=", "C-DEMO-0002")
      .executeTakeFirstOrThrow();
    const host = "web1.2.demo.invalid";
    const engineer = await apiAs(base, "engineer");
    await engineer("POST", `/contracts/${contract.id}/inventory/from-contract`);
    const item = (await engineer("GET", `/contracts/${contract.id}/inventory`)).registered[0] as {
      id: string;
    };
    await engineer("POST", `/inventory/${item.id}/credentials`, {
      kind: "ssh_private_key",
      label: "保守用 SSH 鍵",
      username: "ops",
      secret:
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
    });
    // The customer asked for two people (an admin sets it on the customer's page).
    await db
      .insertInto("monitoring_settings")
      .values({ customer_id: contract.customer_id, reveal_needs_approval: true })
      .onConflict((oc) => oc.column("customer_id").doUpdateSet({ reveal_needs_approval: true }))
      .execute();
    const errors: string[] = [];

    // The first engineer asks: the request waits.
    const first = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    first.on("pageerror", (e) => errors.push(String(e)));
    await logIn(first, base, "engineer");
    await first.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await first.goto(`${base}/console/servers/${item.id}`);
    await first.getByRole("heading", { name: host, level: 1 }).waitFor();
    await first.getByText("別の担当者の承認が必要です。").waitFor();
    await first.getByRole("button", { name: "開示: 保守用 SSH 鍵" }).click();
    await first.getByLabel("開示する理由").fill("鍵の入れ替え作業のため");
    await first.getByRole("button", { name: "理由を記録して開示する" }).click();
    await first.getByTestId("reveal-waiting").waitFor();
    const open = first.getByTestId("open-reveals");
    await open.getByText("別の担当者の承認待ち").waitFor();
    expect(await first.getByTestId("revealed-secret").count()).toBe(0);
    await shot(first, "two-person-waiting-ja");

    // A second engineer approves it (never their own).
    const second = await buildUser(db, { role: "engineer" });
    const other = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    other.on("pageerror", (e) => errors.push(String(e)));
    await logIn(other, base, second.loginId, PASSWORD);
    await other.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await other.goto(`${base}/console/servers/${item.id}`);
    const pending = other.getByTestId("open-reveals").getByRole("row", { name: /鍵の入れ替え作業のため/ });
    await pending.getByText("承認待ち").waitFor();
    await shot(other, "two-person-approve-ja");
    await pending.getByRole("button", { name: "承認" }).click();
    await other.getByTestId("open-reveals").getByText("承認済み(受取待ち)").waitFor();
    await other.close();

    // The requester collects it, once.
    await first.reload();
    await open.getByRole("button", { name: "受け取る" }).click();
    const secret = first.getByTestId("revealed-secret-value");
    await secret.waitFor();
    expect(await secret.textContent()).toContain("BEGIN OPENSSH PRIVATE KEY");
    const log = first.getByTestId("reveal-log").getByRole("row", { name: /鍵の入れ替え作業のため/ });
    await log.getByText("開示済み").waitFor();
    expect(await log.textContent()).toContain(second.loginId);
    await shot(first, "two-person-collected-ja");

    // The server's planned maintenance (Art. 23): every check of it paused at once, then resumed.
    await engineer("POST", "/checks", {
      kind: "tcp",
      name: "SSH",
      itemId: item.id,
      intervalS: 60,
      timeoutMs: 5000,
      settings: { host: "127.0.0.1", port: 9 },
    });
    await first.reload();
    const all = first.getByTestId("pause-all");
    await all.getByText("このサーバーの監視をまとめて一時停止・再開").click();
    expect(await all.getByLabel("一時停止の理由").inputValue()).toBe("maintenance");
    await all.getByRole("button", { name: "すべて一時停止する" }).click();
    await all.getByText("1 件の監視を一時停止しました。").waitFor();
    await first.getByTestId("check-SSH").getByText("計画メンテナンス").waitFor();
    await all.getByRole("button", { name: "すべて再開する" }).click();
    await all.getByText("1 件の監視を再開しました。").waitFor();
    // The table is read again after the message: wait for the pause to leave the row.
    await first.getByTestId("check-SSH").getByText("計画メンテナンス").waitFor({ state: "detached" });
    expect(await first.getByTestId("check-SSH").getByText("計画メンテナンス").count()).toBe(0);
    await first.close();
    expect(errors).toEqual([]);
  }, 120_000);
});
