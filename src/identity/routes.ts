/**
 * Log-in and log-out, the signed-in user's own account (password, TOTP, sessions, API tokens), and
 * users created and reset by provider staff.
 */
import type { FastifyReply } from "fastify";
import { AppError } from "../core/errors.ts";
import { idParams } from "../core/schemas.ts";
import { pageOf, pageQuery } from "../db/page.ts";
import { SESSION_COOKIE } from "../http/auth.ts";
import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import { type AuthContext, interactive } from "./actor.ts";
import { listResetRequests, requestPasswordReset, updateUser } from "./company-users.ts";
import { login } from "./login.ts";
import { changePassword, resetPassword } from "./passwords.ts";
import { pendingObligation } from "./rules.ts";
import {
  changePasswordBody,
  createCustomerUserBody,
  createdTokenSchema,
  createTokenBody,
  createUserBody,
  issuedUserSchema,
  loginBody,
  type Me,
  managedUserSchema,
  meSchema,
  passwordResetSchema,
  reauthBody,
  resetRequestSchema,
  sessionIdParams,
  sessionSchema,
  tokenSchema,
  totpConfirmBody,
  totpSetupSchema,
  userUpdateBody,
} from "./schemas.ts";
import { endSession, listSessions, logout, reauthenticate } from "./sessions.ts";
import { createToken, listTokens, revokeToken } from "./tokens.ts";
import { confirmTotpEnrolment, startTotpEnrolment } from "./totp-enrolment.ts";
import { addCompanyUser, addUserByStaff, usersOfCompany } from "./users.ts";

/** The caller's own account stays reachable while the Art. 10 password change or TOTP enrolment is pending. */
const ownAccount = { who: "any", allowPending: true } as const;
const signedIn = { who: "any" } as const;
const ops = { who: "staff", roles: ["admin", "operator"] } as const;
/** Who manages a company's users: provider administrators and operators, and the company's customer-admin. */
const userManagers = { who: "any", roles: ["admin", "operator", "customer-admin"] } as const;

function presentMe(auth: AuthContext): Me {
  return {
    user: auth.user,
    csrfToken: auth.kind === "session" ? auth.csrfToken : null,
    pending: pendingObligation(auth.user) ?? null,
    authenticatedBy: auth.kind,
  };
}

