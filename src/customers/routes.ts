import { z } from "zod";
import { customerTimeline } from "../audit/service.ts";
import { idParams } from "../core/schemas.ts";
import { pageFields, pageOf, pageQuery } from "../db/page.ts";
import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import { displayNames } from "../identity/store.ts";
import { decideCustomerChange, listCustomerChanges, requestCustomerChange } from "./changes.ts";
import {
  CHANGE_STATUSES,
  createCustomerBody,
  customerChangeBody,
  customerChangeSchema,
  customerSchema,
  customersQuery,
  timelineEntrySchema,
} from "./schemas.ts";
import { createCustomer, getCustomer, listCustomers } from "./service.ts";

const decisionBody = z.strictObject({ note: z.string().trim().max(2000).optional() });

export function customerRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/customers",
      summary:
        "Customer companies by legal name, searched by name or corporate number (a customer user sees only its own)",
      policy: { who: "any" },
      query: customersQuery,
      response: pageOf(customerSchema),
      handler: ({ auth, query }) => listCustomers(ctx, auth, query),
    }),
    route({
      method: "POST",
      url: "/customers",
      summary: "Register a customer company",
      policy: { who: "staff", roles: ["admin", "operator"] },
      body: createCustomerBody,
      status: 201,
      response: customerSchema,
      handler: ({ auth, body }) => createCustomer(ctx, auth, body),
    }),
    route({
      method: "GET",
      url: "/customers/:id",
      summary: "One customer company",
      policy: { who: "any" },
      params: idParams,
      response: customerSchema,
      handler: ({ auth, params }) => getCustomer(ctx, auth, params.id),
    }),
    route({
      method: "GET",
      url: "/customers/:id/timeline",
      summary: "What was done for or by the customer, the latest first, from the audit log (staff)",
      policy: { who: "staff" },
      params: idParams,
      query: pageQuery,
      response: pageOf(timelineEntrySchema),
      handler: async ({ auth, params, query }) => {
        await getCustomer(ctx, auth, params.id);
        const page = await customerTimeline(ctx.db, params.id, query);
        const names = await displayNames(ctx.db, [
          ...new Set(page.items.flatMap((e) => (e.actorId ? [e.actorId] : []))),
        ]);
        return {
          ...page,
          items: page.items.map(({ actorId, ...e }) => ({
            ...e,
            actorName: actorId ? (names.get(actorId) ?? null) : null,
          })),
        };
      },
    }),
    route({
      method: "POST",
      url: "/customer-changes",
      summary: "Submit a change of company data; pending until the provider confirms (Art. 20(4))",
      policy: { who: "customer", roles: ["customer-admin"] },
      body: customerChangeBody,
      status: 201,
      response: z.object({ id: z.uuid(), status: z.enum(CHANGE_STATUSES) }),
      handler: ({ auth, body }) => requestCustomerChange(ctx, auth, body),
    }),
    route({
      method: "GET",
      url: "/customer-changes",
      summary: "Pending and decided changes of company data (a customer sees its own)",
      policy: { who: "any" },
      query: z.strictObject({ status: z.enum(CHANGE_STATUSES).optional(), ...pageFields }),
      response: pageOf(customerChangeSchema),
      handler: ({ auth, query }) => listCustomerChanges(ctx, auth, query.status, query),
    }),
    ...(["confirm", "refuse"] as const).map((verb) =>
      route({
        method: "POST",
        url: `/customer-changes/:id/${verb}`,
        summary: `${verb === "confirm" ? "Confirm" : "Refuse"} a pending change (Art. 20(4))`,
        policy: { who: "staff", roles: ["admin", "operator"] },
        params: idParams,
        body: decisionBody,
        status: 204,
        response: null,
        handler: ({ auth, params, body }) =>
          decideCustomerChange(ctx, auth, params.id, verb === "confirm", body.note),
      }),
    ),
  ];
}
