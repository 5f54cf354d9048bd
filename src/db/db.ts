import { Kysely, Migrator, PostgresDialect, sql, type Transaction } from "kysely";
import pg from "pg";
import { migrations } from "./migrations/index.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
export type { Database };

// bigint (int8) and numeric come back as strings by default; counts in this app fit in a number.
pg.types.setTypeParser(20, (v) => Number(v));
// date columns are business dates (Asia/Tokyo calendar days): keep them as ISO strings, never Date.
pg.types.setTypeParser(1082, (v) => v);

class BoundedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(
      typeof config === "string"
        ? { connectionString: config, connectionTimeoutMillis: 5_000 }
        : { ...config, connectionTimeoutMillis: 5_000 },
    );
  }
}

export function createDb(url: string, opts: { max?: number } = {}): Db {
  // A server that does not answer (a failover in progress) fails a new connection in bounded time.
  // Set on the client, not the pool: the pool's option would also fail requests waiting for a busy
  // pool's free connection.
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, Client: BoundedClient });
  // A connection's error (the server restarting, killed, failing over) must not crash the process: an
  // idle client's reaches the pool's listener, a checked-out client's its own; either way the next
  // query on it fails, and the request is answered 503 (`isDatabaseUnavailable`).
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** SQLSTATE classes and codes of a database that is away: connection exceptions, shutting down, starting. */
const UNAVAILABLE_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);
const UNAVAILABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * Whether an error says the database is away (stopped, restarting, failing over, unreachable) rather
 * than that a statement was wrong: such a request is answered 503 and retried later, never 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (
    typeof code === "string" &&
    (code.startsWith("08") || UNAVAILABLE_CODES.has(code) || UNAVAILABLE_ERRNOS.has(code))
  )
    return true;
  if (typeof message === "string" && UNAVAILABLE_MESSAGE.test(message)) return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err && isDatabaseUnavailable(cause);
}

/** Create the database named in `url` if it does not exist (connecting to the `postgres` database). */
export async function ensureDatabase(url: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: url });
  admin.on("error", () => {});
  await admin.connect();
  try {
    const found = await admin.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount === 0) await admin.query(`create database ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface MigrateResult {
  applied: string[];
  latest: string | undefined;
}

/** Apply every pending forward-only migration, in order, under Kysely's migration lock. */
// biome-ignore lint/suspicious/noExplicitAny: migrations work on any database shape
export async function migrate(db: Kysely<any>): Promise<MigrateResult> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  const names = Object.keys(migrations).sort();
  return {
    applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName),
    latest: names[names.length - 1],
  };
}

/**
 * Run `fn` in a transaction scoped to one customer: the transaction runs as the
 * `unyo_customer` role with `unyo.customer_id` set, so PostgreSQL row-level security
 * limits every read and write to that customer's rows even if a query forgets a filter.
 */
export async function withCustomerScope<T>(
  db: Db,
  customerId: string,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`select set_config('unyo.customer_id', ${customerId}, true)`.execute(tx);
    await sql`set local role unyo_customer`.execute(tx);
    return fn(tx);
  });
}

/**
 * A transaction as the caller may act: staff as the owning role, a customer's user under row-level
 * security for its own customer.
 */
export function asCaller<T>(
  db: Db,
  caller: { user: { kind: "staff" | "customer"; customerId: string | null } },
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  if (caller.user.kind === "customer") {
    if (!caller.user.customerId) throw new Error("a customer user without a customer");
    return withCustomerScope(db, caller.user.customerId, fn);
  }
  return db.transaction().execute(fn);
}

/**
 * Inside a customer-scoped transaction, run a system side effect (queueing the provider's notice,
 * for instance) as the owning role, then return to the customer role. Only for writes the
 * service decides on after its checks under RLS have passed.
 */
export async function asSystem<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  const r = await sql<{ u: string }>`select current_user as u`.execute(tx);
  if (r.rows[0]?.u !== "unyo_customer") return fn();
  await sql`reset role`.execute(tx);
  try {
    return await fn();
  } finally {
    await sql`set local role unyo_customer`.execute(tx);
  }
}
