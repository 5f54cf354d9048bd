/**
 * The incidents room's decisions (障害対応, Art. 21–23, 30(4), 36, 43), pure: severities and how an
 * alert's labels map to one, the dedupe key of an incident, when paging is muted (maintenance,
 * emergency stop, suspension), the prior-notice deadline of a planned interruption (Art. 23(3)),
 * escalation timing, and which incidents become unavailability periods for the SLA (Art. 30(4), 36).
 */
import { type Basis, cite, type Explained } from "../core/citations.ts";
import { AppError } from "../core/errors.ts";

export const SEVERITIES = ["critical", "major", "minor", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const INCIDENT_STATUSES = ["open", "acknowledged", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const MUTES = ["maintenance", "emergency_stop", "suspension"] as const;
export type Mute = (typeof MUTES)[number];
export const INTEGRATION_KINDS = ["alertmanager", "zabbix", "generic"] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];
export const WINDOW_SCOPES = ["item", "contract", "service"] as const;
export type WindowScope = (typeof WINDOW_SCOPES)[number];
/** Why the service is interrupted: Art. 23(1)(1) maintenance, 23(1)(2) a failure, 23(2) a carrier. */
export const WINDOW_REASONS = ["maintenance", "failure", "carrier"] as const;
export type WindowReason = (typeof WINDOW_REASONS)[number];
export const WINDOW_ARTICLE: Record<WindowReason, string> = {
  maintenance: "23(1)",
  failure: "23(1)",
  carrier: "23(2)",
};
export const PREFERENCES = ["all", "major", "none"] as const;
export type Preference = (typeof PREFERENCES)[number];

/** Higher is worse. */
export const severityRank = (s: Severity): number => 3 - SEVERITIES.indexOf(s);
export const atLeast = (s: Severity, min: Severity): boolean => severityRank(s) >= severityRank(min);

/**
 * An alert's severity from its labels: Prometheus' conventional `severity` label (critical, error,
 * warning, info and common synonyms) and Zabbix' six levels (Disaster … Not classified). Anything
 * else takes the integration's default.
 */
export function severityOf(label: string | undefined | null, fallback: Severity): Severity {
  const v = (label ?? "").trim().toLowerCase();
  switch (v) {
    case "critical":
    case "crit":
    case "page":
    case "emergency":
    case "fatal":
    case "disaster":
    case "high":
    case "p1":
    case "5":
    case "4":
      return "critical";
    case "major":
    case "error":
    case "err":
    case "average":
    case "p2":
    case "3":
      return "major";
    case "minor":
    case "warning":
    case "warn":
    case "low":
    case "p3":
    case "2":
      return "minor";
    case "info":
    case "information":
    case "informational":
    case "notice":
    case "not classified":
    case "none":
    case "p4":
    case "p5":
    case "1":
    case "0":
      return "info";
    default:
      return fallback;
  }
}

/** One open incident per check, or per alert fingerprint of an integration. */
export const checkKey = (checkId: string) => `check:${checkId}`;
export const alertKey = (integrationId: string, fingerprint: string) =>
  `alert:${integrationId}:${fingerprint}`;

/** The articles a mute rests on. */
export const MUTE_ARTICLE: Record<Mute, string> = {
  maintenance: "23(1)",
  emergency_stop: "22(1)",
  suspension: "21(1)",
};

/**
 * Whether paging is muted for a server at a time, and why: inside a planned interruption (Art. 23,
 * the customer was told beforehand), while its contract is suspended (Art. 21: the service is not
 * provided), or while it is under an emergency stop (Art. 22). Such incidents are recorded but page
 * no one and are not the provider's unavailability.
 */
export function muteOf(input: {
  windows: { id: string }[];
  contractStatus: string | null;
  emergencyStopped: boolean;
}): { mute: Mute; article: string; windowId: string | null } | null {
  const w = input.windows[0];
  if (w) return { mute: "maintenance", article: MUTE_ARTICLE.maintenance, windowId: w.id };
  if (input.emergencyStopped)
    return { mute: "emergency_stop", article: MUTE_ARTICLE.emergency_stop, windowId: null };
  if (input.contractStatus === "suspended")
    return { mute: "suspension", article: MUTE_ARTICLE.suspension, windowId: null };
  return null;
}

const DAY = 86_400_000;

/**
 * The prior notice of a planned interruption (Art. 23(3)): the affected customers are told at least
 * `leadDays` days before it starts (the provider's rule, a setting). Later than that it is refused —
 * unless it is an emergency or unavoidable (the proviso of Art. 23(3)), which needs a stated reason.
 */
export function noticeDeadline(input: {
  startsAt: Date;
  endsAt: Date;
  now: Date;
  leadDays: number;
  emergency: boolean;
  emergencyReason?: string | null | undefined;
}): Explained<{ deadline: Date }> {
  const deadline = new Date(input.startsAt.getTime() - input.leadDays * DAY);
  if (!(input.endsAt > input.startsAt))
    throw new AppError("validation_failed", "a maintenance window ends after it starts", {
      article: "23(1)",
      details: { endsAt: ["before_start"] },
    });
  if (input.endsAt <= input.now)
    throw new AppError("validation_failed", "a maintenance window that is already over cannot be announced", {
      article: "23(3)",
      details: { endsAt: ["past"] },
    });
  const basis: Basis[] = [];
  if (input.emergency) {
    if (!input.emergencyReason?.trim())
      throw new AppError(
        "validation_failed",
        "an interruption without the prior notice needs the emergency stated (Art. 23(3) proviso)",
        { article: "23(3)", details: { emergencyReason: ["required"] } },
      );
    basis.push(
      cite(
        "23(3)",
        "An emergency or unavoidable interruption: notified as soon as it is decided, without the prior-notice period.",
        "緊急時又はやむを得ない場合の中止のため、事前通知の期間を置かず、決定次第通知します。",
      ),
    );
    return { result: { deadline }, basis };
  }
  if (input.now > deadline)
    throw new AppError(
      "validation_failed",
      `a planned interruption must be notified at least ${input.leadDays} days before it starts (by ${jst(deadline)} JST); it is too late — move it, or state an emergency`,
      {
        article: "23(3)",
        details: {
          startsAt: ["notice_too_late"],
          deadline: deadline.toISOString(),
          leadDays: input.leadDays,
        },
      },
    );
  basis.push(
    cite(
      "23(3)",
      `The affected customers are notified now, at least ${input.leadDays} days before the interruption starts (deadline ${jst(deadline)} JST).`,
      `中止の開始の${input.leadDays}日前(${jst(deadline)})までに、影響を受ける契約者へ事前に通知します。`,
    ),
  );
  return { result: { deadline }, basis };
}

const jst = (d: Date) => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");

// ---- Escalation -----------------------------------------------------------------------------------

export interface EscalationTarget {
  kind: "schedule" | "user";
  id: string;
}
export interface EscalationStep {
  /** Minutes to wait after notifying this step before the next one (or before repeating). */
  escalateAfterMinutes: number;
  targets: EscalationTarget[];
}
export interface EscalationPolicy {
  steps: EscalationStep[];
  /** How many times the whole policy runs again after its last step when nobody acknowledges. */
  repeat: number;
}

export function policyProblems(p: EscalationPolicy): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (p.steps.length === 0) out.push({ path: "steps", message: "a policy needs at least one step" });
  if (p.steps.length > 10) out.push({ path: "steps", message: "at most 10 steps" });
  for (const [i, s] of p.steps.entries()) {
    if (
      !Number.isInteger(s.escalateAfterMinutes) ||
      s.escalateAfterMinutes < 1 ||
      s.escalateAfterMinutes > 1440
    )
      out.push({ path: `steps.${i}.escalateAfterMinutes`, message: "whole minutes from 1 to 1440" });
    if (s.targets.length === 0) out.push({ path: `steps.${i}.targets`, message: "a step notifies someone" });
  }
  if (!Number.isInteger(p.repeat) || p.repeat < 0 || p.repeat > 10)
    out.push({ path: "repeat", message: "0 to 10 repeats" });
  return out;
}

