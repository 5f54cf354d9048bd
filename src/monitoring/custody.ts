/**
 * Credential custody (Art. 7(1)): the provider holds its customers' servers' administrator credentials
 * (root passwords, SSH private keys, cloud API keys). Each is sealed with its own data key (AES-256-GCM)
 * wrapped by a master key that lives outside the database (custody/keyring.ts); lists, logs, audit
 * entries and errors carry only labels. A reveal needs the engineer or admin role, a fresh
 * re-authentication and a stated reason, and — where the customer asks for it — a second staff
 * member's approval; every reveal is audited and shown to the customer.
 */
import { appendAudit } from "../audit/service.ts";
import { type Clock, TestClock } from "../core/clock.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { requireRecentAuth } from "../identity/sessions.ts";
import { displayNames } from "../identity/store.ts";
import { CustodyError, type KeyRing, open, rewrap, seal } from "./custody/keyring.ts";
import type { CredentialKind } from "./rules.ts";
import {
  countNotUnder,
  credentialMeta,
  credentialsOfItem,
  credentialsToRewrap,
  insertCredential,
  insertReveal,
  keysInUse,
  listReveals,
  retireCredential,
  revealById,
  sealedCredential,
  settingsOf,
  setWrappedKey,
  updateReveal,
  upsertSettings,
} from "./store/custody.ts";
import { itemById } from "./store/inventory.ts";

export interface CustodyDeps extends Deps {
  keys: KeyRing | undefined;
}

/** An approval is good for an hour: the requester collects the secret within it. */
const APPROVAL_MS = 3_600_000;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
/** Re-authentication keeps real time even on a test clock (as sessions do). */
const authNow = (clock: Clock) => (clock instanceof TestClock ? new Date() : clock.now());

function ring(deps: CustodyDeps): KeyRing {
  if (!deps.keys)
    throw new AppError(
      "custody_unavailable",
      "credential custody needs a master key: set UNYO_KEYS_FILE (or UNYO_MASTER_KEY) for this process",
    );
  return deps.keys;
}

export async function storeCredential(
  deps: CustodyDeps,
  auth: AuthContext,
  itemId: string,
  input: { kind: CredentialKind; label: string; username?: string | undefined; secret: string },
) {
  const keys = ring(deps);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const item = await itemById(tx, itemId);
    if (!item || item.retired_at) throw notFound("inventory item");
    const id = crypto.randomUUID();
    const sealed = seal(keys, input.secret, id);
    await insertCredential(tx, {
      id,
      customer_id: item.customer_id,
      item_id: item.id,
      kind: input.kind,
      label: input.label,
      username: input.username ?? null,
      kid: sealed.kid,
      wrapped_key: sealed.wrappedKey,
      ciphertext: sealed.ciphertext,
      created_by: auth.user.id,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "credential.store",
      subjectType: "credential",
      subjectId: id,
      customerId: item.customer_id,
      article: "7(1)",
      after: { item: item.name, kind: input.kind, label: input.label },
      at: now,
    });
    return {
      id,
      itemId,
      kind: input.kind,
      label: input.label,
      username: input.username ?? null,
      createdAt: now.toISOString(),
      keyId: sealed.kid,
    };
  });
}

export async function listCredentials(deps: Deps, auth: AuthContext, itemId: string) {
  return asCaller(deps.db, auth, async (tx) => {
    const item = await itemById(tx, itemId);
    if (!item) throw notFound("inventory item");
    const rows = await credentialsOfItem(tx, itemId);
    return rows.map((r) => ({
      id: r.id,
      itemId: r.item_id,
      kind: r.kind,
      label: r.label,
      username: r.username,
      createdAt: new Date(r.created_at).toISOString(),
      keyId: null,
    }));
  });
}

export async function retire(deps: Deps, auth: AuthContext, id: string) {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    const c = await credentialMeta(tx, id);
    if (!c || c.retired_at) throw notFound("credential");
    await retireCredential(tx, id, now);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "credential.retire",
      subjectType: "credential",
      subjectId: id,
      customerId: c.customer_id,
      article: "7(1)",
      after: { label: c.label },
      at: now,
    });
  });
}

