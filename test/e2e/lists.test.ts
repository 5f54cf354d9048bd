/**
 * Browser: a list's column headings order it on the server. Staff click "customer" on the contracts
 * list: the rows follow the server's order for that column, the heading says so to screen readers,
 * and a second click reverses it; the same in English and at phone width.
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

/** The customer names in the contracts table, top to bottom. */
const shownCustomers = (page: Page) =>
  page.locator("table tbody tr td:nth-child(2)").evaluateAll((tds) => tds.map((td) => td.textContent ?? ""));

/** The same list as the API orders it. */
const apiCustomers = (page: Page, sort: string) =>
  page.evaluate(async (s) => {
    const r = await fetch(`/api/v1/contracts?sort=${s}&limit=100`);
    return ((await r.json()).items as { customerName: string }[]).map((c) => c.customerName);
  }, sort);

describe("sortable lists", () => {
  it("staff order the contracts by customer, both ways, in both languages and on a phone", async () => {
    const { browser, base } = e2e;
    const page = await browser.newPage();
    await logIn(page, base, "operator");
    await page.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await page.goto(`${base}/console/contracts`);
    const header = page.getByRole("columnheader", { name: /契約者/ });
    await header.waitFor();
    expect(await header.getAttribute("aria-sort")).toBe("none");
    expect(await page.getByRole("columnheader", { name: /契約番号/ }).getAttribute("aria-sort")).toBe(
      "descending",
    );
    await header.getByRole("button").click();
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("ascending");
    const ascending = await apiCustomers(page, "customer");
    expect(ascending.length).toBeGreaterThan(1);
    await expect.poll(() => shownCustomers(page)).toEqual(ascending);
    await page.screenshot({ path: path.join(ARTIFACTS, "contracts-sorted-ja.png"), fullPage: true });

    await header.getByRole("button").click();
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("descending");
    const descending = await apiCustomers(page, "-customer");
    await expect.poll(() => shownCustomers(page)).toEqual(descending);
    expect(descending).not.toEqual(ascending);

    await page.getByLabel("Language / 言語").first().selectOption("en");
    const en = page.getByRole("columnheader", { name: /Customer/ });
    await en.waitFor();
    expect(await en.getAttribute("aria-sort")).toBe("descending");
    await page.setViewportSize({ width: 375, height: 800 });
    await en.getByRole("button").click();
    await expect.poll(() => en.getAttribute("aria-sort")).toBe("ascending");
    await expect.poll(() => shownCustomers(page)).toEqual(ascending);
    await page.screenshot({ path: path.join(ARTIFACTS, "contracts-sorted-en-375.png"), fullPage: true });
    await page.close();
  });

  it("staff find a sent notice by part of its subject; only matching notices stay listed", async () => {
    const { browser, base } = e2e;
    const page = await browser.newPage();
    await logIn(page, base, "operator");
    await page.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await page.goto(`${base}/console/notices`);
    // Two notices to one customer, then find one by a part of its subject.
    const form = page.getByRole("form", { name: "通知を送る" });
    await form.getByLabel("宛先の契約者を名前で検索").fill("サンプル");
    await form.getByLabel("宛先の契約者", { exact: true }).selectOption({ label: "株式会社サンプル商事" });
    const sent = page.locator("ul li button.link");
    for (const subject of ["請求書送付先変更のお願い", "検索テスト用の保守連絡"]) {
      await form.getByLabel("件名").fill(subject);
      await form.getByLabel("本文").fill("本文");
      await form.getByRole("button", { name: "通知を送る" }).click();
      await form.getByRole("button", { name: "送る", exact: true }).click();
      await sent.filter({ hasText: subject }).waitFor();
    }
    expect(await sent.count()).toBeGreaterThan(1);
    await page.getByLabel("件名で検索").fill("検索テスト");
    await page.getByRole("button", { name: "検索", exact: true }).click();
    await expect.poll(() => sent.count()).toBe(1);
    expect(await sent.first().textContent()).toContain("検索テスト用の保守連絡");
    await page.getByLabel("種類").selectOption("announcement");
    await page.getByText("ありません。").waitFor();
    expect(await sent.count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "notices-search-ja.png"), fullPage: true });
    await page.close();
  });
});
