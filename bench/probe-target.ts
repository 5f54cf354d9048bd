/**
 * The probe bench's target, in its own process (its CPU is not the probe's): answers every path 200
 * "ok" and records when each request arrived, per path; `GET /__stats` hands the arrivals over and
 * `POST /__reset` forgets them.
 */
import http from "node:http";

const hits = new Map<string, number[]>();
const server = http.createServer((req, res) => {
  const now = Date.now();
  const url = req.url ?? "/";
  if (url === "/__stats") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(Object.fromEntries(hits)));
    return;
  }
  if (url === "/__reset") {
    hits.clear();
    res.end("reset");
    return;
  }
  let a = hits.get(url);
  if (!a) {
    a = [];
    hits.set(url, a);
  }
  a.push(now);
  res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
  res.end("ok");
});
server.keepAliveTimeout = 120_000;
server.listen(0, "127.0.0.1", () => {
  const a = server.address();
  process.stdout.write(`${typeof a === "object" && a ? a.port : 0}\n`);
});
