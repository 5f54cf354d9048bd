import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { type CalendarEvent, escapeText, foldLine, icalendar } from "./ical.ts";

const now = new Date(Date.UTC(2026, 10, 24, 3, 4, 5));

const longJa =
  "【計画メンテナンス】東京第二データセンター、ストレージ装置のファームウェア更新；" +
  "作業中は管理画面およびAPIが一時的に利用できません,再起動を伴います\\ご注意ください。\n" +
  "影響範囲：全契約（契約番号 C-0001〜C-0420）、監視アラートは抑止されます；\r\n" +
  "問い合わせ先：運用センター 😀 🇯🇵 é (約款第23条)\n\n最終行";

const event = (over: Partial<CalendarEvent> = {}): CalendarEvent => ({
  uid: "3f0c2a9e-1b7d-4c1e-9f4a-2d6e8b0c1a55@unyo",
  start: new Date(Date.UTC(2026, 11, 1, 16, 0, 0)),
  end: new Date(Date.UTC(2026, 11, 1, 19, 30, 0)),
  summary: longJa,
  description: `${longJa}\n${longJa}`,
  location: "東京第二DC, ラック A-12; 予備系\\本番系",
  url: "https://unyo.example.jp/maintenance/3f0c2a9e?lang=ja&view=a,b;c",
  status: "CONFIRMED",
  sequence: 2,
  lastModified: new Date(Date.UTC(2026, 10, 20, 8, 15, 42)),
  categories: ["MAINTENANCE", "計画メンテナンス、定期", "a,b;c\\d"],
  ...over,
});

/** What the text should read after a round trip: every line break comes back as LF. */
const lf = (s: string) => s.replace(/\r\n|\r/g, "\n");

const parse = (text: string) => new ICAL.Component(ICAL.parse(text));

/** The physical lines, each with its line ending; asserts there is nothing after the last CRLF. */
function physicalLines(text: string): string[] {
  const lines = text.split(/(?<=\r\n)/);
  for (const l of lines) expect(l.endsWith("\r\n"), JSON.stringify(l)).toBe(true);
  return lines;
}

function expectWellFolded(text: string) {
  const buf = Buffer.from(text, "utf8");
  // The text is valid UTF-8 end to end (no lone surrogates turned into U+FFFD).
  expect(buf.toString("utf8")).toBe(text);
  let start = 0;
  while (start < buf.length) {
    const end = buf.indexOf("\r\n", start);
    expect(end, "every line ends with CRLF").toBeGreaterThanOrEqual(0);
    const line = buf.subarray(start, end);
    expect(line.length, line.toString("utf8")).toBeLessThanOrEqual(75);
    expect(line.includes(0x0d) || line.includes(0x0a), "no bare CR or LF").toBe(false);
    // A physical line never begins with a UTF-8 continuation byte nor ends inside a character: decoding
    // it on its own gives no replacement character and encodes back to the same bytes.
    if (line.length > 0) expect((line[0]! & 0xc0) !== 0x80).toBe(true);
    const decoded = new TextDecoder("utf-8", { fatal: true }).decode(line);
    expect(Buffer.from(decoded, "utf8").equals(line)).toBe(true);
    start = end + 2;
  }
}

