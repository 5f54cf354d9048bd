/**
 * The API client typed from the server's OpenAPI document (web/src/api.generated.ts, written by
 * `npm run api:types`): paths, parameters, bodies and answers are checked by the compiler. Same
 * origin, the session cookie, the CSRF header on every state-changing request; a refusal is thrown
 * as an ApiFailure carrying the error shape of docs/ARCHITECTURE.md.
 */
import createClient from "openapi-fetch";
import type { paths } from "./api.generated.ts";
import { type ApiError, ApiFailure, csrf } from "./api.ts";

export type { Schema } from "./api.generated.ts";

export const client = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

client.use({
  onRequest({ request }) {
    const token = csrf();
    if (request.method !== "GET" && token) request.headers.set("x-csrf-token", token);
    return request;
  },
});

/** Paths that answer GET, and what their success answers. */
export type GetPath = {
  [P in keyof paths]: paths[P] extends { get: unknown } ? P : never;
}[keyof paths];
type GetOp<P extends GetPath> = paths[P] extends { get: infer O } ? O : never;
export type GetParams<P extends GetPath> = GetOp<P> extends { parameters: infer X } ? X : never;
export type GetData<P extends GetPath> =
  GetOp<P> extends {
    responses: { 200: { content: { "application/json": infer D } } };
  }
    ? D
    : never;

/** The parameters a caller gives: the path's and the query's (header and cookie are never used). */
export type Params<P extends GetPath> = Pick<GetParams<P>, Extract<keyof GetParams<P>, "path" | "query">>;

/** GET a path with its parameters; the answer, or an ApiFailure. */
export async function get<P extends GetPath>(
  path: P,
  params: Params<P>,
  signal?: AbortSignal,
): Promise<GetData<P>> {
  // openapi-fetch's overloads cannot follow a generic path; the types above check the call instead.
  const r = await (
    client.GET as (
      p: string,
      init: object,
    ) => Promise<{ data?: unknown; error?: unknown; response: Response }>
  )(path, { params, signal });
  if (r.error !== undefined || !r.response.ok)
    throw new ApiFailure(
      r.response.status,
      (r.error as { error?: ApiError })?.error ?? {
        code: "bad_response",
        message: r.response.statusText,
      },
    );
  return r.data as GetData<P>;
}
