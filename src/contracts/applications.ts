/**
 * Applications (申込, Art. 15), their rejection (Art. 17) or acceptance — the establishment of the
 * contract (Art. 16) — and their withdrawal in the cooling-off period (Art. 42).
 */

import { createHash, randomBytes } from "node:crypto";
import { type Actor, appendAudit } from "../audit/service.ts";
import { corporateNumber } from "../core/corporate-number.ts";
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { PRIVACY_NOTICE_VERSION } from "../core/privacy.ts";
import { registerCustomer } from "../customers/service.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { createUser, issueInitialPassword } from "../identity/users.ts";
import { queueNotice } from "../notices/service.ts";
import { subjectToVersionInEffect } from "../terms/service.ts";
import { versionInEffect, versionNumbers } from "../terms/store.ts";
import { event, notifyCustomer } from "./common.ts";
import { presentApplication, presentContract } from "./present.ts";
import { REJECTION_REASONS, type RejectionReason } from "./reasons.ts";
import { checkConsent, receiptDate } from "./receipt-rules.ts";
import { type Channel, coolingOff, minimumTerm, withinCoolingOff } from "./rules.ts";
import type { ApplicationForm, ApplicationView, Consent } from "./schemas.ts";
import {
  type ApplicationRow,
  applicationById,
  applicationByNumber,
  insertApplication,
  insertContract,
  listApplications as listRows,
  nextNumber,
  updateApplication,
  updateContract,
} from "./store.ts";

const sha = (s: string) => createHash("sha256").update(s).digest();

export function checkCorporateNumber(n: string) {
  if (!corporateNumber(n).result.valid)
    throw new AppError("validation_failed", `corporate number ${n} has a wrong check digit`, {
      article: "15",
      details: { corporateNumber: ["check_digit"] },
    });
}

/**
 * An application: from the web site (received now, opens the cooling-off window) or on paper/by
 * e-mail (entered by staff with the day it arrived). The applicant gets a receipt e-mail.
 */
export async function submitApplication(
  deps: Deps,
  form: ApplicationForm,
  opts: {
    channel: Channel;
    receivedOn?: IsoDate;
    applicantEmail: string;
    actor: Actor;
    /** A web applicant's consent (Art. 15): checked against what is in force on the day of receipt. */
    consent?: Consent;
  },
): Promise<{
  id: string;
  number: string;
  receivedOn: IsoDate;
  withdrawToken: string | null;
  coolingOffLastDay: IsoDate | null;
}> {
  checkCorporateNumber(form.corporateNumber);
  const { receivedOn } = receiptDate({
    channel: opts.channel,
    entered: opts.receivedOn,
    today: todayOf(deps),
    article: "15",
    what: "the application",
    whatJa: "利用契約の申込み",
  }).result;
  const withdrawToken = opts.channel === "web" ? randomBytes(24).toString("base64url") : null;
  const cooling = coolingOff(receivedOn, opts.channel);
  const { website: _honeypot, ...stored } = form;
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    if (opts.consent) {
      const inForce = await versionInEffect(tx, receivedOn);
      checkConsent(
        opts.consent,
        inForce ? { id: inForce.id, number: inForce.number, effectiveOn: inForce.effective_on } : null,
        PRIVACY_NOTICE_VERSION,
      );
    }
    const number = `A-${receivedOn.slice(0, 4)}-${String(await nextNumber(tx, "application_number_seq")).padStart(6, "0")}`;
    const row = await insertApplication(tx, {
      number,
      channel: opts.channel,
      received_on: receivedOn,
      legal_name: form.legalName,
      corporate_number: form.corporateNumber,
      form: JSON.stringify(stored),
      applicant_email: opts.applicantEmail,
      withdraw_token_hash: withdrawToken ? sha(withdrawToken) : null,
      ...(opts.consent
        ? {
            terms_version_id: opts.consent.termsVersionId,
            privacy_notice: opts.consent.privacyNotice,
            consented_at: at,
          }
        : {}),
      created_by: opts.actor.kind === "staff" ? opts.actor.id : null,
    });
    await appendAudit(tx, {
      actor: opts.actor,
      action: "application.submit",
      subjectType: "application",
      subjectId: row.id,
      after: { number, channel: opts.channel, receivedOn, legalName: form.legalName },
      article: "15",
      at,
    });
    const coolingText = cooling.result.applies
      ? `\nクーリングオフ(第42条): ${cooling.result.lastDay} まで、申込みを撤回できます。\n撤回用コード: ${withdrawToken}`
      : "";
    await queueNotice(deps, tx, {
      kind: "notice",
      topic: "application.receipt",
      subject: `【Unyo】お申込みを受け付けました (${number})`,
      body: `${form.legalName} 様\n\n運用支援サービスのお申込み(受付番号 ${number}、受付日 ${receivedOn})を受け付けました。\n審査の上、承諾した場合は承諾の通知をお送りします(第16条)。${coolingText}\n`,
      article: "15",
      recipients: [{ customerId: null, email: opts.applicantEmail }],
      actor: opts.actor,
      at,
    });
    return { id: row.id, number, receivedOn, withdrawToken, coolingOffLastDay: cooling.result.lastDay };
  });
}

