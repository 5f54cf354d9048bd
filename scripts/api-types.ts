/**
 * The web app's API types, generated from the OpenAPI document the server serves: `npm run api:types`
 * (`node --import tsx scripts/api-types.ts`) builds the app's routes (no database is touched),
 * reads `app.swagger()` and writes `web/src/api.generated.ts` — `paths` and `components` in the shape
 * openapi-fetch expects. `--check` compares instead of writing (exit 1 when stale);
 * test/api-types.test.ts fails when the file is not what the routes describe.
 *
 * Why not openapi-typescript: it needs TypeScript 5's compiler API, and this project builds with
 * TypeScript 7 (no JS API). The document's schemas are the JSON Schema zod writes, a small, regular
 * subset (objects, arrays, unions, enums, consts, $ref), converted below.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: {
    in: "path" | "query" | "header" | "cookie";
    name: string;
    required?: boolean;
    schema: Schema;
  }[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../web/src/api.generated.ts");
const METHODS = ["get", "put", "post", "delete", "patch"] as const;
const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k));

/** A JSON Schema (as zod writes it) as a TypeScript type. */
export function typeOf(s: Schema | boolean | undefined, indent = ""): string {
  if (s === undefined || s === true) return "unknown";
  if (s === false) return "never";
  if (typeof s.$ref === "string") {
    const name = s.$ref.replace(/^#\/components\/schemas\//, "");
    return `components["schemas"][${JSON.stringify(name)}]`;
  }
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ") || "never";
  for (const k of ["anyOf", "oneOf"] as const)
    if (Array.isArray(s[k])) return union((s[k] as Schema[]).map((x) => typeOf(x, indent)));
  if (Array.isArray(s.allOf)) return (s.allOf as Schema[]).map((x) => `(${typeOf(x, indent)})`).join(" & ");
  if (Array.isArray(s.type)) return union((s.type as string[]).map((t) => typeOf({ ...s, type: t }, indent)));
  switch (s.type) {
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      if (Array.isArray(s.prefixItems))
        return `[${(s.prefixItems as Schema[]).map((x) => typeOf(x, indent)).join(", ")}]`;
      return `(${typeOf(s.items as Schema | undefined, indent)})[]`;
    case "object":
      return objectOf(s, indent);
  }
  return "unknown";
}

function union(parts: string[]): string {
  const unique = [...new Set(parts)];
  return unique.length === 1 ? unique[0]! : unique.map((p) => (p.includes(" & ") ? `(${p})` : p)).join(" | ");
}

function objectOf(s: Schema, indent: string): string {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set((s.required ?? []) as string[]);
  const inner = `${indent}  `;
  const lines = Object.entries(props).map(
    ([k, v]) => `${inner}${key(k)}${required.has(k) ? "" : "?"}: ${typeOf(v, inner)};`,
  );
  const extra = s.additionalProperties;
  if (extra && typeof extra === "object")
    lines.push(`${inner}[key: string]: ${typeOf(extra as Schema, inner)};`);
  else if (extra === undefined && lines.length === 0) return "Record<string, unknown>";
  if (lines.length === 0) return "Record<string, never>";
  return `{\n${lines.join("\n")}\n${indent}}`;
}

function parametersOf(op: Operation, indent: string): string {
  const inner = `${indent}  `;
  const groups = ["query", "path"].map((where) => {
    const ps = (op.parameters ?? []).filter((p) => p.in === where);
    if (ps.length === 0) return `${inner}${where}?: never;`;
    const fields = ps.map(
      (p) => `${inner}  ${key(p.name)}${p.required ? "" : "?"}: ${typeOf(p.schema, `${inner}  `)};`,
    );
    const optional = ps.every((p) => !p.required) ? "?" : "";
    return `${inner}${where}${optional}: {\n${fields.join("\n")}\n${inner}};`;
  });
  return `{\n${groups.join("\n")}\n${inner}header?: never;\n${inner}cookie?: never;\n${indent}}`;
}

function operationOf(op: Operation, indent: string): string {
  const inner = `${indent}  `;
  const body = op.requestBody?.content?.["application/json"];
  // The successes one by one; every refusal has the one error shape (docs/ARCHITECTURE.md).
  const kept = Object.entries(op.responses).filter(([status]) => /^[23]/.test(status));
  const refusal = Object.entries(op.responses).find(([status]) => /^[45]/.test(status));
  if (refusal) kept.push(["default", refusal[1]]);
  const responses = kept.map(([status, r]) => {
    const json = r.content?.["application/json"];
    const content = json
      ? `{\n${inner}      "application/json": ${typeOf(json.schema, `${inner}      `)};\n${inner}    }`
      : Object.keys(r.content ?? {}).length > 0
        ? `{\n${Object.keys(r.content!)
            .map((ct) => `${inner}      ${JSON.stringify(ct)}: unknown;`)
            .join("\n")}\n${inner}    }`
        : "never";
    return `${inner}  ${status}: {\n${inner}    headers: { [name: string]: unknown };\n${inner}    content: ${content};\n${inner}  };`;
  });
  return [
    "{",
    `${inner}parameters: ${parametersOf(op, inner)};`,
    body
      ? `${inner}requestBody${op.requestBody?.required === false ? "?" : ""}: {\n${inner}  content: {\n${inner}    "application/json": ${typeOf(body.schema, `${inner}    `)};\n${inner}  };\n${inner}};`
      : `${inner}requestBody?: never;`,
    `${inner}responses: {\n${responses.join("\n")}\n${inner}};`,
    `${indent}}`,
  ].join("\n");
}

/** The whole file: `paths` (under /api/v1) and `components`. */
export function generate(doc: OpenApiDoc): string {
  const paths = Object.keys(doc.paths)
    .filter((p) => p.startsWith("/api/v1/"))
    .sort()
    .map((p) => {
      const ops = METHODS.filter((m) => doc.paths[p]![m]).map(
        (m) => `    ${m}: ${operationOf(doc.paths[p]![m]!, "    ")};`,
      );
      return `  ${JSON.stringify(p)}: {\n${ops.join("\n")}\n  };`;
    });
  const schemas = Object.keys(doc.components.schemas)
    .sort()
    .map((name) => `    ${key(name)}: ${typeOf(doc.components.schemas[name]!, "    ")};`);
  return [
    "// Generated by scripts/api-types.ts from the server's OpenAPI document: `npm run api:types`. Do not edit.",
    "/* eslint-disable */",
    "",
    `export interface paths {\n${paths.join("\n")}\n}`,
    "",
    `export interface components {\n  schemas: {\n${schemas.join("\n")}\n  };\n}`,
    "",
    '/** A named schema of the API (`Schema<"Customer">`). */',
    'export type Schema<N extends keyof components["schemas"]> = components["schemas"][N];',
    "",
  ].join("\n");
}

/** The OpenAPI document of the routes, built without a database (nothing connects until a query runs). */
export async function openApiDocument(): Promise<OpenApiDoc> {
  const { loadConfig } = await import("../src/core/config.ts");
  const { createDb } = await import("../src/db/db.ts");
  const { buildApp } = await import("../src/http/app.ts");
  const db = createDb("postgres://unused@127.0.0.1:1/none");
  const { app } = await buildApp({
    db,
    config: loadConfig({}, { demo: false }),
    logger: false,
    serveWeb: false,
    queue: undefined as never,
  });
  try {
    await app.ready();
    return app.swagger() as unknown as OpenApiDoc;
  } finally {
    await app.close();
    await db.destroy();
  }
}

export const GENERATED_FILE = OUT;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const text = generate(await openApiDocument());
  if (process.argv.includes("--check")) {
    const current = fs.existsSync(OUT) ? fs.readFileSync(OUT, "utf8") : "";
    if (current !== text) {
      console.error("web/src/api.generated.ts is stale: run npm run api:types");
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT, text);
    console.log(`wrote ${path.relative(process.cwd(), OUT)}`);
  }
}
