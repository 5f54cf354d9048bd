import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { AppError } from "../core/errors.ts";
import { hitThrottle } from "../db/throttle.ts";
import { authorize, requireAuth } from "../http/auth.ts";
import type { AppContext } from "../http/context.ts";
import { errorSchema } from "../http/errors.ts";
import { idParams } from "../identity/schemas.ts";
import {
  acknowledge,
  customerRecipients,
  inbox,
  noticeWithDeliveries,
  queueNotice,
} from "../notices/service.ts";
import {
  abolitionBody,
  answerBody,
  applicationForm,
  cancellationBody,
  customerChangeBody,
  decisionBody,
  inquiryBody,
  noteBody,
  noticeBody,
  paperApplicationBody,
  paperCancellationBody,
  rejectBody,
  scheduleDeletionBody,
  successionBody,
  suspendBody,
  terminateBody,
  termsVersionBody,
  whatIfQuery,
} from "./schemas.ts";
import { actorOf, type ContractService } from "./service.ts";

const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  429: errorSchema,
};
const any = z.any();

export function contractRoutes(ctx: AppContext, contracts: ContractService) {
  const { identity, db, clock } = ctx;
  const staff = (roles?: ("admin" | "operator" | "engineer" | "billing")[]) => ({
    preHandler: authorize({ who: "staff", roles }, identity),
  });
  const customer = (roles?: ("customer-admin" | "customer-member")[]) => ({
    preHandler: authorize({ who: "customer", roles }, identity),
  });
  const anyone = { preHandler: authorize({ who: "any" }, identity) };
  const ops = staff(["admin", "operator"]);

  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const t = (tag: string) => ({ tags: [tag] });

    // --- public: the web application form (Art. 15) and cooling-off withdrawal (Art. 42) ---
    app.post(
      "/applications",
      {
        config: { public: true },
        schema: {
          ...t("applications"),
          summary:
            "Apply on the web (channel web: opens the 8-day cooling-off window, Art. 42). Rate-limited; receipt e-mail to the applicant.",
          body: applicationForm.extend({ applicantEmail: z.email().max(254) }),
          response: {
            201: z.object({
              number: z.string(),
              receivedOn: z.string(),
              coolingOffLastDay: z.string().nullable(),
            }),
            ...errors,
          },
        },
      },
      async (req, reply) => {
        await hitThrottle(db, `apply:${req.ip}`, 60, 10, clock.now(), "applications");
        const { applicantEmail, ...form } = req.body;
        if (form.website) {
          // Honeypot filled: answer like a success so a bot learns nothing; store and send nothing.
          return reply.code(201).send({
            number: `A-${contracts.today().slice(0, 4)}-${randomBytes(3).readUIntBE(0, 3) % 1_000_000}`,
            receivedOn: contracts.today(),
            coolingOffLastDay: null,
          });
        }
        const r = await contracts.submitApplication(form, {
          channel: "web",
          receivedOn: contracts.today(),
          applicantEmail,
          actor: { kind: "public", id: null },
        });
        return reply
          .code(201)
          .send({ number: r.number, receivedOn: contracts.today(), coolingOffLastDay: r.coolingOffLastDay });
      },
    );
    app.post(
      "/applications/withdraw",
      {
        config: { public: true },
        schema: {
          ...t("applications"),
          summary:
            "Withdraw a web application within the cooling-off window (Art. 42) with the receipt's code",
          body: z.strictObject({ number: z.string().max(40), code: z.string().max(100) }),
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await hitThrottle(db, `withdraw:${req.ip}`, 60, 20, clock.now(), "withdrawal attempts");
        await contracts.withdraw(req.body.number, req.body.code);
        return reply.code(204).send(null);
      },
    );

    // --- staff: the application queue ---
    app.get(
      "/applications",
      {
        ...staff(),
        schema: {
          ...t("applications"),
          summary: "Application queue",
          querystring: z.strictObject({
            status: z.enum(["applied", "rejected", "withdrawn", "accepted"]).optional(),
          }),
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({
        items: await contracts.listApplications(req.query.status),
      }),
    );
    app.get(
      "/applications/:id",
      { ...staff(), schema: { ...t("applications"), params: idParams, response: { 200: any, ...errors } } },
      async (req) => contracts.getApplication(req.params.id),
    );
    app.post(
      "/applications/paper",
      {
        ...ops,
        schema: {
          ...t("applications"),
          summary: "Enter a paper or e-mail application with its real receipt date",
          body: paperApplicationBody,
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) => {
        const { channel, receivedOn, applicantEmail, ...form } = req.body;
        const r = await contracts.submitApplication(form, {
          channel,
          receivedOn,
          applicantEmail,
          actor: actorOf(req.auth),
        });
        return reply.code(201).send({ id: r.id, number: r.number, coolingOffLastDay: r.coolingOffLastDay });
      },
    );
    app.post(
      "/applications/:id/accept",
      {
        ...ops,
        schema: {
          ...t("applications"),
          summary:
            "Accept: establishes the contract (start date today, Art. 13, 16), issues the portal user ID and initial password (Art. 10)",
          params: idParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.accept(requireAuth(req), req.params.id),
    );
    app.post(
      "/applications/:id/reject",
      {
        ...ops,
        schema: {
          ...t("applications"),
          summary: "Reject with a reason; nothing is sent to the applicant (Art. 17(2))",
          params: idParams,
          body: rejectBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await contracts.reject(requireAuth(req), req.params.id, req.body.reason, req.body.note);
        return reply.code(204).send(null);
      },
    );

    // --- contracts ---
    app.get(
      "/contracts",
      {
        ...anyone,
        schema: {
          ...t("contracts"),
          summary: "Contracts (a customer sees its own)",
          querystring: z.strictObject({
            status: z.enum(["active", "suspended", "terminating", "terminated", "data_deleted"]).optional(),
          }),
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({
        items: await contracts.list(requireAuth(req), req.query),
      }),
    );
    app.get(
      "/contracts/:id",
      {
        ...anyone,
        schema: {
          ...t("contracts"),
          summary: "A contract with its timeline and terms history",
          params: idParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.get(requireAuth(req), req.params.id),
    );
    app.get(
      "/contracts/:id/what-if",
      {
        ...anyone,
        schema: {
          ...t("contracts"),
          summary:
            "If a cancellation arrived today / on a date: effective date and billable months (Art. 26, 29(3))",
          params: idParams,
          querystring: whatIfQuery,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.whatIf(requireAuth(req), req.params.id, req.query),
    );
    app.post(
      "/contracts/:id/cancellation",
      {
        ...customer(["customer-admin"]),
        schema: {
          ...t("contracts"),
          summary: "Request cancellation now, optionally for a later month (Art. 26(1)–(3))",
          params: idParams,
          body: cancellationBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.requestCancellation(requireAuth(req), req.params.id, req.body.month),
    );
    app.post(
      "/contracts/:id/cooling-off",
      {
        ...customer(["customer-admin"]),
        schema: {
          ...t("contracts"),
          summary: "Cancel within the cooling-off window (web applications, Art. 42); voids the charges",
          params: idParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.coolingOffCancel(requireAuth(req), req.params.id),
    );
    app.post(
      "/contracts/:id/paper-cancellation",
      {
        ...ops,
        schema: {
          ...t("contracts"),
          summary: "Record a paper cancellation with its real receipt date",
          params: idParams,
          body: paperCancellationBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.recordCancellation(requireAuth(req), req.params.id, req.body),
    );
    app.post(
      "/contracts/:id/suspend",
      {
        ...ops,
        schema: {
          ...t("contracts"),
          summary: "Suspend for an Art. 21 reason",
          params: idParams,
          body: suspendBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.suspend(requireAuth(req), req.params.id, req.body.reason, req.body.note),
    );
    app.post(
      "/contracts/:id/resume",
      {
        ...ops,
        schema: {
          ...t("contracts"),
          summary: "Resume a suspended contract",
          params: idParams,
          body: decisionBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.resume(requireAuth(req), req.params.id, req.body.note),
    );
    app.post(
      "/contracts/:id/emergency-stop",
      {
        ...staff(["admin", "operator", "engineer"]),
        schema: {
          ...t("contracts"),
          summary: "Record an emergency stop (Art. 22)",
          params: idParams,
          body: noteBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.emergencyStop(requireAuth(req), req.params.id, req.body.note),
    );
    app.post(
      "/contracts/:id/terminate",
      {
        ...staff(["admin"]),
        schema: {
          ...t("contracts"),
          summary: "Terminate for an Art. 25 reason, whole or partial",
          params: idParams,
          body: terminateBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.terminate(requireAuth(req), req.params.id, req.body),
    );
    app.post(
      "/contracts/:id/deletion",
      {
        ...ops,
        schema: {
          ...t("contracts"),
          summary: "Schedule the deletion work (never before the month after termination, Art. 26(7))",
          params: idParams,
          body: scheduleDeletionBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.scheduleDeletion(requireAuth(req), req.params.id, req.body.on),
    );
    app.post(
      "/contracts/:id/succession",
      {
        ...staff(["admin"]),
        schema: {
          ...t("contracts"),
          summary: "Merger succession (Art. 18) after the acceptance check",
          params: idParams,
          body: successionBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => contracts.succeed(requireAuth(req), req.params.id, req.body),
    );
    app.post(
      "/contracts/:id/inquiries",
      {
        ...ops,
        schema: {
          ...t("inquiries"),
          summary: "Send an inquiry; deadline one month (Art. 44)",
          params: idParams,
          body: inquiryBody,
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await contracts.sendInquiry(requireAuth(req), req.params.id, req.body)),
    );

    // --- inquiries ---
    app.get(
      "/inquiries",
      {
        ...anyone,
        schema: {
          ...t("inquiries"),
          summary: "Inquiries; ?overdue=true for the ones past their deadline (eligible for stop)",
          querystring: z.strictObject({ overdue: z.enum(["true", "false"]).optional() }),
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({
        items: await contracts.listInquiries(requireAuth(req), { overdue: req.query.overdue === "true" }),
      }),
    );
    app.post(
      "/inquiries/:id/answer",
      {
        ...customer(),
        schema: {
          ...t("inquiries"),
          summary: "Answer a provider inquiry",
          params: idParams,
          body: answerBody,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        await contracts.answerInquiry(requireAuth(req), req.params.id, req.body.answer);
        return reply.code(204).send(null);
      },
    );

    // --- terms versions (Art. 1, 2) and abolition (Art. 24) ---
    app.get(
      "/terms-versions",
      {
        config: { public: true },
        schema: {
          ...t("terms"),
          summary: "Terms versions",
          response: { 200: z.object({ items: z.array(any) }) },
        },
      },
      async () => ({ items: await contracts.listTermsVersions() }),
    );
    app.post(
      "/terms-versions",
      {
        ...staff(["admin"]),
        schema: {
          ...t("terms"),
          summary: "Publish a terms version (refused under 14 days' notice, Art. 2); announced to customers",
          body: termsVersionBody,
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await contracts.publishTermsVersion(requireAuth(req), req.body)),
    );
    app.post(
      "/abolitions",
      {
        ...staff(["admin"]),
        schema: {
          ...t("terms"),
          summary:
            "Announce an abolition (refused under two months' notice, Art. 24(2)); ends affected contracts on its date (Art. 26(5))",
          body: abolitionBody,
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await contracts.announceAbolition(requireAuth(req), req.body)),
    );

    // --- notices and announcements (Art. 1, 43) ---
    app.get(
      "/notices",
      {
        ...anyone,
        schema: {
          ...t("notices"),
          summary: "Customer: the portal inbox. Staff: recent notices",
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => {
        const auth = requireAuth(req);
        if (auth.user.kind === "customer")
          return { items: await contracts.scoped(auth, (tx) => inbox(tx, auth.user.customerId!)) };
        const rows = await db
          .selectFrom("notices")
          .selectAll()
          .orderBy("created_at", "desc")
          .limit(200)
          .execute();
        return {
          items: rows.map((n) => ({
            id: n.id,
            kind: n.kind,
            topic: n.topic,
            subject: n.subject,
            article: n.article,
            createdAt: new Date(n.created_at).toISOString(),
          })),
        };
      },
    );
    app.get(
      "/notices/:id",
      {
        ...staff(),
        schema: {
          ...t("notices"),
          summary: "A notice with its delivery result per recipient",
          params: idParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => noticeWithDeliveries(db, req.params.id),
    );
    app.post(
      "/notices",
      {
        ...ops,
        schema: {
          ...t("notices"),
          summary: "Send a notice to one customer (customerId) or an announcement to all customers",
          body: noticeBody,
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        const r = await db.transaction().execute(async (tx) => {
          let ids: string[];
          if (req.body.customerId) {
            const c = await tx
              .selectFrom("customers")
              .select("id")
              .where("id", "=", req.body.customerId)
              .executeTakeFirst();
            if (!c) throw new AppError("not_found", "customer not found");
            ids = [c.id];
          } else {
            ids = (
              await tx
                .selectFrom("contracts")
                .select("customer_id")
                .distinct()
                .where("status", "in", ["active", "suspended", "terminating"])
                .execute()
            ).map((c) => c.customer_id);
          }
          return queueNotice(tx, {
            kind: req.body.customerId ? "notice" : "announcement",
            topic: "manual",
            subject: req.body.subject,
            body: req.body.body,
            article: req.body.article ?? "43",
            recipients: await customerRecipients(tx, ids),
            actor: actorOf(auth),
            at: clock.now(),
          });
        });
        return reply.code(201).send(r);
      },
    );
    app.post(
      "/notices/:id/acknowledge",
      {
        ...customer(),
        schema: {
          ...t("notices"),
          summary: "Acknowledge a notice (portal)",
          params: idParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        await contracts.scoped(auth, (tx) =>
          acknowledge(tx, auth.user.customerId!, req.params.id, auth.user.id, clock.now()),
        );
        return reply.code(204).send(null);
      },
    );

    // --- changes of customer data (Art. 20(4)) ---
    app.post(
      "/customer-changes",
      {
        ...customer(["customer-admin"]),
        schema: {
          ...t("customers"),
          summary: "Submit a change of company data; pending until the provider confirms (Art. 20(4))",
          body: customerChangeBody,
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await contracts.requestCustomerChange(requireAuth(req), req.body)),
    );
    app.get(
      "/customer-changes",
      {
        ...anyone,
        schema: {
          ...t("customers"),
          querystring: z.strictObject({ status: z.enum(["pending", "confirmed", "refused"]).optional() }),
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({
        items: await contracts.listCustomerChanges(requireAuth(req), req.query.status),
      }),
    );
    for (const [verb, confirm] of [
      ["confirm", true],
      ["refuse", false],
    ] as const)
      app.post(
        `/customer-changes/:id/${verb}`,
        {
          ...ops,
          schema: {
            ...t("customers"),
            summary: `${verb} a pending change (Art. 20(4))`,
            params: idParams,
            body: decisionBody,
            response: { 204: z.null(), ...errors },
          },
        },
        async (req, reply) => {
          await contracts.decideCustomerChange(requireAuth(req), req.params.id, confirm, req.body.note);
          return reply.code(204).send(null);
        },
      );
  };
}
