import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHANNEL_KINDS,
  type ChannelMessage,
  type ChannelTarget,
  channelRequest,
  sendChannel,
  validateTarget,
  verifySignature,
} from "./channels.ts";

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

/** A loopback receiver that records every request and answers as `reply` says (by path). */
interface Receiver {
  base: string;
  received: Received[];
  close(): Promise<void>;
}

type Reply = (path: string) => { status: number; headers?: Record<string, string>; body?: string } | "hang";

async function startReceiver(reply: Reply): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        raw: Buffer.concat(chunks).toString("utf8"),
      });
      const r = reply(req.url ?? "/");
      if (r === "hang") return; // never answers
      res.writeHead(r.status, r.headers ?? {});
      res.end(r.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SECRET = "s3cret-s3cret-s3cret";
const AT = new Date("2025-04-01T09:30:00.000Z");

function message(over: Partial<ChannelMessage> = {}): ChannelMessage {
  return {
    deliveryId: "0b7c2f3e-1111-4222-8333-444455556666",
    subject: "Disk full on web-1 <prod> & db",
    body: "The disk /var on web-1 is 98% full.\nSee https://unyo.example/incidents/42",
    link: "https://unyo.example/incidents/42",
    at: AT,
    ...over,
  };
}

let rx: Receiver;

/** The requests received under one path (each test uses its own, so shuffled order does not matter). */
function at(path: string): Received[] {
  return rx.received.filter((r) => r.url === path);
}

beforeAll(async () => {
  rx = await startReceiver((path): ReturnType<Reply> => {
    if (path.startsWith("/status/500")) return { status: 500, body: `internal trouble ${"x".repeat(500)}` };
    if (path.startsWith("/status/429"))
      return { status: 429, headers: { "Retry-After": "30" }, body: "rate limited" };
    if (path.startsWith("/status/302"))
      return { status: 302, headers: { Location: "https://elsewhere.example/" } };
    if (path.startsWith("/hang")) return "hang";
    if (path.startsWith("/teams")) return { status: 202, body: "" };
    if (path.startsWith("/chatwork")) return { status: 200, body: '{"message_id":"1234"}' };
    return { status: 200, body: "ok" };
  });
});

afterAll(async () => {
  await rx.close();
});

describe("sendChannel to slack", () => {
  it("posts the Block Kit message with the subject, the escaped body and the link", async () => {
    await sendChannel({ kind: "slack", url: `${rx.base}/slack/a` }, message());
    const [r] = at("/slack/a");
    expect(r).toBeDefined();
    expect(r!.method).toBe("POST");
    expect(r!.headers["content-type"]).toMatch(/^application\/json/);
    expect(r!.headers["x-unyo-delivery"]).toBe(message().deliveryId);
    expect(r!.headers["user-agent"]).toBe("Unyo");
    const body = JSON.parse(r!.raw);
    expect(body.text).toBe(
      "Disk full on web-1 &lt;prod&gt; &amp; db\nThe disk /var on web-1 is 98% full.\nSee https://unyo.example/incidents/42",
    );
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "Disk full on web-1 <prod> & db" },
    });
    expect(body.blocks[1]).toEqual({
      type: "section",
      text: {
        type: "mrkdwn",
        text: "The disk /var on web-1 is 98% full.\nSee https://unyo.example/incidents/42",
      },
    });
    expect(body.blocks[2].type).toBe("context");
    expect(body.blocks[2].elements[0].text).toBe(
      "<https://unyo.example/incidents/42|https://unyo.example/incidents/42>",
    );
  });

  it("escapes markup in the body so it cannot forge mentions or links, and escapes the link's &", async () => {
    await sendChannel(
      { kind: "slack", url: `${rx.base}/slack/b` },
      message({ body: "a <!channel> & <https://evil.example|click>", link: "https://u.example/?a=1&b=2" }),
    );
    const body = JSON.parse(at("/slack/b")[0]!.raw);
    expect(body.blocks[1].text.text).toBe("a &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;");
    expect(body.text).not.toContain("<!channel>");
    expect(body.blocks[2].elements[0].text).toBe(
      "<https://u.example/?a=1&amp;b=2|https://u.example/?a=1&amp;b=2>",
    );
  });

  it("sends no link block without a link and clips a long subject to Slack's 150 characters", async () => {
    await sendChannel(
      { kind: "slack", url: `${rx.base}/slack/c` },
      message({ subject: "件".repeat(400), link: null }),
    );
    const body = JSON.parse(at("/slack/c")[0]!.raw);
    expect(body.blocks).toHaveLength(2);
    expect(body.blocks[0].text.text.length).toBeLessThanOrEqual(150);
    expect(body.blocks[0].text.text.endsWith("…")).toBe(true);
  });
});

