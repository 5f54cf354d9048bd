/**
 * Credential custody (Art. 7(1)): the master keys and the envelope encryption of the secrets the provider
 * holds for its customers (servers' root passwords, SSH keys, cloud API keys). Pure node:crypto, no database.
 *
 * Envelope: every secret gets a fresh random 32-byte data key. The secret is encrypted with AES-256-GCM under
 * the data key, with the caller's `aad` (e.g. the credential's id) as additional authenticated data, so a
 * ciphertext copied into another row does not open. The data key is itself encrypted ("wrapped") with
 * AES-256-GCM under the master key named by `kid`, with an AAD binding both the kid and the caller's `aad`.
 *
 * Rotation: add a new master key and make it active (`addKeyToFile`), `rewrap` every stored secret (only the
 * wrapped data key changes; the data ciphertext is left byte for byte as it was and no plaintext is ever
 * produced), then remove the old key from the file (`removeKeyFromFile`).
 *
 * Master key bytes never appear in an Error message, nor in `JSON.stringify`/`util.inspect` of a key ring:
 * the bytes live in a module-private WeakMap, not on the ring object.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { inspect } from "node:util";

/** Bytes of a master key and of a data key (AES-256). */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = "aes-256-gcm";
/** A kid is stored next to every secret: keep it short and printable. */
const KID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * A sealed secret. Both Buffers use the same layout:
 *
 *     offset 0        12                28
 *            | iv (12) | GCM tag (16)   | encrypted bytes (rest) |
 *
 * `wrappedKey` holds the 32-byte data key encrypted under the master key `kid` (so 60 bytes in all);
 * `ciphertext` holds the secret encrypted under the data key (28 bytes + the secret's length).
 */
export interface Sealed {
  kid: string;
  wrappedKey: Buffer;
  ciphertext: Buffer;
}

export type CustodyErrorCode = "unknown_key" | "tampered";

/** Opening failed. The message names at most the kid: never plaintext, never key bytes. */
export class CustodyError extends Error {
  readonly code: CustodyErrorCode;

  constructor(code: CustodyErrorCode, message: string) {
    super(message);
    this.name = "CustodyError";
    this.code = code;
  }
}

/** The master keys: which kids are known and which one new secrets are sealed under. */
export interface KeyRing {
  readonly activeKid: string;
  has(kid: string): boolean;
  /** The known kids, sorted. */
  kids(): string[];
  /** Only the kids: never key bytes. */
  toJSON(): { activeKid: string; kids: string[] };
}

/** The key bytes of each ring, kept off the ring object so no serialiser or inspector can reach them. */
const secretKeys = new WeakMap<KeyRing, ReadonlyMap<string, Buffer>>();

/**
 * A ring from key bytes already in memory (tests, tools). The bytes are copied: the caller may wipe its own.
 * Throws when `activeKid` is not among `keys`, a kid is malformed or a key is not exactly 32 bytes.
 */
export function keyRingFromKeys(activeKid: string, keys: Readonly<Record<string, Buffer>>): KeyRing {
  const map = new Map<string, Buffer>();
  for (const [kid, key] of Object.entries(keys)) {
    if (!KID_PATTERN.test(kid))
      throw new Error("a key id is not valid (letters, digits, '.', '_', '-'; at most 64)");
    if (key.length !== KEY_BYTES) {
      throw new Error(`key "${kid}" is ${key.length} bytes, not ${KEY_BYTES}`);
    }
    map.set(kid, Buffer.from(key));
  }
  if (!map.has(activeKid)) {
    throw new Error(
      `the active key${KID_PATTERN.test(activeKid) ? ` "${activeKid}"` : ""} is not in the key ring`,
    );
  }
  const kids = [...map.keys()].sort();
  const summary = () => ({ activeKid, kids: [...kids] });
  const ring: KeyRing = {
    activeKid,
    has: (kid: string) => map.has(kid),
    kids: () => [...kids],
    toJSON: summary,
  };
  Object.defineProperty(ring, inspect.custom, {
    value: () => `KeyRing { activeKid: ${JSON.stringify(activeKid)}, kids: ${JSON.stringify(kids)} }`,
    enumerable: false,
  });
  Object.freeze(ring);
  secretKeys.set(ring, map);
  return ring;
}

function keyOf(ring: KeyRing, kid: string): Buffer {
  const key = secretKeys.get(ring)?.get(kid);
  if (!key) {
    const named = KID_PATTERN.test(kid) ? `"${kid}"` : "(malformed kid)";
    throw new CustodyError("unknown_key", `no master key ${named} in the key ring`);
  }
  return key;
}

// ---------------------------------------------------------------------------------------------------------
// Loading

export interface LoadKeyRingOptions {
  /** Where a relative `UNYO_KEYS_FILE` is resolved from (default: the process's working directory). */
  cwd?: string;
}

/**
 * The key ring from `UNYO_KEYS_FILE` (a JSON file `{"active":"k2","keys":{"k1":"<base64>","k2":"<base64>"}}`,
 * which must not be readable by group or others unless `UNYO_KEYS_FILE_INSECURE=1`), else from
 * `UNYO_MASTER_KEY` (base64 of 32 bytes, kid "env"), else undefined (custody unavailable).
 * Throws an Error naming the file (never quoting its content) when the file cannot be used.
 */
export function loadKeyRing(env: NodeJS.ProcessEnv, opts: LoadKeyRingOptions = {}): KeyRing | undefined {
  const file = env.UNYO_KEYS_FILE?.trim();
  if (file) {
    const path = resolve(opts.cwd ?? process.cwd(), file);
    const { active, keys } = readKeyFile(path, env.UNYO_KEYS_FILE_INSECURE === "1");
    return keyRingFromKeys(active, keys);
  }
  const single = env.UNYO_MASTER_KEY?.trim();
  if (single) {
    const key = decodeKey(single);
    if (!key) throw new Error(`UNYO_MASTER_KEY is not the base64 of exactly ${KEY_BYTES} bytes`);
    return keyRingFromKeys("env", { env: key });
  }
  return undefined;
}

/** Strict base64 of exactly 32 bytes, else undefined. */
function decodeKey(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.length === KEY_BYTES ? bytes : undefined;
}

interface KeyFile {
  active: string;
  keys: Record<string, Buffer>;
}

function readKeyFile(path: string, allowInsecure: boolean): KeyFile {
  const refuse = (why: string) => new Error(`key file ${path}: ${why}`);
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch (err) {
    throw refuse(`cannot be read (${errnoOf(err)})`);
  }
  if (!stat.isFile()) throw refuse("is not a regular file");
  // Mode bits mean nothing on Windows; everywhere else the file must be private to its owner.
  if (process.platform !== "win32" && (stat.mode & 0o077) !== 0 && !allowInsecure) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    throw refuse(
      `is accessible to group or others (mode ${mode}); chmod 600 it, or set UNYO_KEYS_FILE_INSECURE=1`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw refuse(`cannot be read (${errnoOf(err)})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the fault, which may be key bytes: never pass it on.
    throw refuse("is not valid JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw refuse('must be a JSON object {"active": "<kid>", "keys": {"<kid>": "<base64>"}}');
  }
  const { active, keys } = parsed as { active?: unknown; keys?: unknown };
  if (typeof keys !== "object" || keys === null || Array.isArray(keys))
    throw refuse('"keys" must be an object');
  const out: Record<string, Buffer> = {};
  for (const [kid, value] of Object.entries(keys)) {
    // Not quoted: a malformed kid may be a key pasted in the wrong place.
    if (!KID_PATTERN.test(kid))
      throw refuse("a key id is not valid (letters, digits, '.', '_', '-'; at most 64)");
    const key = typeof value === "string" ? decodeKey(value.trim()) : undefined;
    if (!key) throw refuse(`key "${kid}" is not the base64 of exactly ${KEY_BYTES} bytes`);
    out[kid] = key;
  }
  if (Object.keys(out).length === 0) throw refuse("holds no keys");
  if (typeof active !== "string" || active === "") throw refuse('"active" is missing');
  if (!Object.hasOwn(out, active)) {
    const named = KID_PATTERN.test(active) ? ` "${active}"` : "";
    throw refuse(`the active key${named} is not among its keys`);
  }
  return { active, keys: out };
}

function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "unknown error";
}

// ---------------------------------------------------------------------------------------------------------
// Writing key files

/** A new kid: `k` + UTC date + random suffix, e.g. `k20250401-3f9a1c`. */
function newKid(taken: Iterable<string> = []): string {
  const used = new Set(taken);
  const date = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  for (;;) {
    const kid = `k${date}-${randomBytes(3).toString("hex")}`;
    if (!used.has(kid)) return kid;
  }
}

function serialise(file: KeyFile): string {
  const keys: Record<string, string> = {};
  for (const [kid, key] of Object.entries(file.keys)) keys[kid] = key.toString("base64");
  return `${JSON.stringify({ active: file.active, keys }, null, 2)}\n`;
}

/** Writes `text` to a new private (0600) temporary file next to `path`, flushed to disk; returns its path. */
function writeTemp(path: string, text: string): string {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = openSync(temp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  return temp;
}

function syncDirectory(path: string): void {
  try {
    const fd = openSync(dirname(path), "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort: some platforms cannot fsync a directory.
  }
}

/**
 * Creates a key file at `path` holding one new random key, active, mode 0600. Refuses to overwrite an
 * existing file (that would lose the keys every stored secret needs). Returns the new kid.
 */
export function generateKeyFile(path: string): string {
  const kid = newKid();
  const temp = writeTemp(path, serialise({ active: kid, keys: { [kid]: randomBytes(KEY_BYTES) } }));
  try {
    linkSync(temp, path); // atomic, and fails when `path` exists
  } catch (err) {
    const exists = errnoOf(err) === "EEXIST";
    throw new Error(
      exists
        ? `key file ${path} already exists; use addKeyToFile to add a key`
        : `key file ${path} cannot be written (${errnoOf(err)})`,
    );
  } finally {
    unlinkSync(temp);
  }
  syncDirectory(path);
  return kid;
}

/** Atomically replaces the key file with `file` (temporary file, then rename), mode 0600. */
function replaceKeyFile(path: string, file: KeyFile): void {
  const temp = writeTemp(path, serialise(file));
  try {
    renameSync(temp, path);
  } catch (err) {
    unlinkSync(temp);
    throw new Error(`key file ${path} cannot be replaced (${errnoOf(err)})`);
  }
  syncDirectory(path);
}

/**
 * Rotation, step 1: adds a new random key to the file at `path` and makes it active, keeping the old keys
 * (secrets sealed under them must still open until rewrapped). Atomic; the file stays 0600. Returns the new kid.
 * The file is checked as `loadKeyRing` checks it (`allowInsecure` stands for `UNYO_KEYS_FILE_INSECURE=1`).
 */
export function addKeyToFile(path: string, opts: { allowInsecure?: boolean } = {}): string {
  const file = readKeyFile(path, opts.allowInsecure ?? false);
  const kid = newKid(Object.keys(file.keys));
  replaceKeyFile(path, { active: kid, keys: { ...file.keys, [kid]: randomBytes(KEY_BYTES) } });
  return kid;
}

/**
 * Rotation, last step (once every secret is rewrapped): removes `kid` from the file at `path`. Refuses to
 * remove the active key. Atomic; the file stays 0600.
 */
export function removeKeyFromFile(path: string, kid: string, opts: { allowInsecure?: boolean } = {}): void {
  const file = readKeyFile(path, opts.allowInsecure ?? false);
  if (!Object.hasOwn(file.keys, kid)) throw new Error(`key file ${path}: no key "${kid}"`);
  if (file.active === kid)
    throw new Error(`key file ${path}: "${kid}" is the active key and cannot be removed`);
  const keys = { ...file.keys };
  delete keys[kid];
  replaceKeyFile(path, { active: file.active, keys });
}

// ---------------------------------------------------------------------------------------------------------
// Sealing

/** iv ‖ tag ‖ AES-256-GCM(key, plaintext, aad). */
function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]);
}

/** Inverse of `encrypt`; any failure (short input, wrong key, wrong aad, altered byte) is `tampered`. */
function decrypt(key: Buffer, packed: Buffer, aad: Buffer, what: string): Buffer {
  if (packed.length < IV_BYTES + TAG_BYTES) throw new CustodyError("tampered", `${what} is truncated`);
  try {
    const decipher = createDecipheriv(ALGORITHM, key, packed.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new CustodyError("tampered", `${what} failed authentication (altered, or bound to another record)`);
  }
}

/** The data ciphertext's AAD: the caller's aad, domain-separated. */
function dataAad(aad: string): Buffer {
  return Buffer.from(JSON.stringify(["unyo/custody/data/v1", aad]), "utf8");
}

/** The wrapped key's AAD binds the kid and the caller's aad (JSON: unambiguous however they are spelt). */
function wrapAad(kid: string, aad: string): Buffer {
  return Buffer.from(JSON.stringify(["unyo/custody/wrap/v1", kid, aad]), "utf8");
}

function unwrap(ring: KeyRing, sealed: Sealed, aad: string): Buffer {
  const master = keyOf(ring, sealed.kid);
  const dataKey = decrypt(master, sealed.wrappedKey, wrapAad(sealed.kid, aad), "the wrapped data key");
  if (dataKey.length !== KEY_BYTES) {
    dataKey.fill(0);
    throw new CustodyError("tampered", "the wrapped data key has the wrong length");
  }
  return dataKey;
}

function wrap(ring: KeyRing, dataKey: Buffer, aad: string): Pick<Sealed, "kid" | "wrappedKey"> {
  const kid = ring.activeKid;
  return { kid, wrappedKey: encrypt(keyOf(ring, kid), dataKey, wrapAad(kid, aad)) };
}

/** Encrypts `plaintext` (a string is taken as UTF-8) under a fresh data key wrapped with the active key. */
export function seal(ring: KeyRing, plaintext: string | Buffer, aad: string): Sealed {
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const bytes = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;
    const ciphertext = encrypt(dataKey, bytes, dataAad(aad));
    return { ...wrap(ring, dataKey, aad), ciphertext };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Decrypts a sealed secret. Throws CustodyError `unknown_key` when its kid is not in the ring, `tampered` when
 * either layer fails authentication (an altered byte, or `aad` other than the one it was sealed with).
 */
export function open(ring: KeyRing, sealed: Sealed, aad: string): Buffer {
  const dataKey = unwrap(ring, sealed, aad);
  try {
    return decrypt(dataKey, sealed.ciphertext, dataAad(aad), "the ciphertext");
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Rotation, step 2: re-wraps the data key under the active master key. The ciphertext is returned as is (the
 * same Buffer) and is not decrypted: no plaintext is produced. Returns `sealed` itself when its kid is already
 * the active one. Throws like `open` when the wrapped key does not open.
 */
export function rewrap(ring: KeyRing, sealed: Sealed, aad: string): Sealed {
  if (sealed.kid === ring.activeKid) return sealed;
  const dataKey = unwrap(ring, sealed, aad);
  try {
    return { ...wrap(ring, dataKey, aad), ciphertext: sealed.ciphertext };
  } finally {
    dataKey.fill(0);
  }
}
