/**
 * Real loopback servers for the monitoring checks to probe, in tests and benchmarks: HTTP, HTTPS with a
 * freshly made self-signed certificate, a bare TCP listener and a small UDP DNS server. Each listens on
 * 127.0.0.1 and a port the system picks, and returns `{ port, close() }` plus what it recorded.
 */
import { execFile } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs/promises";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const execFileP = promisify(execFile);

export interface HttpRequestSeen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Arrival, ms since the epoch. */
  at: number;
}

/** Answers one request; `body` is the request body, already read. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const answerOk: HttpHandler = (_req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("ok");
};

/** Kept for assertions; bounded so a benchmark's millions of requests do not pile up. */
const REQUESTS_KEPT = 1000;

function recorder() {
  /** Arrival times (ms since the epoch) of the requests for each path, in order. */
  const hits = new Map<string, number[]>();
  /** The latest requests in full (method, headers, body), oldest first. */
  const requests: HttpRequestSeen[] = [];
  const listener =
    (handler: HttpHandler) =>
    (req: IncomingMessage, res: ServerResponse): void => {
      const at = Date.now();
      const path = req.url ?? "/";
      const times = hits.get(path);
      if (times) times.push(at);
      else hits.set(path, [at]);
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (requests.length >= REQUESTS_KEPT) requests.shift();
        requests.push({ method: req.method ?? "", path, headers: req.headers, body, at });
        handler(req, res, body);
      });
    };
  return { hits, requests, listener };
}

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const a = server.address();
  return typeof a === "object" && a ? a.port : 0;
}

/** Closes the server and the connections it holds, idle keep-alive ones and unanswered ones alike. */
function closer(server: http.Server) {
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

/** An HTTP server; by default it answers 200 "ok". Every request is recorded before the handler runs. */
export async function httpTarget(handler: HttpHandler = answerOk) {
  const { hits, requests, listener } = recorder();
  const server = http.createServer(listener(handler));
  // Probes keep connections alive between checks; the server should not be the one to drop them early.
  server.keepAliveTimeout = 60_000;
  const port = await listen(server);
  return { port, url: `http://127.0.0.1:${port}`, hits, requests, server, close: closer(server) };
}

/** A self-signed certificate for localhost and 127.0.0.1, valid from now for `days` days (PEM). */
export async function selfSignedCertificate(days: number): Promise<{ key: string; cert: string }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "unyo-cert-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    await execFileP("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      String(days),
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ]);
    return { key: await fs.readFile(keyFile, "utf8"), cert: await fs.readFile(certFile, "utf8") };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * An HTTPS server with a self-signed certificate valid for `daysValid` days (`1` is one about to
 * expire). `cert` is the PEM, for a client that wants to trust it.
 */
export async function httpsTarget(opts: { daysValid?: number; handler?: HttpHandler } = {}) {
  const { key, cert } = await selfSignedCertificate(opts.daysValid ?? 365);
  const { hits, requests, listener } = recorder();
  const server = https.createServer({ key, cert }, listener(opts.handler ?? answerOk));
  server.keepAliveTimeout = 60_000;
  // A client that rejects the certificate aborts the handshake: that is the point, not an error here.
  server.on("tlsClientError", () => {});
  const port = await listen(server);
  return { port, url: `https://127.0.0.1:${port}`, cert, hits, requests, server, close: closer(server) };
}

