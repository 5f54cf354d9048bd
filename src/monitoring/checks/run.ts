/**
 * The one entry point the probe scheduler calls. It never throws or rejects: a probe loop running
 * thousands of checks must get an outcome for each, even from a bug in an executor.
 */
import { runDns } from "./dns.ts";
import { runHttp } from "./http.ts";
import { runIcmp } from "./icmp.ts";
import { errorText, runTcp } from "./tcp.ts";
import { runTls } from "./tls.ts";
import type { CheckSpec, Outcome, RunOptions } from "./types.ts";

export function runCheck(spec: CheckSpec, o: RunOptions): Promise<Outcome> {
  try {
    return dispatch(spec, o).catch(unexpected);
  } catch (err) {
    return Promise.resolve(unexpected(err));
  }
}

function dispatch(spec: CheckSpec, o: RunOptions): Promise<Outcome> {
  switch (spec.kind) {
    case "http":
      return runHttp(spec.settings, o);
    case "tcp":
      return runTcp(spec.settings, o);
    case "icmp":
      return runIcmp(spec.settings, o);
    case "tls":
      return runTls(spec.settings, o);
    case "dns":
      return runDns(spec.settings, o);
    default:
      return Promise.resolve({
        ok: false,
        latencyMs: 0,
        code: "error",
        message: `no executor for checks of kind "${String((spec as { kind: unknown }).kind)}"`,
      });
  }
}

/**
 * A bug, not a finding about the target. The message is the error's, without any request detail: the
 * executors build their own messages and only let through errors they did not expect.
 */
function unexpected(err: unknown): Outcome {
  return {
    ok: false,
    latencyMs: 0,
    code: "error",
    message: `internal error in the check: ${errorText(err)}`,
  };
}
