import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";
import type { KeyRing } from "../monitoring/custody/keyring.ts";

/** What route modules receive: the use cases' deps and the configuration. */
export interface AppContext extends Deps {
  config: Config;
  /** The master keys of credential custody (Art. 7(1)); none loaded: custody answers 503. */
  keys?: KeyRing | undefined;
}