async function presentReveal(deps: Deps, id: string) {
  const [r] = await listRevealsOf(deps, { id });
  return r!;
}

async function listRevealsOf(
  deps: Deps,
  filter: { id?: string; customerId?: string; itemId?: string; status?: string },
) {
  return presentRevealRows(deps, await listReveals(deps.db, filter, 200));
}

async function presentRevealRows(deps: Deps, rows: Awaited<ReturnType<typeof listReveals>>) {
  const names = await displayNames(
    deps.db,
    rows.flatMap((r) => [r.requested_by, r.decided_by].filter((x): x is string => !!x)),
  );
  return rows.map((r) => ({
    id: r.id,
    credentialId: r.credential_id,
    credentialLabel: r.label,
    itemName: r.item_name,
    requestedBy: names.get(r.requested_by) ?? "",
    requestedById: r.requested_by,
    reason: r.reason,
    requestedAt: new Date(r.requested_at).toISOString(),
    status: r.status,
    decidedBy: r.decided_by ? (names.get(r.decided_by) ?? "") : null,
    decidedAt: iso(r.decided_at),
    revealedAt: iso(r.revealed_at),
  }));
}

function decrypt(
  keys: KeyRing,
  sealed: { id: string; kid: string; wrapped_key: Buffer; ciphertext: Buffer },
): string {
  try {
    return open(
      keys,
      { kid: sealed.kid, wrappedKey: sealed.wrapped_key, ciphertext: sealed.ciphertext },
      sealed.id,
    ).toString("utf8");
  } catch (e) {
    if (e instanceof CustodyError)
      throw new AppError(
        "custody_unavailable",
        e.code === "unknown_key"
          ? `the key ${sealed.kid} this credential is sealed with is not loaded`
          : "the sealed credential fails its integrity check",
      );
    throw e;
  }
}

/**
 * Ask to reveal a credential (Art. 7(1)): re-authenticated, with a reason. Without the customer's
 * two-person setting the secret is shown at once; with it the request waits for another staff member.
 */
export async function requestReveal(
  deps: CustodyDeps,
  auth: AuthContext,
  credentialId: string,
  reason: string,
) {
  const now = deps.clock.now();
  requireRecentAuth(auth, authNow(deps.clock));
  const keys = ring(deps);
  const { revealId, secret } = await deps.db.transaction().execute(async (tx) => {
    const sealed = await sealedCredential(tx, credentialId);
    if (!sealed || sealed.retired_at) throw notFound("credential");
    const settings = await settingsOf(tx, sealed.customer_id);
    const needsApproval = settings?.reveal_needs_approval ?? false;
    const secret = needsApproval ? null : decrypt(keys, sealed);
    const row = await insertReveal(tx, {
      credential_id: credentialId,
      customer_id: sealed.customer_id,
      requested_by: auth.user.id,
      reason,
      requested_at: now,
      status: needsApproval ? "pending" : "revealed",
      revealed_at: needsApproval ? null : now,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: needsApproval ? "credential.reveal_requested" : "credential.reveal",
      subjectType: "credential",
      subjectId: credentialId,
      customerId: sealed.customer_id,
      article: "7(1)",
      after: { reveal: row.id, reason },
      at: now,
    });
    return { revealId: row.id, secret };
  });
  return { reveal: await presentReveal(deps, revealId), secret };
}

/** Another staff member approves or refuses a pending reveal (never the one who asked). */
export async function decideReveal(deps: Deps, auth: AuthContext, revealId: string, approve: boolean) {
  const now = deps.clock.now();
  requireRecentAuth(auth, authNow(deps.clock));
  await deps.db.transaction().execute(async (tx) => {
    const r = await revealById(tx, revealId, true);
    if (!r) throw notFound("reveal");
    if (r.status !== "pending") throw new AppError("conflict", `the reveal is ${r.status}`);
    if (r.requested_by === auth.user.id)
      throw new AppError("forbidden", "a second staff member must decide on your own request", {
        article: "7(1)",
      });
    await updateReveal(tx, revealId, {
      status: approve ? "approved" : "refused",
      decided_by: auth.user.id,
      decided_at: now,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: approve ? "credential.reveal_approved" : "credential.reveal_refused",
      subjectType: "credential",
      subjectId: r.credential_id,
      customerId: r.customer_id,
      article: "7(1)",
      after: { reveal: revealId },
      at: now,
    });
  });
  return presentReveal(deps, revealId);
}

