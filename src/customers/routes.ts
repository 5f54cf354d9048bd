import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { authorize, requireAuth } from "../http/auth.ts";
import type { AppContext } from "../http/context.ts";
import { errorSchema } from "../http/errors.ts";
import { createCustomerUserBody, idParams, userSchema } from "../identity/schemas.ts";
import { createCustomerBody, customerSchema } from "./schemas.ts";
import type { CustomerService } from "./service.ts";

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

export function customerRoutes(ctx: AppContext, customers: CustomerService) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const tags = ["customers"];
    const anyone = { preHandler: authorize({ who: "any" }, ctx.identity) };

    app.get(
      "/customers",
      {
        ...anyone,
        schema: {
          tags,
          summary: "Customer companies (a customer user sees only its own)",
          response: { 200: z.object({ items: z.array(customerSchema) }), ...errors },
        },
      },
      async (req) => ({ items: await customers.list(requireAuth(req)) }),
    );

    app.post(
      "/customers",
      {
        preHandler: authorize({ who: "staff", roles: ["admin", "operator"] }, ctx.identity),
        schema: {
          tags,
          summary: "Register a customer company",
          body: createCustomerBody,
          response: { 201: customerSchema, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(await customers.create(requireAuth(req), req.body)),
    );

    app.get(
      "/customers/:id",
      {
        ...anyone,
        schema: {
          tags,
          summary: "One customer company",
          params: idParams,
          response: { 200: customerSchema, ...errors },
        },
      },
      async (req) => customers.get(requireAuth(req), req.params.id),
    );

    app.get(
      "/customers/:id/users",
      {
        ...anyone,
        schema: {
          tags,
          summary: "The company's portal users",
          params: idParams,
          response: { 200: z.object({ items: z.array(userSchema) }), ...errors },
        },
      },
      async (req) => ({ items: await customers.listUsers(requireAuth(req), req.params.id) }),
    );

    app.post(
      "/customers/:id/users",
      {
        preHandler: authorize({ who: "any", roles: ["admin", "operator", "customer-admin"] }, ctx.identity),
        schema: {
          tags,
          summary: "Add a portal user; the initial password is returned once (Art. 10)",
          params: idParams,
          body: createCustomerUserBody,
          response: { 201: z.object({ user: userSchema, initialPassword: z.string() }), ...errors },
        },
      },
      async (req, reply) => {
        const result = await customers.addUser(requireAuth(req), req.params.id, req.body);
        return reply.code(201).send({ user: result.user, initialPassword: result.initialPassword! });
      },
    );
  };
}
