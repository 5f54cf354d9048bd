/**
 * The detection bench's targets, in their own process: COUNT loopback HTTP servers, one per check, each
 * answering 200 "ok" — or 500 once failing. A control server switches them all at one instant:
 * `POST /fail` and `POST /ok` answer that instant (Date.now() here); `GET /stats` answers, per target,
 * when it first answered 500 after the last switch to failing (the check's first failed run seen at
 * the target) and how many requests it has had. Prints `{"control": port, "ports": [...]}` when ready.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

const COUNT = Number(process.argv[2] ?? 100);
let failing = false;
let switchedAt = 0;
const firstFail: (number | null)[] = Array.from({ length: COUNT }, () => null);
const hits: number[] = Array.from({ length: COUNT }, () => 0);

function target(i: number) {
  const server = http.createServer((_req, res) => {
    hits[i]!++;
    if (failing) {
      firstFail[i] ??= Date.now();
      res.writeHead(500, { "content-type": "text/plain", "content-length": "5" });
      res.end("error");
      return;
    }
    res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
    res.end("ok");
  });
  server.keepAliveTimeout = 120_000;
  return new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}

const ports = await Promise.all(Array.from({ length: COUNT }, (_, i) => target(i)));
const control = http.createServer((req, res) => {
  const answer = (body: unknown) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  if (req.method === "POST" && (req.url === "/fail" || req.url === "/ok")) {
    failing = req.url === "/fail";
    switchedAt = Date.now();
    if (failing) firstFail.fill(null);
    return answer({ at: switchedAt, failing });
  }
  if (req.url === "/stats") return answer({ switchedAt, failing, firstFail, hits });
  res.writeHead(404);
  res.end();
});
control.listen(0, "127.0.0.1", () =>
  process.stdout.write(`${JSON.stringify({ control: (control.address() as AddressInfo).port, ports })}\n`),
);
process.on("SIGTERM", () => process.exit(0));
