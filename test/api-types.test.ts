/**
 * The web app's API types are generated from the OpenAPI document (scripts/api-types.ts): the file in
 * the repository is what the routes describe today, and the JSON Schema → TypeScript conversion says
 * what each schema allows — no wider, no narrower.
 */
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { GENERATED_FILE, generate, openApiDocument, typeOf } from "../scripts/api-types.ts";

describe("web/src/api.generated.ts", () => {
  it("is what the routes describe (run npm run api:types after changing a route or schema)", async () => {
    const doc = await openApiDocument();
    expect(fs.readFileSync(GENERATED_FILE, "utf8")).toBe(generate(doc));
    // Every GET the web app calls by the typed client is there, with its parameters.
    const text = generate(doc);
    for (const p of [
      '"/api/v1/customers/{id}/users"',
      '"/api/v1/customers/{id}/timeline"',
      '"/api/v1/catalogue"',
    ])
      expect(text).toContain(p);
  });

  it("converts what zod writes: optional and nullable fields, enums, consts, refs, maps, tuples", () => {
    expect(
      typeOf({
        type: "object",
        properties: {
          id: { type: "string" },
          note: { anyOf: [{ type: "string" }, { type: "null" }] },
          role: { type: "string", enum: ["admin", "operator"] },
          kind: { const: "x" },
          total: { type: "integer" },
          basis: { type: "array", items: { $ref: "#/components/schemas/Basis" } },
        },
        required: ["id", "note", "role", "total"],
        additionalProperties: false,
      }),
    ).toBe(
      [
        "{",
        "  id: string;",
        "  note: string | null;",
        '  role: "admin" | "operator";',
        '  kind?: "x";',
        "  total: number;",
        '  basis?: (components["schemas"]["Basis"])[];',
        "}",
      ].join("\n"),
    );
    expect(typeOf({ type: "object", additionalProperties: { type: "number" } })).toBe(
      "{\n  [key: string]: number;\n}",
    );
    expect(typeOf({ type: ["string", "null"] })).toBe("string | null");
    expect(typeOf({ type: "array", prefixItems: [{ type: "string" }, { type: "number" }] })).toBe(
      "[string, number]",
    );
    expect(typeOf({ type: "object", properties: {}, additionalProperties: false })).toBe(
      "Record<string, never>",
    );
    expect(typeOf({})).toBe("unknown");
  });
});
