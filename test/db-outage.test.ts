/**
 * The database goes away under load (its server killed with SIGKILL, as a crash or a failover does)
 * and comes back: the web and worker processes survive, /readyz says 503 without the driver's words,
 * requests fail with a clear 503, and everything recovers by itself.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, ensureDatabase, migrate } from "../src/db/db.ts";
import { EmbeddedPostgres, freePort } from "../src/db/embedded.ts";
import { sleep, spawnUnyo, until } from "./processes.ts";

const home = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-outage-"));
let server: EmbeddedPostgres | undefined;

afterAll(async () => {
  await server?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

describe("a database outage", () => {
  it("is survived by the web and worker processes, answered with 503, and recovered from by itself", async () => {
    const pgPort = await freePort();
    server = new EmbeddedPostgres({ home, port: pgPort, restartOnExit: false });
    const url = await ensureDatabase(await server.start(), "unyo_outage");
    const db = createDb(url, { max: 2 });
    await migrate(db);
    await db.destroy();

    const webPort = await freePort();
    const web = spawnUnyo(["serve", "--port", String(webPort)], { DATABASE_URL: url });
    const worker = spawnUnyo(["worker"], { DATABASE_URL: url });
    const base = `http://127.0.0.1:${webPort}`;
    await until("the web process", async () => (await fetch(`${base}/readyz`)).ok);
    await until("the worker", async () => worker.output().includes("worker running")).catch((err) => {
      throw new Error(`${err.message}: ${worker.output()}`);
    });

    // Load: requests that need the database (a session cookie to look up), four at a time, throughout.
    const statuses = new Map<number | string, number>();
    let loading = true;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (loading) {
          const key = await fetch(`${base}/api/v1/me`, { headers: { cookie: "unyo_session=not-a-session" } })
            .then((r) => r.status)
            .catch((err: Error) => `fetch failed: ${err.message}`);
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          await sleep(10);
        }
      }),
    );
    await sleep(500);

    // The database server dies without a word.
    const pid = Number(fs.readFileSync(path.join(home, "pgdata", "postmaster.pid"), "utf8").split("\n")[0]);
    process.kill(pid, "SIGKILL");
    await until("/readyz to say 503", async () => (await fetch(`${base}/readyz`)).status === 503).catch(
      (err) => {
        throw new Error(`${err.message}; web: ${web.output()}; worker: ${worker.output()}`);
      },
    );
    const ready = await (await fetch(`${base}/readyz`)).json();
    expect(ready.error.code).toBe("database_unavailable");
    expect(JSON.stringify(ready)).not.toMatch(/ECONN|terminat|connect(ion)? |127\.0\.0\.1|postgres/i);
    const down = await fetch(`${base}/api/v1/me`, { headers: { cookie: "unyo_session=not-a-session" } });
    expect(down.status).toBe(503);
    const body = await down.json();
    expect(body.error.code).toBe("database_unavailable");
    expect(down.headers.get("retry-after")).toMatch(/^\d+$/);
    await sleep(2_000);

    // It comes back on the same address; nobody restarts Unyo.
    await server.stop();
    server = new EmbeddedPostgres({ home, port: pgPort, restartOnExit: false });
    await server.start();
    await until("/readyz to say 200 again", async () => (await fetch(`${base}/readyz`)).ok);
    await until("a request to reach the database again", async () => {
      const r = await fetch(`${base}/api/v1/me`, { headers: { cookie: "unyo_session=not-a-session" } });
      return r.status === 401;
    });
    await sleep(500);
    loading = false;
    await load;

    expect(web.child.exitCode, web.output()).toBeNull();
    expect(worker.child.exitCode, worker.output()).toBeNull();
    // Every answer was the database's (401) or the clear refusal (503): no 500, no dropped connection.
    expect([...statuses.keys()].sort()).toEqual([401, 503]);
    expect(statuses.get(503)).toBeGreaterThan(10);
    // The worker still takes jobs: its queue answers again (it logs no crash).
    expect(worker.output()).not.toMatch(/unhandled|uncaught/i);
  }, 120_000);

  it("of the embedded PostgreSQL under `unyo start` is recovered by Unyo itself: the server is started again", async () => {
    const own = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-outage-start-"));
    try {
      const webPort = await freePort();
      const env: NodeJS.ProcessEnv = { UNYO_HOME: own, PORT: String(webPort), DATABASE_URL: "" };
      const start = spawnUnyo(["start"], env);
      const base = `http://127.0.0.1:${webPort}`;
      await until("unyo start", async () => (await fetch(`${base}/readyz`)).ok, 60_000);
      const pidFile = path.join(own, "pgdata", "postmaster.pid");
      const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
      process.kill(pid, "SIGKILL");
      await until("/readyz to say 503", async () => (await fetch(`${base}/readyz`)).status === 503, 10_000);
      await until("/readyz to say 200 again", async () => (await fetch(`${base}/readyz`)).ok, 60_000);
      const again = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
      expect(again).not.toBe(pid);
      expect(start.child.exitCode, start.output()).toBeNull();
      // And it still stops cleanly, with its PostgreSQL.
      start.child.kill("SIGTERM");
      const code = await new Promise((r) => start.child.once("exit", r));
      expect(code, start.output()).toBe(0);
      await until("PostgreSQL to stop", async () => {
        try {
          process.kill(again, 0);
          return false;
        } catch {
          return true;
        }
      });
    } finally {
      fs.rmSync(own, { recursive: true, force: true });
    }
  }, 180_000);
});
