/**
 * The identity room's SQL: users and their credentials, sessions, API tokens. Other rooms read users
 * only through the functions here (a company's portal users, the addresses its notices go to).
 * Session ids and tokens are stored as SHA-256 digests; callers pass the digest.
 */

import type { Insertable, Selectable, Updateable } from "kysely";
import type { Db, Tx } from "../db/db.ts";
import { type PageRequest, paginate } from "../db/page.ts";
import type { ApiTokensTable, SessionsTable, UsersTable } from "../db/schema.ts";

type Q = Db | Tx;

/** The columns a user view is presented from (never the hash or the TOTP secret). */
export const USER_COLUMNS = [
  "id",
  "kind",
  "customer_id",
  "login_id",
  "email",
  "display_name",
  "role",
  "locale",
  "must_change_password",
  "totp_enabled",
  "is_demo",
] as const;

export type UserRow = Pick<Selectable<UsersTable>, (typeof USER_COLUMNS)[number]>;

/** The user columns again, read through a join with the user aliased `u`. */
const JOINED_USER_COLUMNS = USER_COLUMNS.map((c) => `u.${c}` as const);

// ---- users

/** What a company's user list shows besides the view: deactivation and a pending reset request. */
export const MANAGED_USER_COLUMNS = [...USER_COLUMNS, "disabled_at", "reset_requested_at"] as const;
export type ManagedUserRow = Pick<Selectable<UsersTable>, (typeof MANAGED_USER_COLUMNS)[number]>;

export async function usersOfCustomer(db: Q, customerId: string, page: PageRequest) {
  return paginate(
    db.selectFrom("users").select(MANAGED_USER_COLUMNS).where("customer_id", "=", customerId),
    { list: "users", keys: [["login_id", "asc"]] },
    page,
  );
}

/** A user as managed (role, deactivation), its row locked until the transaction ends. */
export async function managedUserForUpdate(db: Q, userId: string) {
  return db
    .selectFrom("users")
    .select(MANAGED_USER_COLUMNS)
    .where("id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
}

/** The company's active customer-admins other than `except`, their rows locked (two demotions queue here). */
export async function otherActiveAdmins(db: Q, customerId: string, except: string): Promise<number> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("customer_id", "=", customerId)
    .where("role", "=", "customer-admin")
    .where("disabled_at", "is", null)
    .where("id", "!=", except)
    .forUpdate()
    .execute();
  return rows.length;
}

export async function updateManagedUser(
  tx: Q,
  userId: string,
  set: Pick<Updateable<UsersTable>, "role" | "disabled_at" | "reset_requested_at" | "reset_requested_by">,
  at: Date,
): Promise<ManagedUserRow> {
  return tx
    .updateTable("users")
    .set({ ...set, updated_at: at })
    .where("id", "=", userId)
    .returning(MANAGED_USER_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** Users whose company asked the provider for a password reset (Art. 35(17)), the oldest request first. */
export async function resetRequests(db: Q, page: PageRequest) {
  return paginate(
    db
      .selectFrom("users as u")
      .innerJoin("customers as c", "c.id", "u.customer_id")
      .leftJoin("users as r", "r.id", "u.reset_requested_by")
      .select([
        ...MANAGED_USER_COLUMNS.map((c) => `u.${c}` as const),
        "c.legal_name",
        "r.display_name as requested_by_name",
      ])
      .where("u.reset_requested_at", "is not", null),
    {
      list: "reset-requests",
      keys: [
        ["u.reset_requested_at", "asc"],
        ["u.id", "asc"],
      ],
    },
    page,
  );
}

/** The e-mail addresses of the active users of these companies. */
export async function activeEmailsOf(db: Q, customerIds: string[]) {
  if (customerIds.length === 0) return [];
  return db
    .selectFrom("users")
    .select(["customer_id", "email"])
    .where("customer_id", "in", customerIds)
    .where("disabled_at", "is", null)
    .execute();
}

/** Whether the demo accounts exist (the demo data is loaded once). */
export async function demoSeeded(db: Q): Promise<boolean> {
  const r = await db
    .selectFrom("users")
    .select("id")
    .where("login_id", "=", "admin")
    .where("is_demo", "=", true)
    .executeTakeFirst();
  return r !== undefined;
}

/** Login ids are unique regardless of case (the unique index is on lower(login_id)). */
export async function loginIdTaken(db: Q, loginId: string): Promise<boolean> {
  const r = await db
    .selectFrom("users")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["login_id"]), "=", loginId.toLowerCase()))
    .executeTakeFirst();
  return r !== undefined;
}

