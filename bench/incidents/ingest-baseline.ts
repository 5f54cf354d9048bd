/**
 * The ingestion bench's baselines, in their own process:
 * - `POST /ingest/v1/alertmanager`: a bare Fastify endpoint that parses the JSON body (Fastify's own
 *   parser, the same 8 MiB limit) and answers a result of the same shape — what the HTTP layer and
 *   JSON parsing alone cost: no authentication, no validation, no database;
 * - `POST /floor/v1/alertmanager` (with DATABASE_URL): the same, plus one transaction of as many round
 *   trips to PostgreSQL as Unyo makes for the post (BEGIN, 10 statements, COMMIT for a new group;
 *   BEGIN, 2, COMMIT for a re-sent one: `x-bench-fresh`), each a trivial `SELECT $1` on a pool of 10
 *   like Unyo's — what the number of round trips alone costs, with none of the statements' work.
 */
import Fastify from "fastify";
import pg from "pg";

const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024 });
const answer = (n: number) => ({
  received: n,
  recorded: 0,
  duplicates: 0,
  opened: 0,
  joined: 0,
  resolved: 0,
});
app.post<{ Body: { alerts?: unknown[] } }>("/ingest/v1/alertmanager", async (req) =>
  answer(Array.isArray(req.body?.alerts) ? req.body.alerts.length : 0),
);
const pool = process.env.DATABASE_URL
  ? new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 })
  : undefined;
app.post<{ Body: { alerts?: unknown[] } }>("/floor/v1/alertmanager", async (req) => {
  const n = Array.isArray(req.body?.alerts) ? req.body.alerts.length : 0;
  const statements = req.headers["x-bench-fresh"] === "1" ? 10 : 2;
  const c = await pool!.connect();
  try {
    await c.query("BEGIN");
    for (let i = 0; i < statements; i++) await c.query("SELECT $1::int AS n", [i]);
    await c.query("COMMIT");
  } finally {
    c.release();
  }
  return answer(n);
});
app.get("/", async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.on("SIGTERM", () => {
  void app
    .close()
    .then(() => pool?.end())
    .then(() => process.exit(0));
});
