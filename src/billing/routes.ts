import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { AppError } from "../core/errors.ts";
import { booleanQuery, dateField, idParams, monthField } from "../core/schemas.ts";
import { pageFields, pageOf, pageQuery, sortField } from "../db/page.ts";
import type { AppContext } from "../http/context.ts";
import { file, route, withStatus } from "../http/route.ts";
import { actorOf } from "../identity/actor.ts";
import { catalogue } from "./catalogue.ts";
import { addSpecialFee, addWorkCharge, cloudAccounts, contractCharges, linkCloudAccount } from "./charges.ts";
import { invoicesCsv } from "./csv.ts";
import { importDebitResult } from "./debit-results.ts";
import {
  createRequest,
  mandate,
  request,
  requestFile,
  requests,
  revokeMandate,
  setMandate,
} from "./debits.ts";
import { invoicePdf, keptDocuments, keptPdf, type PdfAnswer } from "./documents.ts";
import { documents, invoice, invoices } from "./invoice-queries.ts";
import { correct, creditNote, issue, issueMonth, voidInvoice } from "./issue.ts";
import { overdue } from "./overdue.ts";
import { payments, recordPayment } from "./payments.ts";
import { addPrice, createItem, priceBook } from "./price-book.ts";
import { getRun, listRuns, requestRun } from "./runs.ts";
import {
  catalogueSchema,
  chargeCreated,
  chargeSchema,
  cloudAccountBody,
  cloudAccountSchema,
  contractBillingSchema,
  createItemBody,
  creditNoteBody,
  debitRequestSchema,
  debitRequestSummarySchema,
  debitResultSchema,
  invoiceDetailSchema,
  invoiceRowSchema,
  invoicesQuery,
  keptDocumentParams,
  keptDocumentSchema,
  langQuery,
  mandateBody,
  mandateSchema,
  OVERDUE_SORTS,
  overdueRowSchema,
  paymentBody,
  paymentSchema,
  priceAnswer,
  priceBody,
  priceItemSchema,
  reasonBody,
  runBody,
  runSchema,
  settingsPatch,
  settingsSchema,
  specialFeeAnswer,
  specialFeeBody,
  unavailabilityBody,
  usageImportSchema,
  workChargeBody,
} from "./schemas.ts";
import { billingSettings, changeBillingSettings } from "./settings.ts";
import { addUnavailability, contractBilling } from "./sla.ts";
import { importUsage } from "./usage.ts";
import { parseZenginResult } from "./zengin.ts";

const RAW_TYPES = ["application/octet-stream", "text/csv", "application/gzip", "text/plain"];
const RAW_LIMIT = 256 * 1024 * 1024;

