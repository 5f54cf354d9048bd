/**
 * Credential custody (Art. 7(1)) through the API on a real PostgreSQL: secrets sealed under a master
 * key outside the database, never in lists, logs, audit entries or errors (a planted secret is looked
 * for everywhere), reveals needing the role, a fresh re-authentication, a reason and — where the
 * customer asks — a second staff member; every reveal audited and visible to the customer; rotation
 * re-wraps every data key while reveals keep working.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOG_REDACTION } from "../src/cli/server.ts";
import type { SessionContext } from "../src/identity/actor.ts";
import { totpCode } from "../src/identity/totp.ts";
import { generateKeyFile, keyRingFromKeys, loadKeyRing } from "../src/monitoring/custody/keyring.ts";
import { requestReveal, rewrapAll, storeCredential } from "../src/monitoring/custody.ts";
import { buildContract, buildUser, type Client, login, type TestEnv, testApp } from "./helpers.ts";
import { spawnUnyo } from "./processes.ts";

const TOTP = "JBSWY3DPEHPK3PXP";
const PLANTED = `PLANTED-root-${randomBytes(8).toString("hex")}`;
const k1 = randomBytes(32);
const k2 = randomBytes(32);
let env: TestEnv;
const logLines: string[] = [];
/** Every answer a test received (but the reveals' own), to look for the planted secret in. */
const answers: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: "trace", redact: LOG_REDACTION }, sink);
  env = await testApp({}, { keys: keyRingFromKeys("k1", { k1 }), logger });
});
afterAll(async () => env?.close());

function recorded(c: Client): Client {
  return {
    ...c,
    async req(method, url, body, headers) {
      const r = await c.req(method, url, body, headers);
      if (!/\/reveal$|\/collect$/.test(url)) answers.push(JSON.stringify(r.json));
      return r;
    },
  };
}

async function setup() {
  const c = await buildContract(env.db, {
    start: "2026-10-01",
    servers: [{ hostname: "web01.example.jp", provider: "aws" }],
  });
  const eng = await buildUser(env.db, { role: "engineer" });
  const engineer = recorded(await login(env.app, eng.loginId, eng.password));
  await engineer.req("POST", `/api/v1/contracts/${c.id}/inventory/from-contract`);
  const item = (await engineer.req("GET", `/api/v1/contracts/${c.id}/inventory`)).json.registered[0];
  const cust = await buildUser(env.db, { role: "customer-admin", customerId: c.customerId });
  const customer = recorded(await login(env.app, cust.loginId, cust.password));
  return { c, eng, engineer, item, customer };
}

