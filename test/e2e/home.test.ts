/**
 * Browser: the home pages are work queues. The console lists what waits for staff, each with its
 * count and a link; the portal shows the customer's contracts, what is owed and unread notices.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBilling } from "../../src/billing/runs.ts";
import { addMonthsToMonth, monthOf, tokyoDate } from "../../src/core/dates.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

describe("home pages", () => {
  it("the console home shows the queues with counts; the portal home what the customer must know", async () => {
    const { browser, base, db } = e2e;
    const last = addMonthsToMonth(monthOf(tokyoDate(new Date())), -1);
    await runBilling({ db, clock: { now: () => new Date() } }, last);
    const drafts = (await db.selectFrom("invoices").select("id").where("status", "=", "draft").execute())
      .length;
    expect(drafts).toBeGreaterThan(0);

    const staff = await browser.newPage();
    await logIn(staff, base, "billing");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    const draftQueue = staff.getByTestId("queue-drafts");
    await draftQueue.getByText(String(drafts), { exact: true }).waitFor();
    expect(await draftQueue.getByRole("listitem").count()).toBe(Math.min(drafts, 5));
    await staff.getByTestId("queue-applications").getByText("ありません。").waitFor();
    await staff.getByTestId("queue-deliveries").getByText("ありません。").waitFor();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-home-ja.png"), fullPage: true });
    await staff.getByLabel("Language / 言語").first().selectOption("en");
    await staff.getByRole("link", { name: "Draft invoices awaiting issue" }).waitFor();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-home-en.png"), fullPage: true });
    await staff.getByRole("link", { name: "Draft invoices awaiting issue" }).click();
    await expect.poll(() => staff.url()).toMatch(/\/console\/billing$/);
    await staff.close();

    const customer = await browser.newPage();
    await logIn(customer, base, "sample-admin");
    await customer.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();
    const mine = customer.getByTestId("portal-contracts");
    await mine.getByText("C-DEMO-0001 — 契約中").waitFor();
    expect(await mine.getByText("C-DEMO-0002").count()).toBe(0);
    await customer.getByTestId("portal-balance").getByText("未払いの請求はありません。").waitFor();
    await customer.screenshot({ path: path.join(ARTIFACTS, "portal-home-ja.png"), fullPage: true });
    await customer.getByLabel("Language / 言語").first().selectOption("en");
    await customer.getByTestId("portal-balance").getByText("Nothing is unpaid.").waitFor();
    await customer.screenshot({ path: path.join(ARTIFACTS, "portal-home-en.png"), fullPage: true });
    await customer.close();
  });
});
