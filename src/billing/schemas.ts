/**
 * Billing's requests and answers (zod). The answers' types (`InvoiceDetail`, `RunView`, …) are
 * inferred from these schemas, and so is what the OpenAPI document says of every billing route.
 */

import { z } from "zod";
import { OPTIONS } from "../contracts/schemas.ts";
import { CANDIDACY_REASONS } from "../contracts/states.ts";
import {
  basisList,
  dateField,
  explained,
  instant,
  instantField,
  isoDate,
  isoMonth,
  monthField,
  signedYen,
  yen,
} from "../core/schemas.ts";
import { pageFields, sortField } from "../db/page.ts";
import { ATTRIBUTIONS } from "./rules.ts";
import {
  ACCOUNT_TYPES,
  FEE_KINDS,
  INVOICE_KINDS,
  INVOICE_STATUSES,
  MANDATE_STATUSES,
  PAYMENT_METHODS,
  RUN_STATUSES,
  TAX_CATEGORIES,
  TAX_ROUNDINGS,
  UNAVAILABILITY_CAUSES,
} from "./types.ts";

// ---- documents -------------------------------------------------------------------------------------

export const chargeLineSchema = z
  .object({
    itemCode: z.string().nullable(),
    description: z.string().describe("What is charged, in Japanese (the document's language)"),
    descriptionEn: z
      .string()
      .nullable()
      .describe("The same in English where the system words it; null for someone's own words or older lines"),
    kind: z.enum([...FEE_KINDS, "credit", "late-fee", "special-fee"]),
    taxCategory: z.enum(TAX_CATEGORIES),
    quantity: z.number().int(),
    unitPrice: signedYen,
    amount: signedYen,
    article: z.string(),
    note: z.string(),
    noteJa: z
      .string()
      .nullable()
      .describe("The note in Japanese; null on lines written before notes had one"),
  })
  .meta({ id: "ChargeLine" });

const rateTotal = z.object({ category: z.enum(TAX_CATEGORIES), net: signedYen, tax: signedYen });

export const invoiceDocumentSchema = z
  .object({
    number: z.string().nullable(),
    status: z.enum(INVOICE_STATUSES),
    kind: z.enum(INVOICE_KINDS),
    refersTo: z.string().nullable(),
    refersToIssueDate: isoDate.nullable().optional(),
    correctionReason: z.string().nullable().optional(),
    replacedBy: z.string().nullable().optional(),
    creditedBy: z.array(z.string()).optional(),
    voidedOn: isoDate.nullable().optional(),
    creditReason: z.string().nullable().optional(),
    returnDate: isoDate.nullable().optional(),
    month: isoMonth,
    issueDate: isoDate.nullable(),
    /** The due date stated on the invoice (Art. 31(3)). */
    dueDate: isoDate,
    periodStart: isoDate,
    periodEnd: isoDate,
    issuer: z.object({
      name: z.string(),
      registrationNumber: z.string(),
      address: z.string(),
      phone: z.string().optional(),
      bankAccount: z.string().optional(),
    }),
    recipient: z.object({
      name: z.string(),
      address: z.string().nullable(),
      customerNumber: z.string(),
      contractNumber: z.string(),
    }),
    lines: z.array(chargeLineSchema),
    totals: z.object({ byRate: z.array(rateTotal), net: signedYen, tax: signedYen, total: signedYen }),
    taxRounding: z.enum(TAX_ROUNDINGS),
    voidReason: z.string().nullable().optional(),
    basis: basisList,
  })
  .meta({ id: "InvoiceDocument" });

const lateFeeSchema = explained(
  z.object({
    fee: yen,
    unpaid: yen,
    settled: z.boolean(),
    segments: z.array(
      z.object({ amount: yen, from: isoDate, to: isoDate, days: z.number().int(), paid: z.boolean() }),
    ),
  }),
);

