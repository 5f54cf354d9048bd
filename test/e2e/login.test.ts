/**
 * Browser journeys in Debian's Chromium (playwright-core, no downloaded browsers): a real
 * `unyo serve` process on a cloned test database, driven like a person would.
 */
import path from "node:path";
import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../src/identity/users.ts";
import { ARTIFACTS, type E2E, logIn as logInAt, startE2E } from "./server.ts";

let e2e: E2E;
let browser: Browser;
let base: string;

beforeAll(async () => {
  e2e = await startE2E();
  browser = e2e.browser;
  base = e2e.base;
});

afterAll(async () => {
  await e2e?.close();
});

async function logIn(page: Page, loginId: string) {
  await logInAt(page, base, loginId);
}

describe("web shell", () => {
  it("staff log in to the operator console, see customers, switch to English, log out", async () => {
    const page = await browser.newPage();
    await logIn(page, "operator");
    await expect.poll(() => page.url()).toMatch(/\/console$/);
    await page.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await page.getByText("デモアカウントでログインしています").waitFor();
    await page.getByRole("link", { name: "契約者" }).click();
    await page.getByRole("cell", { name: "株式会社サンプル商事" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "console-customers-ja.png"), fullPage: true });
    await page.getByLabel("Language / 言語").first().selectOption("en");
    await page.getByRole("heading", { name: "Customers" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "console-customers-en.png"), fullPage: true });
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    // The session is gone on the server too.
    const me = await page.evaluate(() => fetch("/api/v1/me").then((r) => r.status));
    expect(me).toBe(401);
    await page.close();
  });

  it("a long list comes a page at a time: the console shows more on demand, in both languages", async () => {
    await sql`INSERT INTO customers (legal_name) SELECT '株式会社ページ' || lpad(g::text, 3, '0') FROM generate_series(1, 150) g`.execute(
      e2e.db,
    );
    const total = Number(
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM customers`.execute(e2e.db)).rows[0]!.n,
    );
    const page = await browser.newPage();
    await logIn(page, "operator");
    await page.getByRole("heading", { name: "運用コンソールへようこそ" }).waitFor();
    await page.getByRole("link", { name: "契約者" }).click();
    const rows = page.locator("tbody tr");
    await page.getByRole("button", { name: "さらに表示" }).waitFor();
    expect(await rows.count()).toBe(100);
    await page.getByLabel("Language / 言語").first().selectOption("en");
    await page.getByRole("button", { name: "Show more" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "console-customers-more-en.png"), fullPage: true });
    await page.getByLabel("Language / 言語").first().selectOption("ja");
    await page.getByRole("button", { name: "さらに表示" }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "console-customers-more-ja.png"), fullPage: true });
    await page.getByRole("button", { name: "さらに表示" }).click();
    await rows.nth(total - 1).waitFor();
    expect(await rows.count()).toBe(total);
    expect(await page.getByRole("button", { name: "さらに表示" }).count()).toBe(0);
    // The server searches: part of the name, or the start of the corporate number; % is a character.
    await page.getByLabel("法人名・法人番号で検索").fill("ページ14");
    await page.getByRole("button", { name: "検索" }).click();
    await expect.poll(() => rows.count()).toBe(10);
    expect(
      (await rows.locator("td:first-child").allTextContents()).every((n) => n.includes("ページ14")),
    ).toBe(true);
    await page.getByLabel("法人名・法人番号で検索").fill("1010001");
    await page.getByRole("button", { name: "検索" }).click();
    await page.getByRole("cell", { name: "株式会社サンプル商事" }).waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel("法人名・法人番号で検索").fill("%");
    await page.getByRole("button", { name: "検索" }).click();
    await page.getByText("ありません。").waitFor();
    expect(await rows.count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "console-customers-search-ja.png"), fullPage: true });
    await page.close();
    // Leave the customers list as the other tests (in any order) expect it.
    await sql`DELETE FROM customers WHERE legal_name LIKE '株式会社ページ%'`.execute(e2e.db);
  });

  it("a customer logs in to the portal and sees only its company", async () => {
    const page = await browser.newPage();
    await logIn(page, "sample-admin");
    await expect.poll(() => page.url()).toMatch(/\/portal$/);
    await page.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();
    await page.getByRole("link", { name: "自社情報" }).click();
    await page.getByText("株式会社サンプル商事").waitFor();
    expect(await page.getByText("合同会社テスト工業").count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, "portal-company.png"), fullPage: true });
    await page.goto(`${base}/portal/no-such-page`);
    await page.getByRole("heading", { name: "ページが見つかりません" }).waitFor();
    await page.close();
  });

  it("a wrong password shows an error and stays on the log-in page", async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.getByLabel("ユーザーID").fill("operator");
    await page.getByLabel("パスワード").fill("not the password");
    await page.getByRole("button", { name: "ログイン" }).click();
    await page.getByRole("alert").getByText("ユーザーIDまたはパスワードが正しくありません。").waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "login-error.png") });
    await page.close();
  });

  it("a new customer user must change the issued initial password first (Art. 10)", async () => {
    const customer = await e2e.db
      .selectFrom("customers")
      .select("id")
      .where("legal_name", "=", "株式会社サンプル商事")
      .executeTakeFirstOrThrow();
    const { user, initialPassword } = await e2e.db.transaction().execute((tx) =>
      createUser(
        tx,
        { kind: "system", id: null },
        {
          kind: "customer",
          customerId: customer.id,
          loginId: "e2e-new-user",
          email: "new@example.test",
          displayName: "新規 利用者",
          role: "customer-member",
        },
        new Date(),
      ),
    );
    expect(user.mustChangePassword).toBe(true);
    const page = await browser.newPage();
    await page.goto(base);
    await page.getByLabel("ユーザーID").fill("e2e-new-user");
    await page.getByLabel("パスワード").fill(initialPassword!);
    await page.getByRole("button", { name: "ログイン" }).click();
    await page.getByText("発行された初期パスワードを変更してください(第10条)。").waitFor();
    await page.getByLabel("現在のパスワード").fill(initialPassword!);
    await page.getByLabel("新しいパスワード(12文字以上)").fill("password1234");
    await page.getByRole("button", { name: "変更する" }).click();
    await page
      .getByRole("alert")
      .getByText(/パスワード: よく使われるパスワードの一覧にあります/)
      .waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "portal-initial-password.png"), fullPage: true });
    await page.getByLabel("新しいパスワード(12文字以上)").fill("a fresh and private passphrase");
    await page.getByRole("button", { name: "変更する" }).click();
    await page.getByRole("heading", { name: "契約者ポータルへようこそ" }).waitFor();
    await page.close();
  });
});
