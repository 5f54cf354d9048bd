/**
 * Wrong passwords and codes count toward one lock-out (ASVS 2.2.1), wherever they are typed: at
 * log-in, on re-authentication and as the current password of a change. Each failure is counted on
 * the locked user row, so failures arriving in parallel are all counted; the rule decides the lock.
 */
import { type Actor, appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import { actorOf, type SessionContext, sessionDigest } from "./actor.ts";
import { afterFailedLogin } from "./rules.ts";
import { verifyPassword } from "./secrets.ts";
import {
  clearLoginFailures,
  endSessionsOf,
  failedLoginsForUpdate,
  passwordCheckOf,
  setLoginFailures,
} from "./store.ts";

export type Factor = "password" | "totp" | "reauthentication" | "current_password";

export function lockedError(lockedUntil: Date): AppError {
  return new AppError(
    "locked",
    "this account is temporarily locked after repeated failed log-ins; try again later",
    {
      details: { lockedUntil: lockedUntil.toISOString() },
    },
  );
}

/**
 * Count one failed factor. With `session`, the failure was typed in that session: when it locks
 * the account, that session ends too (a stolen session cannot go on guessing).
 * Returns the lock's end when this failure locked the account.
 */
export async function countFailure(
  deps: Deps,
  user: { id: string; customerId: string | null },
  factor: Factor,
  at: Date,
  opts: { actor?: Actor; session?: Buffer } = {},
): Promise<Date | null> {
  return deps.db.transaction().execute(async (tx) => {
    const next = afterFailedLogin(await failedLoginsForUpdate(tx, user.id), at);
    await setLoginFailures(tx, user.id, next.failed, next.lockedUntil);
    if (next.lockedUntil && opts.session) await endSessionsOf(tx, user.id, at, { only: opts.session });
    await appendAudit(tx, {
      actor: opts.actor ?? { kind: "public", id: null },
      action: next.lockedUntil ? "session.login_failed_locked" : "session.login_failed",
      subjectType: "user",
      subjectId: user.id,
      customerId: user.customerId,
      after: { failedLogins: next.failed, factor },
      at,
    });
    return next.lockedUntil;
  });
}

/**
 * The signed-in user's own password, typed again (re-authentication, the current password of a
 * change): refused while the account is locked; a wrong one counts toward the lock-out and, when it
 * locks, ends this session; a right one clears the count as a log-in does.
 */
export async function checkOwnPassword(
  deps: Deps,
  session: SessionContext,
  password: string,
  factor: "reauthentication" | "current_password",
  wrong: string,
): Promise<void> {
  const now = deps.clock.now();
  const user = await passwordCheckOf(deps.db, session.user.id);
  if (user.locked_until && user.locked_until > now) throw lockedError(user.locked_until);
  if (await verifyPassword(user.password_hash, password)) {
    if (user.failed_logins > 0) await clearLoginFailures(deps.db, session.user.id);
    return;
  }
  const locked = await countFailure(
    deps,
    { id: session.user.id, customerId: session.user.customerId },
    factor,
    now,
    { actor: actorOf(session), session: sessionDigest(session) },
  );
  if (locked) throw lockedError(locked);
  throw new AppError("unauthenticated", wrong);
}