export const invoiceDetailSchema = z
  .object({
    id: z.uuid(),
    contractId: z.uuid(),
    customerId: z.uuid(),
    document: invoiceDocumentSchema,
    /** Settled so far: money allocated plus what issued credit notes returned (creditedAmount). */
    paidAmount: yen,
    /** What issued credit notes against this invoice returned (適格返還請求書); part of paidAmount. */
    creditedAmount: yen.optional(),
    paidOn: isoDate.nullable(),
    balance: signedYen,
    overdue: z.boolean(),
    payments: z.array(z.object({ paymentId: z.uuid(), amount: yen, receivedOn: isoDate })),
    /** Accrued so far while overdue, or what was billed once settled (Art. 33). */
    lateFee: lateFeeSchema.nullable(),
    lateFeeCharged: z.boolean(),
  })
  .meta({ id: "Invoice" });
export type InvoiceDetail = z.infer<typeof invoiceDetailSchema>;

export const invoiceRowSchema = z
  .object({
    id: z.uuid(),
    number: z.string().nullable(),
    month: isoMonth,
    kind: z.enum(INVOICE_KINDS),
    status: z.enum(INVOICE_STATUSES),
    issueDate: isoDate.nullable(),
    dueDate: isoDate,
    total: signedYen,
    paidAmount: yen,
    balance: signedYen,
    paidOn: isoDate.nullable(),
    overdue: z.boolean(),
    customerId: z.uuid(),
    contractId: z.uuid(),
    contractNumber: z.string().nullable(),
    recipientName: z.string().nullable(),
  })
  .meta({ id: "InvoiceRow" });
export type InvoiceRow = z.infer<typeof invoiceRowSchema>;

/** The orders of the overdue list (`?sort=`): by due date, by the balance owed, by customer. */
export const OVERDUE_SORTS = ["due", "balance", "customer"] as const;
export type OverdueSort = (typeof OVERDUE_SORTS)[number];

/** The orders of the invoices list (`?sort=`). */
export const INVOICE_SORTS = ["month", "number", "customer", "due", "total"] as const;
export type InvoiceSort = (typeof INVOICE_SORTS)[number];

export const invoicesQuery = z.strictObject({
  month: monthField("month").optional(),
  status: z.enum(INVOICE_STATUSES).optional(),
  contractId: z.uuid().optional(),
  customerId: z.uuid().optional(),
  number: z.string().trim().min(1).max(40).optional(),
  kind: z.enum(INVOICE_KINDS).optional(),
  /** 電子帳簿保存法 search: issue date range, total range (yen, tax incl.; credit notes are negative), counterparty. */
  issuedFrom: dateField("issuedFrom").optional(),
  issuedTo: dateField("issuedTo").optional(),
  totalMin: z.coerce.number().int().min(-1e12).max(1e12).optional(),
  totalMax: z.coerce.number().int().min(-1e12).max(1e12).optional(),
  counterparty: z.string().trim().min(1).max(100).optional(),
  sort: sortField(INVOICE_SORTS, "-month"),
  ...pageFields,
});

export const langQuery = z.strictObject({ lang: z.enum(["ja", "en"]).optional() });
export const keptDocumentParams = z.strictObject({ id: z.uuid(), lang: z.enum(["ja", "en"]) });
export const keptDocumentSchema = z
  .object({ lang: z.enum(["ja", "en"]), sha256: z.string(), size: z.number().int(), keptAt: z.string() })
  .meta({ id: "KeptDocument" });

export const reasonBody = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

export const creditNoteBody = z.strictObject({
  reason: z.string().trim().min(1).max(1000),
  /** The day the money is returned (適格返還請求書: 返還を行う年月日); today when absent. */
  returnDate: dateField("returnDate").optional(),
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
});

// ---- settings and price book ---------------------------------------------------------------------

