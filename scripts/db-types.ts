/**
 * The database types, generated from the schema the migrations build: `npm run db:types`
 * (`node --import tsx scripts/db-types.ts`) migrates a fresh database — on DATABASE_URL's server when
 * set, else on an embedded PostgreSQL under `.unyo-types` — and writes `src/db/schema.generated.ts`
 * with kysely-codegen. `--check` compares instead of writing (exit 1 when the file is stale).
 * test/db-types.test.ts runs the same generator against the test template and fails on any difference.
 *
 * What kysely-codegen cannot read from the catalog is decided here, once:
 * - how `pg` hands values to the code (the type parsers of src/db/db.ts): int8 → number, date → an
 *   ISO `YYYY-MM-DD` string, numeric → string, timestamptz → Date;
 * - jsonb is written as a JSON string (a JS array given to `pg` would become a PostgreSQL array) and
 *   read back parsed: `Json = ColumnType<unknown, string, string>`;
 * - text columns a CHECK limits to a set of values are literal unions (`CHECKED_COLUMNS`).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Kysely, sql } from "kysely";
import {
  ColumnTypeNode,
  DiffChecker,
  type ExpressionNode,
  GenericExpressionNode,
  IdentifierNode,
  LiteralNode,
  PostgresDialect,
  serializeFromMetadata,
  type TableMetadata,
  UnionExpressionNode,
} from "kysely-codegen";
import pg from "pg";
import { ATTRIBUTIONS } from "../src/billing/rules/sla.ts";
import {
  ACCOUNT_TYPES,
  CHARGE_KINDS,
  FEE_KINDS,
  INVOICE_KINDS,
  INVOICE_STATUSES,
  MANDATE_STATUSES,
  PAYMENT_METHODS,
  RUN_STATUSES,
  TAX_CATEGORIES,
  TAX_ROUNDINGS,
  UNAVAILABILITY_CAUSES,
} from "../src/billing/types.ts";
import {
  CHANGE_CHANNELS,
  CONTRACT_CHANGE_KINDS,
  CONTRACT_CHANGE_STATUSES,
} from "../src/contracts/change-rules.ts";
import { REJECTION_REASONS } from "../src/contracts/reasons.ts";
import { CHANNELS, END_KINDS } from "../src/contracts/rules.ts";
import { PROVIDERS } from "../src/contracts/schemas.ts";
import { APPLICATION_STATUSES, CANDIDACY_REASONS, CONTRACT_STATUSES } from "../src/contracts/states.ts";
import { CHANGE_STATUSES } from "../src/customers/schemas.ts";
import { createDb, migrate } from "../src/db/db.ts";
import { EmbeddedPostgres } from "../src/db/embedded.ts";
import { IDEMPOTENCY_STATES } from "../src/db/idempotency.ts";
import { CUSTOMER_ROLES, STAFF_ROLES } from "../src/identity/rules.ts";
import {
  INCIDENT_STATUSES,
  INTEGRATION_KINDS,
  MUTES,
  PREFERENCES,
  SEVERITIES,
  WINDOW_REASONS,
  WINDOW_SCOPES,
} from "../src/incidents/rules.ts";
import { CHECK_KINDS } from "../src/monitoring/checks/types.ts";
import {
  CHECK_STATES,
  CREDENTIAL_KINDS,
  GRAINS,
  ITEM_KINDS,
  PAUSE_REASONS,
  REVEAL_STATUSES,
} from "../src/monitoring/rules.ts";
import { DELIVERY_STATUSES, NOTICE_KINDS } from "../src/notices/schemas.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const GENERATED_FILE = path.join(ROOT, "src/db/schema.generated.ts");

/**
 * Every text column a CHECK limits to a set of values (`CHECK (col IN (...))`), with that set: the
 * generated type of the column is the union of these literals. Where the code already names the set
 * (a constant it validates or decides with), the constant is the source, so the code's list and the
 * column's type cannot drift apart; the sets only the database and the generated types need are
 * written out here. test/db-types.test.ts checks each set against the CHECK in pg_constraint (and
 * that no CHECKed column is missing here), and the generator refuses to write types the CHECKs
 * contradict.
 */