describe("sendChannel to teams", () => {
  it("posts a message with one Adaptive Card and accepts 202", async () => {
    await sendChannel({ kind: "teams", url: `${rx.base}/teams/a` }, message());
    const [r] = at("/teams/a");
    expect(r!.method).toBe("POST");
    expect(r!.headers["content-type"]).toMatch(/^application\/json/);
    expect(r!.headers["x-unyo-delivery"]).toBe(message().deliveryId);
    expect(r!.headers["user-agent"]).toBe("Unyo");
    const body = JSON.parse(r!.raw);
    expect(body.type).toBe("message");
    expect(body.attachments).toHaveLength(1);
    const a = body.attachments[0];
    expect(a.contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(a.contentUrl).toBeNull();
    expect(a.content).toEqual({
      $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
      type: "AdaptiveCard",
      version: "1.4",
      body: [
        {
          type: "TextBlock",
          text: "Disk full on web-1 <prod> & db",
          weight: "bolder",
          size: "medium",
          wrap: true,
        },
        { type: "TextBlock", text: message().body, wrap: true },
      ],
      actions: [{ type: "Action.OpenUrl", title: "Open", url: "https://unyo.example/incidents/42" }],
    });
  });

  it("has no actions without a link", async () => {
    await sendChannel({ kind: "teams", url: `${rx.base}/teams/b` }, message({ link: null }));
    const body = JSON.parse(at("/teams/b")[0]!.raw);
    expect(body.attachments[0].content.actions).toBeUndefined();
  });
});

describe("sendChannel to chatwork", () => {
  it("posts the form with the token header, decoding to the [info] box, Japanese included", async () => {
    const target: ChannelTarget = {
      kind: "chatwork",
      url: `${rx.base}/chatwork/v2/rooms/123/messages`,
      token: "cw-tok",
    };
    await sendChannel(
      target,
      message({
        subject: "ディスク容量の警告",
        body: "web-1 の /var が 98% です。&=+ 対応してください",
        link: "https://u.example/i/42",
      }),
    );
    const [r] = at("/chatwork/v2/rooms/123/messages");
    expect(r!.method).toBe("POST");
    expect(r!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(r!.headers["x-chatworktoken"]).toBe("cw-tok");
    expect(r!.headers["x-unyo-delivery"]).toBe(message().deliveryId);
    expect(r!.headers["user-agent"]).toBe("Unyo");
    const form = new URLSearchParams(r!.raw);
    expect([...form.keys()].sort()).toEqual(["body", "self_unread"]);
    expect(form.get("self_unread")).toBe("0");
    expect(form.get("body")).toBe(
      "[info][title]ディスク容量の警告[/title]web-1 の /var が 98% です。&=+ 対応してください\nhttps://u.example/i/42[/info]",
    );
  });

  it("does not repeat a link the body already shows", () => {
    const req = channelRequest(
      { kind: "chatwork", url: "https://api.chatwork.com/v2/rooms/1/messages", token: "t" },
      message(),
    );
    expect(new URLSearchParams(req.body).get("body")).toBe(
      `[info][title]${message().subject}[/title]${message().body}[/info]`,
    );
  });

  it("refuses to send without a token", async () => {
    await expect(
      sendChannel({ kind: "chatwork", url: `${rx.base}/chatwork/none` }, message()),
    ).rejects.toThrow(/token/);
    expect(() =>
      channelRequest({ kind: "chatwork", url: "https://x.example/", token: null }, message()),
    ).toThrow(/token/);
    expect(at("/chatwork/none")).toHaveLength(0);
  });
});

describe("sendChannel to a signed webhook", () => {
  it("posts the JSON with a signature that verifies against the received body", async () => {
    const before = Math.floor(Date.now() / 1000);
    await sendChannel(
      { kind: "webhook", url: `${rx.base}/hook/a`, secret: SECRET },
      message({ data: { severity: "critical", count: 3 } }),
    );
    const after = Math.floor(Date.now() / 1000);
    const [r] = at("/hook/a");
    expect(r!.method).toBe("POST");
    expect(r!.headers["content-type"]).toBe("application/json");
    expect(r!.headers["x-unyo-delivery"]).toBe(message().deliveryId);
    expect(r!.headers["user-agent"]).toBe("Unyo");
    expect(JSON.parse(r!.raw)).toEqual({
      id: message().deliveryId,
      subject: message().subject,
      body: message().body,
      link: "https://unyo.example/incidents/42",
      at: "2025-04-01T09:30:00.000Z",
      data: { severity: "critical", count: 3 },
    });
    const sig = String(r!.headers["x-unyo-signature"]);
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
    expect(m).not.toBeNull();
    // Signed when sent (not when the notice was raised), so a late retry is still fresh.
    const t = Number(m![1]);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
    // An independent computation of the Stripe-style HMAC.
    expect(m![2]).toBe(createHmac("sha256", SECRET).update(`${t}.${r!.raw}`).digest("hex"));

    expect(verifySignature(SECRET, sig, r!.raw, t)).toBe(true);
    expect(verifySignature(SECRET, sig, r!.raw, t + 299)).toBe(true);
    expect(verifySignature(SECRET, sig, r!.raw.replace("critical", "warning"), t)).toBe(false);
    expect(verifySignature(`${SECRET}x`, sig, r!.raw, t)).toBe(false);
    expect(verifySignature(SECRET, sig, r!.raw, t + 301)).toBe(false);
    expect(verifySignature(SECRET, sig, r!.raw, t - 301)).toBe(false);
  });

  it("refuses to send without a secret", async () => {
    await expect(sendChannel({ kind: "webhook", url: `${rx.base}/hook/none` }, message())).rejects.toThrow(
      /secret/,
    );
    expect(() => channelRequest({ kind: "webhook", url: "https://x.example/" }, message())).toThrow(/secret/);
    expect(at("/hook/none")).toHaveLength(0);
  });
});

describe("channelRequest", () => {
  it("is deterministic given msg.at, signing at msg.at by default", () => {
    const target: ChannelTarget = { kind: "webhook", url: "https://hooks.example/x", secret: SECRET };
    const a = channelRequest(target, message());
    const b = channelRequest(target, message());
    expect(a).toEqual(b);
    const t = AT.getTime() / 1000;
    expect(a.headers["X-Unyo-Signature"]).toMatch(new RegExp(`^t=${t},v1=[0-9a-f]{64}$`));
    expect(verifySignature(SECRET, a.headers["X-Unyo-Signature"]!, a.body, t)).toBe(true);
    for (const kind of CHANNEL_KINDS) {
      const req = channelRequest(
        { kind, url: "https://x.example/", token: "tok", secret: SECRET },
        message(),
      );
      expect(req.method).toBe("POST");
      expect(req.headers["X-Unyo-Delivery"]).toBe(message().deliveryId);
      expect(req.headers["User-Agent"]).toBe("Unyo");
    }
  });
});

describe("sendChannel failures", () => {
  it("rejects a 500 with the status and at most 200 characters of the answer", async () => {
    const err = await sendChannel({ kind: "slack", url: `${rx.base}/status/500` }, message()).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toContain("500");
    expect(err!.message).toContain("internal trouble");
    expect(err!.message).not.toContain("x".repeat(201));
    expect(err!.message).toContain("x".repeat(100));
    // The Slack URL is a secret: it stays out of the error (which staff see).
    expect(err!.message).not.toContain(rx.base);
  });

  it("rejects a 429 with the status and its Retry-After", async () => {
    await expect(
      sendChannel({ kind: "webhook", url: `${rx.base}/status/429`, secret: SECRET }, message()),
    ).rejects.toThrow(/429.*Retry-After: 30.*rate limited/);
  });

  it("does not follow a redirect", async () => {
    await expect(sendChannel({ kind: "teams", url: `${rx.base}/status/302` }, message())).rejects.toThrow(
      /302/,
    );
  });

  it("rejects within the timeout when the receiver never answers", async () => {
    const start = performance.now();
    await expect(
      sendChannel({ kind: "slack", url: `${rx.base}/hang` }, message(), { timeoutMs: 200 }),
    ).rejects.toThrow(/no answer within 200 ms/);
    const took = performance.now() - start;
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(3000);
    expect(at("/hang")).toHaveLength(1);
  });

  it("rejects when nothing listens", async () => {
    const gone = await startReceiver(() => ({ status: 200 }));
    await gone.close();
    await expect(sendChannel({ kind: "slack", url: `${gone.base}/x` }, message())).rejects.toThrow(
      /slack channel/,
    );
  });

  it("refuses a plain-http URL that is not loopback before sending anything", async () => {
    await expect(sendChannel({ kind: "slack", url: "http://hooks.example/x" }, message())).rejects.toThrow(
      /https/,
    );
  });
});

describe("verifySignature", () => {
  const body = '{"a":1}';
  const t = 1_700_000_000;
  const good = `t=${t},v1=${createHmac("sha256", SECRET).update(`${t}.${body}`).digest("hex")}`;

  it("accepts a good signature, also among several v1 values and in upper case", () => {
    expect(verifySignature(SECRET, good, body, t)).toBe(true);
    expect(verifySignature(SECRET, `t=${t},v1=${"0".repeat(64)},${good.split(",")[1]}`, body, t)).toBe(true);
    expect(
      verifySignature(SECRET, good.toUpperCase().replace("T=", "t=").replace("V1=", "v1="), body, t),
    ).toBe(true);
  });

  it("honours the tolerance", () => {
    expect(verifySignature(SECRET, good, body, t + 60, 30)).toBe(false);
    expect(verifySignature(SECRET, good, body, t + 30, 30)).toBe(true);
  });

  it("rejects malformed headers without throwing", () => {
    for (const h of [
      "",
      "garbage",
      `v1=${good.split("v1=")[1]}`,
      `t=${t}`,
      `t=${t},v1=`,
      `t=${t},v1=zz`,
      `t=${t},v1=${good.split("v1=")[1]!.slice(0, 63)}`,
      `t=abc,v1=${good.split("v1=")[1]}`,
      `t=-${t},v1=${good.split("v1=")[1]}`,
      `t=${t},t=${t},v1=${good.split("v1=")[1]}`,
      `t=${t}, v2=${good.split("v1=")[1]}`,
    ])
      expect(verifySignature(SECRET, h, body, t), h).toBe(false);
    expect(verifySignature("", good, body, t)).toBe(false);
    expect(verifySignature(SECRET, undefined as unknown as string, body, t)).toBe(false);
    expect(verifySignature(SECRET, good, body, Number.NaN)).toBe(false);
  });
});

describe("validateTarget", () => {
  it("accepts good targets", () => {
    expect(validateTarget({ kind: "slack", url: "https://hooks.slack.com/services/T/B/X" })).toEqual([]);
    expect(
      validateTarget({ kind: "teams", url: "https://prod-01.japaneast.logic.azure.com/workflows/x" }),
    ).toEqual([]);
    expect(
      validateTarget({ kind: "chatwork", url: "https://api.chatwork.com/v2/rooms/1/messages", token: "abc" }),
    ).toEqual([]);
    expect(
      validateTarget({ kind: "webhook", url: "https://r.example/hook", secret: "x".repeat(16) }),
    ).toEqual([]);
  });

  it("allows plain http only to loopback", () => {
    expect(validateTarget({ kind: "slack", url: "http://127.0.0.1:8080/x" })).toEqual([]);
    expect(validateTarget({ kind: "slack", url: "http://localhost:8080/x" })).toEqual([]);
    expect(validateTarget({ kind: "slack", url: "http://[::1]:8080/x" })).toEqual([]);
    expect(validateTarget({ kind: "slack", url: "http://hooks.slack.com/x" })).toHaveLength(1);
    expect(validateTarget({ kind: "slack", url: "http://127.0.0.1.evil.example/x" })).toHaveLength(1);
    expect(validateTarget({ kind: "slack", url: "ftp://hooks.example/x" })).toHaveLength(1);
    expect(validateTarget({ kind: "slack", url: "not a url" })).toHaveLength(1);
  });

  it("requires the Chatwork token and a long enough webhook secret", () => {
    expect(
      validateTarget({ kind: "chatwork", url: "https://api.chatwork.com/v2/rooms/1/messages" })[0],
    ).toMatch(/token/);
    expect(
      validateTarget({ kind: "chatwork", url: "https://api.chatwork.com/v2/rooms/1/messages", token: "  " }),
    ).toHaveLength(1);
    expect(validateTarget({ kind: "webhook", url: "https://r.example/hook", secret: null })[0]).toMatch(
      /secret/,
    );
    expect(
      validateTarget({ kind: "webhook", url: "https://r.example/hook", secret: "x".repeat(15) })[0],
    ).toMatch(/16/);
  });

  it("reports an unknown kind and every problem at once", () => {
    expect(validateTarget({ kind: "discord", url: "https://x.example/" })[0]).toMatch(/unknown channel kind/);
    expect(validateTarget({ kind: "webhook", url: "http://x.example/", secret: "" })).toHaveLength(2);
  });
});
