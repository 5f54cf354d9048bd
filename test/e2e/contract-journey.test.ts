/**
 * The contract journey of issue 3 in a real browser: a company applies on the web, staff accept it
 * in the console, the customer logs in with the issued credentials, previews and requests
 * cancellation, and sees the effective date.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, type E2E, logIn, startE2E } from "./server.ts";

let e2e: E2E;
beforeAll(async () => {
  e2e = await startE2E();
});
afterAll(async () => {
  await e2e?.close();
});

/** The JST business date today, as the server computes it. */
const today = () => new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
const endOfNextMonth = (d: string) => {
  const [y, m] = d.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m + 1, 0)).toISOString().slice(0, 10);
};

describe("apply → accept → log in → cancel", () => {
  it("works end to end in the browser", async () => {
    const { browser, base } = e2e;
    // 1. The applicant fills in the public form.
    const applicant = await browser.newPage();
    await applicant.goto(base);
    await applicant.getByRole("link", { name: "サービスのお申込み(新規)" }).click();
    await applicant.getByLabel("法人名").fill("株式会社ブラウザ商会");
    await applicant.getByLabel("法人番号(13桁)").fill("7000012050002");
    await applicant.getByLabel("所在地").fill("東京都千代田区霞が関3-1-1");
    await applicant.getByLabel("請求先ご担当者名").fill("経理 花子");
    await applicant.getByLabel("請求先メールアドレス").fill("billing@browser.example");
    await applicant.getByLabel("請求先電話番号").fill("03-1111-2222");
    await applicant.getByLabel("契約代表者名").fill("代表 太郎");
    await applicant.getByLabel("契約代表者メールアドレス").fill("rep@browser.example");
    await applicant.getByLabel("契約代表者電話番号").fill("03-1111-3333");
    await applicant.getByLabel("バックアップ").check();
    await applicant
      .getByLabel("対象サーバ(1行に1台のホスト名)")
      .fill("web1.browser.example\ndb1.browser.example");
    await applicant.getByLabel("申込者メールアドレス(受付通知の送付先)").fill("applicant@browser.example");
    // The prices come from the price book; the consent to the terms in force and the privacy notice is asked.
    const prices = applicant.getByTestId("apply-prices");
    await prices.getByText("運用支援サービス スタンダード 月額").waitFor();
    expect(await prices.textContent()).toContain("80,000円");
    await applicant.getByRole("button", { name: "申し込む" }).click();
    await applicant.getByText("約款と個人情報の取扱いの両方に同意してください。").waitFor();
    await applicant
      .getByLabel(/運用支援サービス契約約款\(版 DEMO-1、\d{4}-\d{2}-\d{2} 施行\)に同意します/)
      .check();
    await applicant.getByLabel("個人情報の取扱いに同意します").check();
    await applicant.screenshot({ path: path.join(ARTIFACTS, "apply-form.png"), fullPage: true });
    await applicant.getByLabel("Language / 言語").selectOption("en");
    await applicant.getByTestId("apply-prices").getByText("Operations support, Standard, monthly").waitFor();
    await applicant.screenshot({ path: path.join(ARTIFACTS, "apply-form-en.png"), fullPage: true });
    await applicant.getByLabel("Language / 言語").selectOption("ja");
    await applicant.getByRole("button", { name: "申し込む" }).click();
    const number = await applicant.getByTestId("application-number").textContent();
    expect(number).toMatch(/^A-\d{4}-\d{6}$/);
    await applicant.getByText("クーリングオフ期限").waitFor();
    await applicant.close();

    // 2. Staff accept it in the console and read the issued credentials.
    const staff = await browser.newPage();
    await logIn(staff, base, "operator");
    await staff.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await staff.getByRole("link", { name: "申込", exact: true }).click();
    await staff.getByRole("heading", { name: "申込一覧(審査待ち)" }).waitFor();
    // The whole application is there to review before accepting it.
    const review = staff.getByTestId(`application-${number}`);
    await review.getByText("株式会社ブラウザ商会").click();
    const reviewed = (await review.textContent()) ?? "";
    for (const part of [
      "7000012050002",
      "東京都千代田区霞が関3-1-1",
      "経理 花子",
      "代表 太郎",
      "バックアップ",
    ])
      expect(reviewed).toContain(part);
    expect(reviewed).toContain("対象サーバweb1.browser.example (aws), db1.browser.example (aws)");
    expect(reviewed).toContain("applicant@browser.example");
    expect(reviewed).toMatch(/約款 DEMO-1・個人情報の取扱い \d{4}-\d{2}-\d{2} に同意/);
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-applications.png"), fullPage: true });
    await staff.getByRole("button", { name: `承諾 ${number}` }).click();
    // Accepting establishes the contract and tells the customer: it asks first, with what it covers.
    const ask = staff.getByRole("alertdialog", { name: `承諾 ${number}` });
    expect(await ask.textContent()).toContain("契約成立のお知らせを送ります");
    expect(await ask.textContent()).toContain("オプション バックアップ、対象サーバ 2 台");
    await ask.getByRole("button", { name: "承諾する" }).click();
    const loginId = (await staff.getByTestId("portal-user").textContent())!;
    const initialPassword = (await staff.getByTestId("initial-password").textContent())!;
    expect(initialPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    await staff.screenshot({ path: path.join(ARTIFACTS, "console-accepted.png"), fullPage: true });
    await staff.close();

    // 3. The customer logs in with them, changes the initial password (Art. 10).
    const customer = await browser.newPage();
    await logIn(customer, base, loginId, initialPassword);
    await customer.getByLabel("現在のパスワード").fill(initialPassword);
    await customer.getByLabel("新しいパスワード(12文字以上)").fill("browser shop passphrase 2026");
    await customer.getByRole("button", { name: "変更する" }).click();
    await customer.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();

    // 4. …sees the contract, previews the cancellation, confirms, and sees the effective date.
    await customer.getByRole("link", { name: "契約", exact: true }).click();
    await customer.getByRole("cell").getByRole("link").first().click();
    await customer.getByText("最低契約期間の終了日").waitFor();
    await customer.getByRole("button", { name: "試算する" }).click();
    const expected = endOfNextMonth(today());
    await expect.poll(() => customer.getByTestId("whatif-effective").textContent()).toBe(expected);
    await customer.getByText("根拠(約款の条項)").first().click();
    await customer.screenshot({
      path: path.join(ARTIFACTS, "portal-cancellation-preview.png"),
      fullPage: true,
    });
    await customer.getByRole("button", { name: "上記の内容で解約を確定する" }).click();
    await customer.getByText("解約のお申出を受理しました。").waitFor();
    await expect.poll(() => customer.getByTestId("end-effective").textContent()).toBe(expected);
    await expect.poll(() => customer.getByTestId("contract-status").textContent()).toBe("終了予定");
    await customer.screenshot({ path: path.join(ARTIFACTS, "portal-cancelled.png"), fullPage: true });

    // 5. The notices arrived in the portal inbox.
    await customer.getByRole("link", { name: "通知" }).click();
    await customer.getByRole("heading", { name: /解約のお申出を受理しました/ }).waitFor();
    await customer.getByRole("heading", { name: /ご契約成立のお知らせ/ }).waitFor();
    await customer.getByRole("button", { name: "確認しました" }).first().click();
    await customer.getByText("確認済み").first().waitFor();
    await customer.close();
  });
});
