/**
 * Terms versions (Art. 1, 2): published with at least 14 days' notice and announced to the customers;
 * on its effective date a version applies to the live contracts, each keeping the history of the
 * versions it was subject to. The terms room knows nothing of contracts: who is announced to and which
 * contracts a version applies to come from the caller (the contracts room, through routes and jobs).
 */

import { appendAudit } from "../audit/service.ts";
import type { IsoDate } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import type { Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { customerRecipients, queueNotice } from "../notices/service.ts";
import { termsChange } from "./rules.ts";
import type { TermsVersionView } from "./schemas.ts";
import {
  insertVersion,
  listVersions,
  type SubjectsQuery,
  subject,
  subjectLiveContracts,
  versionById,
  versionByNumber,
  versionInEffect,
} from "./store.ts";

export async function publishTermsVersion(
  deps: Deps,
  auth: AuthContext,
  input: { number: string; title: string; body: string; announcedOn: IsoDate; effectiveOn: IsoDate },
  /** The customers the change is announced to (those with a live contract). */
  audience: (tx: Tx) => Promise<string[]>,
) {
  const check = termsChange(input.announcedOn, input.effectiveOn);
  if (!check.result.allowed)
    throw new AppError("validation_failed", check.basis[0]!.text, { article: "2", details: check.result });
  if (input.announcedOn < todayOf(deps))
    throw new AppError("validation_failed", "a terms version is announced today or later, not in the past", {
      article: "2",
    });
  const actor = actorOf(auth);
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    if (await versionByNumber(tx, input.number))
      throw new AppError("conflict", `terms version ${input.number} already exists`);
    const row = await insertVersion(tx, {
      number: input.number,
      title: input.title,
      body: input.body,
      announced_on: input.announcedOn,
      effective_on: input.effectiveOn,
      created_by: actor.id,
    });
    await queueNotice(deps, tx, {
      kind: "announcement",
      topic: "terms.change",
      subject: `【Unyo】約款変更のお知らせ (${input.number})`,
      body: `運用支援サービス契約約款を改定します(第2条)。\n版: ${input.number} ${input.title}\n発表日: ${input.announcedOn}\n効力発生日: ${input.effectiveOn}\n変更後の約款をご承認いただけない場合は解約することができ、その効力は通知の到着日に生じます(第26条第6項)。\n`,
      article: "2",
      recipients: await customerRecipients(tx, await audience(tx)),
      actor,
      at,
    });
    await appendAudit(tx, {
      actor,
      action: "terms.publish",
      subjectType: "terms_version",
      subjectId: row.id,
      after: { number: row.number, effectiveOn: row.effective_on },
      article: "2",
      at,
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

export async function listTermsVersions(
  deps: Pick<Deps, "db">,
  page: PageRequest = {},
): Promise<Page<TermsVersionView>> {
  return mapPage(listVersions(deps.db, page), (r) => ({
    id: r.id,
    number: r.number,
    title: r.title,
    announcedOn: r.announced_on,
    effectiveOn: r.effective_on,
  }));
}

/** The version in effect on its date applies to the live contracts (Art. 2); idempotent. */
export async function applyTermsVersions(
  deps: Pick<Deps, "db">,
  today: IsoDate,
  /** The contracts (id, customer_id) a version effective on a day applies to. */
  subjects: SubjectsQuery,
): Promise<number> {
  const version = await versionInEffect(deps.db, today);
  if (!version) return 0;
  return deps.db.transaction().execute((tx) => subjectLiveContracts(tx, version, subjects));
}

/** A new contract is subject to the version in effect on its start date; returns its id, if any. */
export async function subjectToVersionInEffect(
  tx: Tx,
  contract: { id: string; customer_id: string },
  startDate: IsoDate,
): Promise<string | null> {
  const version = await versionInEffect(tx, startDate);
  if (!version) return null;
  await subject(tx, {
    contract_id: contract.id,
    customer_id: contract.customer_id,
    terms_version_id: version.id,
    since: startDate,
  });
  return version.id;
}

/** The version in force on a day (Art. 2), as an applicant is asked to consent to it; null before any. */
export async function versionInForce(
  deps: Pick<Deps, "db">,
  day: IsoDate,
): Promise<{ id: string; number: string; title: string; effectiveOn: IsoDate } | null> {
  const v = await versionInEffect(deps.db, day);
  return v ? { id: v.id, number: v.number, title: v.title, effectiveOn: v.effective_on } : null;
}

/** One version with its text (the terms are public). */
export async function termsVersion(deps: Pick<Deps, "db">, id: string) {
  const v = await versionById(deps.db, id);
  if (!v) throw notFound("terms version");
  return {
    id: v.id,
    number: v.number,
    title: v.title,
    body: v.body,
    announcedOn: v.announced_on,
    effectiveOn: v.effective_on,
  };
}
