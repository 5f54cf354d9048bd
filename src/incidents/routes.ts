/**
 * The incidents room's routes: incidents and their live stream, on-call schedules and escalation
 * policies, maintenance windows and the calendar feed, integrations, channels and contact
 * preferences; and the alert receivers under /ingest/v1 (their own bearer tokens, raw bodies for
 * signatures).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError } from "../core/errors.ts";
import { idParams } from "../core/schemas.ts";
import { pageFields, pageOf } from "../db/page.ts";
import { authorize } from "../http/auth.ts";
import type { AppContext } from "../http/context.ts";
import { file, route } from "../http/route.ts";
import { refuseControlCharacters } from "../http/text.ts";
import type { AuthContext } from "../identity/actor.ts";
import { tick } from "./engine.ts";
import { ingest } from "./ingest.ts";
import {
  addChannel,
  changeIntegration,
  channels,
  createIntegration,
  integrations,
  preferences,
  removeChannel,
  setPreference,
} from "./integrations.ts";
import { calendarFeed, cancelWindow, renewFeed, scheduleWindow, windows } from "./maintenance.ts";
import {
  addOverride,
  onCallNow,
  policies,
  removeOverride,
  savePolicy,
  saveSchedule,
  schedules,
} from "./oncall-service.ts";
import type { IntegrationKind } from "./rules.ts";
import {
  assignBody,
  channelBody,
  channelSchema,
  commentBody,
  correctionBody,
  incidentDetailSchema,
  incidentPatch,
  incidentQuery,
  incidentSchema,
  ingestResultSchema,
  integrationBody,
  integrationCreatedSchema,
  integrationSchema,
  overrideBody,
  policyBody,
  policySchema,
  preferenceBody,
  preferenceSchema,
  publicStatusSchema,
  resolveBody,
  scheduleBody,
  scheduleSchema,
  summarySchema,
  windowBody,
  windowCreatedSchema,
  windowSchema,
} from "./schemas.ts";
import {
  acknowledge,
  assign,
  changeIncident,
  comment,
  correct,
  incident,
  incidentReport,
  incidentSummary,
  incidents,
  resolve,
} from "./service.ts";
import { publicStatusIncidents } from "./status.ts";
import type { IncidentStream } from "./stream.ts";

/** Who runs the service: operators watch and respond, engineers work on servers, admins everything. */
const service = { who: "staff", roles: ["admin", "operator", "engineer"] } as const;
/** Who arranges on-call and maintenance. */
const planners = { who: "staff", roles: ["admin", "operator"] } as const;
const customerParams = z.strictObject({ id: z.uuid() });

/** A customer's own, or any for staff. */
function ownCustomer(auth: AuthContext, customerId: string) {
  if (auth.user.kind === "customer" && auth.user.customerId !== customerId)
    throw new AppError("not_found", "customer not found");
}

