/**
 * TCP check: the port accepts a connection. Also home of the socket-error wording every network
 * executor shares (HTTP and TLS import it), so "refused" or "unreachable" mean the same in each.
 */
import net from "node:net";
import type { FailureCode, Outcome, RunOptions, TcpSettings } from "./types.ts";

/** Certificate verification failures as OpenSSL and Node name them: the peer answered, its certificate is bad. */
const CERT_ERRORS = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_REJECTED",
  "CERT_UNTRUSTED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_CHAIN_TOO_LONG",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

const UNREACHABLE = new Set([
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
]);

const TIMEOUTS = new Set([
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

function field(o: unknown, key: string): unknown {
  return o !== null && typeof o === "object" ? (o as Record<string, unknown>)[key] : undefined;
}

/**
 * The error's code, looking through the wrappers Node and undici put around socket errors: a `cause`,
 * or the AggregateError of a happy-eyeballs connect that tried every address.
 */
export function errorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e !== null && typeof e === "object"; depth++) {
    const code = field(e, "code");
    if (typeof code === "string" && code !== "ERR_INTERNAL_ASSERTION") return code;
    const errors = field(e, "errors");
    e = Array.isArray(errors) && errors.length > 0 ? errors[0] : field(e, "cause");
  }
  return undefined;
}

/** The error's own message, one line and short; callers that send secrets scrub it. */
export function errorText(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  const line = m.split("\n", 1)[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

export interface Failure {
  code: FailureCode;
  message: string;
}

/** Words a socket error the same way for every executor; never echoes anything the check sent. */
export function netFailure(err: unknown, timeoutMs: number): Failure {
  const code = errorCode(err);
  if (code === "ECONNREFUSED") return { code: "refused", message: "connection refused" };
  if (code !== undefined && TIMEOUTS.has(code))
    return { code: "timeout", message: `no answer within ${timeoutMs} ms` };
  if (code !== undefined && UNREACHABLE.has(code))
    return {
      code: "unreachable",
      message:
        code === "ENOTFOUND" || code.startsWith("EAI_")
          ? `host not found (${code})`
          : `host unreachable (${code})`,
    };
  if (
    code !== undefined &&
    (CERT_ERRORS.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_"))
  )
    return { code: "tls_invalid", message: `TLS certificate or handshake rejected (${code})` };
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE")
    return { code: "error", message: `connection closed by the peer (${code})` };
  return { code: "error", message: code ? `${code}: ${errorText(err)}` : errorText(err) };
}

export function failed(f: Failure, latencyMs: number): Outcome {
  return { ok: false, latencyMs, code: f.code, message: f.message };
}

export const CANCELLED: Failure = { code: "error", message: "cancelled" };

export function elapsed(start: number): number {
  return Math.round(performance.now() - start);
}

export function validPort(port: number): boolean {
  return Number.isInteger(port) && port > 0 && port < 65536;
}

/** Connects, and succeeds the moment the connection is accepted; the socket is closed straight away. */
export function runTcp(s: TcpSettings, o: RunOptions): Promise<Outcome> {
  if (!validPort(s.port))
    return Promise.resolve({ ok: false, latencyMs: 0, code: "error", message: `invalid port ${s.port}` });
  if (o.signal?.aborted) return Promise.resolve(failed(CANCELLED, 0));
  return new Promise<Outcome>((resolve) => {
    const start = performance.now();
    const socket = net.connect({ host: s.host, port: s.port });
    const finish = (out: Outcome) => {
      clearTimeout(timer);
      o.signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(out);
    };
    const onAbort = () => finish(failed(CANCELLED, elapsed(start)));
    const timer = setTimeout(
      () =>
        finish(failed({ code: "timeout", message: `no answer within ${o.timeoutMs} ms` }, elapsed(start))),
      o.timeoutMs,
    );
    o.signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => finish({ ok: true, latencyMs: elapsed(start) }));
    // `on`, not `once`: a late second error on a socket already settled must not go unhandled.
    socket.on("error", (err) => finish(failed(netFailure(err, o.timeoutMs), elapsed(start))));
  });
}
