/**
 * The all-in-one start on embedded PostgreSQL, as a newcomer runs it: first and second start,
 * two instances side by side, recovery after SIGKILL, and a clean stop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../src/db/embedded.ts";

const homes: string[] = [];
const children: ChildProcess[] = [];

function tmpHome() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-home-"));
  homes.push(dir);
  return dir;
}

async function start(home: string, port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, UNYO_HOME: home, PORT: String(port), LOG_LEVEL: "warn" };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ["bin/unyo.js", "start"], { env, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (c) => (out += c));
  child.stderr?.on("data", (c) => (out += c));
  await serving(port, child, () => `unyo start did not become ready: ${out}`);
  return { child, output: () => out };
}

/** Until GET /readyz on the port answers 200; fails when the process exits first or after a minute. */
async function serving(port: number, child: ChildProcess, failure: () => string) {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) return;
    } catch {}
    if (child.exitCode !== null || i > 600) throw new Error(failure());
    await new Promise((r) => setTimeout(r, 100));
  }
}

function postmasterPid(home: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(home, "pgdata", "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
}

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  return new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
}

afterAll(async () => {
  for (const c of children) await stop(c, "SIGKILL");
  for (const h of homes) {
    const pid = postmasterPid(h);
    if (pid && alive(pid)) process.kill(pid, "SIGINT");
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

/** The environment of an `unyo start` on `home` without demo data or an external database. */
const quietStart = (home: string, port: number): NodeJS.ProcessEnv => ({
  ...process.env,
  UNYO_HOME: home,
  PORT: String(port),
  LOG_LEVEL: "warn",
  UNYO_DEMO: "0",
  DATABASE_URL: "",
});

describe("unyo start on embedded PostgreSQL", () => {
  it("starts, prints the URL and demo log-ins, serves; restarts on the same data; two run side by side", async () => {
    const homeA = tmpHome();
    const homeB = tmpHome();
    const portA = await freePort();
    const portB = await freePort();
    const a = await start(homeA, portA);
    expect(a.output()).toContain(`http://localhost:${portA}`);
    expect(a.output()).toContain("sample-admin");
    const b = await start(homeB, portB);
    const login = await fetch(`http://127.0.0.1:${portB}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ loginId: "operator", password: "unyo-demo-2026!" }),
    });
    expect(login.status).toBe(200);
    // A second `start` on a home that is in use is refused clearly.
    const clash = spawn(process.execPath, ["bin/unyo.js", "start", "--port", String(await freePort())], {
      env: { ...process.env, UNYO_HOME: homeA, DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let clashOut = "";
    clash.stderr?.on("data", (c) => (clashOut += c));
    const clashCode = await new Promise((r) => clash.once("exit", r));
    expect(clashCode).toBe(1);
    expect(clashOut).toContain("another Unyo");

    const pgA = postmasterPid(homeA)!;
    expect(await stop(a.child)).toBe(0);
    expect(alive(pgA)).toBe(false); // embedded PostgreSQL stops with Unyo
    const again = await start(homeA, portA);
    expect(again.output()).not.toContain("(created now)"); // data reused, demo data not loaded twice
    expect(await stop(again.child)).toBe(0);
    expect(await stop(b.child)).toBe(0);
  }, 180_000);

  it("recovers after being killed with SIGKILL (orphaned server, stale lock)", async () => {
    const home = tmpHome();
    const port = await freePort();
    const first = await start(home, port);
    const pg1 = postmasterPid(home)!;
    await stop(first.child, "SIGKILL");
    expect(alive(pg1)).toBe(true); // the orphan is still there…
    const second = await start(home, port); // …and the next start recovers
    expect(alive(pg1)).toBe(false);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    await stop(second.child);
  }, 180_000);

  it("of two starts at the same moment on one home, one serves and the other is refused in one line", async () => {
    const home = tmpHome();
    const ports = [await freePort(), await freePort()];
    const runs = ports.map((port) => {
      const env = quietStart(home, port);
      const child = spawn(process.execPath, ["bin/unyo.js", "start"], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      let err = "";
      child.stderr?.on("data", (c) => (err += c));
      return { child, port, err: () => err };
    });
    // The loser exits on its own; the winner serves.
    const loser = await Promise.race(
      runs.map((r) => new Promise<typeof r>((resolve) => r.child.once("exit", () => resolve(r)))),
    );
    const winner = runs.find((r) => r !== loser)!;
    expect(loser.child.exitCode).toBe(1);
    const lines = loser.err().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^unyo: another Unyo \(pid \d+\) is running on UNYO_HOME=/);
    await serving(winner.port, winner.child, () => `the winner did not serve: ${winner.err()}`);
    const pg = postmasterPid(home)!;
    expect(alive(pg)).toBe(true);
    expect(await stop(winner.child)).toBe(0);
    expect(alive(pg)).toBe(false);
  }, 180_000);

  it("`npm start` stops with its PostgreSQL when npm itself gets SIGTERM", async () => {
    const home = tmpHome();
    const port = await freePort();
    const env = quietStart(home, port);
    const npm = spawn("npm", ["start", "--silent"], { env, stdio: ["ignore", "pipe", "pipe"] });
    children.push(npm);
    await serving(port, npm, () => "npm start did not serve");
    const pg = postmasterPid(home)!;
    const lock = Number(fs.readFileSync(path.join(home, "unyo.lock"), "utf8"));
    expect(alive(lock)).toBe(true);
    npm.kill("SIGTERM");
    for (let i = 0; i < 150 && (alive(lock) || alive(pg)); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(lock)).toBe(false); // the node process npm ran
    expect(alive(pg)).toBe(false);
    expect(fs.existsSync(path.join(home, "unyo.lock"))).toBe(false);
  }, 180_000);
});
