import { SMTPServer } from "smtp-server";

export interface Received {
  messageId: string;
  to: string;
  subject: string;
  raw: string;
}

/** A real SMTP listener on loopback that records what it accepted; `failFor` rejects some recipients. */
export async function smtpCatcher(opts: { failFor?: (to: string) => boolean } = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (opts.failFor?.(address.address))
        return cb(Object.assign(new Error("mailbox unavailable"), { responseCode: 450 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const header = (name: string) => raw.match(new RegExp(`^${name}: (.*)$`, "mi"))?.[1]?.trim() ?? "";
        received.push({
          messageId: header("Message-ID"),
          to: session.envelope.rcptTo.map((r) => r.address).join(","),
          subject: header("Subject"),
          raw,
        });
        cb();
      });
    },
  });
  // A client that dies mid-session (a killed worker) resets its connection: not our error.
  server.on("error", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}
