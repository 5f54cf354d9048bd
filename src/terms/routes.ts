import { customersFor } from "../contracts/store.ts";
import { itemsOf } from "../core/schemas.ts";
import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import { publishedSchema, termsVersionBody, termsVersionSchema } from "./schemas.ts";
import { listTermsVersions, publishTermsVersion } from "./service.ts";

export function termsRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/terms-versions",
      summary: "Terms versions (Art. 1, 2)",
      policy: "public",
      response: itemsOf(termsVersionSchema),
      handler: async () => ({ items: await listTermsVersions(ctx) }),
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
