import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";

/** What route modules receive: the use cases' deps and the configuration. */
export interface AppContext extends Deps {
  config: Config;
}
