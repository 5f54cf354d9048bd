import { z } from "zod";
import { customersFor } from "../contracts/store.ts";
import { idParams } from "../core/schemas.ts";
import { pageFields, pageOf, pageQuery } from "../db/page.ts";
import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import {
  failingDeliveryListSchema,
  inboxItemSchema,
  noticeBody,
  noticeDetailSchema,
  noticeListSchema,
  queuedSchema,
} from "./schemas.ts";
import {
  acknowledge,
  companyInbox,
  failingNoticeDeliveries,
  inbox,
  latestNotices,
  noticeWithDeliveries,
  sendNotice,
} from "./service.ts";

const ops = { who: "staff", roles: ["admin", "operator"] } as const;

/** Notices (one customer) and announcements (all customers), Art. 1, 43. */
/** A list of notices: a page, narrowed to a kind and to subjects containing `q`. */
const noticesQuery = z.strictObject({
  kind: z.enum(["notice", "announcement"]).optional(),
  q: z.string().trim().min(1).max(100).optional().meta({ description: "Part of the subject" }),
  ...pageFields,
});

export function noticeRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/notices",
      summary: "Customer: the portal inbox. Staff: recent notices. Either narrowed by kind or subject",
      policy: { who: "any" },
      query: noticesQuery,
      response: noticeListSchema,
      handler: ({ auth, query }) =>
        auth.user.kind === "customer" ? inbox(ctx, auth, query) : latestNotices(ctx, query),
    }),
    route({
      method: "GET",
      url: "/customers/:id/notices",
      summary: "The notices a company received, with when its users read and acknowledged them",
      tags: ["customers"],
      policy: { who: "any" },
      params: idParams,
      query: noticesQuery,
      response: pageOf(inboxItemSchema),
      handler: ({ auth, params, query }) => companyInbox(ctx, auth, params.id, query),
    }),
    route({
      method: "GET",
      url: "/notice-deliveries/failing",
      summary:
        "Deliveries failing: given up after the last attempt, or being retried after a refusal (staff)",
      policy: { who: "staff" },
      query: pageQuery,
      response: failingDeliveryListSchema,
      handler: ({ query }) => failingNoticeDeliveries(ctx, query),
    }),
    route({
      method: "GET",
      url: "/notices/:id",
      summary: "A notice with its delivery result per recipient",
      policy: { who: "staff" },
      params: idParams,
      response: noticeDetailSchema,
      handler: ({ params }) => noticeWithDeliveries(ctx, params.id),
    }),
    route({
      method: "POST",
      url: "/notices",
      summary:
        "Send a notice to one customer (customerId) or an announcement to every customer with a live contract",
      policy: ops,
      body: noticeBody,
      status: 201,
      response: queuedSchema,
      handler: ({ auth, body }) => sendNotice(ctx, auth, body, (tx) => customersFor(tx, "announce")),
    }),
    route({
      method: "POST",
      url: "/notices/:id/acknowledge",
      summary: "Acknowledge a notice (portal)",
      policy: { who: "customer" },
      params: idParams,
      status: 204,
      response: null,
      handler: ({ auth, params }) => acknowledge(ctx, auth, params.id),
    }),
  ];
}
