/**
 * A body over the limit is answered 413 in a way every client reads: also fetch and browsers, which
 * send the whole body without waiting for `Expect: 100-continue`.
 */
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildUser, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let base: string;
beforeAll(async () => {
  env = await testApp();
  await env.app.listen({ port: 0, host: "127.0.0.1" });
  const address = env.app.server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
afterAll(async () => {
  await env?.close();
});

/** A body of `mib` MiB streamed in 1 MiB chunks (nothing that large held in memory). */
function streamed(mib: number, head = "", fill = 0x61): ReadableStream<Uint8Array> {
  let sent = 0;
  const chunk = new Uint8Array(1024 * 1024).fill(fill);
  return new ReadableStream({
    pull(controller) {
      if (sent === 0 && head) controller.enqueue(new TextEncoder().encode(head));
      if (sent++ < mib) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

describe("an oversize body", () => {
  it.each([2, 24, 200])(
    "of %i MiB of JSON sent by fetch is answered 413 with the error body",
    async (mib) => {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: streamed(mib, '{"loginId":"'),
        duplex: "half",
      } as RequestInit);
      expect(r.status).toBe(413);
      expect((await r.json()).error.code).toBe("payload_too_large");
      // The server still answers on a new connection.
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
    },
  );

  it("of a file upload over its limit is answered 413 with the error body, every time", async () => {
    const staff = await buildUser(env.db, { role: "billing" });
    const s = await login(env.app, staff.loginId, PASSWORD);
    // Three in a row: a connection closed under the client resets it only some of the time.
    for (let round = 0; round < 3; round++) {
      const r = await fetch(`${base}/api/v1/billing/usage-imports?format=generic`, {
        method: "POST",
        headers: { "content-type": "text/csv", cookie: s.cookie, "x-csrf-token": s.csrf },
        body: streamed(300),
        duplex: "half",
      } as RequestInit);
      expect(r.status).toBe(413);
      expect((await r.json()).error.code).toBe("payload_too_large");
    }
  });

  it.each([
    ["application/json", "/api/v1/auth/login", 2],
    ["application/json", "/api/v1/auth/login", 64],
    ["text/csv", "/api/v1/billing/usage-imports?format=generic", 300],
  ])(
    "declared in Content-Length (%s, %s, %i MiB) and sent whole is answered 413 before the client is cut off",
    async (type, url, mib) => {
      const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(`${base}${url}`, {
          method: "POST",
          headers: { "content-type": type, "content-length": String(mib * 1024 * 1024) },
        });
        req.on("response", (res) => {
          let text = "";
          res.on("data", (c) => (text += c));
          res.on("end", () => resolve({ status: res.statusCode!, body: text }));
        });
        req.on("error", reject);
        const chunk = Buffer.alloc(1024 * 1024, 0x61);
        let sent = 0;
        const write = () => {
          while (sent < mib) {
            sent++;
            if (!req.write(chunk)) return void req.once("drain", write);
          }
          req.end();
        };
        write();
      });
      expect(status).toBe(413);
      expect(JSON.parse(body).error.code).toBe("payload_too_large");
    },
  );
});