/** The requester collects an approved reveal (within an hour of the approval), re-authenticated. */
export async function collectReveal(deps: CustodyDeps, auth: AuthContext, revealId: string) {
  const now = deps.clock.now();
  requireRecentAuth(auth, authNow(deps.clock));
  const keys = ring(deps);
  const secret = await deps.db.transaction().execute(async (tx) => {
    const r = await revealById(tx, revealId, true);
    if (!r) throw notFound("reveal");
    if (r.requested_by !== auth.user.id)
      throw new AppError("forbidden", "only the staff member who asked may collect it");
    if (r.status !== "approved") throw new AppError("conflict", `the reveal is ${r.status}`);
    if (r.decided_at && now.getTime() - new Date(r.decided_at).getTime() > APPROVAL_MS)
      throw new AppError("conflict", "the approval has lapsed (an hour); ask again", { article: "7(1)" });
    const sealed = await sealedCredential(tx, r.credential_id);
    if (!sealed || sealed.retired_at) throw notFound("credential");
    const secret = decrypt(keys, sealed);
    await updateReveal(tx, revealId, { status: "revealed", revealed_at: now });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "credential.reveal",
      subjectType: "credential",
      subjectId: r.credential_id,
      customerId: r.customer_id,
      article: "7(1)",
      after: { reveal: revealId, reason: r.reason },
      at: now,
    });
    return secret;
  });
  return { reveal: await presentReveal(deps, revealId), secret };
}

/** Reveals, newest first: staff see all (or a customer's); a customer sees who revealed theirs, when and why. */
export async function reveals(
  deps: Deps,
  auth: AuthContext,
  filter: { customerId?: string | undefined; itemId?: string | undefined; status?: string | undefined },
) {
  const rows = await asCaller(deps.db, auth, (tx) => listReveals(tx, filter, 200));
  // Staff names are shown to the customer too (who revealed their credential): read outside RLS.
  return presentRevealRows(deps, rows);
}

export async function setRevealApproval(deps: Deps, auth: AuthContext, customerId: string, needed: boolean) {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await upsertSettings(tx, customerId, { reveal_needs_approval: needed, updated_at: now });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "custody.settings",
      subjectType: "customer",
      subjectId: customerId,
      customerId,
      article: "7(1)",
      after: { revealNeedsApproval: needed },
      at: now,
    });
  });
}

/**
 * Re-wrap every data key under the active master key (rotation, online: reveals keep working
 * throughout, a batch at a time, each in its own short transaction). Returns how many were re-wrapped
 * and the keys in use after it: a credential under a key this process has not loaded is left as it is
 * and shows there (load that key too, or it cannot be revealed).
 */
export async function rewrapAll(
  deps: CustodyDeps,
  batch = 500,
): Promise<{ rewrapped: number; keys: { kid: string; n: number }[] }> {
  const keys = ring(deps);
  let total = 0;
  for (;;) {
    const n = await deps.db.transaction().execute(async (tx) => {
      const rows = await credentialsToRewrap(tx, keys.activeKid, keys.kids(), batch);
      const now = deps.clock.now();
      for (const r of rows) {
        const next = rewrap(keys, { kid: r.kid, wrappedKey: r.wrapped_key, ciphertext: r.ciphertext }, r.id);
        await setWrappedKey(tx, r.id, next.kid, next.wrappedKey, now);
      }
      return rows.length;
    });
    total += n;
    if (n < batch) {
      // Rows another transaction held were skipped: come back for them.
      if ((await countNotUnder(deps.db, keys.activeKid, keys.kids())) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { rewrapped: total, keys: await keysInUse(deps.db) };
}
