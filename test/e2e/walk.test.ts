/**
 * Browser: every page of the README's tour, as each kind of user sees it, in Japanese and English, at
 * desktop and phone width (375 px). Each visit is checked for
 * - what the user must never see: raw codes (`unpaid_fees`, `change_requested`), `undefined`/`NaN`,
 *   raw ISO timestamps; English left in the Japanese page's headings, labels, buttons and column
 *   headers, Japanese left in the English page's;
 * - WCAG 2.1 A/AA with axe-core: a serious or critical violation fails;
 * - at phone width, a page wider than the screen (tables scroll inside their own box instead).
 * Screenshots of every visit land in test-artifacts/walk/; axe's results in test-artifacts/axe.json.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import zlib from "node:zlib";
import { sql } from "kysely";
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBilling } from "../../src/billing/runs.ts";
import { DEMO_PASSWORD } from "../../src/cli/demo.ts";
import { addMonthsToMonth, monthOf, tokyoDate } from "../../src/core/dates.ts";
import { seedIncidentsDemo } from "../../src/incidents/demo.ts";
import { rebuildRollupsSinceMarks } from "../../src/monitoring/housekeeping.ts";
import { issueMonthOn } from "../helpers.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

const AXE = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SHOTS = path.join(ARTIFACTS, "walk");

let e2e: E2E;
beforeAll(async () => {
  // Credential custody needs a master key in the web process: the server page shows what it holds.
  e2e = await startE2E({ env: { UNYO_MASTER_KEY: randomBytes(32).toString("base64") } });
  fs.mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await e2e?.close();
});

type Lang = "ja" | "en";
interface Finding {
  page: string;
  lang: Lang;
  width: number;
  what: string;
}
interface AxeResult {
  page: string;
  lang: Lang;
  width: number;
  /** How many rules passed: axe ran and checked the page. */
  passes: number;
  violations: { id: string; impact: string; help: string; nodes: string[] }[];
}

/** Words the Japanese UI keeps in Latin letters (names, standards, units). */
const LATIN_OK = new Set(
  [
    "Unyo",
    "ID",
    "PDF",
    "CSV",
    "URL",
    "TOTP",
    "OS",
    "API",
    "JST",
    "Language",
    "IP",
    "E",
    "mail",
    "QR",
    "SMTP",
    "AWS",
    "Azure",
    "Google",
    "Cloud",
    "GCP",
    "Web",
    "OK",
    "SLA",
    "YYYY",
    "MM",
    "DD",
    "Ubuntu",
    "YYYY-MM",
    // Monitoring's protocols.
    "HTTP",
    "HTTPS",
    "TCP",
    "ICMP",
    "TLS",
    "DNS",
    "SSH",
    "JSON",
  ].map((w) => w.toLowerCase()),
);

/** The API as a staff member (a session of its own, outside the browser): for the data the tours show. */
async function apiAs(base: string, loginId: string) {
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ loginId, password: DEMO_PASSWORD }),
  });
  if (!login.ok) throw new Error(`log-in as ${loginId}: ${login.status} ${await login.text()}`);
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

/**
 * Monitoring's pages need a server, checks with a history, a credential revealed once and a published
 * status page: registered through the API as staff would, the history written as the probe's roll-ups
 * (no probe runs in the walk): 7 days of hours, 60 days before that, a bad hour and two bad days.
 */
