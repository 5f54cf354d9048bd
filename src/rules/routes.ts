import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { errorSchema } from "../http/errors.ts";
import { calculators } from "./calculators.ts";

const explainedSchema = z.object({
  result: z.unknown(),
  basis: z.array(z.object({ article: z.string(), text: z.string() })),
});

/** `GET /api/v1/rules/<name>?…`: the terms' public rules; no account needed. */
export function rulesRoutes() {
  return async (app: FastifyInstance) => {
    for (const c of calculators) {
      app.get(
        `/rules/${c.name}`,
        {
          schema: {
            tags: ["rules"],
            summary: c.summary,
            querystring: c.input,
            response: { 200: explainedSchema, 400: errorSchema },
          },
          config: { public: true },
        },
        async (req) => c.run(req.query as Record<string, unknown>),
      );
    }
  };
}