export async function listApplications(
  deps: Pick<Deps, "db">,
  filter: Parameters<typeof listRows>[1] = {},
  page: PageRequest = {},
): Promise<Page<ApplicationView>> {
  const rows = await listRows(deps.db, filter, page);
  const numbers = await versionNumbers(deps.db, termsIds(rows.items));
  return mapPage(rows, (a) => presentApplication(a, numbers));
}

const termsIds = (rows: ApplicationRow[]) => [
  ...new Set(rows.flatMap((a) => (a.terms_version_id ? [a.terms_version_id] : []))),
];

export async function getApplication(deps: Pick<Deps, "db">, id: string): Promise<ApplicationView> {
  const row = await applicationById(deps.db, id);
  if (!row) throw notFound("application");
  return presentApplication(row, await versionNumbers(deps.db, termsIds([row])));
}

/**
 * 承諾 (Art. 16): establishes the contract — the start date is today (Art. 13) — registers the
 * customer, issues the portal user ID and initial password (Art. 10), sends the acceptance notice.
 */
export async function accept(deps: Deps, auth: AuthContext, applicationId: string) {
  const actor = actorOf(auth);
  const today = todayOf(deps);
  const at = deps.clock.now();
  // Hashed before the transaction: its audit entries hold the chain's lock until it commits.
  const issued = await issueInitialPassword();
  return deps.db.transaction().execute(async (tx) => {
    const app = await applicationById(tx, applicationId, true);
    if (!app) throw notFound("application");
    if (app.status !== "applied")
      throw new AppError("conflict", `the application is already ${app.status}`, { article: "16" });
    const form = app.form as Omit<ApplicationForm, "website">;
    const customer = await registerCustomer(
      tx,
      actor,
      {
        legalName: app.legal_name,
        corporateNumber: app.corporate_number,
        address: form.address,
        billingContact: form.billingContact,
        representatives: form.representatives,
      },
      at,
    );
    const number = `C-${today.slice(0, 4)}-${String(await nextNumber(tx, "contract_number_seq")).padStart(6, "0")}`;
    let contract = await insertContract(tx, {
      number,
      customer_id: customer.id,
      application_id: app.id,
      status: "active",
      plan: form.plan,
      options: form.options,
      servers: JSON.stringify(form.servers),
      channel: app.channel,
      applied_on: app.received_on,
      start_date: today,
    });
    // The version the contract is accepted under (Art. 2); later versions join its history.
    const termsVersion = await subjectToVersionInEffect(tx, contract, today);
    if (termsVersion) {
      await updateContract(tx, contract.id, { terms_version_id: termsVersion });
      contract = { ...contract, terms_version_id: termsVersion };
    }
    await updateApplication(tx, app.id, {
      status: "accepted",
      decided_by: actor.id,
      decided_at: at,
      customer_id: customer.id,
      contract_id: contract.id,
    });
    const loginId = `c${number.replaceAll("-", "").toLowerCase()}`;
    const { user, initialPassword } = await createUser(
      tx,
      actor,
      {
        kind: "customer",
        customerId: customer.id,
        loginId,
        email: app.applicant_email,
        displayName: form.representatives[0]?.name ?? app.legal_name,
        role: "customer-admin",
        issued,
      },
      at,
    );
    await event(deps, tx, { ...contract, status: "applied" }, actor, {
      type: "established",
      toStatus: "active",
      article: "16",
      details: { applicationNumber: app.number, startDate: today, portalUserId: loginId },
    });
    const term = minimumTerm(today);
    await notifyCustomer(deps, tx, contract, {
      topic: "contract.accepted",
      subject: `【Unyo】ご契約成立のお知らせ (${number})`,
      body: `${app.legal_name} 様\n\nお申込み(${app.number})を承諾し、利用契約が成立しました(第16条)。\n契約番号: ${number}\n利用起算日: ${today}(第13条)\n最低契約期間: ${term.result.minimumTermEnd} まで(第12条第1項)、以後1ヶ月毎に自動更新(第12条第3項)\n契約者ポータルのユーザーID: ${loginId}\n初期パスワードは当社の指定する方法でお渡しします。初回ログイン時に変更してください(第10条)。\n`,
      article: "16",
      actor,
    });
    return {
      contract: presentContract(contract),
      customerId: customer.id,
      portalUser: { id: user.id, loginId },
      initialPassword: initialPassword!,
    };
  });
}