async function monitoringData(base: string, db: E2E["db"], contractId: string, customerId: string) {
  const engineer = await apiAs(base, "engineer");
  await engineer("POST", `/contracts/${contractId}/inventory/from-contract`);
  const item = (await engineer("GET", `/contracts/${contractId}/inventory`)).registered[0] as { id: string };
  const check = await engineer("POST", "/checks", {
    kind: "http",
    name: "ウェブサイト",
    itemId: item.id,
    intervalS: 60,
    timeoutMs: 5000,
    settings: { url: "http://127.0.0.1:9/health", method: "GET", keyword: "ok", verifyTls: true },
  });
  const push = await engineer("POST", "/checks", {
    kind: "heartbeat",
    name: "夜間バックアップ",
    itemId: item.id,
    intervalS: 86_400,
    settings: { graceS: 3600 },
  });
  await engineer("POST", `/checks/${push.id}/pause`, { reason: "maintenance" });
  const credential = await engineer("POST", `/inventory/${item.id}/credentials`, {
    kind: "root_password",
    label: "本番ルートパスワード",
    username: "root",
    secret: "walk-secret-1",
  });
  await engineer("POST", `/credentials/${credential.id}/reveal`, { reason: "障害調査のためログインする" });
  const { publicUrl } = await engineer("PUT", `/customers/${customerId}/status-page`, { enabled: true });
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const now = Date.now();
  const today = Math.floor((now + 9 * HOUR) / DAY) * DAY - 9 * HOUR;
  const row = (grain: "h" | "d", at: number, span: number, down: number, avg: number) => ({
    check_id: check.id as string,
    customer_id: customerId,
    grain,
    bucket: new Date(at),
    runs: span / 60_000,
    ok_runs: span / 60_000 - Math.round(down / 60_000),
    up_ms: span - down,
    down_ms: down,
    muted_ms: 0,
    latency_sum: (avg * span) / 60_000,
    latency_count: span / 60_000,
    latency_max: avg * 3,
  });
  const rows: ReturnType<typeof row>[] = [];
  for (let h = today - 7 * DAY, i = 0; h < Math.floor(now / HOUR) * HOUR; h += HOUR, i++)
    rows.push(row("h", h, HOUR, i === 80 ? 1_800_000 : 0, 40 + (i % 24)));
  for (let d = today - 67 * DAY, k = 0; d < today; d += DAY, k++)
    rows.push(row("d", d, DAY, k === 20 ? 3_600_000 : k === 63 ? 1_800_000 : 0, 50));
  await db.insertInto("check_rollups").values(rows).execute();
  await rebuildRollupsSinceMarks(db, now);
  return { itemId: item.id, checkId: check.id as string, publicUrl: publicUrl as string };
}

/**
 * Incidents' pages need incidents: a customer's alerts received through a generic integration (one
 * firing, acknowledged, with a public update and a report; one resolved after its awareness was
 * corrected, so that it counts as unavailability), the demo's on-call rotation, and a planned
 * maintenance window of the contract announced in time (Art. 23(3)).
 */
