/**
 * One LISTEN connection for a process: calls `onNotify(channel, payload)` for each notification on the
 * given channels, reconnects after a second when the connection drops, and calls `onReconnect` then
 * (whatever happened meanwhile is unknown: the caller re-reads).
 */
import pg from "pg";

export interface ListenerOptions {
  url: string;
  channels: string[];
  onNotify(channel: string, payload: string): void;
  onReconnect?(): void;
  log?: { warn(obj: object, msg: string): void } | undefined;
}

export class Listener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private first = true;

  constructor(private readonly opts: ListenerOptions) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: 5_000 });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => {});
      this.schedule();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (msg) => this.opts.onNotify(msg.channel, msg.payload ?? ""));
    this.client = client;
    try {
      await client.connect();
      for (const c of this.opts.channels) await client.query(`LISTEN ${pg.escapeIdentifier(c)}`);
      if (this.stopped) {
        await client.end().catch(() => {});
        return;
      }
      if (!this.first) this.opts.onReconnect?.();
      this.first = false;
    } catch (err) {
      this.opts.log?.warn({ err: String(err) }, "listener: cannot listen, retrying");
      lost();
    }
  }

  private schedule() {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, 1_000);
    this.retry.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => {});
  }
}
