/**
 * One way to declare a route: who may call it, what it takes, what it answers (a zod schema for every
 * 2xx body, so the OpenAPI document describes every answer), and one service call. Rooms list their
 * routes with `route(...)` and mount them with `mount(...)`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { AuthContext } from "../identity/actor.ts";
import { authorize, type Policy, requireAuth } from "./auth.ts";
import { errorSchema } from "./errors.ts";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Reachable without an account (the application form, the rules calculator, …). */
    public?: boolean;
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
        response,
      },
      ...(isPublic ? { config: { public: true } } : { preHandler: authorize(r.policy as Policy) }),
      handler: async (req, reply) => {
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
        const out = await r.handler(input as never);
        if (r.refusesOnly) throw new Error(`${r.method} ${r.url} only refuses, yet its handler returned`);
        if (out && typeof out === "object" && ANSWER in out) {
          if (out[ANSWER] === "file") {
            const f = out as FileAnswer;
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
