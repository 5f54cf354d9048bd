import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { dateField, monthField, OPTIONS } from "../contracts/schemas.ts";
import { actorOf } from "../contracts/service.ts";
import { AppError } from "../core/errors.ts";
import { authorize, requireAuth } from "../http/auth.ts";
import type { AppContext } from "../http/context.ts";
import { errorSchema } from "../http/errors.ts";
import { idParams } from "../identity/schemas.ts";
import { invoicesCsv } from "./csv.ts";
import { ACCOUNT_TYPES, DirectDebits } from "./debit.ts";
import { renderInvoicePdf } from "./pdf.ts";
import type { BillingService } from "./service.ts";
import { FEE_KINDS, TAX_CATEGORIES, TAX_ROUNDINGS } from "./types.ts";
import { importUsage } from "./usage.ts";
import { parseZenginResult } from "./zengin.ts";

const errors = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  415: errorSchema,
};
const any = z.any();
const yen = z.number().int().min(0).max(1_000_000_000_000);
const RAW_TYPES = ["application/octet-stream", "text/csv", "application/gzip", "text/plain"];
const RAW_LIMIT = 256 * 1024 * 1024;

function rawBody(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new AppError(
      "unsupported_media_type",
      `send the file as the request body with Content-Type ${RAW_TYPES.join(", ")}`,
    );
  return body;
}

const monthParams = z.strictObject({ month: monthField("month") });

/** A bank account as a 全銀 record carries it; names are turned into half-width kana by the service. */
const bankAccount = {
  bankCode: z.string().regex(/^\d{4}$/, "a bank code (金融機関コード) is 4 digits"),
  bankName: z.string().trim().min(1).max(40),
  branchCode: z.string().regex(/^\d{3}$/, "a branch code (支店コード) is 3 digits"),
  branchName: z.string().trim().min(1).max(40),
  accountType: z.enum(ACCOUNT_TYPES),
  accountNumber: z.string().regex(/^\d{1,7}$/, "an account number is up to 7 digits"),
};

