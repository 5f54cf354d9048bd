import { describe, expect, it } from "vitest";
import { jsonValueText, parseJsonPath, selectJsonPath } from "./json-path.ts";

const doc = {
  status: "up",
  count: 3,
  ratio: 0.5,
  live: true,
  gone: null,
  items: [{ state: "ok", tags: ["a", "b"] }, { state: "degraded" }],
  "odd key": { "with.dot": 1, "it's": "quoted" },
  nested: { a: { b: [10, [20, 30]] } },
  empty: {},
};

/** path → the value's text, or undefined when the path finds nothing. */
const found: [string, string | undefined][] = [
  ["$", JSON.stringify(doc)],
  ["$.status", "up"],
  ["$['status']", "up"],
  ['$["status"]', "up"],
  ["$.count", "3"],
  ["$.ratio", "0.5"],
  ["$.live", "true"],
  ["$.gone", "null"],
  ["$.items[0].state", "ok"],
  ["$.items[1].state", "degraded"],
  ["$.items[0].tags[1]", "b"],
  ["$.items[0].tags", '["a","b"]'],
  ["$.items[0]", '{"state":"ok","tags":["a","b"]}'],
  ["$['odd key']['with.dot']", "1"],
  ["$['odd key']['it\\'s']", "quoted"],
  ["$.nested.a.b[1][0]", "20"],
  ["$.empty", "{}"],
  ["  $.status  ", "up"],
  ["$.missing", undefined],
  ["$.items[2]", undefined],
  ["$.items[1].tags", undefined],
  ["$.status.length", undefined],
  ["$.items.length", undefined],
  ["$.items.0", undefined],
  ["$.gone.x", undefined],
  ["$.count[0]", undefined],
  ["$.__proto__", undefined],
  ["$.constructor", undefined],
  ["$.items[0].toString", undefined],
];

const invalid = [
  "",
  "status",
  "$.",
  "$..status",
  "$.items[]",
  "$.items[-1]",
  "$.items[01]",
  "$.items[1.5]",
  "$.items[*]",
  "$[?(@.state=='ok')]",
  "$['unterminated",
  "$['x'",
  "$.a b",
  "$.items[0",
  "$x",
  "@.status",
];

describe("JSON path", () => {
  it.each(found)("%s", (path, text) => {
    const segments = parseJsonPath(path);
    expect(segments).toBeDefined();
    const r = selectJsonPath(doc, segments ?? []);
    if (text === undefined) expect(r.found).toBe(false);
    else {
      expect(r.found).toBe(true);
      if (r.found) expect(jsonValueText(r.value)).toBe(text);
    }
  });

  it.each(invalid)("refuses %j", (path) => {
    expect(parseJsonPath(path)).toBeUndefined();
  });

  it("parses to segments, and the same path twice to the same result", () => {
    expect(parseJsonPath("$.items[0]['a b'].c")).toEqual(["items", 0, "a b", "c"]);
    expect(parseJsonPath("$.items[0]['a b'].c")).toBe(parseJsonPath("$.items[0]['a b'].c"));
    expect(parseJsonPath("$")).toEqual([]);
  });

  it("finds own properties only, and works on top-level arrays and scalars", () => {
    const withProto = JSON.parse('{"__proto__": {"x": 1}}');
    expect(selectJsonPath(withProto, ["__proto__", "x"])).toEqual({ found: true, value: 1 });
    expect(selectJsonPath([1, 2], [1])).toEqual({ found: true, value: 2 });
    expect(selectJsonPath("text", [])).toEqual({ found: true, value: "text" });
    expect(selectJsonPath("text", [0])).toEqual({ found: false });
  });
});
