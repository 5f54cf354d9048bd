/**
 * A real SMTP server on loopback (smtp-server, as test/smtp.ts) that records each message with the
 * instant it was accepted (end of DATA, just before the 250), its recipients and its headers, the
 * Subject decoded from RFC 2047 encoded-words.
 */
import { SMTPServer } from "smtp-server";

export interface Caught {
  acceptedAt: number;
  to: string[];
  subject: string;
  headers: Map<string, string>;
}

/** RFC 2047: adjacent encoded-words join (the space between them is dropped), bytes decoded together. */
export function decodeHeader(value: string): string {
  const parts: { bytes: Buffer | null; text: string }[] = [];
  const re = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  let last = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const between = value.slice(last, m.index);
    if (between && !(/^\s+$/.test(between) && parts.at(-1)?.bytes))
      parts.push({ bytes: null, text: between });
    const data = m[3]!;
    const bytes =
      m[2]!.toUpperCase() === "B"
        ? Buffer.from(data, "base64")
        : Buffer.from(
            data
              .replace(/_/g, " ")
              .replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            "latin1",
          );
    const prev = parts.at(-1);
    if (prev?.bytes) prev.bytes = Buffer.concat([prev.bytes, bytes]);
    else parts.push({ bytes, text: "" });
    last = re.lastIndex;
  }
  parts.push({ bytes: null, text: value.slice(last) });
  return parts.map((p) => (p.bytes ? p.bytes.toString("utf8") : p.text)).join("");
}

function headersOf(raw: string): Map<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end >= 0 ? raw.slice(0, end) : raw).replace(/\r?\n[ \t]+/g, " ");
  const out = new Map<string, string>();
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

export async function smtpCatcher(onMessage?: (m: Caught) => void) {
  const received: Caught[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const acceptedAt = Date.now();
        const headers = headersOf(Buffer.concat(chunks).toString("utf8"));
        const m: Caught = {
          acceptedAt,
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: decodeHeader(headers.get("subject") ?? ""),
          headers,
        };
        received.push(m);
        onMessage?.(m);
        cb();
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
