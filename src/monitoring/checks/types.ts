/**
 * What a probe runs: one check's settings by kind, and what a run found. Executors never throw: every
 * failure is an outcome with a code the console and the incidents room can word.
 */

/** HTTP(S): status, keyword or JSON-path match, latency threshold, TLS verification, method, headers, body. */
export interface HttpSettings {
  url: string;
  method: "GET" | "HEAD" | "POST" | "PUT";
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
  /** Accepted status codes; none given: 200–399. */
  expectStatus?: number[] | undefined;
  /** The body must contain this text (or must not, with `keywordAbsent`). */
  keyword?: string | undefined;
  keywordAbsent?: boolean | undefined;
  /** A JSON path into the body (`$.status`, `$.items[0].state`) whose value, as text, must equal `jsonEquals`. */
  jsonPath?: string | undefined;
  jsonEquals?: string | undefined;
  /** Slower than this is a failure (`latency`). */
  maxLatencyMs?: number | undefined;
  /** Verify the server's certificate (default true). */
  verifyTls?: boolean | undefined;
}

export interface TcpSettings {
  host: string;
  port: number;
}

export interface IcmpSettings {
  host: string;
}

/** TLS certificate expiry: fails when fewer than `minDaysLeft` days remain (or the handshake fails). */
export interface TlsSettings {
  host: string;
  port: number;
  /** SNI name, when it differs from `host`. */
  serverName?: string | undefined;
  minDaysLeft: number;
}

export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

/** DNS: the answer for `name`/`recordType` equals `expected` (as a set, order ignored). */
export interface DnsSettings {
  name: string;
  recordType: DnsRecordType;
  expected: string[];
  /** The resolver to ask, `host` or `host:port`; the system's when absent. */
  server?: string | undefined;
}

export type CheckSpec =
  | { kind: "http"; settings: HttpSettings }
  | { kind: "tcp"; settings: TcpSettings }
  | { kind: "icmp"; settings: IcmpSettings }
  | { kind: "tls"; settings: TlsSettings }
  | { kind: "dns"; settings: DnsSettings };

/** A push/heartbeat check has no executor: silence past its grace is the failure. */
export const CHECK_KINDS = ["http", "tcp", "icmp", "tls", "dns", "heartbeat"] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

export const FAILURE_CODES = [
  "timeout",
  "refused",
  "unreachable",
  "status",
  "keyword",
  "json_path",
  "latency",
  "tls_invalid",
  "cert_expiring",
  "dns_mismatch",
  "dns_error",
  "icmp_not_permitted",
  "missed_heartbeat",
  "error",
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];

export interface Outcome {
  ok: boolean;
  /** Time to the answer (HTTP: to the end of the body), whole milliseconds. */
  latencyMs: number;
  /** Why it failed (absent when ok). */
  code?: FailureCode | undefined;
  /** One line for people, no secrets (never echoes request headers or body). */
  message?: string | undefined;
  /** HTTP status, days left on a certificate, … */
  status?: number | undefined;
  daysLeft?: number | undefined;
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}
