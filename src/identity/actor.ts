/** The caller of a request (a signed-in session or an API token) and who acts, as the audit log records it. */
import { actorOf } from "../audit/service.ts";
import { AppError } from "../core/errors.ts";
import type { TokenScope } from "./rules.ts";
import type { UserView } from "./schemas.ts";

export interface SessionContext {
  kind: "session";
  user: UserView;
  /** The hex digest of the cookie's value (the cookie itself is never kept). */
  sessionId: string;
  csrfToken: string;
  reauthenticatedAt: Date | null;
}

/** The stored key of a session: the digest as bytes. */
export const sessionDigest = (session: SessionContext) => Buffer.from(session.sessionId, "hex");

export interface TokenContext {
  kind: "token";
  user: UserView;
  tokenId: string;
  scopes: TokenScope[];
}

export type AuthContext = SessionContext | TokenContext;

export { actorOf };

/** An audit entry about the caller's own account (log-out, password change, TOTP, tokens). */
export function selfAudit(auth: AuthContext, action: string, at: Date) {
  return {
    actor: actorOf(auth),
    action,
    subjectType: "user",
    subjectId: auth.user.id,
    customerId: auth.user.customerId,
    at,
  };
}

/** Credentials are changed by a person in a browser session, never with an API token. */
export function interactive(auth: AuthContext, what: string): SessionContext {
  if (auth.kind !== "session") throw new AppError("forbidden", `${what} in an interactive session`);
  return auth;
}
