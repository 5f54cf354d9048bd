/**
 * Unavailability and the SLA (Art. 30(4), 36), and the damages cap (Art. 39): staff record periods
 * from awareness to restoration with their attribution; the contract's billing view shows the month's
 * charges, the SLA credit, the credits given and the cap.
 */
import { appendAudit } from "../audit/service.ts";
import { contractOwner } from "../contracts/store.ts";
import { type IsoMonth, monthOf } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import type { Tx } from "../db/db.ts";
import { asCaller } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { contractCharges } from "./contract-facts.ts";
import { PriceBook } from "./price-book.ts";
import {
  type Attribution,
  chargesForMonth,
  damagesCap,
  monthlyFeeOf,
  outagesOf,
  slaCredit,
} from "./rules.ts";
import {
  creditsOfContract,
  deleteIncidentPeriod,
  insertPeriod,
  periodsOfContract,
  upsertIncidentPeriod,
} from "./store/sla.ts";

export async function addUnavailability(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: {
    startedAt: string;
    endedAt: string;
    attribution: Attribution;
    cause: "emergency_stop" | "interruption" | "abolition" | "failure";
    note?: string;
  },
) {
  const start = new Date(input.startedAt);
  const end = new Date(input.endedAt);
  if (!(end > start))
    throw new AppError("validation_failed", "restoration must come after awareness", {
      article: "30(4)",
      details: { endedAt: ["before_start"] },
    });
  if (end > deps.clock.now())
    throw new AppError(
      "validation_failed",
      "an unavailability period is recorded once restored (its end is in the future)",
      {
        article: "30(4)",
        details: { endedAt: ["future"] },
      },
    );
  return deps.db.transaction().execute(async (tx) => {
    const c = await contractOwner(tx, contractId);
    if (!c) throw notFound("contract");
    const row = await insertPeriod(tx, {
      contract_id: c.id,
      customer_id: c.customer_id,
      started_at: start,
      ended_at: end,
      attribution: input.attribution,
      cause: input.cause,
      note: input.note ?? null,
      created_by: auth.user.id,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "billing.unavailability.recorded",
      subjectType: "contract",
      subjectId: c.id,
      customerId: c.customer_id,
      after: input,
      article: "30(4)",
      at: deps.clock.now(),
    });
    return { id: row.id };
  });
}

/**
 * The unavailability period an incident is (Art. 30(4)), in the incident's transaction: written when it
 * is restored and again whenever staff correct its times, attribution or cause; removed when it is no
 * longer one (`period` null). The next billing run turns the month's periods into the SLA credit
 * (Art. 36(1)); a correction after an invoice was issued shows as the difference on the next one.
 */
export async function syncIncidentPeriod(
  tx: Tx,
  incident: { id: string; reference: string; contractId: string; customerId: string; title: string },
  period: {
    startedAt: Date;
    endedAt: Date;
    attribution: Attribution;
    cause: "emergency_stop" | "interruption" | "abolition" | "failure";
  } | null,
): Promise<"recorded" | "removed" | "none"> {
  if (!period) return (await deleteIncidentPeriod(tx, incident.id)) > 0 ? "removed" : "none";
  await upsertIncidentPeriod(tx, {
    incident_id: incident.id,
    contract_id: incident.contractId,
    customer_id: incident.customerId,
    started_at: period.startedAt,
    ended_at: period.endedAt,
    attribution: period.attribution,
    cause: period.cause,
    note: `${incident.reference}: ${incident.title}`.slice(0, 500),
    reference: incident.reference,
    created_by: null,
  });
  return "recorded";
}

/** The contract's billing view: periods, SLA per month, credits given, damages cap, cancelled options. */
export async function contractBilling(deps: Deps, auth: AuthContext, contractId: string, month?: IsoMonth) {
  const m = month ?? monthOf(todayOf(deps));
  return asCaller(deps.db, auth, async (tx) => {
    const { c, cc, cancelled } = await contractCharges(tx, contractId, await PriceBook.load(tx), m);
    const [periods, credits] = await Promise.all([
      periodsOfContract(tx, c.id, 200),
      creditsOfContract(tx, c.id),
    ]);
    const fee = monthlyFeeOf(cc, m);
    return {
      month: m,
      charges: chargesForMonth(cc, m),
      monthlyFee: fee,
      damagesCap: damagesCap(fee),
      sla: slaCredit({
        monthlyFee: fee,
        month: m,
        outages: outagesOf(periods),
      }),
      periods: periods.map((p) => ({
        id: p.id,
        startedAt: p.started_at.toISOString(),
        endedAt: p.ended_at.toISOString(),
        attribution: p.attribution,
        cause: p.cause,
        note: p.note,
      })),
      credits: credits.map((x) => ({
        month: x.month,
        hours: Number(x.hours),
        percentage: x.percentage,
        credit: x.credit,
        invoiceId: x.invoice_id,
      })),
      cancelledOptions: cancelled,
    };
  });
}
