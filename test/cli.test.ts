/**
 * The `unyo` command, run in process through `main(argv)` (one spawned smoke test checks the real
 * binary and its exit codes). Exit codes: 0 ok, 1 failure, 2 bad usage or input.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli/main.ts";
import { calculators } from "../src/rules/calculators.ts";
import { buildCustomer, testDatabase } from "./helpers.ts";

let handle: Awaited<ReturnType<typeof testDatabase>>;
const savedEnv = process.env;
beforeAll(async () => {
  handle = await testDatabase();
  process.env = { ...savedEnv, DATABASE_URL: handle.url, LOG_LEVEL: "warn" };
});
afterAll(async () => {
  process.env = savedEnv;
  await handle?.drop();
});

async function unyo(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { log: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const staff = (login: string, ...more: string[]) => [
  "user",
  "create",
  "--kind",
  "staff",
  "--role",
  "engineer",
  "--login",
  login,
  "--name",
  "CLI 技術",
  "--email",
  "eng@example.test",
  ...more,
];

describe("unyo CLI", () => {
  it("the binary prints help with exit 0, and exit 2 for no or unknown commands, quickly", () => {
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["bin/unyo.js", ...args], { encoding: "utf8", timeout: 30_000 });
    const started = Date.now();
    const help = run("--help");
    const helpMs = Date.now() - started;
    expect(help.status).toBe(0);
    for (const cmd of [
      "start",
      "serve",
      "worker",
      "migrate",
      "seed",
      "user",
      "audit",
      "billing",
      "clock",
      "rules",
    ])
      expect(help.stdout).toContain(`  ${cmd}`);
    expect(run().status).toBe(2);
    const bad = run("frobnicate");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown command "frobnicate"');
    // Nothing but the command table is loaded for help (it took 1.4 s with every module loaded).
    expect(helpMs).toBeLessThan(5_000);
  });

  it("answers --help for every command and subcommand with its own options", async () => {
    const cases: [string[], RegExp][] = [
      [["start", "--help"], /unyo start \[--port N\]/],
      [["serve", "--help"], /unyo serve/],
      [["worker", "--help"], /unyo worker/],
      [["migrate", "--help"], /unyo migrate/],
      [["seed", "--help"], /unyo seed/],
      [["user", "--help"], /unyo user create --kind/],
      [["user", "create", "--help"], /unyo user create --kind/],
      [["audit", "verify", "--help"], /unyo audit verify/],
      [["billing", "--help"], /unyo billing <command>/],
      [["billing", "run", "--help"], /--month YYYY-MM \[--issue\] \[--batch N\]/],
      [["billing", "issue", "--help"], /unyo billing issue --month/],
      [["billing", "export", "--help"], /--out FILE/],
      [["billing", "journal", "--help"], /--format yayoi\|freee\|moneyforward/],
      [["billing", "import-usage", "--help"], /--format aws-cur\|generic/],
      [["billing", "debit-request", "--help"], /--date YYYY-MM-DD/],
      [["billing", "import-debit", "--help"], /unyo billing import-debit FILE/],
      [["clock", "--help"], /unyo clock advance/],
      [["clock", "set", "--help"], /unyo clock set --at/],
      [["rules", "--help"], /unyo rules <name>/],
      [["help", "billing"], /unyo billing <command>/],
    ];
    for (const c of calculators)
      cases.push([["rules", c.name, "--help"], new RegExp(`unyo rules ${c.name} — `)]);
    for (const [args, want] of cases) {
      const r = await unyo(...args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.out, args.join(" ")).toMatch(want);
    }
    // A calculator's help names its flags, required and optional.
    expect((await unyo("rules", "cancellation", "--help")).out).toMatch(
      /--received VALUE\n {2}\[--month VALUE\]/,
    );
  });

  it("refuses, in one line and without creating anything, a command that reads data from a home with no database", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-empty-"));
    const env = process.env;
    process.env = { ...env, UNYO_HOME: home };
    delete process.env.DATABASE_URL;
    try {
      for (const args of [
        ["billing", "export", "--month", "2026-10"],
        ["billing", "run", "--month", "2026-10"],
        ["audit", "verify"],
        ["clock", "show"],
      ]) {
        const r = await unyo(...args);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.err).toMatch(
          new RegExp(`^unyo: no Unyo database at UNYO_HOME=${home}: start one with "unyo start"`),
        );
        expect(r.err.split("\n")).toHaveLength(1);
        expect(r.out).toBe("");
      }
      expect(fs.readdirSync(home)).toEqual([]);
    } finally {
      process.env = env;
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("billing journal writes the month's import file for a package; a bad format is a usage error (exit 2)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-journal-"));
    try {
      const out = path.join(dir, "freee.csv");
      const r = await unyo("billing", "journal", "--month", "2026-10", "--format", "freee", "--out", out);
      expect(r.code, r.err).toBe(0);
      // freee's 仕訳インポート: UTF-8 with a BOM and its header row (no entries in an empty month).
      const text = fs.readFileSync(out, "utf8");
      expect(text.startsWith("\uFEFF日付,伝票番号,決算整理仕訳,借方勘定科目")).toBe(true);
      const bad = await unyo("billing", "journal", "--month", "2026-10", "--format", "excel");
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/--format must be one of yayoi, freee, moneyforward/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("migrate is idempotent", async () => {
    const r = await unyo("migrate");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/up to date \(\d{4}_\w+\)|applied/);
  });

  it("user create validates its input with exit 2", async () => {
    expect((await unyo("user", "create", "--kind", "staff")).code).toBe(2);
    const wrongRole = staff("abc").map((a) => (a === "engineer" ? "customer-admin" : a));
    expect((await unyo(...wrongRole)).code).toBe(2);
    const noCustomer = staff("abc").map((a) =>
      a === "staff" ? "customer" : a === "engineer" ? "customer-admin" : a,
    );
    expect((await unyo(...noCustomer)).code).toBe(2);
    const badMail = staff("abc").map((a) => (a === "eng@example.test" ? "not-mail" : a));
    const bad = await unyo(...badMail);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--email is not an e-mail address");
    expect((await unyo("user", "create", "--bogus-flag")).code).toBe(2);
    expect((await unyo("user", "delete")).code).toBe(2);
  });

  it("user create makes a staff user and prints the initial password (Art. 10)", async () => {
    const r = await unyo(...staff("cli-eng"));
    expect(r.code).toBe(0);
    const pw = r.out.match(/initial password.*: (\S+)/)?.[1];
    expect(pw).toMatch(/^[A-Za-z0-9]{16}$/);
    const row = await handle.db
      .selectFrom("users")
      .select(["role", "must_change_password"])
      .where("login_id", "=", "cli-eng")
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ role: "engineer", must_change_password: true });
    const dup = await unyo(...staff("CLI-ENG"));
    expect(dup.code).toBe(2);
    expect(dup.err).toContain("already taken");
  });

  it("user create makes a customer user of an existing company, refuses an unknown one", async () => {
    const customerId = await buildCustomer(handle.db);
    const customer = (login: string, id: string) => [
      "user",
      "create",
      "--kind",
      "customer",
      "--role",
      "customer-admin",
      "--login",
      login,
      "--name",
      "顧客",
      "--email",
      "c@example.test",
      "--customer",
      id,
    ];
    expect((await unyo(...customer("cli-cust", customerId))).code).toBe(0);
    const missing = await unyo(...customer("cli-cust2", "00000000-0000-4000-8000-000000000000"));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("customer not found");
  });

  it("seed is idempotent", async () => {
    expect((await unyo("seed")).out).toContain("demo data loaded");
    expect((await unyo("seed")).out).toContain("already present");
  });

  it("audit verify passes on an intact log and fails (exit 1) on a tampered one", async () => {
    // Entries of its own (two users created), whichever tests ran before.
    expect((await unyo(...staff("cli-audit-1"))).code).toBe(0);
    expect((await unyo(...staff("cli-audit-2"))).code).toBe(0);
    const ok = await unyo("audit", "verify");
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/audit log OK: \d+ entries/);
    const second = await handle.db
      .selectFrom("audit_log")
      .select(["seq", "action"])
      .orderBy("seq")
      .offset(1)
      .limit(1)
      .executeTakeFirstOrThrow();
    const setAction = (action: string) =>
      handle.db.transaction().execute(async (tx) => {
        await sql`alter table audit_log disable trigger audit_log_no_update`.execute(tx);
        await sql`update audit_log set action = ${action} where seq = ${second.seq}`.execute(tx);
        await sql`alter table audit_log enable trigger audit_log_no_update`.execute(tx);
      });
    await setAction("forged");
    const broken = await unyo("audit", "verify");
    expect(broken.code).toBe(1);
    expect(broken.err).toContain(`seq ${second.seq}: hash-mismatch`);
    // Put back, the chain verifies again (and the tests after this one find it intact).
    await setAction(second.action);
    expect((await unyo("audit", "verify")).code).toBe(0);
  });

  it("worker runs its jobs and stops cleanly on SIGTERM (exit 0)", async () => {
    const child = spawn(process.execPath, ["bin/unyo.js", "worker"], {
      env: { ...process.env, DATABASE_URL: handle.url, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (c) => (out += c));
    for (let i = 0; i < 300 && !out.includes("worker running"); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain("worker running");
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(0);
  });
});
