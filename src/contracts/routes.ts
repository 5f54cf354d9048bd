import { randomBytes } from "node:crypto";
import { z } from "zod";
import { todayOf } from "../core/deps.ts";
import { idParams } from "../core/schemas.ts";
import { pageFields, pageOf, sortField } from "../db/page.ts";
import { hitThrottle } from "../db/throttle.ts";
import type { AppContext } from "../http/context.ts";
import { route } from "../http/route.ts";
import { actorOf } from "../identity/actor.ts";
import { pauseItemChecks } from "../monitoring/checks-service.ts";
import { contractInventory } from "../monitoring/inventory.ts";
import {
  accept,
  getApplication,
  listApplications,
  reject,
  submitApplication,
  withdraw,
} from "./applications.ts";
import { coolingOffCancel, recordCancellation, requestCancellation, whatIf } from "./cancellation.ts";
import { announceAbolition } from "./ends.ts";
import { recordLateStart } from "./late-start.ts";
import { cancelOption } from "./options.ts";
import { emergencyStop, resume, scheduleDeletion, succeed, suspend, terminate } from "./provider-actions.ts";
import { getContract, listContracts } from "./queries.ts";
import { REJECTION_REASONS, SUSPENSION_REASONS, TERMINATION_REASONS } from "./reasons.ts";
import {
  APPLICATION_SORTS,
  abolitionAnswer,
  abolitionBody,
  acceptedSchema,
  applicationForm,
  applicationReceipt,
  applicationSchema,
  CONTRACT_SORTS,
  cancellationAnswer,
  cancellationBody,
  cancellationSchema,
  consentBody,
  contractDetailSchema,
  contractSchema,
  decisionBody,
  lateStartAnswer,
  lateStartBody,
  noteBody,
  OPTIONS,
  optionCancelBody,
  optionCancellationAnswer,
  paperApplicationBody,
  paperCancellationBody,
  reasonsSchema,
  rejectBody,
  scheduleDeletionBody,
  successionBody,
  suspendBody,
  terminateBody,
  webApplicationReceipt,
  whatIfQuery,
} from "./schemas.ts";
import { APPLICATION_STATUSES, CONTRACT_STATUSES } from "./states.ts";

const ops = { who: "staff", roles: ["admin", "operator"] } as const;
const admin = { who: "staff", roles: ["admin"] } as const;

