/**
 * Answers serialised by fast-json-stringify, compiled once per route from the zod answer schema's JSON
 * Schema: like zod's encoding it writes only the declared fields (nothing a presenter forgot to leave
 * out reaches the client), at a fraction of the cost. A schema JSON Schema cannot express exactly (a
 * transform, a custom check) keeps zod's encoding. Tests run both on every answer and fail on any
 * difference in the JSON value (`check`), so the fast path is proven equal to zod's on the whole suite.
 */
import { isDeepStrictEqual } from "node:util";
import fastJson from "fast-json-stringify";
import { serializerCompiler as zodSerializer } from "fastify-type-provider-zod";
import { z } from "zod";

type RouteSchema = Parameters<typeof zodSerializer>[0];

export function answerSerializer(opts: { check?: boolean } = {}) {
  return (route: RouteSchema): ((data: unknown) => string) => {
    const slow = zodSerializer(route) as (data: unknown) => string;
    const schema = route.schema;
    if (!(schema instanceof z.ZodType)) return slow;
    let fast: (data: unknown) => string;
    try {
      const json = z.toJSONSchema(schema, {
        io: "output",
        unrepresentable: "throw",
        target: "draft-7",
        reused: "inline",
        cycles: "throw",
      });
      fast = fastJson(json as Parameters<typeof fastJson>[0]) as (data: unknown) => string;
    } catch {
      return slow;
    }
    if (!opts.check) return fast;
    return (data) => {
      const expected = slow(data);
      const got = fast(data);
      // The same JSON value (the order of an object's keys may differ: it carries no meaning).
      if (!isDeepStrictEqual(JSON.parse(got), JSON.parse(expected)))
        throw new Error(
          `${route.method} ${route.url}: the fast answer differs from zod's:\n${got}\n${expected}`,
        );
      return got;
    };
  };
}