export const CHECKED_COLUMNS: Record<string, readonly string[]> = {
  "applications.channel": CHANNELS,
  "applications.rejection_reason": Object.keys(REJECTION_REASONS),
  "applications.status": APPLICATION_STATUSES,
  "audit_log.actor_kind": ["staff", "customer", "system", "token", "public"],
  "billing_runs.status": RUN_STATUSES,
  "invoice_documents.lang": ["ja", "en"],
  "billing_settings.tax_rounding": TAX_ROUNDINGS,
  "idempotency_keys.state": IDEMPOTENCY_STATES,
  "charges.kind": CHARGE_KINDS,
  "check_rollups.grain": GRAINS,
  "checks.kind": CHECK_KINDS,
  "checks.paused_reason": PAUSE_REASONS,
  "check_states.state": CHECK_STATES,
  "alerts.status": ["firing", "resolved"],
  "alert_integrations.kind": INTEGRATION_KINDS,
  "alert_integrations.default_severity": SEVERITIES,
  "contact_preferences.incidents": PREFERENCES,
  "incidents.attribution": ATTRIBUTIONS,
  "incidents.cause": UNAVAILABILITY_CAUSES,
  "incidents.muted": MUTES,
  "incidents.severity": SEVERITIES,
  "incidents.status": INCIDENT_STATUSES,
  "maintenance_windows.reason": WINDOW_REASONS,
  "maintenance_windows.scope": WINDOW_SCOPES,
  "notice_deliveries.channel": ["email", "slack", "teams", "chatwork", "webhook"],
  "notify_channels.kind": ["slack", "teams", "chatwork", "webhook"],
  "notify_channels.min_severity": SEVERITIES,
  "credential_reveals.status": REVEAL_STATUSES,
  "credentials.kind": CREDENTIAL_KINDS,
  "inventory_items.kind": ITEM_KINDS,
  "inventory_items.provider": PROVIDERS,
  "charges.tax_category": TAX_CATEGORIES,
  "contract_changes.channel": CHANGE_CHANNELS,
  "contract_changes.kind": CONTRACT_CHANGE_KINDS,
  "contract_changes.status": CONTRACT_CHANGE_STATUSES,
  "contracts.end_kind": END_KINDS,
  "contracts.status": CONTRACT_STATUSES,
  "contracts.suspension_candidate": CANDIDACY_REASONS,
  "customer_changes.status": CHANGE_STATUSES,
  "debit_mandates.account_type": ACCOUNT_TYPES,
  "debit_mandates.next_new_code": ["0", "1", "2"],
  "debit_mandates.status": MANDATE_STATUSES,
  "invoice_lines.tax_category": TAX_CATEGORIES,
  "invoices.kind": INVOICE_KINDS,
  "invoices.status": INVOICE_STATUSES,
  "notice_deliveries.status": DELIVERY_STATUSES,
  "notices.kind": NOTICE_KINDS,
  "payment_imports.kind": ["zengin-debit-result"],
  "payments.method": PAYMENT_METHODS,
  "price_items.kind": FEE_KINDS,
  "price_items.tax_category": TAX_CATEGORIES,
  "unavailability_periods.attribution": ATTRIBUTIONS,
  "unavailability_periods.cause": UNAVAILABILITY_CAUSES,
  "users.kind": ["staff", "customer"],
  "users.locale": ["ja", "en"],
  // users_role_by_kind: a staff role for a staff user, a customer role for a customer's.
  "users.role": [...STAFF_ROLES, ...CUSTOMER_ROLES],
};

/** Tables of the `public` schema only: not pg-boss's (`pgboss`), not the migrator's own. */
const INCLUDE = "public.*";
const EXCLUDE = "public.kysely_migration*";

export const HEADER = `/**
 * GENERATED by \`npm run db:types\` (scripts/db-types.ts, kysely-codegen) from the schema the
 * migrations in src/db/migrations build. Do not edit: change a migration (or scripts/db-types.ts)
 * and run \`npm run db:types\`. test/db-types.test.ts fails when this file and the migrations differ.
 */
`;

// biome-ignore lint/suspicious/noExplicitAny: introspection works on any database shape
type AnyDb = Kysely<any>;

