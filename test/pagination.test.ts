/**
 * Lists never truncate silently: every list is answered a page at a time (cursor), says whether
 * there is more, and refuses a page size over the documented maximum.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_PAGE_SIZE } from "../src/db/page.ts";
import { buildCustomer, buildUser, type Client, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let ops: Client;

beforeAll(async () => {
  env = await testApp();
  ops = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
});
afterAll(async () => {
  await env?.close();
});

/** Every page of a list, following nextCursor; the pages as answered. */
async function allPages(client: Client, path: string) {
  const pages: { items: Record<string, unknown>[]; hasMore: boolean; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const r = await client.req("GET", `${path}${cursor ? `${sep}cursor=${cursor}` : ""}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    pages.push(r.json);
    cursor = r.json.nextCursor;
    expect(r.json.hasMore).toBe(cursor !== null);
    if (pages.length > 1000) throw new Error("no end");
  } while (cursor);
  return pages;
}

describe("a list of 30,003 contracts", () => {
  const N = 30_003;
  beforeAll(async () => {
    const customer = await buildCustomer(env.db, "株式会社ページ");
    await sql`
      INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
      SELECT 'C-P-' || lpad(g::text, 6, '0'), ${customer}, 'active', 'basic', '{}', '[]', 'paper', '2026-01-05', '2026-01-05'
      FROM generate_series(1, ${N}) g`.execute(env.db);
    await sql`ANALYZE contracts`.execute(env.db);
  });

  it("comes whole, in order, each contract once, 500 at a time; the last page says there is no more", async () => {
    const pages = await allPages(ops, `/api/v1/contracts?limit=${MAX_PAGE_SIZE}`);
    const numbers = pages.flatMap((p) => p.items.map((c) => c.number as string));
    const all = Number(
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM contracts`.execute(env.db)).rows[0]!.n,
    );
    expect(all).toBeGreaterThanOrEqual(N);
    expect(numbers.length).toBe(all);
    expect(new Set(numbers).size).toBe(all);
    expect(numbers).toEqual([...numbers].sort().reverse());
    expect(pages.length).toBe(Math.ceil(all / MAX_PAGE_SIZE));
    expect(pages.slice(0, -1).every((p) => p.items.length === MAX_PAGE_SIZE && p.hasMore)).toBe(true);
    expect(pages.at(-1)).toMatchObject({ hasMore: false, nextCursor: null });
  }, 120_000);

  it("answers 100 by default and says there is more", async () => {
    const r = await ops.req("GET", "/api/v1/contracts");
    expect(r.json.items).toHaveLength(100);
    expect(r.json.hasMore).toBe(true);
    expect(typeof r.json.nextCursor).toBe("string");
  });

  it("neither skips nor repeats a row when rows are added between two pages", async () => {
    const first = await ops.req("GET", "/api/v1/contracts?limit=10&status=active");
    const last = first.json.items.at(-1).number as string;
    // A contract that sorts before the cursor (a later number) and one after it.
    const customer = await buildCustomer(env.db);
    await sql`
      INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
      VALUES ('C-P-999999', ${customer}, 'active', 'basic', '{}', '[]', 'paper', '2026-01-05', '2026-01-05'),
             ('C-P-000000', ${customer}, 'active', 'basic', '{}', '[]', 'paper', '2026-01-05', '2026-01-05')`.execute(
      env.db,
    );
    const second = await ops.req(
      "GET",
      `/api/v1/contracts?limit=10&status=active&cursor=${first.json.nextCursor}`,
    );
    expect(second.status).toBe(200);
    const numbers = second.json.items.map((c: { number: string }) => c.number);
    expect(numbers[0] < last).toBe(true);
    expect(numbers).not.toContain("C-P-999999");
    // The row right after the first page's last one comes first: nothing skipped.
    const expected = await sql<{ number: string }>`
      SELECT number FROM contracts WHERE status = 'active' AND number < ${last} ORDER BY number DESC LIMIT 10`.execute(
      env.db,
    );
    expect(numbers).toEqual(expected.rows.map((r) => r.number));
  });

  it(`refuses a page size over ${MAX_PAGE_SIZE}, a bad cursor, and another list's cursor`, async () => {
    // A cursor of another list: two customers at least, so that their first page of one has a next.
    await buildCustomer(env.db);
    await buildCustomer(env.db);
    const customers = await ops.req("GET", "/api/v1/customers?limit=1");
    expect(customers.json.hasMore).toBe(true);
    for (const bad of [
      `limit=${MAX_PAGE_SIZE + 1}`,
      "limit=0",
      "limit=-1",
      "limit=x",
      "cursor=",
      "cursor=not%20base64!",
      `cursor=${Buffer.from("{}").toString("base64url")}`,
      `cursor=${Buffer.from('["contracts",1]').toString("base64url")}`,
      `cursor=${Buffer.from('["contracts","a","b"]').toString("base64url")}`,
      `cursor=${customers.json.nextCursor}`,
      "offset=100",
    ]) {
      const r = await ops.req("GET", `/api/v1/contracts?${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.json.error.code, bad).toBe("validation_failed");
    }
    // A cursor edited by hand: the right list and shape, values not of the keys' types.
    const edited = (values: string[]) => Buffer.from(JSON.stringify(values)).toString("base64url");
    for (const [path, values] of [
      ["/api/v1/invoices", ["invoices", "2026-07", "", "not-a-uuid"]],
      [
        "/api/v1/payments",
        ["payments", "2026-13-45", "2026-01-01 00:00:00+00", "00000000-0000-4000-8000-000000000000"],
      ],
      ["/api/v1/notices", ["notices", "yesterday-ish", "00000000-0000-4000-8000-000000000000"]],
      ["/api/v1/billing/overdue", ["overdue", "2026-02-30", "00000000-0000-4000-8000-000000000000"]],
    ] as const) {
      const r = await ops.req("GET", `${path}?cursor=${edited([...values])}`);
      expect(r.status, path).toBe(400);
      expect(r.json.error.code, path).toBe("validation_failed");
    }
  });
});

describe("keys that are not the primary order", () => {
  it("pages invoices by month (latest first), then number (drafts first), mixed directions, with no gap", async () => {
    const customer = await buildCustomer(env.db, "株式会社請求ページ");
    // 7 contracts × 3 months: 4 issued invoices with numbers and 3 drafts without, each month.
    await sql`
      INSERT INTO contracts (number, customer_id, status, plan, options, servers, channel, applied_on, start_date)
      SELECT 'C-INV-PAGE-' || k, ${customer}, 'active', 'basic', '{}', '[]', 'paper', '2026-01-05', '2026-01-05'
      FROM generate_series(1, 7) k`.execute(env.db);
    await sql`
      INSERT INTO invoices (contract_id, customer_id, month, status, number, issue_date, due_date, period_start,
                            period_end, recipient, net, tax, total, by_rate, tax_rounding)
      SELECT c.id, ${customer}, m, CASE WHEN k <= 4 THEN 'issued' ELSE 'draft' END,
             CASE WHEN k <= 4 THEN 'PG-' || m || '-' || k END,
             CASE WHEN k <= 4 THEN (m || '-01')::date END, (m || '-28')::date, (m || '-01')::date,
             (m || '-28')::date, '{}'::jsonb, 1000, 100, 1100, '{}'::jsonb, 'down'
      FROM unnest(ARRAY['2026-07', '2026-08', '2026-09']) m, generate_series(1, 7) k
      JOIN contracts c ON c.number = 'C-INV-PAGE-' || k`.execute(env.db);
    const pages = await allPages(ops, `/api/v1/invoices?customerId=${customer}&limit=4`);
    const got = pages.flatMap((p) => p.items.map((i) => `${i.month} ${i.number ?? "-"}`));
    const expected = ["2026-09", "2026-08", "2026-07"].flatMap((m) => [
      ...Array<string>(3).fill(`${m} -`),
      ...[1, 2, 3, 4].map((k) => `${m} PG-${m}-${k}`),
    ]);
    expect(got).toEqual(expected);
    expect(new Set(pages.flatMap((p) => p.items.map((i) => i.id))).size).toBe(21);
  });

  it("keeps a timestamp's microseconds in the cursor: rows within one millisecond are neither skipped nor repeated", async () => {
    await sql`
      INSERT INTO notices (kind, topic, subject, body, created_at)
      SELECT 'announcement', 'page-test', 'µs ' || g, 'body', '2026-11-20 10:00:00.123'::timestamptz + g * interval '1 microsecond'
      FROM generate_series(1, 9) g`.execute(env.db);
    const pages = await allPages(ops, "/api/v1/notices?limit=2");
    const subjects = pages
      .flatMap((p) => p.items.map((n) => n.subject as string))
      .filter((s) => s.startsWith("µs"));
    expect(subjects).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1].map((g) => `µs ${g}`));
  });
});

describe("every list of the API", () => {
  it("takes limit and cursor, and answers hasMore and nextCursor (OpenAPI)", async () => {
    const doc = (await env.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    type Schema = { properties?: Record<string, Schema>; type?: string; $ref?: string };
    const resolve = (s: Schema): Schema =>
      s.$ref ? resolve(doc.components.schemas[s.$ref.replace("#/components/schemas/", "")]) : s;
    const lists: string[] = [];
    for (const [path, ops_] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths)) {
      const get = ops_.get as
        | {
            parameters?: { name: string; in: string; schema: { maximum?: number } }[];
            responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
          }
        | undefined;
      const schema = get?.responses["200"]?.content?.["application/json"]?.schema;
      if (!schema) continue;
      const answer = resolve(schema);
      if (answer.properties?.items?.type !== "array") continue;
      // A document with its records (a direct-debit request) pages those by record number instead.
      if (answer.properties.itemsOffset) continue;
      lists.push(path);
      expect(Object.keys(answer.properties), path).toEqual(expect.arrayContaining(["hasMore", "nextCursor"]));
      const params = new Map((get?.parameters ?? []).filter((p) => p.in === "query").map((p) => [p.name, p]));
      expect(params.has("cursor"), path).toBe(true);
      expect(params.get("limit")?.schema.maximum, path).toBe(MAX_PAGE_SIZE);
    }
    expect(lists.length).toBeGreaterThanOrEqual(18);
  });
});
