import { createHash, randomBytes } from "node:crypto";
import { type Actor, appendAudit } from "../audit/service.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { AppError, notFound } from "../core/errors.ts";
import { customerExists } from "../customers/store.ts";
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
import {
  clearLoginFailures,
  enableTotp,
  endSessionById,
  endSessionOf,
  endSessionsOf,
  insertSession,
  insertToken,
  insertUser,
  loginIdTaken,
  markReauthenticated,
  offerTotpSecret,
  passwordHashOf,
  revokeTokenOf,
  revokeTokensOf,
  sessionWithUser,
  setIssuedPassword,
  setLoginFailures,
  setPassword,
  tokensOf,
  tokenWithUser,
  totpOf,
  touchSession,
  touchToken,
  type UserRow,
  unexpiredSessionsOf,
  userForLogin,
} from "./store.ts";
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

export { USER_COLUMNS } from "./store.ts";

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
  if (await loginIdTaken(tx, input.loginId))
    throw new AppError("conflict", `login id "${input.loginId}" is already taken`);
  if (input.customerId && !(await customerExists(tx, input.customerId))) throw notFound("customer");
  const initialPassword = input.password ? undefined : generateInitialPassword();
  const row = await insertUser(tx, {
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
  }).catch((err: { code?: string }) => {
    // A login id held by another company's user is invisible under RLS; the unique index still holds.
    if (err.code === "23505") throw new AppError("conflict", `login id "${input.loginId}" is already taken`);
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
    const row = await userForLogin(this.db, input.loginId);
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
      await clearLoginFailures(tx, row.id, totpStepUsed);
      await insertSession(tx, {
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
      });
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
      await setLoginFailures(tx, userId, next.failed, next.lockedUntil);
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
    const row = await sessionWithUser(this.db, idHash);
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
      if (state !== "ended") await endSessionById(this.db, idHash, now);
      return undefined;
    }
    if (now.getTime() - new Date(row.last_seen_at).getTime() > 30_000)
      await touchSession(this.db, idHash, now);
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
    const row = await tokenWithUser(this.db, sha256(bearer));
    if (!row || row.revoked_at || row.disabled_at) return undefined;
    if (row.expires_at && new Date(row.expires_at) <= now) return undefined;
    await touchToken(this.db, row.token_id, now);
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
      await endSessionById(tx, Buffer.from(ctx.sessionId, "hex"), now);
      await appendAudit(tx, actorAudit(ctx, "session.logout", now));
    });
  }

  async listSessions(ctx: AuthContext) {
    const now = this.clock.now();
    const rows = await unexpiredSessionsOf(this.db, ctx.user.id, now);
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
      if ((await endSessionOf(tx, ctx.user.id, Buffer.from(sessionId, "hex"), now)) === 0)
        throw notFound("session");
      await appendAudit(tx, {
        ...actorAudit(ctx, "session.end", now),
        after: { sessionId: sessionId.slice(0, 12) },
      });
    });
  }

  async reauthenticate(ctx: SessionContext, password: string): Promise<void> {
    const now = this.clock.now();
    if (!(await verifyPassword(await passwordHashOf(this.db, ctx.user.id), password)))
      throw new AppError("unauthenticated", "the password is incorrect");
    await markReauthenticated(this.db, Buffer.from(ctx.sessionId, "hex"), now);
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
    if (!(await verifyPassword(await passwordHashOf(this.db, ctx.user.id), currentPassword)))
      throw new AppError("unauthenticated", "the current password is incorrect");
    if (currentPassword === newPassword)
      throw new AppError("validation_failed", "the new password must differ from the current one", {
        details: { newPassword: ["same_as_current"] },
      });
    checkPassword(newPassword, ctx.user.loginId);
    const newHash = await hashPassword(newPassword);
    await this.db.transaction().execute(async (tx) => {
      await setPassword(tx, ctx.user.id, newHash, now);
      await endSessionsOf(tx, ctx.user.id, now, Buffer.from(ctx.sessionId, "hex"));
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
      const row = await setIssuedPassword(tx, userId, passwordHash, now);
      if (!row) throw notFound("user");
      if (row.kind === "staff" && actor.user.role !== "admin")
        throw new AppError("forbidden", "only an administrator resets a staff member's password");
      await endSessionsOf(tx, userId, now);
      await revokeTokensOf(tx, userId, now);
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
    await offerTotpSecret(this.db, ctx.user.id, secret);
    if ((await totpOf(this.db, ctx.user.id)).totp_enabled)
      throw new AppError("conflict", "two-factor authentication is already enabled");
    return { secret, uri: otpauthUri(secret, ctx.user.loginId) };
  }

  async confirmTotpEnrolment(ctx: SessionContext, code: string): Promise<void> {
    const now = this.clock.now();
    const row = await totpOf(this.db, ctx.user.id);
    if (row.totp_enabled) throw new AppError("conflict", "two-factor authentication is already enabled");
    if (!row.totp_secret) throw new AppError("conflict", "start the enrolment first");
    const step = verifyTotp(row.totp_secret, code, now);
    if (step === undefined)
      throw new AppError("validation_failed", "the code does not match", { details: { code: ["mismatch"] } });
    await this.db.transaction().execute(async (tx) => {
      await enableTotp(tx, ctx.user.id, step);
      await appendAudit(tx, actorAudit(ctx, "user.totp_enable", now));
    });
  }

  async createToken(ctx: AuthContext, input: { name: string; scopes: TokenScope[]; expiresInDays?: number }) {
    this.requireRecentAuth(ctx);
    const now = this.clock.now();
    const prefix = randomBytes(4).toString("hex");
    const token = `unyo_${prefix}_${randomBytes(24).toString("base64url")}`;
    return this.db.transaction().execute(async (tx) => {
      const row = await insertToken(tx, {
        user_id: ctx.user.id,
        customer_id: ctx.user.customerId,
        name: input.name,
        prefix,
        token_hash: sha256(token),
        scopes: input.scopes,
        expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
      });
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
    const rows = await tokensOf(this.db, ctx.user.id);
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
      if ((await revokeTokenOf(tx, ctx.user.id, tokenId, now)) === 0) throw notFound("API token");
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