export function billingRoutes(ctx: AppContext, billing: BillingService) {
  const { identity } = ctx;
  const staff = (roles?: ("admin" | "operator" | "engineer" | "billing")[]) => ({
    preHandler: authorize({ who: "staff", roles }, identity),
  });
  const anyone = { preHandler: authorize({ who: "any" }, identity) };
  const money = staff(["admin", "billing"]);
  const ops = staff(["admin", "operator", "billing"]);

  return async (fastify: FastifyInstance) => {
    fastify.addContentTypeParser(RAW_TYPES, { parseAs: "buffer", bodyLimit: RAW_LIMIT }, (_req, body, done) =>
      done(null, body),
    );
    const app = fastify.withTypeProvider<ZodTypeProvider>();
    const t = { tags: ["billing"] };

    // --- settings and price book ---
    const settingsSchema = z.strictObject({
      issuerName: z.string().trim().min(1).max(200).optional(),
      registrationNumber: z
        .string()
        .regex(/^T\d{13}$/, "a registration number is T followed by 13 digits")
        .optional(),
      issuerAddress: z.string().trim().min(1).max(300).optional(),
      issuerPhone: z.string().trim().max(40).nullable().optional(),
      bankAccount: z.string().trim().max(200).nullable().optional(),
      taxRounding: z.enum(TAX_ROUNDINGS).optional(),
      dueMonthsAfter: z.number().int().min(0).max(3).optional(),
      invoicePrefix: z
        .string()
        .regex(/^[A-Z]{1,6}$/)
        .optional(),
      debitConsignor: z
        .strictObject({
          consignorCode: z.string().regex(/^\d{10}$/, "委託者コード is 10 digits"),
          consignorName: z.string().trim().min(1).max(40),
          ...bankAccount,
        })
        .nullable()
        .optional(),
    });
    app.get(
      "/billing/settings",
      {
        ...staff(),
        schema: {
          ...t,
          summary: "Issuer and billing policy (qualified invoices, Art. 34)",
          response: { 200: any, ...errors },
        },
      },
      async () => billing.settings(),
    );
    app.patch(
      "/billing/settings",
      {
        ...money,
        schema: {
          ...t,
          summary: "Change the issuer or billing policy",
          body: settingsSchema,
          response: { 200: any, ...errors },
        },
      },
      async (req) => billing.updateSettings(requireAuth(req), req.body),
    );
    app.get(
      "/billing/price-items",
      {
        ...anyone,
        schema: {
          ...t,
          summary: "The price book with dated prices (Art. 29(1), 29(4))",
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async () => ({ items: await billing.priceBook() }),
    );
    app.post(
      "/billing/price-items",
      {
        ...money,
        schema: {
          ...t,
          summary: "Add a price item (fee kind, tax category, first price)",
          body: z.strictObject({
            code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "lower-case letters, digits and -"),
            nameJa: z.string().trim().min(1).max(200),
            nameEn: z.string().trim().min(1).max(200),
            kind: z.enum(FEE_KINDS),
            taxCategory: z.enum(TAX_CATEGORIES),
            appliesTo: z
              .string()
              .regex(/^(plan|option):[a-z0-9-]+$/)
              .nullable()
              .optional(),
            unitPrice: yen,
            from: dateField("from").optional(),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) => reply.code(201).send(await billing.createItem(requireAuth(req), req.body)),
    );
    app.post(
      "/billing/price-items/:code/prices",
      {
        ...money,
        schema: {
          ...t,
          summary: "A new price from a date (never in the past once priced, Art. 29(4))",
          params: z.strictObject({ code: z.string().max(63) }),
          body: z.strictObject({ from: dateField("from"), unitPrice: yen }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await billing.addPrice(requireAuth(req), req.params.code, req.body)),
    );

    // --- runs and invoices ---
    app.post(
      "/billing/runs",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "Run the monthly billing for a month: one invoice per contract and month, exactly once (safe to re-run)",
          body: z.strictObject({ month: monthField("month"), issue: z.boolean().default(false) }),
          response: { 200: any, ...errors },
        },
      },
      async (req) => billing.run(req.body.month, { actor: actorOf(requireAuth(req)), issue: req.body.issue }),
    );
    app.get(
      "/billing/runs",
      {
        ...staff(),
        schema: {
          ...t,
          summary: "Recent billing runs",
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async () => ({ items: await billing.runs() }),
    );
    app.post(
      "/billing/months/:month/issue",
      {
        ...money,
        schema: {
          ...t,
          summary: "Issue every draft of a month (numbers per issuer and year)",
          params: monthParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => ({ issued: await billing.issueMonth(actorOf(requireAuth(req)), req.params.month) }),
    );
    app.get(
      "/billing/months/:month/invoices.csv",
      {
        ...staff(["admin", "billing"]),
        schema: {
          ...t,
          summary:
            "The month's invoices as CSV for accounting software (UTF-8 with BOM; columns in docs/BILLING-FORMATS.md)",
          params: monthParams,
          querystring: z.strictObject({ drafts: z.enum(["true", "false"]).optional() }),
        },
      },
      async (req, reply) => {
        const docs = await billing.documents(req.params.month, req.query.drafts === "true");
        return reply
          .type("text/csv; charset=utf-8")
          .header("content-disposition", `attachment; filename="invoices-${req.params.month}.csv"`)
          .send(invoicesCsv(docs));
      },
    );
    app.get(
      "/invoices",
      {
        ...anyone,
        schema: {
          ...t,
          summary: "Invoices (staff: all; customers: their own issued ones)",
          querystring: z.strictObject({
            month: monthField("month").optional(),
            status: z.enum(["draft", "issued", "void"]).optional(),
            contractId: z.uuid().optional(),
            customerId: z.uuid().optional(),
            number: z.string().trim().min(1).max(40).optional(),
            limit: z.coerce.number().int().min(1).max(500).optional(),
            offset: z.coerce.number().int().min(0).optional(),
          }),
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({ items: await billing.invoices(requireAuth(req), req.query) }),
    );
    app.get(
      "/invoices/:id",
      {
        ...anyone,
        schema: {
          ...t,
          summary: "One invoice: lines with articles, per-rate tax, payments, late fee",
          params: idParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => billing.invoice(requireAuth(req), req.params.id),
    );
    app.get(
      "/invoices/:id/pdf",
      {
        ...anyone,
        schema: {
          ...t,
          summary: "The invoice as a PDF (qualified invoice, Japanese)",
          params: idParams,
          querystring: z.strictObject({ lang: z.enum(["ja", "en"]).optional() }),
        },
      },
      async (req, reply) => {
        const inv = await billing.invoice(requireAuth(req), req.params.id);
        const pdf = await renderInvoicePdf(inv.document, { lang: req.query.lang ?? "ja" });
        const name = inv.document.number ?? `draft-${inv.id.slice(0, 8)}`;
        return reply
          .type("application/pdf")
          .header("content-disposition", `inline; filename="${name}.pdf"`)
          .send(pdf);
      },
    );
    app.post(
      "/invoices/:id/issue",
      {
        ...money,
        schema: {
          ...t,
          summary: "Issue a draft (assigns the next number)",
          params: idParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => billing.issue(requireAuth(req), req.params.id),
    );
    const reasonBody = z.strictObject({ reason: z.string().trim().min(1).max(1000) });
    app.post(
      "/invoices/:id/void",
      {
        ...money,
        schema: {
          ...t,
          summary: "Void an invoice: it keeps its number and records why",
          params: idParams,
          body: reasonBody,
          response: { 200: any, ...errors },
        },
      },
      async (req) => billing.void(requireAuth(req), req.params.id, req.body.reason),
    );
    app.post(
      "/invoices/:id/correct",
      {
        ...money,
        schema: {
          ...t,
          summary: "Void and replace with a corrected invoice that refers to the original",
          params: idParams,
          body: reasonBody,
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await billing.correct(requireAuth(req), req.params.id, req.body.reason)),
    );
    app.post(
      "/invoices/:id/credit-note",
      {
        ...money,
        schema: {
          ...t,
          summary: "A credit note (返還) against an issued invoice",
          params: idParams,
          body: z.strictObject({
            reason: z.string().trim().min(1).max(1000),
            lines: z
              .array(
                z.strictObject({
                  description: z.string().trim().min(1).max(200),
                  amount: yen.min(1),
                  taxCategory: z.enum(TAX_CATEGORIES),
                }),
              )
              .min(1)
              .max(50),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await billing.creditNote(requireAuth(req), req.params.id, req.body)),
    );

    // --- payments ---
    app.post(
      "/payments",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "Record a payment; allocated to the named invoice, then the oldest open ones; the rest stays as credit",
          body: z.strictObject({
            customerId: z.uuid(),
            receivedOn: dateField("receivedOn"),
            amount: yen.min(1),
            method: z.enum(["bank_transfer", "direct_debit", "cash", "other"]),
            reference: z.string().trim().max(200).optional(),
            payerName: z.string().trim().max(200).optional(),
            invoiceId: z.uuid().optional(),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await billing.recordPayment(actorOf(requireAuth(req)), req.body)),
    );
    app.get(
      "/payments",
      {
        ...anyone,
        schema: {
          ...t,
          summary: "Payments with their allocations (customers: their own)",
          querystring: z.strictObject({
            customerId: z.uuid().optional(),
            limit: z.coerce.number().int().min(1).max(500).optional(),
          }),
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({ items: await billing.payments(requireAuth(req), req.query) }),
    );
    app.post(
      "/billing/debit-results",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "Import a 全銀 direct-debit result file (raw body, application/octet-stream): paid → payments; failed → suspension candidate (Art. 21(1)(2))",
          querystring: z.strictObject({
            name: z.string().max(200).optional(),
            year: z.coerce.number().int().min(2000).max(2100).optional(),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(
            await billing.importDebitResult(
              requireAuth(req),
              { bytes: rawBody(req.body), name: req.query.name ?? null, year: req.query.year },
              parseZenginResult,
            ),
          ),
    );
    // --- direct debit (口座振替): mandates and request files ---
    const debits = new DirectDebits(ctx.db, ctx.clock);
    const customerParams = z.strictObject({ id: z.uuid() });
    app.get(
      "/customers/:id/debit-mandate",
      {
        ...anyone,
        schema: {
          ...t,
          summary: "The customer's direct-debit mandate (口座振替依頼書); customers: their own",
          params: customerParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => debits.mandate(requireAuth(req), req.params.id),
    );
    app.put(
      "/customers/:id/debit-mandate",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "Register or change the customer's mandate: the account as the bank has it (names become half-width kana; 漢字 is refused)",
          params: customerParams,
          body: z.strictObject({
            ...bankAccount,
            accountHolder: z.string().trim().min(1).max(60),
            registeredOn: dateField("registeredOn").optional(),
          }),
          response: { 200: any, ...errors },
        },
      },
      async (req) => debits.setMandate(actorOf(requireAuth(req)), req.params.id, req.body),
    );
    app.delete(
      "/customers/:id/debit-mandate",
      {
        ...money,
        schema: {
          ...t,
          summary: "Revoke the mandate: later requests leave the customer's invoices out",
          params: customerParams,
          response: { 200: any, ...errors },
        },
      },
      async (req) => debits.revokeMandate(actorOf(requireAuth(req)), req.params.id),
    );
    app.post(
      "/billing/debit-requests",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "Make the 全銀 request file (振替依頼データ) for a debit date: open invoices due by that month's end, of customers with a mandate, not already awaiting a result (Art. 31). 201 when made, 200 when that date's request exists; the answer holds the first 1,000 items (the rest: GET …/debit-requests/{id}?offset=)",
          body: z.strictObject({ debitDate: dateField("debitDate") }),
          response: { 200: any, 201: any, ...errors },
        },
      },
      async (req, reply) => {
        const r = await debits.createRequest(actorOf(requireAuth(req)), req.body.debitDate);
        return reply.code(r.created ? 201 : 200).send(r.request);
      },
    );
    app.get(
      "/billing/debit-requests",
      {
        ...money,
        schema: {
          ...t,
          summary: "Direct-debit requests, newest debit date first, with their results once imported",
          querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).optional() }),
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({ items: await debits.requests(req.query.limit) }),
    );
    app.get(
      "/billing/debit-requests/:id",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "One request with the invoices it asks for, in record order, a page at a time (limit default 1,000, at most 5,000; `records` is the total)",
          params: idParams,
          querystring: z.strictObject({
            limit: z.coerce.number().int().min(1).max(5000).optional(),
            offset: z.coerce.number().int().min(0).optional(),
          }),
          response: { 200: any, ...errors },
        },
      },
      async (req) => debits.request(req.params.id, undefined, req.query),
    );
    app.get(
      "/billing/debit-requests/:id/file",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "The request file as sent to the bank: 全銀 fixed-length 120-byte records, JIS 8-bit, CR LF",
          params: idParams,
        },
      },
      async (req, reply) => {
        const f = await debits.requestFile(req.params.id);
        return reply
          .type("application/octet-stream")
          .header("content-disposition", `attachment; filename="${f.fileName}"`)
          .send(f.bytes);
      },
    );
    app.post(
      "/billing/usage-imports",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "Import cloud usage (AWS CUR CSV or .csv.gz, or the generic CSV) as monthly usage fees (Art. 29(1)(3)); raw body",
          querystring: z.strictObject({
            format: z.enum(["aws-cur", "generic"]),
            rate: z
              .string()
              .regex(/^\d+(\.\d+)?$/, "rate is JPY per unit of the file's currency, e.g. 151.23")
              .optional(),
            name: z.string().max(200).optional(),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(
          await importUsage(ctx.db, billing, actorOf(requireAuth(req)), {
            format: req.query.format,
            bytes: rawBody(req.body),
            rate: req.query.rate,
            name: req.query.name,
          }),
        ),
    );
    app.get(
      "/billing/overdue",
      {
        ...ops,
        schema: {
          ...t,
          summary:
            "Invoices unpaid past their due date, with the late fee accrued so far (Art. 33) and suspension candidacy (Art. 21(1)(1))",
          querystring: z.strictObject({ asOf: dateField("asOf").optional() }),
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({ items: await billing.overdue(req.query.asOf) }),
    );

    // --- per contract ---
    app.get(
      "/contracts/:id/billing",
      {
        ...anyone,
        schema: {
          ...t,
          summary:
            "A contract's charges for a month, SLA credit, damages cap (Art. 39), unavailability periods",
          params: idParams,
          querystring: z.strictObject({ month: monthField("month").optional() }),
          response: { 200: any, ...errors },
        },
      },
      async (req) => billing.contractBilling(requireAuth(req), req.params.id, req.query.month),
    );
    app.get(
      "/contracts/:id/charges",
      {
        ...anyone,
        schema: {
          ...t,
          summary: "One-off charges of a contract (pending and invoiced)",
          params: idParams,
          response: { 200: z.object({ items: z.array(any) }), ...errors },
        },
      },
      async (req) => ({ items: await billing.pendingCharges(requireAuth(req), req.params.id) }),
    );
    app.post(
      "/contracts/:id/charges",
      {
        ...ops,
        schema: {
          ...t,
          summary: "Bill catalogue work or other fees (その他費用, Art. 29(1)(5)) on the next invoice",
          params: idParams,
          body: z.strictObject({
            itemCode: z.string().max(63),
            quantity: z.number().int().min(1).max(10_000).default(1),
            month: monthField("month").optional(),
            description: z.string().trim().min(1).max(200).optional(),
            note: z.string().trim().max(1000).optional(),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req);
        const items = await billing.priceBook();
        const item = items.find((i) => i.code === req.body.itemCode);
        if (!item) throw new AppError("not_found", `price item ${req.body.itemCode} not found`);
        if (item.kind !== "other")
          throw new AppError(
            "validation_failed",
            `${item.code} is a ${item.kind} fee; only "other" items are billed one by one`,
            {
              article: "29(1)",
            },
          );
        if (item.currentPrice === null)
          throw new AppError("conflict", `${item.code} has no price in effect today`);
        const row = await billing.addCharge(actorOf(auth), req.params.id, {
          month: req.body.month ?? billing.today().slice(0, 7),
          kind: "other",
          itemCode: item.code,
          description: req.body.description ?? item.nameJa,
          taxCategory: item.taxCategory,
          quantity: req.body.quantity,
          unitPrice: item.currentPrice,
          article: "29(1)",
          note:
            req.body.note ??
            `${item.nameEn} × ${req.body.quantity} at ${item.currentPrice} yen (price book), Art. 29(1)(5).`,
        });
        return reply.code(201).send(row);
      },
    );
    app.post(
      "/contracts/:id/special-fees",
      {
        ...money,
        schema: {
          ...t,
          summary:
            "Special fee (特別利用料金): twice the fees unlawfully evaded, on the next invoice (Art. 32)",
          params: idParams,
          body: z.strictObject({
            evaded: yen.min(1),
            note: z.string().trim().min(1).max(1000),
            includeEvaded: z.boolean().default(true),
            month: monthField("month").optional(),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await billing.addSpecialFee(requireAuth(req), req.params.id, req.body)),
    );
    const instant = z.iso.datetime({ offset: true });
    app.post(
      "/contracts/:id/unavailability",
      {
        ...staff(["admin", "operator", "engineer", "billing"]),
        schema: {
          ...t,
          summary:
            "Record an unavailability period, awareness → restoration, with its attribution (Art. 30(4), 36)",
          params: idParams,
          body: z.strictObject({
            startedAt: instant,
            endedAt: instant,
            attribution: z.enum(["provider", "customer", "carrier", "cloud"]),
            cause: z.enum(["emergency_stop", "interruption", "abolition", "failure"]),
            note: z.string().trim().max(1000).optional(),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await billing.addUnavailability(requireAuth(req), req.params.id, req.body)),
    );
    app.post(
      "/contracts/:id/late-start",
      {
        ...ops,
        schema: {
          ...t,
          summary:
            "Record a late start: the agreed start was missed; for the provider's reasons the service period is extended by the days lost, nothing refunded (Art. 36(2)); a carrier's fault extends nothing (36(3))",
          params: idParams,
          body: z.strictObject({
            plannedOn: dateField("plannedOn"),
            startedOn: dateField("startedOn"),
            attribution: z.enum(["provider", "carrier"]),
            note: z.string().trim().max(1000).optional(),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await billing.recordLateStart(requireAuth(req), req.params.id, req.body)),
    );
    app.post(
      "/contracts/:id/options/:option/cancel",
      {
        ...anyone,
        schema: {
          ...t,
          summary:
            "Cancel an option: its fee stops from the notice's arrival, nothing refunded (Art. 11). Staff may enter a paper notice's arrival date.",
          params: z.strictObject({ id: z.uuid(), option: z.enum(OPTIONS) }),
          body: z.strictObject({ receivedOn: dateField("receivedOn").optional() }).default({}),
          response: { 200: any, ...errors },
        },
      },
      async (req) => {
        const auth = requireAuth(req);
        if (auth.user.kind === "customer" && auth.user.role !== "customer-admin")
          throw new AppError("forbidden", "needs the customer-admin role");
        if (auth.user.kind === "customer" && req.body.receivedOn)
          throw new AppError(
            "validation_failed",
            "the arrival date of a portal notice is today; only staff enter paper dates",
          );
        return billing.cancelOption(auth, req.params.id, req.params.option, req.body.receivedOn);
      },
    );
    app.post(
      "/contracts/:id/cloud-accounts",
      {
        ...ops,
        schema: {
          ...t,
          summary: "Link a cloud account to a contract for the usage pass-through",
          params: idParams,
          body: z.strictObject({
            provider: z.string().regex(/^[a-z0-9-]{2,20}$/),
            accountId: z.string().trim().min(1).max(100),
          }),
          response: { 201: any, ...errors },
        },
      },
      async (req, reply) =>
        reply.code(201).send(await billing.linkCloudAccount(requireAuth(req), req.params.id, req.body)),
    );
    app.get(
      "/contracts/:id/cloud-accounts",
      {
        ...staff(),
        schema: { ...t, params: idParams, response: { 200: z.object({ items: z.array(any) }), ...errors } },
      },
      async (req) => ({ items: await billing.cloudAccounts(req.params.id) }),
    );
  };
}