/** A string literal of PostgreSQL (`'it''s'`) → its value. */
function unquote(literal: string): string {
  return literal.slice(1, -1).replaceAll("''", "'");
}

const LITERAL = /'(?:[^']|'')*'/g;
/** `col = ANY (ARRAY['a'::text, …])` (how PostgreSQL prints `col IN ('a', …)`), also cast: `(col)::text`. */
const ANY_ARRAY =
  /(?<![\w.])\(?"?([a-z_][a-z0-9_]*)"?\)?(?:::[a-z ]+)? = ANY \(\(?ARRAY\[((?:[^\]']|'(?:[^']|'')*')*)\]/g;
/** `col = 'a'::text` (how PostgreSQL prints `col IN ('a')`). */
const EQUALS = /(?<![\w.])\(?"?([a-z_][a-z0-9_]*)"?\)?(?:::[a-z ]+)? = ('(?:[^']|'')*')::/g;

/**
 * The values each text column of `public` is limited to by its CHECK constraints, read from
 * pg_constraint, as "table.column" → the sorted values. A column's set is the union of the
 * `col IN (...)` lists of the table's CHECKs (one constraint may give one list per branch, as
 * users_role_by_kind does); a single-value `col IN ('a')` counts only in a CHECK on that column
 * alone (an equality inside a CHECK on several columns is a condition, not a domain).
 */
export async function checkedValues(db: AnyDb): Promise<Map<string, string[]>> {
  const { rows } = await sql<{ table: string; def: string; columns: string[] }>`
    select t.relname as table, pg_get_constraintdef(c.oid) as def,
      array(select a.attname::text from pg_attribute a
            where a.attrelid = c.conrelid and a.attnum = any (c.conkey) order by a.attnum) as columns
    from pg_constraint c
    join pg_class t on t.oid = c.conrelid
    join pg_namespace n on n.oid = t.relnamespace
    where c.contype = 'c' and n.nspname = 'public' and t.relname not like 'kysely_migration%'
    order by t.relname, c.conname`.execute(db);
  const lists = new Map<string, Set<string>>();
  const single = new Map<string, Set<string>>();
  const add = (into: Map<string, Set<string>>, key: string, values: string[]) => {
    const set = into.get(key) ?? new Set<string>();
    for (const v of values) set.add(v);
    into.set(key, set);
  };
  for (const r of rows) {
    for (const m of r.def.matchAll(ANY_ARRAY)) {
      const values = (m[2]!.match(LITERAL) ?? []).map(unquote);
      // A list of numbers (`n IN (1, 2)`) has no string literal: not a text column's set.
      if (values.length > 0) add(lists, `${r.table}.${m[1]}`, values);
    }
    const only = r.columns.length === 1 ? r.columns[0] : undefined;
    for (const m of r.def.matchAll(EQUALS)) {
      if (m[1] === only) add(single, `${r.table}.${m[1]}`, [unquote(m[2]!)]);
    }
  }
  for (const [key, set] of single) if (!lists.has(key)) lists.set(key, set);
  return new Map(
    [...lists].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, s]) => [k, [...s].sort()]),
  );
}

/** Where CHECKED_COLUMNS and the CHECK constraints disagree, one line each (none: they agree). */
export async function checkedColumnProblems(
  db: AnyDb,
  declared: Record<string, readonly string[]> = CHECKED_COLUMNS,
): Promise<string[]> {
  const actual = await checkedValues(db);
  const problems: string[] = [];
  const show = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(", ");
  for (const [column, values] of Object.entries(declared)) {
    const allowed = actual.get(column);
    const mine = [...new Set(values)].sort();
    if (!allowed) problems.push(`${column}: no CHECK (… IN (…)) limits this column (declared ${show(mine)})`);
    else if (allowed.join("\0") !== mine.join("\0"))
      problems.push(
        `${column}: the CHECK allows ${show(allowed)}; scripts/db-types.ts declares ${show(mine)}`,
      );
  }
  for (const [column, allowed] of actual) {
    if (!(column in declared))
      problems.push(`${column}: a CHECK limits it to ${show(allowed)}; add it to CHECKED_COLUMNS`);
  }
  return problems;
}

