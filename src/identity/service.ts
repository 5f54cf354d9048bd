import { createHash, randomBytes } from "node:crypto";
import { type Actor, appendAudit } from "../audit/service.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { AppError, notFound } from "../core/errors.ts";
import type { Db, Tx } from "../db/db.ts";
import { hitThrottle } from "../db/throttle.ts";
import { burnPasswordCheck, generateInitialPassword, hashPassword, verifyPassword } from "./passwords.ts";
import {
  afterFailedLogin,
  IP_MAX_ATTEMPTS,
  IP_WINDOW_MINUTES,
  passwordProblems,
  passwordProblemText,
  type Role,
  reauthenticatedRecently,
  sessionState,
  type TokenScope,
} from "./rules.ts";
import { newTotpSecret, otpauthUri, verifyTotp } from "./totp.ts";

export interface UserView {
  id: string;
  kind: "staff" | "customer";
  customerId: string | null;
  loginId: string;
  email: string;
  displayName: string;
  role: Role;
  locale: "ja" | "en";
  mustChangePassword: boolean;
  totpEnabled: boolean;
  isDemo: boolean;
}

type UserRow = {
  id: string;
  kind: "staff" | "customer";
  customer_id: string | null;
  login_id: string;
  email: string;
  display_name: string;
  role: string;
  locale: "ja" | "en";
  must_change_password: boolean;
  totp_enabled: boolean;
  is_demo: boolean;
};

export function presentUser(u: UserRow): UserView {
  return {
    id: u.id,
    kind: u.kind,
    customerId: u.customer_id,
    loginId: u.login_id,
    email: u.email,
    displayName: u.display_name,
    role: u.role as Role,
    locale: u.locale,
    mustChangePassword: u.must_change_password,
    totpEnabled: u.totp_enabled,
    isDemo: u.is_demo,
  };
}

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

export const sha256 = (s: string) => createHash("sha256").update(s).digest();