/** Applications (Art. 15–17, 42). */
export function applicationRoutes(ctx: AppContext) {
  return [
    route({
      method: "POST",
      url: "/applications",
      summary:
        "Apply on the web (channel web: opens the 8-day cooling-off window, Art. 42). Rate-limited; receipt e-mail to the applicant.",
      policy: "public",
      body: applicationForm.extend({ applicantEmail: z.email().max(254), consent: consentBody }),
      status: 201,
      response: webApplicationReceipt,
      handler: async ({ body, req }) => {
        await hitThrottle(ctx.db, `apply:${req.ip}`, 60, 10, ctx.clock.now(), "applications");
        const { applicantEmail, consent, ...form } = body;
        const today = todayOf(ctx);
        // Honeypot filled: answer like a success so a bot learns nothing; store and send nothing.
        if (form.website)
          return {
            number: `A-${today.slice(0, 4)}-${randomBytes(3).readUIntBE(0, 3) % 1_000_000}`,
            receivedOn: today,
            coolingOffLastDay: null,
          };
        const r = await submitApplication(ctx, form, {
          channel: "web",
          applicantEmail,
          actor: { kind: "public", id: null },
          consent,
        });
        return { number: r.number, receivedOn: r.receivedOn, coolingOffLastDay: r.coolingOffLastDay };
      },
    }),
    route({
      method: "POST",
      url: "/applications/withdraw",
      summary: "Withdraw a web application within the cooling-off window (Art. 42) with the receipt's code",
      policy: "public",
      body: z.strictObject({ number: z.string().max(40), code: z.string().max(100) }),
      status: 204,
      response: null,
      handler: async ({ body, req }) => {
        await hitThrottle(ctx.db, `withdraw:${req.ip}`, 60, 20, ctx.clock.now(), "withdrawal attempts");
        await withdraw(ctx, body.number, body.code);
      },
    }),
    route({
      method: "GET",
      url: "/reasons",
      summary:
        "The coded reasons of the terms with their articles: rejecting an application (Art. 17), suspending (Art. 21), terminating (Art. 25)",
      policy: { who: "staff" },
      response: reasonsSchema,
      handler: async () => {
        const list = (m: Record<string, { article: string }>) =>
          Object.entries(m).map(([code, r]) => ({ code, article: r.article }));
        return {
          rejection: list(REJECTION_REASONS),
          suspension: list(SUSPENSION_REASONS),
          termination: list(TERMINATION_REASONS),
        };
      },
    }),
    route({
      method: "GET",
      url: "/applications",
      summary: "Application queue, searched by number or applicant's name",
      policy: { who: "staff" },
      query: z.strictObject({
        status: z.enum(APPLICATION_STATUSES).optional(),
        q: z.string().trim().min(1).max(100).optional().meta({
          description: "Part of the application number or of the applicant's legal name",
        }),
        sort: sortField(APPLICATION_SORTS, "-received"),
        ...pageFields,
      }),
      response: pageOf(applicationSchema),
      handler: ({ query }) => listApplications(ctx, query, query),
    }),
    route({
      method: "GET",
      url: "/applications/:id",
      summary: "One application",
      policy: { who: "staff" },
      params: idParams,
      response: applicationSchema,
      handler: ({ params }) => getApplication(ctx, params.id),
    }),
    route({
      method: "POST",
      url: "/applications/paper",
      summary: "Enter a paper or e-mail application with its real receipt date",
      policy: ops,
      body: paperApplicationBody,
      status: 201,
      response: applicationReceipt,
      handler: async ({ body, auth }) => {
        const { channel, receivedOn, applicantEmail, ...form } = body;
        const r = await submitApplication(ctx, form, {
          channel,
          receivedOn,
          applicantEmail,
          actor: actorOf(auth),
        });
        return { id: r.id, number: r.number, coolingOffLastDay: r.coolingOffLastDay };
      },
    }),
    route({
      method: "POST",
      url: "/applications/:id/accept",
      summary:
        "Accept: establishes the contract (start date today, Art. 13, 16), issues the portal user ID and initial password (Art. 10)",
      policy: ops,
      params: idParams,
      response: acceptedSchema,
      handler: ({ auth, params }) => accept(ctx, auth, params.id),
    }),
    route({
      method: "POST",
      url: "/applications/:id/reject",
      summary: "Reject with a reason; nothing is sent to the applicant (Art. 17(2))",
      policy: ops,
      params: idParams,
      body: rejectBody,
      status: 204,
      response: null,
      handler: ({ auth, params, body }) => reject(ctx, auth, params.id, body.reason, body.note),
    }),
  ];
}

