/**
 * A tiny JSON path evaluator for HTTP checks: `$`, `.name`, `['name']` / `["name"]` and `[index]`, nothing
 * else. No filters, wildcards or script expressions, so a path typed by a customer can neither run code
 * nor cost more than one property lookup per segment; lookups use own properties only, so `__proto__` or
 * `constructor` find nothing rather than the object's prototype.
 */

/** A property name or an array index. */
export type JsonPathSegment = string | number;

/** The path's segments, or undefined when it is not in the supported grammar. */
export function parseJsonPath(path: string): JsonPathSegment[] | undefined {
  const cached = compiled.get(path);
  if (cached !== undefined) return cached;
  const parsed = parse(path);
  if (parsed === undefined) return undefined;
  // The same few paths are evaluated thousands of times a minute: parse each once. Bounded so a stream
  // of distinct paths cannot grow it without limit.
  if (compiled.size >= CACHE_MAX) compiled.clear();
  compiled.set(path, parsed);
  return parsed;
}

const CACHE_MAX = 1000;
const compiled = new Map<string, JsonPathSegment[]>();
/** What may follow `.` unquoted: anything but the path's own punctuation and whitespace. */
const DOT_NAME = /[^.[\]\s'"]+/y;
const INDEX = /(0|[1-9][0-9]*)\]/y;

function parse(path: string): JsonPathSegment[] | undefined {
  const p = path.trim();
  if (p[0] !== "$") return undefined;
  const out: JsonPathSegment[] = [];
  let i = 1;
  while (i < p.length) {
    const c = p[i];
    if (c === ".") {
      DOT_NAME.lastIndex = i + 1;
      const m = DOT_NAME.exec(p);
      if (!m) return undefined;
      out.push(m[0]);
      i = DOT_NAME.lastIndex;
    } else if (c === "[") {
      const q = p[i + 1];
      if (q === "'" || q === '"') {
        let name = "";
        let j = i + 2;
        for (;;) {
          const d = p[j];
          if (d === undefined) return undefined;
          if (d === "\\") {
            const e = p[j + 1];
            if (e === undefined) return undefined;
            name += e;
            j += 2;
          } else if (d === q) {
            break;
          } else {
            name += d;
            j++;
          }
        }
        if (p[j + 1] !== "]") return undefined;
        out.push(name);
        i = j + 2;
      } else {
        INDEX.lastIndex = i + 1;
        const m = INDEX.exec(p);
        if (!m?.[1]) return undefined;
        const n = Number(m[1]);
        if (!Number.isSafeInteger(n)) return undefined;
        out.push(n);
        i = INDEX.lastIndex;
      }
    } else {
      return undefined;
    }
  }
  return out;
}

export type JsonPathResult = { found: true; value: unknown } | { found: false };

const NOT_FOUND: JsonPathResult = { found: false };

/** Follows `segments` through `doc`; a missing property, an index past the end or a wrong type is not found. */
export function selectJsonPath(doc: unknown, segments: readonly JsonPathSegment[]): JsonPathResult {
  let v: unknown = doc;
  for (const seg of segments) {
    if (typeof seg === "number") {
      if (!Array.isArray(v) || seg >= v.length) return NOT_FOUND;
      v = v[seg];
    } else {
      if (v === null || typeof v !== "object" || Array.isArray(v) || !Object.hasOwn(v, seg)) return NOT_FOUND;
      v = (v as Record<string, unknown>)[seg];
    }
  }
  return { found: true, value: v };
}

/** A selected value as the text `jsonEquals` is compared with: strings as they are, the rest as JSON. */
export function jsonValueText(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v) ?? "";
}
