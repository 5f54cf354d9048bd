/**
 * The contract lifecycle (Art. 12–27, 42): applications, acceptance, cancellation, suspension,
 * emergency stop, termination, deletion work; terms versions (Art. 2) and abolitions (Art. 24).
 * Every state change: one transaction with its contract event, audit entry and queued notices.
 */
import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { type Actor, appendAudit } from "../audit/service.ts";
import type { Clock } from "../core/clock.ts";
import { addDays, compareDates, type IsoDate, tokyoDate } from "../core/dates.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller, asSystem, type Db, type Tx } from "../db/db.ts";
import type { ContractStatus } from "../db/schema.ts";
import type { AuthContext } from "../identity/service.ts";
import { createUser } from "../identity/service.ts";
import { inquiryDeadline, termsChange } from "../notices/rules.ts";
import { customerRecipients, queueNotice } from "../notices/service.ts";
import { type ContractEventInput, recordContractEvent } from "./events.ts";
import {
  abolitionNotice,
  type CancellationReason,
  type Channel,
  cancellation,
  checkTransition,
  coolingOff,
  corporateNumber,
  deletionDate,
  type LifecycleAction,
  minimumTerm,
  REJECTION_REASONS,
  type RejectionReason,
  SUSPENSION_REASONS,
  type SuspensionReason,
  TERMINATION_REASONS,
  type TerminationReason,
  withinCoolingOff,
} from "./rules.ts";
import type { ApplicationForm } from "./schemas.ts";

const sha = (s: string) => createHash("sha256").update(s).digest();

export function actorOf(auth: AuthContext | undefined): Actor {
  if (!auth) return { kind: "public", id: null };
  return { kind: auth.kind === "token" ? "token" : auth.user.kind, id: auth.user.id };
}

function checkCorporateNumber(n: string) {
  if (!corporateNumber(n).result.valid)
    throw new AppError("validation_failed", `corporate number ${n} has a wrong check digit`, {
      article: "15",
      details: { corporateNumber: ["check_digit"] },
    });
}

type ContractRow = Awaited<ReturnType<typeof loadContract>>;

async function loadContract(tx: Tx, id: string, forUpdate = false) {
  let q = tx.selectFrom("contracts").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound("contract");
  return row;
}

/** The late-start extension (Art. 36(2)) that applies to a contract's end: a cancellation's only. */
const EXTENSION = sql<number>`(CASE WHEN end_kind = 'cancellation' THEN extension_days ELSE 0 END)`;

export function presentContract(c: ContractRow) {
  const term = minimumTerm(c.start_date, c.committed_months ?? undefined);
  const cooling = coolingOff(c.applied_on, c.channel as Channel);
  return {
    id: c.id,
    number: c.number,
    customerId: c.customer_id,
    status: c.status,
    plan: c.plan,
    options: c.options,
    servers: c.servers as { hostname: string; provider: string; role?: string; os?: string }[],
    channel: c.channel,
    appliedOn: c.applied_on,
    startDate: c.start_date,
    committedMonths: c.committed_months,
    minimumTermEnd: term.result.minimumTermEnd,
    coolingOffLastDay: cooling.result.lastDay,
    suspensionReason: c.suspension_reason,
    endKind: c.end_kind,
    endReason: c.end_reason,
    cancellationReceivedOn: c.cancellation_received_on,
    endEffectiveOn: c.end_effective_on,
    /** Days added to the service period for a late start (Art. 36(2)); the service runs that long past the end. */
    extensionDays: c.extension_days,
    serviceUntil: c.end_effective_on
      ? addDays(c.end_effective_on, c.end_kind === "cancellation" ? c.extension_days : 0)
      : null,
    terminatedOn: c.terminated_on,
    deletionScheduledOn: c.deletion_scheduled_on,
    dataDeletedOn: c.data_deleted_on,
    eligibleForStop: c.eligible_for_stop,
    chargesVoid: c.charges_void,
    basis: [...term.basis, ...cooling.basis],
  };
}
export type ContractView = ReturnType<typeof presentContract>;

