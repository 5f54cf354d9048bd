/**
 * A local SMTP server for `unyo start` when no SMTP_HOST is configured: a real SMTP listener on
 * 127.0.0.1 that keeps every message as an .eml file under $UNYO_HOME/mail, so a newcomer sees
 * exactly what customers would receive.
 */
import fs from "node:fs";
import path from "node:path";
import { SMTPServer } from "smtp-server";

export async function startMailSink(dir: string): Promise<{ port: number; close(): Promise<void> }> {
  fs.mkdirSync(dir, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const name = `${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}-${++n}.eml`;
        fs.writeFile(path.join(dir, name), Buffer.concat(chunks), (err) => callback(err ?? null));
        void session;
      });
    },
  });
  // A client that dies mid-session (a killed worker) resets its connection: not our error.
  server.on("error", () => {});
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}
