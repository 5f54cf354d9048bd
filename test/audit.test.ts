import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendAudit, systemActor, verifyAudit } from "../src/audit/service.ts";
import type { Db } from "../src/db/db.ts";
import { testDatabase } from "./helpers.ts";

let handle: Awaited<ReturnType<typeof testDatabase>>;
let db: Db;
beforeEach(async () => {
  handle = await testDatabase();
  db = handle.db;
  for (let i = 0; i < 20; i++)
    await db.transaction().execute((tx) =>
      appendAudit(tx, {
        actor: systemActor,
        action: "test.event",
        subjectType: "thing",
        subjectId: String(i),
        before: { n: i - 1 },
        after: { n: i, text: "日本語", nested: { z: 1, a: [1, 2] } },
        article: "26(2)",
      }),
    );
});
afterEach(async () => {
  await handle.drop();
});

/** What an attacker with database-owner rights could do: lift the append-only trigger. */
async function tamper(q: string) {
  await db.transaction().execute(async (tx) => {
    await sql.raw("alter table audit_log disable trigger audit_log_no_update").execute(tx);
    await sql.raw(q).execute(tx);
    await sql.raw("alter table audit_log enable trigger audit_log_no_update").execute(tx);
  });
}

describe("the hash-chained audit log", () => {
  it("verifies an intact chain", async () => {
    const report = await verifyAudit(db, { pageSize: 7 });
    expect(report).toMatchObject({ ok: true, entries: 20, problems: [] });
  });

  it("refuses updates and deletes (append-only)", async () => {
    await expect(sql`update audit_log set action = 'x' where seq = 1`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log where seq = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
  });

  it("detects an edited entry", async () => {
    await tamper(`update audit_log set after = '{"n": 999}' where seq = 5`);
    const report = await verifyAudit(db);
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual({ kind: "hash-mismatch", seq: 5 });
  });

  it("detects a deleted entry", async () => {
    await tamper("delete from audit_log where seq = 9");
    const report = await verifyAudit(db);
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.seq)).toContain(10);
  });

  it("detects reordered entries", async () => {
    await tamper(
      "update audit_log set seq = -1 where seq = 3; update audit_log set seq = 3 where seq = 4; update audit_log set seq = 4 where seq = -1",
    );
    const report = await verifyAudit(db);
    expect(report.ok).toBe(false);
    expect(report.problems.some((p) => p.seq === 3 || p.seq === 4)).toBe(true);
  });

  it("writes the entry in the same transaction as the change: a rollback leaves no entry", async () => {
    await expect(
      db.transaction().execute(async (tx) => {
        await appendAudit(tx, { actor: systemActor, action: "doomed", subjectType: "thing" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const doomed = await db.selectFrom("audit_log").select("seq").where("action", "=", "doomed").execute();
    expect(doomed).toEqual([]);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it("keeps the chain intact under concurrent appends", async () => {
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        db.transaction().execute((tx) =>
          appendAudit(tx, {
            actor: systemActor,
            action: "parallel",
            subjectType: "thing",
            subjectId: String(i),
          }),
        ),
      ),
    );
    const report = await verifyAudit(db);
    expect(report).toMatchObject({ ok: true, entries: 50 });
  });
});
