/**
 * Identity decisions, pure: password policy, lock-out, session expiry, role checks.
 * OWASP ASVS L2 where it applies (V2.1 passwords, V3.3 session time-outs).
 */
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";
import * as ja from "@zxcvbn-ts/language-ja";
import { AppError } from "../core/errors.ts";

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;
export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MINUTES = 15;
export const IP_WINDOW_MINUTES = 15;
export const IP_MAX_ATTEMPTS = 30;
export const REAUTH_MINUTES = 5;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** The demo accounts' password, published in the README: refused for every account but a demo one. */
export const DEMO_PASSWORD = "unyo-demo-2026!";

/**
 * zxcvbn's lowest score a password must reach: 3 = about 10^10 guesses (zxcvbn: "safely unguessable,
 * moderate protection from an offline slow-hash scenario"), with Japanese, English and common
 * dictionaries, keyboard walks, repeats and sequences.
 */
export const MIN_STRENGTH = 3;

let estimator: ZxcvbnFactory | undefined;
function strengthOf(password: string, userInputs: string[]): number {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...dictionary, ...en.dictionary, ...ja.dictionary },
    graphs: adjacencyGraphs,
  });
  return estimator.check(password, userInputs).score;
}

export type PasswordProblem =
  | "too_short"
  | "too_long"
  | "blank"
  | "common"
  | "contains_login"
  | "guessable"
  | "published";

export interface PasswordContext {
  loginId?: string;
  /** The user's other details (name, e-mail), which a password must not be made of. */
  userInputs?: string[];
  /** A demo account may keep the published demo password. */
  demo?: boolean;
}

/**
 * ASVS 2.1: length 12–128, no composition rules; not blank, not a known common password, not the
 * login id, not the published demo password, and hard enough to guess (zxcvbn score ≥ MIN_STRENGTH).
 */
export function passwordProblems(
  password: string,
  context: PasswordContext | string = {},
): PasswordProblem[] {
  const ctx = typeof context === "string" ? { loginId: context } : context;
  const problems: PasswordProblem[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) problems.push("too_short");
  if (length > MAX_PASSWORD_LENGTH) problems.push("too_long");
  if (password.trim() === "") problems.push("blank");
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower) || commonPasswords().has(lower.replace(/\d+$/, "")))
    problems.push("common");
  const { loginId } = ctx;
  if (loginId && loginId.length >= 3 && lower.includes(loginId.toLowerCase()))
    problems.push("contains_login");
  if (password === DEMO_PASSWORD && !ctx.demo) problems.push("published");
  // Only a password of an allowed length is scored (zxcvbn's cost grows with the length).
  if (problems.length === 0) {
    // Each detail whole and in its words ("Yamada Taro", "yamada.taro@example.co.jp" → yamada, taro, …).
    const inputs = [loginId, ...(ctx.userInputs ?? [])]
      .filter((v): v is string => !!v)
      .flatMap((v) => [v, ...v.split(/[^\p{L}\p{N}]+/u)])
      .filter((v) => [...v].length >= 3);
    if (strengthOf(password, inputs) < MIN_STRENGTH) problems.push("guessable");
  }
  return problems;
}

export const passwordProblemText: Record<PasswordProblem, string> = {
  too_short: `at least ${MIN_PASSWORD_LENGTH} characters are required`,
  too_long: `at most ${MAX_PASSWORD_LENGTH} characters are allowed`,
  blank: "the password must not be only spaces",
  common: "this password is on the list of commonly used passwords",
  contains_login: "the password must not contain the login id",
  guessable:
    "this password is too easy to guess (repeats, keyboard rows, sequences, common words or your own details); a few unrelated words make a strong one",
  published: "this is the published demo password; choose your own",
};

/** After a failed log-in: lock the account for a while once the threshold is reached. */
export function afterFailedLogin(
  failedBefore: number,
  now: Date,
): { failed: number; lockedUntil: Date | null } {
  const failed = failedBefore + 1;
  if (failed >= LOCKOUT_THRESHOLD)
    return { failed, lockedUntil: new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) };
  return { failed, lockedUntil: null };
}

export interface SessionTimes {
  lastSeenAt: Date;
  expiresAt: Date;
  endedAt: Date | null;
}