/**
 * The generated type of each CHECKed column: the union of its literals, `Generated<…>` when the column
 * has a default (kysely-codegen adds `| null` to a nullable column's override itself). Given as nodes,
 * not as strings: kysely-codegen parses a string override with the JS API of the `typescript` package,
 * which TypeScript 7 no longer has.
 */
function unionOverrides(tables: TableMetadata[]): Record<string, ExpressionNode> {
  const overrides: Record<string, ExpressionNode> = {};
  for (const [key, values] of Object.entries(CHECKED_COLUMNS)) {
    const [tableName, columnName] = key.split(".");
    const column = tables
      .find((t) => t.schema === "public" && t.name === tableName)
      ?.columns.find((c) => c.name === columnName);
    if (!column) throw new Error(`CHECKED_COLUMNS names ${key}, which the schema does not have`);
    const literals = values.map((v) => new LiteralNode(v));
    const union = literals.length === 1 ? literals[0]! : new UnionExpressionNode(literals);
    overrides[key] = column.hasDefaultValue ? new GenericExpressionNode("Generated", [union]) : union;
  }
  return overrides;
}

/** The text of src/db/schema.generated.ts for the schema of `db` (a migrated database). */
export async function generateDbTypes(db: AnyDb): Promise<string> {
  const problems = await checkedColumnProblems(db);
  if (problems.length > 0) {
    throw new Error(
      `the CHECK constraints and CHECKED_COLUMNS (scripts/db-types.ts) disagree:\n  ${problems.join("\n  ")}`,
    );
  }
  const dialect = new PostgresDialect({ dateParser: "string", numericParser: "string" });
  // jsonb: written as a JSON string, read back parsed (the code casts what it reads).
  dialect.adapter.definitions.Json = new ColumnTypeNode(
    new IdentifierNode("unknown"),
    new IdentifierNode("string"),
    new IdentifierNode("string"),
  );
  const metadata = await dialect.introspector.introspect({
    db,
    includePattern: INCLUDE,
    excludePattern: EXCLUDE,
  });
  const body = serializeFromMetadata({
    dialect,
    metadata,
    defaultSchemas: ["public"],
    // int8 comes back as a number (the type parser of src/db/db.ts).
    typeMapping: { int8: "number" },
    overrides: { columns: unionOverrides(metadata.tables) },
    skipAutogeneratedFileComment: true,
  });
  return `${HEADER}\n${body}`;
}

/** A readable line diff from the committed text to the generated one (undefined when equal). */
export function typesDiff(committed: string, generated: string): string | undefined {
  if (committed === generated) return undefined;
  return new DiffChecker().diff(committed, generated) || "(the texts differ only in whitespace at the end)";
}

/** Migrate a fresh database on `serverUrl`, generate the types from it, drop it. */
export async function generateOnServer(serverUrl: string): Promise<string> {
  const name = `unyo_types_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
    const u = new URL(serverUrl);
    u.pathname = `/${name}`;
    const db = createDb(u.toString(), { max: 2 });
    try {
      await migrate(db);
      return await generateDbTypes(db);
    } finally {
      await db.destroy();
    }
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => {});
    await admin.end();
  }
}

async function main(argv: string[]): Promise<number> {
  const check = argv.includes("--check");
  let embedded: EmbeddedPostgres | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    embedded = new EmbeddedPostgres({ home: path.join(ROOT, ".unyo-types") });
    serverUrl = await embedded.start();
  }
  try {
    const generated = await generateOnServer(serverUrl);
    const relative = path.relative(process.cwd(), GENERATED_FILE);
    const committed = fs.existsSync(GENERATED_FILE) ? fs.readFileSync(GENERATED_FILE, "utf8") : "";
    if (check) {
      const diff = typesDiff(committed, generated);
      if (!diff) {
        console.log(`${relative} is up to date`);
        return 0;
      }
      console.error(`${relative} differs from what the migrations build: run npm run db:types\n${diff}`);
      return 1;
    }
    if (committed === generated) console.log(`${relative} is up to date`);
    else {
      fs.writeFileSync(GENERATED_FILE, generated);
      console.log(`wrote ${relative}`);
    }
    return 0;
  } finally {
    await embedded?.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
