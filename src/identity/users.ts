/**
 * Staff and customer users: their creation, with an issued initial password to be changed at the
 * first log-in (Art. 10), and the view the API shows of them (never the hash or the TOTP secret).
 */

import { type Actor, appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { customerExists } from "../customers/store.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "./actor.ts";
import {
  type CustomerRole,
  type PasswordContext,
  passwordProblems,
  passwordProblemText,
  type Role,
  STAFF_ROLES,
} from "./rules.ts";
import type { CreateUserRequest, ManagedUserView, UserView } from "./schemas.ts";
import { generateInitialPassword, hashPassword } from "./secrets.ts";
import { insertUser, loginIdTaken, type ManagedUserRow, type UserRow, usersOfCustomer } from "./store.ts";

export function presentUser(u: UserRow): UserView {
  return {
    id: u.id,
    kind: u.kind,
    customerId: u.customer_id,
    loginId: u.login_id,
    email: u.email,
    displayName: u.display_name,
    role: u.role,
    locale: u.locale,
    mustChangePassword: u.must_change_password,
    totpEnabled: u.totp_enabled,
    isDemo: u.is_demo,
  };
}

/** A user as a company's user list shows them (company-users.ts manages them). */
export function presentManagedUser(u: ManagedUserRow): ManagedUserView {
  return {
    ...presentUser(u),
    active: u.disabled_at === null,
    disabledAt: u.disabled_at?.toISOString() ?? null,
    resetRequestedAt: u.reset_requested_at?.toISOString() ?? null,
  };
}

/** Refuse a password the policy refuses (ASVS 2.1), naming every problem. */
export function requireGoodPassword(password: string, context: PasswordContext): void {
  const problems = passwordProblems(password, context);
  if (problems.length > 0)
    throw new AppError(
      "validation_failed",
      `password refused: ${problems.map((p) => passwordProblemText[p]).join("; ")}`,
      { details: { password: problems } },
    );
}

export interface CreateUserInput {
  kind: "staff" | "customer";
  customerId?: string | null;
  loginId: string;
  email: string;
  displayName: string;
  role: Role;
  locale?: "ja" | "en";
  /** When absent an initial password is issued, to be changed at first log-in (Art. 10). */
  password?: string;
  /**
   * An initial password issued (and hashed) beforehand, outside the caller's transaction: hashing
   * costs tens of milliseconds, too long to hold the audit chain's lock for.
   */
  issued?: IssuedPassword;
  isDemo?: boolean;
}

export interface IssuedPassword {
  initialPassword: string;
  passwordHash: string;
}

/** An initial password to hand to a new user (Art. 10), with its hash. */
export async function issueInitialPassword(): Promise<IssuedPassword> {
  const initialPassword = generateInitialPassword();
  return { initialPassword, passwordHash: await hashPassword(initialPassword) };
}

/** Create a user in the caller's transaction (under its customer scope when a customer user adds one). */
export async function createUser(
  tx: Tx,
  actor: Actor,
  input: CreateUserInput,
  now: Date,
): Promise<{ user: UserView; initialPassword?: string }> {
  const isStaff = input.kind === "staff";
  if (isStaff !== (STAFF_ROLES as readonly string[]).includes(input.role))
    throw new AppError("validation_failed", `role ${input.role} does not fit a ${input.kind} user`);
  if (!isStaff && !input.customerId)
    throw new AppError("validation_failed", "a customer user needs a customer id");
  if (isStaff && input.customerId)
    throw new AppError("validation_failed", "a staff user belongs to no customer");
  if (input.password)
    requireGoodPassword(input.password, {
      loginId: input.loginId,
      userInputs: [input.displayName, input.email],
      demo: input.isDemo ?? false,
    });
  const taken = () => new AppError("conflict", `login id "${input.loginId}" is already taken`);
  if (await loginIdTaken(tx, input.loginId)) throw taken();
  if (input.customerId && !(await customerExists(tx, input.customerId))) throw notFound("customer");
  const issued = input.password ? undefined : (input.issued ?? (await issueInitialPassword()));
  const initialPassword = issued?.initialPassword;
  const row = await insertUser(tx, {
    kind: input.kind,
    customer_id: input.customerId ?? null,
    login_id: input.loginId,
    email: input.email,
    display_name: input.displayName,
    role: input.role,
    locale: input.locale ?? "ja",
    password_hash: issued ? issued.passwordHash : await hashPassword(input.password!),
    must_change_password: !input.password,
    password_changed_at: input.password ? now : null,
    is_demo: input.isDemo ?? false,
  }).catch((err: { code?: string }) => {
    // A login id held by another company's user is invisible under RLS; the unique index still holds.
    if (err.code === "23505") throw taken();
    throw err;
  });
  const user = presentUser(row);
  await appendAudit(tx, {
    actor,
    action: "user.create",
    subjectType: "user",
    subjectId: user.id,
    customerId: user.customerId,
    after: {
      loginId: user.loginId,
      role: user.role,
      kind: user.kind,
      initialPasswordIssued: !input.password,
    },
    article: initialPassword ? "10" : null,
    at: now,
  });
  return { user, initialPassword };
}

/** A user added by provider staff: only an administrator adds staff; the initial password is shown once. */
export async function addUserByStaff(
  deps: Deps,
  auth: AuthContext,
  input: CreateUserRequest,
): Promise<{ user: UserView; initialPassword: string }> {
  if (input.kind === "staff" && auth.user.role !== "admin")
    throw new AppError("forbidden", "only an administrator creates staff users");
  const r = await deps.db
    .transaction()
    .execute((tx) =>
      createUser(
        tx,
        { kind: "staff", id: auth.user.id },
        { ...input, customerId: input.customerId ?? null },
        deps.clock.now(),
      ),
    );
  return { user: r.user, initialPassword: r.initialPassword! };
}

/** A company's portal users (a customer user sees its own company's only: row-level security). */
export async function usersOfCompany(
  deps: Deps,
  auth: AuthContext,
  customerId: string,
  page: PageRequest = {},
): Promise<Page<ManagedUserView>> {
  return asCaller(deps.db, auth, async (tx) => {
    if (!(await customerExists(tx, customerId))) throw notFound("customer");
    return mapPage(usersOfCustomer(tx, customerId, page), presentManagedUser);
  });
}

/** Staff, or the customer's own customer-admin, add a user to a company; the initial password is returned once. */
export async function addCompanyUser(
  deps: Deps,
  auth: AuthContext,
  customerId: string,
  input: { loginId: string; email: string; displayName: string; role: CustomerRole; locale?: "ja" | "en" },
) {
  return asCaller(deps.db, auth, async (tx) => {
    if (!(await customerExists(tx, customerId))) throw notFound("customer");
    return createUser(tx, actorOf(auth), { ...input, kind: "customer", customerId }, deps.clock.now());
  });
}