async function incidentsData(base: string, db: E2E["db"], contractId: string, customerId: string) {
  await seedIncidentsDemo(db);
  const operator = await apiAs(base, "operator");
  const integration = await operator("POST", `/customers/${customerId}/integrations`, {
    kind: "generic",
    name: "監視基盤",
    contractId,
    defaultSeverity: "major",
  });
  const now = Date.now();
  const alert = (key: string, title: string, severity: string) => ({
    key,
    status: "firing",
    title,
    startsAt: new Date(now - 5 * 60_000).toISOString(),
    severity,
    host: "web1.1.demo.invalid",
    labels: { team: "infra", service: "web" },
  });
  const r = await fetch(`${base}/ingest/v1/generic`, {
    method: "POST",
    headers: { authorization: `Bearer ${integration.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      alerts: [
        alert("disk-web1", "ディスク使用率 95%", "warning"),
        alert("http-web1", "ウェブサイトが応答しない", "critical"),
      ],
    }),
  });
  if (!r.ok) throw new Error(`ingest: ${r.status} ${await r.text()}`);
  const list = (await operator("GET", `/incidents?customerId=${customerId}`)).items as {
    id: string;
    title: string;
  }[];
  const disk = list.find((i) => i.title.includes("ディスク"))!;
  const web = list.find((i) => i.title.includes("ウェブサイト"))!;
  await operator("POST", `/incidents/${disk.id}/acknowledge`);
  await operator("POST", `/incidents/${disk.id}/comments`, {
    body: "不要なログを削除しています。",
    public: true,
  });
  await operator("POST", `/incidents/${disk.id}/comments`, { body: "ログ保持の設定を見直す", public: false });
  await operator("PATCH", `/incidents/${disk.id}`, {
    report: "ログの肥大化によりディスク使用率が上昇しました。",
  });
  await operator("POST", `/incidents/${web.id}/corrections`, {
    reason: "監視の記録から認知時刻を訂正",
    awareAt: new Date(now - 2 * 3_600_000).toISOString(),
  });
  await operator("POST", `/incidents/${web.id}/resolve`, {
    restoredAt: new Date(now - 30 * 60_000).toISOString(),
    note: "ウェブサーバーを再起動しました。",
  });
  const day = 86_400_000;
  await operator("POST", "/maintenance", {
    scope: "contract",
    contractId,
    title: "OS のセキュリティ更新",
    startsAt: new Date(now + 10 * day).toISOString(),
    endsAt: new Date(now + 10 * day + 2 * 3_600_000).toISOString(),
  });
  return { openId: disk.id, resolvedId: web.id };
}

/**
 * The requests of each page still under way. The incidents' live stream (Server-Sent Events) stays
 * open as long as the page: it never counts, or a page following incidents would never be idle.
 */
const inFlight = new WeakMap<Page, Set<Request>>();
const LIVE_STREAM = "/api/v1/incidents/stream";
function watchRequests(page: Page) {
  const open = new Set<Request>();
  inFlight.set(page, open);
  page.on("request", (r) => {
    if (!r.url().includes(LIVE_STREAM)) open.add(r);
  });
  const done = (r: Request) => open.delete(r);
  page.on("requestfinished", done);
  page.on("requestfailed", done);
}

/** Like Playwright's "networkidle" (no request for 500 ms), the live stream aside; at most 30 s. */
async function networkQuiet(page: Page) {
  await page.waitForLoadState("load");
  const open = inFlight.get(page);
  if (!open) return page.waitForLoadState("networkidle");
  const end = Date.now() + 30_000;
  let quietSince = Date.now();
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    if (open.size > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= 500) return;
  }
  throw new Error(`the network did not settle: ${[...open].map((r) => r.url()).join(", ")}`);
}

async function settle(page: Page) {
  await networkQuiet(page);
  await page
    .getByText(/^(読み込み中…|Loading…)$/)
    .first()
    .waitFor({ state: "detached", timeout: 10_000 })
    .catch(() => {});
  await page.locator("h1, h2").first().waitFor();
}

async function check(
  page: Page,
  name: string,
  lang: Lang,
  width: number,
  findings: Finding[],
  axe: AxeResult[],
) {
  const where = { page: name, lang, width };
  const found = await page.evaluate(
    ({ lang, latinOk }) => {
      const out: string[] = [];
      const ok = new Set(latinOk);
      const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || el.tagName === "OPTION";
      const chrome = [
        ...document.querySelectorAll(
          "h1, h2, h3, h4, th, label, button, legend, nav a, dt, summary, caption, option, [role=tab], .hint, .who, .basis li",
        ),
      ].filter(visible);
      for (const el of chrome) {
        // Data shown inside chrome (a contract's number in a heading, a customer's name in an option)
        // is marked as such (data-value), and text in another language says so (lang); the controls
        // inside a label are checked on their own.
        if (el.closest("[data-value], [lang]:not(html)")) continue;
        const clone = el.cloneNode(true) as HTMLElement;
        for (const d of clone.querySelectorAll("[data-value], [lang], select, textarea, input")) d.remove();
        let text = (clone.textContent ?? "").replace(/\s+/g, " ").trim();
        if (el.tagName === "OPTION" && (el as HTMLOptionElement).value === (lang === "ja" ? "en" : "ja"))
          continue;
        if (text === "Language / 言語") continue;
        // A hint's example of what to type in kana (a bank's name, an account holder) is kana in both.
        if (el.matches(".hint")) text = text.replace(/[\u30a0-\u30ff\uff66-\uff9f]+/g, "");
        if (!text) continue;
        if (lang === "en" && /[\u3040-\u30ff\u3400-\u9fff]/.test(text))
          out.push(`Japanese in ${el.tagName.toLowerCase()}: "${text.slice(0, 80)}"`);
        if (lang === "ja") {
          // Identifiers (host names, numbers, paths: with a digit, dot or slash) and e-mail addresses
          // are data; words of letters are the UI's.
          const words = text
            .split(/[\s,、()()「」:;]+/)
            .filter((w) => w && !/[\d./@]/.test(w))
            .flatMap((w) => w.match(/[A-Za-z][A-Za-z-]*[A-Za-z]/g) ?? [])
            .filter((w) => !ok.has(w.toLowerCase()));
          if (words.length) out.push(`English in ${el.tagName.toLowerCase()}: "${text.slice(0, 80)}"`);
        }
      }
      // biome-ignore lint/performance/useDomNodeTextContent: what the user sees, not hidden text
      const body = (document.querySelector("main") ?? document.body).innerText;
      for (const m of body.replace(/\S+@\S+/g, "").matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g))
        out.push(`raw code: "${m[0]}"`);
      for (const m of body.matchAll(/\bundefined\b|\bNaN\b|\[object Object\]|\b\d{4}-\d\d-\d\dT\d\d:\d\d/g))
        out.push(`raw value: "${m[0]}"`);
      // An article cited in the other language's way (第31条第3項 in the English page, Art. 31(3) in the
      // Japanese), outside text marked as another language's or as data.
      const walker = document.createTreeWalker(
        document.querySelector("main") ?? document.body,
        NodeFilter.SHOW_TEXT,
      );
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const el = n.parentElement;
        if (!el || el.closest("[lang]:not(html), [data-value], script, style")) continue;
        const text = n.textContent ?? "";
        const wrong = lang === "en" ? /第\d+条/.exec(text) : /\bArt\. \d+/.exec(text);
        if (wrong) out.push(`article cited the other language's way: "${text.trim().slice(0, 80)}"`);
      }
      if (document.documentElement.scrollWidth > window.innerWidth + 1)
        out.push(
          `wider than the screen: ${document.documentElement.scrollWidth} px > ${window.innerWidth} px`,
        );
      return out;
    },
    { lang, latinOk: [...LATIN_OK] },
  );
  for (const what of [...new Set(found)]) findings.push({ ...where, what });

  await page.evaluate(`${AXE};0`);
  const result = (await page.evaluate(async () => {
    const r = await (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            o: object,
          ): Promise<{
            passes: unknown[];
            violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
          }>;
        };
      }
    ).axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
    return {
      passes: r.passes.length,
      violations: r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      })),
    };
  })) as Omit<AxeResult, "page" | "lang" | "width">;
  axe.push({ ...where, ...result });
  await page.screenshot({
    path: path.join(SHOTS, `${name.replace(/[^\w-]+/g, "_")}-${lang}-${width}.png`),
    fullPage: true,
  });
}