/** Imports take the file's bytes as the request body. */
export function acceptRawFiles(fastify: FastifyInstance) {
  fastify.addContentTypeParser(RAW_TYPES, { parseAs: "buffer", bodyLimit: RAW_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
}

export function rawBody(body: unknown): Buffer {
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new AppError(
      "unsupported_media_type",
      `send the file as the request body with Content-Type ${RAW_TYPES.join(", ")}`,
    );
  return body;
}

const staff = { who: "staff" } as const;
const money = { who: "staff", roles: ["admin", "billing"] } as const;
const ops = { who: "staff", roles: ["admin", "operator", "billing"] } as const;
const monthParams = z.strictObject({ month: monthField("month") });
const customerParams = z.strictObject({ id: z.uuid() });

/** Billing's settings, price book, runs and invoices (Art. 29, 31, 34). */
export function billingRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/billing/settings",
      summary: "Issuer and billing policy (qualified invoices, Art. 34; due dates, Art. 31(3))",
      policy: staff,
      response: settingsSchema,
      handler: () => billingSettings(ctx.db),
    }),
    route({
      method: "PATCH",
      url: "/billing/settings",
      summary: "Change the issuer or billing policy",
      policy: money,
      body: settingsPatch,
      response: settingsSchema,
      handler: ({ auth, body }) => changeBillingSettings(ctx, auth, body),
    }),
    route({
      method: "GET",
      url: "/billing/price-items",
      summary: "The price book with dated prices (Art. 29(1), 29(4))",
      policy: { who: "any" },
      query: pageQuery,
      response: pageOf(priceItemSchema),
      handler: ({ query }) => priceBook(ctx, query),
    }),
    route({
      method: "GET",
      url: "/catalogue",
      summary:
        "What an applicant sees: plans, options and per-server prices in effect today (Art. 29(1)), the terms version in force and the privacy notice's version to consent to (Art. 15)",
      policy: "public",
      response: catalogueSchema,
      handler: () => catalogue(ctx),
    }),
    route({
      method: "POST",
      url: "/billing/price-items",
      summary: "Add a price item (fee kind, tax category, first price)",
      policy: money,
      body: createItemBody,
      status: 201,
      response: z.object({ code: z.string() }),
      handler: ({ auth, body }) => createItem(ctx, auth, body),
    }),
    route({
      method: "POST",
      url: "/billing/price-items/:code/prices",
      summary: "A new price from a date (never in the past once priced, Art. 29(4))",
      policy: money,
      params: z.strictObject({ code: z.string().max(63) }),
      body: priceBody,
      status: 201,
      response: priceAnswer,
      handler: ({ auth, params, body }) => addPrice(ctx, auth, params.code, body),
    }),
    route({
      method: "POST",
      url: "/billing/runs",
      summary:
        "Queue the monthly billing run for a month: one invoice per contract and month, exactly once (safe to re-run). Answers 202 with the run; follow its progress at GET /billing/runs/{id}",
      policy: money,
      body: runBody,
      status: 202,
      response: runSchema,
      handler: ({ auth, body }) => requestRun(ctx, actorOf(auth), body.month, body.issue),
    }),
    route({
      method: "GET",
      url: "/billing/runs",
      summary: "Recent billing runs",
      policy: staff,
      query: pageQuery,
      response: pageOf(runSchema),
      handler: ({ query }) => listRuns(ctx, query),
    }),
    route({
      method: "GET",
      url: "/billing/runs/:id",
      summary: "One billing run: status, progress (scanned of total), counts",
      policy: staff,
      params: idParams,
      response: runSchema,
      handler: ({ params }) => getRun(ctx, params.id),
    }),
    route({
      method: "POST",
      url: "/billing/months/:month/issue",
      summary:
        "Issue every draft of a month (numbers per issuer and year; due dates stated at issue, Art. 31(3))",
      policy: money,
      params: monthParams,
      response: z.object({ issued: z.number().int() }),
      handler: async ({ auth, params }) => ({ issued: await issueMonth(ctx, actorOf(auth), params.month) }),
    }),
    route({
      method: "GET",
      url: "/billing/months/:month/invoices.csv",
      summary:
        "The month's invoices as CSV for accounting software (UTF-8 with BOM; columns in docs/BILLING-FORMATS.md)",
      policy: money,
      params: monthParams,
      query: z.strictObject({ drafts: z.enum(["true", "false"]).optional() }),
      response: null,
      produces: "text/csv",
      handler: async ({ params, query }) =>
        file({
          body: invoicesCsv(await documents(ctx, params.month, query.drafts === "true")),
          contentType: "text/csv; charset=utf-8",
          fileName: `invoices-${params.month}.csv`,
          disposition: "attachment",
        }),
    }),
    route({
      method: "GET",
      url: "/invoices",
      summary: "Invoices (staff: all; customers: their own issued ones)",
      policy: { who: "any" },
      query: invoicesQuery,
      response: pageOf(invoiceRowSchema),
      handler: ({ auth, query }) => invoices(ctx, auth, query),
    }),
    route({
      method: "GET",
      url: "/invoices/:id",
      summary: "One invoice: lines with articles, per-rate tax, payments, late fee",
      policy: { who: "any" },
      params: idParams,
      response: invoiceDetailSchema,
      handler: ({ auth, params }) => invoice(ctx, auth, params.id),
    }),
    route({
      method: "GET",
      url: "/invoices/:id/pdf",
      summary:
        "The invoice as a PDF (Japanese; ?lang=en wholly in English). Issued: the kept bytes (電子帳簿保存法), with their SHA-256 in X-Content-SHA256; draft or void: rendered as it stands",
      policy: { who: "any" },
      params: idParams,
      query: langQuery,
      response: null,
      produces: "application/pdf",
      handler: async ({ auth, params, query }) =>
        pdfFile(await invoicePdf(ctx, auth, params.id, query.lang ?? "ja")),
    }),
    route({
      method: "GET",
      url: "/invoices/:id/documents",
      summary: "The documents kept of an invoice as issued: language, SHA-256, size, when kept",
      policy: { who: "any" },
      params: idParams,
      response: z.array(keptDocumentSchema),
      handler: ({ auth, params }) => keptDocuments(ctx, auth, params.id),
    }),
    route({
      method: "GET",
      url: "/invoices/:id/documents/:lang",
      summary: "A kept document's bytes, exactly as issued (also after the invoice was voided)",
      policy: { who: "any" },
      params: keptDocumentParams,
      response: null,
      produces: "application/pdf",
      handler: async ({ auth, params }) => pdfFile(await keptPdf(ctx, auth, params.id, params.lang)),
    }),
    route({
      method: "POST",
      url: "/invoices/:id/issue",
      summary: "Issue a draft (assigns the next number and states the due date, Art. 31(3))",
      policy: money,
      params: idParams,
      response: invoiceDetailSchema,
      handler: ({ auth, params }) => issue(ctx, auth, params.id),
    }),
    route({
      method: "POST",
      url: "/invoices/:id/void",
      summary: "Void an invoice: it keeps its number and records why",
      policy: money,
      params: idParams,
      body: reasonBody,
      response: invoiceDetailSchema,
      handler: ({ auth, params, body }) => voidInvoice(ctx, auth, params.id, body.reason),
    }),
    route({
      method: "POST",
      url: "/invoices/:id/correct",
      idempotent: true,
      summary: "Void and replace with a corrected invoice that refers to the original",
      policy: money,
      params: idParams,
      body: reasonBody,
      status: 201,
      response: invoiceDetailSchema,
      handler: ({ auth, params, body }) => correct(ctx, auth, params.id, body.reason),
    }),
    route({
      method: "POST",
      url: "/invoices/:id/credit-note",
      idempotent: true,
      summary: "A credit note (返還) against an issued invoice",
      policy: money,
      params: idParams,
      body: creditNoteBody,
      status: 201,
      response: invoiceDetailSchema,
      handler: ({ auth, params, body }) => creditNote(ctx, auth, params.id, body),
    }),
  ];
}

