import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import pg from "pg";
import { inject } from "vitest";
import { systemActor } from "../src/audit/service.ts";
import { issueIds, issueMonth } from "../src/billing/issue.ts";
import { type Clock, fixedClock } from "../src/core/clock.ts";
import { type Config, loadConfig } from "../src/core/config.ts";
import type { Deps } from "../src/core/deps.ts";
import { createDb, type Db } from "../src/db/db.ts";
import { buildApp } from "../src/http/app.ts";
import type { Role } from "../src/identity/rules.ts";
import { createUser } from "../src/identity/users.ts";
import type { JobQueue } from "../src/jobs/queue.ts";
import { jobQueue } from "../src/jobs/registry.ts";
import type { KeyRing } from "../src/monitoring/custody/keyring.ts";

export const serverUrl = () => inject("pgServerUrl");

/** A fresh database cloned from the migrated template. */
export async function testDatabase(): Promise<{ db: Db; url: string; drop(): Promise<void> }> {
  const name = `unyo_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`create database ${name} template ${inject("pgTemplate")}`);
  await admin.end();
  const u = new URL(serverUrl());
  u.pathname = `/${name}`;
  const db = createDb(u.toString(), { max: 5 });
  return {
    db,
    url: u.toString(),
    async drop() {
      await db.destroy();
      const c = new pg.Client({ connectionString: serverUrl() });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export const PASSWORD = "correct horse battery staple 9";

export interface TestEnv extends Deps {
  app: FastifyInstance;
  db: Db;
  url: string;
  config: Config;
  clock: Clock & { advance(ms: number): void; set(at: Date): void };
  queue: JobQueue;
  close(): Promise<void>;
}

const quiet = { info() {}, warn() {}, error() {} };

/** A job queue on a test database: `client` only enqueues; `worker` runs the jobs too. */
export function testQueue(
  db: Db,
  url: string,
  clock: Clock,
  config: Config,
  role: "client" | "worker" = "client",
) {
  return jobQueue({ url, db, clock, config, log: quiet, role, pollingSeconds: 0.5 });
}

export async function testApp(
  overrides: Partial<Config> = {},
  extra: { keys?: KeyRing; logger?: FastifyBaseLogger } = {},
): Promise<TestEnv> {
  const { db, url, drop } = await testDatabase();
  const config = loadConfig({}, { demo: true, ...overrides });
  const clock = fixedClock(new Date("2026-11-24T01:00:00Z"));
  const queue = testQueue(db, url, clock, config);
  await queue.start();
  // UNYO_TEST_SESSION_CACHE=1 runs every API test with the session cache of a real server on.
  const sessionCacheUrl = process.env.UNYO_TEST_SESSION_CACHE === "1" ? url : undefined;
  const { app } = await buildApp({
    db,
    config,
    clock,
    logger: extra.logger ?? false,
    serveWeb: false,
    queue,
    sessionCacheUrl,
    checkAnswers: true,
    keys: extra.keys,
  });
  await app.ready();
  return {
    app,
    db,
    url,
    config,
    clock,
    queue,
    async close() {
      await app.close();
      await queue.stop();
      await drop();
    },
  };
}

let counter = 0;
/** Factory: a customer company. */
export async function buildCustomer(db: Db, legalName = `株式会社テスト${++counter}`): Promise<string> {
  const row = await db
    .insertInto("customers")
    .values({ legal_name: legalName })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Factory: a user with a known password (no forced change unless `initial`). */
export async function buildUser(
  db: Db,
  opts: { role: Role; customerId?: string; loginId?: string; initial?: boolean },
): Promise<{ id: string; loginId: string; password: string }> {
  const loginId = opts.loginId ?? `u${++counter}-${randomBytes(3).toString("hex")}`;
  const result = await db.transaction().execute((tx) =>
    createUser(
      tx,
      { kind: "system", id: null },
      {
        kind: opts.customerId ? "customer" : "staff",
        customerId: opts.customerId ?? null,
        loginId,
        email: `${loginId}@example.test`,
        displayName: loginId,
        role: opts.role,
        ...(opts.initial ? {} : { password: PASSWORD }),
      },
      new Date(),
    ),
  );
  return { id: result.user.id, loginId, password: result.initialPassword ?? PASSWORD };
}

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read JSON bodies freely
  json: any;
  headers: Record<string, unknown>;
}

export interface Client {
  cookie: string;
  csrf: string;
  req(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
}

/** Log in through the API and return a client that sends the session cookie and CSRF token. */
export async function login(
  app: FastifyInstance,
  loginId: string,
  password: string,
  totp?: string,
): Promise<Client> {
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/auth/login",
    payload: { loginId, password, ...(totp ? { totp } : {}) },
  });
  if (res.statusCode !== 200) throw new Error(`login failed ${res.statusCode}: ${res.body}`);
  const set = res.cookies.find((c) => c.name === "unyo_session");
  const cookie = `unyo_session=${set!.value}`;
  const csrf = res.json().csrfToken as string;
  return {
    cookie,
    csrf,
    async req(method, url, body, headers = {}) {
      const r = await app.inject({
        method: method as "GET",
        url,
        headers: { cookie, "x-csrf-token": csrf, ...headers },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      return { status: r.statusCode, json: r.body ? r.json() : null, headers: r.headers };
    },
  };
}

/** Factory: a contract with given dates (as if accepted then), for billing tests. */
export async function buildContract(
  db: Db,
  opts: {
    customerId?: string;
    start: string;
    plan?: "basic" | "standard" | "premium";
    options?: string[];
    status?: "active" | "suspended" | "terminating" | "terminated";
    endEffectiveOn?: string | null;
    chargesVoid?: boolean;
    servers?: { hostname: string; provider: "aws" | "azure" | "gcp" | "other"; role?: string; os?: string }[];
  },
): Promise<{ id: string; number: string; customerId: string }> {
  const customerId = opts.customerId ?? (await buildCustomer(db));
  const number = `C-T-${randomBytes(5).toString("hex")}`;
  const row = await db
    .insertInto("contracts")
    .values({
      number,
      customer_id: customerId,
      status: opts.status ?? "active",
      plan: opts.plan ?? "standard",
      options: opts.options ?? [],
      servers: JSON.stringify(opts.servers ?? []),
      channel: "paper",
      applied_on: opts.start,
      start_date: opts.start,
      end_effective_on: opts.endEffectiveOn ?? null,
      // As `contractEnd` decides for a cancellation without an extension.
      ...(opts.endEffectiveOn
        ? { end_kind: "cancellation" as const, end_article: "26(2)", service_until: opts.endEffectiveOn }
        : {}),
      charges_void: opts.chargesVoid ?? false,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, number, customerId };
}

/** Issue drafts as if on `day` (JST): the due date they state is decided then (Art. 31(3)). */
export async function issueOn(env: Pick<TestEnv, "db">, ids: string[], day: string) {
  const clock = fixedClock(new Date(`${day}T01:00:00Z`));
  return env.db.transaction().execute((tx) => issueIds({ clock }, tx, systemActor, ids));
}

/** Issue every draft of a month as if on `day` (JST). */
export async function issueMonthOn(env: Pick<TestEnv, "db">, month: string, day: string) {
  return issueMonth({ db: env.db, clock: fixedClock(new Date(`${day}T01:00:00Z`)) }, systemActor, month);
}

/** A contract's invoices, oldest month first. */
export const invoicesOf = (db: Db, contractId: string) =>
  db.selectFrom("invoices").selectAll().where("contract_id", "=", contractId).orderBy("month").execute();

/** An invoice's lines in their printed order. */
export const linesOf = (db: Db, invoiceId: string) =>
  db.selectFrom("invoice_lines").selectAll().where("invoice_id", "=", invoiceId).orderBy("line_no").execute();

/** The provider's consignor details (委託者) as staff type them. */
export const DEBIT_CONSIGNOR = {
  consignorCode: "1234567890",
  consignorName: "ウンヨウシエン（カ",
  bankCode: "0005",
  bankName: "ミツビシ",
  branchCode: "123",
  branchName: "シブヤ",
  accountType: "1",
  accountNumber: "7654321",
};

/** A customer's direct-debit mandate (預金口座振替依頼書) as staff type it, in full-width kana. */
export const DEBIT_MANDATE = {
  bankCode: "0001",
  bankName: "ミズホ",
  branchCode: "001",
  branchName: "ほんてん",
  accountType: "1",
  accountNumber: "12345",
  accountHolder: "ヤマダ　タロウ",
};

/** What a web applicant consents to (Art. 15): the terms version in force and the privacy notice, as /catalogue names them. */
export async function webConsent(
  app: FastifyInstance,
): Promise<{ termsVersionId: string | null; privacyNotice: string }> {
  const c = (await app.inject({ method: "GET", url: "/api/v1/catalogue" })).json();
  return { termsVersionId: c.terms?.id ?? null, privacyNotice: c.privacyNotice };
}
