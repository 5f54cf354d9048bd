import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";
import type { IdentityService } from "../identity/service.ts";

/** What route modules receive: the use cases' deps, the configuration and the identity service. */
export interface AppContext extends Deps {
  config: Config;
  identity: IdentityService;
}
