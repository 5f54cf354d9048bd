/**
 * Hostile text: a NUL (or another control character) in any text field of any route of the OpenAPI
 * document is refused at the boundary with a 400 naming the field — never a 500, never written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildUser, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
};
type Operation = {
  requestBody?: { content?: Record<string, { schema: Schema }> };
};
let env: TestEnv;
let doc: {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

beforeAll(async () => {
  env = await testApp();
  doc = (await env.app.inject({ method: "GET", url: "/api/openapi.json" })).json();
});
afterAll(async () => {
  await env?.close();
});

const UUID = "00000000-0000-4000-8000-000000000000";
const urlOf = (p: string) => p.replace(/\{[^}]+\}/g, UUID);
const resolve = (s: Schema): Schema =>
  s.$ref ? resolve(doc.components!.schemas![s.$ref.split("/").pop()!]!) : s;
/** A body shaped by the schema (every property, one item per array), strings as plain text. */
function sample(schema: Schema, depth = 0): unknown {
  const s = resolve(schema);
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sample(alt.find((a) => resolve(a).type !== "null") ?? alt[0]!, depth);
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (type === "object" || s.properties) {
    if (depth > 4) return {};
    return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(v, depth + 1)]));
  }
  if (type === "array") return s.items ? [sample(s.items, depth + 1)] : [];
  if (type === "integer" || type === "number") return 1;
  if (type === "boolean") return false;
  if (s.format === "uuid") return UUID;
  if (s.format === "date") return "2026-11-24";
  if (s.format === "date-time") return "2026-11-24T00:00:00Z";
  if (s.format === "email") return "a@example.test";
  return "text";
}

/** The paths of every string in a body. */
function stringPaths(v: unknown, path: string[] = []): string[][] {
  if (typeof v === "string") return [path];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, [...path, String(i)]));
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => stringPaths(x, [...path, k]));
  return [];
}

function withNul(body: unknown, path: string[]): unknown {
  const copy = structuredClone(body) as Record<string, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  at[path.at(-1)!] = `${String(at[path.at(-1)!])}\u0000`;
  return copy;
}

/** For each string of a body built from the operation's JSON schema: that body with a NUL in it. */
function hostileBodies(op: Operation): { field: string; body: unknown }[] {
  const schema = op.requestBody?.content?.["application/json"]?.schema;
  if (!schema) return [];
  const body = sample(schema);
  const paths = stringPaths(body);
  if (paths.length === 0) return [{ field: "anything", body: { ...(body as object), anything: "\u0000" } }];
  return paths.map((p) => ({ field: p.join("."), body: withNul(body, p) }));
}

const operations = () =>
  Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path: p, method: method.toUpperCase(), op })),
  );

describe("control characters in text", () => {
  it("are refused in every field of every JSON body, signed in or not, with the field named", async () => {
    const staff = await buildUser(env.db, { role: "operator" });
    const s = await login(env.app, staff.loginId, PASSWORD);
    const seen: string[] = [];
    const wrong: string[] = [];
    let sent = 0;
    for (const { path, method, op } of operations()) {
      for (const { field, body } of hostileBodies(op)) {
        for (const who of ["staff", "nobody"] as const) {
          const headers = { "content-type": "application/json" };
          const r =
            who === "staff"
              ? await s.req(method, urlOf(path), body, headers)
              : await env.app
                  .inject({ method: method as "POST", url: urlOf(path), payload: body as object, headers })
                  .then((x) => ({ status: x.statusCode, json: x.body ? x.json() : null }));
          sent++;
          // Without a session, a CSRF-free public route or a 401 before anything is read are both fine;
          // what may never happen is a 500 or a 2xx.
          if (who === "nobody" && r.status === 401) continue;
          if (
            r.status !== 400 ||
            r.json?.error?.code !== "validation_failed" ||
            r.json.error.details?.[0]?.path !== field
          )
            wrong.push(
              `${who} ${method} ${path} ${field}: ${r.status} ${JSON.stringify(r.json?.error ?? r.json)}`,
            );
          else seen.push(`${method} ${path}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    // The sweep reached the routes open without an account, and a good number of the others.
    expect(seen).toEqual(
      expect.arrayContaining([
        "POST /api/v1/auth/login",
        "POST /api/v1/applications",
        "POST /api/v1/applications/withdraw",
      ]),
    );
    expect(new Set(seen).size).toBeGreaterThan(40);
    expect(sent).toBeGreaterThan(200);
  });

  it("are refused in the query string and the path of every operation", async () => {
    const staff = await buildUser(env.db, { role: "operator" });
    const s = await login(env.app, staff.loginId, PASSWORD);
    const wrong: string[] = [];
    for (const { path, method } of operations()) {
      const r = await s.req(method, `${urlOf(path)}?q=%00`, method === "GET" ? undefined : {});
      if (r.status !== 400 || r.json?.error?.details?.[0]?.path !== "querystring.q")
        wrong.push(`${method} ${path}: ${r.status}`);
    }
    expect(wrong).toEqual([]);
    const inPath = await s.req("GET", "/api/v1/contracts/abc%00def");
    expect(inPath.status).toBe(400);
    expect(inPath.json.error.details[0].path).toBe("params.id");
  });

  it("keeps tab, line feed and carriage return in multi-line text, and leaves nothing half-written", async () => {
    const r = await env.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { loginId: "tab\tand\nnewline", password: "x".repeat(12) },
    });
    expect(r.statusCode).toBe(401);
    const before = await env.db
      .selectFrom("applications")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    const nul = await env.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: { legalName: "株式会社\u0000ヌル" },
    });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.details[0].path).toBe("legalName");
    const after = await env.db
      .selectFrom("applications")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});
