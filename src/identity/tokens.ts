/**
 * API tokens for machine clients: shown once at creation, stored as a digest, limited to their
 * scopes, revocable; creating one needs a recent log-in or re-authentication.
 */

import { randomBytes } from "node:crypto";
import { appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { notFound } from "../core/errors.ts";
import { mapPage, type PageRequest } from "../db/page.ts";
import { type AuthContext, selfAudit, type TokenContext } from "./actor.ts";
import type { TokenScope } from "./rules.ts";
import { sha256 } from "./secrets.ts";
import { requireRecentAuth } from "./sessions.ts";
import { insertToken, revokeTokensOf, tokensOf, tokenWithUser, touchToken } from "./store.ts";
import { presentUser } from "./users.ts";

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Resolve a bearer token: unknown, revoked, expired or of a disabled user → none. */
export async function authenticateToken(deps: Deps, bearer: string): Promise<TokenContext | undefined> {
  const now = deps.clock.now();
  const row = await tokenWithUser(deps.db, sha256(bearer));
  if (!row || row.revoked_at || row.disabled_at) return undefined;
  if (row.expires_at && new Date(row.expires_at) <= now) return undefined;
  await touchToken(deps.db, row.token_id, now);
  return {
    kind: "token",
    user: presentUser(row),
    tokenId: row.token_id,
    scopes: row.scopes as TokenScope[],
  };
}

export async function createToken(
  deps: Deps,
  auth: AuthContext,
  input: { name: string; scopes: TokenScope[]; expiresInDays?: number },
) {
  const now = deps.clock.now();
  requireRecentAuth(auth, now);
  // The prefix is shown in lists so a user can tell tokens apart; the rest is secret.
  const prefix = randomBytes(4).toString("hex");
  const token = `unyo_${prefix}_${randomBytes(24).toString("base64url")}`;
  return deps.db.transaction().execute(async (tx) => {
    const row = await insertToken(tx, {
      user_id: auth.user.id,
      customer_id: auth.user.customerId,
      name: input.name,
      prefix,
      token_hash: sha256(token),
      scopes: input.scopes,
      expires_at: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
    });
    await appendAudit(tx, {
      ...selfAudit(auth, "token.create", now),
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
      expiresAt: iso(row.expires_at),
    };
  });
}

export async function listTokens(deps: Deps, auth: AuthContext, page: PageRequest = {}) {
  return mapPage(tokensOf(deps.db, auth.user.id, page), (r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes as TokenScope[],
    createdAt: new Date(r.created_at).toISOString(),
    expiresAt: iso(r.expires_at),
    lastUsedAt: iso(r.last_used_at),
    revokedAt: iso(r.revoked_at),
  }));
}

export async function revokeToken(deps: Deps, auth: AuthContext, tokenId: string): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    if ((await revokeTokensOf(tx, auth.user.id, now, tokenId)) === 0) throw notFound("API token");
    await appendAudit(tx, {
      ...selfAudit(auth, "token.revoke", now),
      subjectType: "api_token",
      subjectId: tokenId,
    });
  });
}
