/**
 * Live incidents for the console and the portal (Server-Sent Events): one LISTEN connection per web
 * process fans PostgreSQL notifications of changed incidents out to the open streams — staff see
 * every change, a customer's user only their company's. A stream carries ids only; the page reloads
 * what changed through the API (with its own access rules).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { Listener } from "../db/listener.ts";
import { INCIDENTS_CHANNEL } from "./store/incidents.ts";

interface Subscriber {
  customerId: string | null;
  send(data: string): void;
  end(): void;
}

export class IncidentStream {
  private listener: Listener | undefined;
  private readonly subs = new Set<Subscriber>();

  constructor(private readonly url: string | undefined) {}

  private ensure() {
    if (this.listener || !this.url) return;
    this.listener = new Listener({
      url: this.url,
      channels: [INCIDENTS_CHANNEL],
      onNotify: (_c, payload) => this.fanOut(payload),
      onReconnect: () => this.fanOut("*"),
    });
    void this.listener.start();
  }

  private fanOut(payload: string) {
    let changes: [string, string][] | "*";
    try {
      changes = payload === "*" ? "*" : (JSON.parse(payload) as [string, string][]);
    } catch {
      changes = "*";
    }
    for (const s of this.subs) {
      const ids =
        changes === "*"
          ? "*"
          : changes.filter(([, c]) => s.customerId === null || c === s.customerId).map(([id]) => id);
      if (ids === "*" || ids.length > 0) s.send(JSON.stringify({ ids }));
    }
  }

  get size() {
    return this.subs.size;
  }

  /** Serve one stream until the client goes away. */
  serve(req: FastifyRequest, reply: FastifyReply, customerId: string | null) {
    this.ensure();
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 3000\n\n");
    const sub: Subscriber = {
      customerId,
      send: (data) => res.write(`event: incidents\ndata: ${data}\n\n`),
      end: () => res.end(),
    };
    this.subs.add(sub);
    // A comment line keeps proxies from closing an idle stream.
    const beat = setInterval(() => res.write(": keep-alive\n\n"), 25_000);
    beat.unref();
    const close = () => {
      clearInterval(beat);
      this.subs.delete(sub);
    };
    req.raw.on("close", close);
    res.on("error", close);
  }

  /** End every stream (the process is closing; browsers reconnect to another). */
  async stop() {
    for (const s of this.subs) s.end();
    this.subs.clear();
    await this.listener?.stop();
    this.listener = undefined;
  }
}