function checkPassword(password: string, loginId?: string) {
  const problems = passwordProblems(password, loginId);
  if (problems.length > 0)
    throw new AppError(
      "validation_failed",
      `password refused: ${problems.map((p) => passwordProblemText[p]).join("; ")}`,
      {
        details: { password: problems },
      },
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
  isDemo?: boolean;
}

export async function createUser(
  tx: Tx,
  actor: Actor,
  input: CreateUserInput,
  now: Date,
): Promise<{ user: UserView; initialPassword?: string }> {
  const isStaff = input.kind === "staff";
  if (isStaff !== ["admin", "operator", "engineer", "billing"].includes(input.role))
    throw new AppError("validation_failed", `role ${input.role} does not fit a ${input.kind} user`);
  if (!isStaff && !input.customerId)
    throw new AppError("validation_failed", "a customer user needs a customer id");
  if (isStaff && input.customerId)
    throw new AppError("validation_failed", "a staff user belongs to no customer");
  if (input.password) checkPassword(input.password, input.loginId);
  const existing = await tx
    .selectFrom("users")
    .select("id")
    .where((eb) => eb(eb.fn("lower", ["login_id"]), "=", input.loginId.toLowerCase()))
    .executeTakeFirst();
  if (existing) throw new AppError("conflict", `login id "${input.loginId}" is already taken`);
  if (input.customerId) {
    const customer = await tx
      .selectFrom("customers")
      .select("id")
      .where("id", "=", input.customerId)
      .executeTakeFirst();
    if (!customer) throw notFound("customer");
  }
  const initialPassword = input.password ? undefined : generateInitialPassword();
  const row = await tx
    .insertInto("users")
    .values({
      kind: input.kind,
      customer_id: input.customerId ?? null,
      login_id: input.loginId,
      email: input.email,
      display_name: input.displayName,
      role: input.role,
      locale: input.locale ?? "ja",
      password_hash: await hashPassword(input.password ?? initialPassword!),
      must_change_password: !input.password,
      password_changed_at: input.password ? now : null,
      is_demo: input.isDemo ?? false,
    })
    .returning(USER_COLUMNS)
    .executeTakeFirstOrThrow()
    .catch((err: { code?: string }) => {
      // A login id held by another company's user is invisible under RLS; the unique index still holds.
      if (err.code === "23505")
        throw new AppError("conflict", `login id "${input.loginId}" is already taken`);
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

export interface SessionContext {
  kind: "session";
  user: UserView;
  sessionId: string;
  csrfToken: string;
  reauthenticatedAt: Date | null;
}

export interface TokenContext {
  kind: "token";
  user: UserView;
  tokenId: string;
  scopes: TokenScope[];
}

export type AuthContext = SessionContext | TokenContext;

export interface LoginInput {
  loginId: string;
  password: string;
  totp?: string;
  ip: string;
  userAgent?: string;
}

export class IdentityService {
  constructor(
    private readonly db: Db,
    private readonly config: Config,
    private readonly clock: Clock,
  ) {}

  async login(input: LoginInput): Promise<{ token: string; context: SessionContext }> {
    const now = this.clock.now();
    await hitThrottle(this.db, `ip:${input.ip}`, IP_WINDOW_MINUTES, IP_MAX_ATTEMPTS, now, "log-in attempts");
    const row = await this.db
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
      .where((eb) => eb(eb.fn("lower", ["login_id"]), "=", input.loginId.toLowerCase()))
      .executeTakeFirst();
    const invalid = new AppError("unauthenticated", "login id or password is incorrect");
    // Demo accounts exist only in demo mode: with UNYO_DEMO=0 they cannot log in.
    if (!row || row.disabled_at || (row.is_demo && !this.config.demo)) {
      await burnPasswordCheck(input.password);
      throw invalid;
    }
    if (row.locked_until && new Date(row.locked_until) > now) {
      throw new AppError(
        "locked",
        "this account is temporarily locked after repeated failed log-ins; try again later",
        {
          details: { lockedUntil: new Date(row.locked_until).toISOString() },
        },
      );
    }
    const passwordOk = await verifyPassword(row.password_hash, input.password);
    if (!passwordOk) {
      await this.recordFailure(row.id, row.customer_id, row.failed_logins, now, "password");
      throw invalid;
    }
    let totpStepUsed: number | undefined;
    if (row.totp_enabled && row.totp_secret) {
      if (!input.totp)
        throw new AppError("totp_required", "enter the 6-digit code from your authenticator app");
      totpStepUsed = verifyTotp(row.totp_secret, input.totp, now);
      if (
        totpStepUsed === undefined ||
        (row.totp_last_step !== null && totpStepUsed <= Number(row.totp_last_step))
      ) {
        await this.recordFailure(row.id, row.customer_id, row.failed_logins, now, "totp");
        throw new AppError("unauthenticated", "the authenticator code is incorrect");
      }
    }
    // A new, random session id at every log-in (ASVS 3.2.1); only its hash is stored.
    const token = randomBytes(32).toString("base64url");
    const csrfToken = randomBytes(24).toString("base64url");
    const idHash = sha256(token);
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("users")
        .set({
          failed_logins: 0,
          locked_until: null,
          ...(totpStepUsed !== undefined ? { totp_last_step: totpStepUsed } : {}),
        })
        .where("id", "=", row.id)
        .execute();
      await tx
        .insertInto("sessions")
        .values({
          id_hash: idHash,
          user_id: row.id,
          customer_id: row.customer_id,
          csrf_token: csrfToken,
          created_at: now,
          last_seen_at: now,
          expires_at: new Date(now.getTime() + this.config.sessionAbsoluteHours * 3_600_000),
          reauthenticated_at: now,
          ip: input.ip,
          user_agent: input.userAgent?.slice(0, 300) ?? null,
        })
        .execute();
      await appendAudit(tx, {
        actor: { kind: row.kind, id: row.id },
        action: "session.login",
        subjectType: "user",
        subjectId: row.id,
        customerId: row.customer_id,
        after: { ip: input.ip, totp: totpStepUsed !== undefined },
        at: now,
      });
    });
    return {
      token,
      context: {
        kind: "session",
        user: presentUser(row),
        sessionId: idHash.toString("hex"),
        csrfToken,
        reauthenticatedAt: now,
      },
    };
  }

  private async recordFailure(
    userId: string,
    customerId: string | null,
    failedBefore: number,
    now: Date,
    what: string,
  ) {
    const next = afterFailedLogin(failedBefore, now);
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("users")
        .set({ failed_logins: next.failed, locked_until: next.lockedUntil })
        .where("id", "=", userId)
        .execute();
      await appendAudit(tx, {
        actor: { kind: "public", id: null },
        action: next.lockedUntil ? "session.login_failed_locked" : "session.login_failed",
        subjectType: "user",
        subjectId: userId,
        customerId,
        after: { failedLogins: next.failed, factor: what },
        at: now,
      });
    });
  }

  /** Resolve a session cookie; refresh its idle timer (written at most every 30 s). */
  async authenticateSession(token: string): Promise<SessionContext | undefined> {
    const now = this.clock.now();
    const idHash = sha256(token);
    const row = await this.db
      .selectFrom("sessions as s")
      .innerJoin("users as u", "u.id", "s.user_id")
      .select([
        "s.csrf_token",
        "s.last_seen_at",
        "s.expires_at",
        "s.ended_at",
        "s.reauthenticated_at",
        "u.id",
        "u.kind",
        "u.customer_id",
        "u.login_id",
        "u.email",
        "u.display_name",
        "u.role",
        "u.locale",
        "u.must_change_password",
        "u.totp_enabled",
        "u.is_demo",
        "u.disabled_at",
      ])
      .where("s.id_hash", "=", idHash)
      .executeTakeFirst();
    if (!row || row.disabled_at || (row.is_demo && !this.config.demo)) return undefined;
    const state = sessionState(
      {
        lastSeenAt: new Date(row.last_seen_at),
        expiresAt: new Date(row.expires_at),
        endedAt: row.ended_at ? new Date(row.ended_at) : null,
      },
      now,
      this.config.sessionIdleMinutes,
    );
    if (state !== "active") {
      if (state !== "ended")
        await this.db.updateTable("sessions").set({ ended_at: now }).where("id_hash", "=", idHash).execute();
      return undefined;
    }
    if (now.getTime() - new Date(row.last_seen_at).getTime() > 30_000)
      await this.db
        .updateTable("sessions")
        .set({ last_seen_at: now })
        .where("id_hash", "=", idHash)
        .execute();
    return {
      kind: "session",
      user: presentUser(row),
      sessionId: idHash.toString("hex"),
      csrfToken: row.csrf_token,
      reauthenticatedAt: row.reauthenticated_at ? new Date(row.reauthenticated_at) : null,
    };
  }

  async authenticateToken(bearer: string): Promise<TokenContext | undefined> {
    const now = this.clock.now();
    const row = await this.db
      .selectFrom("api_tokens as t")
      .innerJoin("users as u", "u.id", "t.user_id")
      .select([
        "t.id as token_id",
        "t.scopes",
        "t.expires_at",
        "t.revoked_at",
        ...USER_COLUMNS.map((c) => `u.${c}` as const),
        "u.disabled_at",
      ])
      .where("t.token_hash", "=", sha256(bearer))
      .executeTakeFirst();
    if (!row || row.revoked_at || row.disabled_at) return undefined;
    if (row.expires_at && new Date(row.expires_at) <= now) return undefined;
    await this.db
      .updateTable("api_tokens")
      .set({ last_used_at: now })
      .where("id", "=", row.token_id)
      .execute();
    return {
      kind: "token",
      user: presentUser(row),
      tokenId: row.token_id,
      scopes: row.scopes as TokenScope[],
    };
  }

  async logout(ctx: SessionContext): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("sessions")
        .set({ ended_at: now })
        .where("id_hash", "=", Buffer.from(ctx.sessionId, "hex"))
        .execute();
      await appendAudit(tx, actorAudit(ctx, "session.logout", now));
    });
  }

  async listSessions(ctx: AuthContext) {
    const now = this.clock.now();
    const rows = await this.db
      .selectFrom("sessions")
      .select(["id_hash", "created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
      .where("user_id", "=", ctx.user.id)
      .where("ended_at", "is", null)
      .where("expires_at", ">", now)
      .orderBy("last_seen_at", "desc")
      .execute();
    return rows
      .filter(
        (r) => now.getTime() - new Date(r.last_seen_at).getTime() < this.config.sessionIdleMinutes * 60_000,
      )
      .map((r) => ({
        id: r.id_hash.toString("hex"),
        current: ctx.kind === "session" && r.id_hash.toString("hex") === ctx.sessionId,
        createdAt: new Date(r.created_at).toISOString(),
        lastSeenAt: new Date(r.last_seen_at).toISOString(),
        expiresAt: new Date(r.expires_at).toISOString(),
        ip: r.ip,
        userAgent: r.user_agent,
      }));
  }

  async endSession(ctx: AuthContext, sessionId: string): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(sessionId)) throw notFound("session");
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable("sessions")
        .set({ ended_at: now })
        .where("id_hash", "=", Buffer.from(sessionId, "hex"))
        .where("user_id", "=", ctx.user.id)
        .where("ended_at", "is", null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw notFound("session");
      await appendAudit(tx, {
        ...actorAudit(ctx, "session.end", now),
        after: { sessionId: sessionId.slice(0, 12) },
      });
    });
  }

  async reauthenticate(ctx: SessionContext, password: string): Promise<void> {
    const now = this.clock.now();
    const row = await this.db
      .selectFrom("users")
      .select("password_hash")
      .where("id", "=", ctx.user.id)
      .executeTakeFirstOrThrow();
    if (!(await verifyPassword(row.password_hash, password)))
      throw new AppError("unauthenticated", "the password is incorrect");
    await this.db
      .updateTable("sessions")
      .set({ reauthenticated_at: now })
      .where("id_hash", "=", Buffer.from(ctx.sessionId, "hex"))
      .execute();
  }

  /** Sensitive actions need a log-in or re-authentication within the last few minutes. */
  requireRecentAuth(ctx: AuthContext): void {
    if (ctx.kind === "token")
      throw new AppError("forbidden", "this action needs an interactive session, not an API token");
    if (!reauthenticatedRecently(ctx.reauthenticatedAt, this.clock.now()))
      throw new AppError("reauthentication_required", "confirm your password to continue");
  }

  /** Change one's own password; ends every other session of the user. */
  async changePassword(ctx: SessionContext, currentPassword: string, newPassword: string): Promise<void> {
    const now = this.clock.now();
    const row = await this.db
      .selectFrom("users")
      .select(["password_hash"])
      .where("id", "=", ctx.user.id)
      .executeTakeFirstOrThrow();
    if (!(await verifyPassword(row.password_hash, currentPassword)))
      throw new AppError("unauthenticated", "the current password is incorrect");
    if (currentPassword === newPassword)
      throw new AppError("validation_failed", "the new password must differ from the current one", {
        details: { newPassword: ["same_as_current"] },
      });
    checkPassword(newPassword, ctx.user.loginId);
    const newHash = await hashPassword(newPassword);
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("users")
        .set({
          password_hash: newHash,
          must_change_password: false,
          password_changed_at: now,
          updated_at: now,
        })
        .where("id", "=", ctx.user.id)
        .execute();
      await tx
        .updateTable("sessions")
        .set({ ended_at: now })
        .where("user_id", "=", ctx.user.id)
        .where("id_hash", "!=", Buffer.from(ctx.sessionId, "hex"))
        .where("ended_at", "is", null)
        .execute();
      await appendAudit(tx, {
        ...actorAudit(ctx, "user.password_change", now),
        after: { wasInitial: ctx.user.mustChangePassword },
        article: ctx.user.mustChangePassword ? "10" : null,
      });
    });
  }

  /**
   * Password reset is done only by provider staff, who hand the new initial password over
   * through the designated channel (Art. 35(17)); the user must change it at log-in (Art. 10).
   */
  async resetPassword(
    actor: AuthContext,
    userId: string,
  ): Promise<{ initialPassword: string; user: UserView }> {
    const now = this.clock.now();
    const initialPassword = generateInitialPassword();
    const passwordHash = await hashPassword(initialPassword);
    const user = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .updateTable("users")
        .set({
          password_hash: passwordHash,
          must_change_password: true,
          failed_logins: 0,
          locked_until: null,
          updated_at: now,
        })
        .where("id", "=", userId)
        .returning(USER_COLUMNS)
        .executeTakeFirst();
      if (!row) throw notFound("user");
      if (row.kind === "staff" && actor.user.role !== "admin")
        throw new AppError("forbidden", "only an administrator resets a staff member's password");
      await tx
        .updateTable("sessions")
        .set({ ended_at: now })
        .where("user_id", "=", userId)
        .where("ended_at", "is", null)
        .execute();
      await tx
        .updateTable("api_tokens")
        .set({ revoked_at: now })
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null)
        .execute();
      await appendAudit(tx, {
        actor: { kind: actor.user.kind, id: actor.user.id },
        action: "user.password_reset",
        subjectType: "user",
        subjectId: userId,
        customerId: row.customer_id,
        after: { mustChangePassword: true },
        article: "35(17)",
        at: now,
      });
      return presentUser(row);
    });
    return { initialPassword, user };
  }

  async startTotpEnrolment(ctx: SessionContext): Promise<{ secret: string; uri: string }> {
    this.requireRecentAuth(ctx);
    const secret = newTotpSecret();
    await this.db
      .updateTable("users")
      .set({ totp_secret: secret, totp_enabled: false })
      .where("id", "=", ctx.user.id)
      .where("totp_enabled", "=", false)
      .execute();
    const row = await this.db
      .selectFrom("users")
      .select(["totp_secret", "totp_enabled"])
      .where("id", "=", ctx.user.id)
      .executeTakeFirstOrThrow();
    if (row.totp_enabled) throw new AppError("conflict", "two-factor authentication is already enabled");
    return { secret, uri: otpauthUri(secret, ctx.user.loginId) };
  }

  async confirmTotpEnrolment(ctx: SessionContext, code: string): Promise<void> {
    const now = this.clock.now();
    const row = await this.db
      .selectFrom("users")
      .select(["totp_secret", "totp_enabled"])
      .where("id", "=", ctx.user.id)
      .executeTakeFirstOrThrow();
    if (row.totp_enabled) throw new AppError("conflict", "two-factor authentication is already enabled");
    if (!row.totp_secret) throw new AppError("conflict", "start the enrolment first");
    const step = verifyTotp(row.totp_secret, code, now);
    if (step === undefined)
      throw new AppError("validation_failed", "the code does not match", { details: { code: ["mismatch"] } });
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable("users")
        .set({ totp_enabled: true, totp_last_step: step })
        .where("id", "=", ctx.user.id)
        .execute();
      await appendAudit(tx, actorAudit(ctx, "user.totp_enable", now));
    });
  }

  async createToken(ctx: AuthContext, input: { name: string; scopes: TokenScope[]; expiresInDays?: number }) {
    this.requireRecentAuth(ctx);
    const now = this.clock.now();
    const prefix = randomBytes(4).toString("hex");
    const token = `unyo_${prefix}_${randomBytes(24).toString("base64url")}`;
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto("api_tokens")
        .values({
          user_id: ctx.user.id,
          customer_id: ctx.user.customerId,
          name: input.name,
          prefix,
          token_hash: sha256(token),
          scopes: input.scopes,
          expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
        })
        .returning(["id", "created_at", "expires_at"])
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        ...actorAudit(ctx, "token.create", now),
        subjectType: "api_token",
        subjectId: row.id,
        after: { name: input.name, scopes: input.scopes },
      });
      return {
        id: row.id,
        token,
        name: input.name,
        scopes: input.scopes,
        prefix,
        expiresAt: row.expires_at ? new Date(row.expires_at).toISOString() : null,
      };
    });
  }

  async listTokens(ctx: AuthContext) {
    const rows = await this.db
      .selectFrom("api_tokens")
      .select(["id", "name", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"])
      .where("user_id", "=", ctx.user.id)
      .orderBy("created_at", "desc")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.prefix,
      scopes: r.scopes as TokenScope[],
      createdAt: new Date(r.created_at).toISOString(),
      expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null,
      lastUsedAt: r.last_used_at ? new Date(r.last_used_at).toISOString() : null,
      revokedAt: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
    }));
  }

  async revokeToken(ctx: AuthContext, tokenId: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction().execute(async (tx) => {
      const res = await tx
        .updateTable("api_tokens")
        .set({ revoked_at: now })
        .where("id", "=", tokenId)
        .where("user_id", "=", ctx.user.id)
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw notFound("API token");
      await appendAudit(tx, {
        ...actorAudit(ctx, "token.revoke", now),
        subjectType: "api_token",
        subjectId: tokenId,
      });
    });
  }
}

function actorAudit(ctx: AuthContext, action: string, at: Date) {
  return {
    actor: { kind: ctx.kind === "token" ? ("token" as const) : ctx.user.kind, id: ctx.user.id },
    action,
    subjectType: "user",
    subjectId: ctx.user.id,
    customerId: ctx.user.customerId,
    at,
  };
}
