import { describe, expect, it } from "vitest";
import type { AppError } from "../core/errors.ts";
import {
  afterFailedLogin,
  keepsAnAdmin,
  LOCKOUT_THRESHOLD,
  mayManage,
  passwordProblems,
  pendingObligation,
  reauthenticatedRecently,
  sessionState,
  totpRequired,
  userChange,
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

describe("managing a company's users (Art. 10, 35(17))", () => {
  const admin = { id: "a", kind: "customer" as const, role: "customer-admin" as const, active: true };
  const member = { id: "m", kind: "customer" as const, role: "customer-member" as const, active: true };
  const operator = { id: "o", kind: "staff" as const, role: "operator" as const, active: true };
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      const e = err as AppError;
      return `${e.code} ${JSON.stringify(e.details ?? null)}`;
    }
    return "allowed";
  };
  it.each([
    [
      "promote a member",
      "x",
      member,
      { role: "customer-admin" },
      { role: "customer-admin", active: null, removesAdmin: null },
    ],
    [
      "deactivate a member",
      "x",
      member,
      { active: false },
      { role: null, active: false, removesAdmin: null },
    ],
    [
      "demote an active admin",
      "x",
      admin,
      { role: "customer-member" },
      { role: "customer-member", active: null, removesAdmin: "this role change" },
    ],
    [
      "deactivate an active admin",
      "x",
      admin,
      { active: false },
      { role: null, active: false, removesAdmin: "deactivating this user" },
    ],
    [
      "demote an inactive admin",
      "x",
      { ...admin, active: false },
      { role: "customer-member" },
      { role: "customer-member", active: null, removesAdmin: null },
    ],
    [
      "reactivate an admin",
      "x",
      { ...admin, active: false },
      { active: true },
      { role: null, active: true, removesAdmin: null },
    ],
    [
      "ask for what already is",
      "a",
      admin,
      { role: "customer-admin", active: true },
      { role: null, active: null, removesAdmin: null },
    ],
  ] as const)("%s", (_what, callerId, target, input, expected) => {
    expect(userChange(callerId, target, input)).toEqual(expected);
  });

  it.each([
    ["demote oneself", "a", admin, { role: "customer-member" }, 'forbidden {"reason":"own_account"}'],
    ["deactivate oneself", "m", member, { active: false }, 'forbidden {"reason":"own_account"}'],
    [
      "a staff role for a customer's user",
      "x",
      member,
      { role: "billing" },
      'validation_failed {"role":["role_kind"]}',
    ],
    [
      "a customer role for staff",
      "x",
      operator,
      { role: "customer-admin" },
      'validation_failed {"role":["role_kind"]}',
    ],
  ] as const)("refuses to %s", (_what, callerId, target, input, expected) => {
    expect(refusal(() => userChange(callerId, target, input))).toBe(expected);
  });

  it("keeps one active customer-admin; who may manage whom", () => {
    expect(refusal(() => keepsAnAdmin("deactivating this user", 0))).toBe(
      'conflict {"reason":"last_customer_admin"}',
    );
    expect(refusal(() => keepsAnAdmin("deactivating this user", 1))).toBe("allowed");
    expect(refusal(() => mayManage({ kind: "staff", role: "operator" }, operator))).toBe("forbidden null");
    expect(refusal(() => mayManage({ kind: "staff", role: "admin" }, operator))).toBe("allowed");
    expect(refusal(() => mayManage({ kind: "staff", role: "operator" }, member))).toBe("allowed");
    expect(refusal(() => mayManage({ kind: "customer", role: "customer-member" }, member))).toBe(
      'forbidden {"roles":["customer-admin"]}',
    );
    expect(refusal(() => mayManage({ kind: "customer", role: "customer-admin" }, member))).toBe("allowed");
  });
});
