/** The issuer and the billing policy: qualified-invoice details (Art. 34), due dates (Art. 31(3)), direct debit. */
import { appendAudit } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import type { Db, Tx } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { consignorOf, type DebitConsignor } from "./debits.ts";
import { registrationNumber } from "./rules.ts";
import { readSettings, updateSettings } from "./store/settings.ts";
import type { TaxRounding } from "./types.ts";

export interface BillingSettings {
  issuerName: string;
  registrationNumber: string;
  issuerAddress: string;
  issuerPhone: string | null;
  bankAccount: string | null;
  taxRounding: TaxRounding;
  dueMonthsAfter: number;
  /** The shortest time from issue to the due date stated on an invoice (Art. 31(3)). */
  minPaymentDays: number;
  invoicePrefix: string;
  /** The provider as the originator of direct debits (委託者), as the bank registered it. */
  debitConsignor: DebitConsignor | null;
}

export async function billingSettings(db: Db | Tx): Promise<BillingSettings> {
  const s = await readSettings(db);
  return {
    issuerName: s.issuer_name,
    registrationNumber: s.registration_number,
    issuerAddress: s.issuer_address,
    issuerPhone: s.issuer_phone,
    bankAccount: s.bank_account,
    taxRounding: s.tax_rounding,
    dueMonthsAfter: s.due_months_after,
    minPaymentDays: s.min_payment_days,
    invoicePrefix: s.invoice_prefix,
    debitConsignor: (s.debit_consignor as DebitConsignor | null) ?? null,
  };
}

/** The issuer as a qualified invoice shows it. */
export function issuerOf(s: BillingSettings) {
  return {
    name: s.issuerName,
    registrationNumber: s.registrationNumber,
    address: s.issuerAddress,
    phone: s.issuerPhone,
    bankAccount: s.bankAccount,
  };
}

export async function changeBillingSettings(
  deps: Deps,
  auth: AuthContext,
  patch: Partial<BillingSettings>,
): Promise<BillingSettings> {
  if (patch.registrationNumber !== undefined && !registrationNumber(patch.registrationNumber).result.valid)
    throw new AppError(
      "validation_failed",
      `registration number ${patch.registrationNumber} has a wrong check digit`,
      {
        article: "34",
        details: { registrationNumber: ["check_digit"] },
      },
    );
  return deps.db.transaction().execute(async (tx) => {
    const before = await billingSettings(tx);
    await updateSettings(tx, {
      ...(patch.issuerName !== undefined ? { issuer_name: patch.issuerName } : {}),
      ...(patch.registrationNumber !== undefined ? { registration_number: patch.registrationNumber } : {}),
      ...(patch.issuerAddress !== undefined ? { issuer_address: patch.issuerAddress } : {}),
      ...(patch.issuerPhone !== undefined ? { issuer_phone: patch.issuerPhone } : {}),
      ...(patch.bankAccount !== undefined ? { bank_account: patch.bankAccount } : {}),
      ...(patch.taxRounding !== undefined ? { tax_rounding: patch.taxRounding } : {}),
      ...(patch.dueMonthsAfter !== undefined ? { due_months_after: patch.dueMonthsAfter } : {}),
      ...(patch.minPaymentDays !== undefined ? { min_payment_days: patch.minPaymentDays } : {}),
      ...(patch.invoicePrefix !== undefined ? { invoice_prefix: patch.invoicePrefix } : {}),
      ...(patch.debitConsignor !== undefined
        ? {
            debit_consignor:
              patch.debitConsignor === null ? null : JSON.stringify(consignorOf(patch.debitConsignor)),
          }
        : {}),
      updated_at: deps.clock.now(),
    });
    const after = await billingSettings(tx);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "billing.settings.updated",
      subjectType: "billing_settings",
      before,
      after,
      article: "34",
      at: deps.clock.now(),
    });
    return after;
  });
}