describe("icalendar", () => {
  it("round-trips every field through ical.js", () => {
    const e = event();
    const text = icalendar({
      name: "株式会社テスト, 本社; 計画メンテナンス\\保守",
      description: "説明\n二行目",
      events: [e],
      now,
    });
    const cal = parse(text);

    expect(cal.name).toBe("vcalendar");
    expect(cal.getFirstPropertyValue("version")).toBe("2.0");
    expect(cal.getFirstPropertyValue("prodid")).toBe("-//Unyo//Maintenance windows//JA");
    expect(cal.getFirstPropertyValue("calscale")).toBe("GREGORIAN");
    expect(cal.getFirstPropertyValue("method")).toBe("PUBLISH");
    // ical.js reads X- properties as raw values; decode them with its own TEXT decoder.
    const text_ = (name: string) =>
      ICAL.design.icalendar.value.text.fromICAL(String(cal.getFirstPropertyValue(name)));
    expect(text_("x-wr-calname")).toBe("株式会社テスト, 本社; 計画メンテナンス\\保守");
    expect(text_("x-wr-caldesc")).toBe("説明\n二行目");
    expect(cal.getFirstPropertyValue("x-wr-timezone")).toBe("Asia/Tokyo");
    expect(cal.getFirstProperty("refresh-interval")?.type).toBe("duration");
    expect(String(cal.getFirstPropertyValue("refresh-interval"))).toBe("PT60M");
    expect(String(cal.getFirstPropertyValue("x-published-ttl"))).toBe("PT60M");

    const vevents = cal.getAllSubcomponents("vevent");
    expect(vevents).toHaveLength(1);
    const vevent = vevents[0]!;
    const ev = new ICAL.Event(vevent);
    expect(ev.uid).toBe(e.uid);
    expect(ev.summary).toBe(lf(e.summary));
    expect(ev.description).toBe(lf(e.description!));
    expect(ev.location).toBe(e.location);
    expect(ev.startDate.toJSDate().getTime()).toBe(e.start.getTime());
    expect(ev.endDate.toJSDate().getTime()).toBe(e.end.getTime());
    expect(ev.startDate.zone?.tzid).toBe("UTC");
    expect(ev.sequence).toBe(2);
    expect(vevent.getFirstPropertyValue("status")).toBe("CONFIRMED");
    expect(vevent.getFirstPropertyValue("url")).toBe(e.url);
    expect(vevent.getFirstPropertyValue("transp")).toBe("OPAQUE");
    const time = (name: string) => (vevent.getFirstPropertyValue(name) as ICAL.Time).toJSDate().getTime();
    expect(time("dtstamp")).toBe(now.getTime());
    expect(time("last-modified")).toBe(e.lastModified.getTime());
    expect(vevent.getFirstProperty("categories")?.getValues()).toEqual(e.categories);

    // The summary is long enough to need folding several times.
    expect(text).toContain("\r\n ");
    expectWellFolded(text);
  });

  it("writes the fixed header, UTC instants and a CRLF after the last line", () => {
    const text = icalendar({ name: "Feed", events: [event({ summary: "x" })], now, refreshMinutes: 15 });
    const lines = physicalLines(text).map((l) => l.slice(0, -2));
    expect(lines.slice(0, 9)).toEqual([
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Unyo//Maintenance windows//JA",
      "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH",
      "X-WR-CALNAME:Feed",
      "X-WR-TIMEZONE:Asia/Tokyo",
      "REFRESH-INTERVAL;VALUE=DURATION:PT15M",
      "X-PUBLISHED-TTL:PT15M",
    ]);
    expect(lines).toContain("DTSTAMP:20261124T030405Z");
    expect(lines).toContain("DTSTART:20261201T160000Z");
    expect(lines).toContain("DTEND:20261201T193000Z");
    expect(lines).toContain("LAST-MODIFIED:20261120T081542Z");
    expect(lines.at(-1)).toBe("END:VCALENDAR");
    expect(text.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
  });

  it("keeps every physical line within 75 octets and never splits a character", () => {
    // Every alignment of 3- and 4-byte characters against the 75-octet boundary.
    const events = Array.from({ length: 8 }, (_, i) =>
      event({
        uid: `w${i}@unyo`,
        summary: `${"a".repeat(i)}${"運用".repeat(60)}`,
        description: `${"b".repeat(i)}${"😀".repeat(50)}é${"ｱ".repeat(40)}`,
      }),
    );
    const text = icalendar({ name: "計画メンテナンス".repeat(20), events, now });
    expectWellFolded(text);
    const parsed = parse(text)
      .getAllSubcomponents("vevent")
      .map((v) => new ICAL.Event(v));
    expect(parsed.map((p) => p.summary)).toEqual(events.map((e) => e.summary));
    expect(parsed.map((p) => p.description)).toEqual(events.map((e) => e.description));
  });

  it("writes a valid empty calendar", () => {
    const text = icalendar({ name: "空", events: [], now });
    expectWellFolded(text);
    const cal = parse(text);
    expect(cal.name).toBe("vcalendar");
    expect(cal.getAllSubcomponents("vevent")).toEqual([]);
    expect(cal.getFirstPropertyValue("version")).toBe("2.0");
    expect(cal.getFirstPropertyValue("method")).toBe("PUBLISH");
    expect(cal.getFirstPropertyValue("x-wr-caldesc")).toBeNull();
    expect(text).not.toContain("BEGIN:VEVENT");
  });

  it("marks a cancelled window CANCELLED with its bumped sequence", () => {
    const text = icalendar({
      name: "Feed",
      events: [
        event({ uid: "a@unyo", sequence: 0 }),
        event({ uid: "b@unyo", status: "CANCELLED", sequence: 3 }),
      ],
      now,
    });
    const byUid = new Map(
      parse(text)
        .getAllSubcomponents("vevent")
        .map((v) => [new ICAL.Event(v).uid, v] as const),
    );
    expect(byUid.get("a@unyo")?.getFirstPropertyValue("status")).toBe("CONFIRMED");
    expect(new ICAL.Event(byUid.get("a@unyo")!).sequence).toBe(0);
    expect(byUid.get("b@unyo")?.getFirstPropertyValue("status")).toBe("CANCELLED");
    expect(new ICAL.Event(byUid.get("b@unyo")!).sequence).toBe(3);
  });

  it("leaves out the optional properties that are not given", () => {
    const text = icalendar({
      name: "Feed",
      events: [event({ description: null, location: undefined, url: null, categories: [] })],
      now,
    });
    const vevent = parse(text).getFirstSubcomponent("vevent")!;
    for (const name of ["description", "location", "url", "categories"]) {
      expect(vevent.getFirstProperty(name), name).toBeNull();
    }
    for (const name of [
      "uid",
      "dtstamp",
      "dtstart",
      "dtend",
      "summary",
      "status",
      "sequence",
      "last-modified",
    ]) {
      expect(vevent.getFirstProperty(name), name).not.toBeNull();
    }
    expect(vevent.getFirstPropertyValue("transp")).toBe("OPAQUE");
  });

  it("drops milliseconds and refuses values it cannot write", () => {
    const ms = icalendar({
      name: "Feed",
      events: [event({ start: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 999)) })],
      now: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 1)),
    });
    expect(ms).toContain("\r\nDTSTART:20260102T030405Z\r\n");
    expect(ms).toContain("\r\nDTSTAMP:20260101T000000Z\r\n");

    const write = (over: Partial<CalendarEvent>, refreshMinutes?: number) => () =>
      icalendar({
        name: "Feed",
        events: [event(over)],
        now,
        ...(refreshMinutes === undefined ? {} : { refreshMinutes }),
      });
    expect(write({ start: new Date(Number.NaN) })).toThrow(RangeError);
    expect(write({ end: new Date(Date.UTC(2026, 11, 1, 16, 0, 0)) })).toThrow(/ends before it starts/);
    expect(write({ lastModified: new Date(Date.UTC(10000, 0, 1)) })).toThrow(RangeError);
    expect(write({ sequence: -1 })).toThrow(RangeError);
    expect(write({ sequence: 1.5 })).toThrow(RangeError);
    expect(write({ url: "https://a.example/\r\nX-EVIL:1" })).toThrow(RangeError);
    expect(write({}, 0)).toThrow(RangeError);
  });
});

