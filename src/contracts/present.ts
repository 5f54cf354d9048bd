/** Contracts and applications as the API shows them: built field by field from their rows. */
import { coolingOff, minimumTerm } from "./rules.ts";
import type { ApplicationView, ContractDetail, ContractView } from "./schemas.ts";
import type { ApplicationRow, ContractEventRow, ContractRow } from "./store.ts";

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function presentContract(c: ContractRow): ContractView {
  const term = minimumTerm(c.start_date, c.committed_months ?? undefined);
  const cooling = coolingOff(c.applied_on, c.channel as "web" | "paper" | "email");
  return {
    id: c.id,
    number: c.number,
    customerId: c.customer_id,
    status: c.status,
    plan: c.plan,
    options: c.options,
    servers: c.servers as ContractView["servers"],
    channel: c.channel,
    appliedOn: c.applied_on,
    startDate: c.start_date,
    committedMonths: c.committed_months,
    minimumTermEnd: term.result.minimumTermEnd,
    coolingOffLastDay: cooling.result.lastDay,
    suspensionReason: c.suspension_reason,
    suspensionCandidate: c.suspension_candidate,
    endKind: c.end_kind,
    endReason: c.end_reason,
    endArticle: c.end_article,
    cancellationReceivedOn: c.cancellation_received_on,
    endEffectiveOn: c.end_effective_on,
    extensionDays: c.extension_days,
    serviceUntil: c.service_until,
    terminatedOn: c.terminated_on,
    deletionScheduledOn: c.deletion_scheduled_on,
    dataDeletedOn: c.data_deleted_on,
    eligibleForStop: c.eligible_for_stop,
    chargesVoid: c.charges_void,
    basis: [...term.basis, ...cooling.basis],
  };
}

export function presentContractDetail(
  c: ContractRow,
  events: ContractEventRow[],
  terms: { id: string; number: string; title: string; effective_on: string; since: string }[],
): ContractDetail {
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
      details: e.details as Record<string, unknown> | null,
    })),
  };
}

export function presentApplication(a: ApplicationRow, termsNumbers: Map<string, string>): ApplicationView {
  return {
    id: a.id,
    number: a.number,
    channel: a.channel,
    receivedOn: a.received_on,
    status: a.status,
    legalName: a.legal_name,
    corporateNumber: a.corporate_number.trim(),
    form: a.form as ApplicationView["form"],
    applicantEmail: a.applicant_email,
    rejectionReason: a.rejection_reason,
    rejectionNote: a.rejection_note,
    decidedAt: iso(a.decided_at),
    customerId: a.customer_id,
    contractId: a.contract_id,
    coolingOffLastDay: coolingOff(a.received_on, a.channel).result.lastDay,
    consent: a.consented_at
      ? {
          termsVersionId: a.terms_version_id,
          termsNumber: a.terms_version_id ? (termsNumbers.get(a.terms_version_id) ?? null) : null,
          privacyNotice: a.privacy_notice,
          at: a.consented_at.toISOString(),
        }
      : null,
  };
}