/**
 * After step `step` of round `round` was notified at `at`: the next step and when it is due, or null
 * when the policy is exhausted (the last step of the last round). Acknowledging stops it.
 */
export function nextEscalation(
  p: EscalationPolicy,
  step: number,
  round: number,
  at: Date,
): { step: number; round: number; at: Date } | null {
  const s = p.steps[step];
  if (!s) return null;
  const due = new Date(at.getTime() + s.escalateAfterMinutes * 60_000);
  if (step + 1 < p.steps.length) return { step: step + 1, round, at: due };
  if (round < p.repeat) return { step: 0, round: round + 1, at: due };
  return null;
}

// ---- The SLA chain (Art. 30(4), 36) -----------------------------------------------------------------

export interface IncidentFacts {
  status: IncidentStatus;
  awareAt: Date;
  restoredAt: Date | null;
  attribution: "provider" | "customer" | "carrier" | "cloud";
  muted: Mute | null;
  contractId: string | null;
  /** A complete unavailability of the service (利用が全くできない状態), not a degradation. */
  outage: boolean;
}

/**
 * Whether an incident is an unavailability period of its contract, and why (not): restored, an
 * outage, with a contract, not muted. The attribution travels with the period; billing's SLA rule
 * counts only the provider's (Art. 36(1)(3)(4)), so a period of another attribution is still kept
 * (it shows on the contract as excluded, with its article).
 */
export function periodOf(i: IncidentFacts): { start: Date; end: Date } | { none: string; article: string } {
  if (!i.contractId) return { none: "the incident concerns no contract", article: "30(4)" };
  if (i.muted)
    return {
      none: `muted (${i.muted}): not an unavailability of the service as contracted`,
      article: MUTE_ARTICLE[i.muted],
    };
  if (!i.outage) return { none: "a degradation, not a complete unavailability", article: "36(1)" };
  if (!i.restoredAt) return { none: "not restored yet", article: "30(4)" };
  if (!(i.restoredAt > i.awareAt))
    return { none: "restored before the provider became aware", article: "30(4)" };
  return { start: i.awareAt, end: i.restoredAt };
}

/**
 * The incidents room runs on real time, like monitoring: its signals are stamped by probes and by
 * the customers' monitoring as they happen, and a rehearsal's test clock must not move awareness,
 * restoration or a maintenance window's notice deadline.
 */
export const realNow = () => new Date();
