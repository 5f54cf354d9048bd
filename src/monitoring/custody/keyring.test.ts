import { randomBytes, randomInt } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  addKeyToFile,
  CustodyError,
  generateKeyFile,
  type KeyRing,
  keyRingFromKeys,
  loadKeyRing,
  open,
  removeKeyFromFile,
  rewrap,
  type Sealed,
  seal,
} from "./keyring.ts";

const dir = mkdtempSync(join(tmpdir(), "unyo-keyring-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function tempPath(): string {
  fileCounter += 1;
  return join(dir, `keys-${fileCounter}-${randomBytes(4).toString("hex")}.json`);
}

/** Writes a key file with the given content and mode; returns its path. */
function keyFile(content: unknown, mode = 0o600): string {
  const path = tempPath();
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content), { mode });
  chmodSync(path, mode); // the umask may have removed bits
  return path;
}

function ring(...kids: string[]): { ring: KeyRing; keys: Record<string, Buffer> } {
  const keys: Record<string, Buffer> = {};
  for (const kid of kids) keys[kid] = randomBytes(32);
  return { ring: keyRingFromKeys(kids[kids.length - 1]!, keys), keys };
}

function custodyError(fn: () => unknown): CustodyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CustodyError);
    return err as CustodyError;
  }
  throw new Error("expected a CustodyError");
}

function flipBit(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

const SECRET = "root-password: Zq8!vR-ホスト-2024";

describe("seal and open", () => {
  it("round-trips a string and a Buffer", () => {
    const { ring: r } = ring("k1");
    const sealed = seal(r, SECRET, "cred-1");
    expect(sealed.kid).toBe("k1");
    expect(open(r, sealed, "cred-1").toString("utf8")).toBe(SECRET);
    const bytes = randomBytes(100);
    expect(open(r, seal(r, bytes, "cred-2"), "cred-2").equals(bytes)).toBe(true);
  });

  it("packs iv(12) ‖ tag(16) ‖ data into each Buffer, and never stores the plaintext", () => {
    const { ring: r } = ring("k1");
    const sealed = seal(r, SECRET, "cred-1");
    expect(sealed.wrappedKey.length).toBe(12 + 16 + 32);
    expect(sealed.ciphertext.length).toBe(12 + 16 + Buffer.byteLength(SECRET));
    expect(sealed.ciphertext.includes(Buffer.from(SECRET))).toBe(false);
  });

  it("uses a fresh data key and IV each time", () => {
    const { ring: r } = ring("k1");
    const a = seal(r, SECRET, "cred-1");
    const b = seal(r, SECRET, "cred-1");
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.wrappedKey.equals(b.wrappedKey)).toBe(false);
  });

  it("refuses another record's aad as tampered, without quoting the plaintext", () => {
    const { ring: r } = ring("k1");
    const sealed = seal(r, SECRET, "cred-1");
    const err = custodyError(() => open(r, sealed, "cred-2"));
    expect(err.code).toBe("tampered");
    expect(err.message).not.toContain(SECRET);
  });

  it("refuses a flipped bit anywhere in the ciphertext or the wrapped key as tampered", () => {
    const { ring: r } = ring("k1");
    const sealed = seal(r, SECRET, "cred-1");
    for (const index of [0, 12, 27, 28, sealed.ciphertext.length - 1]) {
      const err = custodyError(() =>
        open(r, { ...sealed, ciphertext: flipBit(sealed.ciphertext, index) }, "cred-1"),
      );
      expect(err.code).toBe("tampered");
      expect(err.message).not.toContain(SECRET);
    }
    for (const index of [0, 12, 28, sealed.wrappedKey.length - 1]) {
      const err = custodyError(() =>
        open(r, { ...sealed, wrappedKey: flipBit(sealed.wrappedKey, index) }, "cred-1"),
      );
      expect(err.code).toBe("tampered");
    }
  });

  it("refuses truncated Buffers and a swapped wrapped key as tampered", () => {
    const { ring: r } = ring("k1");
    const a = seal(r, SECRET, "cred-1");
    const b = seal(r, SECRET, "cred-1");
    expect(
      custodyError(() => open(r, { ...a, ciphertext: a.ciphertext.subarray(0, 20) }, "cred-1")).code,
    ).toBe("tampered");
    expect(custodyError(() => open(r, { ...a, wrappedKey: Buffer.alloc(0) }, "cred-1")).code).toBe(
      "tampered",
    );
    expect(custodyError(() => open(r, { ...a, wrappedKey: b.wrappedKey }, "cred-1")).code).toBe("tampered");
  });

  it("binds the kid into the wrapped key: relabelling it under another known kid is tampered", () => {
    const { ring: r, keys } = ring("k1", "k2");
    const sealed = seal(r, SECRET, "cred-1");
    // Even a ring where "k1" names the very key that wrapped it under "k2".
    const relabelled = keyRingFromKeys("k1", { k1: keys.k2! });
    expect(custodyError(() => open(relabelled, { ...sealed, kid: "k1" }, "cred-1")).code).toBe("tampered");
  });

  it("refuses an unknown kid as unknown_key", () => {
    const { ring: r } = ring("k1");
    const { ring: other } = ring("k9");
    const sealed = seal(other, SECRET, "cred-1");
    const err = custodyError(() => open(r, sealed, "cred-1"));
    expect(err.code).toBe("unknown_key");
    expect(err.message).toContain("k9");
    expect(err.message).not.toContain(SECRET);
  });

  it("refuses the right kid with a different key as tampered", () => {
    const { ring: a } = ring("k1");
    const { ring: b } = ring("k1");
    expect(custodyError(() => open(b, seal(a, SECRET, "x"), "x")).code).toBe("tampered");
  });

  it("round-trips 200 random plaintexts of 0–4096 bytes with random aads", () => {
    const { ring: r } = ring("k1");
    for (let i = 0; i < 200; i++) {
      const plaintext = randomBytes(randomInt(0, 4097));
      const aad = randomBytes(randomInt(0, 40)).toString("base64");
      const sealed = seal(r, plaintext, aad);
      expect(sealed.ciphertext.length).toBe(28 + plaintext.length);
      expect(open(r, sealed, aad).equals(plaintext)).toBe(true);
    }
  });
});