/** Contracts and their lifecycle (Art. 11, 12–27, 36(2), 42). */
export function contractRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/contracts",
      summary:
        "Contracts with their customer's name, searched by number or customer name (a customer sees its own); staff may name one customer",
      policy: { who: "any" },
      query: z.strictObject({
        status: z.enum(CONTRACT_STATUSES).optional(),
        customerId: z.uuid().optional(),
        q: z.string().trim().min(1).max(100).optional().meta({
          description: "Part of the contract number or of the customer's legal name",
        }),
        sort: sortField(CONTRACT_SORTS, "-number"),
        ...pageFields,
      }),
      response: pageOf(contractSchema.extend({ customerName: z.string() }).meta({ id: "ContractRow" })),
      handler: ({ auth, query }) => listContracts(ctx, auth, query),
    }),
    route({
      method: "GET",
      url: "/contracts/:id",
      summary: "A contract with its timeline and terms history",
      policy: { who: "any" },
      params: idParams,
      response: contractDetailSchema,
      handler: ({ auth, params }) => getContract(ctx, auth, params.id),
    }),
    route({
      method: "GET",
      url: "/contracts/:id/what-if",
      summary:
        "If a cancellation arrived today / on a date: effective date and billable months (Art. 26, 29(3))",
      policy: { who: "any" },
      params: idParams,
      query: whatIfQuery,
      response: cancellationSchema,
      handler: ({ auth, params, query }) => whatIf(ctx, auth, params.id, query),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/cancellation",
      summary: "Request cancellation now, optionally for a later month (Art. 26(1)–(3))",
      policy: { who: "customer", roles: ["customer-admin"] },
      params: idParams,
      body: cancellationBody,
      response: cancellationAnswer,
      handler: ({ auth, params, body }) => requestCancellation(ctx, auth, params.id, body.month),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/cooling-off",
      summary: "Cancel within the cooling-off window (web applications, Art. 42); voids the charges",
      policy: { who: "customer", roles: ["customer-admin"] },
      params: idParams,
      response: contractSchema,
      handler: ({ auth, params }) => coolingOffCancel(ctx, auth, params.id),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/paper-cancellation",
      summary: "Record a paper cancellation with its real receipt date",
      policy: ops,
      params: idParams,
      body: paperCancellationBody,
      response: cancellationAnswer,
      handler: ({ auth, params, body }) => recordCancellation(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/suspend",
      summary: "Suspend for an Art. 21 reason",
      policy: ops,
      params: idParams,
      body: suspendBody,
      response: contractSchema,
      handler: ({ auth, params, body }) => suspend(ctx, auth, params.id, body.reason, body.note),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/resume",
      summary: "Resume a suspended contract",
      policy: ops,
      params: idParams,
      body: decisionBody,
      response: contractSchema,
      handler: ({ auth, params, body }) => resume(ctx, auth, params.id, body.note),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/emergency-stop",
      summary:
        "Record an emergency stop (Art. 22): the contract's servers' checks are paused for it, so their incidents page no one",
      policy: { who: "staff", roles: ["admin", "operator", "engineer"] },
      params: idParams,
      body: noteBody,
      response: contractSchema,
      handler: async ({ auth, params, body }) => {
        const stopped = await emergencyStop(ctx, auth, params.id, body.note);
        // Each pause is recorded with Art. 22(1) by monitoring; resuming them is staff's, check by check or per server.
        for (const item of (await contractInventory(ctx, auth, params.id)).registered)
          await pauseItemChecks(ctx, auth, item.id, {
            pause: true,
            reason: "emergency_stop",
            note: body.note,
          });
        return stopped;
      },
    }),
    route({
      method: "POST",
      url: "/contracts/:id/terminate",
      summary: "Terminate for an Art. 25 reason, whole or partial",
      policy: admin,
      params: idParams,
      body: terminateBody,
      response: contractSchema,
      handler: ({ auth, params, body }) => terminate(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/deletion",
      summary: "Schedule the deletion work (never before the month after termination, Art. 26(7))",
      policy: ops,
      params: idParams,
      body: scheduleDeletionBody,
      response: contractSchema,
      handler: ({ auth, params, body }) => scheduleDeletion(ctx, auth, params.id, body.on),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/succession",
      summary: "Merger succession (Art. 18) after the acceptance check",
      policy: admin,
      params: idParams,
      body: successionBody,
      response: contractSchema,
      handler: ({ auth, params, body }) => succeed(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/late-start",
      summary:
        "Record a late start: the agreed start was missed; for the provider's reasons the service period is extended by the days lost, nothing refunded (Art. 36(2)); a carrier's fault extends nothing (36(3))",
      policy: { who: "staff", roles: ["admin", "operator", "billing"] },
      params: idParams,
      body: lateStartBody,
      status: 201,
      response: lateStartAnswer,
      handler: ({ auth, params, body }) => recordLateStart(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/options/:option/cancel",
      summary:
        "Cancel an option: its fee stops from the notice's arrival, nothing refunded (Art. 11). Staff enter a paper notice's arrival date; the portal's is today.",
      policy: { who: "any", roles: ["admin", "operator", "engineer", "billing", "customer-admin"] },
      params: z.strictObject({ id: z.uuid(), option: z.enum(OPTIONS) }),
      body: optionCancelBody,
      response: optionCancellationAnswer,
      handler: ({ auth, params, body }) => cancelOption(ctx, auth, params.id, params.option, body.receivedOn),
    }),
    route({
      method: "POST",
      url: "/abolitions",
      summary:
        "Announce an abolition (refused under two months' notice, Art. 24(2)); ends affected contracts on its date (Art. 26(5))",
      tags: ["terms"],
      policy: admin,
      body: abolitionBody,
      status: 201,
      response: abolitionAnswer,
      handler: ({ auth, body }) => announceAbolition(ctx, auth, body),
    }),
  ];
}
