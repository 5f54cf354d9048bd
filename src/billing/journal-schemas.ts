/**
 * The journal exports' settings (billing_settings.journal_accounts): per format, the names of the
 * accounts and of the tax categories as the provider's accounting software has them. Only what the
 * provider changed is stored; everything else comes from the defaults below (docs/BILLING-FORMATS.md,
 * "Journal exports").
 */
import { z } from "zod";
import { monthField } from "../core/schemas.ts";

export const JOURNAL_FORMATS = ["yayoi", "freee", "moneyforward"] as const;
export type JournalFormat = (typeof JOURNAL_FORMATS)[number];

/** A name as the software has it: its own account list, its own tax categories. */
const name = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[^\p{Cc}]*$/u, "no control characters");

const accounts = z.strictObject({
  /** 売掛金 */
  receivable: name,
  /** 売上高 */
  sales: name,
  /** 遅延損害金 (Art. 33, 不課税) */
  lateFees: name,
  /** 売上値引高 (credit notes) */
  salesReturns: name,
  /** 普通預金 (payments received) */
  bank: name,
});

const byCategory = z.strictObject({ "10": name, "8": name, exempt: name, "out-of-scope": name });

export const journalFormatSettings = z.strictObject({
  accounts,
  /** 税区分 of sales per Unyo tax category. */
  salesTax: byCategory,
  /** 税区分 of returns (credit notes) per Unyo tax category. */
  returnTax: byCategory,
  /** 税区分 of the sides outside consumption tax (売掛金, 普通預金). */
  noTax: name,
});
export type JournalFormatSettings = z.output<typeof journalFormatSettings>;

const formatOverrides = z.strictObject({
  accounts: accounts.partial().optional(),
  salesTax: byCategory.partial().optional(),
  returnTax: byCategory.partial().optional(),
  noTax: name.optional(),
});

/** What the provider changed (stored as is; the rest are the defaults). PUT replaces it whole. */
export const journalAccountsBody = z.strictObject({
  yayoi: formatOverrides.optional(),
  freee: formatOverrides.optional(),
  moneyforward: formatOverrides.optional(),
});
export type JournalAccountsOverrides = z.output<typeof journalAccountsBody>;

export const journalAccountsSchema = z
  .object({
    yayoi: journalFormatSettings,
    freee: journalFormatSettings,
    moneyforward: journalFormatSettings,
    /** What differs from the defaults (what PUT stored). */
    overrides: journalAccountsBody,
  })
  .meta({ id: "JournalAccounts" });
export type JournalAccounts = z.output<typeof journalAccountsSchema>;

export const journalParams = z.strictObject({ month: monthField("month") });
export const journalQuery = z.strictObject({ format: z.enum(JOURNAL_FORMATS) });

const COMMON_ACCOUNTS = {
  receivable: "売掛金",
  sales: "売上高",
  lateFees: "受取遅延損害金",
  salesReturns: "売上値引高",
  bank: "普通預金",
};

/**
 * The defaults: each vendor's standard account names and tax categories, as far as the vendor's
 * published material shows them (docs/BILLING-FORMATS.md says which are verified and which are not).
 */
export const JOURNAL_DEFAULTS: Record<JournalFormat, JournalFormatSettings> = {
  yayoi: {
    accounts: COMMON_ACCOUNTS,
    // 税込金額 with the tax amount stated (列 10/16): the "込" categories.
    salesTax: {
      "10": "課税売上込10%",
      "8": "課税売上込軽減8%",
      exempt: "非課税売上",
      "out-of-scope": "対象外",
    },
    returnTax: {
      "10": "課税売上返還込10%",
      "8": "課税売上返還込軽減8%",
      exempt: "非課税売上返還",
      "out-of-scope": "対象外",
    },
    noTax: "対象外",
  },
  freee: {
    accounts: COMMON_ACCOUNTS,
    salesTax: { "10": "課税売上10%", "8": "課税売上8%（軽）", exempt: "非課売上", "out-of-scope": "対象外" },
    returnTax: { "10": "課税売返10%", "8": "課税売返8%（軽）", exempt: "非課売返", "out-of-scope": "対象外" },
    noTax: "対象外",
  },
  moneyforward: {
    accounts: COMMON_ACCOUNTS,
    salesTax: {
      "10": "課税売上 10%",
      "8": "課税売上 (軽)8%",
      exempt: "非課税売上",
      "out-of-scope": "対象外",
    },
    returnTax: {
      "10": "課税売上返還 10%",
      "8": "課税売上返還 (軽)8%",
      exempt: "非課税売上返還",
      "out-of-scope": "対象外",
    },
    noTax: "対象外",
  },
};

/** The settings of each format: the defaults with the provider's overrides on top. */
export function resolveJournalAccounts(overrides: JournalAccountsOverrides): JournalAccounts {
  const one = (f: JournalFormat): JournalFormatSettings => {
    const d = JOURNAL_DEFAULTS[f];
    const o = overrides[f] ?? {};
    return {
      accounts: { ...d.accounts, ...o.accounts },
      salesTax: { ...d.salesTax, ...o.salesTax },
      returnTax: { ...d.returnTax, ...o.returnTax },
      noTax: o.noTax ?? d.noTax,
    };
  };
  return { yayoi: one("yayoi"), freee: one("freee"), moneyforward: one("moneyforward"), overrides };
}
