/**
 * Billing's shared vocabulary (Art. 29–34, 36, 39). Money is integer yen everywhere.
 * Rules (`rules.ts`), documents (`pdf.ts`, `csv.ts`), imports (`zengin.ts`, `usage-import.ts`)
 * and the service all speak these types.
 */
import type { Basis } from "../core/citations.ts";
import type { IsoDate, IsoMonth } from "../core/dates.ts";

/** 料金等の種類 (Art. 29(1)); item (3) read as the monthly usage fee (SPEC decision). */
export const FEE_KINDS = ["initial", "monthly", "usage", "annual", "other"] as const;
export type FeeKind = (typeof FEE_KINDS)[number];

/** 消費税区分 (Art. 34): taxable 10 %, reduced 8 %, exempt (非課税), out of scope (不課税). */
export const TAX_CATEGORIES = ["10", "8", "exempt", "out-of-scope"] as const;
export type TaxCategory = (typeof TAX_CATEGORIES)[number];

export const TAX_ROUNDINGS = ["down", "up", "half-up"] as const;
export type TaxRounding = (typeof TAX_ROUNDINGS)[number];

/** 預金種目: 1 普通 (ordinary), 2 当座 (current), 9 その他. */
export const ACCOUNT_TYPES = ["1", "2", "9"] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** An invoice's life: a draft until issued (numbered), void when cancelled (keeps its number). */
export const INVOICE_STATUSES = ["draft", "issued", "void"] as const;
/** The monthly run's invoice, a corrected one replacing a voided one, a credit note. */
export const INVOICE_KINDS = ["regular", "corrected", "credit"] as const;
export const PAYMENT_METHODS = ["bank_transfer", "direct_debit", "cash", "other"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
/**
 * One-off charges: usage, other fees, special fees (Art. 32), late fees (Art. 33), credits, and the
 * difference a change of the contract's content confirmed late makes to months already invoiced
 * (initial, monthly, annual; Art. 29(4)).
 */
export const CHARGE_KINDS = [
  "usage",
  "other",
  "special-fee",
  "late-fee",
  "credit",
  "initial",
  "monthly",
  "annual",
] as const;
export const RUN_STATUSES = ["queued", "running", "done", "failed"] as const;
export const MANDATE_STATUSES = ["active", "revoked"] as const;
/** What made the service unavailable (Art. 22, 23, 24, a failure). */
export const UNAVAILABILITY_CAUSES = ["emergency_stop", "interruption", "abolition", "failure"] as const;

/** A price effective from a date until the next one (Art. 29(4): new fees from the provider's receipt of the change). */
export interface PricePoint {
  from: IsoDate;
  /** Yen per unit, tax excluded. */
  unitPrice: number;
}

export interface PriceItem {
  code: string;
  nameJa: string;
  nameEn: string;
  kind: FeeKind;
  taxCategory: TaxCategory;
  /** Ascending by `from`. */
  prices: PricePoint[];
}

/** One line of a charge computation or an invoice. `amount` = quantity × unitPrice (may be negative for credits). */
export interface ChargeLine {
  itemCode: string | null;
  /** What is charged, in Japanese (the document's language). */
  description: string;
  /** The same in English for the English UI; null where it is someone's own words (staff, a usage file). */
  descriptionEn: string | null;
  kind: FeeKind | "credit" | "late-fee" | "special-fee";
  taxCategory: TaxCategory;
  quantity: number;
  unitPrice: number;
  amount: number;
  /** The article the line rests on, e.g. "29(1)". */
  article: string;
  /** One sentence a customer can read: why this amount for this month. */
  note: string;
  /** The same sentence in Japanese (the Japanese UI and documents); null on lines written before it existed. */
  noteJa: string | null;
}

/** 適格請求書の税率ごとの区分 (per-rate totals; tax rounded once per rate per invoice). */
export interface RateTotal {
  category: TaxCategory;
  /** Sum of the lines of this category, tax excluded. */
  net: number;
  /** Consumption tax for this category (0 for exempt / out-of-scope). */
  tax: number;
}

export interface InvoiceTotals {
  byRate: RateTotal[];
  net: number;
  tax: number;
  total: number;
}

/** Everything a qualified invoice (適格請求書) shows; input of the PDF and CSV writers. */
export interface InvoiceDocument {
  /** Assigned at issue; null on a draft. e.g. "INV-2026-000123". */
  number: string | null;
  status: "draft" | "issued" | "void";
  /** "regular" for the monthly run; "corrected" replaces a voided one; "credit" is a credit note. */
  kind: "regular" | "corrected" | "credit";
  /** The invoice this one corrects or credits (its number). */
  refersTo: string | null;
  /** That invoice's issue date: the date of the original transaction's document (57-4(3)). */
  refersToIssueDate?: IsoDate | null;
  /** Why the original was corrected (a corrected invoice states it; the original's void reason). */
  correctionReason?: string | null;
  /** A void invoice names the corrected invoice that replaces it (its number; "draft" before issue). */
  replacedBy?: string | null;
  /** The credit notes (issued or draft, not void) against this invoice: their numbers ("draft" before issue). */
  creditedBy?: string[];
  /** The day it was voided (Asia/Tokyo). */
  voidedOn?: IsoDate | null;
  /** A credit note (適格返還請求書): why the money is returned, and the day of the return. */
  creditReason?: string | null;
  returnDate?: IsoDate | null;
  month: IsoMonth;
  issueDate: IsoDate | null;
  dueDate: IsoDate;
  /** 取引年月日: the period the lines cover. */
  periodStart: IsoDate;
  periodEnd: IsoDate;
  issuer: {
    name: string;
    /** T + 13 digits. */
    registrationNumber: string;
    address: string;
    phone?: string;
    bankAccount?: string;
  };
  recipient: {
    name: string;
    address: string | null;
    customerNumber: string;
    contractNumber: string;
  };
  lines: ChargeLine[];
  totals: InvoiceTotals;
  taxRounding: TaxRounding;
  voidReason?: string | null;
  /** Short explanation lines printed under the lines (article citations). */
  basis: Basis[];
}
