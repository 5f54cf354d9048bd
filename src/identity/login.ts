/**
 * Log-in with login id, password and (when enabled) a TOTP code: throttled per client address,
 * accounts locked for a while after repeated failures, a new random session id at every log-in.
 */
import { randomBytes } from "node:crypto";
import { appendAudit } from "../audit/service.ts";
import { AppError } from "../core/errors.ts";
import { hitThrottle } from "../db/throttle.ts";
import type { SessionContext } from "./actor.ts";
import { countFailure, lockedError } from "./failures.ts";
import { IP_MAX_ATTEMPTS, IP_WINDOW_MINUTES } from "./rules.ts";
import { burnPasswordCheck, sha256, verifyPassword } from "./secrets.ts";
import type { IdentityDeps } from "./sessions.ts";
import { clearLoginFailures, insertSession, userForLogin } from "./store.ts";
import { verifyTotp } from "./totp.ts";
import { presentUser } from "./users.ts";

export interface LoginInput {
  loginId: string;
  password: string;
  totp?: string;
  ip: string;
  userAgent?: string;
}

export async function login(
  deps: IdentityDeps,
  input: LoginInput,
): Promise<{ token: string; context: SessionContext }> {
  const now = deps.clock.now();
  await hitThrottle(deps.db, `ip:${input.ip}`, IP_WINDOW_MINUTES, IP_MAX_ATTEMPTS, now, "log-in attempts");
  const row = await userForLogin(deps.db, input.loginId);
  const invalid = new AppError("unauthenticated", "login id or password is incorrect");
  // Demo accounts exist only in demo mode: with UNYO_DEMO=0 they cannot log in.
  if (!row || row.disabled_at || (row.is_demo && !deps.config.demo)) {
    await burnPasswordCheck(input.password);
    throw invalid;
  }
  if (row.locked_until && new Date(row.locked_until) > now) throw lockedError(new Date(row.locked_until));
  const passwordOk = await verifyPassword(row.password_hash, input.password);
  if (!passwordOk) {
    await countFailure(deps, { id: row.id, customerId: row.customer_id }, "password", now);
    throw invalid;
  }
  let totpStepUsed: number | undefined;
  if (row.totp_enabled && row.totp_secret) {
    if (!input.totp)
      throw new AppError("totp_required", "enter the 6-digit code from your authenticator app");
    totpStepUsed = verifyTotp(row.totp_secret, input.totp, now);
    // A code of a step already used (or an older one) is a replay.
    if (
      totpStepUsed === undefined ||
      (row.totp_last_step !== null && totpStepUsed <= Number(row.totp_last_step))
    ) {
      await countFailure(deps, { id: row.id, customerId: row.customer_id }, "totp", now);
      throw new AppError("unauthenticated", "the authenticator code is incorrect");
    }
  }
  // A new, random session id at every log-in (ASVS 3.2.1); only its hash is stored.
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  const idHash = sha256(token);
  await deps.db.transaction().execute(async (tx) => {
    await clearLoginFailures(tx, row.id, totpStepUsed);
    await insertSession(tx, {
      id_hash: idHash,
      user_id: row.id,
      customer_id: row.customer_id,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: new Date(now.getTime() + deps.config.sessionAbsoluteHours * 3_600_000),
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