const pdfFile = (a: PdfAnswer) =>
  file({
    body: a.bytes,
    contentType: "application/pdf",
    fileName: a.fileName,
    disposition: "inline",
    ...(a.sha256 ? { headers: { "x-content-sha256": a.sha256, etag: `"${a.sha256}"` } } : {}),
  });

/** Payments, direct debit, imports and the overdue list (Art. 21(1), 29(1)(3), 30, 31, 33). */
export function paymentRoutes(ctx: AppContext) {
  return [
    route({
      method: "POST",
      url: "/payments",
      idempotent: true,
      summary:
        "Record a payment; allocated to the named invoice, then the oldest open ones; the rest stays as credit",
      policy: money,
      body: paymentBody,
      status: 201,
      response: paymentSchema,
      handler: ({ auth, body }) => recordPayment(ctx, actorOf(auth), body),
    }),
    route({
      method: "GET",
      url: "/payments",
      summary: "Payments with their allocations (customers: their own)",
      policy: { who: "any" },
      query: z.strictObject({
        customerId: z.uuid().optional(),
        unallocated: booleanQuery.optional().meta({
          description: "true: only payments with money not yet allocated; false: only those fully allocated",
        }),
        q: z
          .string()
          .trim()
          .min(1)
          .max(100)
          .optional()
          .meta({ description: "Part of the payer's name or the reference" }),
        ...pageFields,
      }),
      response: pageOf(paymentSchema),
      handler: ({ auth, query }) => payments(ctx, auth, query),
    }),
    route({
      method: "POST",
      url: "/billing/debit-results",
      idempotent: true,
      summary:
        "Import a 全銀 direct-debit result file (raw body, application/octet-stream): paid → payments; failed → suspension candidate (Art. 21(1)(2))",
      policy: money,
      query: z.strictObject({
        name: z.string().max(200).optional(),
        year: z.coerce.number().int().min(2000).max(2100).optional(),
      }),
      status: 201,
      response: debitResultSchema,
      handler: ({ auth, query, req }) =>
        importDebitResult(
          ctx,
          actorOf(auth),
          { bytes: rawBody(req.body), name: query.name ?? null, year: query.year },
          parseZenginResult,
        ),
    }),
    route({
      method: "GET",
      url: "/customers/:id/debit-mandate",
      summary: "The customer's direct-debit mandate (口座振替依頼書); customers: their own",
      tags: ["billing"],
      policy: { who: "any" },
      params: customerParams,
      response: mandateSchema,
      handler: ({ auth, params }) => mandate(ctx, auth, params.id),
    }),
    route({
      method: "PUT",
      url: "/customers/:id/debit-mandate",
      summary:
        "Register or change the customer's mandate: the account as the bank has it (names become half-width kana; 漢字 is refused)",
      policy: money,
      params: customerParams,
      body: mandateBody,
      response: mandateSchema,
      handler: ({ auth, params, body }) => setMandate(ctx, actorOf(auth), params.id, body),
    }),
    route({
      method: "DELETE",
      url: "/customers/:id/debit-mandate",
      summary: "Revoke the mandate: later requests leave the customer's invoices out",
      policy: money,
      params: customerParams,
      response: mandateSchema,
      handler: ({ auth, params }) => revokeMandate(ctx, actorOf(auth), params.id),
    }),
    route({
      method: "POST",
      url: "/billing/debit-requests",
      summary:
        "Make the 全銀 request file (振替依頼データ) for a debit date: open invoices due by that month's end, of customers with a mandate, not already awaiting a result (Art. 31). 201 when made, 200 when that date's request exists; the answer holds the first 1,000 items (the rest: GET …/debit-requests/{id}?offset=)",
      policy: money,
      body: z.strictObject({ debitDate: dateField("debitDate") }),
      status: 201,
      alsoStatus: [200],
      response: debitRequestSchema,
      handler: async ({ auth, body }) => {
        const r = await createRequest(ctx, actorOf(auth), body.debitDate);
        return r.created ? r.request : withStatus(200, r.request);
      },
    }),
    route({
      method: "GET",
      url: "/billing/debit-requests",
      summary: "Direct-debit requests, newest debit date first, with their results once imported",
      policy: money,
      query: pageQuery,
      response: pageOf(debitRequestSummarySchema),
      handler: ({ query }) => requests(ctx.db, query),
    }),
    route({
      method: "GET",
      url: "/billing/debit-requests/:id",
      summary:
        "One request with the invoices it asks for, in record order, a page at a time (limit default 1,000, at most 5,000; `records` is the total)",
      policy: money,
      params: idParams,
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(5000).optional(),
        offset: z.coerce.number().int().min(0).optional(),
      }),
      response: debitRequestSchema,
      handler: ({ params, query }) => request(ctx.db, params.id, query),
    }),
    route({
      method: "GET",
      url: "/billing/debit-requests/:id/file",
      summary: "The request file as sent to the bank: 全銀 fixed-length 120-byte records, JIS 8-bit, CR LF",
      policy: money,
      params: idParams,
      response: null,
      produces: "application/octet-stream",
      handler: async ({ params }) => {
        const f = await requestFile(ctx.db, params.id);
        return file({
          body: f.bytes,
          contentType: "application/octet-stream",
          fileName: f.fileName,
          disposition: "attachment",
        });
      },
    }),
    route({
      method: "POST",
      url: "/billing/usage-imports",
      idempotent: true,
      summary:
        "Import cloud usage (AWS CUR CSV or .csv.gz, or the generic CSV) as monthly usage fees (Art. 29(1)(3)); raw body",
      policy: money,
      query: z.strictObject({
        format: z.enum(["aws-cur", "generic"]),
        rate: z
          .string()
          .regex(/^\d+(\.\d+)?$/, "rate is JPY per unit of the file's currency, e.g. 151.23")
          .optional(),
        name: z.string().max(200).optional(),
      }),
      status: 201,
      response: usageImportSchema,
      handler: ({ auth, query, req }) =>
        importUsage(ctx, actorOf(auth), {
          format: query.format,
          bytes: rawBody(req.body),
          rate: query.rate,
          name: query.name,
        }),
    }),
    route({
      method: "GET",
      url: "/billing/overdue",
      summary:
        "Invoices unpaid past their due date, with the late fee accrued so far (Art. 33) and suspension candidacy (Art. 21(1)(1))",
      policy: ops,
      query: z.strictObject({
        asOf: dateField("asOf").optional(),
        q: z.string().trim().min(1).max(100).optional().meta({
          description: "Part of the invoice number or of the customer's name",
        }),
        sort: sortField(OVERDUE_SORTS, "due"),
        ...pageFields,
      }),
      response: pageOf(overdueRowSchema),
      handler: ({ query }) => overdue(ctx, query.asOf, query),
    }),
  ];
}