async function setLang(page: Page, lang: Lang) {
  await page.evaluate((l) => localStorage.setItem("unyo.lang", l), lang);
}

describe("every page, both languages, desktop and phone", () => {
  it("shows no raw codes or leftovers of the other language, meets WCAG 2.1 AA (axe) and fits a phone", async () => {
    const { browser, base, db } = e2e;
    const thisMonth = monthOf(tokyoDate(new Date()));
    const last = addMonthsToMonth(thisMonth, -1);
    const older = addMonthsToMonth(thisMonth, -2);
    const clock = { now: () => new Date() };
    await runBilling({ db, clock }, older);
    await issueMonthOn({ db }, older, `${last}-01`);
    await runBilling({ db, clock }, last);

    const sample = await db
      .selectFrom("customers")
      .select("id")
      .where("legal_name", "=", "株式会社サンプル商事")
      .executeTakeFirstOrThrow();
    const contract = await db
      .selectFrom("contracts")
      .select("id")
      .where("customer_id", "=", sample.id)
      .executeTakeFirstOrThrow();
    const invoice = await db
      .selectFrom("invoices")
      .select("id")
      .where("customer_id", "=", sample.id)
      .where("status", "=", "issued")
      .executeTakeFirstOrThrow();

    const terms = await db
      .selectFrom("terms_versions")
      .select("id")
      .where("number", "=", "DEMO-1")
      .executeTakeFirstOrThrow();

    const monitoring = await monitoringData(base, db, contract.id, sample.id);
    const incidents = await incidentsData(base, db, contract.id, sample.id);

    const tours: { login: string | null; pages: [string, string][] }[] = [
      {
        login: null,
        pages: [
          ["login", "/login"],
          ["apply", "/apply"],
          ["privacy", "/privacy"],
          ["terms-text", `/terms/${terms.id}`],
          ["public-status", monitoring.publicUrl],
        ],
      },
      {
        login: "operator",
        pages: [
          ["console-home", "/console"],
          ["console-applications", "/console/applications"],
          ["console-contracts", "/console/contracts"],
          ["console-contract", `/console/contracts/${contract.id}`],
          ["console-customers", "/console/customers"],
          ["console-customer", `/console/customers/${sample.id}`],
          ["console-customer-status", `/console/customers/${sample.id}/status`],
          ["console-servers", "/console/servers"],
          ["console-server", `/console/servers/${monitoring.itemId}`],
          ["console-check", `/console/checks/${monitoring.checkId}`],
          ["console-incidents", "/console/incidents"],
          ["console-incident", `/console/incidents/${incidents.openId}`],
          ["console-incident-resolved", `/console/incidents/${incidents.resolvedId}`],
          ["console-oncall", "/console/oncall"],
          ["console-maintenance", "/console/maintenance"],
          ["console-notices", "/console/notices"],
          ["console-inquiries", "/console/inquiries"],
          ["console-changes", "/console/changes"],
          ["console-contract-changes", "/console/contract-changes"],
          ["console-terms", "/console/terms"],
          ["console-billing", "/console/billing"],
          ["console-invoice", `/console/invoices/${invoice.id}`],
          ["console-price-book", "/console/price-book"],
          ["console-account", "/console/account"],
        ],
      },
      { login: "billing", pages: [["console-payments", "/console/payments"]] },
      // The one who holds credentials sees the custody forms on a server's page.
      { login: "engineer", pages: [["console-server-custody", `/console/servers/${monitoring.itemId}`]] },
      {
        login: "sample-admin",
        pages: [
          ["portal-home", "/portal"],
          ["portal-contracts", "/portal/contracts"],
          ["portal-contract", `/portal/contracts/${contract.id}`],
          ["portal-status", "/portal/status"],
          ["portal-servers", "/portal/servers"],
          ["portal-incidents", "/portal/incidents"],
          ["portal-incident", `/portal/incidents/${incidents.openId}`],
          ["portal-incident-resolved", `/portal/incidents/${incidents.resolvedId}`],
          ["portal-maintenance", "/portal/maintenance"],
          ["portal-notices", "/portal/notices"],
          ["portal-inquiries", "/portal/inquiries"],
          ["portal-changes", "/portal/changes"],
          ["portal-invoices", "/portal/invoices"],
          ["portal-invoice", `/portal/invoices/${invoice.id}`],
          ["portal-company", "/portal/company"],
          ["portal-users", "/portal/users"],
          ["portal-terms", "/portal/terms"],
          ["portal-terms-text", `/portal/terms/${terms.id}`],
          ["portal-account", "/portal/account"],
        ],
      },
    ];

    const findings: Finding[] = [];
    const axe: AxeResult[] = [];
    let visits = 0;
    for (const width of [1280, 375]) {
      for (const tour of tours) {
        const page = await browser.newPage({ viewport: { width, height: width === 375 ? 812 : 900 } });
        watchRequests(page);
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        try {
          if (tour.login) {
            await logIn(page, base, tour.login);
            await page.getByRole("button", { name: "ログアウト" }).waitFor();
          } else await page.goto(base);
        } catch (err) {
          await page.screenshot({ path: path.join(SHOTS, `login-failed-${tour.login}-${width}.png`) });
          fs.writeFileSync(path.join(ARTIFACTS, "walk-findings.json"), JSON.stringify(findings, null, 2));
          throw err;
        }
        for (const lang of ["ja", "en"] as const) {
          await setLang(page, lang);
          for (const [name, url] of tour.pages) {
            try {
              await page.goto(`${base}${url}`);
              await settle(page);
              await check(page, name, lang, width, findings, axe);
              visits++;
            } catch (err) {
              findings.push({
                page: name,
                lang,
                width,
                what: `could not be checked: ${String(err).slice(0, 200)}`,
              });
            }
          }
        }
        await setLang(page, "ja");
        expect(errors, `JavaScript errors on ${tour.login ?? "public"} pages`).toEqual([]);
        await page.close();
      }
    }
    // The customer page gathers the company's contracts and invoices with what is owed.
    {
      const page = await browser.newPage();
      await logIn(page, base, "operator");
      await page.getByRole("link", { name: "契約者", exact: true }).click();
      await page.getByRole("link", { name: "株式会社サンプル商事", exact: true }).click();
      await page.getByRole("heading", { name: "株式会社サンプル商事" }).waitFor();
      await page.getByTestId("customer-contracts").getByRole("link", { name: "C-DEMO-0001" }).waitFor();
      const owed = await db
        .selectFrom("invoices")
        .select(sql<number>`sum(greatest(total - paid_amount, 0))`.as("total"))
        .where("customer_id", "=", sample.id)
        .where("status", "=", "issued")
        .executeTakeFirstOrThrow();
      await page
        .getByTestId("customer-balance")
        .getByText(`${Number(owed.total).toLocaleString("ja-JP")}円`)
        .waitFor();
      await page.getByTestId("customer-invoices").getByRole("link", { name: /^INV-/ }).first().waitFor();
      // Its contacts, its users, the notices it received and its timeline from the audit log.
      await page.getByText("東京都港区芝公園4-2-8").waitFor();
      await page.getByTestId("company-users").getByText("sample-admin", { exact: true }).waitFor();
      await page.getByTestId("customer-timeline").getByText("顧客登録").waitFor();
      await page.getByTestId("customer-notices").waitFor();
      // The contracts list filters by state (the server's filter): only suspended ones, then all.
      const suspended = await db
        .selectFrom("contracts")
        .select("number")
        .where("status", "=", "suspended")
        .execute();
      await page.getByRole("link", { name: "契約", exact: true }).click();
      await page.getByRole("heading", { name: "契約一覧" }).waitFor();
      const rows = page.locator("main table tbody tr");
      await expect.poll(() => rows.count()).toBeGreaterThan(suspended.length);
      await page.getByLabel("状態で絞り込む").selectOption("suspended");
      await expect.poll(() => rows.count()).toBe(suspended.length);
      const numbers = await rows.locator("td:first-child").allTextContents();
      expect(numbers.sort()).toEqual(suspended.map((c) => c.number).sort());
      // Each row names its customer; the server searches the number and the customer's name.
      await page.getByLabel("状態で絞り込む").selectOption("");
      await page.getByLabel("契約番号・契約者名で検索").fill("サンプル商事");
      await page.getByRole("button", { name: "検索" }).click();
      await expect.poll(() => rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain("C-DEMO-0001");
      await rows.first().getByRole("link", { name: "株式会社サンプル商事" }).waitFor();
      await page.close();
    }
    fs.writeFileSync(path.join(ARTIFACTS, "axe.json"), JSON.stringify(axe, null, 2));
    fs.writeFileSync(path.join(ARTIFACTS, "walk-findings.json"), JSON.stringify(findings, null, 2));
    // axe ran on every visit and found something to check.
    expect(axe.filter((a) => a.passes < 10).map((a) => `${a.page} ${a.lang} ${a.width}`)).toEqual([]);
    expect(visits).toBe(tours.reduce((n, t) => n + t.pages.length, 0) * 4);
    const serious = axe.flatMap((a) =>
      a.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map(
          (v) => `${a.page} ${a.lang} ${a.width}px: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.join(", ")}`,
        ),
    );
    expect(serious).toEqual([]);
    expect(findings.map((f) => `${f.page} ${f.lang} ${f.width}px: ${f.what}`)).toEqual([]);
    // 51 pages × 2 languages × 2 widths, each checked by axe: minutes on a busy machine.
  }, 900_000);
});

describe("the built web UI", () => {
  it("is served compressed (br, gzip) and its hashed assets cached immutable; the page itself is checked each visit", async () => {
    const { base } = e2e;
    const index = await fetch(`${base}/console`, { headers: { "accept-encoding": "identity" } });
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    const script = html.match(/src="(\/assets\/index-[\w-]+\.js)"/)?.[1];
    expect(script).toBeDefined();
    const plain = await fetch(`${base}${script}`, { headers: { "accept-encoding": "identity" } });
    const body = Buffer.from(await plain.arrayBuffer());
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    for (const [accept, encoding] of [
      ["br, gzip", "br"],
      ["gzip", "gzip"],
    ] as const) {
      // node's fetch would decode it: ask with the raw http client to see the bytes sent.
      const { statusCode, headers, bytes } = await new Promise<{
        statusCode: number;
        headers: Record<string, string | string[] | undefined>;
        bytes: Buffer;
      }>((resolve, reject) => {
        http
          .get(`${base}${script}`, { headers: { "accept-encoding": accept } }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({
                statusCode: res.statusCode ?? 0,
                headers: res.headers,
                bytes: Buffer.concat(chunks),
              }),
            );
          })
          .on("error", reject);
      });
      expect(statusCode).toBe(200);
      expect(headers["content-encoding"]).toBe(encoding);
      expect(headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(String(headers.vary)).toMatch(/accept-encoding/i);
      const decoded = encoding === "br" ? zlib.brotliDecompressSync(bytes) : zlib.gunzipSync(bytes);
      expect(decoded.equals(body)).toBe(true);
      expect(bytes.length).toBeLessThan(body.length / 3);
    }
    fs.writeFileSync(
      path.join(ARTIFACTS, "bundle-size.json"),
      JSON.stringify({ script, bytes: body.length, brotli: zlib.brotliCompressSync(body).length }, null, 2),
    );
  });
});
