/**
 * One source for the database's types: src/db/schema.generated.ts is what scripts/db-types.ts
 * generates from the schema the migrations build (here: a clone of the migrated test template), and
 * the literal unions of CHECKed text columns are exactly what their CHECK constraints allow.
 */
import fs from "node:fs";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHECKED_COLUMNS,
  checkedColumnProblems,
  checkedValues,
  GENERATED_FILE,
  generateDbTypes,
  typesDiff,
} from "../scripts/db-types.ts";
import type { Db } from "../src/db/db.ts";
import { testDatabase } from "./helpers.ts";

const committed = () => fs.readFileSync(GENERATED_FILE, "utf8");
const STALE = "src/db/schema.generated.ts is not what the migrations build: run npm run db:types";

/** Run `fn` on a fresh clone of the migrated template (a clone a test may alter). */
async function onClone<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const t = await testDatabase();
  try {
    return await fn(t.db);
  } finally {
    await t.drop();
  }
}

describe("the generated database types", () => {
  let db: Db;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ db, drop } = await testDatabase());
  });
  afterAll(async () => {
    await drop();
  });

  it("are the committed src/db/schema.generated.ts", async () => {
    const generated = await generateDbTypes(db);
    const diff = typesDiff(committed(), generated);
    expect(diff === undefined, `${STALE}\n${diff}`).toBe(true);
  });

  it("are the same text each time (no timestamp, a stable order)", async () => {
    const [a, b] = [await generateDbTypes(db), await generateDbTypes(db)];
    expect(a).toBe(b);
    expect(a).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
  });

  it("cover the public schema only: not pg-boss's tables, not the migrator's", async () => {
    const schemas = await sql<{ schema: string; tables: number }>`
      select table_schema as schema, count(*)::int as tables from information_schema.tables
      where table_schema in ('pgboss', 'public') group by 1 order by 1`.execute(db);
    // The template does hold pg-boss's tables (migration 0009) and the migrator's: both left out.
    expect(schemas.rows.find((r) => r.schema === "pgboss")?.tables).toBeGreaterThan(0);
    const text = await generateDbTypes(db);
    expect(text).not.toMatch(/pgboss|kysely_migration/i);
    const dbInterface = text.match(/^export interface DB \{\n([^}]*)\}/m)?.[1] ?? "";
    const generatedTables = [...dbInterface.matchAll(/^ {2}([a-z_]+): \w+;$/gm)].map((m) => m[1]);
    const publicTables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = 'public' and table_name not like 'kysely_migration%' order by 1`.execute(db);
    expect(generatedTables).toEqual(publicTables.rows.map((r) => r.name));
  });

  it("keep what the type parsers of db.ts give: date → string, bigint → number, jsonb → Json", () => {
    const text = committed();
    const table = (name: string) => text.match(new RegExp(`export interface ${name} \\{\\n([^}]*)\\}`))?.[1];
    expect(table("Contracts")).toContain("  start_date: string;\n");
    expect(table("Contracts")).toContain("  service_until: string | null;\n");
    expect(table("Invoices")).toContain("  total: number;\n");
    expect(table("Invoices")).toContain("  paid_amount: Generated<number>;\n");
    expect(table("Invoices")).toContain("  recipient: Json;\n");
    expect(table("Invoices")).toContain("  voided_at: Timestamp | null;\n");
    expect(text).toContain("export type Json = ColumnType<unknown, string, string>;\n");
    expect(text).toContain("export type Timestamp = ColumnType<Date, Date | string, Date | string>;\n");
    expect(table("Contracts")).toContain(
      '  status: "active" | "suspended" | "terminating" | "terminated" | "data_deleted";\n',
    );
  });

  it("are what the type parsers of db.ts return", async () => {
    const row = await sql<{ n: unknown; d: unknown; t: unknown; x: unknown; j: unknown }>`
      select 9007199254740991::int8 as n, '2026-03-31'::date as d, now() as t, 1.5::numeric as x,
        '{"a": [1]}'::jsonb as j`
      .execute(db)
      .then((r) => r.rows[0]!);
    expect(row).toEqual({
      n: 9007199254740991,
      d: "2026-03-31",
      t: expect.any(Date),
      x: "1.5",
      j: { a: [1] },
    });
  });

  it("differ from the committed file once a migration changes the schema", async () => {
    await onClone(async (clone) => {
      await sql`ALTER TABLE contracts ADD COLUMN drift_probe integer`.execute(clone);
      await sql`ALTER TABLE invoices ALTER COLUMN void_reason SET NOT NULL`.execute(clone);
      const diff = typesDiff(committed(), await generateDbTypes(clone));
      expect(diff).toBeDefined();
      expect(diff).toContain("+  drift_probe: number | null;");
      expect(diff).toContain("-  void_reason: string | null;");
      expect(diff).toContain("+  void_reason: string;");
    });
  });
});

describe("the literal unions of CHECKed columns (CHECKED_COLUMNS in scripts/db-types.ts)", () => {
  let db: Db;
  let drop: () => Promise<void>;
  let allowed: Map<string, string[]>;
  beforeAll(async () => {
    ({ db, drop } = await testDatabase());
    allowed = await checkedValues(db);
  });
  afterAll(async () => {
    await drop();
  });

  it.each(Object.entries(CHECKED_COLUMNS))(
    "%s: the union is exactly what its CHECK allows",
    (column, values) => {
      expect(allowed.get(column), `no CHECK (${column} IN (...)) found`).toBeDefined();
      expect([...values].sort()).toEqual(allowed.get(column));
    },
  );

  it("cover every text column a CHECK limits to a set", async () => {
    expect(await checkedColumnProblems(db)).toEqual([]);
    expect([...allowed.keys()].sort()).toEqual(Object.keys(CHECKED_COLUMNS).sort());
  });

  it("read both branches of a CHECK on several columns, and a one-value IN", () => {
    // users_role_by_kind: a staff role for a staff user, a customer role for a customer's.
    expect(allowed.get("users.role")).toEqual(
      ["admin", "billing", "customer-admin", "customer-member", "engineer", "operator"].sort(),
    );
    // users_kind_customer's `kind = 'staff'` is a condition, not the domain of users.kind.
    expect(allowed.get("users.kind")).toEqual(["customer", "staff"]);
    // `kind IN ('zengin-debit-result')`, which PostgreSQL prints as an equality.
    expect(allowed.get("payment_imports.kind")).toEqual(["zengin-debit-result"]);
  });

  it("fail when a migration changes a CHECK without the union", async () => {
    await onClone(async (clone) => {
      await sql`
        ALTER TABLE contracts DROP CONSTRAINT contracts_status_check,
          ADD CONSTRAINT contracts_status_check
          CHECK (status IN ('active', 'suspended', 'terminating', 'terminated', 'data_deleted', 'archived'))`.execute(
        clone,
      );
      const problems = await checkedColumnProblems(clone);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^contracts\.status: the CHECK allows .*"archived"/);
      await expect(generateDbTypes(clone)).rejects.toThrow(/contracts\.status: the CHECK allows/);
    });
  });

  it("fail when a migration adds a CHECKed column without a union, in whatever form PostgreSQL prints", async () => {
    await onClone(async (clone) => {
      await sql`
        ALTER TABLE notices
          ADD COLUMN tone varchar(10) CHECK (tone IN ('calm', 'urgent')),
          ADD COLUMN remark text CHECK (remark IN ('it''s', 'a]b')),
          ADD COLUMN pattern text CHECK (pattern ~ '^[a-z]+$'),
          ADD COLUMN level integer CHECK (level IN (1, 2, 3))`.execute(clone);
      const values = await checkedValues(clone);
      expect(values.get("notices.tone")).toEqual(["calm", "urgent"]);
      expect(values.get("notices.remark")).toEqual(["a]b", "it's"]);
      expect(values.has("notices.pattern")).toBe(false);
      expect(values.has("notices.level")).toBe(false);
      const problems = await checkedColumnProblems(clone);
      expect(problems).toEqual([
        'notices.remark: a CHECK limits it to "a]b", "it\'s"; add it to CHECKED_COLUMNS',
        'notices.tone: a CHECK limits it to "calm", "urgent"; add it to CHECKED_COLUMNS',
      ]);
    });
  });

  it("fail when a union names a column no CHECK limits", async () => {
    const problems = await checkedColumnProblems(db, {
      ...CHECKED_COLUMNS,
      "invoices.tax_rounding": ["down"],
    });
    expect(problems).toEqual([
      'invoices.tax_rounding: no CHECK (… IN (…)) limits this column (declared "down")',
    ]);
  });
});
