/**
 * Browser: on an instance started with UNYO_TEST_CLOCK=1, every page says which date the instance
 * runs on; moved with `unyo clock set`, the pages, their default months and the worker follow it.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonthsToMonth, monthOf, tokyoDate } from "../../src/core/dates.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E({ env: { UNYO_TEST_CLOCK: "1" } });
});
afterAll(async () => {
  await e2e?.close();
});

describe("the test clock", () => {
  it("is shown on every page, moved from the command line, and followed by the billing page and the worker", async () => {
    const { browser, base, url, db } = e2e;
    const page = await browser.newPage();
    await logIn(page, base, "billing");
    await page.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    const banner = page.getByTestId("test-clock");
    expect(await banner.textContent()).toContain(tokyoDate(new Date()));

    // Rehearse a month end two months ahead: the 3rd of that month, 10:00 in Japan.
    const target = addMonthsToMonth(monthOf(tokyoDate(new Date())), 2);
    const set = spawnSync(
      process.execPath,
      ["bin/unyo.js", "clock", "set", "--at", `${target}-03T10:00+09:00`],
      {
        env: { ...process.env, DATABASE_URL: url, UNYO_TEST_CLOCK: "1", LOG_LEVEL: "warn" },
        encoding: "utf8",
      },
    );
    expect(set.status, set.stderr).toBe(0);
    // The web process follows within a second or two.
    const deadline = Date.now() + 3_000;
    let today = "";
    while (Date.now() < deadline) {
      today = ((await (await fetch(`${base}/api/v1/clock`)).json()) as { today: string }).today;
      if (today === `${target}-03`) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(today).toBe(`${target}-03`);
    await page.reload();
    await banner.getByText(new RegExp(`${target}-03 10:0\\d`)).waitFor();

    // The billing page offers the instance's last month, and the worker bills it on the instance's date.
    await page.getByRole("link", { name: "請求", exact: true }).click();
    const runMonth = page.getByLabel("対象月").first();
    expect(await runMonth.inputValue()).toBe(addMonthsToMonth(target, -1));
    await page.getByRole("button", { name: "実行する" }).click();
    expect(await page.getByTestId("run-result").textContent()).toMatch(/作成 [1-9]\d* 件/);
    const status = page.getByTestId("run-status").first();
    await status.getByText("完了").waitFor();
    const row = page.getByRole("row").filter({ has: status });
    expect(await row.textContent()).toContain(`${target.replace("-", "/")}/03 10:0`);
    const run = await db
      .selectFrom("billing_runs")
      .select(["started_at", "finished_at"])
      .where("month", "=", addMonthsToMonth(target, -1))
      .executeTakeFirstOrThrow();
    expect(tokyoDate(run.started_at)).toBe(`${target}-03`);
    expect(tokyoDate(new Date(run.finished_at!))).toBe(`${target}-03`);
    await page.screenshot({ path: path.join(ARTIFACTS, "console-test-clock-ja.png"), fullPage: true });

    // In English too.
    await page.getByLabel("Language / 言語").selectOption("en");
    await banner
      .getByText(new RegExp(`Test clock on: this instance runs as of ${target}-03 10:0\\d`))
      .waitFor();
    await page.getByTestId("run-status").first().getByText("Done").waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "console-test-clock-en.png"), fullPage: true });
  });
});
