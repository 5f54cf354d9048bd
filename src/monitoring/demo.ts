/**
 * Demo monitoring (`unyo start` with demo data): each demo contract's servers registered, and checks a
 * newcomer can watch run — this instance's own health endpoint over HTTP, its port over TCP, and a
 * daily push check waiting for its first ping.
 */
import { appendAudit, systemActor } from "../audit/service.ts";
import { contractsFor, serviceFacts } from "../contracts/store.ts";
import type { Db } from "../db/db.ts";
import { hostKey, placement } from "./rules.ts";
import { insertCheck, recordStateChanges } from "./store/checks.ts";
import { insertItem, itemsOfContract } from "./store/inventory.ts";

export async function seedMonitoringDemo(db: Db, port: number, now = new Date()) {
  await db.transaction().execute(async (tx) => {
    const demo = (await contractsFor(tx, "change_content"))
      .filter((c) => c.number.startsWith("C-DEMO-"))
      .map((c) => c.id);
    for (const f of await serviceFacts(tx, demo)) {
      if ((await itemsOfContract(tx, f.id)).length) continue;
      for (const s of (f.servers ?? []) as {
        hostname: string;
        provider: "aws" | "azure" | "gcp" | "other";
        os?: string;
      }[]) {
        const item = await insertItem(tx, {
          customer_id: f.customer_id,
          contract_id: f.id,
          kind: "server",
          name: s.hostname,
          host_key: hostKey(s.hostname),
          provider: s.provider,
          region: "ap-northeast-1",
          os_family: /ubuntu/i.test(s.os ?? "") ? "ubuntu" : null,
          os_version: /(\d+\.\d+)/.exec(s.os ?? "")?.[1] ?? null,
          role: "web",
        });
        const checks = [
          {
            name: "ウェブサイト (HTTP)",
            kind: "http" as const,
            interval: 30,
            settings: { url: `http://127.0.0.1:${port}/healthz`, method: "GET", verifyTls: true },
          },
          { name: "ポート (TCP)", kind: "tcp" as const, interval: 60, settings: { host: "127.0.0.1", port } },
          {
            name: "夜間バックアップ (push)",
            kind: "heartbeat" as const,
            interval: 86_400,
            settings: { graceS: 3600 },
          },
        ];
        for (const c of checks) {
          const id = crypto.randomUUID();
          const p = placement(id, c.interval);
          await insertCheck(tx, {
            id,
            customer_id: f.customer_id,
            contract_id: f.id,
            item_id: item.id,
            name: c.name,
            kind: c.kind,
            settings: JSON.stringify(c.settings),
            interval_s: c.interval,
            timeout_ms: 5000,
            shard: p.shard,
            phase_ms: p.phaseMs,
          });
          await recordStateChanges(tx, [
            {
              checkId: id,
              customerId: f.customer_id,
              at: now,
              from: "none",
              to: "pending",
              code: null,
              message: null,
              article: "3",
            },
          ]);
        }
        await appendAudit(tx, {
          actor: systemActor,
          action: "inventory.register",
          subjectType: "inventory_item",
          subjectId: item.id,
          customerId: f.customer_id,
          article: "4",
          after: { name: s.hostname, demo: true },
          at: now,
        });
      }
    }
  });
}
