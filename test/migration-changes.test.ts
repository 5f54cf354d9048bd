/**
 * Migration 0012 carries the option cancellations recorded before contract changes existed (Art. 11)
 * over as confirmed changes, so that billing reads one history: an upgraded database bills the same
 * lines as before.
 */
import { randomBytes } from "node:crypto";
import { Migrator, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractCharges } from "../src/billing/contract-facts.ts";
import { PriceBook } from "../src/billing/price-book.ts";
import { chargesForMonth } from "../src/billing/rules/charges.ts";
import { createDb, type Db } from "../src/db/db.ts";
import { migrations } from "../src/db/migrations/index.ts";
import { serverUrl } from "./helpers.ts";

const name = `unyo_m_${process.pid}_${randomBytes(4).toString("hex")}`;
let db: Db;

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(serverUrl());
  u.pathname = `/${name}`;
  db = createDb(u.toString(), { max: 2 });
});
afterAll(async () => {
  await db?.destroy();
  const c = new pg.Client({ connectionString: serverUrl() });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.end();
});

describe("migration 0012 (contract changes)", () => {
  it("turns earlier option cancellations into confirmed changes, in order, with the content before and after", async () => {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const to11 = await migrator.migrateTo("0011_auth_notify");
    expect(to11.error).toBeUndefined();
    const customer = await sql<{
      id: string;
    }>`INSERT INTO customers (legal_name) VALUES ('株式会社移行') RETURNING id`.execute(db);
    const cid = customer.rows[0]!.id;
    const contract = await sql<{ id: string }>`
      INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
      VALUES ('C-MIG-1', ${cid}, 'active', 'basic', '{change-work}', '[{"hostname":"a","provider":"aws"}]', 'paper', '2026-01-05', '2026-01-05')
      RETURNING id`.execute(db);
    const id = contract.rows[0]!.id;
    await sql`INSERT INTO option_cancellations (contract_id, customer_id, option, received_on) VALUES
      (${id}, ${cid}, 'patching', '2026-06-10'), (${id}, ${cid}, 'backup', '2026-04-02')`.execute(db);
    const latest = await migrator.migrateToLatest();
    expect(latest.error).toBeUndefined();
    const changes = await db
      .selectFrom("contract_changes")
      .selectAll()
      .where("contract_id", "=", id)
      .orderBy("received_on")
      .execute();
    expect(
      changes.map((c) => [
        c.kind,
        c.status,
        c.received_on,
        c.effective_on,
        (c.before as { options: string[] }).options,
        (c.after as { options: string[] }).options,
      ]),
    ).toEqual([
      [
        "option_cancellation",
        "confirmed",
        "2026-04-02",
        "2026-04-02",
        ["change-work", "backup", "patching"],
        ["change-work", "patching"],
      ],
      [
        "option_cancellation",
        "confirmed",
        "2026-06-10",
        "2026-06-10",
        ["change-work", "patching"],
        ["change-work"],
      ],
    ]);
    expect((changes[0]!.before as { servers: unknown[] }).servers).toEqual([
      { hostname: "a", provider: "aws" },
    ]);
    const book = await PriceBook.load(db);
    const codes = async (m: string) =>
      chargesForMonth((await contractCharges(db, id, book, m)).cc, m).result.lines.map((l) => l.itemCode);
    expect(await codes("2026-04")).toEqual([
      "monthly-basic",
      "option-change-work",
      "option-backup",
      "option-patching",
    ]);
    expect(await codes("2026-05")).toEqual(["monthly-basic", "option-change-work", "option-patching"]);
    expect(await codes("2026-07")).toEqual(["monthly-basic", "option-change-work"]);
    expect((await contractCharges(db, id, book, "2026-07")).cancelled).toEqual([
      { option: "backup", receivedOn: "2026-04-02" },
      { option: "patching", receivedOn: "2026-06-10" },
    ]);
  });
});
