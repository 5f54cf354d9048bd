import type { FastifyInstance, FastifyReply } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../core/errors.ts";
import { authorize, requireAuth, SESSION_COOKIE } from "../http/auth.ts";
import type { AppContext } from "../http/context.ts";
import { errorSchema } from "../http/errors.ts";
import type { AuthContext } from "./actor.ts";
import { login } from "./login.ts";
import { changePassword, resetPassword } from "./passwords.ts";
import { pendingObligation } from "./rules.ts";
import {
  changePasswordBody,
  createTokenBody,
  createUserBody,
  idParams,
  loginBody,
  meSchema,
  reauthBody,
  sessionIdParams,
  sessionSchema,
  tokenSchema,
  totpConfirmBody,
  userSchema,
} from "./schemas.ts";
import { endSession, listSessions, logout, reauthenticate } from "./sessions.ts";
import { createToken, listTokens, revokeToken } from "./tokens.ts";
import { confirmTotpEnrolment, startTotpEnrolment } from "./totp-enrolment.ts";
import { createUser } from "./users.ts";

const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  423: errorSchema,
  429: errorSchema,
};

export function identityRoutes(ctx: AppContext) {
  const { config } = ctx;
  const me = (auth: AuthContext) => ({
    user: auth.user,
    csrfToken: auth.kind === "session" ? auth.csrfToken : null,
    pending: pendingObligation(auth.user) ?? null,
    authenticatedBy: auth.kind,
  });
  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(SESSION_COOKIE, token, {
      path: "/",
      httpOnly: true,
      sameSite: "lax",
      secure: config.secureCookies,
      maxAge: config.sessionAbsoluteHours * 3600,
    });

  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ["identity"];

    app.post(
      "/auth/login",
      {
        schema: {
          tags,
          summary: "Log in with login id and password (and a TOTP code when enabled)",
          body: loginBody,
          response: { 200: meSchema, ...errors },
        },
        config: { public: true },
      },
      async (req, reply) => {
        const { token, context } = await login(ctx, {
          ...req.body,
          ip: req.ip,
          userAgent: req.headers["user-agent"],
        });
        setCookie(reply, token);
        return me(context);
      },
    );

    app.post(
      "/auth/logout",
      { schema: { tags, summary: "End this session (server-side)", response: { 204: z.null(), ...errors } } },
      async (req, reply) => {
        const auth = req.auth;
        if (auth?.kind === "session") await logout(ctx, auth);
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        return reply.code(204).send(null);
      },
    );

    const any = { preHandler: authorize({ who: "any", allowPending: true }) };

    app.get(
      "/me",
      {
        ...any,
        schema: {
          tags,
          summary: "The signed-in user, CSRF token and pending obligations",
          response: { 200: meSchema, ...errors },
        },
      },
      async (req) => me(requireAuth(req)),
    );

    app.post(
      "/me/password",
      {
        ...any,
        schema: {
          tags,
          summary: "Change one's own password (ends the user's other sessions)",
          body: changePasswordBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        if (auth.kind !== "session")
          throw new AppError("forbidden", "change passwords in an interactive session");
        await changePassword(ctx, auth, req.body.currentPassword, req.body.newPassword);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/me/reauthenticate",
      {
        ...any,
        schema: {
          tags,
          summary: "Confirm the password before a sensitive action",
          body: reauthBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        if (auth.kind !== "session")
          throw new AppError("forbidden", "re-authenticate in an interactive session");
        await reauthenticate(ctx, auth, req.body.password);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/me/totp/setup",
      {
        ...any,
        schema: {
          tags,
          summary: "Start TOTP enrolment: returns the secret and otpauth URI",
          response: { 200: z.object({ secret: z.string(), uri: z.string() }), ...errors },
        },
      },
      async (req) => {
        const auth = requireAuth(req);
        if (auth.kind !== "session") throw new AppError("forbidden", "enrol in an interactive session");
        return startTotpEnrolment(ctx, auth);
      },
    );

    app.post(
      "/me/totp/confirm",
      {
        ...any,
        schema: {
          tags,
          summary: "Finish TOTP enrolment with a current code",
          body: totpConfirmBody,
          response: { 200: meSchema, ...errors },
        },
      },
      async (req) => {
        const auth = requireAuth(req);
        if (auth.kind !== "session") throw new AppError("forbidden", "enrol in an interactive session");
        await confirmTotpEnrolment(ctx, auth, req.body.code);
        return me({ ...auth, user: { ...auth.user, totpEnabled: true } });
      },
    );

    const signedIn = { preHandler: authorize({ who: "any" }) };

    app.get(
      "/me/sessions",
      {
        ...signedIn,
        schema: {
          tags,
          summary: "My active sessions",
          response: { 200: z.object({ items: z.array(sessionSchema) }), ...errors },
        },
      },
      async (req) => ({
        items: await listSessions(ctx, requireAuth(req)),
      }),
    );

    app.delete(
      "/me/sessions/:id",
      {
        ...signedIn,
        schema: {
          tags,
          summary: "End one of my sessions",
          params: sessionIdParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await endSession(ctx, requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      "/me/tokens",
      {
        ...signedIn,
        schema: {
          tags,
          summary: "My API tokens",
          response: { 200: z.object({ items: z.array(tokenSchema) }), ...errors },
        },
      },
      async (req) => ({
        items: await listTokens(ctx, requireAuth(req)),
      }),
    );

    app.post(
      "/me/tokens",
      {
        ...signedIn,
        schema: {
          tags,
          summary: "Create an API token (shown once; needs a recent log-in or re-authentication)",
          body: createTokenBody,
          response: {
            201: tokenSchema
              .pick({ id: true, name: true, prefix: true, scopes: true, expiresAt: true })
              .extend({ token: z.string() }),
            ...errors,
          },
        },
      },
      async (req, reply) => reply.code(201).send(await createToken(ctx, requireAuth(req), req.body)),
    );

    app.delete(
      "/me/tokens/:id",
      {
        ...signedIn,
        schema: {
          tags,
          summary: "Revoke an API token",
          params: idParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await revokeToken(ctx, requireAuth(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      "/users",
      {
        preHandler: authorize({ who: "staff", roles: ["admin", "operator"] }),
        schema: {
          tags,
          summary: "Create a user; the initial password is returned once (Art. 10)",
          body: createUserBody,
          response: { 201: z.object({ user: userSchema, initialPassword: z.string() }), ...errors },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        if (req.body.kind === "staff" && auth.user.role !== "admin")
          throw new AppError("forbidden", "only an administrator creates staff users");
        const result = await ctx.db
          .transaction()
          .execute((tx) =>
            createUser(
              tx,
              { kind: "staff", id: auth.user.id },
              { ...req.body, customerId: req.body.customerId ?? null },
              ctx.clock.now(),
            ),
          );
        return reply.code(201).send({ user: result.user, initialPassword: result.initialPassword! });
      },
    );

    app.post(
      "/users/:id/reset-password",
      {
        preHandler: authorize({ who: "staff", roles: ["admin", "operator"] }),
        schema: {
          tags,
          summary: "Reset a user's password: a new initial password for the designated channel (Art. 35(17))",
          params: idParams,
          response: {
            200: z.object({ user: userSchema, initialPassword: z.string(), article: z.string() }),
            ...errors,
          },
        },
      },
      async (req) => {
        const result = await resetPassword(ctx, requireAuth(req), req.params.id);
        return { ...result, article: "35(17)" };
      },
    );

    // Self-service password recovery is refused by design: answers about passwords go only
    // through the designated channel (Art. 10, 35(17)).
    app.post(
      "/auth/forgot-password",
      {
        schema: {
          tags,
          summary: "Not offered: contact the provider through the designated channel",
          response: { 403: errorSchema },
        },
        config: { public: true },
      },
      async () => {
        throw new AppError(
          "forbidden",
          "passwords are reset only by the provider through the designated channel",
          { article: "35(17)" },
        );
      },
    );
  };
}
