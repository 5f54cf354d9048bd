/**
 * ICMP echo check. Node cannot open raw sockets, so this runs the system's `ping` once: no shell, and the
 * host is checked to be a host name or an IP address before it goes anywhere near argv (a value like
 * `-f` or `x; rm` is refused, not passed on).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { CANCELLED, elapsed, errorCode, failed } from "./tcp.ts";
import type { IcmpSettings, Outcome, RunOptions } from "./types.ts";

export const NOT_PERMITTED = "ICMP needs the raw-socket capability (CAP_NET_RAW) or an installed ping";

/** /usr/bin/ping where it is, else whatever `ping` the PATH finds. */
export const PING = existsSync("/usr/bin/ping") ? "/usr/bin/ping" : "ping";

/** `time=` is printed with a dot only in the C locale. */
const ENV = { ...process.env, LC_ALL: "C", LANG: "C" };
const HOST_NAME =
  /^(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;
const TIME = /time[=<]([0-9.]+) ?ms/;
const DENIED = /operation not permitted|permission denied|EPERM|EACCES/i;

/** A host name (RFC 1123 labels) or an IPv4/IPv6 address; nothing else reaches `ping`. */
export function isPingableHost(host: string): boolean {
  return net.isIP(host) !== 0 || HOST_NAME.test(host);
}

/** `pingPath` is for tests (a missing binary); the probe uses the default. */
export function runIcmp(s: IcmpSettings, o: RunOptions, pingPath: string = PING): Promise<Outcome> {
  if (!isPingableHost(s.host))
    return Promise.resolve({
      ok: false,
      latencyMs: 0,
      code: "error",
      message: "not a host name or IP address",
    });
  if (o.signal?.aborted) return Promise.resolve(failed(CANCELLED, 0));
  // ping waits whole seconds (at least one); the check's own deadline is the execFile timeout below.
  const wait = String(Math.max(1, Math.ceil(o.timeoutMs / 1000)));
  const start = performance.now();
  return new Promise<Outcome>((resolve) => {
    execFile(
      pingPath,
      ["-n", "-c", "1", "-W", wait, s.host],
      { timeout: o.timeoutMs, signal: o.signal, env: ENV, windowsHide: true, maxBuffer: 64 * 1024 },
      (err, stdout, stderr) => {
        const latencyMs = elapsed(start);
        if (!err) {
          const m = TIME.exec(stdout);
          resolve({ ok: true, latencyMs: m?.[1] ? Math.round(Number(m[1])) : latencyMs });
          return;
        }
        if (o.signal?.aborted) return resolve(failed(CANCELLED, latencyMs));
        if (err.killed)
          return resolve(
            failed({ code: "timeout", message: `no reply within ${o.timeoutMs} ms` }, latencyMs),
          );
        const code = errorCode(err);
        if (code === "ENOENT" || code === "EACCES" || code === "EPERM" || DENIED.test(stderr))
          return resolve(failed({ code: "icmp_not_permitted", message: NOT_PERMITTED }, latencyMs));
        // exit 1: sent, no reply; exit 2 and above: ping's own error, usually a name that does not resolve.
        const exit = err.code;
        if (exit === 1) return resolve(failed({ code: "unreachable", message: "no echo reply" }, latencyMs));
        const line = (stderr.trim().split("\n", 1)[0] ?? "").slice(0, 200);
        if (/not known|resolution|unknown host/i.test(line))
          return resolve(failed({ code: "unreachable", message: `host not found (${line})` }, latencyMs));
        resolve(failed({ code: "error", message: line || `ping exited with ${String(exit)}` }, latencyMs));
      },
    );
  });
}
