/**
 * The probe bench's baseline: the same HTTP requests (undici, the same keep-alive pool) at the same
 * rate from a bare loop with one timer per tick — no schedule of checks, no state, no database.
 * Prints its process CPU per request.
 */
import { Agent, request } from "undici";

const [url, rateText, secondsText] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const agent = new Agent({ keepAliveTimeout: 30_000 });
let done = 0;
const t0 = process.cpuUsage();
const start = Date.now();
const tick = 10;
const perTick = rate / (1000 / tick);
let owed = 0;
const timer = setInterval(() => {
  owed += perTick;
  while (owed >= 1) {
    owed--;
    void request(`${url}/b/${done % 20000}`, { dispatcher: agent }).then(async (r) => {
      await r.body.dump();
      done++;
    });
  }
  if (Date.now() - start >= seconds * 1000) {
    clearInterval(timer);
    setTimeout(() => {
      const cpu = process.cpuUsage(t0);
      process.stdout.write(`${JSON.stringify({ requests: done, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`);
      process.exit(0);
    }, 1000);
  }
}, tick);
