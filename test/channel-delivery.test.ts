/**
 * Pages and incident notices to chat and webhook channels go through the same outbox as e-mail: a
 * worker SIGKILLed mid-delivery loses none, and a repeat carries the same X-Unyo-Delivery id (so a
 * receiver drops it); a signed webhook's signature verifies on the bytes received.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../src/audit/service.ts";
import { systemClock } from "../src/core/clock.ts";
import { loadConfig } from "../src/core/config.ts";
import { insertChannel } from "../src/incidents/store/contacts.ts";
import { verifySignature } from "../src/notices/channels.ts";
import { queueNotice } from "../src/notices/service.ts";
import { testDatabase, testQueue } from "./helpers.ts";
import { killWorkerWhileDelivering } from "./processes.ts";

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

const SECRET = "a-webhook-secret-of-32-characters!";

async function receiver() {
  const got: { path: string; delivery: string; ok: boolean }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const sig = req.headers["x-unyo-signature"];
      got.push({
        path: req.url ?? "",
        delivery: String(req.headers["x-unyo-delivery"] ?? ""),
        ok:
          req.url === "/hook"
            ? typeof sig === "string" && verifySignature(SECRET, sig, body, Math.floor(Date.now() / 1000))
            : req.url === "/slack" && JSON.parse(body).text.length > 0,
      });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  return { got, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("channel deliveries survive a killed worker", () => {
  it("600 Slack and signed-webhook deliveries, the worker SIGKILLed repeatedly: each arrives, repeats ≤ kills", async () => {
    const rx = await receiver();
    const [hook, slack] = await h.db.transaction().execute(async (tx) => [
      await insertChannel(tx, {
        customer_id: null,
        user_id: null,
        kind: "webhook",
        name: "運用チーム webhook",
        url: `http://127.0.0.1:${rx.port}/hook`,
        token: null,
        secret: SECRET,
        min_severity: "info",
      }),
      await insertChannel(tx, {
        customer_id: null,
        user_id: null,
        kind: "slack",
        name: "#ops",
        url: `http://127.0.0.1:${rx.port}/slack`,
        token: null,
        secret: null,
        min_severity: "info",
      }),
    ]);
    await h.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 300; i++)
        await queueNotice({ queue: jobs }, tx, {
          kind: "notice",
          topic: "incident.page",
          subject: `[CRITICAL] INC-${i} web01 down`,
          body: `INC-${i}\nhttp://localhost:3000/console/incidents/x`,
          recipients: [
            { customerId: null, email: "webhook: ops", channel: { kind: "webhook", id: hook!.id } },
            { customerId: null, email: "slack: #ops", channel: { kind: "slack", id: slack!.id } },
          ],
          actor: systemActor,
          at: new Date(),
        });
    });
    const env = { ...process.env, DATABASE_URL: h.url, UNYO_DELIVERY_LEASE_SECONDS: "1", LOG_LEVEL: "warn" };
    const pending = async () =>
      Number(
        (
          await h.db
            .selectFrom("notice_deliveries")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("channel", "<>", "email")
            .where("status", "!=", "sent")
            .executeTakeFirstOrThrow()
        ).n,
      );
    const kills = await killWorkerWhileDelivering(env, () => rx.got.length, pending, 4);
    const ids = (
      await h.db.selectFrom("notice_deliveries").select("id").where("channel", "<>", "email").execute()
    ).map((r) => r.id);
    expect(ids).toHaveLength(600);
    const delivered = rx.got.map((g) => g.delivery);
    expect(ids.filter((id) => !delivered.includes(id))).toEqual([]);
    expect(rx.got.every((g) => g.ok)).toBe(true);
    expect(kills).toBeGreaterThanOrEqual(1);
    expect(delivered.length - ids.length).toBeLessThanOrEqual(kills);
    console.log(
      `channels under SIGKILL: ${ids.length} deliveries, ${kills} kills, ${delivered.length - ids.length} repeated`,
    );
    await rx.close();
  }, 120_000);
});