/** A contract's money: charges, SLA and damages cap, special fees, cloud accounts (Art. 29, 32, 36, 39). */
export function contractBillingRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/contracts/:id/billing",
      summary: "A contract's charges for a month, SLA credit, damages cap (Art. 39), unavailability periods",
      tags: ["billing"],
      policy: { who: "any" },
      params: idParams,
      query: z.strictObject({ month: monthField("month").optional() }),
      response: contractBillingSchema,
      handler: ({ auth, params, query }) => contractBilling(ctx, auth, params.id, query.month),
    }),
    route({
      method: "GET",
      url: "/contracts/:id/charges",
      summary: "One-off charges of a contract (pending and invoiced)",
      policy: { who: "any" },
      params: idParams,
      query: pageQuery,
      response: pageOf(chargeSchema),
      handler: ({ auth, params, query }) => contractCharges(ctx, auth, params.id, query),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/charges",
      idempotent: true,
      summary: "Bill catalogue work or other fees (その他費用, Art. 29(1)(5)) on the next invoice",
      policy: ops,
      params: idParams,
      body: workChargeBody,
      status: 201,
      response: chargeCreated,
      handler: ({ auth, params, body }) => addWorkCharge(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/special-fees",
      idempotent: true,
      summary: "Special fee (特別利用料金): twice the fees unlawfully evaded, on the next invoice (Art. 32)",
      policy: money,
      params: idParams,
      body: specialFeeBody,
      status: 201,
      response: specialFeeAnswer,
      handler: ({ auth, params, body }) => addSpecialFee(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/unavailability",
      idempotent: true,
      summary:
        "Record an unavailability period, awareness → restoration, with its attribution (Art. 30(4), 36)",
      policy: { who: "staff", roles: ["admin", "operator", "engineer", "billing"] },
      params: idParams,
      body: unavailabilityBody,
      status: 201,
      response: z.object({ id: z.uuid() }),
      handler: ({ auth, params, body }) => addUnavailability(ctx, auth, params.id, body),
    }),
    route({
      method: "POST",
      url: "/contracts/:id/cloud-accounts",
      summary: "Link a cloud account to a contract for the usage pass-through",
      policy: ops,
      params: idParams,
      body: cloudAccountBody,
      status: 201,
      response: cloudAccountSchema.extend({ contractId: z.uuid() }),
      handler: ({ auth, params, body }) => linkCloudAccount(ctx, auth, params.id, body),
    }),
    route({
      method: "GET",
      url: "/contracts/:id/cloud-accounts",
      summary: "The cloud accounts linked to a contract",
      policy: staff,
      params: idParams,
      query: pageQuery,
      response: pageOf(cloudAccountSchema),
      handler: ({ params, query }) => cloudAccounts(ctx, params.id, query),
    }),
  ];
}
