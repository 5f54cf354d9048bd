/**
 * TLS certificate expiry check. The handshake accepts any certificate, because what this check
 * measures is time left: an untrusted certificate (a private CA, a self-signed appliance) still expires,
 * and an HTTP check with verifyTls is the place that insists on trust. Whether the certificate was
 * trusted is still said in the message.
 */
import net from "node:net";
import tls from "node:tls";
import { CANCELLED, elapsed, errorCode, errorText, failed, netFailure, validPort } from "./tcp.ts";
import type { Outcome, RunOptions, TlsSettings } from "./types.ts";

const DAY_MS = 86_400_000;

export function runTls(s: TlsSettings, o: RunOptions, now: Date = new Date()): Promise<Outcome> {
  if (!validPort(s.port))
    return Promise.resolve({ ok: false, latencyMs: 0, code: "error", message: `invalid port ${s.port}` });
  if (o.signal?.aborted) return Promise.resolve(failed(CANCELLED, 0));
  // SNI carries names only; Node warns when given an IP address.
  const servername = s.serverName ?? (net.isIP(s.host) ? undefined : s.host);
  return new Promise<Outcome>((resolve) => {
    const start = performance.now();
    let tcpUp = false;
    const socket = tls.connect({ host: s.host, port: s.port, servername, rejectUnauthorized: false });
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
    socket.once("connect", () => {
      tcpUp = true;
    });
    socket.once("secureConnect", () => finish(judge(s, socket, now, elapsed(start))));
    socket.on("error", (err) => {
      const f = netFailure(err, o.timeoutMs);
      // Once the port has answered, anything but a timeout is the handshake failing.
      if (!tcpUp || f.code === "timeout") return finish(failed(f, elapsed(start)));
      const code = errorCode(err);
      finish(
        failed(
          { code: "tls_invalid", message: `TLS handshake failed (${code ?? errorText(err)})` },
          elapsed(start),
        ),
      );
    });
  });
}

function judge(s: TlsSettings, socket: tls.TLSSocket, now: Date, latencyMs: number): Outcome {
  const cert = socket.getPeerCertificate();
  const validTo = cert?.valid_to ? Date.parse(cert.valid_to) : Number.NaN;
  if (Number.isNaN(validTo))
    return { ok: false, latencyMs, code: "tls_invalid", message: "the server presented no certificate" };
  const daysLeft = Math.floor((validTo - now.getTime()) / DAY_MS);
  const expires = new Date(validTo).toISOString().slice(0, 10);
  const trust = socket.authorized
    ? "trusted"
    : `not trusted: ${String(socket.authorizationError ?? "unknown reason")}`;
  if (daysLeft < s.minDaysLeft)
    return {
      ok: false,
      latencyMs,
      daysLeft,
      code: "cert_expiring",
      message:
        validTo <= now.getTime()
          ? `the certificate expired on ${expires} (${trust})`
          : `the certificate expires on ${expires}, ${daysLeft} days left (minimum ${s.minDaysLeft}; ${trust})`,
    };
  return {
    ok: true,
    latencyMs,
    daysLeft,
    message: `the certificate expires on ${expires}, ${daysLeft} days left (${trust})`,
  };
}
