/**
 * One PostgreSQL for the whole test run — DATABASE_URL when set, else the embedded server under
 * .unyo-test — and a template database migrated once; each test file clones it (fast, isolated,
 * parallel-safe).
 */
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { systemClock } from "../src/core/clock.ts";
import { loadConfig } from "../src/core/config.ts";
import { createDb, migrate } from "../src/db/db.ts";
import { EmbeddedPostgres } from "../src/db/embedded.ts";
import { jobQueue } from "../src/jobs/registry.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pgServerUrl: string;
    pgTemplate: string;
  }
}

export default async function setup(project: TestProject) {
  let serverUrl: string;
  let embedded: EmbeddedPostgres | undefined;
  if (process.env.DATABASE_URL) {
    serverUrl = process.env.DATABASE_URL;
  } else {
    embedded = new EmbeddedPostgres({ home: path.resolve(".unyo-test") });
    serverUrl = await embedded.start();
  }
  const template = `unyo_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${template}`;
  const db = createDb(u.toString(), { max: 2 });
  await migrate(db);
  // The job queues, created once in the template (every test database is a copy of it).
  const queue = jobQueue({
    url: u.toString(),
    db,
    clock: systemClock,
    config: loadConfig({}),
    log: { info() {}, warn() {}, error() {} },
    role: "client",
  });
  await queue.start();
  await queue.stop();
  await db.destroy();
  project.provide("pgServerUrl", serverUrl);
  project.provide("pgTemplate", template);
  return async () => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    const dbs = await c.query("select datname from pg_database where datname like $1 or datname = $2", [
      `unyo_t_${process.pid}_%`,
      template,
    ]);
    for (const r of dbs.rows)
      await c.query(`drop database if exists ${r.datname} with (force)`).catch(() => {});
    await c.end();
    await embedded?.stop();
  };
}
