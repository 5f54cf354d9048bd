/**
 * Direct debit (口座振替), Art. 30 and 31: fees are paid by the method the provider sets, and one of
 * them is a debit from the customer's account. Each customer gives a mandate (預金口座振替依頼書) with
 * the account as the bank knows it; for a debit date the provider sends the bank a 全銀 request file
 * (振替依頼データ) asking for every open invoice of a customer with a mandate; the bank's result file
 * (see `importDebitResult`) then records the payments, and a failure makes the contract a suspension
 * candidate (Art. 21(1)(2)). A request is kept byte for byte, once per debit date, so it can be fetched
 * again and its invoices are not asked for twice while the bank has them.
 */

import { createHash } from "node:crypto";
import { type Actor, appendAudit } from "../audit/service.ts";
import { addDays, type IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { bankHoliday, nextBankBusinessDay } from "../core/holidays.ts";
import { customerExists } from "../customers/store.ts";
import { asCaller, type Db, type Tx } from "../db/db.ts";
import { mapPage, type PageRequest } from "../db/page.ts";
import type { AuthContext } from "../identity/actor.ts";
import { debitCollectsDueBy } from "./rules.ts";
import type { DebitRequestView, MandateView } from "./schemas.ts";
import {
  consignorSetting,
  debitableInvoices,
  insertRequest,
  insertRequestItems,
  lockRequests,
  type MandateRow,
  mandateOf,
  markFirstDebitAsked,
  requestFile as requestFileRow,
  requestItems,
  requestOfDate,
  requestSummaries,
  revokeMandate as revokeMandateRow,
  upsertMandate,
} from "./store/debits.ts";
import { ACCOUNT_TYPES, type AccountType } from "./types.ts";
import { writeZenginDebitFile, zenginName } from "./zengin.ts";

export interface BankAccount {
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  accountType: AccountType;
  accountNumber: string;
}

/** The provider as the originator (委託者) of direct debits: its code and its own account. */
export interface DebitConsignor extends BankAccount {
  consignorCode: string;
  consignorName: string;
}

export interface DebitMandateInput extends BankAccount {
  accountHolder: string;
  /** The date the mandate was registered with the bank; default today. */
  registeredOn?: IsoDate;
}

const digitsField = (value: string, len: number, name: string) => {
  const v = value.trim();
  if (!new RegExp(`^\\d{${len}}$`).test(v))
    throw new AppError("validation_failed", `${name} is ${len} digits, got "${value}"`, {
      details: { [name]: ["digits"] },
    });
  return v;
};

function accountOf(a: BankAccount): BankAccount {
  if (!ACCOUNT_TYPES.includes(a.accountType))
    throw new AppError(
      "validation_failed",
      `accountType is 1 (普通), 2 (当座) or 9 (その他), got "${a.accountType}"`,
      {
        details: { accountType: ["enum"] },
      },
    );
  return {
    bankCode: digitsField(a.bankCode, 4, "bankCode"),
    bankName: zenginName(a.bankName, 15, "bankName", "bank"),
    branchCode: digitsField(a.branchCode, 3, "branchCode"),
    branchName: zenginName(a.branchName, 15, "branchName", "bank"),
    accountType: a.accountType,
    // Account numbers shorter than 7 digits are written with leading zeros, as banks do.
    accountNumber: digitsField(a.accountNumber.trim().padStart(7, "0"), 7, "accountNumber"),
  };
}

/** The consignor as the request file needs it, names in the 全銀 character set. */
export function consignorOf(c: DebitConsignor): DebitConsignor {
  return {
    consignorCode: digitsField(c.consignorCode, 10, "consignorCode"),
    consignorName: zenginName(c.consignorName, 40, "consignorName"),
    ...accountOf(c),
  };
}

export function presentMandate(m: MandateRow): MandateView {
  return {
    customerId: m.customer_id,
    bankCode: m.bank_code,
    bankName: m.bank_name,
    branchCode: m.branch_code,
    branchName: m.branch_name,
    accountType: m.account_type,
    accountNumber: m.account_number,
    accountHolder: m.account_holder,
    status: m.status,
    registeredOn: m.registered_on,
    revokedOn: m.revoked_on,
    nextNewCode: m.next_new_code,
    updatedAt: new Date(m.updated_at).toISOString(),
  };
}

/** The invoice number's digits as the 20-digit 顧客番号 of a record: the result import finds it by them. */
export const customerNumberOf = (invoiceNumber: string) => invoiceNumber.replace(/\D/g, "").padStart(20, "0");

/** The customer's mandate (staff: any; a customer: its own). */
export async function mandate(deps: Deps, auth: AuthContext, customerId: string): Promise<MandateView> {
  return asCaller(deps.db, auth, async (tx) => {
    const m = await mandateOf(tx, customerId);
    if (!m) throw notFound("direct-debit mandate");
    return presentMandate(m);
  });
}

/** Register or change the mandate; a changed account is flagged 新規コード 2 on its next request. */
export async function setMandate(
  deps: Deps,
  actor: Actor,
  customerId: string,
  input: DebitMandateInput,
): Promise<MandateView> {
  const account = accountOf(input);
  const holder = zenginName(input.accountHolder, 30, "accountHolder");
  const registeredOn = input.registeredOn ?? todayOf(deps);
  return deps.db.transaction().execute(async (tx) => {
    if (!(await customerExists(tx, customerId))) throw notFound("customer");
    const before = await mandateOf(tx, customerId, true);
    const sameAccount =
      before?.status === "active" &&
      before.bank_code === account.bankCode &&
      before.branch_code === account.branchCode &&
      before.account_type === account.accountType &&
      before.account_number === account.accountNumber;
    // 新規コード: 1 until a mandate's first debit (a mandate given again after a revocation is a new
    // one); 2 for the first debit after the account changed; otherwise as it was.
    const nextNewCode =
      !before || before.status === "revoked" || before.next_new_code === "1"
        ? "1"
        : sameAccount
          ? before.next_new_code
          : "2";
    const after = await upsertMandate(tx, customerId, {
      bank_code: account.bankCode,
      bank_name: account.bankName,
      branch_code: account.branchCode,
      branch_name: account.branchName,
      account_type: account.accountType,
      account_number: account.accountNumber,
      account_holder: holder,
      status: "active",
      registered_on: registeredOn,
      revoked_on: null,
      next_new_code: nextNewCode as "0" | "1" | "2",
      updated_by: actor.kind === "staff" ? actor.id : null,
      updated_at: deps.clock.now(),
    });
    await appendAudit(tx, {
      actor,
      action: before ? "billing.debit_mandate.changed" : "billing.debit_mandate.registered",
      subjectType: "customer",
      subjectId: customerId,
      customerId,
      before: before ? presentMandate(before) : undefined,
      after: presentMandate(after),
      article: "30",
      at: deps.clock.now(),
    });
    return presentMandate(after);
  });
}

/** The customer stops paying by debit: later requests leave its invoices out. */
export async function revokeMandate(deps: Deps, actor: Actor, customerId: string): Promise<MandateView> {
  return deps.db.transaction().execute(async (tx) => {
    const m = await revokeMandateRow(
      tx,
      customerId,
      todayOf(deps),
      actor.kind === "staff" ? actor.id : null,
      deps.clock.now(),
    );
    if (!m) throw notFound("active direct-debit mandate");
    await appendAudit(tx, {
      actor,
      action: "billing.debit_mandate.revoked",
      subjectType: "customer",
      subjectId: customerId,
      customerId,
      after: presentMandate(m),
      article: "30",
      at: deps.clock.now(),
    });
    return presentMandate(m);
  });
}

/**
 * The request for a debit date (a bank business day): every issued invoice with a balance, due by the
 * end of the debit date's month (Art. 31(3)), of a customer with an active mandate, that no request
 * still awaiting its result asks for. Once per date: asking again for the same date gives the same request.
 */
export async function createRequest(
  deps: Pick<Deps, "db" | "clock">,
  actor: Actor,
  debitDate: IsoDate,
): Promise<{ created: boolean; request: DebitRequestView }> {
  const today = todayOf(deps);
  if (debitDate < today)
    throw new AppError("validation_failed", `the debit date ${debitDate} has passed`, {
      details: { debitDate: ["past"] },
    });
  if (debitDate > addDays(today, 366))
    throw new AppError("validation_failed", `the debit date ${debitDate} is more than a year ahead`, {
      details: { debitDate: ["too_far"] },
    });
  const closed = bankHoliday(debitDate);
  if (closed) {
    const next = nextBankBusinessDay(debitDate);
    throw new AppError(
      "validation_failed",
      `the banks are closed on ${debitDate} (${closed}); a debit happens on a bank business day — the next is ${next}`,
      { details: { debitDate: ["bank_holiday"], nextBusinessDay: [next] } },
    );
  }
  return deps.db.transaction().execute(async (tx) => {
    await lockRequests(tx);
    const existing = await requestOfDate(tx, debitDate);
    if (existing) return { created: false, request: await request(tx, existing.id) };
    const consignor = (await consignorSetting(tx)) as DebitConsignor | null;
    if (!consignor)
      throw new AppError(
        "conflict",
        "set the provider's consignor details (委託者コード and account) in the billing settings first",
        { details: { debitConsignor: ["required"] } },
      );
    const dueBy = debitCollectsDueBy(debitDate);
    const open = await debitableInvoices(tx, dueBy);
    if (open.length === 0)
      throw new AppError(
        "conflict",
        `nothing to ask the bank for on ${debitDate}: no open invoice due by ${dueBy} of a customer with a direct-debit mandate that is not already in a request awaiting its result`,
        { details: { debitDate: ["nothing_to_request"] } },
      );
    const records = open.map((i) => ({
      bankCode: i.bank_code,
      bankName: i.bank_name,
      branchCode: i.branch_code,
      branchName: i.branch_name,
      accountType: i.account_type,
      accountNumber: i.account_number,
      accountHolder: i.account_holder,
      amount: i.total - i.paid_amount,
      newCode: i.next_new_code,
      customerNumber: customerNumberOf(i.number!),
    }));
    const file = Buffer.from(
      writeZenginDebitFile({
        kind: "request",
        header: { ...consignor, debitDate: debitDate.slice(5, 7) + debitDate.slice(8, 10) },
        records,
      }),
    );
    const amount = records.reduce((s, r) => s + r.amount, 0);
    const req = await insertRequest(tx, {
      debit_date: debitDate,
      records: records.length,
      amount,
      file,
      sha256: createHash("sha256").update(file).digest(),
      created_by: actor.kind === "staff" ? actor.id : null,
    });
    await insertRequestItems(
      tx,
      req.id,
      open.map((i, n) => ({
        record: n + 2,
        invoiceId: i.id,
        customerId: i.customer_id,
        amount: records[n]!.amount,
        newCode: i.next_new_code,
      })),
    );
    await markFirstDebitAsked(tx, [...new Set(open.map((i) => i.customer_id))]);
    await appendAudit(tx, {
      actor,
      action: "billing.debit_request.created",
      subjectType: "debit_request",
      subjectId: req.id,
      after: { debitDate, records: records.length, amount },
      article: "31",
      at: deps.clock.now(),
    });
    return { created: true, request: await request(tx, req.id) };
  });
}

/**
 * A request, the bank's result once imported, and a page of the invoices it asks for in record order
 * (a request may hold 100,000 records: the items come `limit` at a time; `records` is their number).
 */
export async function request(
  db: Db | Tx,
  id: string,
  page: { limit?: number; offset?: number } = {},
): Promise<DebitRequestView> {
  const limit = page.limit ?? ITEMS_PAGE;
  const offset = page.offset ?? 0;
  const [r] = (await summaries(db, id, { limit: 1 })).items;
  if (!r) throw notFound("debit request");
  const items = await requestItems(db, id, limit, offset);
  return {
    ...r,
    itemsOffset: offset,
    itemsLimit: limit,
    items: items.map((x) => ({
      record: x.record,
      invoiceId: x.invoice_id,
      invoiceNumber: x.number,
      customerName: x.legal_name,
      amount: x.amount,
      newCode: x.new_code,
      balance: x.total - x.paid_amount,
    })),
  };
}

/** The latest requests, newest debit date first. */
export async function requests(db: Db | Tx, page: PageRequest = {}) {
  return summaries(db, undefined, page);
}

async function summaries(db: Db | Tx, id: string | undefined, page: PageRequest) {
  return mapPage(requestSummaries(db, id, page), (r) => ({
    id: r.id,
    debitDate: r.debit_date,
    records: r.records,
    amount: r.amount,
    createdAt: r.created_at.toISOString(),
    fileName: fileNameOf(r.debit_date),
    result: r.result_import_id
      ? {
          importId: r.result_import_id,
          paid: r.paid ?? 0,
          failed: r.failed ?? 0,
          unmatched: r.unmatched ?? 0,
        }
      : null,
  }));
}

/** The request file exactly as it was made. */
export async function requestFile(db: Db | Tx, id: string) {
  const r = await requestFileRow(db, id);
  if (!r) throw notFound("debit request");
  return { bytes: r.file, fileName: fileNameOf(r.debit_date) };
}

/** Items of a request returned at once unless a page is asked for. */
export const ITEMS_PAGE = 1000;

const fileNameOf = (debitDate: string) => `KOFURI-${debitDate.replace(/-/g, "")}.txt`;
