/**
 * An RFC 5545 iCalendar writer for a customer's feed of planned maintenance windows (計画メンテナンス,
 * Art. 23): one VCALENDAR (METHOD:PUBLISH) with a VEVENT per window, cancelled ones included with
 * STATUS:CANCELLED and a bumped SEQUENCE so subscribed clients drop them.
 *
 * Instants are written in UTC ("YYYYMMDDTHHMMSSZ", whole seconds), so no VTIMEZONE is needed;
 * X-WR-TIMEZONE only tells clients which zone to show the calendar in. TEXT values are escaped per
 * RFC 5545 3.3.11 and every content line is folded at 75 octets of UTF-8 (3.1) without splitting a
 * character. Lines end with CRLF, the last one included.
 */

export interface CalendarEvent {
  /** Stable across changes, e.g. `${windowId}@unyo`. */
  uid: string;
  start: Date;
  /** Must be later than `start` (RFC 5545 3.6.1). */
  end: Date;
  summary: string;
  description?: string | null;
  location?: string | null;
  /** An absolute URI; written as is (URI value, not TEXT). */
  url?: string | null;
  status: "CONFIRMED" | "CANCELLED";
  /** Bumped each time the window is changed or cancelled. */
  sequence: number;
  lastModified: Date;
  categories?: string[];
}

export interface Calendar {
  name: string;
  description?: string;
  events: CalendarEvent[];
  /** DTSTAMP of every event: when this feed was generated. */
  now: Date;
  /** How often clients should refresh the subscription; 60 unless given. */
  refreshMinutes?: number;
}

const CRLF = "\r\n";
const MAX_OCTETS = 75;

/** UTF-8 length of one code point (a lone surrogate is written as U+FFFD, three octets). */
const octets = (cp: number): number => (cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);

/**
 * Folds one unfolded content line (no line break in it) into physical lines of at most 75 octets of
 * UTF-8, joined by CRLF followed by a single space (RFC 5545 3.1). Breaks fall between code points,
 * never inside a multi-byte character or a surrogate pair. The result has no trailing CRLF.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = "";
  let size = 0;
  for (const ch of line) {
    const n = octets(ch.codePointAt(0)!);
    // Continuation lines start with a space, which counts towards their 75 octets.
    if (size + n > MAX_OCTETS) {
      parts.push(current);
      current = " ";
      size = 1;
    }
    current += ch;
    size += n;
  }
  parts.push(current);
  return parts.join(CRLF);
}

/**
 * Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma get a backslash, any line
 * break (CRLF, CR or LF) becomes `\n`. Other control characters, which TEXT cannot hold, are dropped
 * (horizontal tab is allowed and kept). Colons and double quotes need no escaping in values.
 */
export function escapeText(s: string): string {
  return (
    s
      .replace(/\r\n|\r|\n/g, "\n")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
      .replace(/[\\;,\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`))
  );
}

/** An instant as a UTC DATE-TIME, "YYYYMMDDTHHMMSSZ" (milliseconds are dropped). */
function utc(d: Date, what: string): string {
  const t = d.getTime();
  if (Number.isNaN(t)) throw new RangeError(`icalendar: ${what} is not a valid date`);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`icalendar: ${what} is outside years 0000-9999`);
  // toISOString: "YYYY-MM-DDTHH:MM:SS.sssZ" for years 0000-9999.
  return `${d.toISOString().slice(0, 19).replace(/[-:]/g, "")}Z`;
}

/** A URI value: written unescaped, so it must not be able to break out of its content line. */
function uri(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a URI may hold no control characters
  if (/[\u0000-\u001f\u007f]/.test(s)) {
    throw new RangeError("icalendar: a URL may not contain control characters");
  }
  return s;
}

function minutes(n: number | undefined): number {
  const m = n ?? 60;
  if (!Number.isSafeInteger(m) || m < 1)
    throw new RangeError("icalendar: refreshMinutes must be a positive integer");
  return m;
}

const given = (s: string | null | undefined): s is string => s !== undefined && s !== null && s !== "";

function vevent(e: CalendarEvent, dtstamp: string): string[] {
  const start = utc(e.start, `event ${e.uid}: start`);
  const end = utc(e.end, `event ${e.uid}: end`);
  if (e.end.getTime() <= e.start.getTime())
    throw new RangeError(`icalendar: event ${e.uid} ends before it starts`);
  if (!Number.isSafeInteger(e.sequence) || e.sequence < 0) {
    throw new RangeError(`icalendar: event ${e.uid}: sequence must be a non-negative integer`);
  }
  const lines = [
    "BEGIN:VEVENT",
    `UID:${escapeText(e.uid)}`,
    `DTSTAMP:${dtstamp}`,
    `DTSTART:${start}`,
    `DTEND:${end}`,
    `SUMMARY:${escapeText(e.summary)}`,
  ];
  if (given(e.description)) lines.push(`DESCRIPTION:${escapeText(e.description)}`);
  if (given(e.location)) lines.push(`LOCATION:${escapeText(e.location)}`);
  if (given(e.url)) lines.push(`URL:${uri(e.url)}`);
  lines.push(
    `STATUS:${e.status}`,
    `SEQUENCE:${e.sequence}`,
    `LAST-MODIFIED:${utc(e.lastModified, `event ${e.uid}: lastModified`)}`,
  );
  if (e.categories && e.categories.length > 0)
    lines.push(`CATEGORIES:${e.categories.map(escapeText).join(",")}`);
  lines.push("TRANSP:OPAQUE", "END:VEVENT");
  return lines;
}

/** The whole feed as an iCalendar object (text/calendar; charset=utf-8), CRLF line endings. */
export function icalendar(cal: Calendar): string {
  const dtstamp = utc(cal.now, "now");
  const refresh = `PT${minutes(cal.refreshMinutes)}M`;
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Unyo//Maintenance windows//JA",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    `X-WR-CALNAME:${escapeText(cal.name)}`,
  ];
  if (given(cal.description)) lines.push(`X-WR-CALDESC:${escapeText(cal.description)}`);
  lines.push(
    "X-WR-TIMEZONE:Asia/Tokyo",
    `REFRESH-INTERVAL;VALUE=DURATION:${refresh}`,
    `X-PUBLISHED-TTL:${refresh}`,
  );
  for (const e of cal.events) lines.push(...vevent(e, dtstamp));
  lines.push("END:VCALENDAR");
  return lines.map((l) => foldLine(l) + CRLF).join("");
}
