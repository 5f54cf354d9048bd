import { z } from "zod";
import type { ChangeRequest } from "../contracts/change-rules.ts";
import {
  changeQueue,
  changesOf,
  getChange,
  presentChange as presentOne,
  refuseChange,
} from "../contracts/changes.ts";
import { idParams } from "../core/schemas.ts";
import { pageFields, pageOf, pageQuery } from "../db/page.ts";
import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import {
  cancelChangeBody,
  changeAnswerSchema,
  changeCancellationSchema,
  changePreviewBody,
  changePreviewSchema,
  changeQueueQuery,
  changeRequestBody,
  changeSchema,
  confirmChangeBody,
  menuLimitSchema,
  menuLimitView,
  refuseChangeBody,
} from "./change-schemas.ts";
import {
  cancelContractChange,
  cancellationOfChange,
  confirmContractChange,
  listMenuLimits,
  previewChange,
  requestContractChange,
  setMenuLimit,
} from "./changes.ts";

const ops = { who: "staff", roles: ["admin", "operator"] } as const;
const opsOrCustomerAdmin = { who: "any", roles: ["admin", "operator", "customer-admin"] } as const;

/** The parts of a body that are the change itself. */
function requestOf(b: z.infer<typeof changePreviewBody>): ChangeRequest {
  const { receivedOn: _r, ...request } = b;
  return request;
}

/** Changes of a contract's content (Art. 20(2)–(4), 29(4)(5)) and the menu's limits (Art. 20(3)). */
export function contractChangeRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/contracts/:id/changes",
      summary:
        "A contract's change requests and option cancellations, the latest first (a customer sees its own)",
      tags: ["contracts"],
      policy: { who: "any" },
      params: idParams,
      query: pageQuery,
      response: pageOf(changeSchema),
      handler: ({ auth, params, query }) => changesOf(ctx, auth, params.id, query),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/changes/preview",
      summary:
        "Before sending a change: what it does, whether the menu allows it (Art. 20(3)), and what the contract costs from its receipt (Art. 29(4)); nothing is written",
      tags: ["contracts"],
      policy: opsOrCustomerAdmin,
      params: idParams,
      body: changePreviewBody,
      response: changePreviewSchema,
      handler: ({ auth, params, body }) =>
        previewChange(ctx, auth, params.id, { request: requestOf(body), receivedOn: body.receivedOn }),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/changes",
      idempotent: true,
      summary:
        "Request a change of plan, options, servers or committed term (Art. 20(2)): a customer-admin in the portal (received now), staff for a paper form (its real receipt date). Pending until confirmed (Art. 20(4)); the customer gets a receipt",
      tags: ["contracts"],
      policy: opsOrCustomerAdmin,
      params: idParams,
      body: changeRequestBody,
      status: 201,
      response: changeAnswerSchema,
      handler: async ({ auth, params, body }) => {
        const { channel, note, receivedOn, ...rest } = body;
        const r = await requestContractChange(ctx, auth, params.id, {
          request: requestOf({ ...rest, receivedOn }),
          receivedOn,
          channel,
          note,
        });
        return { change: presentOne(r.change), preview: r.preview, basis: r.basis };
      },
    }),
    route({
      method: "GET",
      url: "/contract-changes",
      summary: "Staff's queue of changes (default: waiting for confirmation, the oldest first)",
      tags: ["contracts"],
      policy: { who: "staff" },
      query: changeQueueQuery.extend(pageFields),
      response: pageOf(changeSchema),
      handler: ({ query }) => changeQueue(ctx, query.status, query),
    }),
    route({
      method: "GET",
      url: "/contract-changes/:id",
      summary: "One change",
      tags: ["contracts"],
      policy: { who: "any" },
      params: idParams,
      response: changeSchema,
      handler: ({ auth, params }) => getChange(ctx, auth, params.id),
    }),
    route({
      method: "POST",
      url: "/contract-changes/:id/confirm",
      summary:
        "Confirm the change has taken effect (Art. 20(4)); its fees apply from its receipt (Art. 29(4)), months already invoiced get the difference on the next invoice; the customer is notified",
      tags: ["contracts"],
      policy: ops,
      params: idParams,
      body: confirmChangeBody,
      response: changeAnswerSchema,
      handler: async ({ auth, params, body }) => {
        const r = await confirmContractChange(ctx, auth, params.id, body.effectiveOn);
        return { change: presentOne(r.change), basis: r.basis };
      },
    }),
    route({
      method: "POST",
      url: "/contract-changes/:id/refuse",
      summary: "Refuse the change with the reason (e.g. the menu, Art. 20(3)); the customer is notified",
      tags: ["contracts"],
      policy: ops,
      params: idParams,
      body: refuseChangeBody,
      response: changeAnswerSchema,
      handler: async ({ auth, params, body }) => {
        const r = await refuseChange(ctx, auth, params.id, body.reason);
        return { change: presentOne(r.change), basis: [] };
      },
    }),
    route({
      method: "GET",
      url: "/contract-changes/:id/cancellation",
      summary: "What cancelling this pending change would owe (the fees it caused, Art. 29(5))",
      tags: ["contracts"],
      policy: opsOrCustomerAdmin,
      params: idParams,
      response: changeCancellationSchema,
      handler: ({ auth, params }) => cancellationOfChange(ctx, auth, params.id),
    }),
    route({
      method: "POST",
      url: "/contract-changes/:id/cancel",
      summary:
        "Cancel a pending change; the fees it caused are charged on the next invoice (Art. 29(5)) — `expectedFees` must be the amount shown",
      tags: ["contracts"],
      policy: opsOrCustomerAdmin,
      params: idParams,
      body: cancelChangeBody,
      response: changeAnswerSchema,
      handler: async ({ auth, params, body }) => {
        const r = await cancelContractChange(ctx, auth, params.id, body.expectedFees);
        return { change: presentOne(r.change), fees: r.fees, basis: r.basis };
      },
    }),
    route({
      method: "GET",
      url: "/menu-limits",
      summary:
        "The service menu's limits on changes (Art. 20(3)): plan order, servers per plan, options' plans",
      tags: ["billing"],
      policy: { who: "any" },
      response: z.object({ limits: z.array(menuLimitView) }),
      handler: () => listMenuLimits(ctx),
    }),
    route({
      method: "PUT",
      url: "/menu-limits",
      summary: "Set the limits of one plan or option (Art. 20(3))",
      tags: ["billing"],
      policy: { who: "staff", roles: ["admin"] },
      body: menuLimitSchema,
      response: menuLimitView,
      handler: ({ auth, body }) => setMenuLimit(ctx, auth, body),
    }),
  ];
}
