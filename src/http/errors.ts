import type { IncomingMessage } from "node:http";
import type { FastifyError, FastifyInstance } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../core/errors.ts";
import { isDatabaseUnavailable } from "../db/db.ts";

/** The one error shape of every failure (docs/ARCHITECTURE.md). */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      article: z.string().optional(),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: "Error" });

export const DATABASE_UNAVAILABLE = "the database is unavailable at the moment; try again shortly";

export function errorBody(code: string, message: string, article?: string, details?: unknown) {
  return {
    error: { code, message, ...(article ? { article } : {}), ...(details !== undefined ? { details } : {}) },
  };
}

const fastifyCodes: Record<string, { code: string; status: number }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "bad_request", status: 400 },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "bad_request", status: 400 },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "payload_too_large", status: 413 },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: "unsupported_media_type", status: 415 },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: "bad_request", status: 400 },
  FST_ERR_CTP_INVALID_TYPE: { code: "bad_request", status: 400 },
};

/** The parameters of a validation issue a client needs to explain it (zod's names). */
const ISSUE_PARAMS = ["format", "minimum", "maximum", "expected", "values", "origin"] as const;

function pick(from: Record<string, unknown> | undefined, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (from && from[k] !== undefined) out[k] = from[k];
  return out;
}

export function installErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      if (err.code === "too_many_requests") {
        const retry = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
        if (retry) void reply.header("retry-after", String(retry));
      }
      return reply.code(err.status).send(errorBody(err.code, err.message, err.article, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        path: `${err.validationContext ?? ""}${v.instancePath}`.replace(/^body\//, "").replaceAll("/", "."),
        message: v.message,
        // What was wrong, for a client to say in its user's language: zod's issue code and its bounds.
        issue: v.keyword,
        ...pick(v.params as Record<string, unknown> | undefined, ISSUE_PARAMS),
        ...(v.params && "unrecognizedKeys" in (v.params as object)
          ? { unknownFields: (v.params as { unrecognizedKeys: string[] }).unrecognizedKeys }
          : {}),
      }));
      return reply
        .code(400)
        .send(
          errorBody(
            "validation_failed",
            `invalid ${err.validationContext ?? "request"}: ${details.map((d) => `${d.path || "(root)"}: ${d.message}`).join("; ")}`,
            undefined,
            details,
          ),
        );
    }
    if (isDatabaseUnavailable(err)) {
      // Expected while the database restarts or fails over: a clear 503, no stack, no driver text.
      req.log.warn({ code: err.code }, "database unavailable");
      return reply
        .code(503)
        .header("retry-after", "5")
        .send(errorBody("database_unavailable", DATABASE_UNAVAILABLE));
    }
    const known = err.code ? fastifyCodes[err.code] : undefined;
    // Refused before its body was read: a browser or fetch sends the whole body before it reads any
    // answer (no `Expect: 100-continue`), and a connection closed under it is reset, the 413 unread.
    // So the rest is read and dropped first (within bounds), then the answer is sent.
    if (known && err.code === "FST_ERR_CTP_BODY_TOO_LARGE")
      return drainBody(req.raw).then(() => reply.code(known.status).send(errorBody(known.code, err.message)));
    if (known) return reply.code(known.status).send(errorBody(known.code, err.message));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply
        .code(err.statusCode)
        .send(errorBody(err.statusCode === 404 ? "not_found" : "bad_request", err.message));
    }
    req.log.error({ err }, "unhandled error");
    return reply.code(500).send(
      errorBody("internal", "internal error; the request id is in the log", undefined, {
        requestId: req.id,
      }),
    );
  });

  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody("not_found", `no route for ${req.method} ${req.url.split("?")[0]}`)),
  );
}

/** Read and drop what is left of a request body: at most 1 GiB or 30 s, then the connection may close. */
function drainBody(raw: IncomingMessage, maxBytes = 1024 ** 3, maxMs = 30_000): Promise<void> {
  if (raw.complete || raw.readableEnded || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      raw.removeListener("data", onData);
      raw.removeListener("end", done);
      raw.removeListener("close", done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, maxMs);
    raw.on("data", onData);
    raw.once("end", done);
    raw.once("close", done);
    raw.resume();
  });
}
