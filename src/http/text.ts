/**
 * Text at the boundary: no request may carry a control character (`core/text.ts`) in any text it
 * sends (JSON body, query string, path). One check for every route, before its schema: a 400 naming
 * the field.
 */
import { AppError } from "../core/errors.ts";
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from "../core/text.ts";

/** The path of the first string (or object key) holding a control character, if any. */
export function controlCharacterAt(value: unknown, path = ""): string | undefined {
  if (typeof value === "string") return hasControlCharacter(value) ? path : undefined;
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = controlCharacterAt(value[i], path ? `${path}.${i}` : String(i));
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k;
    if (hasControlCharacter(k)) return here;
    const hit = controlCharacterAt(v, here);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Refuse a request whose body, query or path holds a control character (400, the field named). */
export function refuseControlCharacters(req: { body?: unknown; query?: unknown; params?: unknown }): void {
  for (const [where, value] of [
    ["body", req.body],
    ["querystring", req.query],
    ["params", req.params],
  ] as const) {
    const at = controlCharacterAt(value);
    if (at === undefined) continue;
    const path = where === "body" ? at : `${where}.${at}`;
    throw new AppError(
      "validation_failed",
      `invalid ${where}: ${path || "(root)"}: ${CONTROL_CHARACTER_MESSAGE}`,
      { details: [{ path, message: CONTROL_CHARACTER_MESSAGE }] },
    );
  }
}
