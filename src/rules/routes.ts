import type { FastifyInstance } from "fastify";
import { explained } from "../core/schemas.ts";
import { errorSchema } from "../http/errors.ts";
import { calculators } from "./calculators.ts";

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
            response: { 200: explained(c.output), 400: errorSchema },
          },
          config: { public: true },
        },
        async (req) => c.run(req.query as Record<string, unknown>),
      );
    }
  };
}
