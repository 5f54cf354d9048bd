import { describe, expect, it } from "vitest";
import {
  afterFailedLogin,
  LOCKOUT_THRESHOLD,
  passwordProblems,
  pendingObligation,
  reauthenticatedRecently,
  sessionState,
  totpRequired,
} from "./rules.ts";

describe("password policy (ASVS 2.1)", () => {
  it.each([
    ["a long and unusual passphrase", "alice", []],
    ["zq8!vR", "alice", ["too_short"]],
    ["password1234", "alice", ["common"]],
    ["qwerty123456", "alice", ["common"]],
    ["alice-is-my-password", "alice", ["contains_login"]],
    ["日本語のパスフレーズです十二文字", "alice", []],
    ["x".repeat(129), "alice", ["too_long"]],
    // Long enough, and still refused (found accepted in a review): blank, repeats, keyboard rows,
    // a word repeated, sequences, the published demo password.
    [" ".repeat(12), "alice", ["blank"]],
    ["\t".repeat(12), "alice", ["blank"]],
    ["aaaaaaaaaaaa", "alice", ["guessable"]],
    ["qwertyuiopasdf", "alice", ["guessable"]],
    ["unyounyounyo", "alice", ["guessable"]],
    ["abcdefghijklmnop", "alice", ["guessable"]],
    ["123456789012", "alice", ["common"]],
    ["sakurasakura1", "alice", ["guessable"]],
    ["unyo-demo-2026!", "alice", ["published"]],
    ["correct horse battery staple 9", "alice", []],
    ["kj4#Lm9!qz2Pw", "alice", []],
  ])("%s → %j", (pw, login, problems) => {
    expect(passwordProblems(pw, login)).toEqual(problems);
  });
  it("counts characters, not bytes (12 kana pass)", () => {
    expect(passwordProblems("ふじさんとさくらともみじがり")).toEqual([]);
    expect(passwordProblems("あいうえおかきくけこさ")).toEqual(["too_short"]);
    // A run of the kana table is a sequence, however long.
    expect(passwordProblems("あいうえおかきくけこさし")).toEqual(["guessable"]);
  });
  it("lets a demo account, and only a demo account, keep the published password", () => {
    expect(passwordProblems("unyo-demo-2026!", { loginId: "operator", demo: true })).toEqual([]);
    expect(passwordProblems("unyo-demo-2026!", { loginId: "operator" })).toEqual(["published"]);
  });
});

describe("lock-out", () => {
  it(`locks on the ${LOCKOUT_THRESHOLD}th consecutive failure for 15 minutes`, () => {
    const now = new Date("2026-11-24T00:00:00Z");
    expect(afterFailedLogin(3, now)).toEqual({ failed: 4, lockedUntil: null });
    expect(afterFailedLogin(4, now)).toEqual({ failed: 5, lockedUntil: new Date("2026-11-24T00:15:00Z") });
  });
});

describe("sessions", () => {
  const t0 = new Date("2026-11-24T00:00:00Z");
  const s = { lastSeenAt: t0, expiresAt: new Date("2026-11-24T12:00:00Z"), endedAt: null };
  it.each([
    [29, "active"],
    [30, "idle"],
  ])("after %i idle minutes → %s", (min, state) => {
    expect(sessionState(s, new Date(t0.getTime() + (min as number) * 60_000), 30)).toBe(state);
  });
  it("expires at the absolute lifetime even when active", () => {
    expect(
      sessionState(
        { ...s, lastSeenAt: new Date("2026-11-24T11:59:00Z") },
        new Date("2026-11-24T12:00:00Z"),
        30,
      ),
    ).toBe("expired");
  });
  it("re-authentication counts for 5 minutes", () => {
    expect(reauthenticatedRecently(t0, new Date(t0.getTime() + 4 * 60_000))).toBe(true);
    expect(reauthenticatedRecently(t0, new Date(t0.getTime() + 5 * 60_000))).toBe(false);
    expect(reauthenticatedRecently(null, t0)).toBe(false);
  });
  it("TOTP is required for provider administrators only", () => {
    expect(totpRequired("staff", "admin")).toBe(true);
    expect(totpRequired("staff", "operator")).toBe(false);
    expect(totpRequired("customer", "customer-admin")).toBe(false);
  });
});

describe("obligations before anything else", () => {
  const staff = { kind: "staff" as const, mustChangePassword: false, totpEnabled: false };
  it.each([
    [
      "an issued initial password (Art. 10)",
      { ...staff, role: "engineer", mustChangePassword: true },
      "password_change_required",
    ],
    [
      "the password first, then TOTP",
      { ...staff, role: "admin", mustChangePassword: true },
      "password_change_required",
    ],
    ["an administrator without TOTP", { ...staff, role: "admin" }, "totp_required"],
    ["an administrator with TOTP", { ...staff, role: "admin", totpEnabled: true }, undefined],
    ["an operator without TOTP", { ...staff, role: "operator" }, undefined],
    [
      "a customer administrator without TOTP",
      { ...staff, kind: "customer" as const, role: "customer-admin" },
      undefined,
    ],
  ])("%s → %s", (_name, user, expected) => {
    expect(pendingObligation(user)).toBe(expected);
  });
});