/** A bank account as a 全銀 record carries it; names are turned into half-width kana by the service. */
const bankAccount = {
  bankCode: z.string().regex(/^\d{4}$/, "a bank code (金融機関コード) is 4 digits"),
  bankName: z.string().trim().min(1).max(40),
  branchCode: z.string().regex(/^\d{3}$/, "a branch code (支店コード) is 3 digits"),
  branchName: z.string().trim().min(1).max(40),
  accountType: z.enum(ACCOUNT_TYPES),
  accountNumber: z.string().regex(/^\d{1,7}$/, "an account number is up to 7 digits"),
};

/** A bank account as stored: names already in 全銀 half-width kana. */
const bankAccountView = {
  bankCode: z.string(),
  bankName: z.string(),
  branchCode: z.string(),
  branchName: z.string(),
  accountType: z.enum(ACCOUNT_TYPES),
  accountNumber: z.string(),
};

const consignor = z.object({ consignorCode: z.string(), consignorName: z.string(), ...bankAccountView });

export const settingsSchema = z
  .object({
    issuerName: z.string(),
    registrationNumber: z.string(),
    issuerAddress: z.string(),
    issuerPhone: z.string().nullable(),
    bankAccount: z.string().nullable(),
    taxRounding: z.enum(TAX_ROUNDINGS),
    dueMonthsAfter: z.number().int(),
    /** The shortest time from issue to the due date stated on an invoice (Art. 31(3)). */
    minPaymentDays: z.number().int(),
    invoicePrefix: z.string(),
    debitConsignor: consignor.nullable(),
  })
  .meta({ id: "BillingSettings" });

