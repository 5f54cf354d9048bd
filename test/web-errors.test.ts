/**
 * The web app says an API error in its reader's language from the error's code, article and details;
 * the server's English sentence is only the fallback. Errors here are the server's real answers.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { apiErrorText } from "../web/src/errors.ts";
import { loadLanguage, messages } from "../web/src/i18n.ts";

// English is its own chunk in the browser, loaded when chosen; here, once for the file.
beforeAll(async () => {
  await loadLanguage("en");
  await loadLanguage("ja");
});

describe("API errors in the reader's language", () => {
  it("has every key in both languages once English is loaded", () => {
    expect(Object.keys(messages.en).sort()).toEqual(Object.keys(messages.ja).sort());
    expect(messages.en["users.title"]).toBe("Users");
  });

  it("a validation error of the request schema names each field and its problem", () => {
    const e = {
      code: "validation_failed",
      message: "invalid params: id: Invalid UUID",
      details: [{ path: "params.id", message: "Invalid UUID", issue: "invalid_format", format: "uuid" }],
    };
    expect(apiErrorText(e, "ja")).toBe("入力内容を確認してください。 ID: ID の形式が正しくありません");
    expect(apiErrorText(e, "en")).toBe("Please check what you entered. ID: not a valid ID");
    const short = {
      code: "validation_failed",
      message: "invalid body: legalName: Too small",
      details: [
        { path: "legalName", message: "Too small", issue: "too_small", origin: "string", minimum: 1 },
      ],
    };
    expect(apiErrorText(short, "ja")).toBe(
      "入力内容を確認してください。 法人名: 1 文字以上で入力してください",
    );
  });

  it("a rule's problems (corporate number check digit, weak password) in words, with the article", () => {
    const digit = {
      code: "validation_failed",
      message: "corporate number 1234567890123 has a wrong check digit",
      details: { corporateNumber: ["check_digit"] },
    };
    expect(apiErrorText(digit, "ja")).toBe(
      "入力内容を確認してください。 法人番号: チェックデジットが正しくありません",
    );
    expect(apiErrorText(digit, "en")).toBe(
      "Please check what you entered. Corporate number: the check digit is wrong",
    );
    const weak = {
      code: "validation_failed",
      message: "password: at least 12 characters are required; …",
      details: { newPassword: ["too_short", "common"] },
    };
    expect(apiErrorText(weak, "ja")).toContain(
      "新しいパスワード: 12 文字以上にしてください。よく使われるパスワードの一覧にあります",
    );
    expect(apiErrorText(weak, "ja")).not.toMatch(/[a-z]{4,}/);
    const bank = {
      code: "validation_failed",
      message: 'accountHolder: "株" cannot be sent to the bank; …',
      details: { accountHolder: ["zengin_charset"], char: "株" },
    };
    expect(apiErrorText(bank, "ja")).toBe(
      "入力内容を確認してください。 口座名義(カナ): 「株」は銀行に送れません。銀行に登録されているとおりカナで入力してください(例: ﾔﾏﾀﾞ ﾀﾛｳ、ｶ)ｳﾝﾖｳ)",
    );
  });

  it("lock-out, missing role and a conflict citing its article", () => {
    const locked = {
      code: "locked",
      message: "this account is temporarily locked after repeated failed log-ins; try again later",
      details: { lockedUntil: "2026-12-02T05:30:00.000Z" },
    };
    expect(apiErrorText(locked, "ja")).toBe(
      "ログインの失敗が続いたため、アカウントを 14:30 まで一時的にロックしています。",
    );
    expect(apiErrorText(locked, "en")).toContain("locked until 14:30");
    const role = {
      code: "forbidden",
      message: "needs one of the roles: admin, billing",
      details: { roles: ["admin", "billing"] },
    };
    expect(apiErrorText(role, "ja")).toBe("この操作には次の役割が必要です: 管理者、請求担当。");
    const conflict = {
      code: "conflict",
      message: "the service menu does not allow this change",
      article: "20(3)",
    };
    expect(apiErrorText(conflict, "ja")).toBe(
      "現在の状態ではこの操作を行えません。(第20条第3項) (詳細: the service menu does not allow this change)",
    );
    expect(apiErrorText(conflict, "en")).toBe("the service menu does not allow this change (Art. 20(3))");
  });

  it("a code it has no words for falls back to the server's message", () => {
    expect(apiErrorText({ code: "teapot", message: "I'm a teapot" }, "ja")).toBe("I'm a teapot");
  });
});