export async function insertUser(tx: Q, values: Insertable<UsersTable>): Promise<UserRow> {
  return tx.insertInto("users").values(values).returning(USER_COLUMNS).executeTakeFirstOrThrow();
}

/** A user with what a log-in checks: the hash, the lock-out counters, the TOTP secret and last step. */
export async function userForLogin(db: Q, loginId: string) {
  return db
    .selectFrom("users")
    .select([
      ...USER_COLUMNS,
      "password_hash",
      "failed_logins",
      "locked_until",
      "disabled_at",
      "totp_secret",
      "totp_last_step",
    ])
    .where((eb) => eb(eb.fn("lower", ["login_id"]), "=", loginId.toLowerCase()))
    .executeTakeFirst();
}

/** After a successful log-in: the failure count and lock are cleared; the TOTP step used is kept. */
export async function clearLoginFailures(tx: Q, userId: string, totpLastStep?: number): Promise<void> {
  await tx
    .updateTable("users")
    .set({
      failed_logins: 0,
      locked_until: null,
      ...(totpLastStep !== undefined ? { totp_last_step: totpLastStep } : {}),
    })
    .where("id", "=", userId)
    .execute();
}

/** The user's failure count, its row locked until the transaction ends (parallel failures queue here). */
export async function failedLoginsForUpdate(tx: Q, userId: string): Promise<number> {
  const r = await tx
    .selectFrom("users")
    .select("failed_logins")
    .where("id", "=", userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return r.failed_logins;
}

export async function setLoginFailures(
  tx: Q,
  userId: string,
  failed: number,
  lockedUntil: Date | null,
): Promise<void> {
  await tx
    .updateTable("users")
    .set({ failed_logins: failed, locked_until: lockedUntil })
    .where("id", "=", userId)
    .execute();
}

/** What checking a signed-in user's own password needs: the hash and the lock-out state. */
export async function passwordCheckOf(db: Q, userId: string) {
  const r = await db
    .selectFrom("users")
    .select(["password_hash", "failed_logins", "locked_until"])
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  return { ...r, locked_until: r.locked_until ? new Date(r.locked_until) : null };
}

/** The user's own new password: no change pending any more. */
export async function setPassword(tx: Q, userId: string, passwordHash: string, at: Date): Promise<void> {
  await tx
    .updateTable("users")
    .set({
      password_hash: passwordHash,
      must_change_password: false,
      password_changed_at: at,
      updated_at: at,
    })
    .where("id", "=", userId)
    .execute();
}

/** An issued password replaces the old one: to be changed at log-in, and any lock-out lifted. */
export async function setIssuedPassword(
  tx: Q,
  userId: string,
  passwordHash: string,
  at: Date,
): Promise<UserRow | undefined> {
  return tx
    .updateTable("users")
    .set({
      password_hash: passwordHash,
      must_change_password: true,
      failed_logins: 0,
      locked_until: null,
      reset_requested_at: null,
      reset_requested_by: null,
      updated_at: at,
    })
    .where("id", "=", userId)
    .returning(USER_COLUMNS)
    .executeTakeFirst();
}

export async function totpOf(db: Q, userId: string) {
  return db
    .selectFrom("users")
    .select(["totp_secret", "totp_enabled"])
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
}

/** Store a new secret to confirm, unless two-factor authentication is already on. */
export async function offerTotpSecret(db: Q, userId: string, secret: string): Promise<void> {
  await db
    .updateTable("users")
    .set({ totp_secret: secret, totp_enabled: false })
    .where("id", "=", userId)
    .where("totp_enabled", "=", false)
    .execute();
}

export async function enableTotp(tx: Q, userId: string, lastStep: number): Promise<void> {
  await tx
    .updateTable("users")
    .set({ totp_enabled: true, totp_last_step: lastStep })
    .where("id", "=", userId)
    .execute();
}

// ---- sessions

export async function insertSession(tx: Q, values: Insertable<SessionsTable>): Promise<void> {
  await tx.insertInto("sessions").values(values).execute();
}

/** A session with its user, by the digest of the cookie's value. */
export async function sessionWithUser(db: Q, idHash: Buffer) {
  return db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .select([
      "s.csrf_token",
      "s.last_seen_at",
      "s.expires_at",
      "s.ended_at",
      "s.reauthenticated_at",
      ...JOINED_USER_COLUMNS,
      "u.disabled_at",
    ])
    .where("s.id_hash", "=", idHash)
    .executeTakeFirst();
}

export async function endSessionById(db: Q, idHash: Buffer, at: Date): Promise<void> {
  await db.updateTable("sessions").set({ ended_at: at }).where("id_hash", "=", idHash).execute();
}

export async function touchSession(db: Q, idHash: Buffer, at: Date): Promise<void> {
  await db.updateTable("sessions").set({ last_seen_at: at }).where("id_hash", "=", idHash).execute();
}

export async function markReauthenticated(db: Q, idHash: Buffer, at: Date): Promise<void> {
  await db.updateTable("sessions").set({ reauthenticated_at: at }).where("id_hash", "=", idHash).execute();
}

/** The user's sessions not ended, not expired and seen since `seenSince`, the latest seen first. */
export async function liveSessionsOf(db: Q, userId: string, now: Date, seenSince: Date, page: PageRequest) {
  return paginate(
    db
      .selectFrom("sessions")
      .select(["id_hash", "created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
      .where("user_id", "=", userId)
      .where("ended_at", "is", null)
      .where("expires_at", ">", now)
      .where("last_seen_at", ">", seenSince),
    {
      list: "sessions",
      keys: [
        ["last_seen_at", "desc"],
        ["id_hash", "desc"],
      ],
    },
    page,
  );
}

/**
 * End the user's open sessions: only the one `only` (someone else's is not touched), all but the one
 * `except`, or all; the number ended.
 */
export async function endSessionsOf(
  tx: Q,
  userId: string,
  at: Date,
  which: { only?: Buffer; except?: Buffer } = {},
): Promise<number> {
  let q = tx
    .updateTable("sessions")
    .set({ ended_at: at })
    .where("user_id", "=", userId)
    .where("ended_at", "is", null);
  if (which.only) q = q.where("id_hash", "=", which.only);
  if (which.except) q = q.where("id_hash", "!=", which.except);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Sessions ended or expired before `before`. */
export async function deleteSessionsBefore(db: Q, before: Date): Promise<number> {
  const r = await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("ended_at", "<", before), eb("expires_at", "<", before)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---- API tokens

export async function insertToken(tx: Q, values: Insertable<ApiTokensTable>) {
  return tx
    .insertInto("api_tokens")
    .values(values)
    .returning(["id", "created_at", "expires_at"])
    .executeTakeFirstOrThrow();
}

/** A token with its user, by the digest of the bearer value. */
export async function tokenWithUser(db: Q, tokenHash: Buffer) {
  return db
    .selectFrom("api_tokens as t")
    .innerJoin("users as u", "u.id", "t.user_id")
    .select([
      "t.id as token_id",
      "t.scopes",
      "t.expires_at",
      "t.revoked_at",
      ...JOINED_USER_COLUMNS,
      "u.disabled_at",
    ])
    .where("t.token_hash", "=", tokenHash)
    .executeTakeFirst();
}

export async function touchToken(db: Q, tokenId: string, at: Date): Promise<void> {
  await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", tokenId).execute();
}

export async function tokensOf(db: Q, userId: string, page: PageRequest) {
  return paginate(
    db
      .selectFrom("api_tokens")
      .select(["id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"])
      .where("user_id", "=", userId),
    {
      list: "tokens",
      keys: [
        ["created_at", "desc"],
        ["id", "desc"],
      ],
    },
    page,
  );
}

/** Revoke the user's live tokens: only the one `only` (someone else's is not touched), or all; the number revoked. */
export async function revokeTokensOf(tx: Q, userId: string, at: Date, only?: string): Promise<number> {
  let q = tx
    .updateTable("api_tokens")
    .set({ revoked_at: at })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null);
  if (only) q = q.where("id", "=", only);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The display names of these users, by id (a timeline names who acted). */
export async function displayNames(db: Q, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("users").select(["id", "display_name"]).where("id", "in", ids).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
