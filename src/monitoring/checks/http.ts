/**
 * HTTP(S) check. Runs about two thousand times a second in one process, so the path of a passing check
 * is kept short: one shared connection pool per TLS mode, the body drained unread unless a keyword or
 * JSON path needs it, one timer per call, and outcome text built only when something failed.
 */
import { Agent, type Dispatcher, request } from "undici";
import { jsonValueText, parseJsonPath, selectJsonPath } from "./json-path.ts";
import { CANCELLED, elapsed, type Failure, failed, netFailure } from "./tcp.ts";
import type { HttpSettings, Outcome, RunOptions } from "./types.ts";

/** The most of a body ever read: enough for any health page, bounded for a hostile or broken target. */
export const BODY_CAP = 1024 * 1024;

/**
 * Keep-alive pools (one per origin, inside each Agent): a check every 30–60 s reuses its connection
 * instead of paying for a TCP and TLS handshake each time. Idle connections live at most a minute.
 */
const agentOptions = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 60_000 };
const verifying = new Agent(agentOptions);
/** For `verifyTls: false`: a separate pool, so a connection accepted unverified never serves a verifying check. */
const trusting = new Agent({ ...agentOptions, connect: { rejectUnauthorized: false } });

/** Closes the pooled connections (shutdown, tests). Checks run after this fail with code "error". */
export async function closeHttpAgents(): Promise<void> {
  await Promise.all([verifying.close(), trusting.close()]);
}

const HTTP_URL = /^https?:\/\//i;
/** One shared reason object: telling our deadline apart from any other abort costs a comparison. */
const TIMED_OUT = new Error("timed out");
const CANCEL = new Error("cancelled");

function abortOnDeadline(ac: AbortController): void {
  ac.abort(TIMED_OUT);
}

type Body = Dispatcher.ResponseData["body"];

export async function runHttp(s: HttpSettings, o: RunOptions): Promise<Outcome> {
  if (!HTTP_URL.test(s.url))
    return { ok: false, latencyMs: 0, code: "error", message: "the URL must start with http:// or https://" };
  const outer = o.signal;
  if (outer?.aborted) return failed(CANCELLED, 0);
  // One deadline for the whole exchange (DNS, connect, TLS, headers, body), which headersTimeout and
  // bodyTimeout alone do not cover.
  const ac = new AbortController();
  const timer = setTimeout(abortOnDeadline, o.timeoutMs, ac);
  const onCancel = outer ? () => ac.abort(CANCEL) : undefined;
  if (outer && onCancel) outer.addEventListener("abort", onCancel, { once: true });
  const start = performance.now();
  try {
    const res = await request(s.url, {
      dispatcher: s.verifyTls === false ? trusting : verifying,
      method: s.method,
      headers: s.headers,
      body: s.body,
      signal: ac.signal,
    });
    const wantBody = s.method !== "HEAD" && (!!s.keyword || !!s.jsonPath);
    let body: Buffer | undefined;
    if (wantBody) body = await readCapped(res.body);
    else await res.body.dump({ limit: BODY_CAP });
    const latencyMs = elapsed(start);
    // dump() settles quietly when the deadline destroyed the body under it.
    if (ac.signal.aborted) return aborted(ac, o, latencyMs);
    return judge(s, res.statusCode, body, latencyMs);
  } catch (err) {
    const latencyMs = elapsed(start);
    if (ac.signal.aborted) return aborted(ac, o, latencyMs);
    return failed(scrubbed(netFailure(err, o.timeoutMs), s), latencyMs);
  } finally {
    clearTimeout(timer);
    if (outer && onCancel) outer.removeEventListener("abort", onCancel);
  }
}

function aborted(ac: AbortController, o: RunOptions, latencyMs: number): Outcome {
  return ac.signal.reason === TIMED_OUT
    ? { ok: false, latencyMs, code: "timeout", message: `no answer within ${o.timeoutMs} ms` }
    : failed(CANCELLED, latencyMs);
}

function noop(): void {}

