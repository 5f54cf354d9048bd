/**
 * Enrolling TOTP two-factor authentication (required of provider administrators): a secret is
 * offered once, after a recent authentication, and takes effect when a current code confirms it.
 */
import { appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import { type SessionContext, selfAudit } from "./actor.ts";
import { requireRecentAuth } from "./sessions.ts";
import { enableTotp, offerTotpSecret, totpOf } from "./store.ts";
import { newTotpSecret, otpauthUri, verifyTotp } from "./totp.ts";

const alreadyEnabled = () => new AppError("conflict", "two-factor authentication is already enabled");

export async function startTotpEnrolment(
  deps: Deps,
  session: SessionContext,
): Promise<{ secret: string; uri: string }> {
  requireRecentAuth(session, deps.clock.now());
  const secret = newTotpSecret();
  // The secret of an enabled TOTP is never replaced nor shown again.
  await offerTotpSecret(deps.db, session.user.id, secret);
  if ((await totpOf(deps.db, session.user.id)).totp_enabled) throw alreadyEnabled();
  return { secret, uri: otpauthUri(secret, session.user.loginId) };
}

/** Confirm with a current code; the session's view of its user then has TOTP on. */
export async function confirmTotpEnrolment(
  deps: Deps,
  session: SessionContext,
  code: string,
): Promise<SessionContext> {
  const now = deps.clock.now();
  const row = await totpOf(deps.db, session.user.id);
  if (row.totp_enabled) throw alreadyEnabled();
  if (!row.totp_secret) throw new AppError("conflict", "start the enrolment first");
  const step = verifyTotp(row.totp_secret, code, now);
  if (step === undefined)
    throw new AppError("validation_failed", "the code does not match", { details: { code: ["mismatch"] } });
  await deps.db.transaction().execute(async (tx) => {
    // The confirming step counts as used: the same code cannot log in afterwards (no replay).
    await enableTotp(tx, session.user.id, step);
    await appendAudit(tx, selfAudit(session, "user.totp_enable", now));
  });
  return { ...session, user: { ...session.user, totpEnabled: true } };
}