/** 申込の拒絶 (Art. 17): the reason is recorded; no notice is sent to the applicant (Art. 17(2)). */
export async function reject(
  deps: Deps,
  auth: AuthContext,
  applicationId: string,
  reason: RejectionReason,
  note?: string,
) {
  const actor = actorOf(auth);
  await deps.db.transaction().execute(async (tx) => {
    const app = await applicationById(tx, applicationId, true);
    if (!app) throw notFound("application");
    if (app.status !== "applied")
      throw new AppError("conflict", `the application is already ${app.status}`, { article: "17" });
    await updateApplication(tx, app.id, {
      status: "rejected",
      rejection_reason: reason,
      rejection_note: note ?? null,
      decided_by: actor.id,
      decided_at: deps.clock.now(),
    });
    await appendAudit(tx, {
      actor,
      action: "application.reject",
      subjectType: "application",
      subjectId: app.id,
      after: { reason, note: note ?? null, noticeSent: false },
      article: REJECTION_REASONS[reason].article,
      at: deps.clock.now(),
    });
  });
}

/** Withdrawal of a web application within the cooling-off window (Art. 42), with the receipt's code. */
export async function withdraw(deps: Deps, applicationNumber: string, token: string) {
  const today = todayOf(deps);
  await deps.db.transaction().execute(async (tx) => {
    const app = await applicationByNumber(tx, applicationNumber, true);
    if (!app?.withdraw_token_hash?.equals(sha(token))) throw notFound("application");
    if (!withinCoolingOff(app.received_on, app.channel, today))
      throw new AppError(
        "conflict",
        `the cooling-off period ended ${coolingOff(app.received_on, app.channel).result.lastDay}`,
        { article: "42" },
      );
    if (app.status === "accepted")
      throw new AppError(
        "conflict",
        "the contract is already established: cancel it from the portal within the cooling-off period",
        { article: "42" },
      );
    if (app.status !== "applied")
      throw new AppError("conflict", `the application is already ${app.status}`, { article: "42" });
    await updateApplication(tx, app.id, { status: "withdrawn", decided_at: deps.clock.now() });
    await appendAudit(tx, {
      actor: { kind: "public", id: null },
      action: "application.withdraw",
      subjectType: "application",
      subjectId: app.id,
      article: "42",
      at: deps.clock.now(),
    });
  });
}