export function incidentRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/incidents",
      summary: "Incidents, the latest first (customers: theirs)",
      policy: { who: "any" },
      query: incidentQuery.extend(pageFields),
      response: pageOf(incidentSchema),
      handler: ({ auth, query }) => {
        const { cursor, limit, ...filter } = query;
        return incidents(ctx, auth, filter, { cursor, limit });
      },
    }),
    route({
      method: "GET",
      url: "/incidents/summary",
      summary: "Open and unacknowledged incidents by severity, and who is on call now (the console's home)",
      policy: { who: "staff" },
      response: summarySchema,
      handler: async () => ({ ...(await incidentSummary(ctx)), onCall: await onCallNow(ctx) }),
    }),
    route({
      method: "GET",
      url: "/incidents/:id",
      summary: "One incident: its timeline, and whether and how it counts as unavailability (Art. 30(4), 36)",
      policy: { who: "any" },
      params: idParams,
      response: incidentDetailSchema,
      handler: ({ auth, params }) => incident(ctx, auth, params.id),
    }),
    route({
      method: "GET",
      url: "/incidents/:id/report",
      summary: "The incident report for the customer (Markdown, Japanese or English)",
      policy: { who: "any" },
      params: idParams,
      query: z.strictObject({ lang: z.enum(["ja", "en"]).default("ja") }),
      response: null,
      produces: "text/markdown",
      handler: async ({ auth, params, query }) => {
        const r = await incidentReport(ctx, auth, params.id, query.lang);
        return file({
          body: r.text,
          contentType: "text/markdown; charset=utf-8",
          fileName: `${r.reference}-${query.lang}.md`,
          disposition: "inline",
        });
      },
    }),
    route({
      method: "POST",
      url: "/incidents/:id/acknowledge",
      summary: "Acknowledge: paging stops; the acknowledger is assigned unless someone is",
      policy: service,
      params: idParams,
      response: incidentDetailSchema,
      handler: ({ auth, params }) => acknowledge(ctx, auth, params.id),
    }),
    route({
      method: "POST",
      url: "/incidents/:id/assign",
      summary: "Assign to a staff member (null: nobody)",
      policy: service,
      params: idParams,
      body: assignBody,
      response: incidentDetailSchema,
      handler: ({ auth, params, body }) => assign(ctx, auth, params.id, body.userId),
    }),
    route({
      method: "POST",
      url: "/incidents/:id/comments",
      summary: "Add to the timeline: an internal note, or a public update the customer sees",
      policy: service,
      params: idParams,
      body: commentBody,
      response: incidentDetailSchema,
      handler: ({ auth, params, body }) => comment(ctx, auth, params.id, body),
    }),
    route({
      method: "PATCH",
      url: "/incidents/:id",
      summary: "Change severity, title, auto-resolve or the customer's report",
      policy: service,
      params: idParams,
      body: incidentPatch,
      response: incidentDetailSchema,
      handler: ({ auth, params, body }) => changeIncident(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/incidents/:id/resolve",
      summary: "Resolve, restored at the given time (default now; not before awareness, Art. 30(4))",
      policy: service,
      params: idParams,
      body: resolveBody,
      response: incidentDetailSchema,
      handler: ({ auth, params, body }) =>
        resolve(ctx, auth, params.id, {
          restoredAt: body.restoredAt ? new Date(body.restoredAt) : undefined,
          note: body.note,
        }),
    }),
    route({
      method: "POST",
      url: "/incidents/:id/corrections",
      summary:
        "Correct awareness, restoration, attribution, cause or outage, with a reason (audited); the unavailability period follows (Art. 30(4), 36)",
      policy: { who: "staff", roles: ["admin", "operator"] },
      params: idParams,
      body: correctionBody,
      response: incidentDetailSchema,
      handler: ({ auth, params, body }) =>
        correct(ctx, auth, params.id, {
          reason: body.reason,
          awareAt: body.awareAt ? new Date(body.awareAt) : undefined,
          restoredAt: body.restoredAt ? new Date(body.restoredAt) : undefined,
          attribution: body.attribution,
          cause: body.cause,
          outage: body.outage,
        }),
    }),
    route({
      method: "POST",
      url: "/incidents/engine/tick",
      summary: "Run the incidents engine once now (test clock instances only: rehearsals and tests)",
      policy: { who: "staff", roles: ["admin"] },
      response: z.object({ events: z.number(), pages: z.number(), notices: z.number() }),
      handler: async () => {
        if (!ctx.config.testClock)
          throw new AppError("forbidden", "only on an instance with the test clock (UNYO_TEST_CLOCK=1)");
        return tick(ctx);
      },
    }),
    route({
      method: "GET",
      url: "/public/status/:token/incidents",
      summary:
        "A public status page's incidents (open and of the last 7 days) and planned maintenance; no host names",
      policy: "public",
      params: z.strictObject({ token: z.string().max(64) }),
      response: publicStatusSchema,
      handler: ({ params }) => publicStatusIncidents(ctx, params.token),
    }),
    // On-call
    route({
      method: "GET",
      url: "/oncall/schedules",
      summary: "On-call schedules: layers of rotations (JST), who is on call now, the next two weeks' shifts",
      policy: { who: "staff" },
      query: z.strictObject({ days: z.coerce.number().int().min(1).max(62).default(14) }),
      response: z.array(scheduleSchema),
      handler: ({ query }) => schedules(ctx, query.days),
    }),
    route({
      method: "POST",
      url: "/oncall/schedules",
      summary: "Create an on-call schedule",
      policy: planners,
      body: scheduleBody,
      status: 201,
      response: z.object({ id: z.uuid() }),
      handler: ({ auth, body }) => saveSchedule(ctx, auth, body as never),
    }),
    route({
      method: "PUT",
      url: "/oncall/schedules/:id",
      summary: "Change an on-call schedule's layers",
      policy: planners,
      params: idParams,
      body: scheduleBody,
      response: z.object({ id: z.uuid() }),
      handler: ({ auth, params, body }) => saveSchedule(ctx, auth, body as never, params.id),
    }),
    route({
      method: "POST",
      url: "/oncall/schedules/:id/overrides",
      summary: "Someone covers a stretch of the schedule (an override wins over every layer)",
      policy: planners,
      params: idParams,
      body: overrideBody,
      status: 201,
      response: z.object({ id: z.uuid() }),
      handler: ({ auth, params, body }) =>
        addOverride(ctx, auth, params.id, {
          userId: body.userId,
          from: new Date(body.from),
          to: new Date(body.to),
          note: body.note,
        }),
    }),
    route({
      method: "DELETE",
      url: "/oncall/schedules/:id/overrides/:overrideId",
      summary: "Remove an override",
      policy: planners,
      params: z.strictObject({ id: z.uuid(), overrideId: z.uuid() }),
      status: 204,
      response: null,
      handler: async ({ auth, params }) => {
        await removeOverride(ctx, auth, params.id, params.overrideId);
        return undefined;
      },
    }),
    route({
      method: "GET",
      url: "/escalation-policies",
      summary: "Escalation policies",
      policy: { who: "staff" },
      response: z.array(policySchema),
      handler: () => policies(ctx),
    }),
    route({
      method: "POST",
      url: "/escalation-policies",
      summary:
        "Create an escalation policy (steps notify schedules or people; escalate after N minutes unacknowledged; repeat)",
      policy: planners,
      body: policyBody,
      status: 201,
      response: z.object({ id: z.uuid() }),
      handler: ({ auth, body }) => savePolicy(ctx, auth, body),
    }),
    route({
      method: "PUT",
      url: "/escalation-policies/:id",
      summary: "Change an escalation policy",
      policy: planners,
      params: idParams,
      body: policyBody,
      response: z.object({ id: z.uuid() }),
      handler: ({ auth, params, body }) => savePolicy(ctx, auth, body, params.id),
    }),
    // Maintenance (Art. 23)
    route({
      method: "GET",
      url: "/maintenance",
      summary:
        "Planned interruptions not yet over and of the last 30 days (customers: theirs and the service-wide ones)",
      policy: { who: "any" },
      response: z.array(windowSchema),
      handler: ({ auth }) => windows(ctx, auth),
    }),
    route({
      method: "POST",
      url: "/maintenance",
      summary:
        "Schedule a planned interruption and notify the affected customers now; refused when too late for the notice period unless an emergency is stated (Art. 23(3))",
      policy: planners,
      body: windowBody,
      status: 201,
      response: windowCreatedSchema,
      handler: ({ auth, body }) =>
        scheduleWindow(ctx, auth, {
          ...body,
          startsAt: new Date(body.startsAt),
          endsAt: new Date(body.endsAt),
        }),
    }),
    route({
      method: "POST",
      url: "/maintenance/:id/cancel",
      summary: "Cancel a planned interruption (the customers are told)",
      policy: planners,
      params: idParams,
      body: z.strictObject({ reason: z.string().trim().min(1).max(1000) }),
      status: 204,
      response: null,
      handler: async ({ auth, params, body }) => {
        await cancelWindow(ctx, auth, params.id, body.reason);
        return undefined;
      },
    }),
    route({
      method: "POST",
      url: "/customers/:id/calendar-feed",
      summary:
        "A new secret URL of the customer's maintenance calendar (iCalendar); the old one stops working",
      policy: { who: "any" },
      params: customerParams,
      response: z.object({ url: z.string(), path: z.string() }),
      handler: ({ auth, params }) => {
        ownCustomer(auth, params.id);
        return renewFeed(ctx, auth, params.id);
      },
    }),
    route({
      method: "GET",
      url: "/calendar/:file",
      summary: "A customer's maintenance windows as iCalendar (RFC 5545); no sign-in: the URL is the secret",
      policy: "public",
      params: z.strictObject({ file: z.string().regex(/^[A-Za-z0-9_-]{20,64}\.ics$/) }),
      response: null,
      produces: "text/calendar",
      handler: async ({ params }) =>
        file({
          body: await calendarFeed(ctx, params.file.slice(0, -4)),
          contentType: "text/calendar; charset=utf-8",
          fileName: "maintenance.ics",
          disposition: "inline",
        }),
    }),
    // Integrations, channels, preferences
    route({
      method: "GET",
      url: "/customers/:id/integrations",
      summary: "A customer's alert integrations (Alertmanager, Zabbix, generic webhook); never a token",
      policy: { who: "any" },
      params: customerParams,
      response: z.array(integrationSchema),
      handler: ({ auth, params }) => {
        ownCustomer(auth, params.id);
        return integrations(ctx, auth, params.id);
      },
    }),
    route({
      method: "POST",
      url: "/customers/:id/integrations",
      summary: "Create an alert integration: its token (and HMAC secret) are shown once",
      policy: service,
      params: customerParams,
      body: integrationBody,
      status: 201,
      response: integrationCreatedSchema,
      handler: ({ auth, params, body }) => createIntegration(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/integrations/:id/token",
      summary: "A new token for an integration (the old one stops working within 5 s); shown once",
      policy: service,
      params: idParams,
      response: z.object({ token: z.string().nullable() }),
      handler: ({ auth, params }) => changeIntegration(ctx, auth, params.id, "renew"),
    }),
    route({
      method: "POST",
      url: "/integrations/:id/disable",
      summary: "Disable an integration (its alerts are refused 401)",
      policy: service,
      params: idParams,
      response: z.object({ token: z.string().nullable() }),
      handler: ({ auth, params }) => changeIntegration(ctx, auth, params.id, "disable"),
    }),
    route({
      method: "GET",
      url: "/customers/:id/channels",
      summary: "A customer's notification channels (Slack, Teams, Chatwork, webhooks)",
      policy: { who: "any" },
      params: customerParams,
      response: z.array(channelSchema),
      handler: ({ auth, params }) => {
        ownCustomer(auth, params.id);
        return channels(ctx, { customerId: params.id });
      },
    }),
    route({
      method: "POST",
      url: "/customers/:id/channels",
      summary: "Add a notification channel for the customer's incident notices",
      policy: { who: "any" },
      params: customerParams,
      body: channelBody,
      status: 201,
      response: z.object({ id: z.uuid() }),
      handler: ({ auth, params, body }) => {
        ownCustomer(auth, params.id);
        if (auth.user.kind === "customer" && auth.user.role !== "admin")
          throw new AppError("forbidden", "a customer admin adds channels");
        return addChannel(ctx, auth, { customerId: params.id }, body);
      },
    }),
    route({
      method: "GET",
      url: "/me/channels",
      summary: "A staff member's own channels for pages",
      policy: { who: "staff" },
      response: z.array(channelSchema),
      handler: ({ auth }) => channels(ctx, { userId: auth.user.id }),
    }),
    route({
      method: "POST",
      url: "/me/channels",
      summary: "Add a channel for one's own pages",
      policy: { who: "staff" },
      body: channelBody,
      status: 201,
      response: z.object({ id: z.uuid() }),
      handler: ({ auth, body }) => addChannel(ctx, auth, { userId: auth.user.id }, body),
    }),
    route({
      method: "DELETE",
      url: "/channels/:id",
      summary: "Remove a channel (one's own; a customer admin their company's; staff any customer's)",
      policy: { who: "any" },
      params: idParams,
      status: 204,
      response: null,
      handler: async ({ auth, params }) => {
        await removeChannel(
          ctx,
          auth,
          params.id,
          auth.user.kind === "customer" ? { customerId: auth.user.customerId ?? "" } : {},
        );
        return undefined;
      },
    }),
    route({
      method: "GET",
      url: "/customers/:id/contact-preferences",
      summary: "Which of the customer's users take incident and maintenance notices",
      policy: { who: "any" },
      params: customerParams,
      response: z.array(preferenceSchema),
      handler: ({ auth, params }) => {
        ownCustomer(auth, params.id);
        return preferences(ctx, params.id);
      },
    }),
    route({
      method: "PUT",
      url: "/customers/:id/contact-preferences/:userId",
      summary: "Set a user's notices: incidents all / major and above / none, and maintenance",
      policy: { who: "any" },
      params: z.strictObject({ id: z.uuid(), userId: z.uuid() }),
      body: preferenceBody,
      response: z.array(preferenceSchema),
      handler: ({ auth, params, body }) => {
        ownCustomer(auth, params.id);
        return setPreference(ctx, auth, params.id, params.userId, body);
      },
    }),
  ];
}

