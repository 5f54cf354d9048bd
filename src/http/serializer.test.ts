import { describe, expect, it } from "vitest";
import { z } from "zod";
import { answerSerializer } from "./serializer.ts";

const route = (schema: z.ZodType) => ({ schema, method: "GET", url: "/x" }) as never;
const answer = z.object({
  id: z.uuid(),
  total: z.number().int(),
  note: z.string().nullable(),
  lines: z.array(z.object({ amount: z.number(), article: z.string() })),
});
const good = {
  id: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
  total: 1100,
  note: null,
  lines: [{ amount: 1000, article: "29(1)" }],
};

describe("answers written from the schema", () => {
  it("write only the declared fields, as zod's encoding does", () => {
    const write = answerSerializer()(route(answer));
    const leaked = { ...good, password_hash: "$argon2id$…", lines: [{ ...good.lines[0], secret: 1 }] };
    expect(JSON.parse(write(leaked))).toEqual(good);
  });

  it("in checking mode, fail an answer zod refuses or that would be written differently", () => {
    const write = answerSerializer({ check: true })(route(answer));
    expect(JSON.parse(write(good))).toEqual(good);
    expect(() => write({ ...good, total: "1100" })).toThrow();
    expect(() => write({ ...good, note: undefined })).toThrow();
  });

  it("keep zod's encoding for a schema JSON Schema cannot express", () => {
    const write = answerSerializer({ check: true })(
      route(z.object({ n: z.string().transform((s) => s.length) })),
    );
    expect(() => write({ n: "abc" })).toThrow(); // zod's encode refuses to run a one-way transform backwards
  });
});
