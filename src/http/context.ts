import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { Db } from "../db/db.ts";
import type { IdentityService } from "../identity/service.ts";

/** What route modules receive: the services they may call. */
export interface AppContext {
  db: Db;
  config: Config;
  clock: Clock;
  identity: IdentityService;
}
