import { customersFor } from "../contracts/store.ts";
import { idParams } from "../core/schemas.ts";
import { pageOf, pageQuery } from "../db/page.ts";
import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import { publishedSchema, termsTextSchema, termsVersionBody, termsVersionSchema } from "./schemas.ts";
import { listTermsVersions, publishTermsVersion, termsVersion } from "./service.ts";

export function termsRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/terms-versions",
      summary: "Terms versions (Art. 1, 2)",
      policy: "public",
      query: pageQuery,
      response: pageOf(termsVersionSchema),
      handler: ({ query }) => listTermsVersions(ctx, query),
    }),
    route({
      method: "GET",
      url: "/terms-versions/:id",
      summary: "A terms version with its text (Art. 1, 2)",
      policy: "public",
      params: idParams,
      response: termsTextSchema,
      handler: ({ params }) => termsVersion(ctx, params.id),
    }),
    route({
      method: "POST",
      url: "/terms-versions",
      summary: "Publish a terms version (refused under 14 days' notice, Art. 2); announced to customers",
      policy: { who: "staff", roles: ["admin"] },
      body: termsVersionBody,
      status: 201,
      response: publishedSchema,
      handler: ({ auth, body }) => publishTermsVersion(ctx, auth, body, (tx) => customersFor(tx, "announce")),
    }),
  ];
}