/** The live stream of changed incidents (Server-Sent Events), in the API's scope (its sign-in). */
export function incidentStreamRoute(api: FastifyInstance, stream: IncidentStream) {
  api.get(
    "/incidents/stream",
    { schema: { hide: true }, preHandler: authorize({ who: "any" }) },
    async (req, reply) => {
      const auth = req.auth!;
      stream.serve(req, reply, auth.user.kind === "customer" ? auth.user.customerId : null);
    },
  );
}

const KINDS = ["alertmanager", "zabbix", "generic"] as const;

/**
 * The alert receivers: `POST /ingest/v1/{alertmanager|zabbix|generic}` with the integration's bearer
 * token (outside /api/v1: its tokens are not users'), the raw body kept for the HMAC signature.
 */
export async function ingestRoutes(app: FastifyInstance, ctx: AppContext) {
  await app.register(
    async (ing) => {
      ing.removeAllContentTypeParsers();
      // As on /api/v1: no control character in the path or the query reaches a rule.
      ing.addHook("preValidation", async (req) =>
        refuseControlCharacters({ query: req.query, params: req.params }),
      );
      ing.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: 8 * 1024 * 1024 }, (_req, body, done) =>
        done(null, body),
      );
      ing.post<{ Params: { kind: string } }>(
        "/:kind",
        {
          schema: {
            response: { 200: ingestResultSchema },
            tags: ["incidents"],
            summary:
              "Receive alerts: Alertmanager webhook v4, Zabbix webhook media type, or the generic JSON (Authorization: Bearer <integration token>)",
          },
        },
        async (req, reply) => {
          const kind = req.params.kind as IntegrationKind;
          if (!KINDS.includes(kind))
            throw new AppError("not_found", `no receiver for "${kind}" (${KINDS.join(", ")})`);
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const sig = req.headers["x-unyo-signature"];
          const result = await ingest(ctx, {
            kind,
            authorization: req.headers.authorization,
            signature: typeof sig === "string" ? sig : undefined,
            raw,
          });
          return reply.code(200).send(ingestResultSchema.parse(result));
        },
      );
    },
    { prefix: "/ingest/v1" },
  );
}