export function identityRoutes(ctx: AppContext) {
  const setSessionCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: ctx.config.secureCookies,
      maxAge: ctx.config.sessionAbsoluteHours * 3600,
    });

  return [
    route({
      method: "POST",
      url: "/auth/login",
      summary: "Log in with login id and password (and a TOTP code when enabled)",
      policy: "public",
      body: loginBody,
      response: meSchema,
      handler: async ({ body, req, reply }) => {
        const { token, context } = await login(ctx, {
          ...body,
          ip: req.ip,
          userAgent: req.headers["user-agent"],
        });
        setSessionCookie(reply, token);
        return presentMe(context);
      },
    }),
    route({
      method: "POST",
      url: "/auth/logout",
      summary: "End this session (server-side)",
      // Also without a live session: the browser's cookie is cleared either way.
      policy: "public",
      status: 204,
      response: null,
      handler: async ({ caller, reply }) => {
        if (caller?.kind === "session") await logout(ctx, caller);
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
      },
    }),
    route({
      method: "POST",
      url: "/auth/forgot-password",
      summary: "Not offered: contact the provider through the designated channel",
      description:
        "Self-service password recovery is refused by design: passwords are reset only by the provider, and the new initial password reaches the user through the designated channel (Art. 10, 35(17)). Always 403.",
      policy: "public",
      refusesOnly: true,
      response: null,
      handler: async () => {
        throw new AppError(
          "forbidden",
          "passwords are reset only by the provider through the designated channel",
          { article: "35(17)" },
        );
      },
    }),
    route({
      method: "GET",
      url: "/me",
      summary: "The signed-in user, CSRF token and pending obligations",
      policy: ownAccount,
      response: meSchema,
      handler: async ({ auth }) => presentMe(auth),
    }),
    route({
      method: "POST",
      url: "/me/password",
      summary: "Change one's own password (ends the user's other sessions)",
      policy: ownAccount,
      body: changePasswordBody,
      status: 204,
      response: null,
      handler: ({ auth, body }) =>
        changePassword(ctx, interactive(auth, "change passwords"), body.currentPassword, body.newPassword),
    }),
    route({
      method: "POST",
      url: "/me/reauthenticate",
      summary: "Confirm the password before a sensitive action",
      policy: ownAccount,
      body: reauthBody,
      status: 204,
      response: null,
      handler: ({ auth, body }) => reauthenticate(ctx, interactive(auth, "re-authenticate"), body.password),
    }),
    route({
      method: "POST",
      url: "/me/totp/setup",
      summary: "Start TOTP enrolment: returns the secret and otpauth URI",
      policy: ownAccount,
      response: totpSetupSchema,
      handler: ({ auth }) => startTotpEnrolment(ctx, interactive(auth, "enrol")),
    }),
    route({
      method: "POST",
      url: "/me/totp/confirm",
      summary: "Finish TOTP enrolment with a current code",
      policy: ownAccount,
      body: totpConfirmBody,
      response: meSchema,
      handler: async ({ auth, body }) =>
        presentMe(await confirmTotpEnrolment(ctx, interactive(auth, "enrol"), body.code)),
    }),
    route({
      method: "GET",
      url: "/me/sessions",
      summary: "My active sessions",
      policy: signedIn,
      query: pageQuery,
      response: pageOf(sessionSchema),
      handler: ({ auth, query }) => listSessions(ctx, auth, query),
    }),
    route({
      method: "DELETE",
      url: "/me/sessions/:id",
      summary: "End one of my sessions",
      policy: signedIn,
      params: sessionIdParams,
      status: 204,
      response: null,
      handler: ({ auth, params }) => endSession(ctx, auth, params.id),
    }),
    route({
      method: "GET",
      url: "/me/tokens",
      summary: "My API tokens",
      policy: signedIn,
      query: pageQuery,
      response: pageOf(tokenSchema),
      handler: ({ auth, query }) => listTokens(ctx, auth, query),
    }),
    route({
      method: "POST",
      url: "/me/tokens",
      summary: "Create an API token (shown once; needs a recent log-in or re-authentication)",
      policy: signedIn,
      body: createTokenBody,
      status: 201,
      response: createdTokenSchema,
      handler: ({ auth, body }) => createToken(ctx, auth, body),
    }),
    route({
      method: "DELETE",
      url: "/me/tokens/:id",
      summary: "Revoke an API token",
      policy: signedIn,
      params: idParams,
      status: 204,
      response: null,
      handler: ({ auth, params }) => revokeToken(ctx, auth, params.id),
    }),
    route({
      method: "POST",
      url: "/users",
      summary: "Create a user; the initial password is returned once (Art. 10)",
      policy: ops,
      body: createUserBody,
      status: 201,
      response: issuedUserSchema,
      handler: ({ auth, body }) => addUserByStaff(ctx, auth, body),
    }),
    route({
      method: "POST",
      url: "/users/:id/reset-password",
      summary: "Reset a user's password: a new initial password for the designated channel (Art. 35(17))",
      policy: ops,
      params: idParams,
      response: passwordResetSchema,
      handler: async ({ auth, params }) => ({
        ...(await resetPassword(ctx, auth, params.id)),
        article: "35(17)",
      }),
    }),
    route({
      method: "GET",
      url: "/customers/:id/users",
      summary: "The company's portal users",
      tags: ["customers"],
      policy: { who: "any" },
      params: idParams,
      query: pageQuery,
      response: pageOf(managedUserSchema),
      handler: ({ auth, params, query }) => usersOfCompany(ctx, auth, params.id, query),
    }),
    route({
      method: "PATCH",
      url: "/users/:id",
      summary:
        "Change a user's role, deactivate or reactivate them (deactivation ends their sessions and revokes their API tokens); never one's own account, and a company keeps an active customer-admin",
      tags: ["customers"],
      policy: userManagers,
      params: idParams,
      body: userUpdateBody,
      response: managedUserSchema,
      handler: ({ auth, params, body }) => updateUser(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/users/:id/reset-request",
      summary:
        "Ask the provider to reset a company user's password; staff reset it and hand the new one over through the designated channel (Art. 35(17))",
      tags: ["customers"],
      policy: userManagers,
      params: idParams,
      response: managedUserSchema,
      handler: async ({ auth, params }) => requestPasswordReset(ctx, auth, params.id),
    }),
    route({
      method: "GET",
      url: "/users/reset-requests",
      summary: "Password resets the customers asked for, the oldest first (Art. 35(17))",
      policy: ops,
      query: pageQuery,
      response: pageOf(resetRequestSchema),
      handler: ({ query }) => listResetRequests(ctx, query),
    }),
    route({
      method: "POST",
      url: "/customers/:id/users",
      summary: "Add a portal user; the initial password is returned once (Art. 10)",
      tags: ["customers"],
      policy: userManagers,
      params: idParams,
      body: createCustomerUserBody,
      status: 201,
      response: issuedUserSchema,
      handler: async ({ auth, params, body }) => {
        const r = await addCompanyUser(ctx, auth, params.id, body);
        return { user: r.user, initialPassword: r.initialPassword! };
      },
    }),
  ];
}
