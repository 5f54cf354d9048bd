/**
 * Where a process finds its database: DATABASE_URL, or the embedded PostgreSQL under
 * UNYO_HOME — started by this process, or already run by a live `unyo start` on the same home.
 */
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.ts";
import { createDb, type Db, ensureDatabase, migrate } from "./db.ts";
import { EmbeddedPostgres, isAlive } from "./embedded.ts";

export interface DatabaseHandle {
  db: Db;
  url: string;
  embedded: EmbeddedPostgres | undefined;
  close(): Promise<void>;
}

interface RuntimeFile {
  pid: number;
  url: string;
}

const runtimePath = (home: string) => path.join(home, "runtime.json");

/** The embedded server of a live Unyo process on this home, if there is one. */
function liveRuntime(home: string): RuntimeFile | undefined {
  try {
    const rt = JSON.parse(fs.readFileSync(runtimePath(home), "utf8")) as RuntimeFile;
    return rt.pid !== process.pid && isAlive(rt.pid) ? rt : undefined;
  } catch {
    return undefined;
  }
}

export async function openDatabase(
  config: Config,
  opts: { log?: (line: string) => void; migrate?: boolean; poolSize?: number; owner?: boolean } = {},
): Promise<DatabaseHandle> {
  const log = opts.log ?? (() => {});
  let url: string;
  let embedded: EmbeddedPostgres | undefined;
  if (config.databaseUrl) {
    url = config.databaseUrl;
  } else {
    const running = liveRuntime(config.home);
    if (running && !opts.owner) {
      url = running.url;
    } else {
      if (running)
        throw new Error(
          `another Unyo (pid ${running.pid}) is running on UNYO_HOME=${config.home}; stop it or use another UNYO_HOME`,
        );
      embedded = new EmbeddedPostgres({ home: config.home, log: (l) => log(`[postgres] ${l}`) });
      const serverUrl = await embedded.start();
      url = await ensureDatabase(serverUrl, "unyo");
      fs.writeFileSync(
        runtimePath(config.home),
        JSON.stringify({ pid: process.pid, url } satisfies RuntimeFile),
        { mode: 0o600 },
      );
    }
  }
  const db = createDb(url, { max: opts.poolSize ?? 10 });
  if (opts.migrate !== false) await migrate(db);
  return {
    db,
    url,
    embedded,
    async close() {
      await db.destroy();
      if (embedded) {
        await embedded.stop();
        try {
          const rt = JSON.parse(fs.readFileSync(runtimePath(config.home), "utf8")) as RuntimeFile;
          if (rt.pid === process.pid) fs.rmSync(runtimePath(config.home), { force: true });
        } catch {}
      }
    },
  };
}
