/**
 * `unyo custody …`: rotation of credential custody's master key (Art. 7(1)) without downtime —
 * `add-key` puts a new active key in the key file (the old ones stay, so every process can still open
 * everything once restarted with the file), `rewrap` re-wraps every data key under the active key
 * (online, a batch a transaction), `status` shows which keys are in use, `remove-key` drops a key no
 * credential uses any more.
 */
import { type Command, UsageError } from "../cli/command.ts";

const HELP = `unyo custody <command> — credential custody's master keys (UNYO_KEYS_FILE)
  add-key      add a new key to the key file and make it active (old keys kept)
  rewrap       re-wrap every data key under the active key (online; reveals keep working)
  status       the active key and how many credentials each key seals
  remove-key KID   drop a key from the file (refused while a credential still uses it)
Rotation: add-key; restart or roll every web process with the new file; rewrap; remove-key OLD.`;

export const custodyCommand: Command = {
  help: HELP,
  async run(argv, out) {
    const [sub, ...rest] = argv;
    const file = process.env.UNYO_KEYS_FILE;
    const keyring = await import("./custody/keyring.ts");
    if (!sub || !["add-key", "rewrap", "status", "remove-key"].includes(sub))
      throw new UsageError(`unknown custody subcommand "${sub ?? ""}"\n${HELP}`);
    if (!file) throw new UsageError("set UNYO_KEYS_FILE to the key file");
    if (sub === "add-key") {
      out.log(`new active key ${keyring.addKeyToFile(file)} in ${file}`);
      return 0;
    }
    const { loadConfig } = await import("../core/config.ts");
    const { withDatabase } = await import("../cli/command.ts");
    const keys = keyring.loadKeyRing(process.env);
    return withDatabase(loadConfig(), { existing: true }, async (deps) => {
      const { rewrapAll } = await import("./custody.ts");
      const { keysInUse } = await import("./store/custody.ts");
      if (sub === "rewrap") {
        const r = await rewrapAll({ ...deps, keys });
        out.log(
          `re-wrapped ${r.rewrapped} data key(s); in use: ${r.keys.map((k) => `${k.kid} ${k.n}`).join(", ") || "none"}`,
        );
        return 0;
      }
      const used = await keysInUse(deps.db);
      if (sub === "status") {
        out.log(
          `active ${keys?.activeKid ?? "(none loaded)"}; in use: ${used.map((k) => `${k.kid} ${k.n}`).join(", ") || "none"}`,
        );
        return 0;
      }
      const kid = rest[0];
      if (!kid) throw new UsageError("remove-key needs the key id");
      if (used.some((k) => k.kid === kid)) {
        out.err(
          `key ${kid} still seals ${used.find((k) => k.kid === kid)!.n} credential(s): run "unyo custody rewrap" first`,
        );
        return 1;
      }
      keyring.removeKeyFromFile(file, kid);
      out.log(`removed ${kid} from ${file}`);
      return 0;
    });
  },
};