/** The body up to BODY_CAP bytes; past the cap the connection is dropped rather than drained. */
function readCapped(body: Body): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const done = () => {
      const all = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, n);
      resolve(all.length > BODY_CAP ? all.subarray(0, BODY_CAP) : all);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      n += chunk.length;
      if (n >= BODY_CAP) {
        body.off("data", onData);
        body.off("end", done);
        body.off("error", reject);
        body.on("error", noop);
        body.destroy();
        done();
      }
    };
    body.on("data", onData);
    body.once("end", done);
    body.once("error", reject);
  });
}

function judge(s: HttpSettings, status: number, body: Buffer | undefined, latencyMs: number): Outcome {
  const accepted = s.expectStatus?.length ? s.expectStatus.includes(status) : status >= 200 && status <= 399;
  if (!accepted)
    return fail(s, latencyMs, status, {
      code: "status",
      message: `status ${status} (expected ${s.expectStatus?.length ? s.expectStatus.join(", ") : "200–399"})`,
    });
  if (s.keyword) {
    const found = body !== undefined && body.indexOf(s.keyword) !== -1;
    if (found === !!s.keywordAbsent)
      return fail(s, latencyMs, status, {
        code: "keyword",
        message: found
          ? `the body contains "${s.keyword}", which must be absent`
          : `the body does not contain "${s.keyword}"${body && body.length >= BODY_CAP ? " (first 1 MiB read)" : ""}`,
      });
  }
  if (s.jsonPath) {
    const f = checkJsonPath(s.jsonPath, s.jsonEquals, body);
    if (f) return fail(s, latencyMs, status, f);
  }
  if (s.maxLatencyMs !== undefined && latencyMs > s.maxLatencyMs)
    return fail(s, latencyMs, status, {
      code: "latency",
      message: `answered in ${latencyMs} ms (limit ${s.maxLatencyMs} ms)`,
    });
  return { ok: true, latencyMs, status };
}

function checkJsonPath(
  path: string,
  equals: string | undefined,
  body: Buffer | undefined,
): Failure | undefined {
  const segments = parseJsonPath(path);
  if (!segments) return { code: "json_path", message: `"${path}" is not a supported JSON path` };
  let doc: unknown;
  try {
    doc = JSON.parse(body ? body.toString("utf8") : "");
  } catch {
    return {
      code: "json_path",
      message: body && body.length >= BODY_CAP ? "the body is over 1 MiB" : "the body is not JSON",
    };
  }
  const r = selectJsonPath(doc, segments);
  if (!r.found) return { code: "json_path", message: `${path} not found in the body` };
  if (equals === undefined) return undefined;
  const text = jsonValueText(r.value);
  return text === equals
    ? undefined
    : { code: "json_path", message: `${path} is "${text}", expected "${equals}"` };
}

const MESSAGE_MAX = 300;

function fail(s: HttpSettings, latencyMs: number, status: number, f: Failure): Outcome {
  const { message } = scrubbed(f, s);
  return {
    ok: false,
    latencyMs,
    status,
    code: f.code,
    message: message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX)}…` : message,
  };
}

/** Shorter values are left alone: redacting "1" or "gzip" from a message would only garble it. */
const SECRET_MIN = 4;

/**
 * Takes out anything the check sent: a target may echo a request header into its body (and so into a
 * JSON-path message), and a library may quote what it rejected. Done before truncating, so a cut can
 * never leave the front half of a secret behind. Only failures pay for this.
 */
function scrubbed(f: Failure, s: HttpSettings): Failure {
  let m = f.message;
  if (s.headers)
    for (const name in s.headers) {
      const v = s.headers[name];
      if (v) m = redact(m, v);
    }
  if (s.body) m = redact(m, s.body);
  return m === f.message ? f : { code: f.code, message: m };
}

function redact(message: string, value: string): string {
  let m = message;
  const whole = value.trim();
  if (whole.length >= SECRET_MIN && m.includes(whole)) m = m.split(whole).join("[redacted]");
  // "Bearer <token>": the token alone may be what gets echoed.
  for (const part of whole.split(/\s+/))
    if (part.length >= SECRET_MIN && part !== whole && m.includes(part)) m = m.split(part).join("[redacted]");
  return m;
}
