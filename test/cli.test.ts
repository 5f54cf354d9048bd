import { spawn, spawnSync } from "node:child_process";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCustomer, testDatabase } from "./helpers.ts";

let handle: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  handle = await testDatabase();
});
afterAll(async () => {
  await handle?.drop();
});

function unyo(...args: string[]) {
  const r = spawnSync(process.execPath, ["bin/unyo.js", ...args], {
    env: { ...process.env, DATABASE_URL: handle.url, LOG_LEVEL: "warn" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("unyo CLI", () => {
  it("prints help with exit 0, and exit 2 for no or unknown commands", () => {
    const help = unyo("--help");
    expect(help.code).toBe(0);
    for (const cmd of ["start", "serve", "worker", "migrate", "seed", "user create", "audit verify"])
      expect(help.out).toContain(cmd);
    expect(unyo().code).toBe(2);
    const bad = unyo("frobnicate");
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown command "frobnicate"');
  });

  it("migrate is idempotent", () => {
    const r = unyo("migrate");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/up to date \(\d{4}_\w+\)|applied/);
  });

  it("user create validates its input with exit 2", () => {
    expect(unyo("user", "create", "--kind", "staff").code).toBe(2);
    expect(
      unyo(
        "user",
        "create",
        "--kind",
        "staff",
        "--role",
        "customer-admin",
        "--login",
        "abc",
        "--name",
        "A",
        "--email",
        "a@b.c",
      ).code,
    ).toBe(2);
    expect(
      unyo(
        "user",
        "create",
        "--kind",
        "customer",
        "--role",
        "customer-admin",
        "--login",
        "abc",
        "--name",
        "A",
        "--email",
        "a@b.c",
      ).code,
    ).toBe(2);
    expect(
      unyo(
        "user",
        "create",
        "--kind",
        "staff",
        "--role",
        "admin",
        "--login",
        "abc",
        "--name",
        "A",
        "--email",
        "not-mail",
      ).code,
    ).toBe(2);
    expect(unyo("user", "create", "--bogus-flag").code).toBe(2);
    expect(unyo("user", "delete").code).toBe(2);
  });

  it("user create makes a staff user and prints the initial password (Art. 10)", async () => {
    const r = unyo(
      "user",
      "create",
      "--kind",
      "staff",
      "--role",
      "engineer",
      "--login",
      "cli-eng",
      "--name",
      "CLI 技術",
      "--email",
      "eng@example.test",
    );
    expect(r.code).toBe(0);
    const pw = r.out.match(/initial password.*: (\S+)/)?.[1];
    expect(pw).toMatch(/^[A-Za-z0-9]{16}$/);
    const row = await handle.db
      .selectFrom("users")
      .select(["role", "must_change_password"])
      .where("login_id", "=", "cli-eng")
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ role: "engineer", must_change_password: true });
    const dup = unyo(
      "user",
      "create",
      "--kind",
      "staff",
      "--role",
      "engineer",
      "--login",
      "CLI-ENG",
      "--name",
      "x",
      "--email",
      "e@example.test",
    );
    expect(dup.code).toBe(2);
    expect(dup.err).toContain("already taken");
  });

  it("user create makes a customer user of an existing company, refuses an unknown one", async () => {
    const customerId = await buildCustomer(handle.db);
    expect(
      unyo(
        "user",
        "create",
        "--kind",
        "customer",
        "--role",
        "customer-admin",
        "--login",
        "cli-cust",
        "--name",
        "顧客",
        "--email",
        "c@example.test",
        "--customer",
        customerId,
      ).code,
    ).toBe(0);
    const missing = unyo(
      "user",
      "create",
      "--kind",
      "customer",
      "--role",
      "customer-admin",
      "--login",
      "cli-cust2",
      "--name",
      "顧客",
      "--email",
      "c@example.test",
      "--customer",
      "00000000-0000-4000-8000-000000000000",
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("customer not found");
  });

  it("seed is idempotent", () => {
    expect(unyo("seed").out).toContain("demo data loaded");
    expect(unyo("seed").out).toContain("already present");
  });

  it("audit verify passes on an intact log and fails (exit 1) on a tampered one", async () => {
    const ok = unyo("audit", "verify");
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/audit log OK: \d+ entries/);
    await handle.db.transaction().execute(async (tx) => {
      await sql`alter table audit_log disable trigger audit_log_no_update`.execute(tx);
      await sql`update audit_log set action = 'forged' where seq = 2`.execute(tx);
      await sql`alter table audit_log enable trigger audit_log_no_update`.execute(tx);
    });
    const broken = unyo("audit", "verify");
    expect(broken.code).toBe(1);
    expect(broken.err).toContain("seq 2: hash-mismatch");
  });

  it("worker runs its jobs and stops cleanly on SIGTERM (exit 0)", async () => {
    const child = spawn(process.execPath, ["bin/unyo.js", "worker"], {
      env: { ...process.env, DATABASE_URL: handle.url, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout?.on("data", (c) => (out += c));
    for (let i = 0; i < 200 && !out.includes("worker running"); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain("worker running");
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(0);
  });
});
