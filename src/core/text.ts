/**
 * Control characters in text: PostgreSQL refuses NUL in text outright, and the other C0 controls (and
 * DEL) have no place in names, notes or codes. Tab, line feed and carriage return stay allowed, for
 * multi-line text. Requests (`http/text.ts`) and imported files are checked with this one predicate.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export const hasControlCharacter = (s: string): boolean => CONTROL.test(s);

export const CONTROL_CHARACTER_MESSAGE = "control characters (such as NUL) are not allowed";
