/**
 * One-off charges on a contract's next invoice: catalogue work and other fees (その他費用, Art.
 * 29(1)(5)), cloud usage (Art. 29(1)(3), `usage.ts`), special fees (Art. 32); and the cloud accounts
 * whose usage is passed through.
 */

import { type Actor, appendAudit } from "../audit/service.ts";
import { contractOwner } from "../contracts/store.ts";
import { type IsoMonth, monthOf } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { lineOf } from "./lines.ts";
import { priceItem } from "./price-book.ts";
import { specialFee } from "./rules.ts";
import type { ChargeView } from "./schemas.ts";
import { chargesOfContract, insertCharge } from "./store/charges.ts";
import { accountOwner, accountsOfContract, insertAccount } from "./store/cloud.ts";
import type { TaxCategory } from "./types.ts";

export interface ChargeInput {
  month: IsoMonth;
  kind: "usage" | "other" | "special-fee" | "initial" | "monthly" | "annual";
  itemCode?: string | null;
  description: string;
  /** The description in English where the system words it; absent for someone's own words. */
  descriptionEn?: string | null;
  taxCategory: TaxCategory;
  quantity?: number;
  unitPrice: number;
  article: string;
  note: string;
  /** The note in Japanese; a note staff typed is the same text in both. */
  noteJa: string;
  sourceKey?: string | null;
  details?: unknown;
}

/** A charge on a contract, in the caller's transaction, with its audit entry. */
export async function addChargeIn(
  deps: Pick<Deps, "clock">,
  tx: Tx,
  actor: Actor,
  contractId: string,
  input: ChargeInput,
) {
  const c = await contractOwner(tx, contractId);
  if (!c) throw notFound("contract");
  const quantity = input.quantity ?? 1;
  const row = await insertCharge(tx, {
    contract_id: c.id,
    customer_id: c.customer_id,
    month: input.month,
    kind: input.kind,
    item_code: input.itemCode ?? null,
    description: input.description,
    description_en: input.descriptionEn ?? null,
    tax_category: input.taxCategory,
    quantity,
    unit_price: input.unitPrice,
    amount: quantity * input.unitPrice,
    article: input.article,
    note: input.note,
    note_ja: input.noteJa,
    source_key: input.sourceKey ?? null,
    details: input.details === undefined ? null : JSON.stringify(input.details),
    created_by: actor.kind === "staff" ? actor.id : null,
  });
  await appendAudit(tx, {
    actor,
    action: `billing.charge.${input.kind}`,
    subjectType: "contract",
    subjectId: c.id,
    customerId: c.customer_id,
    after: { ...input, amount: row.amount },
    article: input.article,
    at: deps.clock.now(),
  });
  return row;
}

export function addCharge(
  deps: Pick<Deps, "db" | "clock">,
  actor: Actor,
  contractId: string,
  input: ChargeInput,
) {
  return deps.db.transaction().execute((tx) => addChargeIn(deps, tx, actor, contractId, input));
}

/** Catalogue work or another "other" item of the price book, at its price today (Art. 29(1)(5)). */
export async function addWorkCharge(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: { itemCode: string; quantity: number; month?: IsoMonth; description?: string; note?: string },
) {
  const item = await priceItem(deps, input.itemCode);
  if (!item) throw new AppError("not_found", `price item ${input.itemCode} not found`);
  if (item.kind !== "other")
    throw new AppError(
      "validation_failed",
      `${item.code} is a ${item.kind} fee; only "other" items are billed one by one`,
      {
        article: "29(1)",
      },
    );
  if (item.currentPrice === null) throw new AppError("conflict", `${item.code} has no price in effect today`);
  return addCharge(deps, actorOf(auth), contractId, {
    month: input.month ?? monthOf(todayOf(deps)),
    kind: "other",
    itemCode: item.code,
    description: input.description ?? item.nameJa,
    descriptionEn: input.description === undefined ? item.nameEn : null,
    taxCategory: item.taxCategory,
    quantity: input.quantity,
    unitPrice: item.currentPrice,
    article: "29(1)",
    note:
      input.note ??
      `${item.nameEn} × ${input.quantity} at ${item.currentPrice.toLocaleString("en-US")} yen (price book), Art. 29(1)(5).`,
    noteJa:
      input.note ??
      `${item.nameJa} × ${input.quantity}、単価 ${item.currentPrice.toLocaleString("ja-JP")}円(料金表)、第29条第1項第5号。`,
  });
}

/** 特別利用料金 (Art. 32): twice the evaded fees, billed on the next invoice (with the evaded fees when asked). */
export async function addSpecialFee(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: { evaded: number; month?: IsoMonth; note: string; includeEvaded: boolean },
) {
  const fee = specialFee(input.evaded);
  const month = input.month ?? monthOf(todayOf(deps));
  const actor = actorOf(auth);
  return deps.db.transaction().execute(async (tx) => {
    if (input.includeEvaded)
      await addChargeIn(deps, tx, actor, contractId, {
        month,
        kind: "other",
        description: "不正に免れた料金等",
        descriptionEn: "Fees unlawfully evaded",
        taxCategory: "10",
        unitPrice: input.evaded,
        article: "32",
        note: `Fees evaded: ${input.note}`,
        noteJa: `不正に免れた料金等: ${input.note}`,
      });
    const row = await addChargeIn(deps, tx, actor, contractId, {
      month,
      kind: "special-fee",
      description: "特別利用料金 (免れた料金の2倍)",
      descriptionEn: "Special fee (twice the fees evaded)",
      taxCategory: "out-of-scope",
      unitPrice: fee.result.specialFee,
      article: "32",
      note: fee.basis.map((b) => b.text).join(" "),
      noteJa: fee.basis.map((b) => b.textJa).join(""),
      details: { ...fee.result, note: input.note },
    });
    return { chargeId: row.id, ...fee };
  });
}

/** A contract's one-off charges (usage, work, special fees, late fees, credits), newest first. */
export async function contractCharges(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  page: PageRequest = {},
): Promise<Page<ChargeView>> {
  return mapPage(
    asCaller(deps.db, auth, (tx) => chargesOfContract(tx, contractId, page)),
    (r) => ({
      id: r.id,
      month: r.month,
      ...lineOf(r),
      invoiceId: r.invoice_id,
      createdAt: new Date(r.created_at).toISOString(),
    }),
  );
}

export async function linkCloudAccount(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: { provider: string; accountId: string },
) {
  return deps.db.transaction().execute(async (tx) => {
    const c = await contractOwner(tx, contractId);
    if (!c) throw notFound("contract");
    if (await accountOwner(tx, input.provider, input.accountId))
      throw new AppError(
        "conflict",
        `${input.provider} account ${input.accountId} is already linked to a contract`,
      );
    await insertAccount(tx, {
      provider: input.provider,
      account_id: input.accountId,
      contract_id: c.id,
      customer_id: c.customer_id,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "billing.cloud_account.linked",
      subjectType: "contract",
      subjectId: c.id,
      customerId: c.customer_id,
      after: input,
      article: "29(1)",
      at: deps.clock.now(),
    });
    return { contractId: c.id, ...input };
  });
}

export async function cloudAccounts(deps: Pick<Deps, "db">, contractId: string, page: PageRequest = {}) {
  return mapPage(accountsOfContract(deps.db, contractId, page), (r) => ({
    provider: r.provider,
    accountId: r.account_id,
  }));
}