describe("foldLine", () => {
  it("leaves a line of up to 75 octets alone", () => {
    expect(foldLine("")).toBe("");
    expect(foldLine("a".repeat(75))).toBe("a".repeat(75));
    // 25 three-byte characters: exactly 75 octets.
    expect(foldLine("あ".repeat(25))).toBe("あ".repeat(25));
  });

  it("folds ASCII at 75 octets, continuation lines holding a space and 74 more", () => {
    expect(foldLine("a".repeat(76))).toBe(`${"a".repeat(75)}\r\n a`);
    expect(foldLine("a".repeat(75 + 74 + 1))).toBe(`${"a".repeat(75)}\r\n ${"a".repeat(74)}\r\n a`);
  });

  it("moves a multi-byte character that would cross the limit to the next line whole", () => {
    // 73 + 3 = 76 > 75: the character goes to the next line.
    expect(foldLine(`${"a".repeat(73)}あい`)).toBe(`${"a".repeat(73)}\r\n あい`);
    // 72 + 3 = 75 fits.
    expect(foldLine(`${"a".repeat(72)}あい`)).toBe(`${"a".repeat(72)}あ\r\n い`);
    // A 4-byte character (a surrogate pair in UTF-16) is never cut in half.
    expect(foldLine(`${"a".repeat(72)}😀b`)).toBe(`${"a".repeat(72)}\r\n 😀b`);
    expect(foldLine(`${"a".repeat(71)}😀b`)).toBe(`${"a".repeat(71)}😀\r\n b`);
    // 26 three-byte characters: 25 on the first line; the continuation holds a space and the 26th.
    expect(foldLine("あ".repeat(26))).toBe(`${"あ".repeat(25)}\r\n あ`);
    // Continuation lines: 1 + 24 × 3 = 73, a 25th would make 76.
    expect(foldLine("あ".repeat(25 + 25))).toBe(`${"あ".repeat(25)}\r\n ${"あ".repeat(24)}\r\n あ`);
  });

  it("unfolds back to the original line", () => {
    const line = `SUMMARY:${escapeText(longJa)}`;
    const folded = foldLine(line);
    expect(folded.replace(/\r\n /g, "")).toBe(line);
    for (const l of folded.split("\r\n")) expect(Buffer.byteLength(l, "utf8")).toBeLessThanOrEqual(75);
  });
});

describe("escapeText", () => {
  it("escapes backslash, semicolon, comma and line breaks", () => {
    expect(escapeText("plain text: ok")).toBe("plain text: ok");
    expect(escapeText("a,b;c\\d")).toBe("a\\,b\\;c\\\\d");
    expect(escapeText("one\ntwo\r\nthree\rfour")).toBe("one\\ntwo\\nthree\\nfour");
    expect(escapeText("\\n is not a line break")).toBe("\\\\n is not a line break");
    expect(escapeText("\\,")).toBe("\\\\\\,");
  });

  it("leaves Japanese punctuation, colons and quotes alone", () => {
    expect(escapeText('作業、停止；再開，完了："OK"')).toBe('作業、停止；再開，完了："OK"');
    expect(escapeText("時刻 10:00")).toBe("時刻 10:00");
  });

  it("keeps tabs and drops the control characters TEXT cannot hold", () => {
    expect(escapeText("a\tb")).toBe("a\tb");
    expect(escapeText("a\u0000b\u0007c\u001bd\u007fe")).toBe("abcde");
  });
});
