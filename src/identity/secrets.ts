/**
 * How the identity room makes and keeps its secrets: passwords as argon2id hashes, issued initial
 * passwords, and session ids and API tokens as SHA-256 digests (only the digest is stored).
 */
import { hash, randomInt } from "node:crypto";
import { hash as argon2, verify } from "@node-rs/argon2";

// argon2id (the library's default algorithm) with OWASP's recommended minimum: m=19 MiB, t=2, p=1.
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spend the same time when the account does not exist, so log-in timing does not reveal it. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword("unyo-timing-equaliser-000");
  await verifyPassword(await dummy, password);
}

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
/** An issued initial password (Art. 10): 16 characters from an unambiguous alphabet (~93 bits). */
export function generateInitialPassword(): string {
  let out = "";
  for (let i = 0; i < 16; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** The digest a session id or an API token is stored and looked up by. */
export const sha256 = (s: string): Buffer => hash("sha256", s, "buffer");
