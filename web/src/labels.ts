/**
 * Codes the API answers (statuses, timeline events, actors, channels, deliveries, reasons) in the
 * reader's language. A code with no label yet is shown as it is, so nothing disappears.
 */
import { type MessageKey, messages, useT } from "./i18n.ts";

const has = (key: string): key is MessageKey => key in messages.ja;

/** The fee kinds of Art. 29(1). */
export const FEE_KIND_LABEL: Record<string, MessageKey> = {
  initial: "billing.kindInitial",
  monthly: "billing.kindMonthly",
  usage: "billing.kindUsage",
  annual: "billing.kindAnnual",
  other: "billing.kindOther",
};

export function useLabels() {
  const t = useT();
  const label = (prefix: string) => (code: string | null | undefined) => {
    if (!code) return "";
    const key = `${prefix}.${code}`;
    return has(key) ? t(key) : code;
  };
  return {
    status: label("status"),
    event: label("event"),
    actor: label("actor"),
    channel: label("channel"),
    delivery: label("delivery"),
    reason: label("reason"),
    plan: label("plan"),
    option: label("option"),
    provider: label("provider"),
    role: label("role"),
    actorKind: label("actorKind"),
    /** Monitoring: a check's state, kind, a failure or pause code, custody's kinds and statuses. */
    checkState: label("monitoring.state"),
    checkKind: label("monitoring.kind"),
    pauseReason: label("monitoring.pause"),
    credentialKind: label("monitoring.credential"),
    revealStatus: label("monitoring.reveal"),
    osFamily: label("monitoring.os"),
    itemKind: label("monitoring.itemKind"),
    /** Why a check failed or was paused (a failure code of the probe, or a pause's reason). */
    checkCode: (code: string | null | undefined) => {
      if (!code) return "";
      for (const prefix of ["monitoring.code", "monitoring.pause"]) {
        const key = `${prefix}.${code}`;
        if (has(key)) return t(key);
      }
      return code;
    },
    /** An audit entry's action: a contract's are its timeline events; an action with no words yet is "other". */
    audit: (action: string): { text: string; known: boolean } => {
      const key = action.startsWith("contract.") ? `event.${action.slice(9)}` : `audit.${action}`;
      return has(key) ? { text: t(key), known: true } : { text: t("audit.other"), known: false };
    },
    feeKind: (kind: string) => t(FEE_KIND_LABEL[kind] ?? "billing.kindOther"),
  };
}
