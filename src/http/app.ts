import { randomUUID, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject, validatorCompiler } from "fastify-type-provider-zod";
import { sql } from "kysely";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { adminRoutes } from "../admin/routes.ts";
import { contractChangeRoutes } from "../billing/change-routes.ts";
import { journalRoutes } from "../billing/journal-routes.ts";
import { acceptRawFiles, billingRoutes, contractBillingRoutes, paymentRoutes } from "../billing/routes.ts";
import { applicationRoutes, contractRoutes } from "../contracts/routes.ts";
import { type Clock, systemClock, TestClock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { customerRoutes } from "../customers/routes.ts";
import type { Db } from "../db/db.ts";
import { identityRoutes } from "../identity/routes.ts";
import { SessionCache } from "../identity/session-cache.ts";
import type { IdentityDeps, ResolvedSession } from "../identity/sessions.ts";
import { incidentRoutes, incidentStreamRoute, ingestRoutes } from "../incidents/routes.ts";
import { IncidentStream } from "../incidents/stream.ts";
import { inquiryRoutes } from "../inquiries/routes.ts";
import type { JobQueue } from "../jobs/queue.ts";
import type { KeyRing } from "../monitoring/custody/keyring.ts";
import { monitoringRoutes } from "../monitoring/routes.ts";
import { noticeRoutes } from "../notices/routes.ts";
import { rulesRoutes } from "../rules/routes.ts";
import { termsRoutes } from "../terms/routes.ts";
import { checkCsrf, resolveAuth } from "./auth.ts";
import type { AppContext } from "./context.ts";
import { DATABASE_UNAVAILABLE, errorBody, installErrorHandling } from "./errors.ts";
import { mount } from "./route.ts";
import { answerSerializer } from "./serializer.ts";
import { refuseControlCharacters } from "./text.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.resolve(here, "../../web/dist");

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");
const DATA_CSP = "default-src 'none'; frame-ancestors 'none'";

export interface BuildAppOptions {
  db: Db;
  config: Config;
  /** The job queue this process enqueues on (billing runs, notice deliveries). */
  queue: JobQueue;
  clock?: Clock;
  /** A pino logger to use, or false for none (tests). */
  logger?: false | FastifyBaseLogger;
  /** Serve the built web UI from web/dist (default: when it exists). */
  serveWeb?: boolean;
  /**
   * The database's URL, to keep resolved sessions in memory while listening for their changes
   * (identity/session-cache.ts). Without it every request reads its session from the database.
   */
  sessionCacheUrl?: string;
  /** Serialise every answer both ways (fast and zod) and fail on a difference (tests). */
  checkAnswers?: boolean;
  /** Credential custody's master keys (UNYO_KEYS_FILE / UNYO_MASTER_KEY). */
  keys?: KeyRing | undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export async function buildApp(opts: BuildAppOptions): Promise<{ app: FastifyInstance; ctx: AppContext }> {
  const clock = opts.clock ?? systemClock;
  const ctx: AppContext = { db: opts.db, config: opts.config, clock, queue: opts.queue, keys: opts.keys };
  // Sessions, TOTP codes and log-in throttling keep real time even on a test clock: a rehearsed month
  // end must neither log everyone out nor shift the authenticator's codes.
  const sessions = opts.sessionCacheUrl
    ? new SessionCache<ResolvedSession>({
        url: opts.sessionCacheUrl,
        log: { warn: (obj, msg) => app.log.warn(obj, msg) },
      })
    : undefined;
  const identityCtx: IdentityDeps & AppContext = {
    ...ctx,
    clock: clock instanceof TestClock ? systemClock : clock,
    sessions,
  };

  const app = Fastify({
    ...(opts.logger
      ? { loggerInstance: opts.logger }
      : { logger: opts.logger ?? { level: opts.config.logLevel } }),
    bodyLimit: 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // A number of hops: the addresses the nearest `n` proxies saw (proxy-addr counts hops from the socket).
    trustProxy:
      typeof opts.config.trustProxy === "number"
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(opts.config.trustProxy)
        : opts.config.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(answerSerializer({ check: opts.checkAnswers ?? false }));
  installErrorHandling(app);
  // Graceful shutdown: requests in flight finish, and their keep-alive connections are closed
  // after the response so that close() does not wait for the keep-alive time-out.
  let closing = false;
  const stream = new IncidentStream(opts.sessionCacheUrl);
  app.addHook("preClose", async () => {
    closing = true;
    await stream.stop();
  });
  await sessions?.start();
  app.addHook("onClose", async () => {
    await sessions?.stop();
  });
  app.addHook("onSend", async (req, reply) => {
    // A change made by this request is notified to every process, this one included, but the next
    // request may come before the notification: forget every session kept, at once.
    // (Alert receivers change no session or user: an alert storm must not empty the cache.)
    if (sessions && !SAFE_METHODS.has(req.method) && !req.url.startsWith("/ingest/")) sessions.clear();
    if (closing) reply.header("connection", "close");
    reply.header("x-request-id", req.id);
    reply.header("x-content-type-options", "nosniff");
    // What a page may load and who may frame it (ASVS 14.4): the web UI and the API docs are pages of
    // this origin only; an API answer is data and may load nothing, nor be framed (frame-ancestors).
    // Framing and referrer headers are for what a browser shows: not on JSON, whose CSP says both.
    const type = String(reply.getHeader("content-type") ?? "");
    const json = type.startsWith("application/json");
    if (!json) {
      reply.header("referrer-policy", "same-origin");
      if (!reply.hasHeader("x-frame-options")) reply.header("x-frame-options", "DENY");
    }
    if (!reply.hasHeader("content-security-policy")) {
      if (type.startsWith("text/html")) reply.header("content-security-policy", PAGE_CSP);
      else if (json) reply.header("content-security-policy", DATA_CSP);
    }
    if (opts.config.secureCookies)
      reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
    // Answers of the API (JSON, invoice PDFs, CSVs, bank files) are the caller's own data: never kept by
    // a browser or a shared cache.
    if (req.url.startsWith("/api/v1/") && !reply.hasHeader("cache-control"))
      reply.header("cache-control", "no-store");
  });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: "unyo_http_request_duration_seconds",
    help: "HTTP request duration by route and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  if (sessions)
    new Counter({
      name: "unyo_session_lookups_total",
      help: "Session cookies resolved from this process's memory or read from the database",
      labelNames: ["source"],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ source: "memory" }, sessions.stats.hits);
        this.inc({ source: "database" }, sessions.stats.misses);
      },
    });
  app.addHook("onResponse", async (req, reply) => {
    httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? "unmatched", status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Unyo API",
        version: "1",
        description:
          'Unyo (運用): operations support service platform. Every error is `{"error":{"code","message","article"?,"details"?}}`. Browser sessions use the `unyo_session` cookie and must echo `X-CSRF-Token` (from `GET /api/v1/me`) on state-changing requests; machine clients use `Authorization: Bearer <API token>`.',
      },
      components: {
        securitySchemes: {
          session: { type: "apiKey", in: "cookie", name: "unyo_session" },
          bearer: { type: "http", scheme: "bearer" },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/api/docs" });
  app.get("/api/openapi.json", { schema: { hide: true } }, async () => app.swagger());

  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));
  app.get("/readyz", { schema: { hide: true } }, async (req, reply) => {
    try {
      await sql`select 1`.execute(opts.db);
      return { status: "ready" };
    } catch (err) {
      req.log.warn({ code: (err as { code?: string }).code }, "readiness: database unavailable");
      return reply
        .code(503)
        .header("retry-after", "5")
        .send(errorBody("database_unavailable", DATABASE_UNAVAILABLE));
    }
  });
  app.get("/metrics", { schema: { hide: true } }, async (req, reply) => {
    const token = opts.config.metricsToken;
    if (token && !bearerIs(req.headers.authorization, token))
      return reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="metrics"')
        .send(errorBody("unauthenticated", "the metrics need the bearer token set in UNYO_METRICS_TOKEN"));
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });

  app.decorate("idempotencyDb", opts.db);
  await app.register(
    async (api) => {
      api.addHook("onRequest", async (req) => {
        await resolveAuth(req, identityCtx);
        checkCsrf(req);
      });
      // Before any route's schema: no text with a control character reaches a rule or the database.
      api.addHook("preValidation", async (req) => refuseControlCharacters(req));
      acceptRawFiles(api);
      await api.register(rulesRoutes());
      mount(api, "identity", identityRoutes(identityCtx));
      mount(api, "admin", adminRoutes(ctx));
      mount(api, "customers", customerRoutes(ctx));
      mount(api, "applications", applicationRoutes(ctx));
      mount(api, "contracts", [...contractRoutes(ctx), ...contractChangeRoutes(ctx)]);
      mount(api, "terms", termsRoutes(ctx));
      mount(api, "notices", noticeRoutes(ctx));
      mount(api, "inquiries", inquiryRoutes(ctx));
      mount(api, "monitoring", monitoringRoutes(ctx));
      mount(api, "incidents", incidentRoutes(ctx));
      incidentStreamRoute(api, stream);
      mount(api, "billing", [
        ...billingRoutes(ctx),
        ...paymentRoutes(ctx),
        ...contractBillingRoutes(ctx),
        ...journalRoutes(ctx),
      ]);
    },
    { prefix: "/api/v1" },
  );
  await ingestRoutes(app, ctx);

  const serveWeb = opts.serveWeb ?? fs.existsSync(path.join(WEB_DIST, "index.html"));
  if (serveWeb) {
    await app.register(fastifyStatic, {
      root: WEB_DIST,
      prefix: "/",
      wildcard: false,
      index: false,
      // The build writes `.br` and `.gz` beside each text file: sent as the browser accepts them.
      preCompressed: true,
      // Files under /assets/ are named by their content's hash: a browser keeps them for a year and
      // never asks again; anything else (the page, the favicon) is checked on each visit.
      cacheControl: false,
      setHeaders(reply, filePath) {
        reply.header(
          "cache-control",
          filePath.includes(`${path.sep}assets${path.sep}`)
            ? "public, max-age=31536000, immutable"
            : "no-cache",
        );
      },
    });
    // Built files are served as they are; the single-page app answers every other GET
    // (its own router shows the 404 page); the API keeps its JSON 404s.
    app.get("/*", { schema: { hide: true } }, async (req, reply) => {
      const url = req.url.split("?")[0] ?? "/";
      if (url.startsWith("/api/"))
        return reply.code(404).send(errorBody("not_found", `no route for GET ${url}`));
      reply.header("cache-control", "no-cache");
      return reply.sendFile("index.html");
    });
  }
  return { app, ctx };
}

/** Constant-time check of `Authorization: Bearer <token>`. */
function bearerIs(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith("Bearer ") ? header.slice(7) : "");
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
