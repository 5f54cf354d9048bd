/**
 * Demo on-call (`unyo start` with demo data): a 24/7 weekly rotation of the demo operator and
 * engineer handing over on Mondays at 10:00 JST, and the default escalation policy — the on-call
 * person first, the operator after 5 minutes without an acknowledgement, once more after that.
 */
import { appendAudit, systemActor } from "../audit/service.ts";
import type { Db } from "../db/db.ts";
import { defaultPolicyId, insertPolicy, insertSchedule, staffByLogins } from "./store/oncall.ts";

export async function seedIncidentsDemo(db: Db) {
  await db.transaction().execute(async (tx) => {
    if (await defaultPolicyId(tx)) return;
    const staff = await staffByLogins(tx, ["operator", "engineer"]);
    const op = staff.find((s) => s.login_id === "operator");
    const eng = staff.find((s) => s.login_id === "engineer");
    if (!op || !eng) return;
    const schedule = await insertSchedule(tx, {
      name: "一次対応 (24/7)",
      layers: JSON.stringify([
        { name: "週替わり", start: "2026-01-05T10:00", shiftHours: 168, members: [eng.id, op.id] },
      ]),
    });
    const policy = await insertPolicy(tx, {
      name: "標準エスカレーション",
      is_default: true,
      repeat: 1,
      steps: JSON.stringify([
        { escalateAfterMinutes: 5, targets: [{ kind: "schedule", id: schedule.id }] },
        { escalateAfterMinutes: 10, targets: [{ kind: "user", id: op.id }] },
      ]),
    });
    await appendAudit(tx, {
      actor: systemActor,
      action: "oncall.demo.seeded",
      subjectType: "escalation_policy",
      subjectId: policy.id,
    });
  });
}
