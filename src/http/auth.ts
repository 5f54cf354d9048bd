import type { FastifyReply, FastifyRequest } from "fastify";
import { AppError } from "../core/errors.ts";
import type { AuthContext } from "../identity/actor.ts";
import { pendingObligation, type Role, type TokenScope } from "../identity/rules.ts";
import { authenticateSession, type IdentityDeps } from "../identity/sessions.ts";
import { authenticateToken } from "../identity/tokens.ts";

export const SESSION_COOKIE = "unyo_session";

declare module "fastify" {
  interface FastifyRequest {
    auth: AuthContext | undefined;
  }
}

export interface Policy {
  /** Who may call: any signed-in user, only provider staff, or only customer users. */
  who: "any" | "staff" | "customer";
  roles?: readonly Role[];
  /** Token scope needed when called with an API token (GET needs read, others write). */
  scope?: TokenScope;
  /** Allowed while the Art. 10 password change or the admin TOTP enrolment is still pending. */
  allowPending?: boolean;
}

/** Resolve the caller from the session cookie or a bearer token (once per request). */
export async function resolveAuth(req: FastifyRequest, deps: IdentityDeps): Promise<void> {
  req.auth = undefined;
  const header = req.headers.authorization;
  if (header?.startsWith("Bearer ")) {
    const ctx = await authenticateToken(deps, header.slice(7).trim());
    if (!ctx) throw new AppError("unauthenticated", "the API token is invalid, expired or revoked");
    req.auth = ctx;
    return;
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (cookie) req.auth = await authenticateSession(deps, cookie);
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** CSRF: a state-changing request with a session cookie must echo the session's token. */
export function checkCsrf(req: FastifyRequest): void {
  if (SAFE.has(req.method) || req.auth?.kind !== "session") return;
  const sent = req.headers["x-csrf-token"];
  if (typeof sent !== "string" || sent !== req.auth.csrfToken)
    throw new AppError("csrf_failed", "missing or wrong X-CSRF-Token header (fetch it from GET /api/v1/me)");
}

export function authorize(policy: Policy) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const ctx = req.auth;
    if (!ctx) throw new AppError("unauthenticated", "sign in first");
    if (policy.who !== "any" && ctx.user.kind !== policy.who)
      throw new AppError("forbidden", policy.who === "staff" ? "provider staff only" : "customer users only");
    if (policy.roles && !policy.roles.includes(ctx.user.role))
      throw new AppError("forbidden", `needs one of the roles: ${policy.roles.join(", ")}`, {
        details: { roles: policy.roles },
      });
    if (ctx.kind === "token") {
      const scope = policy.scope ?? (SAFE.has(req.method) ? "read" : "write");
      if (!ctx.scopes.includes(scope))
        throw new AppError("forbidden", `the API token lacks the "${scope}" scope`);
    }
    if (!policy.allowPending) {
      const pending = pendingObligation(ctx.user);
      if (pending === "password_change_required")
        throw new AppError("password_change_required", "change the issued initial password first", {
          article: "10",
        });
      if (pending === "totp_required")
        throw new AppError(
          "totp_enrolment_required",
          "administrators must enable two-factor authentication first",
        );
    }
  };
}

export function requireAuth(req: FastifyRequest): AuthContext {
  if (!req.auth) throw new AppError("unauthenticated", "sign in first");
  return req.auth;
}
