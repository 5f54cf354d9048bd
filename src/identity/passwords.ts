/**
 * Changing one's password (and so the issued initial password, Art. 10), and the reset by provider
 * staff. There is no self-service recovery: a new password reaches the user only through the
 * designated channel (Art. 35(17)).
 */
import { appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { type AuthContext, type SessionContext, selfAudit, sessionDigest } from "./actor.ts";
import { checkOwnPassword } from "./failures.ts";
import type { UserView } from "./schemas.ts";
import { hashPassword } from "./secrets.ts";
import { endSessionsOf, revokeTokensOf, setIssuedPassword, setPassword } from "./store.ts";
import { issueInitialPassword, presentUser, requireGoodPassword } from "./users.ts";

/** Change one's own password; ends every other session of the user. */
export async function changePassword(
  deps: Deps,
  session: SessionContext,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const now = deps.clock.now();
  await checkOwnPassword(
    deps,
    session,
    currentPassword,
    "current_password",
    "the current password is incorrect",
  );
  if (currentPassword === newPassword)
    throw new AppError("validation_failed", "the new password must differ from the current one", {
      details: { newPassword: ["same_as_current"] },
    });
  requireGoodPassword(newPassword, {
    loginId: session.user.loginId,
    userInputs: [session.user.displayName, session.user.email],
    demo: session.user.isDemo,
  });
  const newHash = await hashPassword(newPassword);
  await deps.db.transaction().execute(async (tx) => {
    await setPassword(tx, session.user.id, newHash, now);
    await endSessionsOf(tx, session.user.id, now, { except: sessionDigest(session) });
    await appendAudit(tx, {
      ...selfAudit(session, "user.password_change", now),
      after: { wasInitial: session.user.mustChangePassword },
      article: session.user.mustChangePassword ? "10" : null,
    });
  });
}

/**
 * Password reset is done only by provider staff, who hand the new initial password over
 * through the designated channel (Art. 35(17)); the user must change it at log-in (Art. 10).
 * Every session ends and every API token is revoked: whoever held the old password loses access.
 */
export async function resetPassword(
  deps: Deps,
  auth: AuthContext,
  userId: string,
): Promise<{ initialPassword: string; user: UserView }> {
  const now = deps.clock.now();
  const { initialPassword, passwordHash } = await issueInitialPassword();
  const user = await deps.db.transaction().execute(async (tx) => {
    const row = await setIssuedPassword(tx, userId, passwordHash, now);
    if (!row) throw notFound("user");
    // Thrown inside the transaction: the update above is rolled back.
    if (row.kind === "staff" && auth.user.role !== "admin")
      throw new AppError("forbidden", "only an administrator resets a staff member's password");
    await endSessionsOf(tx, userId, now);
    await revokeTokensOf(tx, userId, now);
    await appendAudit(tx, {
      actor: { kind: auth.user.kind, id: auth.user.id },
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
