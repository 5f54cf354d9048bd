/**
 * DNS check: the answer for a name and record type equals the expected set. Answers and expectations
 * are normalised the same way (names lower-case without the trailing dot, MX as "priority exchange",
 * TXT chunks joined, IPv6 in its compressed form) so that a check fails on a changed record, not on
 * how someone typed it.
 */
import { lookup, Resolver } from "node:dns/promises";
import net from "node:net";
import { CANCELLED, elapsed, errorCode, failed, validPort } from "./tcp.ts";
import type { DnsRecordType, DnsSettings, Outcome, RunOptions } from "./types.ts";

/**
 * Resolvers are reused per server and timeout: each one is a c-ares channel that, for the system's
 * servers, reads /etc/resolv.conf when made. Renewed after a minute so a changed resolv.conf is seen.
 */
const RESOLVER_TTL_MS = 60_000;
const RESOLVERS_MAX = 256;
const resolvers = new Map<string, { resolver: Resolver; made: number }>();

function resolverFor(server: string | undefined, timeoutMs: number): Resolver {
  const key = `${server ?? ""}|${timeoutMs}`;
  const now = performance.now();
  const hit = resolvers.get(key);
  if (hit && now - hit.made < RESOLVER_TTL_MS) return hit.resolver;
  // c-ares wants a whole, positive number of milliseconds.
  const resolver = new Resolver({ timeout: Math.max(1, Math.round(timeoutMs)), tries: 1 });
  if (server) resolver.setServers([server]);
  if (resolvers.size >= RESOLVERS_MAX) resolvers.clear();
  resolvers.set(key, { resolver, made: now });
  return resolver;
}

/**
 * `host`, `host:port`, `v6`, `[v6]` or `[v6]:port` as c-ares wants it (an address, `[v6]:port` for IPv6
 * with a port); a host name is looked up first, since c-ares takes addresses only.
 */
async function serverAddress(server: string): Promise<string | undefined> {
  let host = server.trim();
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(host);
  if (bracket?.[1]) {
    host = bracket[1];
    port = bracket[2] ? Number(bracket[2]) : undefined;
  } else if (!net.isIPv6(host)) {
    const m = /^([^:]+):(\d+)$/.exec(host);
    if (m?.[1] && m[2]) {
      host = m[1];
      port = Number(m[2]);
    }
  }
  if (port !== undefined && !validPort(port)) return undefined;
  if (!net.isIP(host)) {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(host)) return undefined;
    host = (await lookup(host)).address;
  }
  if (port === undefined) return host;
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

export function normaliseName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith(".") ? n.slice(0, -1) : n;
}

function normaliseIpv6(a: string): string {
  const t = a.trim();
  if (!net.isIPv6(t)) return t.toLowerCase();
  // The URL parser writes IPv6 in its canonical compressed form.
  return new URL(`http://[${t}]/`).hostname.slice(1, -1);
}

/** An expected value in the form answers take, so the two compare as text. */
export function normaliseExpected(type: DnsRecordType, value: string): string {
  switch (type) {
    case "A":
      return value.trim();
    case "AAAA":
      return normaliseIpv6(value);
    case "CNAME":
    case "NS":
      return normaliseName(value);
    case "MX": {
      const m = /^\s*(\d+)\s+(\S+)\s*$/.exec(value);
      return m?.[1] && m[2] ? `${Number(m[1])} ${normaliseName(m[2])}` : normaliseName(value);
    }
    case "TXT":
      return value;
  }
}

async function answers(r: Resolver, name: string, type: DnsRecordType): Promise<string[]> {
  switch (type) {
    case "A":
      return r.resolve4(name);
    case "AAAA":
      return (await r.resolve6(name)).map(normaliseIpv6);
    case "CNAME":
      return (await r.resolveCname(name)).map(normaliseName);
    case "NS":
      return (await r.resolveNs(name)).map(normaliseName);
    case "MX":
      return (await r.resolveMx(name)).map((m) => `${m.priority} ${normaliseName(m.exchange)}`);
    case "TXT":
      return (await r.resolveTxt(name)).map((chunks) => chunks.join(""));
  }
}

const DNS_ERRORS: Record<string, string> = {
  ENOTFOUND: "NXDOMAIN: the name does not exist",
  ESERVFAIL: "SERVFAIL: the server failed to answer",
  EREFUSED: "REFUSED: the server refused the query",
  ECONNREFUSED: "the DNS server refused the connection",
  EBADRESP: "the DNS server sent a malformed answer",
  EFORMERR: "the DNS server could not read the query (FORMERR)",
  ENOTIMP: "the DNS server does not implement the query (NOTIMP)",
  EBADNAME: "not a valid DNS name",
};

export async function runDns(s: DnsSettings, o: RunOptions): Promise<Outcome> {
  if (o.signal?.aborted) return failed(CANCELLED, 0);
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  // c-ares keeps its own per-query timeout, but tries each of the system's servers in turn: this is the
  // check's deadline across all of them (and the caller's cancel).
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(failed({ code: "timeout", message: `no answer within ${o.timeoutMs} ms` }, elapsed(start))),
      o.timeoutMs,
    );
    if (o.signal) {
      onAbort = () => resolve(failed(CANCELLED, elapsed(start)));
      o.signal.addEventListener("abort", onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([query(s, o, start), deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort) o.signal?.removeEventListener("abort", onAbort);
  }
}

async function query(s: DnsSettings, o: RunOptions, start: number): Promise<Outcome> {
  let server: string | undefined;
  if (s.server) {
    try {
      server = await serverAddress(s.server);
    } catch {
      return failed({ code: "dns_error", message: "the DNS server's name does not resolve" }, elapsed(start));
    }
    if (!server)
      return failed({ code: "error", message: "the DNS server must be host, host:port or [IPv6]:port" }, 0);
  }
  let got: string[];
  try {
    got = await answers(resolverFor(server, o.timeoutMs), s.name, s.recordType);
  } catch (err) {
    const code = errorCode(err);
    const latencyMs = elapsed(start);
    if (code === "ETIMEOUT" || code === "ETIMEDOUT")
      return failed({ code: "timeout", message: `no answer within ${o.timeoutMs} ms` }, latencyMs);
    // The name exists without records of this type: an empty answer, compared like any other.
    if (code === "ENODATA") got = [];
    else
      return failed(
        { code: "dns_error", message: (code && DNS_ERRORS[code]) ?? `resolver error (${code ?? "unknown"})` },
        latencyMs,
      );
  }
  const latencyMs = elapsed(start);
  const have = new Set(got);
  const want = new Set(s.expected.map((e) => normaliseExpected(s.recordType, e)));
  let same = have.size === want.size;
  if (same)
    for (const w of want)
      if (!have.has(w)) {
        same = false;
        break;
      }
  if (same) return { ok: true, latencyMs };
  const shown = got.length ? [...have].sort().join(", ") : `no ${s.recordType} records`;
  const message = `${s.recordType} ${s.name} answered ${shown}; expected ${[...want].sort().join(", ") || "none"}`;
  return failed(
    { code: "dns_mismatch", message: message.length > 300 ? `${message.slice(0, 300)}…` : message },
    latencyMs,
  );
}
