/**
 * The shape of the house (docs/ARCHITECTURE.md), held by reading the source: every table has one
 * writing room and is written only there, through that room's store; the rooms' arrows point one way.
 * A change that makes billing write `contracts` again, or notices import contracts, fails here.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve("src");

/** Who writes each table. `db` is shared infrastructure (request throttling). */
const OWNER: Record<string, string> = {
  audit_log: "audit",
  customers: "customers",
  customer_changes: "customers",
  users: "identity",
  sessions: "identity",
  api_tokens: "identity",
  login_throttle: "db",
  idempotency_keys: "db",
  notices: "notices",
  notice_deliveries: "notices",
  terms_versions: "terms",
  contract_terms: "terms",
  applications: "contracts",
  contracts: "contracts",
  contract_events: "contracts",
  contract_changes: "contracts",
  option_cancellations: "contracts",
  abolitions: "contracts",
  inquiries: "inquiries",
  billing_settings: "billing",
  price_items: "billing",
  price_item_prices: "billing",
  menu_limits: "billing",
  billing_runs: "billing",
  invoices: "billing",
  invoice_lines: "billing",
  invoice_documents: "billing",
  invoice_counters: "billing",
  charges: "billing",
  cloud_accounts: "billing",
  payments: "billing",
  payment_allocations: "billing",
  payment_imports: "billing",
  debit_mandates: "billing",
  debit_requests: "billing",
  debit_request_items: "billing",
  debit_failures: "billing",
  sla_credits: "billing",
  unavailability_periods: "billing",
  test_clock: "admin",
  inventory_items: "monitoring",
  monitoring_settings: "monitoring",
  credentials: "monitoring",
  credential_reveals: "monitoring",
  checks: "monitoring",
  check_states: "monitoring",
  check_events: "monitoring",
  check_results: "monitoring",
  check_rollups: "monitoring",
  rollup_marks: "monitoring",
  probe_shards: "monitoring",
  probe_members: "monitoring",
  escalation_policies: "incidents",
  oncall_schedules: "incidents",
  oncall_overrides: "incidents",
  alert_integrations: "incidents",
  incidents: "incidents",
  incident_events: "incidents",
  alerts: "incidents",
  notify_channels: "incidents",
  pages: "incidents",
  contact_preferences: "incidents",
  maintenance_windows: "incidents",
  calendar_feeds: "incidents",
};

/** The rooms each room may call (besides core/, db/ and jobs/), lowest first. */
const CALLS: Record<string, string[]> = {
  audit: [],
  customers: ["audit"],
  identity: ["audit", "customers"],
  notices: ["audit", "customers", "identity"],
  terms: ["audit", "customers", "identity", "notices"],
  contracts: ["audit", "customers", "identity", "notices", "terms"],
  inquiries: ["audit", "customers", "identity", "notices", "terms", "contracts"],
  billing: ["audit", "customers", "identity", "notices", "terms", "contracts"],
  admin: ["audit"],
  monitoring: ["audit", "customers", "identity", "notices", "terms", "contracts"],
  incidents: ["audit", "customers", "identity", "notices", "terms", "contracts", "billing", "monitoring"],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "migrations" ? [] : sourceFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

const files = sourceFiles(SRC).map((p) => {
  const rel = path.relative(SRC, p).split(path.sep).join("/");
  return { rel, room: rel.split("/")[0]!, text: fs.readFileSync(p, "utf8") };
});

/** Tables a file writes: Kysely builders and raw SQL (comments stripped). */
function writesOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const found = new Set<string>();
  for (const m of code.matchAll(/\.(?:insertInto|updateTable|deleteFrom|mergeInto)\(\s*"([a-z_]+)/g))
    found.add(m[1]!);
  for (const m of code.matchAll(/\b(?:INSERT\s+INTO|DELETE\s+FROM|UPDATE)\s+([a-z_]+)\b/g))
    if (!["set", "skip", "of", "nowait"].includes(m[1]!.toLowerCase())) found.add(m[1]!);
  return [...found];
}

const isStore = (rel: string) =>
  /^[a-z]+\/store(\.ts|\/)/.test(rel) || rel === "db/throttle.ts" || rel === "db/idempotency.ts";
/** Edges may call any room: routes, jobs, command-line entries. */
const isEdge = (rel: string) =>
  /^[a-z]+\/((?:[a-z]+-)?routes\.ts|jobs\.ts|jobs\/|cli(-[a-z]+)?\.ts)/.test(rel) ||
  ["http", "cli", "rules"].includes(rel.split("/")[0]!);

describe("the house's shape", () => {
  it("gives every table one writing room", () => {
    const schema = fs.readFileSync(path.join(SRC, "db/schema.generated.ts"), "utf8");
    const db = schema.slice(schema.indexOf("export interface DB {"));
    const tables = [...db.matchAll(/^ {2}([a-z_]+): /gm)].map((m) => m[1]!);
    expect(tables.length).toBeGreaterThan(30);
    expect(tables.filter((t) => !OWNER[t])).toEqual([]);
  });

  it("writes a table only from its room's store", () => {
    const wrong: string[] = [];
    let writes = 0;
    for (const f of files)
      for (const table of writesOf(f.text)) {
        writes++;
        if (!OWNER[table]) wrong.push(`${f.rel} writes unknown table ${table}`);
        else if (OWNER[table] !== f.room) wrong.push(`${f.rel} writes ${table}, which ${OWNER[table]} owns`);
        else if (!isStore(f.rel)) wrong.push(`${f.rel} writes ${table} outside its room's store`);
      }
    expect(writes).toBeGreaterThan(30);
    expect(wrong).toEqual([]);
  });

  it("keeps SQL in stores: use cases, rules and schemas hold none", () => {
    const wrong = files
      .filter((f) => CALLS[f.room] && !isStore(f.rel))
      .filter((f) => /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql(<[^>]*>)?`/.test(f.text))
      .map((f) => f.rel);
    expect(wrong).toEqual([]);
  });

  it("lets a room call only the rooms below it (edges excepted)", () => {
    const wrong: string[] = [];
    for (const f of files) {
      const allowed = CALLS[f.room];
      if (!allowed || isEdge(f.rel)) continue;
      for (const m of f.text.matchAll(/(?:from|import)\s+"(\.{1,2}\/[^"]+)"/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(f.rel), m[1]!)).split("/")[0]!;
        if (target === f.room || ["core", "db", "jobs"].includes(target)) continue;
        if (!allowed.includes(target)) wrong.push(`${f.rel} imports ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("would catch a room writing another's table", () => {
    // The detector itself, on the two forms a write takes.
    expect(writesOf('await tx.updateTable("contracts").set({})')).toEqual(["contracts"]);
    expect(writesOf("sql`UPDATE contracts SET x = 1 ... ON CONFLICT DO UPDATE SET y = 2`")).toEqual([
      "contracts",
    ]);
    expect(writesOf("// UPDATE contracts in a comment")).toEqual([]);
  });
});
