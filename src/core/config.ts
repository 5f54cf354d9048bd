import net from "node:net";
import path from "node:path";

/** Runtime configuration, read once from the environment (and CLI flags merged in by the caller). */
export interface Config {
  /** Where Unyo keeps its local state (embedded PostgreSQL data, secrets). Default `./.unyo`. */
  home: string;
  /** Days raw monitoring results are kept (UNYO_RESULT_RETENTION_DAYS, default 30); whole day partitions are dropped. */
  resultRetentionDays: number;
  /** Days per-minute roll-ups are kept (UNYO_MINUTE_ROLLUP_DAYS, default 90); hours and days are kept. */
  minuteRollupDays: number;
  /** Days of prior notice a planned interruption needs (Art. 23(3)); the provider's rule. */
  maintenanceNoticeDays: number;
  port: number;
  host: string;
  /** External PostgreSQL; when unset the embedded server under `home` is used. */
  databaseUrl: string | undefined;
  /** Demo mode creates marked demo accounts and data on first start. */
  demo: boolean;
  /** Cookies get `Secure` when served over HTTPS (behind a proxy, set UNYO_SECURE_COOKIES=1). */
  secureCookies: boolean;
  logLevel: string;
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  /** Outgoing mail. Without SMTP_HOST, `unyo start` runs a local SMTP sink writing to $UNYO_HOME/mail. */
  smtp:
    | { host: string; port: number; secure: boolean; user: string | undefined; pass: string | undefined }
    | undefined;
  mailFrom: string;
  /** How long a claimed e-mail delivery waits before another worker may retry it (worker died). */
  deliveryLeaseSeconds: number;
  /** Public base URL for links in e-mails. */
  publicUrl: string | undefined;
  /** `NODE_ENV=production`: a production instance (no test clock, ever). */
  production: boolean;
  /** `UNYO_TEST_CLOCK=1`: admins may set and advance the instance's date and time (rehearsals). */
  testClock: boolean;
  /**
   * Which proxies' `X-Forwarded-For` to believe (UNYO_TRUST_PROXY): none (default), the number of
   * proxy hops in front of Unyo, or the proxies' addresses / CIDR ranges. Never the client's own entries.
   */
  trustProxy: false | number | string[];
  /** When set, `GET /metrics` needs `Authorization: Bearer <UNYO_METRICS_TOKEN>`. */
  metricsToken: string | undefined;
}

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function trustProxyFrom(value: string | undefined): false | number | string[] {
  if (value === undefined || value === "" || value === "0") return false;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(",").map((v) => v.trim());
  for (const entry of list) {
    const [address, bits, ...rest] = entry.split("/");
    const version = net.isIP(address ?? "");
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (version === 6 ? 128 : 32));
    if (!version || !okBits || rest.length > 0)
      throw new Error(
        `UNYO_TRUST_PROXY must be a number of proxy hops or a comma-separated list of proxy addresses or CIDR ranges, got "${entry}"`,
      );
  }
  return list;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const production = env.NODE_ENV === "production";
  const testClock = env.UNYO_TEST_CLOCK === "1";
  if (production && testClock)
    throw new Error(
      "UNYO_TEST_CLOCK=1 is refused with NODE_ENV=production: a production instance runs on the real clock",
    );
  return {
    production,
    testClock,
    home: path.resolve(env.UNYO_HOME || ".unyo"),
    port: intFrom(env.PORT, 8080, "PORT"),
    // A demo (published passwords) listens on this machine only unless told otherwise.
    host: env.HOST || (env.UNYO_DEMO !== "0" ? "127.0.0.1" : "0.0.0.0"),
    databaseUrl: env.DATABASE_URL || undefined,
    demo: env.UNYO_DEMO !== "0",
    secureCookies: env.UNYO_SECURE_COOKIES === "1",
    logLevel: env.LOG_LEVEL || "info",
    sessionIdleMinutes: intFrom(env.UNYO_SESSION_IDLE_MINUTES, 30, "UNYO_SESSION_IDLE_MINUTES"),
    sessionAbsoluteHours: intFrom(env.UNYO_SESSION_ABSOLUTE_HOURS, 12, "UNYO_SESSION_ABSOLUTE_HOURS"),
    smtp: env.SMTP_HOST
      ? {
          host: env.SMTP_HOST,
          port: intFrom(env.SMTP_PORT, 587, "SMTP_PORT"),
          secure: env.SMTP_SECURE === "1",
          user: env.SMTP_USER || undefined,
          pass: env.SMTP_PASS || undefined,
        }
      : undefined,
    deliveryLeaseSeconds: intFrom(env.UNYO_DELIVERY_LEASE_SECONDS, 60, "UNYO_DELIVERY_LEASE_SECONDS"),
    mailFrom: env.MAIL_FROM || "Unyo <no-reply@unyo.invalid>",
    publicUrl: env.UNYO_PUBLIC_URL || undefined,
    trustProxy: trustProxyFrom(env.UNYO_TRUST_PROXY),
    metricsToken: env.UNYO_METRICS_TOKEN || undefined,
    resultRetentionDays: intFrom(env.UNYO_RESULT_RETENTION_DAYS, 30, "UNYO_RESULT_RETENTION_DAYS"),
    minuteRollupDays: intFrom(env.UNYO_MINUTE_ROLLUP_DAYS, 90, "UNYO_MINUTE_ROLLUP_DAYS"),
    maintenanceNoticeDays: intFrom(env.UNYO_MAINTENANCE_NOTICE_DAYS, 7, "UNYO_MAINTENANCE_NOTICE_DAYS"),
    ...overrides,
  };
}
