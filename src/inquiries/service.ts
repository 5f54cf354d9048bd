/**
 * The provider's inquiries to a customer (問合せ, Art. 44): a response deadline one calendar month
 * after the inquiry, a reminder before it, and — past it, unanswered — the contract flagged eligible
 * for a stop (an operator decides).
 */

import { appendAudit, systemActor } from "../audit/service.ts";
import { event, loadContract, notifyCustomer } from "../contracts/common.ts";
import { markEligibleForStop } from "../contracts/flags.ts";
import { numbersOf } from "../contracts/store.ts";
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { customerRecipients, queueNotice } from "../notices/service.ts";
import { inquiryDeadline, remindDeadlinesUpTo } from "./rules.ts";
import type { InquiryView } from "./schemas.ts";
import {
  flagOverdueInquiries,
  inquiriesToRemind,
  inquiryById,
  insertInquiry,
  listInquiryRows,
  markReminded,
  updateInquiry,
} from "./store.ts";

export async function sendInquiry(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: { subject: string; body: string; sentOn?: IsoDate },
) {
  const actor = actorOf(auth);
  const sentOn = input.sentOn ?? todayOf(deps);
  const d = inquiryDeadline(sentOn);
  return deps.db.transaction().execute(async (tx) => {
    const c = await loadContract(tx, contractId);
    const row = await insertInquiry(tx, {
      contract_id: c.id,
      customer_id: c.customer_id,
      subject: input.subject,
      body: input.body,
      sent_on: sentOn,
      deadline: d.result.deadline,
      created_by: actor.id,
    });
    await notifyCustomer(deps, tx, c, {
      topic: "inquiry",
      subject: `【Unyo】お問合せ: ${input.subject}`,
      body: `${input.body}\n\nご回答期限: ${d.result.deadline}(第44条第3項)。期限を過ぎても必要なご回答がなく作業を行えない場合、サービスの全部又は一部の提供を取り止めることがあります。\n`,
      article: "44",
      actor,
    });
    await event(deps, tx, c, actor, {
      type: "inquiry_sent",
      article: "44(1)",
      details: { inquiryId: row.id, deadline: d.result.deadline },
    });
    return { id: row.id, deadline: d.result.deadline, basis: d.basis };
  });
}

export async function listInquiries(
  deps: Deps,
  auth: AuthContext,
  filter: {
    overdue?: boolean | undefined;
    answered?: boolean | undefined;
    q?: string | undefined;
  } & PageRequest = {},
): Promise<Page<InquiryView>> {
  const today = todayOf(deps);
  return asCaller(deps.db, auth, async (tx) => {
    const page = await listInquiryRows(
      tx,
      { ...(filter.overdue ? { overdueAsOf: today } : {}), answered: filter.answered, q: filter.q },
      filter,
    );
    const numbers = await numbersOf(
      tx,
      page.items.map((r) => r.contract_id),
    );
    return mapPage(page, (r) => ({
      id: r.id,
      contractId: r.contract_id,
      contractNumber: numbers.get(r.contract_id) ?? "",
      subject: r.subject,
      body: r.body,
      sentOn: r.sent_on,
      deadline: r.deadline,
      answeredAt: r.answered_at ? new Date(r.answered_at).toISOString() : null,
      answer: r.answer,
      overdue: !r.answered_at && r.deadline < today,
      eligibleForStop: !!r.overdue_flagged_at && !r.answered_at,
    }));
  });
}

export async function answerInquiry(deps: Deps, auth: AuthContext, id: string, answer: string) {
  const actor = actorOf(auth);
  return asCaller(deps.db, auth, async (tx) => {
    const row = await inquiryById(tx, id, true);
    if (!row) throw notFound("inquiry");
    if (row.answered_at) throw new AppError("conflict", "this inquiry is already answered");
    await updateInquiry(tx, id, { answered_at: deps.clock.now(), answer, answered_by: actor.id });
    await appendAudit(tx, {
      actor,
      action: "inquiry.answer",
      subjectType: "inquiry",
      subjectId: id,
      customerId: row.customer_id,
      article: "44(2)",
      at: deps.clock.now(),
    });
  });
}

/** Reminders before the deadline; past it, the contract is flagged eligible for stop (Art. 44(3)). */
export async function inquiryJobs(
  deps: Deps,
  today: IsoDate,
): Promise<{ reminded: number; flagged: number }> {
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const remind = await inquiriesToRemind(tx, today, remindDeadlinesUpTo(today));
    const numbers = await numbersOf(
      tx,
      remind.map((r) => r.contract_id),
    );
    for (const r of remind)
      await queueNotice(deps, tx, {
        kind: "notice",
        topic: "inquiry.reminder",
        subject: `【Unyo】お問合せへのご回答のお願い: ${r.subject}`,
        body: `契約番号 ${numbers.get(r.contract_id)} に関するお問合せのご回答期限は ${r.deadline} です(第44条第3項)。\n`,
        article: "44(3)",
        contractId: r.contract_id,
        recipients: await customerRecipients(tx, [r.customer_id]),
        actor: systemActor,
        at,
      });
    await markReminded(
      tx,
      remind.map((r) => r.id),
      at,
    );
    const overdue = await flagOverdueInquiries(tx, today, at);
    if (overdue.length) {
      await markEligibleForStop(
        tx,
        overdue.map((o) => o.contract_id),
      );
      await appendAudit(tx, {
        actor: systemActor,
        action: "inquiry.overdue_flag",
        subjectType: "contract",
        after: { contracts: overdue.map((o) => o.contract_id) },
        article: "44(3)",
        at,
      });
    }
    return { reminded: remind.length, flagged: overdue.length };
  });
}
