/**
 * A company's users as its customer-admin (or provider staff) manage them: the list with who is
 * deactivated and whose reset is awaited, a role changed, a user deactivated or reactivated, and a
 * password reset asked of the provider — who alone resets it, handing the new initial password over
 * through the designated channel (Art. 35(17), see passwords.ts).
 *
 * Rules, the same for staff and customer-admins (pure, in rules.ts: `mayManage`, `userChange`,
 * `keepsAnAdmin`):
 * - nobody changes their own role or deactivates themselves (it would be the easy way to lock a
 *   company out, or to keep a role one was meant to lose);
 * - a company keeps one active customer-admin: promote or add another before demoting or
 *   deactivating the last;
 * - only an administrator manages staff users; a customer-admin manages their own company's users
 *   only (row-level security hides the others: they are "not found");
 * - a deactivated user's sessions end and API tokens are revoked at once, on every server.
 */

import { appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "./actor.ts";
import { keepsAnAdmin, mayManage, userChange } from "./rules.ts";
import type { ManagedUserView, ResetRequestView, UserUpdateRequest } from "./schemas.ts";
import {
  endSessionsOf,
  managedUserForUpdate,
  otherActiveAdmins,
  resetRequests,
  revokeTokensOf,
  updateManagedUser,
} from "./store.ts";
import { presentManagedUser } from "./users.ts";

/** Change a user's role and/or deactivate or reactivate them; the audit log records each change. */
export async function updateUser(
  deps: Deps,
  auth: AuthContext,
  userId: string,
  input: UserUpdateRequest,
): Promise<ManagedUserView> {
  const now = deps.clock.now();
  return asCaller(deps.db, auth, async (tx) => {
    const target = await managedUserForUpdate(tx, userId);
    if (!target) throw notFound("user");
    mayManage(auth.user, target);
    const change = userChange(
      auth.user.id,
      { id: target.id, kind: target.kind, role: target.role, active: target.disabled_at === null },
      input,
    );
    if (change.role === null && change.active === null) return presentManagedUser(target);
    if (change.removesAdmin)
      keepsAnAdmin(change.removesAdmin, await otherActiveAdmins(tx, target.customer_id!, target.id));
    const roleChanges = change.role !== null;
    const activeChanges = change.active !== null;
    const row = await updateManagedUser(
      tx,
      userId,
      {
        ...(change.role !== null ? { role: change.role } : {}),
        ...(change.active !== null ? { disabled_at: change.active ? null : now } : {}),
      },
      now,
    );
    const audit = {
      actor: actorOf(auth),
      subjectType: "user",
      subjectId: userId,
      customerId: target.customer_id,
      at: now,
    };
    if (roleChanges)
      await appendAudit(tx, {
        ...audit,
        action: "user.role_change",
        before: { role: target.role },
        after: { role: row.role },
      });
    if (activeChanges) {
      let ended = { sessions: 0, tokens: 0 };
      if (!change.active)
        ended = {
          sessions: await endSessionsOf(tx, userId, now),
          tokens: await revokeTokensOf(tx, userId, now),
        };
      await appendAudit(tx, {
        ...audit,
        action: change.active ? "user.reactivate" : "user.deactivate",
        after: change.active
          ? { active: true }
          : { active: false, sessionsEnded: ended.sessions, tokensRevoked: ended.tokens },
      });
    }
    return presentManagedUser(row);
  });
}

/**
 * A customer-admin asks the provider to reset a user's password (Art. 35(17)): the request waits on
 * the user until staff reset it and hand the new initial password over through the designated
 * channel. Asking again keeps the first request's time.
 */
export async function requestPasswordReset(
  deps: Deps,
  auth: AuthContext,
  userId: string,
): Promise<ManagedUserView> {
  const now = deps.clock.now();
  return asCaller(deps.db, auth, async (tx) => {
    const target = await managedUserForUpdate(tx, userId);
    if (!target) throw notFound("user");
    if (target.kind !== "customer")
      throw new AppError("validation_failed", "staff passwords are reset by an administrator directly");
    mayManage(auth.user, target);
    if (target.reset_requested_at) return presentManagedUser(target);
    const row = await updateManagedUser(
      tx,
      userId,
      { reset_requested_at: now, reset_requested_by: auth.user.id },
      now,
    );
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "user.password_reset_request",
      subjectType: "user",
      subjectId: userId,
      customerId: target.customer_id,
      article: "35(17)",
      at: now,
    });
    return presentManagedUser(row);
  });
}

/** The provider's queue of requested resets (staff). */
export async function listResetRequests(deps: Deps, page: PageRequest): Promise<Page<ResetRequestView>> {
  return mapPage(resetRequests(deps.db, page), (r) => ({
    user: presentManagedUser(r),
    customerName: r.legal_name,
    requestedByName: r.requested_by_name,
  }));
}
