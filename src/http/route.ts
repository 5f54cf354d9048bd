/**
 * One way to declare a route: who may call it, what it takes, what it answers (a zod schema for every
 * 2xx body, so the OpenAPI document describes every answer), and one service call. Rooms list their
 * routes with `route(...)` and mount them with `mount(...)`.
 */
import { createHash } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../core/errors.ts";
import type { Db } from "../db/db.ts";
import { claimKey, completeKey, releaseKey } from "../db/idempotency.ts";
import type { AuthContext } from "../identity/actor.ts";
import { authorize, type Policy, requireAuth } from "./auth.ts";
import { errorSchema } from "./errors.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Reachable without an account (the application form, the rules calculator, …). */
    public?: boolean;
  }
  interface FastifyInstance {
    /** Where idempotency keys are kept (`RouteDef.idempotent`). */
    idempotencyDb?: Db;
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Maybe = z.ZodType | undefined;
type In<T extends Maybe> = T extends z.ZodType ? z.output<T> : undefined;
type Out<T extends Maybe> = T extends z.ZodType ? z.input<T> : null;

/** Marks the special answers below (a body may well have a `kind` field of its own). */
const ANSWER = Symbol("answer");

/** A non-JSON answer: a file (PDF, CSV, a bank file). */
export interface FileAnswer {
  [ANSWER]: "file";
  body: Buffer | string;
  contentType: string;
  fileName: string;
  /** `inline` (shown in the browser) or `attachment` (downloaded). */
  disposition: "inline" | "attachment";
  /** More response headers (e.g. the SHA-256 of a kept document). */
  headers?: Record<string, string>;
}

export const file = (f: Omit<FileAnswer, typeof ANSWER>): FileAnswer => ({ [ANSWER]: "file", ...f });

/** An answer with another 2xx status than the route's default (200 "already there" vs 201 "made"). */
export interface StatusAnswer<T> {
  [ANSWER]: "status";
  status: number;
  body: T;
}

export const withStatus = <T>(status: number, body: T): StatusAnswer<T> => ({
  [ANSWER]: "status",
  status,
  body,
});

export interface RouteInput<P extends Maybe, Q extends Maybe, B extends Maybe> {
  params: In<P>;
  query: In<Q>;
  body: In<B>;
  /** The signed-in caller (throws 401 on a public route called without one). */
  readonly auth: AuthContext;
  /** The caller when there may be none (public routes). */
  caller: AuthContext | undefined;
  req: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteDef<P extends Maybe, Q extends Maybe, B extends Maybe, R extends Maybe> {
  method: Method;
  url: string;
  summary: string;
  description?: string;
  tags?: string[];
  /** Who may call; "public" needs no account. */
  policy: Policy | "public";
  params?: P;
  query?: Q;
  body?: B;
  /** The 2xx status (default 200; 204 answers nothing). */
  status?: 200 | 201 | 202 | 204;
  /** The answer's schema; `null` with status 204 or with `refusesOnly`. */
  response: R | null;
  /**
   * A route that exists only to refuse (a service not offered by design): its handler always throws,
   * and the OpenAPI document lists no 2xx answer for it.
   */
  refusesOnly?: true;
  /** Other 2xx statuses the handler may answer with `withStatus`, each with the same schema. */
  alsoStatus?: (200 | 201 | 202)[];
  /** A file answer instead of JSON: its content type in the OpenAPI document. */
  produces?: string;
  /**
   * Creates money records: takes an `Idempotency-Key`, and a retry with the same key (and the same
   * request) gets the first answer instead of doing it twice.
   */
  idempotent?: true;
  handler(
    input: RouteInput<P, Q, B>,
  ): Promise<Out<R> | StatusAnswer<Out<R>> | FileAnswer | undefined | undefined>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes
export type AnyRoute = RouteDef<any, any, any, any>;

/** Declare a route; the types of params, query, body and the answer come from the schemas. */
export function route<
  P extends Maybe = undefined,
  Q extends Maybe = undefined,
  B extends Maybe = undefined,
  R extends Maybe = undefined,
>(def: RouteDef<P, Q, B, R>): AnyRoute {
  return def as AnyRoute;
}

const ERRORS = [400, 401, 403, 404, 409, 413, 415, 423, 429] as const;

/** Register a room's routes on the API prefix. */
export function mount(fastify: FastifyInstance, tag: string, routes: AnyRoute[]) {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  for (const r of routes) {
    const status = r.status ?? 200;
    const response: Record<number, unknown> = {};
    if (r.produces) {
      response[status] = {
        description: `The file (${r.produces})`,
        content: { [r.produces]: { schema: z.string().meta({ format: "binary" }) } },
      };
    } else if (!r.refusesOnly) {
      response[status] = status === 204 ? z.null().meta({ description: "No content" }) : r.response;
      for (const s of r.alsoStatus ?? []) response[s] = r.response;
    }
    for (const e of ERRORS) response[e] = errorSchema;
    const isPublic = r.policy === "public";
    app.route({
      method: r.method,
      url: r.url,
      schema: {
        tags: r.tags ?? [tag],
        summary: r.summary,
        ...(r.description ? { description: r.description } : {}),
        ...(r.params ? { params: r.params } : {}),
        ...(r.query ? { querystring: r.query } : {}),
        ...(r.body ? { body: r.body } : {}),
        ...(r.idempotent ? { headers: idempotencyHeader } : {}),
        response,
      },
      ...(isPublic ? { config: { public: true } } : { preHandler: authorize(r.policy as Policy) }),
      handler: async (req, reply) => {
        const key = r.idempotent ? req.headers["idempotency-key"] : undefined;
        const keyed = key === undefined ? undefined : await claim(fastify, req, String(key));
        if (keyed?.replay) {
          const { status: replayed, body } = keyed.replay;
          return reply.code(replayed).header("idempotent-replayed", "true").send(body);
        }
        const input = {
          params: req.params,
          query: req.query,
          body: req.body,
          get auth() {
            return requireAuth(req);
          },
          caller: req.auth,
          req,
          reply,
        };
        let out: Awaited<ReturnType<AnyRoute["handler"]>>;
        try {
          out = await r.handler(input as never);
        } catch (err) {
          // Refused (a 4xx: the use case's transaction was rolled back): the key is free for a
          // corrected retry. Any other failure may have come after a commit: the key stays taken.
          if (err instanceof AppError && err.status < 500) await keyed?.release();
          throw err;
        }
        if (r.refusesOnly) throw new Error(`${r.method} ${r.url} only refuses, yet its handler returned`);
        if (keyed) {
          const answered =
            out && typeof out === "object" && ANSWER in out && out[ANSWER] === "status"
              ? (out as StatusAnswer<unknown>)
              : { status, body: status === 204 ? null : out };
          await keyed.complete(answered.status, answered.body);
        }
        if (out && typeof out === "object" && ANSWER in out) {
          if (out[ANSWER] === "file") {
            const f = out as FileAnswer;
            if (f.headers) reply.headers(f.headers);
            return reply
              .code(status)
              .type(f.contentType)
              .header("content-disposition", `${f.disposition}; filename="${f.fileName}"`)
              .send(f.body);
          }
          if (out[ANSWER] === "status") {
            const s = out as StatusAnswer<unknown>;
            return reply.code(s.status).send(s.body);
          }
        }
        if (status === 204) return reply.code(204).send(null);
        return reply.code(status).send(out);
      },
    });
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** The header of an idempotent route, in the OpenAPI document (other headers pass as they are). */
const idempotencyHeader = z.looseObject({
  "idempotency-key": z.string().regex(IDEMPOTENCY_KEY).optional().meta({
    description:
      "A key of the client's choosing (e.g. a UUID), 1–255 visible ASCII characters: a retry with the same key and request gets the first answer (header Idempotent-Replayed: true) instead of doing it twice; kept a week",
  }),
});

/**
 * Claim an `Idempotency-Key` for this caller: the first request with it goes on (and completes or
 * releases it); a retry of a completed one is answered with the first answer; a key still being
 * carried out, or used for another request, is refused (409) — never done twice.
 */
async function claim(fastify: FastifyInstance, req: FastifyRequest, key: string) {
  const db = fastify.idempotencyDb;
  if (!db) throw new Error("idempotent routes need fastify.idempotencyDb");
  if (!IDEMPOTENCY_KEY.test(key))
    throw new AppError("validation_failed", "Idempotency-Key must be 1–255 visible ASCII characters", {
      details: [{ path: "headers.idempotency-key", message: "1–255 visible ASCII characters" }],
    });
  const auth = requireAuth(req);
  const caller = `${auth.kind}:${auth.user.id}`;
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(JSON.stringify(req.body ?? null));
  const fingerprint = createHash("sha256").update(`${req.method} ${req.url}\n`).update(body).digest();
  const c = await claimKey(db, { caller, key, fingerprint, at: new Date() });
  if (c.state === "mismatch")
    throw new AppError("conflict", "this Idempotency-Key was already used for a different request", {
      details: { idempotencyKey: ["reused_for_another_request"] },
    });
  if (c.state === "started")
    throw new AppError(
      "conflict",
      "a request with this Idempotency-Key is being carried out, or was carried out and its answer lost; it is not done twice — look it up before trying again with a new key",
      { details: { idempotencyKey: ["in_progress"] } },
    );
  return {
    replay: c.state === "done" ? { status: c.status, body: c.body } : undefined,
    complete: (status: number, answer: unknown) => completeKey(db, caller, key, status, answer),
    release: () => releaseKey(db, caller, key),
  };
}