export class ContractService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  today(): IsoDate {
    return tokyoDate(this.clock.now());
  }

  /** Staff as the owning role, customer users under row-level security. */
  scoped<T>(auth: AuthContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return asCaller(this.db, auth, fn);
  }

  private async event(
    tx: Tx,
    c: { id: string; customer_id: string; status: string },
    actor: Actor,
    e: ContractEventInput,
  ) {
    await recordContractEvent(tx, this.clock.now(), c, actor, e);
  }

  private async notifyCustomer(
    tx: Tx,
    customerId: string,
    contractId: string | null,
    topic: string,
    subject: string,
    body: string,
    article: string | null,
    actor: Actor,
  ) {
    // The provider's notice is the provider's write, also when a customer's action caused it.
    await asSystem(tx, async () =>
      queueNotice(tx, {
        kind: "notice",
        topic,
        subject,
        body,
        article,
        contractId,
        recipients: await customerRecipients(tx, [customerId]),
        actor,
        at: this.clock.now(),
      }),
    );
  }

  // ---- applications (Art. 15–17, 42) ----

  async submitApplication(
    form: ApplicationForm,
    opts: { channel: Channel; receivedOn: IsoDate; applicantEmail: string; actor: Actor },
  ): Promise<{
    id: string;
    number: string;
    withdrawToken: string | null;
    coolingOffLastDay: IsoDate | null;
  }> {
    checkCorporateNumber(form.corporateNumber);
    if (compareDates(opts.receivedOn, this.today()) > 0)
      throw new AppError("validation_failed", "the receipt date cannot be in the future", {
        details: { receivedOn: ["future"] },
      });
    const withdrawToken = opts.channel === "web" ? randomBytes(24).toString("base64url") : null;
    const cooling = coolingOff(opts.receivedOn, opts.channel);
    const { website: _honeypot, ...stored } = form;
    return this.db.transaction().execute(async (tx) => {
      const seq = await sql<{ n: number }>`select nextval('application_number_seq') as n`.execute(tx);
      const number = `A-${opts.receivedOn.slice(0, 4)}-${String(seq.rows[0]!.n).padStart(6, "0")}`;
      const row = await tx
        .insertInto("applications")
        .values({
          number,
          channel: opts.channel,
          received_on: opts.receivedOn,
          legal_name: form.legalName,
          corporate_number: form.corporateNumber,
          form: JSON.stringify(stored),
          applicant_email: opts.applicantEmail,
          withdraw_token_hash: withdrawToken ? sha(withdrawToken) : null,
          created_by: opts.actor.kind === "staff" ? opts.actor.id : null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        actor: opts.actor,
        action: "application.submit",
        subjectType: "application",
        subjectId: row.id,
        after: { number, channel: opts.channel, receivedOn: opts.receivedOn, legalName: form.legalName },
        article: "15",
        at: this.clock.now(),
      });
      const coolingText = cooling.result.applies
        ? `\nクーリングオフ(第42条): ${cooling.result.lastDay} まで、申込みを撤回できます。\n撤回用コード: ${withdrawToken}`
        : "";
      await queueNotice(tx, {
        kind: "notice",
        topic: "application.receipt",
        subject: `【Unyo】お申込みを受け付けました (${number})`,
        body: `${form.legalName} 様\n\n運用支援サービスのお申込み(受付番号 ${number}、受付日 ${opts.receivedOn})を受け付けました。\n審査の上、承諾した場合は承諾の通知をお送りします(第16条)。${coolingText}\n`,
        article: "15",
        recipients: [{ customerId: null, email: opts.applicantEmail }],
        actor: opts.actor,
        at: this.clock.now(),
      });
      return { id: row.id, number, withdrawToken, coolingOffLastDay: cooling.result.lastDay };
    });
  }

  async listApplications(status?: string) {
    let q = this.db
      .selectFrom("applications")
      .selectAll()
      .orderBy("received_on", "desc")
      .orderBy("number", "desc")
      .limit(500);
    if (status) q = q.where("status", "=", status as never);
    return (await q.execute()).map(presentApplication);
  }

  async getApplication(id: string) {
    const row = await this.db.selectFrom("applications").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row) throw notFound("application");
    return presentApplication(row);
  }

  /**
   * 承諾 (Art. 16): establishes the contract — the start date is today (Art. 13) — creates the
   * customer, issues the portal user ID and initial password (Art. 10), sends the acceptance notice.
   */
  async accept(auth: AuthContext, applicationId: string) {
    const actor = actorOf(auth);
    const today = this.today();
    return this.db.transaction().execute(async (tx) => {
      const app = await tx
        .selectFrom("applications")
        .selectAll()
        .where("id", "=", applicationId)
        .forUpdate()
        .executeTakeFirst();
      if (!app) throw notFound("application");
      if (app.status !== "applied")
        throw new AppError("conflict", `the application is already ${app.status}`, { article: "16" });
      const form = app.form as Omit<ApplicationForm, "website">;
      const customer = await tx
        .insertInto("customers")
        .values({
          legal_name: app.legal_name,
          corporate_number: app.corporate_number,
          address: form.address,
          billing_contact: JSON.stringify(form.billingContact),
          representatives: JSON.stringify(form.representatives),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const seq = await sql<{ n: number }>`select nextval('contract_number_seq') as n`.execute(tx);
      const number = `C-${today.slice(0, 4)}-${String(seq.rows[0]!.n).padStart(6, "0")}`;
      const terms = await tx
        .selectFrom("terms_versions")
        .select("id")
        .where("effective_on", "<=", today)
        .orderBy("effective_on", "desc")
        .limit(1)
        .executeTakeFirst();
      const contract = await tx
        .insertInto("contracts")
        .values({
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
          terms_version_id: terms?.id ?? null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (terms)
        await tx
          .insertInto("contract_terms")
          .values({
            contract_id: contract.id,
            customer_id: customer.id,
            terms_version_id: terms.id,
            since: today,
          })
          .execute();
      await tx
        .updateTable("applications")
        .set({
          status: "accepted",
          decided_by: actor.id,
          decided_at: this.clock.now(),
          customer_id: customer.id,
          contract_id: contract.id,
        })
        .where("id", "=", app.id)
        .execute();
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
        },
        this.clock.now(),
      );
      await this.event(tx, { ...contract, status: "applied" }, actor, {
        type: "established",
        toStatus: "active",
        article: "16",
        details: { applicationNumber: app.number, startDate: today, portalUserId: loginId },
      });
      const term = minimumTerm(today);
      await this.notifyCustomer(
        tx,
        customer.id,
        contract.id,
        "contract.accepted",
        `【Unyo】ご契約成立のお知らせ (${number})`,
        `${app.legal_name} 様\n\nお申込み(${app.number})を承諾し、利用契約が成立しました(第16条)。\n契約番号: ${number}\n利用起算日: ${today}(第13条)\n最低契約期間: ${term.result.minimumTermEnd} まで(第12条第1項)、以後1ヶ月毎に自動更新(第12条第3項)\n契約者ポータルのユーザーID: ${loginId}\n初期パスワードは当社の指定する方法でお渡しします。初回ログイン時に変更してください(第10条)。\n`,
        "16",
        actor,
      );
      return {
        contract: presentContract(contract),
        customerId: customer.id,
        portalUser: { id: user.id, loginId },
        initialPassword: initialPassword!,
      };
    });
  }

  /** 申込の拒絶 (Art. 17): the reason is recorded; no notice is sent to the applicant (Art. 17(2)). */
  async reject(auth: AuthContext, applicationId: string, reason: RejectionReason, note?: string) {
    const actor = actorOf(auth);
    await this.db.transaction().execute(async (tx) => {
      const app = await tx
        .selectFrom("applications")
        .select(["id", "status"])
        .where("id", "=", applicationId)
        .forUpdate()
        .executeTakeFirst();
      if (!app) throw notFound("application");
      if (app.status !== "applied")
        throw new AppError("conflict", `the application is already ${app.status}`, { article: "17" });
      await tx
        .updateTable("applications")
        .set({
          status: "rejected",
          rejection_reason: reason,
          rejection_note: note ?? null,
          decided_by: actor.id,
          decided_at: this.clock.now(),
        })
        .where("id", "=", app.id)
        .execute();
      await appendAudit(tx, {
        actor,
        action: "application.reject",
        subjectType: "application",
        subjectId: app.id,
        after: { reason, note: note ?? null, noticeSent: false },
        article: REJECTION_REASONS[reason].article,
        at: this.clock.now(),
      });
    });
  }

  /** Withdrawal of a web application within the cooling-off window (Art. 42), with the receipt's code. */
  async withdraw(applicationNumber: string, token: string) {
    const today = this.today();
    await this.db.transaction().execute(async (tx) => {
      const app = await tx
        .selectFrom("applications")
        .selectAll()
        .where("number", "=", applicationNumber)
        .forUpdate()
        .executeTakeFirst();
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
      await tx
        .updateTable("applications")
        .set({ status: "withdrawn", decided_at: this.clock.now() })
        .where("id", "=", app.id)
        .execute();
      await appendAudit(tx, {
        actor: { kind: "public", id: null },
        action: "application.withdraw",
        subjectType: "application",
        subjectId: app.id,
        article: "42",
        at: this.clock.now(),
      });
    });
  }

  // ---- contracts ----

  async list(auth: AuthContext, filter: { status?: string } = {}) {
    return this.scoped(auth, async (tx) => {
      let q = tx.selectFrom("contracts").selectAll().orderBy("number", "desc").limit(1000);
      if (filter.status) q = q.where("status", "=", filter.status as ContractStatus);
      return (await q.execute()).map(presentContract);
    });
  }

  async get(auth: AuthContext, id: string) {
    return this.scoped(auth, async (tx) => {
      const c = await loadContract(tx, id);
      const events = await tx
        .selectFrom("contract_events")
        .selectAll()
        .where("contract_id", "=", id)
        .orderBy("id")
        .execute();
      const terms = await tx
        .selectFrom("contract_terms as ct")
        .innerJoin("terms_versions as tv", "tv.id", "ct.terms_version_id")
        .select(["tv.id", "tv.number", "tv.title", "tv.effective_on", "ct.since"])
        .where("ct.contract_id", "=", id)
        .orderBy("ct.since")
        .execute();
      return {
        ...presentContract(c),
        termsHistory: terms.map((t) => ({
          id: t.id,
          number: t.number,
          title: t.title,
          effectiveOn: t.effective_on,
          since: t.since,
        })),
        timeline: events.map((e) => ({
          at: new Date(e.at).toISOString(),
          businessDate: e.business_date,
          actorKind: e.actor_kind,
          actorId: e.actor_id,
          type: e.type,
          fromStatus: e.from_status,
          toStatus: e.to_status,
          reasonCode: e.reason_code,
          article: e.article,
          details: e.details,
        })),
      };
    });
  }

  /** "What if a cancellation arrived on X": effective date and months still billable (Art. 26, 29(3)). */
  async whatIf(
    auth: AuthContext,
    id: string,
    q: { received?: IsoDate; month?: string; reason?: CancellationReason },
  ) {
    const c = await this.scoped(auth, (tx) => loadContract(tx, id));
    return cancellation({
      start: c.start_date,
      received: q.received ?? this.today(),
      month: q.month,
      reason: q.reason,
      committedMonths: c.committed_months ?? undefined,
    });
  }

  /** A customer's own cancellation request, received now (Art. 26(1)(2)(3)). */
  async requestCancellation(auth: AuthContext, id: string, month?: string) {
    return this.cancel(auth, id, { receivedOn: this.today(), month, reason: "normal", channel: "portal" });
  }

  /** A paper cancellation entered by staff with its real receipt date. */
  async recordCancellation(
    auth: AuthContext,
    id: string,
    input: { receivedOn: IsoDate; month?: string; reason?: CancellationReason },
  ) {
    if (compareDates(input.receivedOn, this.today()) > 0)
      throw new AppError("validation_failed", "the receipt date cannot be in the future", {
        article: "26(2)",
      });
    return this.cancel(auth, id, { ...input, reason: input.reason ?? "normal", channel: "paper" });
  }

  private async cancel(
    auth: AuthContext,
    id: string,
    input: { receivedOn: IsoDate; month?: string; reason: CancellationReason; channel: string },
  ) {
    const actor = actorOf(auth);
    return this.scoped(auth, async (tx) => {
      const c = await loadContract(tx, id, true);
      checkTransition(c.status, "cancel");
      const r = cancellation({
        start: c.start_date,
        received: input.receivedOn,
        month: input.month,
        reason: input.reason,
        committedMonths: c.committed_months ?? undefined,
      });
      const ended = compareDates(r.result.effectiveDate, this.today()) < 0;
      const toStatus: ContractStatus = ended ? "terminated" : "terminating";
      await tx
        .updateTable("contracts")
        .set({
          status: toStatus,
          end_kind: "cancellation",
          end_reason: input.reason,
          cancellation_received_on: input.receivedOn,
          end_effective_on: r.result.effectiveDate,
          terminated_on: ended ? r.result.effectiveDate : null,
          updated_at: this.clock.now(),
        })
        .where("id", "=", id)
        .execute();
      const article =
        r.basis.find((b) => b.article.startsWith("26(") && b.article !== "26(1)")?.article ?? "26(2)";
      await this.event(tx, c, actor, {
        type: "cancellation_received",
        toStatus,
        reasonCode: input.reason,
        article,
        businessDate: input.receivedOn,
        details: {
          channel: input.channel,
          effectiveDate: r.result.effectiveDate,
          month: input.month ?? null,
          lastBillableMonth: r.result.lastBillableMonth,
        },
      });
      await this.notifyCustomer(
        tx,
        c.customer_id,
        c.id,
        "contract.cancellation",
        `【Unyo】解約のお申出を受理しました (${c.number})`,
        `契約番号 ${c.number} の解約のお申出を ${input.receivedOn} に受理しました(第26条第1項)。\n解約の効力発生日: ${r.result.effectiveDate}(第${article.replace(/\((\d+)\)/, "条第$1項")})\n${r.result.lastBillableMonth} 分までの料金等はお支払いいただきます(第29条第3項)。\n`,
        article,
        actor,
      );
      return { contract: presentContract(await loadContract(tx, id)), ...r };
    });
  }

  /** Cooling-off cancellation of a contract applied for on the web (Art. 42): ends it now, voids its charges (SPEC decision). */
  async coolingOffCancel(auth: AuthContext, id: string) {
    const actor = actorOf(auth);
    const today = this.today();
    return this.scoped(auth, async (tx) => {
      const c = await loadContract(tx, id, true);
      checkTransition(c.status, "cancel");
      if (!withinCoolingOff(c.applied_on, c.channel as Channel, today))
        throw new AppError(
          "conflict",
          c.channel === "web"
            ? `the cooling-off period ended ${coolingOff(c.applied_on, "web").result.lastDay}`
            : "cooling-off applies only to applications made on the web site",
          { article: "42" },
        );
      await tx
        .updateTable("contracts")
        .set({
          status: "terminated",
          end_kind: "cooling_off",
          end_reason: "cooling_off",
          cancellation_received_on: today,
          end_effective_on: today,
          terminated_on: today,
          charges_void: true,
          updated_at: this.clock.now(),
        })
        .where("id", "=", id)
        .execute();
      await this.event(tx, c, actor, {
        type: "cooling_off_cancellation",
        toStatus: "terminated",
        reasonCode: "cooling_off",
        article: "42",
        details: { chargesVoid: true },
      });
      await this.notifyCustomer(
        tx,
        c.customer_id,
        c.id,
        "contract.cooling_off",
        `【Unyo】クーリングオフによる解除 (${c.number})`,
        `契約番号 ${c.number} はクーリングオフにより ${today} に解除されました(第42条)。料金等は発生しません。\n`,
        "42",
        actor,
      );
      return presentContract(await loadContract(tx, id));
    });
  }

  /** 提供の停止 (Art. 21): without prior notice, for a coded reason; billed as if served (Art. 30(3)). */
  async suspend(auth: AuthContext, id: string, reason: SuspensionReason, note?: string) {
    return this.transition(auth, id, "suspend", async (tx, c, actor) => {
      await tx
        .updateTable("contracts")
        .set({ status: "suspended", suspension_reason: reason, updated_at: this.clock.now() })
        .where("id", "=", id)
        .execute();
      await this.event(tx, c, actor, {
        type: "suspended",
        toStatus: "suspended",
        reasonCode: reason,
        article: SUSPENSION_REASONS[reason].article,
        details: note ? { note } : undefined,
      });
      await this.notifyCustomer(
        tx,
        c.customer_id,
        c.id,
        "contract.suspended",
        `【Unyo】サービス提供停止のお知らせ (${c.number})`,
        `契約番号 ${c.number} のサービス提供を停止しました。理由: ${SUSPENSION_REASONS[reason].text}(第${SUSPENSION_REASONS[reason].article})\n停止期間中の料金等もお支払いいただきます(第30条第3項)。\n`,
        SUSPENSION_REASONS[reason].article,
        actor,
      );
    });
  }

  async resume(auth: AuthContext, id: string, note?: string) {
    return this.transition(auth, id, "resume", async (tx, c, actor) => {
      await tx
        .updateTable("contracts")
        .set({ status: "active", suspension_reason: null, updated_at: this.clock.now() })
        .where("id", "=", id)
        .execute();
      await this.event(tx, c, actor, {
        type: "resumed",
        toStatus: "active",
        article: "21",
        details: note ? { note } : undefined,
      });
    });
  }

  /** 緊急停止 (Art. 22): recorded by staff only (Art. 22(3): customers cannot request one through the system). */
  async emergencyStop(auth: AuthContext, id: string, note: string) {
    return this.transition(auth, id, "emergency_stop", async (tx, c, actor) => {
      await this.event(tx, c, actor, { type: "emergency_stop", article: "22(1)", details: { note } });
    });
  }

  /** 当社が行う利用契約の解除 (Art. 25): effective the day the notice arrives (25(4)); partial for some servers (25(6)). */
  async terminate(
    auth: AuthContext,
    id: string,
    input: { reason: TerminationReason; noticeArrivedOn: IsoDate; servers?: string[]; note?: string },
  ) {
    const reasonInfo = TERMINATION_REASONS[input.reason];
    return this.transition(auth, id, "terminate", async (tx, c, actor) => {
      if (compareDates(input.noticeArrivedOn, c.start_date) < 0)
        throw new AppError("validation_failed", "the notice cannot arrive before the contract started", {
          article: "25(4)",
        });
      if (input.reason === "suspension_not_cured" && c.status !== "suspended")
        throw new AppError("conflict", "termination for an uncured suspension needs a suspended contract", {
          article: "25(1)",
        });
      if (input.servers) {
        const servers = c.servers as { hostname: string }[];
        const unknown = input.servers.filter((h) => !servers.some((s) => s.hostname === h));
        if (unknown.length)
          throw new AppError("validation_failed", `not servers of this contract: ${unknown.join(", ")}`, {
            article: "25(6)",
          });
        const remaining = servers.filter((s) => !input.servers!.includes(s.hostname));
        if (remaining.length === 0)
          throw new AppError(
            "validation_failed",
            "a partial termination must leave at least one server; terminate the whole contract instead",
            { article: "25(6)" },
          );
        await tx
          .updateTable("contracts")
          .set({ servers: JSON.stringify(remaining), updated_at: this.clock.now() })
          .where("id", "=", id)
          .execute();
        await this.event(tx, c, actor, {
          type: "partial_termination",
          reasonCode: input.reason,
          article: "25(6)",
          businessDate: input.noticeArrivedOn,
          details: { servers: input.servers, basis: reasonInfo.article, note: input.note ?? null },
        });
        return;
      }
      if (compareDates(input.noticeArrivedOn, this.today()) > 0)
        throw new AppError(
          "validation_failed",
          "record a termination once its notice has arrived (the arrival day cannot be in the future)",
          { article: "25(4)" },
        );
      await tx
        .updateTable("contracts")
        .set({
          status: "terminated",
          end_kind: "termination",
          end_reason: input.reason,
          end_effective_on: input.noticeArrivedOn,
          terminated_on: input.noticeArrivedOn,
          updated_at: this.clock.now(),
        })
        .where("id", "=", id)
        .execute();
      await this.event(tx, c, actor, {
        type: "terminated",
        toStatus: "terminated",
        reasonCode: input.reason,
        article: reasonInfo.article,
        businessDate: input.noticeArrivedOn,
        details: { effectiveOn: input.noticeArrivedOn, effectiveRule: "25(4)", note: input.note ?? null },
      });
      await this.notifyCustomer(
        tx,
        c.customer_id,
        c.id,
        "contract.terminated",
        `【Unyo】利用契約解除のお知らせ (${c.number})`,
        `契約番号 ${c.number} の利用契約を解除しました。理由: ${reasonInfo.text}(第${reasonInfo.article})\n解除の効力は本通知の到着日に生じます(第25条第4項)。\n`,
        reasonInfo.article,
        actor,
      );
    });
  }

  /** 利用契約解除作業 (Art. 26(7)): schedule the deletion for a day in the month after the end, or later. */
  async scheduleDeletion(auth: AuthContext, id: string, on: IsoDate) {
    return this.transition(auth, id, "delete_data", async (tx, c, actor) => {
      const r = deletionDate(c.terminated_on!, on);
      await tx
        .updateTable("contracts")
        .set({ deletion_scheduled_on: on, updated_at: this.clock.now() })
        .where("id", "=", id)
        .execute();
      await this.event(tx, c, actor, {
        type: "deletion_scheduled",
        article: "26(7)",
        details: { on, earliest: r.result.earliest },
      });
    });
  }

  private async transition(
    auth: AuthContext,
    id: string,
    action: LifecycleAction,
    fn: (tx: Tx, c: ContractRow, actor: Actor) => Promise<void>,
  ) {
    const actor = actorOf(auth);
    return this.db.transaction().execute(async (tx) => {
      const c = await loadContract(tx, id, true);
      checkTransition(c.status, action);
      await fn(tx, c, actor);
      return presentContract(await loadContract(tx, id));
    });
  }

  // ---- scheduled lifecycle (run by the worker, idempotent, batched) ----

  /** Contracts whose end date has passed become terminated (the day after the effective date). */
  async completeEnds(today: IsoDate, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction().execute(async (tx) => {
        const due = await tx
          .selectFrom("contracts")
          .selectAll()
          .where("status", "=", "terminating")
          // A cancelled service runs to the effective date plus any late-start extension (Art. 36(2));
          // a termination or an abolition ends it on the date itself.
          .where(sql<boolean>`end_effective_on + ${EXTENSION} < ${today}::date`)
          .orderBy("id")
          .limit(batch)
          .forUpdate()
          .skipLocked()
          .execute();
        if (due.length === 0) return 0;
        await tx
          .updateTable("contracts")
          .set({
            status: "terminated",
            terminated_on: sql<string>`end_effective_on + ${EXTENSION}`,
            updated_at: this.clock.now(),
          })
          .where(
            "id",
            "in",
            due.map((c) => c.id),
          )
          .execute();
        await this.events(tx, due, { type: "ended", toStatus: "terminated", article: "26(2)" });
        return due.length;
      });
      total += n;
      if (n < batch) return total;
    }
  }

  /** Run the deletion work scheduled for today or earlier, recording what was deleted (Art. 26(7), 27). */
  async runDeletions(today: IsoDate, batch = 1000): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.db.transaction().execute(async (tx) => {
        const due = await tx
          .selectFrom("contracts")
          .selectAll()
          .where("status", "=", "terminated")
          .where("deletion_scheduled_on", "<=", today)
          .orderBy("id")
          .limit(batch)
          .forUpdate()
          .skipLocked()
          .execute();
        if (due.length === 0) return 0;
        await tx
          .updateTable("contracts")
          .set({ status: "data_deleted", data_deleted_on: today, updated_at: this.clock.now() })
          .where(
            "id",
            "in",
            due.map((c) => c.id),
          )
          .execute();
        await this.events(tx, due, {
          type: "data_deleted",
          toStatus: "data_deleted",
          article: "26(7)",
          detailsOf: (c) => ({ deleted: { servers: c.servers, monitoringRecords: true }, on: today }),
        });
        return due.length;
      });
      total += n;
      if (n < batch) return total;
    }
  }

  /** Set-based event + audit writes for a batch of contracts. */
  private async events(
    tx: Tx,
    rows: ContractRow[],
    e: { type: string; toStatus: ContractStatus; article: string; detailsOf?: (c: ContractRow) => unknown },
  ) {
    const at = this.clock.now();
    const today = tokyoDate(at);
    await tx
      .insertInto("contract_events")
      .values(
        rows.map((c) => ({
          contract_id: c.id,
          customer_id: c.customer_id,
          at,
          business_date: today,
          actor_kind: "system",
          actor_id: null,
          type: e.type,
          from_status: c.status,
          to_status: e.toStatus,
          reason_code: null,
          article: e.article,
          details: e.detailsOf ? JSON.stringify(e.detailsOf(c)) : null,
        })),
      )
      .execute();
    await appendAudit(tx, {
      actor: { kind: "system", id: null },
      action: `contract.${e.type}.batch`,
      subjectType: "contract",
      subjectId: null,
      after: { contracts: rows.map((c) => c.id) },
      article: e.article,
      at,
    });
  }

  // ---- terms versions (Art. 1, 2) and abolition (Art. 24) ----

  async publishTermsVersion(
    auth: AuthContext,
    input: { number: string; title: string; body: string; announcedOn: IsoDate; effectiveOn: IsoDate },
  ) {
    const check = termsChange(input.announcedOn, input.effectiveOn);
    if (!check.result.allowed)
      throw new AppError("validation_failed", check.basis[0]!.text, { article: "2", details: check.result });
    if (compareDates(input.announcedOn, this.today()) < 0)
      throw new AppError(
        "validation_failed",
        "a terms version is announced today or later, not in the past",
        { article: "2" },
      );
    const actor = actorOf(auth);
    return this.db.transaction().execute(async (tx) => {
      const exists = await tx
        .selectFrom("terms_versions")
        .select("id")
        .where("number", "=", input.number)
        .executeTakeFirst();
      if (exists) throw new AppError("conflict", `terms version ${input.number} already exists`);
      const row = await tx
        .insertInto("terms_versions")
        .values({
          number: input.number,
          title: input.title,
          body: input.body,
          announced_on: input.announcedOn,
          effective_on: input.effectiveOn,
          created_by: actor.id,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const customers = await tx
        .selectFrom("contracts")
        .select("customer_id")
        .distinct()
        .where("status", "in", ["active", "suspended", "terminating"])
        .execute();
      await queueNotice(tx, {
        kind: "announcement",
        topic: "terms.change",
        subject: `【Unyo】約款変更のお知らせ (${input.number})`,
        body: `運用支援サービス契約約款を改定します(第2条)。\n版: ${input.number} ${input.title}\n発表日: ${input.announcedOn}\n効力発生日: ${input.effectiveOn}\n変更後の約款をご承認いただけない場合は解約することができ、その効力は通知の到着日に生じます(第26条第6項)。\n`,
        article: "2",
        recipients: await customerRecipients(
          tx,
          customers.map((c) => c.customer_id),
        ),
        actor,
        at: this.clock.now(),
      });
      await appendAudit(tx, {
        actor,
        action: "terms.publish",
        subjectType: "terms_version",
        subjectId: row.id,
        after: { number: row.number, effectiveOn: row.effective_on },
        article: "2",
        at: this.clock.now(),
      });
      return {
        id: row.id,
        number: row.number,
        title: row.title,
        announcedOn: row.announced_on,
        effectiveOn: row.effective_on,
        basis: check.basis,
      };
    });
  }

  async listTermsVersions() {
    const rows = await this.db
      .selectFrom("terms_versions")
      .select(["id", "number", "title", "announced_on", "effective_on"])
      .orderBy("effective_on", "desc")
      .execute();
    return rows.map((r) => ({
      id: r.id,
      number: r.number,
      title: r.title,
      announcedOn: r.announced_on,
      effectiveOn: r.effective_on,
    }));
  }

  /** Terms versions reaching their effective date apply to every live contract (Art. 2). */
  async applyTermsVersions(today: IsoDate): Promise<number> {
    const res = await sql`
      INSERT INTO contract_terms (contract_id, customer_id, terms_version_id, since)
      SELECT c.id, c.customer_id, tv.id, tv.effective_on
      FROM terms_versions tv JOIN contracts c ON c.status IN ('active', 'suspended', 'terminating') AND c.start_date <= tv.effective_on
      WHERE tv.effective_on <= ${today}
        AND tv.effective_on = (SELECT max(effective_on) FROM terms_versions WHERE effective_on <= ${today})
      ON CONFLICT DO NOTHING`.execute(this.db);
    const n = Number(res.numAffectedRows ?? 0);
    if (n > 0)
      await sql`UPDATE contracts c SET terms_version_id = ct.terms_version_id FROM contract_terms ct
        WHERE ct.contract_id = c.id AND ct.since = (SELECT max(since) FROM contract_terms WHERE contract_id = c.id) AND c.terms_version_id IS DISTINCT FROM ct.terms_version_id`.execute(
        this.db,
      );
    return n;
  }

  async announceAbolition(
    auth: AuthContext,
    input: { title: string; body: string; noticeOn: IsoDate; abolitionOn: IsoDate; contractIds?: string[] },
  ) {
    const check = abolitionNotice(input.noticeOn, input.abolitionOn);
    if (!check.result.allowed)
      throw new AppError("validation_failed", check.basis[0]!.text, {
        article: "24(2)",
        details: check.result,
      });
    const actor = actorOf(auth);
    return this.db.transaction().execute(async (tx) => {
      let q = tx
        .selectFrom("contracts")
        .select(["id", "customer_id"])
        .where("status", "in", ["active", "suspended", "terminating"]);
      if (input.contractIds) q = q.where("id", "in", input.contractIds);
      const affected = await q.execute();
      if (input.contractIds && affected.length !== input.contractIds.length)
        throw new AppError("validation_failed", "some contracts are unknown or already ended", {
          article: "24(1)",
        });
      const notice = await queueNotice(tx, {
        kind: input.contractIds ? "notice" : "announcement",
        topic: "service.abolition",
        subject: `【Unyo】サービス廃止のお知らせ: ${input.title}`,
        body: `${input.body}\n\n廃止日: ${input.abolitionOn}(第24条第2項により2ヶ月前までに通知します)\n廃止日に利用契約は解除されます(第26条第5項)。\n`,
        article: "24(2)",
        recipients: await customerRecipients(tx, [...new Set(affected.map((a) => a.customer_id))]),
        actor,
        at: this.clock.now(),
      });
      const row = await tx
        .insertInto("abolitions")
        .values({
          title: input.title,
          body: input.body,
          notice_on: input.noticeOn,
          abolition_on: input.abolitionOn,
          contract_ids: input.contractIds ?? null,
          notice_id: notice.noticeId,
          created_by: actor.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        actor,
        action: "service.abolition_announce",
        subjectType: "abolition",
        subjectId: row.id,
        after: { abolitionOn: input.abolitionOn, contracts: affected.length },
        article: "24(2)",
        at: this.clock.now(),
      });
      return {
        id: row.id,
        abolitionOn: input.abolitionOn,
        affectedContracts: affected.length,
        basis: check.basis,
      };
    });
  }

  /** On the abolition date the affected contracts are cancelled (Art. 26(5)). */
  async applyAbolitions(today: IsoDate): Promise<number> {
    const due = await this.db
      .selectFrom("abolitions")
      .selectAll()
      .where("abolition_on", "<=", today)
      .where("applied_at", "is", null)
      .execute();
    let total = 0;
    for (const a of due) {
      total += await this.db.transaction().execute(async (tx) => {
        let q = tx
          .selectFrom("contracts")
          .selectAll()
          .where("status", "in", ["active", "suspended", "terminating"])
          .forUpdate();
        if (a.contract_ids) q = q.where("id", "in", a.contract_ids);
        const rows = await q.execute();
        if (rows.length > 0) {
          const ended = compareDates(a.abolition_on, today) < 0;
          await tx
            .updateTable("contracts")
            .set({
              status: ended ? "terminated" : "terminating",
              end_kind: "abolition",
              end_reason: "abolition",
              end_effective_on: a.abolition_on,
              terminated_on: ended ? a.abolition_on : null,
              updated_at: this.clock.now(),
            })
            .where(
              "id",
              "in",
              rows.map((r) => r.id),
            )
            .execute();
          await this.events(tx, rows, {
            type: "abolished",
            toStatus: ended ? "terminated" : "terminating",
            article: "26(5)",
            detailsOf: () => ({ abolitionId: a.id, abolitionOn: a.abolition_on }),
          });
        }
        await tx
          .updateTable("abolitions")
          .set({ applied_at: this.clock.now() })
          .where("id", "=", a.id)
          .execute();
        return rows.length;
      });
    }
    return total;
  }

  // ---- inquiries (Art. 44) ----

  async sendInquiry(
    auth: AuthContext,
    contractId: string,
    input: { subject: string; body: string; sentOn?: IsoDate },
  ) {
    const actor = actorOf(auth);
    const sentOn = input.sentOn ?? this.today();
    const d = inquiryDeadline(sentOn);
    return this.db.transaction().execute(async (tx) => {
      const c = await loadContract(tx, contractId);
      const row = await tx
        .insertInto("inquiries")
        .values({
          contract_id: c.id,
          customer_id: c.customer_id,
          subject: input.subject,
          body: input.body,
          sent_on: sentOn,
          deadline: d.result.deadline,
          created_by: actor.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await this.notifyCustomer(
        tx,
        c.customer_id,
        c.id,
        "inquiry",
        `【Unyo】お問合せ: ${input.subject}`,
        `${input.body}\n\nご回答期限: ${d.result.deadline}(第44条第3項)。期限を過ぎても必要なご回答がなく作業を行えない場合、サービスの全部又は一部の提供を取り止めることがあります。\n`,
        "44",
        actor,
      );
      await this.event(tx, c, actor, {
        type: "inquiry_sent",
        article: "44(1)",
        details: { inquiryId: row.id, deadline: d.result.deadline },
      });
      return { id: row.id, deadline: d.result.deadline, basis: d.basis };
    });
  }

  async listInquiries(auth: AuthContext, filter: { overdue?: boolean } = {}) {
    const today = this.today();
    return this.scoped(auth, async (tx) => {
      let q = tx
        .selectFrom("inquiries as i")
        .innerJoin("contracts as c", "c.id", "i.contract_id")
        .select([
          "i.id",
          "i.contract_id",
          "c.number",
          "i.subject",
          "i.body",
          "i.sent_on",
          "i.deadline",
          "i.answered_at",
          "i.answer",
          "i.overdue_flagged_at",
        ])
        .orderBy("i.deadline");
      if (filter.overdue) q = q.where("i.answered_at", "is", null).where("i.deadline", "<", today);
      const rows = await q.limit(1000).execute();
      return rows.map((r) => ({
        id: r.id,
        contractId: r.contract_id,
        contractNumber: r.number,
        subject: r.subject,
        body: r.body,
        sentOn: r.sent_on,
        deadline: r.deadline,
        answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null,
        answer: r.answer,
        overdue: !r.answered_at && compareDates(r.deadline, today) < 0,
        eligibleForStop: !!r.overdue_flagged_at && !r.answered_at,
      }));
    });
  }

  async answerInquiry(auth: AuthContext, id: string, answer: string) {
    const actor = actorOf(auth);
    return this.scoped(auth, async (tx) => {
      const row = await tx
        .selectFrom("inquiries")
        .selectAll()
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!row) throw notFound("inquiry");
      if (row.answered_at) throw new AppError("conflict", "this inquiry is already answered");
      await tx
        .updateTable("inquiries")
        .set({ answered_at: this.clock.now(), answer, answered_by: actor.id })
        .where("id", "=", id)
        .execute();
      await appendAudit(tx, {
        actor,
        action: "inquiry.answer",
        subjectType: "inquiry",
        subjectId: id,
        customerId: row.customer_id,
        article: "44(2)",
        at: this.clock.now(),
      });
    });
  }

  /** Reminders 7 days before the deadline; past the deadline, flag the contract eligible for stop (Art. 44(3)). */
  async inquiryJobs(today: IsoDate): Promise<{ reminded: number; flagged: number }> {
    return this.db.transaction().execute(async (tx) => {
      const remind = await tx
        .selectFrom("inquiries as i")
        .innerJoin("contracts as c", "c.id", "i.contract_id")
        .select(["i.id", "i.customer_id", "i.contract_id", "i.subject", "i.deadline", "c.number"])
        .where("i.answered_at", "is", null)
        .where("i.reminded_at", "is", null)
        .where(sql<boolean>`i.deadline - 7 <= ${today}::date`)
        .where("i.deadline", ">=", today)
        .forUpdate()
        .execute();
      for (const r of remind) {
        await queueNotice(tx, {
          kind: "notice",
          topic: "inquiry.reminder",
          subject: `【Unyo】お問合せへのご回答のお願い: ${r.subject}`,
          body: `契約番号 ${r.number} に関するお問合せのご回答期限は ${r.deadline} です(第44条第3項)。\n`,
          article: "44(3)",
          contractId: r.contract_id,
          recipients: await customerRecipients(tx, [r.customer_id]),
          actor: { kind: "system", id: null },
          at: this.clock.now(),
        });
      }
      if (remind.length)
        await tx
          .updateTable("inquiries")
          .set({ reminded_at: this.clock.now() })
          .where(
            "id",
            "in",
            remind.map((r) => r.id),
          )
          .execute();
      const overdue = await tx
        .updateTable("inquiries")
        .set({ overdue_flagged_at: this.clock.now() })
        .where("answered_at", "is", null)
        .where("overdue_flagged_at", "is", null)
        .where("deadline", "<", today)
        .returning(["contract_id", "customer_id"])
        .execute();
      if (overdue.length) {
        await tx
          .updateTable("contracts")
          .set({ eligible_for_stop: true })
          .where(
            "id",
            "in",
            overdue.map((o) => o.contract_id),
          )
          .execute();
        await appendAudit(tx, {
          actor: { kind: "system", id: null },
          action: "inquiry.overdue_flag",
          subjectType: "contract",
          after: { contracts: overdue.map((o) => o.contract_id) },
          article: "44(3)",
          at: this.clock.now(),
        });
      }
      return { reminded: remind.length, flagged: overdue.length };
    });
  }

  // ---- customer data changes (Art. 19, 20(4)) and succession (Art. 18) ----

  async requestCustomerChange(auth: AuthContext, changes: Record<string, unknown>) {
    if (auth.user.kind !== "customer")
      throw new AppError("forbidden", "customer users submit changes of their company data");
    return this.scoped(auth, async (tx) => {
      const row = await tx
        .insertInto("customer_changes")
        .values({
          customer_id: auth.user.customerId!,
          requested_by: auth.user.id,
          changes: JSON.stringify(changes),
        })
        .returning(["id", "status"])
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        actor: actorOf(auth),
        action: "customer.change_request",
        subjectType: "customer_change",
        subjectId: row.id,
        customerId: auth.user.customerId,
        after: changes,
        article: "20(4)",
        at: this.clock.now(),
      });
      return { id: row.id, status: row.status };
    });
  }

  async listCustomerChanges(auth: AuthContext, status?: string) {
    return this.scoped(auth, async (tx) => {
      let q = tx
        .selectFrom("customer_changes as cc")
        .innerJoin("customers as c", "c.id", "cc.customer_id")
        .select([
          "cc.id",
          "cc.customer_id",
          "c.legal_name",
          "cc.changes",
          "cc.status",
          "cc.requested_at",
          "cc.decided_at",
          "cc.decision_note",
        ])
        .orderBy("cc.requested_at", "desc");
      if (status) q = q.where("cc.status", "=", status as "pending");
      return (await q.limit(500).execute()).map((r) => ({
        id: r.id,
        customerId: r.customer_id,
        legalName: r.legal_name,
        changes: r.changes,
        status: r.status,
        requestedAt: new Date(r.requested_at).toISOString(),
        decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null,
        decisionNote: r.decision_note,
      }));
    });
  }

  /** Confirm (apply) or refuse a pending change; until then the old data is used everywhere (Art. 20(4)). */
  async decideCustomerChange(auth: AuthContext, id: string, confirm: boolean, note?: string) {
    const actor = actorOf(auth);
    return this.db.transaction().execute(async (tx) => {
      const ch = await tx
        .selectFrom("customer_changes")
        .selectAll()
        .where("id", "=", id)
        .forUpdate()
        .executeTakeFirst();
      if (!ch) throw notFound("change");
      if (ch.status !== "pending")
        throw new AppError("conflict", `the change is already ${ch.status}`, { article: "20(4)" });
      const before = await tx
        .selectFrom("customers")
        .select(["legal_name", "address", "billing_contact", "representatives"])
        .where("id", "=", ch.customer_id)
        .executeTakeFirstOrThrow();
      if (confirm) {
        const c = ch.changes as {
          legalName?: string;
          address?: string;
          billingContact?: unknown;
          representatives?: unknown;
        };
        await tx
          .updateTable("customers")
          .set({
            ...(c.legalName ? { legal_name: c.legalName } : {}),
            ...(c.address ? { address: c.address } : {}),
            ...(c.billingContact ? { billing_contact: JSON.stringify(c.billingContact) } : {}),
            ...(c.representatives ? { representatives: JSON.stringify(c.representatives) } : {}),
            updated_at: this.clock.now(),
          })
          .where("id", "=", ch.customer_id)
          .execute();
      }
      await tx
        .updateTable("customer_changes")
        .set({
          status: confirm ? "confirmed" : "refused",
          decided_by: actor.id,
          decided_at: this.clock.now(),
          decision_note: note ?? null,
        })
        .where("id", "=", id)
        .execute();
      await appendAudit(tx, {
        actor,
        action: confirm ? "customer.change_confirm" : "customer.change_refuse",
        subjectType: "customer",
        subjectId: ch.customer_id,
        customerId: ch.customer_id,
        before,
        after: ch.changes,
        article: "20(4)",
        at: this.clock.now(),
      });
    });
  }

  /** 地位継承 (Art. 18): after the acceptance check is re-run, the contract's customer becomes the successor; history kept. */
  async succeed(
    auth: AuthContext,
    contractId: string,
    input: { legalName: string; corporateNumber: string; address?: string; note?: string },
  ) {
    checkCorporateNumber(input.corporateNumber);
    const actor = actorOf(auth);
    return this.db.transaction().execute(async (tx) => {
      const c = await loadContract(tx, contractId, true);
      if (!["active", "suspended", "terminating"].includes(c.status))
        throw new AppError("conflict", `a ${c.status} contract cannot be succeeded`, { article: "18" });
      const before = await tx
        .selectFrom("customers")
        .select(["legal_name", "corporate_number", "address"])
        .where("id", "=", c.customer_id)
        .executeTakeFirstOrThrow();
      await tx
        .updateTable("customers")
        .set({
          legal_name: input.legalName,
          corporate_number: input.corporateNumber,
          ...(input.address ? { address: input.address } : {}),
          updated_at: this.clock.now(),
        })
        .where("id", "=", c.customer_id)
        .execute();
      await this.event(tx, c, actor, {
        type: "succession",
        article: "18",
        details: {
          from: { legalName: before.legal_name, corporateNumber: before.corporate_number?.trim() },
          to: { legalName: input.legalName, corporateNumber: input.corporateNumber },
          acceptanceCheck: "17: passed",
          note: input.note ?? null,
        },
      });
      return presentContract(await loadContract(tx, contractId));
    });
  }
}

function presentApplication(a: {
  id: string;
  number: string;
  channel: string;
  received_on: string;
  status: string;
  legal_name: string;
  corporate_number: string;
  form: unknown;
  applicant_email: string;
  rejection_reason: string | null;
  rejection_note: string | null;
  decided_at: Date | null;
  customer_id: string | null;
  contract_id: string | null;
}) {
  return {
    id: a.id,
    number: a.number,
    channel: a.channel,
    receivedOn: a.received_on,
    status: a.status,
    legalName: a.legal_name,
    corporateNumber: a.corporate_number.trim(),
    form: a.form,
    applicantEmail: a.applicant_email,
    rejectionReason: a.rejection_reason,
    rejectionNote: a.rejection_note,
    decidedAt: a.decided_at ? new Date(a.decided_at).toISOString() : null,
    customerId: a.customer_id,
    contractId: a.contract_id,
    coolingOffLastDay: coolingOff(a.received_on, a.channel as Channel).result.lastDay,
  };
}