export const settingsPatch = z.strictObject({
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
  minPaymentDays: z.number().int().min(0).max(60).optional(),
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

export const priceItemSchema = z
  .object({
    code: z.string(),
    nameJa: z.string(),
    nameEn: z.string(),
    kind: z.enum(FEE_KINDS),
    taxCategory: z.enum(TAX_CATEGORIES),
    appliesTo: z.string().nullable(),
    active: z.boolean(),
    currentPrice: yen.nullable(),
    prices: z.array(z.object({ from: isoDate, unitPrice: yen })),
  })
  .meta({ id: "PriceItem" });
export type PriceItemView = z.infer<typeof priceItemSchema>;

export const createItemBody = z.strictObject({
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
});

export const priceBody = z.strictObject({ from: dateField("from"), unitPrice: yen });
export const priceAnswer = z.object({ code: z.string(), from: isoDate, unitPrice: yen });

// ---- runs ----------------------------------------------------------------------------------------

export const runSchema = z
  .object({
    id: z.uuid(),
    month: isoMonth,
    status: z.enum(RUN_STATUSES),
    /** Issue the drafts when done. */
    issue: z.boolean(),
    /** Contracts that owed something this month and had no invoice yet. */
    contracts: z.number().int(),
    /** Invoices this run made. */
    created: z.number().int(),
    /** Of `contracts`, those another run invoiced first. */
    skipped: z.number().int(),
    issued: z.number().int(),
    /** Progress: contracts looked at of `total`. */
    scanned: z.number().int(),
    total: z.number().int(),
    attempts: z.number().int(),
    error: z.string().nullable(),
    startedAt: instant,
    heartbeatAt: instant.nullable(),
    finishedAt: instant.nullable(),
  })
  .meta({ id: "BillingRun" });
export type RunView = z.infer<typeof runSchema>;

export const runBody = z.strictObject({ month: monthField("month"), issue: z.boolean().default(false) });

// ---- payments, overdue ---------------------------------------------------------------------------

export const paymentSchema = z
  .object({
    id: z.uuid(),
    customerId: z.uuid(),
    customerName: z.string().describe("The paying company's legal name"),
    receivedOn: isoDate,
    amount: yen,
    unallocated: yen,
    method: z.enum(PAYMENT_METHODS),
    reference: z.string().nullable(),
    payerName: z.string().nullable().describe("The payer's name as the bank reported it (振込依頼人名)"),
    allocations: z.array(z.object({ invoiceId: z.uuid(), number: z.string().nullable(), amount: yen })),
  })
  .meta({ id: "Payment" });
export type PaymentView = z.infer<typeof paymentSchema>;

export const paymentBody = z.strictObject({
  customerId: z.uuid(),
  receivedOn: dateField("receivedOn"),
  amount: yen.min(1),
  method: z.enum(PAYMENT_METHODS),
  reference: z.string().trim().max(200).optional(),
  payerName: z.string().trim().max(200).optional(),
  invoiceId: z.uuid().optional(),
});

export const overdueRowSchema = z
  .object({
    id: z.uuid(),
    number: z.string().nullable(),
    month: isoMonth,
    dueDate: isoDate,
    total: signedYen,
    balance: signedYen,
    contractId: z.uuid(),
    contractNumber: z.string().nullable(),
    customerId: z.uuid(),
    recipientName: z.string().nullable(),
    suspensionCandidate: z.enum(CANDIDACY_REASONS).nullable(),
    lateFee: lateFeeSchema,
  })
  .meta({ id: "OverdueInvoice" });
export type OverdueRow = z.infer<typeof overdueRowSchema>;

// ---- direct debit --------------------------------------------------------------------------------

export const mandateSchema = z
  .object({
    customerId: z.uuid(),
    ...bankAccountView,
    accountHolder: z.string(),
    status: z.enum(MANDATE_STATUSES),
    registeredOn: isoDate,
    revokedOn: isoDate.nullable(),
    nextNewCode: z.string(),
    updatedAt: instant,
  })
  .meta({ id: "DebitMandate" });
export type MandateView = z.infer<typeof mandateSchema>;

export const mandateBody = z.strictObject({
  ...bankAccount,
  accountHolder: z.string().trim().min(1).max(60),
  registeredOn: dateField("registeredOn").optional(),
});

export const debitRequestSummarySchema = z
  .object({
    id: z.uuid(),
    debitDate: isoDate,
    records: z.number().int(),
    amount: yen,
    createdAt: instant,
    fileName: z.string(),
    result: z
      .object({
        importId: z.uuid(),
        paid: z.number().int(),
        failed: z.number().int(),
        unmatched: z.number().int(),
      })
      .nullable(),
  })
  .meta({ id: "DebitRequestSummary" });

export const debitRequestSchema = debitRequestSummarySchema
  .extend({
    itemsOffset: z.number().int(),
    itemsLimit: z.number().int(),
    items: z.array(
      z.object({
        record: z.number().int(),
        invoiceId: z.uuid(),
        invoiceNumber: z.string().nullable(),
        customerName: z.string().nullable(),
        amount: yen,
        newCode: z.string(),
        balance: signedYen,
      }),
    ),
  })
  .meta({ id: "DebitRequest" });
export type DebitRequestView = z.infer<typeof debitRequestSchema>;

export const debitResultSchema = z
  .object({
    importId: z.uuid(),
    debitDate: isoDate,
    requestId: z.uuid().nullable(),
    records: z.number().int(),
    paid: z.number().int(),
    failed: z.number().int(),
    unmatched: z.number().int(),
    results: z.array(
      z.object({
        record: z.number().int(),
        customerNumber: z.string(),
        amount: yen,
        outcome: z.string(),
        invoiceNumber: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "DebitResultImport" });

export const usageImportSchema = z
  .object({
    format: z.enum(["aws-cur", "generic"]),
    lines: z.number().int(),
    excluded: z.record(z.string(), z.number()),
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    alreadyInvoiced: z.array(z.string()),
    unmapped: z.array(z.string()),
  })
  .meta({ id: "UsageImport" });

// ---- per contract --------------------------------------------------------------------------------

export const chargeSchema = chargeLineSchema
  .extend({ id: z.uuid(), month: isoMonth, invoiceId: z.uuid().nullable(), createdAt: instant })
  .meta({ id: "Charge" });
export type ChargeView = z.infer<typeof chargeSchema>;

export const workChargeBody = z.strictObject({
  itemCode: z.string().max(63),
  quantity: z.number().int().min(1).max(10_000).default(1),
  month: monthField("month").optional(),
  description: z.string().trim().min(1).max(200).optional(),
  note: z.string().trim().max(1000).optional(),
});
export const chargeCreated = z.object({ id: z.uuid(), amount: signedYen });

export const specialFeeBody = z.strictObject({
  evaded: yen.min(1),
  note: z.string().trim().min(1).max(1000),
  includeEvaded: z.boolean().default(true),
  month: monthField("month").optional(),
});
export const specialFeeAnswer = explained(z.object({ evaded: yen, specialFee: yen, totalOwed: yen })).extend({
  chargeId: z.uuid(),
});

export const unavailabilityBody = z.strictObject({
  startedAt: instantField,
  endedAt: instantField,
  attribution: z.enum(ATTRIBUTIONS),
  cause: z.enum(UNAVAILABILITY_CAUSES),
  note: z.string().trim().max(1000).optional(),
});

export const slaCreditSchema = explained(
  z.object({
    month: isoMonth,
    monthlyFee: yen,
    qualifying: z.array(
      z.object({
        start: z.string(),
        end: z.string(),
        hoursTotal: z.number(),
        hoursInMonth: z.number(),
        merged: z.number().int().optional(),
      }),
    ),
    excluded: z.array(
      z.object({
        start: z.string(),
        end: z.string(),
        attribution: z.string(),
        reason: z.string(),
        article: z.string(),
      }),
    ),
    hours: z.number(),
    percentage: z.number().int(),
    credit: yen,
  }),
);

export const contractBillingSchema = z
  .object({
    month: isoMonth,
    charges: explained(z.object({ billable: z.boolean(), lines: z.array(chargeLineSchema) })),
    monthlyFee: yen,
    damagesCap: explained(z.object({ monthlyFee: yen, cap: yen, excluded: z.array(z.string()) })),
    sla: slaCreditSchema,
    periods: z.array(
      z.object({
        id: z.uuid(),
        startedAt: instant,
        endedAt: instant,
        attribution: z.enum(ATTRIBUTIONS),
        cause: z.enum(UNAVAILABILITY_CAUSES),
        note: z.string().nullable(),
      }),
    ),
    credits: z.array(
      z.object({
        month: isoMonth,
        hours: z.number(),
        percentage: z.number().int(),
        credit: yen,
        invoiceId: z.uuid(),
      }),
    ),
    cancelledOptions: z.array(z.object({ option: z.string(), receivedOn: isoDate })),
  })
  .meta({ id: "ContractBilling" });

export const cloudAccountBody = z.strictObject({
  provider: z.string().regex(/^[a-z0-9-]{2,20}$/),
  accountId: z.string().trim().min(1).max(100),
});
export const cloudAccountSchema = z.object({ provider: z.string(), accountId: z.string() });

export const optionParams = z.strictObject({ id: z.uuid(), option: z.enum(OPTIONS) });

const cataloguePrice = z.object({
  code: z.string(),
  nameJa: z.string(),
  nameEn: z.string(),
  kind: z.enum(FEE_KINDS),
  taxCategory: z.enum(TAX_CATEGORIES),
  /** Yen, tax excluded, in effect on `on`. */
  unitPrice: yen,
});
export const catalogueSchema = z
  .object({
    on: isoDate,
    plans: z.array(z.object({ code: z.string(), prices: z.array(cataloguePrice) })),
    options: z.array(z.object({ code: z.string(), prices: z.array(cataloguePrice) })),
    /** Charged per server covered, whatever the plan. */
    perServer: z.array(cataloguePrice),
    /** The clouds a server may run on. */
    providers: z.array(z.string()),
    /** The terms version in force, which an applicant consents to (null before any is in force). */
    terms: z.object({ id: z.uuid(), number: z.string(), title: z.string(), effectiveOn: isoDate }).nullable(),
    privacyNotice: z.string(),
    article: z.string(),
  })
  .meta({ id: "Catalogue" });
export type CatalogueView = z.infer<typeof catalogueSchema>;
