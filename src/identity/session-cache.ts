/**
 * Sessions resolved from memory. A web process keeps the session-and-user rows it has read, and
 * drops them when PostgreSQL says they changed: triggers on `sessions` and `users` (migration 0011)
 * `NOTIFY unyo_auth` with `s:<session digest>` or `u:<user id>` on every update or delete, delivered
 * when the change commits, to every process listening — so a log-out, a lock-out, a disabled user or
 * a changed role on one server ends the session on all of them, whichever code (or SQL) made it.
 *
 * Safety rules:
 * - Only while the LISTEN connection is up: when it drops, the cache is emptied and bypassed (every
 *   request reads the database, as without a cache) until it listens again.
 * - A row read while a change was notified is not kept (a generation count guards the read).
 * - A state-changing request of this process empties the cache before it is answered, so the next
 *   request never sees what that request changed as it was (its notification may still be on the way).
 * - A kept row is used for at most `ttlMs` and only while it is active by the rules; anything else
 *   (idle, expired, ended) is decided again from the database.
 * Between processes a change takes effect when its notification arrives (about a millisecond on one
 * host; the test measures it).
 */
import pg from "pg";

export const AUTH_CHANNEL = "unyo_auth";

interface Logger {
  warn(obj: object, msg: string): void;
}

export interface SessionCacheOptions {
  url: string;
  log?: Logger;
  /** Rows kept at most (the oldest goes first). */
  maxEntries?: number;
  /** How long a kept row is used before it is read again. */
  ttlMs?: number;
}

interface Entry<R> {
  row: R;
  userId: string;
  at: number;
}

export class SessionCache<R> {
  private readonly entries = new Map<string, Entry<R>>();
  private generation = 0;
  private client: pg.Client | undefined;
  private listening = false;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  /** Look-ups answered from memory (hits) or not (misses: read from the database); notifications; reconnections. */
  readonly stats = { hits: 0, misses: 0, invalidations: 0, reconnects: 0 };

  constructor(private readonly opts: SessionCacheOptions) {
    this.maxEntries = opts.maxEntries ?? 50_000;
    this.ttlMs = opts.ttlMs ?? 60_000;
  }

  /** Start listening; resolves once listening (or after the first failure, retrying in the background). */
  async start(): Promise<void> {
    await this.connect();
  }

  get isListening(): boolean {
    return this.listening;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.opts.url, connectionTimeoutMillis: 5_000 });
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.bypass();
      client.end().catch(() => {});
      this.schedule();
    };
    client.on("error", lost);
    client.on("end", lost);
    client.on("notification", (msg) => {
      if (msg.channel === AUTH_CHANNEL) this.invalidate(msg.payload ?? "*");
    });
    this.client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${AUTH_CHANNEL}`);
      if (this.stopped || this.client !== client) {
        await client.end().catch(() => {});
        return;
      }
      // Whatever changed while not listening is unknown: start empty.
      this.bump();
      this.entries.clear();
      this.listening = true;
    } catch (err) {
      if (this.client === client) {
        this.opts.log?.warn(
          { err: String(err) },
          "session cache: cannot listen, reading sessions from the database",
        );
        lost();
      }
    }
  }

  private schedule() {
    if (this.stopped || this.retry) return;
    this.stats.reconnects++;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, 1_000);
    this.retry.unref();
  }

  private bypass() {
    this.listening = false;
    this.bump();
    this.entries.clear();
  }

  private bump() {
    this.generation++;
  }

  /** The generation before a database read: pass it to `put`. */
  snapshot(): number {
    return this.generation;
  }

  /** A kept row, or undefined (not kept, too old, or not listening). */
  get(key: string, now = Date.now()): R | undefined {
    if (!this.listening) {
      this.stats.misses++;
      return undefined;
    }
    const e = this.entries.get(key);
    if (!e || now - e.at > this.ttlMs) {
      if (e) this.entries.delete(key);
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return e.row;
  }

  /** Keep a row read from the database, unless a change was notified since `generation`. */
  put(key: string, userId: string, row: R, generation: number, now = Date.now()): void {
    if (!this.listening || generation !== this.generation) return;
    this.entries.delete(key);
    this.entries.set(key, { row, userId, at: now });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** Forget a row (its session was found not active). */
  drop(key: string): void {
    this.entries.delete(key);
  }

  /** A notification's payload: `s:<digest hex>`, `u:<user id>`, anything else empties the cache. */
  invalidate(payload: string): void {
    this.stats.invalidations++;
    this.bump();
    if (payload.startsWith("s:")) {
      this.entries.delete(payload.slice(2));
    } else if (payload.startsWith("u:")) {
      const user = payload.slice(2);
      for (const [k, e] of this.entries) if (e.userId === user) this.entries.delete(k);
    } else {
      this.entries.clear();
    }
  }

  /** Empty it (this process changed something; its notification is on the way). */
  clear(): void {
    this.bump();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.bypass();
    await client?.end().catch(() => {});
  }
}