/** ASVS 3.3: a session ends after its idle time-out or its absolute lifetime, whichever is first. */
export function sessionState(
  s: SessionTimes,
  now: Date,
  idleMinutes: number,
): "active" | "idle" | "expired" | "ended" {
  if (s.endedAt) return "ended";
  if (now >= s.expiresAt) return "expired";
  if (now.getTime() - s.lastSeenAt.getTime() >= idleMinutes * 60_000) return "idle";
  return "active";
}

export function reauthenticatedRecently(reauthAt: Date | null, now: Date): boolean {
  return reauthAt !== null && now.getTime() - reauthAt.getTime() < REAUTH_MINUTES * 60_000;
}

export const STAFF_ROLES = ["admin", "operator", "engineer", "billing"] as const;
export const CUSTOMER_ROLES = ["customer-admin", "customer-member"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export type CustomerRole = (typeof CUSTOMER_ROLES)[number];
export type Role = StaffRole | CustomerRole;

/** TOTP two-factor is required for provider administrators. */
export function totpRequired(kind: "staff" | "customer", role: string): boolean {
  return kind === "staff" && role === "admin";
}

export type Obligation = "password_change_required" | "totp_required";

/**
 * What a user must do before anything else: change an issued initial password (Art. 10) first,
 * then, as a provider administrator, enable TOTP.
 */
export function pendingObligation(user: {
  kind: "staff" | "customer";
  role: string;
  mustChangePassword: boolean;
  totpEnabled: boolean;
}): Obligation | undefined {
  if (user.mustChangePassword) return "password_change_required";
  if (totpRequired(user.kind, user.role) && !user.totpEnabled) return "totp_required";
  return undefined;
}

/** `discovery`: only the Prometheus service-discovery list of the checks (a Prometheus server holds it). */
export const TOKEN_SCOPES = ["read", "write", "discovery"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

// ---- a company's users as its customer-admin or the provider's staff manage them (Art. 10, 35(17)) ----

export interface ManagedUser {
  id: string;
  kind: "staff" | "customer";
  role: Role;
  active: boolean;
}

/**
 * May `caller` manage `target` at all: only an administrator manages staff users; of a company's users,
 * its customer-admin and the provider's staff (row-level security has already hidden other companies').
 */
export function mayManage(
  caller: { kind: "staff" | "customer"; role: Role },
  target: { kind: string },
): void {
  if (target.kind === "staff") {
    if (caller.role !== "admin") throw new AppError("forbidden", "only an administrator manages staff users");
    return;
  }
  if (caller.kind === "customer" && caller.role !== "customer-admin")
    throw new AppError("forbidden", "only the company's customer-admin manages its users", {
      details: { roles: ["customer-admin"] },
    });
}

/**
 * What a change asked of a user does — the new role and whether the user becomes active or inactive
 * (null: unchanged) — or why it is refused: nobody changes their own role or deactivates themselves;
 * a role must fit the user's kind. `removesAdmin` says when the change takes an active customer-admin
 * away (a demotion or a deactivation): the company must keep another (`keepsAnAdmin`).
 */
export function userChange(
  callerId: string,
  target: ManagedUser,
  input: { role?: Role | undefined; active?: boolean | undefined },
): { role: Role | null; active: boolean | null; removesAdmin: string | null } {
  const role = input.role !== undefined && input.role !== target.role ? input.role : null;
  const active = input.active !== undefined && input.active !== target.active ? input.active : null;
  if (role === null && active === null) return { role, active, removesAdmin: null };
  if (target.id === callerId)
    throw new AppError("forbidden", "you cannot change your own role or deactivate yourself", {
      details: { reason: "own_account" },
    });
  if (role !== null && !(target.kind === "staff" ? STAFF_ROLES : CUSTOMER_ROLES).includes(role as never))
    throw new AppError("validation_failed", `role ${role} does not fit a ${target.kind} user`, {
      details: { role: ["role_kind"] },
    });
  const isAdmin = target.kind === "customer" && target.role === "customer-admin" && target.active;
  const removesAdmin = !isAdmin
    ? null
    : role !== null && role !== "customer-admin"
      ? "this role change"
      : active === false
        ? "deactivating this user"
        : null;
  return { role, active, removesAdmin };
}

/** A company keeps an active customer-admin: `otherActiveAdmins` counted with their rows locked. */
export function keepsAnAdmin(what: string, otherActiveAdmins: number): void {
  if (otherActiveAdmins === 0)
    throw new AppError(
      "conflict",
      `${what} would leave the company without an active customer-admin: promote or add another first`,
      { details: { reason: "last_customer_admin" } },
    );
}