describe("credential custody (Art. 7(1))", () => {
  it("seals a secret, lists only labels, reveals it to an engineer with a reason, and tells the customer", async () => {
    const { c, engineer, item, customer } = await setup();
    const stored = await engineer.req("POST", `/api/v1/inventory/${item.id}/credentials`, {
      kind: "root_password",
      label: "root",
      username: "root",
      secret: PLANTED,
    });
    expect(stored.status).toBe(201);
    expect(stored.json).toMatchObject({ kind: "root_password", label: "root", keyId: "k1" });
    // The database holds no plaintext: only the ciphertext and the wrapped data key.
    const row = await env.db
      .selectFrom("credentials")
      .selectAll()
      .where("id", "=", stored.json.id)
      .executeTakeFirstOrThrow();
    expect(row.ciphertext.includes(Buffer.from(PLANTED))).toBe(false);
    expect(row.wrapped_key.length).toBe(60);
    const list = await engineer.req("GET", `/api/v1/inventory/${item.id}/credentials`);
    expect(list.json).toHaveLength(1);
    // A short reason, a wrong role, an API token: refused.
    expect(
      (await engineer.req("POST", `/api/v1/credentials/${stored.json.id}/reveal`, { reason: "x" })).status,
    ).toBe(400);
    const op = await buildUser(env.db, { role: "operator" });
    const operator = recorded(await login(env.app, op.loginId, op.password));
    expect(
      (
        await operator.req("POST", `/api/v1/credentials/${stored.json.id}/reveal`, {
          reason: "checking the disk",
        })
      ).status,
    ).toBe(403);
    // The customer cannot reveal either.
    expect(
      (
        await customer.req("POST", `/api/v1/credentials/${stored.json.id}/reveal`, {
          reason: "checking the disk",
        })
      ).status,
    ).toBe(403);
    const revealed = await engineer.req("POST", `/api/v1/credentials/${stored.json.id}/reveal`, {
      reason: "disk full on web01, incident 42",
    });
    expect(revealed.status).toBe(200);
    expect(revealed.json.secret).toBe(PLANTED);
    expect(revealed.json.reveal).toMatchObject({
      status: "revealed",
      reason: "disk full on web01, incident 42",
    });
    // The customer sees who revealed it, when and why; another customer sees nothing.
    const seen = await customer.req("GET", "/api/v1/reveals");
    expect(seen.json).toHaveLength(1);
    expect(seen.json[0]).toMatchObject({
      itemName: "web01.example.jp",
      reason: "disk full on web01, incident 42",
      status: "revealed",
    });
    expect(seen.json[0].requestedBy).not.toBe("");
    const other = await buildContract(env.db, { start: "2026-10-01" });
    const ou = await buildUser(env.db, { role: "customer-admin", customerId: other.customerId });
    const stranger = recorded(await login(env.app, ou.loginId, ou.password));
    expect((await stranger.req("GET", "/api/v1/reveals")).json).toEqual([]);
    expect((await stranger.req("GET", `/api/v1/inventory/${item.id}/credentials`)).status).toBe(404);
    // Every reveal is in the audit log, with its reason and never the secret.
    const audit = await env.db
      .selectFrom("audit_log")
      .selectAll()
      .where("subject_id", "=", stored.json.id)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(["credential.store", "credential.reveal"]);
    expect(JSON.stringify(audit)).not.toContain(PLANTED);
    expect(c.customerId).toBe(audit[1]!.customer_id);
  });

  it("needs a fresh re-authentication and refuses an API token", async () => {
    const { eng, engineer, item } = await setup();
    const stored = await engineer.req("POST", `/api/v1/inventory/${item.id}/credentials`, {
      kind: "ssh_private_key",
      label: "deploy key",
      secret: `-----BEGIN OPENSSH PRIVATE KEY-----\n${PLANTED}\n-----END OPENSSH PRIVATE KEY-----`,
    });
    const token = await engineer.req("POST", "/api/v1/me/tokens", { name: "ops", scopes: ["read", "write"] });
    expect(token.status).toBe(201);
    env.clock.advance(6 * 60_000);
    const stale = await engineer.req("POST", `/api/v1/credentials/${stored.json.id}/reveal`, {
      reason: "rotating the key",
    });
    expect(stale.status).toBe(403);
    expect(stale.json.error.code).toBe("reauthentication_required");
    const byToken = await env.app.inject({
      method: "POST",
      url: `/api/v1/credentials/${stored.json.id}/reveal`,
      headers: { authorization: `Bearer ${token.json.token}` },
      payload: { reason: "rotating the key" },
    });
    expect(byToken.statusCode).toBe(403);
    answers.push(byToken.body);
    expect((await engineer.req("POST", "/api/v1/me/reauthenticate", { password: eng.password })).status).toBe(
      204,
    );
    const ok = await engineer.req("POST", `/api/v1/credentials/${stored.json.id}/reveal`, {
      reason: "rotating the key",
    });
    expect(ok.json.secret).toContain(PLANTED);
  });

  it("with the customer's two-person setting: pending until another staff member approves; the asker collects", async () => {
    const { c, engineer, item, customer } = await setup();
    const adm = await buildUser(env.db, { role: "admin" });
    // Administrators sign in with a second factor.
    await env.db
      .updateTable("users")
      .set({ totp_enabled: true, totp_secret: TOTP })
      .where("id", "=", adm.id)
      .execute();
    const admin = recorded(await login(env.app, adm.loginId, adm.password, totpCode(TOTP, env.clock.now())));
    expect(
      (
        await admin.req("PUT", `/api/v1/customers/${c.customerId}/custody-settings`, {
          revealNeedsApproval: true,
        })
      ).status,
    ).toBe(204);
    // Not an engineer's decision.
    expect(
      (
        await engineer.req("PUT", `/api/v1/customers/${c.customerId}/custody-settings`, {
          revealNeedsApproval: false,
        })
      ).status,
    ).toBe(403);
    const stored = await engineer.req("POST", `/api/v1/inventory/${item.id}/credentials`, {
      kind: "cloud_api_key",
      label: "AWS ops",
      secret: PLANTED,
    });
    const asked = await engineer.req("POST", `/api/v1/credentials/${stored.json.id}/reveal`, {
      reason: "snapshot before patching",
    });
    expect(asked.json).toMatchObject({ secret: null, reveal: { status: "pending" } });
    const id = asked.json.reveal.id;
    // Not by the one who asked; not collected before approval.
    expect((await engineer.req("POST", `/api/v1/reveals/${id}/approve`)).status).toBe(403);
    expect((await engineer.req("POST", `/api/v1/reveals/${id}/collect`)).status).toBe(409);
    const approved = await admin.req("POST", `/api/v1/reveals/${id}/approve`);
    expect(approved.json).toMatchObject({ status: "approved" });
    expect(approved.json.decidedBy).not.toBeNull();
    // Only the asker collects it.
    expect((await admin.req("POST", `/api/v1/reveals/${id}/collect`)).status).toBe(403);
    const got = await engineer.req("POST", `/api/v1/reveals/${id}/collect`);
    expect(got.json).toMatchObject({ secret: PLANTED, reveal: { status: "revealed" } });
    expect((await engineer.req("POST", `/api/v1/reveals/${id}/collect`)).status).toBe(409);
    const log = (await customer.req("GET", "/api/v1/reveals")).json;
    expect(log[0]).toMatchObject({ status: "revealed", reason: "snapshot before patching" });
    const actions = (
      await env.db
        .selectFrom("audit_log")
        .select("action")
        .where("subject_id", "=", stored.json.id)
        .orderBy("seq")
        .execute()
    ).map((a) => a.action);
    expect(actions).toEqual([
      "credential.store",
      "credential.reveal_requested",
      "credential.reveal_approved",
      "credential.reveal",
    ]);
  });

  it("rotation re-wraps every data key under the new master key while reveals keep working", async () => {
    const { engineer, item } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++)
      ids.push(
        (
          await engineer.req("POST", `/api/v1/inventory/${item.id}/credentials`, {
            kind: "other",
            label: `key ${i}`,
            secret: `${PLANTED}-${i}`,
          })
        ).json.id,
      );
    const before = await env.db
      .selectFrom("credentials")
      .select(["id", "kid", "ciphertext"])
      .where("id", "in", ids)
      .execute();
    expect(new Set(before.map((b) => b.kid))).toEqual(new Set(["k1"]));
    const me = (await engineer.req("GET", "/api/v1/me")).json;
    const auth = {
      kind: "session",
      user: me.user,
      sessionId: "00",
      csrfToken: "x",
      reauthenticatedAt: new Date(),
    } as SessionContext;
    // During the rotation the process holds both keys (the new one active): reveals go on while batches re-wrap.
    const both = { db: env.db, clock: env.clock, queue: env.queue, keys: keyRingFromKeys("k2", { k1, k2 }) };
    const [done, ...during] = await Promise.all([
      rewrapAll(both, 7),
      ...ids.slice(0, 10).map((id) => requestReveal(both, auth, id, "reveal during rotation")),
    ]);
    for (const [i, r] of during.entries()) expect(r.secret).toBe(`${PLANTED}-${i}`);
    expect(done.rewrapped).toBeGreaterThanOrEqual(30);
    const after = await env.db
      .selectFrom("credentials")
      .select(["id", "kid", "ciphertext"])
      .where("id", "in", ids)
      .execute();
    expect(new Set(after.map((a) => a.kid))).toEqual(new Set(["k2"]));
    // The data itself was not re-encrypted: only the data keys were re-wrapped.
    for (const a of after)
      expect(a.ciphertext.equals(before.find((b) => b.id === a.id)!.ciphertext)).toBe(true);
    // With the old key gone every secret still opens.
    const onlyNew = { ...both, keys: keyRingFromKeys("k2", { k2 }) };
    for (const [i, id] of ids.entries())
      expect((await requestReveal(onlyNew, auth, id, "after rotation")).secret).toBe(`${PLANTED}-${i}`);
    // And without the new key, one is refused with 503, naming the key, not the secret.
    const onlyOld = { ...both, keys: keyRingFromKeys("k1", { k1 }) };
    await expect(requestReveal(onlyOld, auth, ids[0]!, "after rotation")).rejects.toMatchObject({
      code: "custody_unavailable",
      message: expect.stringContaining("k2"),
    });
  });

  it("rotates with the CLI: add-key, rewrap, remove-key; every secret opens with the new key alone", async () => {
    const { engineer, item } = await setup();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "unyo-keys-"));
    const file = path.join(dir, "keys.json");
    const oldKid = generateKeyFile(file);
    const ring = loadKeyRing({ UNYO_KEYS_FILE: file })!;
    const me = (await engineer.req("GET", "/api/v1/me")).json;
    const auth = {
      kind: "session",
      user: me.user,
      sessionId: "00",
      csrfToken: "x",
      reauthenticatedAt: new Date(),
    } as SessionContext;
    const deps = { db: env.db, clock: env.clock, queue: env.queue, keys: ring };
    const stored = await storeCredential(deps, auth, item.id, {
      kind: "root_password",
      label: "cli",
      secret: `${PLANTED}-cli`,
    });
    const run = async (...args: string[]) => {
      const p = spawnUnyo(["custody", ...args], { DATABASE_URL: env.url, UNYO_KEYS_FILE: file });
      const code = await new Promise<number | null>((r) => p.child.on("exit", r));
      return { code, out: p.output() };
    };
    const added = await run("add-key");
    expect(added.code).toBe(0);
    const newKid = /new active key (\S+)/.exec(added.out)![1]!;
    // Refused while the old key still seals a credential.
    const early = await run("remove-key", oldKid);
    expect(early.code).toBe(1);
    expect(early.out).toContain("rewrap");
    const rewrapped = await run("rewrap");
    expect(rewrapped.code).toBe(0);
    expect(rewrapped.out).toMatch(/re-wrapped [1-9]\d* data key/);
    expect((await run("remove-key", oldKid)).code).toBe(0);
    const after = loadKeyRing({ UNYO_KEYS_FILE: file })!;
    expect(after.kids()).toEqual([newKid]);
    const got = await requestReveal({ ...deps, keys: after }, auth, stored.id, "after the CLI rotation");
    expect(got.secret).toBe(`${PLANTED}-cli`);
    for (const o of [added.out, rewrapped.out]) expect(o).not.toContain(PLANTED);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("without a master key custody answers 503 and stores nothing", async () => {
    const bare = await testApp();
    try {
      const c = await buildContract(bare.db, {
        start: "2026-10-01",
        servers: [{ hostname: "a.example.jp", provider: "gcp" }],
      });
      const eng = await buildUser(bare.db, { role: "engineer" });
      const s = await login(bare.app, eng.loginId, eng.password);
      await s.req("POST", `/api/v1/contracts/${c.id}/inventory/from-contract`);
      const item = (await s.req("GET", `/api/v1/contracts/${c.id}/inventory`)).json.registered[0];
      const r = await s.req("POST", `/api/v1/inventory/${item.id}/credentials`, {
        kind: "other",
        label: "x",
        secret: PLANTED,
      });
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe("custody_unavailable");
      expect(JSON.stringify(r.json)).not.toContain(PLANTED);
      expect(await bare.db.selectFrom("credentials").selectAll().execute()).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it("never lets the planted secret out in an answer, a log line or an audit entry", async () => {
    // (Tests run in a random order: this one makes its own traffic, and looks at whatever the others made too.)
    const { engineer, item, customer } = await setup();
    const stored = await engineer.req("POST", `/api/v1/inventory/${item.id}/credentials`, {
      kind: "root_password",
      label: "root",
      secret: PLANTED,
    });
    await engineer.req("GET", `/api/v1/inventory/${item.id}/credentials`);
    await engineer.req("GET", `/api/v1/inventory/${item.id}`);
    await engineer.req("POST", `/api/v1/credentials/${stored.json.id}/reveal`, {
      reason: "planted secret test",
    });
    await engineer.req("GET", "/api/v1/reveals");
    await customer.req("GET", "/api/v1/reveals");
    await customer.req("GET", `/api/v1/inventory/${item.id}/credentials`);
    // A bad request carrying the secret: the error does not echo it.
    const bad = await engineer.req("POST", `/api/v1/inventory/${item.id}/credentials`, {
      kind: "nonsense",
      label: "",
      secret: PLANTED,
      extra: PLANTED,
    });
    expect(bad.status).toBe(400);
    const tooLong = await engineer.req("POST", `/api/v1/inventory/${item.id}/credentials`, {
      kind: "other",
      label: "big",
      secret: `${PLANTED}${"x".repeat(20000)}`,
    });
    expect(tooLong.status).toBe(400);
    expect(answers.length).toBeGreaterThanOrEqual(8);
    for (const a of answers) expect(a).not.toContain(PLANTED);
    expect(logLines.length).toBeGreaterThan(0);
    for (const l of logLines) expect(l).not.toContain(PLANTED);
    const audit = await env.db.selectFrom("audit_log").selectAll().execute();
    expect(JSON.stringify(audit)).not.toContain(PLANTED);
  });
});
