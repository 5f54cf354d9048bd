/**
 * Browser: on-call and planned maintenance (Art. 23). An operator creates an on-call schedule and sees
 * who is on call now; schedules a maintenance window of a contract too late for the prior notice and
 * is refused with Art. 23(3) and the deadline, then in time and sees it listed; creates an
 * Alertmanager integration on the customer's page and gets its token once with the receiver to
 * paste. The customer sees the window on its maintenance page and gets a calendar URL that answers
 * text/calendar. In Japanese and English; screenshots in test-artifacts/oncall-*.png.
 */
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

const shot = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `oncall-${name}.png`), fullPage: true });

async function english(page: Page) {
  await page.getByLabel("Language / 言語").first().selectOption("en");
}
async function japanese(page: Page) {
  await page.getByLabel("Language / 言語").first().selectOption("ja");
}

/** A moment `days` from now as a datetime-local value in Japan time. */
const jstLocal = (ms: number) => new Date(ms + 9 * 3_600_000).toISOString().slice(0, 16);
const DAY = 86_400_000;

describe("on-call and planned maintenance in the browser", () => {
  it("staff create a schedule and schedule maintenance (refused too late, then in time); the customer subscribes", async () => {
    const { browser, base, db } = e2e;
    const contract = await db
      .selectFrom("contracts")
      .select(["id", "customer_id"])
      .where("number", "=", "C-DEMO-0001")
      .executeTakeFirstOrThrow();
    const staff = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    staff.on("pageerror", (e) => errors.push(String(e)));
    await logIn(staff, base, "operator");
    await staff.getByRole("link", { name: "料金表" }).waitFor();

    // ---- on-call: a schedule whose rotation began yesterday, the operator on call ----
    await staff.goto(`${base}/console/oncall`);
    await staff.getByRole("heading", { name: "当番とエスカレーション", level: 1 }).waitFor();
    const form = staff.getByTestId("new-schedule");
    await form.getByLabel("当番表の名前").fill("夜間一次対応");
    // Began an hour ago: the operator's shift runs until 23 hours from now, then the engineer's.
    await form.getByLabel("ローテーションの開始(日本時間)").fill(jstLocal(Date.now() - 3_600_000));
    await form.getByLabel("交代の間隔(時間)").fill("24");
    await form.getByLabel("追加するスタッフ").selectOption({ label: "運用 花子" });
    await form.getByRole("button", { name: "追加", exact: true }).click();
    // A staff member no schedule names yet is added by user ID.
    const engineer = await db
      .selectFrom("users")
      .select("id")
      .where("login_id", "=", "engineer")
      .executeTakeFirstOrThrow();
    await form.getByText("一覧にいないスタッフをユーザーIDで追加").click();
    await form.getByLabel("スタッフのユーザーID").fill(engineer.id);
    await form.getByRole("button", { name: "追加", exact: true }).nth(1).click();
    await form.getByTestId("schedule-members").locator("li").nth(1).waitFor();
    await form.getByRole("button", { name: "当番表を作成する" }).click();
    await form.getByText("当番表を作成しました:").waitFor();
    const card = staff.getByTestId("oncall-schedule").filter({ hasText: "夜間一次対応" });
    const now = card.getByTestId("oncall-now");
    await now.getByText("運用 花子").waitFor();
    expect(await now.textContent()).toMatch(/^現在の当番: 運用 花子 \(\d{4}\/\d\d\/\d\d \d\d:\d\d まで\)/);
    // The next two weeks, day by day, taking turns.
    const shifts = card.getByTestId("oncall-shifts");
    expect(await shifts.locator("tbody tr").count()).toBeGreaterThanOrEqual(14);
    expect(await shifts.getByText("技術 次郎").count()).toBeGreaterThanOrEqual(7);
    // A policy paging the new schedule, then the operator.
    const policy = staff.getByTestId("new-policy");
    await policy.getByLabel("ポリシーの名前").fill("夜間エスカレーション");
    await policy.getByLabel("当番表 夜間一次対応").check();
    await policy.getByRole("button", { name: "ポリシーを作成する" }).click();
    await policy.getByText("ポリシーを作成しました:").waitFor();
    await staff.getByTestId("escalation-policy").filter({ hasText: "夜間エスカレーション" }).waitFor();
    await shot(staff, "schedule-ja");
    await english(staff);
    await now.getByText("On call now:").waitFor();
    await shot(staff, "schedule-en");
    await japanese(staff);

    // ---- maintenance: too late for the notice (Art. 23(3)), then in time ----
    await staff.goto(`${base}/console/maintenance`);
    await staff.getByRole("heading", { name: "計画メンテナンス", level: 1 }).waitFor();
    const w = staff.getByTestId("schedule-window");
    await w.getByLabel("対象の範囲").selectOption("contract");
    await w.getByLabel("契約者を名前で検索").fill("サンプル");
    await w.locator("#window-customer").locator("option", { hasText: "株式会社サンプル商事" }).waitFor({
      state: "attached",
    });
    await w.locator("#window-customer").selectOption({ label: "株式会社サンプル商事" });
    await w.locator("#window-contract option", { hasText: "C-DEMO-0001" }).waitFor({ state: "attached" });
    await w.getByLabel("契約", { exact: true }).selectOption(contract.id);
    await w.getByLabel("件名").fill("ストレージ装置の交換");
    await w.getByLabel("開始(日本時間)").fill(jstLocal(Date.now() + 2 * DAY));
    await w.getByLabel("終了(日本時間)").fill(jstLocal(Date.now() + 2 * DAY + 2 * 3_600_000));
    await w.getByRole("button", { name: "登録して通知する" }).click();
    const late = w.getByTestId("maintenance-too-late");
    await late.waitFor();
    expect(await late.textContent()).toMatch(
      /事前通知の期間に間に合いません。開始の 7 日前\(\d{4}\/\d\d\/\d\d \d\d:\d\d\)までに通知する必要があります。.*第23条第3項/,
    );
    await shot(staff, "maintenance-refused-ja");
    await english(staff);
    await late.getByText("(Art. 23(3))").waitFor();
    expect(await late.textContent()).toMatch(
      /must be notified 7 days before it starts \(by .+ JST\).*Art\. 23\(3\)/,
    );
    await japanese(staff);
    await w.getByLabel("開始(日本時間)").fill(jstLocal(Date.now() + 10 * DAY));
    await w.getByLabel("終了(日本時間)").fill(jstLocal(Date.now() + 10 * DAY + 2 * 3_600_000));
    await w.getByRole("button", { name: "登録して通知する" }).click();
    await w.getByTestId("maintenance-created").waitFor();
    expect(await w.getByTestId("maintenance-too-late").count()).toBe(0);
    const upcoming = staff.getByTestId("maintenance-upcoming");
    const row = upcoming.locator("tr", { hasText: "ストレージ装置の交換" });
    await row.waitFor();
    await row.getByText("C-DEMO-0001").waitFor();
    await row.getByText("設備の保守・工事(第23条第1項第1号)").waitFor();
    await shot(staff, "maintenance-ja");
    await english(staff);
    await row.getByText("Maintenance or works (Art. 23(1)(1))").waitFor();
    await shot(staff, "maintenance-en");
    await japanese(staff);

    // ---- the customer's incident settings: an Alertmanager integration, its token shown once ----
    await staff.goto(`${base}/console/customers/${contract.customer_id}`);
    const settings = staff.getByTestId("incident-settings");
    await settings.getByRole("heading", { name: "障害連絡の設定" }).waitFor();
    await settings.getByText("アラート連携を追加").click();
    const add = settings.getByTestId("new-integration");
    await add.getByLabel("名前").fill("本番環境の監視");
    await add.getByRole("button", { name: "連携を作成する" }).click();
    const issued = settings.getByTestId("integration-issued");
    await issued.waitFor();
    const token = await issued.getByTestId("integration-token").inputValue();
    expect(token).toMatch(/^unyo_ing_/);
    const snippet = await issued.getByTestId("integration-snippet").inputValue();
    expect(snippet).toContain(`url: ${base}/ingest/v1/alertmanager`);
    expect(snippet).toContain("send_resolved: true");
    expect(snippet).toContain(`credentials: ${token}`);
    await settings.getByTestId("integrations-table").getByText("本番環境の監視").waitFor();
    await shot(staff, "customer-settings-ja");
    await issued.getByRole("button", { name: "設定しました(閉じる)" }).click();
    expect(await settings.getByTestId("integration-issued").count()).toBe(0);
    expect(errors).toEqual([]);

    // ---- the customer: the window on its page, and a calendar feed ----
    const customer = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    customer.on("pageerror", (e) => errors.push(String(e)));
    await logIn(customer, base, "sample-admin");
    // Signed in: the portal's menu is there.
    await customer.getByRole("link", { name: "自社情報" }).waitFor();
    await customer.goto(`${base}/portal/maintenance`);
    await customer.getByRole("heading", { name: "計画メンテナンス", level: 1 }).waitFor();
    const mine = customer.getByTestId("my-maintenance");
    await mine.getByText("ストレージ装置の交換").waitFor();
    const feed = customer.getByTestId("calendar-feed");
    await feed.getByRole("button", { name: "カレンダー配信の URL を発行" }).click();
    await feed.getByRole("button", { name: "発行する" }).click();
    const url = await feed.getByTestId("calendar-url-value").inputValue();
    expect(url).toMatch(new RegExp(`^${base}/api/v1/calendar/[A-Za-z0-9_-]+\\.ics$`));
    const ics = await fetch(url);
    expect(ics.status).toBe(200);
    expect(ics.headers.get("content-type")).toContain("text/calendar");
    const text = await ics.text();
    expect(text).toContain("BEGIN:VCALENDAR");
    expect(text.replace(/\r\n[ \t]/g, "")).toContain("ストレージ装置の交換");
    await shot(customer, "portal-maintenance-ja");
    await english(customer);
    await mine.getByText("Planned").waitFor();
    await shot(customer, "portal-maintenance-en");
    // The company page: the integrations read-only, the channels and who gets notices.
    await customer.goto(`${base}/portal/company`);
    const mySettings = customer.getByTestId("incident-settings");
    await mySettings.getByTestId("integrations-table").getByText("本番環境の監視").waitFor();
    expect(await mySettings.getByRole("button", { name: /Renew token|Disable/ }).count()).toBe(0);
    await mySettings.getByTestId("preferences-table").getByText("佐藤 一郎").first().waitFor();
    await shot(customer, "portal-company-en");
    await customer.setViewportSize({ width: 375, height: 812 });
    await shot(customer, "portal-company-en-375");
    expect(await customer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(376);
    expect(errors).toEqual([]);
  });
});