/** A TCP listener that accepts and holds connections; `accepted()` counts them. */
export async function tcpTarget() {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** A port nothing listens on (it was free a moment ago), for "connection refused". */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// --- DNS ---------------------------------------------------------------------------------------------

/** The records one name has. TXT entries are one string, or the character-strings they are made of. */
export interface DnsRecordSet {
  A?: string[];
  AAAA?: string[];
  CNAME?: string;
  NS?: string[];
  MX?: { priority: number; exchange: string }[];
  TXT?: (string | string[])[];
}

/** Names (any case, trailing dot or not) to their records. Read on every query, so it may be changed. */
export type DnsRecords = Record<string, DnsRecordSet>;

export const DNS_TYPE = { A: 1, NS: 2, CNAME: 5, MX: 15, TXT: 16, AAAA: 28 } as const;
const RCODE_FORMERR = 1;
const RCODE_NXDOMAIN = 3;
const RCODE_NOTIMP = 4;
/** Answers point at the question's name, which always starts right after the 12-byte header. */
const NAME_AT_QUESTION = 0xc00c;

function normalName(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith(".") ? n.slice(0, -1) : n;
}

/** A name from DNS wire format at `offset`, following compression pointers; `end` is just past it in place. */
export function decodeName(buf: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = offset;
  let end = -1;
  for (let jumps = 0; ; ) {
    const len = buf.readUInt8(at);
    if (len === 0) {
      if (end < 0) end = at + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (++jumps > 32) throw new Error("compression loop");
      if (end < 0) end = at + 2;
      at = buf.readUInt16BE(at) & 0x3fff;
      continue;
    }
    if (len > 63 || at + 1 + len > buf.length) throw new Error("bad label");
    labels.push(buf.toString("latin1", at + 1, at + 1 + len));
    at += 1 + len;
  }
  return { name: labels.join("."), end };
}

/** A name in DNS wire format, uncompressed. */
export function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of normalName(name).split(".")) {
    if (!label) continue;
    const b = Buffer.from(label, "latin1");
    if (b.length > 63) throw new Error(`DNS label too long: ${label}`);
    parts.push(Buffer.from([b.length]), b);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function ipv4Bytes(a: string): Buffer {
  return Buffer.from(a.split(".").map(Number));
}

function ipv6Bytes(a: string): Buffer {
  let text = a.toLowerCase();
  const tail: number[] = [];
  // A dotted IPv4 tail (::ffff:192.0.2.1) is the last two groups.
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    const b = ipv4Bytes(last);
    tail.push(((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0));
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const groups = (s: string | undefined) => (s ? s.split(":").map((h) => Number.parseInt(h, 16)) : []);
  const [head, rest] = text.split("::");
  const h = groups(head);
  const t = [...groups(rest), ...tail];
  const fill = rest === undefined ? [] : new Array<number>(Math.max(0, 8 - h.length - t.length)).fill(0);
  const all = [...h, ...fill, ...t];
  if (all.length !== 8 || all.some((g) => !(g >= 0 && g <= 0xffff)))
    throw new Error(`not an IPv6 address: ${a}`);
  const out = Buffer.alloc(16);
  all.forEach((g, i) => {
    out.writeUInt16BE(g, i * 2);
  });
  return out;
}

function txtData(entry: string | string[]): Buffer {
  const strings: Buffer[] = [];
  for (const s of typeof entry === "string" ? [entry] : entry) {
    const b = Buffer.from(s, "utf8");
    // One character-string holds at most 255 bytes: longer text is split, as zone files do.
    for (let i = 0; i === 0 || i < b.length; i += 255) {
      const piece = b.subarray(i, i + 255);
      strings.push(Buffer.from([piece.length]), piece);
    }
  }
  return Buffer.concat(strings);
}

/** The RDATA for each record of `type` the set has. */
function rdataFor(set: DnsRecordSet, type: number): Buffer[] {
  switch (type) {
    case DNS_TYPE.A:
      return (set.A ?? []).map(ipv4Bytes);
    case DNS_TYPE.AAAA:
      return (set.AAAA ?? []).map(ipv6Bytes);
    case DNS_TYPE.CNAME:
      return set.CNAME ? [encodeName(set.CNAME)] : [];
    case DNS_TYPE.NS:
      return (set.NS ?? []).map(encodeName);
    case DNS_TYPE.MX:
      return (set.MX ?? []).map((m) => {
        const pref = Buffer.alloc(2);
        pref.writeUInt16BE(m.priority);
        return Buffer.concat([pref, encodeName(m.exchange)]);
      });
    case DNS_TYPE.TXT:
      return (set.TXT ?? []).map(txtData);
    default:
      return [];
  }
}

function find(records: DnsRecords, name: string): DnsRecordSet | undefined {
  const want = normalName(name);
  for (const key of Object.keys(records)) if (normalName(key) === want) return records[key];
  return undefined;
}

/**
 * The answer to one query message, or undefined for something not worth answering (too short to hold a
 * header, or itself a response). Only the first question is answered, as every real resolver asks one.
 */
export function answerQuery(query: Buffer, records: DnsRecords): Buffer | undefined {
  if (query.length < 12) return undefined;
  const id = query.readUInt16BE(0);
  const flags = query.readUInt16BE(2);
  if (flags & 0x8000) return undefined;
  const opcode = flags & 0x7800;
  const header = (rcode: number, qd: number, an: number) => {
    const h = Buffer.alloc(12);
    h.writeUInt16BE(id, 0);
    // QR, the query's opcode, AA, the query's RD, RA, and the rcode.
    h.writeUInt16BE(0x8000 | opcode | 0x0400 | (flags & 0x0100) | 0x0080 | rcode, 2);
    h.writeUInt16BE(qd, 4);
    h.writeUInt16BE(an, 6);
    return h;
  };
  if (opcode !== 0) return header(RCODE_NOTIMP, 0, 0);
  let question: { name: string; end: number };
  let type: number;
  try {
    if (query.readUInt16BE(4) < 1) return header(RCODE_FORMERR, 0, 0);
    question = decodeName(query, 12);
    type = query.readUInt16BE(question.end);
    query.readUInt16BE(question.end + 2);
  } catch {
    return header(RCODE_FORMERR, 0, 0);
  }
  // The question goes back byte for byte, so its name keeps whatever case the resolver chose.
  const questionBytes = query.subarray(12, question.end + 4);
  const set = find(records, question.name);
  if (!set) return Buffer.concat([header(RCODE_NXDOMAIN, 1, 0), questionBytes]);
  const rdatas = rdataFor(set, type);
  const parts: Buffer[] = [header(0, 1, rdatas.length), questionBytes];
  for (const rdata of rdatas) {
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(NAME_AT_QUESTION, 0);
    rr.writeUInt16BE(type, 2);
    rr.writeUInt16BE(1, 4); // class IN
    rr.writeUInt32BE(60, 6); // TTL
    rr.writeUInt16BE(rdata.length, 10);
    parts.push(rr, rdata);
  }
  return Buffer.concat(parts);
}

/**
 * A DNS server over UDP answering A, AAAA, CNAME, MX, TXT and NS from `records`; a name not in the table
 * is NXDOMAIN, a name without records of the asked type an empty answer. `server` is the `host:port` a
 * check's `server` setting takes; `queries` records what was asked.
 */
export async function dnsTarget(records: DnsRecords) {
  const queries: { name: string; type: number }[] = [];
  const errors: unknown[] = [];
  const socket = dgram.createSocket("udp4");
  socket.on("message", (msg, rinfo) => {
    try {
      const q = decodeName(msg, 12);
      queries.push({ name: q.name, type: msg.readUInt16BE(q.end) });
    } catch {
      // Malformed: answerQuery says FORMERR.
    }
    let reply: Buffer | undefined;
    try {
      reply = answerQuery(msg, records);
    } catch (err) {
      // A table entry that cannot be encoded (a test's mistake): no answer, and the reason kept.
      errors.push(err);
    }
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  const port = socket.address().port;
  return {
    port,
    server: `127.0.0.1:${port}`,
    records,
    queries,
    errors,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
