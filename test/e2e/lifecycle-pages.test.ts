/** Browser: provider actions on a contract, an inquiry answered in the portal, a change confirmed. */
import path from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import { accept, submitApplication } from "../../src/contracts/applications.ts";
import { systemClock } from "../../src/core/clock.ts";
import { loadConfig } from "../../src/core/config.ts";
import { testQueue } from "../helpers.ts";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

describe("console and portal lifecycle pages", () => {
  it("staff send an inquiry from the contract page; the customer answers it and submits a change; staff confirm it", async () => {
    const { browser, base, db } = e2e;
    // A contract of the demo company 株式会社サンプル商事, accepted the usual way.
    const queue = testQueue(db, e2e.url, systemClock, loadConfig({}));
    await queue.start();
    const deps = { db, clock: systemClock, queue };
    const app = await submitApplication(
      deps,
      {
        legalName: "株式会社サンプル商事",
        corporateNumber: "1010001000006",
        address: "東京都",
        billingContact: { name: "経理", email: "sample-billing@demo.unyo.invalid", phone: "03-0000-0000" },
        representatives: [{ name: "代表", email: "sample-rep@demo.unyo.invalid", phone: "03-0000-0000" }],
        plan: "standard",
        options: [],
        servers: [{ hostname: "web.sample.example", provider: "aws" }],
      },
      {
        channel: "paper",
        receivedOn: "2026-11-01",
        applicantEmail: "sample-admin@demo.unyo.invalid",
        actor: { kind: "system", id: null },
      },
    );
    const staffUser = await db
      .selectFrom("users")
      .select(["id", "kind", "role", "customer_id as customerId"])
      .where("login_id", "=", "operator")
      .executeTakeFirstOrThrow();
    const accepted = await accept(deps, { kind: "session", user: staffUser } as never, app.id);
    await queue.stop();
    // Give the contract to the demo customer so its demo log-in sees it.
    const demoCustomer = await db
      .selectFrom("users")
      .select("customer_id")
      .where("login_id", "=", "sample-admin")
      .executeTakeFirstOrThrow();
    await db
      .updateTable("contracts")
      .set({ customer_id: demoCustomer.customer_id! })
      .where("id", "=", accepted.contract.id)
      .execute();
    await db
      .updateTable("contract_events")
      .set({ customer_id: demoCustomer.customer_id! })
      .where("contract_id", "=", accepted.contract.id)
      .execute();

    const staff = await browser.newPage();
    await logIn(staff, base, "operator");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await staff.goto(`${base}/console/contracts/${accepted.contract.id}`);
    await staff.getByRole("heading", { name: "当社の操作" }).waitFor();
    const inquiry = staff.getByRole("form", { name: "問合せを送る(回答期限1ヶ月・第44条)" });
    await inquiry.getByLabel("件名").fill("rootパスワードの確認");
    await inquiry.getByLabel("本文").fill("管理者パスワードの預託についてご確認ください。");
    await inquiry.getByRole("button", { name: "通知を送る" }).click();
    await inquiry.getByRole("status").waitFor();
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-contract-actions.png"), fullPage: true });

    const customer = await browser.newPage();
    await logIn(customer, base, "sample-admin");
    await customer.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();
    await customer.getByRole("link", { name: "問合せ" }).click();
    await customer.getByRole("heading", { name: /rootパスワードの確認/ }).waitFor();
    await customer.getByLabel("回答").fill("確認しました。預託します。");
    await customer.getByRole("button", { name: "回答する" }).click();
    await customer.getByText("回答: 確認しました。預託します。").waitFor();
    await customer.getByRole("link", { name: "変更届" }).click();
    await customer.getByLabel("所在地").fill("大阪府大阪市北区1-1-1");
    await customer.getByRole("button", { name: "届け出る" }).click();
    await customer.getByText("pending").waitFor();
    await customer.screenshot({ path: path.join(ARTIFACTS, "portal-changes.png"), fullPage: true });

    await staff.getByRole("link", { name: "変更届" }).click();
    await staff.getByText("大阪府大阪市北区1-1-1").waitFor();
    await staff.getByRole("button", { name: "確認して反映" }).click();
    await staff.getByText("大阪府大阪市北区1-1-1").waitFor({ state: "detached" });
    await customer.reload();
    await customer.getByText("confirmed").waitFor();
  });
});
