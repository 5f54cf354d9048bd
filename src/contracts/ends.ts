/**
 * The lifecycle on the calendar (run by the `contracts.lifecycle` job; idempotent, batched):
 * abolitions take effect on their date (Art. 24, 26(5)), contracts whose service has ended become
 * `terminated` the day after (`service_until`, decided by `contractEnd`), and the deletion work runs
 * on its scheduled day (Art. 26(7), 27). Abolitions are announced here too (Art. 24(2)).
 */
import { appendAudit, systemActor } from "../audit/service.ts";
import type { IsoDate } from "../core/dates.ts";
import type { Deps } from "../core/deps.ts";
import { AppError } from "../core/errors.ts";
import type { Tx } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { customerRecipients, queueNotice } from "../notices/service.ts";
import { type ContractEventInput, recordContractEvents } from "./events.ts";
import { abolitionNotice, contractEnd, statusOnEnd } from "./rules.ts";
import type { ContractStatus } from "./states.ts";
import {
  abolitionsDue,
  type ContractRow,
  contractsFor,
  dueFor,
  insertAbolition,
  markAbolitionApplied,
  updateContracts,
} from "./store.ts";

/** Contracts whose service has ended (the day after `service_until`) become terminated. */
export async function completeEnds(
  deps: Pick<Deps, "db" | "clock">,
  today: IsoDate,
  batch = 1000,
): Promise<number> {
  return inBatches(deps, batch, async (tx) => {
    const due = await dueFor(tx, "complete_end", today, batch);
    const at = deps.clock.now();
    // Rows that end on the same day are updated together.
    const byDay = new Map<IsoDate, string[]>();
    for (const c of due) byDay.set(c.service_until!, [...(byDay.get(c.service_until!) ?? []), c.id]);
    for (const [day, ids] of byDay)
      await updateContracts(tx, ids, { status: "terminated", terminated_on: day, updated_at: at });
    await batchEvents(deps, tx, due, "ended", (c) => ({
      type: "ended",
      toStatus: "terminated",
      // The article the end rests on, as the rule decided it when the end was recorded.
      article: c.end_article ?? "26",
      details: { serviceUntil: c.service_until },
    }));
    return due.length;
  });
}

/** Run the deletion work scheduled for today or earlier, recording what was deleted (Art. 26(7), 27). */
export async function runDeletions(
  deps: Pick<Deps, "db" | "clock">,
  today: IsoDate,
  batch = 1000,
): Promise<number> {
  return inBatches(deps, batch, async (tx) => {
    const due = await dueFor(tx, "delete_data", today, batch);
    await updateContracts(
      tx,
      due.map((c) => c.id),
      { status: "data_deleted", data_deleted_on: today, updated_at: deps.clock.now() },
    );
    await batchEvents(deps, tx, due, "data_deleted", (c) => ({
      type: "data_deleted",
      toStatus: "data_deleted",
      article: "26(7)",
      details: { deleted: { servers: c.servers, monitoringRecords: true }, on: today },
    }));
    return due.length;
  });
}

/** Announce an abolition (refused under two months' notice, Art. 24(2)); it ends the affected contracts on its date. */
export async function announceAbolition(
  deps: Deps,
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
  const at = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const affected = await contractsFor(tx, "abolish", input.contractIds);
    if (input.contractIds && affected.length !== new Set(input.contractIds).size)
      throw new AppError("validation_failed", "some contracts are unknown or already ended", {
        article: "24(1)",
      });
    const notice = await queueNotice(deps, tx, {
      kind: input.contractIds ? "notice" : "announcement",
      topic: "service.abolition",
      subject: `【Unyo】サービス廃止のお知らせ: ${input.title}`,
      body: `${input.body}\n\n廃止日: ${input.abolitionOn}(第24条第2項により2ヶ月前までに通知します)\n廃止日に利用契約は解除されます(第26条第5項)。\n`,
      article: "24(2)",
      recipients: await customerRecipients(tx, [...new Set(affected.map((a) => a.customer_id))]),
      actor,
      at,
    });
    const row = await insertAbolition(tx, {
      title: input.title,
      body: input.body,
      notice_on: input.noticeOn,
      abolition_on: input.abolitionOn,
      contract_ids: input.contractIds ?? null,
      notice_id: notice.noticeId,
      created_by: actor.id,
    });
    await appendAudit(tx, {
      actor,
      action: "service.abolition_announce",
      subjectType: "abolition",
      subjectId: row.id,
      after: { abolitionOn: input.abolitionOn, contracts: affected.length },
      article: "24(2)",
      at,
    });
    return {
      id: row.id,
      abolitionOn: input.abolitionOn,
      affectedContracts: affected.length,
      basis: check.basis,
    };
  });
}

/** On the abolition date the affected contracts end (Art. 26(5)). */
export async function applyAbolitions(deps: Pick<Deps, "db" | "clock">, today: IsoDate): Promise<number> {
  let total = 0;
  for (const a of await abolitionsDue(deps.db, today)) {
    total += await deps.db.transaction().execute(async (tx) => {
      const rows = await contractsFor(tx, "abolish", a.contract_ids ?? undefined);
      const end = contractEnd({
        kind: "abolition",
        effectiveOn: a.abolition_on,
        article: "26(5)",
        extensionDays: 0,
      }).result;
      const status = statusOnEnd(end.serviceUntil, today);
      await updateContracts(
        tx,
        rows.map((r) => r.id),
        {
          status,
          end_kind: "abolition",
          end_reason: "abolition",
          end_article: end.article,
          end_effective_on: end.effectiveOn,
          service_until: end.serviceUntil,
          terminated_on: status === "terminated" ? end.serviceUntil : null,
          updated_at: deps.clock.now(),
        },
      );
      await batchEvents(deps, tx, rows, "abolished", () => ({
        type: "abolished",
        toStatus: status,
        article: "26(5)",
        details: { abolitionId: a.id, abolitionOn: a.abolition_on },
      }));
      await markAbolitionApplied(tx, a.id, deps.clock.now());
      return rows.length;
    });
  }
  return total;
}

/** Repeat a batch (one transaction each) until it does less than a full batch. */
async function inBatches(deps: Pick<Deps, "db">, batch: number, fn: (tx: Tx) => Promise<number>) {
  let total = 0;
  for (;;) {
    const n = await deps.db.transaction().execute(fn);
    total += n;
    if (n < batch) return total;
  }
}

/** The events of a job's batch, with one audit entry listing the contracts. */
async function batchEvents(
  deps: Pick<Deps, "clock">,
  tx: Tx,
  rows: ContractRow[],
  type: string,
  eventOf: (c: ContractRow) => ContractEventInput & { toStatus: ContractStatus },
) {
  if (rows.length === 0) return;
  const events = rows.map((c) => ({ c, e: eventOf(c) }));
  const articles = [...new Set(events.map(({ e }) => e.article ?? "26"))];
  await recordContractEvents(tx, deps.clock.now(), systemActor, events, {
    action: `contract.${type}.batch`,
    article: articles.length === 1 ? articles[0]! : "26",
  });
}