describe("rotation", () => {
  it("rewraps under the new active key, leaving the ciphertext as it was, and survives removing the old key", () => {
    const path = tempPath();
    const k1 = generateKeyFile(path);
    const r1 = loadKeyRing({ UNYO_KEYS_FILE: path })!;
    expect(r1.activeKid).toBe(k1);
    const sealed = seal(r1, SECRET, "cred-1");
    const ciphertextBefore = Buffer.from(sealed.ciphertext);

    const k2 = addKeyToFile(path);
    expect(k2).not.toBe(k1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const r2 = loadKeyRing({ UNYO_KEYS_FILE: path })!;
    expect(r2.activeKid).toBe(k2);
    expect(r2.kids()).toEqual([k1, k2].sort());
    // Not yet rewrapped: still opens under the old key.
    expect(open(r2, sealed, "cred-1").toString()).toBe(SECRET);

    const rewrapped = rewrap(r2, sealed, "cred-1");
    expect(rewrapped.kid).toBe(k2);
    expect(rewrapped.ciphertext.equals(ciphertextBefore)).toBe(true);
    expect(rewrapped.wrappedKey.equals(sealed.wrappedKey)).toBe(false);
    expect(open(r2, rewrapped, "cred-1").toString()).toBe(SECRET);
    // Already under the active key: the same object back.
    expect(rewrap(r2, rewrapped, "cred-1")).toBe(rewrapped);

    removeKeyFromFile(path, k1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const r3 = loadKeyRing({ UNYO_KEYS_FILE: path })!;
    expect(r3.has(k1)).toBe(false);
    expect(open(r3, rewrapped, "cred-1").toString()).toBe(SECRET);
    expect(custodyError(() => open(r3, sealed, "cred-1")).code).toBe("unknown_key");
    expect(() => removeKeyFromFile(path, k2)).toThrow(/active key/);
    // No temporary files left behind.
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("rotates with in-memory rings too, and the ring without k1 still opens the rewrapped secret", () => {
    const { ring: r2, keys } = ring("k1", "k2");
    const r1 = keyRingFromKeys("k1", { k1: keys.k1! });
    const sealed = seal(r1, SECRET, "cred-7");
    const rewrapped = rewrap(r2, sealed, "cred-7");
    expect(rewrapped.kid).toBe("k2");
    expect(rewrapped.ciphertext.equals(sealed.ciphertext)).toBe(true);
    const onlyK2 = keyRingFromKeys("k2", { k2: keys.k2! });
    expect(open(onlyK2, rewrapped, "cred-7").toString()).toBe(SECRET);
  });

  it("refuses to rewrap with the wrong aad or an unknown kid", () => {
    const { ring: r, keys } = ring("k1", "k2");
    const sealed = seal(keyRingFromKeys("k1", { k1: keys.k1! }), SECRET, "cred-1");
    expect(custodyError(() => rewrap(r, sealed, "cred-2")).code).toBe("tampered");
    const onlyK2 = keyRingFromKeys("k2", { k2: keys.k2! });
    expect(custodyError(() => rewrap(onlyK2, sealed, "cred-1")).code).toBe("unknown_key");
  });
});

describe("key files", () => {
  it("generates a private file with one active key, and refuses to overwrite it", () => {
    const path = tempPath();
    const kid = generateKeyFile(path);
    expect(kid).toMatch(/^k\d{8}-[0-9a-f]{6}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const content = JSON.parse(readFileSync(path, "utf8")) as {
      active: string;
      keys: Record<string, string>;
    };
    expect(content.active).toBe(kid);
    expect(Object.keys(content.keys)).toEqual([kid]);
    expect(Buffer.from(content.keys[kid]!, "base64").length).toBe(32);
    expect(() => generateKeyFile(path)).toThrow(path);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(content);
  });

  it("addKeyToFile keeps the old keys byte for byte", () => {
    const path = tempPath();
    const k1 = generateKeyFile(path);
    const before = JSON.parse(readFileSync(path, "utf8")) as { keys: Record<string, string> };
    const k2 = addKeyToFile(path);
    const after = JSON.parse(readFileSync(path, "utf8")) as { active: string; keys: Record<string, string> };
    expect(after.active).toBe(k2);
    expect(after.keys[k1]).toBe(before.keys[k1]);
    expect(Object.keys(after.keys).sort()).toEqual([k1, k2].sort());
  });

  it("addKeyToFile refuses a group-readable file unless allowed", () => {
    const path = keyFile({ active: "k1", keys: { k1: randomBytes(32).toString("base64") } }, 0o640);
    expect(() => addKeyToFile(path)).toThrow(path);
    const kid = addKeyToFile(path, { allowInsecure: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadKeyRing({ UNYO_KEYS_FILE: path })!.activeKid).toBe(kid);
  });
});

describe("loadKeyRing", () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const good = { active: "k2", keys: { k1: k1.toString("base64"), k2: k2.toString("base64") } };

  it("loads a 0600 file, and the ring opens what a ring of the same keys sealed", () => {
    const path = keyFile(good);
    const r = loadKeyRing({ UNYO_KEYS_FILE: path })!;
    expect(r.activeKid).toBe("k2");
    expect(r.has("k1")).toBe(true);
    expect(r.has("k3")).toBe(false);
    expect(r.kids()).toEqual(["k1", "k2"]);
    const sealed = seal(keyRingFromKeys("k1", { k1 }), SECRET, "a");
    expect(open(r, sealed, "a").toString()).toBe(SECRET);
  });

  it("resolves a relative path against opts.cwd", () => {
    const path = keyFile(good);
    const r = loadKeyRing({ UNYO_KEYS_FILE: path.slice(dir.length + 1) }, { cwd: dir });
    expect(r?.activeKid).toBe("k2");
  });

  it("loads UNYO_MASTER_KEY as kid env, prefers the file, and is undefined with neither", () => {
    const r = loadKeyRing({ UNYO_MASTER_KEY: k1.toString("base64") })!;
    expect(r.activeKid).toBe("env");
    expect(r.kids()).toEqual(["env"]);
    expect(open(r, seal(keyRingFromKeys("env", { env: k1 }), SECRET, "a"), "a").toString()).toBe(SECRET);
    const both = loadKeyRing({ UNYO_KEYS_FILE: keyFile(good), UNYO_MASTER_KEY: k1.toString("base64") });
    expect(both?.activeKid).toBe("k2");
    expect(loadKeyRing({})).toBeUndefined();
    expect(loadKeyRing({ UNYO_KEYS_FILE: "", UNYO_MASTER_KEY: "" })).toBeUndefined();
  });

  it("refuses a bad UNYO_MASTER_KEY without quoting it", () => {
    const short = randomBytes(31).toString("base64");
    expect(() => loadKeyRing({ UNYO_MASTER_KEY: short })).toThrow(/UNYO_MASTER_KEY/);
    expect(() => loadKeyRing({ UNYO_MASTER_KEY: short })).not.toThrow(short);
    expect(() => loadKeyRing({ UNYO_MASTER_KEY: "not base64!" })).toThrow(/UNYO_MASTER_KEY/);
  });

  it("refuses a file readable by group or others, unless UNYO_KEYS_FILE_INSECURE=1", () => {
    const path = keyFile(good, 0o644);
    expect(() => loadKeyRing({ UNYO_KEYS_FILE: path })).toThrow(path);
    expect(() => loadKeyRing({ UNYO_KEYS_FILE: path })).toThrow(/0644/);
    expect(loadKeyRing({ UNYO_KEYS_FILE: path, UNYO_KEYS_FILE_INSECURE: "1" })?.activeKid).toBe("k2");
    expect(() => loadKeyRing({ UNYO_KEYS_FILE: keyFile(good, 0o604) })).toThrow(/group or others/);
  });

  const key31 = randomBytes(31).toString("base64");
  const refused: [string, unknown, RegExp][] = [
    ["a 31-byte key", { active: "k1", keys: { k1: key31 } }, /"k1".*32 bytes/],
    ["a 33-byte key", { active: "k1", keys: { k1: randomBytes(33).toString("base64") } }, /"k1".*32 bytes/],
    ["a key not in base64", { active: "k1", keys: { k1: "%%%%" } }, /"k1"/],
    ["a key that is not a string", { active: "k1", keys: { k1: 42 } }, /"k1"/],
    ["missing active", { keys: { k1: randomBytes(32).toString("base64") } }, /"active" is missing/],
    [
      "an active not among the keys",
      { active: "k3", keys: { k1: randomBytes(32).toString("base64") } },
      /"k3"/,
    ],
    ["no keys", { active: "k1", keys: {} }, /no keys/],
    ["no keys object", { active: "k1" }, /"keys"/],
    ["an array", [], /JSON object/],
    [
      "malformed JSON",
      `{"active":"k1","keys":{"k1":"${randomBytes(32).toString("base64")}"`,
      /not valid JSON/,
    ],
    [
      "a malformed kid",
      { active: "k1", keys: { k1: randomBytes(32).toString("base64"), "bad kid": "x" } },
      /key id/,
    ],
  ];
  it.each(refused)("refuses %s with a message naming the file and quoting no key", (_, content, message) => {
    const path = keyFile(content);
    const text = readFileSync(path, "utf8");
    let error: unknown;
    try {
      loadKeyRing({ UNYO_KEYS_FILE: path });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    const msg = (error as Error).message;
    expect(msg).toContain(path);
    expect(msg).toMatch(message);
    for (const value of text.match(/[A-Za-z0-9+/]{20,}={0,2}/g) ?? []) expect(msg).not.toContain(value);
  });

  it("refuses a missing file and a directory, naming the path", () => {
    const missing = join(dir, "nope.json");
    expect(() => loadKeyRing({ UNYO_KEYS_FILE: missing })).toThrow(
      `key file ${missing}: cannot be read (ENOENT)`,
    );
    expect(() => loadKeyRing({ UNYO_KEYS_FILE: dir })).toThrow(dir);
  });

  it("never shows key bytes in JSON.stringify, util.inspect, spreads or property listings", () => {
    const path = keyFile(good);
    const r = loadKeyRing({ UNYO_KEYS_FILE: path })!;
    const renderings = [
      JSON.stringify(r),
      JSON.stringify({ nested: { r } }),
      inspect(r),
      inspect(r, { showHidden: true, depth: Number.POSITIVE_INFINITY }),
      inspect({ ...r }, { showHidden: true, depth: Number.POSITIVE_INFINITY }),
      String(Object.getOwnPropertyNames(r)),
      `${r}`,
    ];
    expect(JSON.parse(JSON.stringify(r))).toEqual({ activeKid: "k2", kids: ["k1", "k2"] });
    expect(inspect(r)).toContain("k1");
    for (const text of renderings) {
      for (const key of [k1, k2]) {
        for (const encoding of ["base64", "base64url", "hex"] as const) {
          expect(text).not.toContain(key.toString(encoding));
          expect(text).not.toContain(key.toString(encoding).slice(0, 16));
        }
      }
    }
  });

  it("keeps its own copy of in-memory keys", () => {
    const key = randomBytes(32);
    const r = keyRingFromKeys("k1", { k1: key });
    const sealed = seal(r, SECRET, "a");
    key.fill(0);
    expect(open(r, sealed, "a").toString()).toBe(SECRET);
  });
});

describe("the Sealed shape", () => {
  it("is plain data that survives a copy through Buffers (as a database row would)", () => {
    const { ring: r } = ring("k1");
    const sealed = seal(r, SECRET, "cred-1");
    const row: Sealed = {
      kid: sealed.kid,
      wrappedKey: Buffer.from(sealed.wrappedKey.toString("hex"), "hex"),
      ciphertext: Buffer.from(new Uint8Array(sealed.ciphertext)),
    };
    expect(open(r, row, "cred-1").toString()).toBe(SECRET);
  });
});
