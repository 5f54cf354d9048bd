import { z } from "zod";
import { booleanQuery, idParams } from "../core/schemas.ts";
import { pageFields, pageOf } from "../db/page.ts";
import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import { answerBody, inquiryBody, inquirySchema, inquirySentSchema } from "./schemas.ts";
import { answerInquiry, listInquiries, sendInquiry } from "./service.ts";

export function inquiryRoutes(ctx: AppContext) {
  return [
    route({
      method: "POST",
      url: "/contracts/:id/inquiries",
      summary: "Send an inquiry; deadline one month (Art. 44)",
      policy: { who: "staff", roles: ["admin", "operator"] },
      params: idParams,
      body: inquiryBody,
      status: 201,
      response: inquirySentSchema,
      handler: ({ auth, params, body }) => sendInquiry(ctx, auth, params.id, body),
    }),
    route({
      method: "GET",
      url: "/inquiries",
      summary:
        "Inquiries; ?overdue=true for the ones past their deadline (eligible for stop), ?answered=, ?q= part of the subject",
      policy: { who: "any" },
      query: z.strictObject({
        overdue: booleanQuery.optional(),
        answered: booleanQuery.optional(),
        q: z.string().trim().min(1).max(100).optional().meta({ description: "Part of the subject" }),
        ...pageFields,
      }),
      response: pageOf(inquirySchema),
      handler: ({ auth, query }) => listInquiries(ctx, auth, query),
    }),
    route({
      method: "POST",
      url: "/inquiries/:id/answer",
      summary: "Answer a provider inquiry",
      policy: { who: "customer" },
      params: idParams,
      body: answerBody,
      status: 204,
      response: null,
      handler: ({ auth, params, body }) => answerInquiry(ctx, auth, params.id, body.answer),
    }),
  ];
}
