import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../src/audit/service.ts";
import { systemClock } from "../src/core/clock.ts";
import { loadConfig } from "../src/core/config.ts";
import { createTransport, deliverDue, MAX_ATTEMPTS } from "../src/notices/delivery.ts";
import { failingNoticeDeliveries, queueNotice } from "../src/notices/service.ts";
import { testDatabase, testQueue } from "./helpers.ts";
import { killWorkerWhileDelivering } from "./processes.ts";
import { smtpCatcher } from "./smtp.ts";

type Handle = Awaited<ReturnType<typeof testDatabase>>;
let h: Handle;
let jobs: ReturnType<typeof testQueue>;
beforeAll(async () => {
  h = await testDatabase();
  jobs = testQueue(h.db, h.url, systemClock, loadConfig({}));
  await jobs.start();
});
afterAll(async () => {
  await jobs?.stop();
  await h?.drop();
});

async function queue(n: number, prefix: string) {
  await h.db.transaction().execute(async (tx) => {
    for (let i = 0; i < n; i += 200)
      await queueNotice({ queue: jobs }, tx, {
        kind: "announcement",
        topic: "test",
        subject: `お知らせ ${prefix}`,
        body: "本文です。日本語の通知。",
        article: "43",
        recipients: Array.from({ length: Math.min(200, n - i) }, (_, k) => ({
          customerId: null,
          email: `${prefix}${i + k}@example.test`,
        })),
        actor: systemActor,
        at: new Date(),
      });
  });
}

describe("notice delivery over real SMTP (the outbox)", () => {
  it("delivers each queued notice with its stable Message-ID and marks it sent", async () => {
    const before = (await failingNoticeDeliveries({ db: h.db }, { limit: 500 })).items.length;
    const smtp = await smtpCatcher();
    const config = loadConfig({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port) });
    await queue(3, "ok");
    const transport = createTransport(config);
    const r = await deliverDue(h.db, transport, config, new Date());
    transport.close();
    expect(r.sent).toBe(3);
    const rows = await h.db
      .selectFrom("notice_deliveries")
      .select(["email", "message_id", "status"])
      .where("email", "like", "ok%")
      .execute();
    expect(rows.every((d) => d.status === "sent")).toBe(true);
    expect(smtp.received.map((m) => m.messageId).sort()).toEqual(rows.map((d) => d.message_id).sort());
    expect(smtp.received[0]!.subject).toMatch(/=\?UTF-8\?/); // Japanese subject, encoded
    // Sent ones are not failing.
    const failing = (await failingNoticeDeliveries({ db: h.db }, { limit: 500 })).items;
    expect(failing.filter((f) => f.email.startsWith("ok"))).toEqual([]);
    expect(failing.length).toBeLessThanOrEqual(before);
    await smtp.close();
  });

  it("retries a refused delivery with backoff and gives up (failed, still recorded) after the last attempt", async () => {
    const smtp = await smtpCatcher({ failFor: (to) => to.startsWith("bounce") });
    const config = loadConfig({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port) });
    await queue(1, "bounce");
    const transport = createTransport(config);
    let now = new Date();
    for (let i = 1; i <= MAX_ATTEMPTS; i++) {
      const r = await deliverDue(h.db, transport, config, now);
      expect(r.sent).toBe(0);
      const d = await h.db
        .selectFrom("notice_deliveries")
        .selectAll()
        .where("email", "=", "bounce0@example.test")
        .executeTakeFirstOrThrow();
      expect(d.attempts).toBe(i);
      expect(d.status).toBe(i < MAX_ATTEMPTS ? "queued" : "failed");
      expect(d.last_error).toMatch(/mailbox unavailable/);
      // Staff see it among the deliveries failing: retried (with when), then given up.
      const failing = (await failingNoticeDeliveries({ db: h.db }, { limit: 500 })).items.find(
        (f) => f.email === "bounce0@example.test",
      );
      expect(failing).toMatchObject({
        status: d.status,
        attempts: i,
        subject: "お知らせ bounce",
        lastError: expect.stringMatching(/mailbox unavailable/),
      });
      expect(failing?.nextAttemptAt === null).toBe(i === MAX_ATTEMPTS);
      // Not retried before its backoff elapses.
      expect((await deliverDue(h.db, transport, config, now)).retried).toBe(0);
      now = new Date(new Date(d.next_attempt_at).getTime() + 1000);
    }
    transport.close();
    await smtp.close();
  });
});

describe("no notice is lost when the worker is killed mid-delivery", () => {
  it("1,000 notices, the worker SIGKILLed repeatedly: every Message-ID arrives, extra copies ≤ kills", async () => {
    const smtp = await smtpCatcher();
    await queue(1000, "bulk");
    const env = {
      ...process.env,
      DATABASE_URL: h.url,
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      UNYO_DELIVERY_LEASE_SECONDS: "1",
      LOG_LEVEL: "warn",
    };
    const pending = async () =>
      Number(
        (
          await h.db
            .selectFrom("notice_deliveries")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("email", "like", "bulk%")
            .where("status", "!=", "sent")
            .executeTakeFirstOrThrow()
        ).n,
      );
    const kills = await killWorkerWhileDelivering(env, () => smtp.received.length, pending, 5);
    const ids = (
      await h.db
        .selectFrom("notice_deliveries")
        .select("message_id")
        .where("email", "like", "bulk%")
        .execute()
    ).map((r) => r.message_id);
    const got = smtp.received.filter((m) => m.to.startsWith("bulk")).map((m) => m.messageId);
    const missing = ids.filter((id) => !got.includes(id));
    expect(kills).toBeGreaterThanOrEqual(1);
    expect(missing).toEqual([]);
    expect(got.length - ids.length).toBeLessThanOrEqual(kills);
    expect(got.length - new Set(got).size).toBe(got.length - ids.length); // extras are repeats of the same Message-ID
    console.log(
      `delivery under SIGKILL: ${ids.length} notices, ${kills} kills, ${got.length - ids.length} repeated`,
    );
    await smtp.close();
  }, 120_000);
});
