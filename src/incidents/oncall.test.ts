import { describe, expect, it } from "vitest";
import {
  handovers,
  type Override,
  onCallAt,
  parseJstLocal,
  type Rotation,
  type Schedule,
  type Shift,
  scheduleProblems,
  shiftsBetween,
} from "./oncall.ts";

// Every expectation below is worked out by hand: JST = UTC + 9 h, 2026-06-01 is a Monday,
// 2026-12-31 a Thursday and 2027-01-01 a Friday.

const z = (iso: string) => new Date(iso);

function rot(
  start: string,
  shiftHours: number,
  members: string[],
  restriction?: Rotation["restriction"],
): Rotation {
  return { name: "layer", start, shiftHours, members, restriction };
}

function sched(layers: Rotation[], overrides: Override[] = []): Schedule {
  return { layers, overrides };
}

/** A shift written compactly: [user, fromZ, toZ, layer index or "o" for an override]. */
type S = [string, string, string, number | "o"];

function shift([user, from, to, layer]: S): Shift {
  return {
    userId: user,
    from: z(from),
    to: z(to),
    source: layer === "o" ? "override" : "rotation",
    layer: layer === "o" ? null : layer,
  };
}

const ov = (userId: string, from: string, to: string): Override => ({ userId, from: z(from), to: z(to) });

// Weekly, handing over Monday 10:00 JST = Monday 01:00Z.
const weekly = sched([rot("2026-06-01T10:00", 168, ["a", "b", "c"])]);
// Daily 24 h shifts from Monday 2026-03-30 09:00 JST = 00:00Z, across the end of March.
const daily = sched([rot("2026-03-30T09:00", 24, ["a", "b"])]);
// Daily from 2026-12-31 00:00 JST = 2026-12-30T15:00Z, across the new year.
const newYear = sched([rot("2026-12-31T00:00", 24, ["a", "b", "c"])]);
// Follow-the-sun: 08:00 and 20:00 JST = 23:00Z and 11:00Z.
const sun = sched([rot("2026-06-01T08:00", 12, ["tokyo", "london"])]);
// Business hours (Mon–Fri 09:00–18:00 JST = 00:00–09:00Z) over a weekly 24/7 base handing over Monday 00:00 JST.
const business = sched([
  rot("2026-06-01T00:00", 168, ["n1", "n2"]),
  rot("2026-06-01T00:00", 24, ["d1", "d2"], { from: "09:00", to: "18:00", weekdays: [1, 2, 3, 4, 5] }),
]);
// Nights only, 22:00–06:00 JST (13:00–21:00Z), handing over at 22:00.
const nights = sched([rot("2026-06-01T22:00", 24, ["x", "y"], { from: "22:00", to: "06:00" })]);
// Nights only but handing over at midnight, so each night is split between two people.
const splitNights = sched([rot("2026-06-01T00:00", 24, ["p", "q"], { from: "22:00", to: "06:00" })]);
// A 24/7 one-person base with a Friday-night layer: the Friday window runs into Saturday morning.
const fridayNight = sched([
  rot("2026-01-05T00:00", 24, ["day"]),
  rot("2026-01-05T00:00", 24, ["owl"], { from: "22:00", to: "06:00", weekdays: [5] }),
]);
// Daily 09:00 JST = 00:00Z hand-over, for overrides.
const base = [rot("2026-06-01T09:00", 24, ["a", "b"])];

describe("parseJstLocal", () => {
  it.each([
    ["2026-06-01T10:00", "2026-06-01T01:00:00.000Z"],
    ["2026-06-01T08:59", "2026-05-31T23:59:00.000Z"],
    ["2027-01-01T00:00", "2026-12-31T15:00:00.000Z"],
    ["2026-03-01T05:00", "2026-02-28T20:00:00.000Z"],
    ["2028-02-29T23:59", "2028-02-29T14:59:00.000Z"],
  ])("%s JST is %s", (local, utc) => {
    expect(parseJstLocal(local)?.toISOString()).toBe(utc);
  });
  it.each([
    "2026-02-29T10:00",
    "2026-04-31T10:00",
    "2026-13-01T10:00",
    "2026-06-01T24:00",
    "2026-06-01T10:60",
    "2026-06-01 10:00",
    "2026-06-01T10:00:00",
    "2026-06-01T1:00",
    "2026-06-01",
    "",
  ])("refuses %j", (s) => {
    expect(parseJstLocal(s)).toBeNull();
  });
});

describe("onCallAt", () => {
  it.each<[string, Schedule, string, S | null]>([
    // Weekly rotation, hand-over Monday 10:00 JST.
    [
      "weekly: first shift begins at the start",
      weekly,
      "2026-06-01T01:00:00Z",
      ["a", "2026-06-01T01:00Z", "2026-06-08T01:00Z", 0],
    ],
    [
      "weekly: one minute before the hand-over",
      weekly,
      "2026-06-08T00:59:00Z",
      ["a", "2026-06-01T01:00Z", "2026-06-08T01:00Z", 0],
    ],
    [
      "weekly: at the hand-over",
      weekly,
      "2026-06-08T01:00:00Z",
      ["b", "2026-06-08T01:00Z", "2026-06-15T01:00Z", 0],
    ],
    [
      "weekly: cycles past the end of the list",
      weekly,
      "2026-06-22T01:00:00Z",
      ["a", "2026-06-22T01:00Z", "2026-06-29T01:00Z", 0],
    ],
    // 2026-07-06 is 35 days = 5 weeks after the start: members[5 % 3] = c.
    [
      "weekly: sixth week, next month",
      weekly,
      "2026-07-06T05:00:00Z",
      ["c", "2026-07-06T01:00Z", "2026-07-13T01:00Z", 0],
    ],
    ["weekly: before the start", weekly, "2026-06-01T00:59:00Z", null],
    ["weekly: long before the start", weekly, "2025-01-01T00:00:00Z", null],
    // Daily across a month end: 03-30 a, 03-31 b, 04-01 a.
    ["daily: 31 March", daily, "2026-03-31T23:59:00Z", ["b", "2026-03-31T00:00Z", "2026-04-01T00:00Z", 0]],
    ["daily: 1 April", daily, "2026-04-01T00:00:00Z", ["a", "2026-04-01T00:00Z", "2026-04-02T00:00Z", 0]],
    // New year: 2026-12-31T15:00Z is 2027-01-01 00:00 JST, the second shift.
    [
      "new year: last minute of 2026 JST",
      newYear,
      "2026-12-31T14:59:00Z",
      ["a", "2026-12-30T15:00Z", "2026-12-31T15:00Z", 0],
    ],
    [
      "new year: first minute of 2027 JST",
      newYear,
      "2026-12-31T15:00:00Z",
      ["b", "2026-12-31T15:00Z", "2027-01-01T15:00Z", 0],
    ],
    [
      "new year: 2 January",
      newYear,
      "2027-01-01T20:00:00Z",
      ["c", "2027-01-01T15:00Z", "2027-01-02T15:00Z", 0],
    ],
    // Follow-the-sun.
    [
      "sun: Tokyo until 20:00 JST",
      sun,
      "2026-06-01T10:59:00Z",
      ["tokyo", "2026-05-31T23:00Z", "2026-06-01T11:00Z", 0],
    ],
    [
      "sun: London from 20:00 JST",
      sun,
      "2026-06-01T11:00:00Z",
      ["london", "2026-06-01T11:00Z", "2026-06-01T23:00Z", 0],
    ],
    [
      "sun: Tokyo again at 08:00 JST",
      sun,
      "2026-06-02T02:00:00Z",
      ["tokyo", "2026-06-01T23:00Z", "2026-06-02T11:00Z", 0],
    ],
    // Business hours over the base: Wednesday 12:00 JST is the third day shift, d1.
    [
      "business: Wednesday noon",
      business,
      "2026-06-03T03:00:00Z",
      ["d1", "2026-06-03T00:00Z", "2026-06-03T09:00Z", 1],
    ],
    // Saturday: the base shows through from Friday 18:00 JST to its Monday 00:00 JST hand-over.
    [
      "business: Saturday",
      business,
      "2026-06-06T00:00:00Z",
      ["n1", "2026-06-05T09:00Z", "2026-06-07T15:00Z", 0],
    ],
    [
      "business: Monday 08:59 JST",
      business,
      "2026-06-07T23:59:00Z",
      ["n2", "2026-06-07T15:00Z", "2026-06-08T00:00Z", 0],
    ],
    // Second Monday is day 7 of the daily layer: members[7 % 2] = d2.
    [
      "business: second Monday 09:00 JST",
      business,
      "2026-06-08T00:00:00Z",
      ["d2", "2026-06-08T00:00Z", "2026-06-08T09:00Z", 1],
    ],
    // Nights crossing midnight.
    [
      "nights: Tuesday 05:59 JST",
      nights,
      "2026-06-01T20:59:00Z",
      ["x", "2026-06-01T13:00Z", "2026-06-01T21:00Z", 0],
    ],
    ["nights: Tuesday 06:00 JST is uncovered", nights, "2026-06-01T21:00:00Z", null],
    ["nights: Tuesday noon is uncovered", nights, "2026-06-02T03:00:00Z", null],
    [
      "nights: Tuesday 22:00 JST",
      nights,
      "2026-06-02T13:00:00Z",
      ["y", "2026-06-02T13:00Z", "2026-06-02T21:00Z", 0],
    ],
    ["nights: before the first night", nights, "2026-06-01T12:59:00Z", null],
    [
      "split nights: Monday 23:00 JST",
      splitNights,
      "2026-06-01T14:00:00Z",
      ["p", "2026-06-01T13:00Z", "2026-06-01T15:00Z", 0],
    ],
    [
      "split nights: Tuesday 01:00 JST",
      splitNights,
      "2026-06-01T16:00:00Z",
      ["q", "2026-06-01T15:00Z", "2026-06-01T21:00Z", 0],
    ],
    // Friday 2026-06-05 22:00 JST = 13:00Z to Saturday 06:00 JST = 21:00Z.
    [
      "Friday night: Saturday 01:00 JST",
      fridayNight,
      "2026-06-05T16:00:00Z",
      ["owl", "2026-06-05T13:00Z", "2026-06-05T21:00Z", 1],
    ],
    [
      "Friday night: Saturday 23:00 JST",
      fridayNight,
      "2026-06-06T14:00:00Z",
      ["day", "2026-06-05T21:00Z", "2026-06-12T13:00Z", 0],
    ],
    [
      "Friday night: Thursday 23:00 JST",
      fridayNight,
      "2026-06-04T14:00:00Z",
      ["day", "2026-05-29T21:00Z", "2026-06-05T13:00Z", 0],
    ],
    // New-year Friday: 2027-01-01 is a Friday, so Friday night runs 2027-01-01T13:00Z–21:00Z.
    [
      "Friday night: new year's night",
      fridayNight,
      "2027-01-01T15:00:00Z",
      ["owl", "2027-01-01T13:00Z", "2027-01-01T21:00Z", 1],
    ],
    // Overrides.
    [
      "override: in the middle of a shift",
      sched(base, [ov("c", "2026-06-01T03:00Z", "2026-06-01T05:00Z")]),
      "2026-06-01T04:00:00Z",
      ["c", "2026-06-01T03:00Z", "2026-06-01T05:00Z", "o"],
    ],
    [
      "override: the rest of the shift after it",
      sched(base, [ov("c", "2026-06-01T03:00Z", "2026-06-01T05:00Z")]),
      "2026-06-01T05:00:00Z",
      ["a", "2026-06-01T05:00Z", "2026-06-02T00:00Z", 0],
    ],
    [
      "override: before the rotation starts",
      sched(base, [ov("c", "2026-05-30T00:00Z", "2026-05-31T00:00Z")]),
      "2026-05-30T12:00:00Z",
      ["c", "2026-05-30T00:00Z", "2026-05-31T00:00Z", "o"],
    ],
    [
      "override: just before it begins",
      sched(base, [ov("c", "2026-06-01T03:00Z", "2026-06-01T05:00Z")]),
      "2026-06-01T02:59:59.999Z",
      ["a", "2026-06-01T00:00Z", "2026-06-01T03:00Z", 0],
    ],
  ])("%s", (_name, s, at, expected) => {
    expect(onCallAt(s, z(at))).toEqual(expected ? shift(expected) : null);
  });

  it("an empty schedule has nobody on call", () => {
    expect(onCallAt(sched([]), z("2026-06-01T00:00Z"))).toBeNull();
  });

  it("an assignment that never changes is followed a year either side", () => {
    const s = sched([rot("2020-01-01T00:00", 24, ["solo"])]);
    const got = onCallAt(s, z("2026-06-01T00:00Z"));
    expect(got?.userId).toBe("solo");
    expect(got?.from.toISOString()).toBe("2025-05-31T00:00:00.000Z");
    expect(got?.to.toISOString()).toBe("2027-06-02T00:00:00.000Z");
  });

  it("an invalid layer is treated as empty and the layer below shows through", () => {
    const s = sched([rot("2026-06-01T09:00", 24, ["a", "b"]), rot("2026-02-30T09:00", 24, ["z"])]);
    expect(onCallAt(s, z("2026-06-01T03:00Z"))).toEqual(
      shift(["a", "2026-06-01T00:00Z", "2026-06-02T00:00Z", 0]),
    );
  });
});

describe("shiftsBetween", () => {
  it.each<[string, Schedule, string, string, S[]]>([
    [
      "daily across the end of March, clipped to the range",
      daily,
      "2026-03-31T12:00Z",
      "2026-04-02T12:00Z",
      [
        ["b", "2026-03-31T12:00Z", "2026-04-01T00:00Z", 0],
        ["a", "2026-04-01T00:00Z", "2026-04-02T00:00Z", 0],
        ["b", "2026-04-02T00:00Z", "2026-04-02T12:00Z", 0],
      ],
    ],
    [
      "weekly from before the start",
      weekly,
      "2026-05-25T00:00Z",
      "2026-06-10T00:00Z",
      [
        ["a", "2026-06-01T01:00Z", "2026-06-08T01:00Z", 0],
        ["b", "2026-06-08T01:00Z", "2026-06-10T00:00Z", 0],
      ],
    ],
    [
      "follow-the-sun over one day",
      sun,
      "2026-05-31T23:00Z",
      "2026-06-01T23:00Z",
      [
        ["tokyo", "2026-05-31T23:00Z", "2026-06-01T11:00Z", 0],
        ["london", "2026-06-01T11:00Z", "2026-06-01T23:00Z", 0],
      ],
    ],
    [
      "business hours over the base, Monday 00:00 to Tuesday 24:00 JST",
      business,
      "2026-05-31T15:00Z",
      "2026-06-02T15:00Z",
      [
        ["n1", "2026-05-31T15:00Z", "2026-06-01T00:00Z", 0],
        ["d1", "2026-06-01T00:00Z", "2026-06-01T09:00Z", 1],
        ["n1", "2026-06-01T09:00Z", "2026-06-02T00:00Z", 0],
        ["d2", "2026-06-02T00:00Z", "2026-06-02T09:00Z", 1],
        ["n1", "2026-06-02T09:00Z", "2026-06-02T15:00Z", 0],
      ],
    ],
    [
      "business hours: Friday to Monday, the weekend is all base",
      business,
      "2026-06-05T00:00Z",
      "2026-06-08T12:00Z",
      [
        ["d1", "2026-06-05T00:00Z", "2026-06-05T09:00Z", 1],
        ["n1", "2026-06-05T09:00Z", "2026-06-07T15:00Z", 0],
        ["n2", "2026-06-07T15:00Z", "2026-06-08T00:00Z", 0],
        ["d2", "2026-06-08T00:00Z", "2026-06-08T09:00Z", 1],
        ["n2", "2026-06-08T09:00Z", "2026-06-08T12:00Z", 0],
      ],
    ],
    [
      "nights crossing midnight leave the days empty",
      nights,
      "2026-06-01T00:00Z",
      "2026-06-03T00:00Z",
      [
        ["x", "2026-06-01T13:00Z", "2026-06-01T21:00Z", 0],
        ["y", "2026-06-02T13:00Z", "2026-06-02T21:00Z", 0],
      ],
    ],
    [
      "nights split by a midnight hand-over",
      splitNights,
      "2026-05-31T15:00Z",
      "2026-06-02T15:00Z",
      [
        ["p", "2026-05-31T15:00Z", "2026-05-31T21:00Z", 0],
        ["p", "2026-06-01T13:00Z", "2026-06-01T15:00Z", 0],
        ["q", "2026-06-01T15:00Z", "2026-06-01T21:00Z", 0],
        ["q", "2026-06-02T13:00Z", "2026-06-02T15:00Z", 0],
      ],
    ],
    [
      "new year JST",
      newYear,
      "2026-12-31T12:00Z",
      "2027-01-01T18:00Z",
      [
        ["a", "2026-12-31T12:00Z", "2026-12-31T15:00Z", 0],
        ["b", "2026-12-31T15:00Z", "2027-01-01T15:00Z", 0],
        ["c", "2027-01-01T15:00Z", "2027-01-01T18:00Z", 0],
      ],
    ],
    [
      "an override in the middle of a shift splits it into three",
      sched(base, [ov("c", "2026-06-01T03:00Z", "2026-06-01T05:00Z")]),
      "2026-06-01T00:00Z",
      "2026-06-02T00:00Z",
      [
        ["a", "2026-06-01T00:00Z", "2026-06-01T03:00Z", 0],
        ["c", "2026-06-01T03:00Z", "2026-06-01T05:00Z", "o"],
        ["a", "2026-06-01T05:00Z", "2026-06-02T00:00Z", 0],
      ],
    ],
    [
      "an override by the person already on call still splits by source",
      sched(base, [ov("a", "2026-06-01T03:00Z", "2026-06-01T05:00Z")]),
      "2026-06-01T00:00Z",
      "2026-06-02T00:00Z",
      [
        ["a", "2026-06-01T00:00Z", "2026-06-01T03:00Z", 0],
        ["a", "2026-06-01T03:00Z", "2026-06-01T05:00Z", "o"],
        ["a", "2026-06-01T05:00Z", "2026-06-02T00:00Z", 0],
      ],
    ],
    [
      "overlapping overrides: the later one wins the overlap",
      sched(base, [
        ov("c", "2026-06-01T02:00Z", "2026-06-01T06:00Z"),
        ov("d", "2026-06-01T04:00Z", "2026-06-01T08:00Z"),
      ]),
      "2026-06-01T00:00Z",
      "2026-06-01T12:00Z",
      [
        ["a", "2026-06-01T00:00Z", "2026-06-01T02:00Z", 0],
        ["c", "2026-06-01T02:00Z", "2026-06-01T04:00Z", "o"],
        ["d", "2026-06-01T04:00Z", "2026-06-01T08:00Z", "o"],
        ["a", "2026-06-01T08:00Z", "2026-06-01T12:00Z", 0],
      ],
    ],
    [
      "overlapping overrides in the other order",
      sched(base, [
        ov("d", "2026-06-01T04:00Z", "2026-06-01T08:00Z"),
        ov("c", "2026-06-01T02:00Z", "2026-06-01T06:00Z"),
      ]),
      "2026-06-01T00:00Z",
      "2026-06-01T12:00Z",
      [
        ["a", "2026-06-01T00:00Z", "2026-06-01T02:00Z", 0],
        ["c", "2026-06-01T02:00Z", "2026-06-01T06:00Z", "o"],
        ["d", "2026-06-01T06:00Z", "2026-06-01T08:00Z", "o"],
        ["a", "2026-06-01T08:00Z", "2026-06-01T12:00Z", 0],
      ],
    ],
    [
      "a later override nested in an earlier one",
      sched(base, [
        ov("c", "2026-06-01T02:00Z", "2026-06-01T10:00Z"),
        ov("d", "2026-06-01T04:00Z", "2026-06-01T06:00Z"),
      ]),
      "2026-06-01T00:00Z",
      "2026-06-01T12:00Z",
      [
        ["a", "2026-06-01T00:00Z", "2026-06-01T02:00Z", 0],
        ["c", "2026-06-01T02:00Z", "2026-06-01T04:00Z", "o"],
        ["d", "2026-06-01T04:00Z", "2026-06-01T06:00Z", "o"],
        ["c", "2026-06-01T06:00Z", "2026-06-01T10:00Z", "o"],
        ["a", "2026-06-01T10:00Z", "2026-06-01T12:00Z", 0],
      ],
    ],
    [
      "back-to-back overrides of one person merge, and one across a hand-over covers both shifts",
      sched(base, [
        ov("c", "2026-06-01T20:00Z", "2026-06-01T22:00Z"),
        ov("c", "2026-06-01T22:00Z", "2026-06-02T02:00Z"),
      ]),
      "2026-06-01T12:00Z",
      "2026-06-02T12:00Z",
      [
        ["a", "2026-06-01T12:00Z", "2026-06-01T20:00Z", 0],
        ["c", "2026-06-01T20:00Z", "2026-06-02T02:00Z", "o"],
        ["b", "2026-06-02T02:00Z", "2026-06-02T12:00Z", 0],
      ],
    ],
    [
      "a shift of one person across days is one piece when that person is the only member",
      sched([rot("2026-06-01T09:00", 24, ["solo"])]),
      "2026-06-01T00:00Z",
      "2026-06-04T00:00Z",
      [["solo", "2026-06-01T00:00Z", "2026-06-04T00:00Z", 0]],
    ],
    ["an empty range", weekly, "2026-06-03T00:00Z", "2026-06-03T00:00Z", []],
    ["a reversed range", weekly, "2026-06-04T00:00Z", "2026-06-03T00:00Z", []],
  ])("%s", (_name, s, from, to, expected) => {
    expect(shiftsBetween(s, z(from), z(to))).toEqual(expected.map(shift));
  });

  it("a 28-day view of a 3-layer hourly schedule is quick and well-formed", () => {
    const s = sched(
      [
        rot("2026-01-05T00:00", 1, ["u1", "u2", "u3", "u4", "u5"]),
        rot("2026-01-05T09:00", 1, ["v1", "v2", "v3", "v4"], {
          from: "09:00",
          to: "18:00",
          weekdays: [1, 2, 3, 4, 5],
        }),
        rot("2026-01-05T22:00", 1, ["w1", "w2", "w3"], { from: "22:00", to: "06:00" }),
      ],
      [
        ov("o1", "2026-06-03T01:30Z", "2026-06-03T04:45Z"),
        ov("o2", "2026-06-10T00:00Z", "2026-06-11T00:00Z"),
      ],
    );
    const from = z("2026-06-01T00:00Z");
    const to = z("2026-06-29T00:00Z");
    shiftsBetween(s, from, to); // warm up the JIT
    const t0 = performance.now();
    const got = shiftsBetween(s, from, to);
    const ms = performance.now() - t0;
    expect(ms).toBeLessThan(50);
    // Around the clock, every hour is its own piece except the 24 h override on 10 June (24 pieces → 1)
    // and the 3¼ h one on 3 June (01:00–05:00Z: 4 hourly pieces become 01:00–01:30, 01:30–04:45, 04:45–05:00).
    expect(got[0]?.from).toEqual(from);
    expect(got[got.length - 1]?.to).toEqual(to);
    for (let i = 1; i < got.length; i++) expect(got[i]?.from).toEqual(got[i - 1]?.to);
    expect(got.length).toBe(28 * 24 - 23 - 1);
  });
});

describe("handovers", () => {
  it("lists weekly hand-overs, starting from nobody before the rotation begins", () => {
    expect(handovers(weekly, z("2026-06-01T00:00Z"), z("2026-06-16T00:00Z"))).toEqual([
      { at: z("2026-06-01T01:00Z"), fromUser: null, toUser: "a" },
      { at: z("2026-06-08T01:00Z"), fromUser: "a", toUser: "b" },
      { at: z("2026-06-15T01:00Z"), fromUser: "b", toUser: "c" },
    ]);
  });

  it("includes a hand-over exactly at `from` but not one at `to`", () => {
    expect(handovers(weekly, z("2026-06-08T01:00Z"), z("2026-06-15T01:00Z"))).toEqual([
      { at: z("2026-06-08T01:00Z"), fromUser: "a", toUser: "b" },
    ]);
  });

  it("follows overrides, but a change of source alone is no hand-over", () => {
    const s = sched(base, [
      ov("c", "2026-06-01T03:00Z", "2026-06-01T05:00Z"),
      ov("b", "2026-06-01T20:00Z", "2026-06-02T00:00Z"),
    ]);
    expect(handovers(s, z("2026-05-31T00:00Z"), z("2026-06-02T12:00Z"))).toEqual([
      { at: z("2026-06-01T00:00Z"), fromUser: null, toUser: "a" },
      { at: z("2026-06-01T03:00Z"), fromUser: "a", toUser: "c" },
      { at: z("2026-06-01T05:00Z"), fromUser: "c", toUser: "a" },
      { at: z("2026-06-01T20:00Z"), fromUser: "a", toUser: "b" },
    ]);
  });

  it("reports gaps as hand-overs to and from nobody", () => {
    expect(handovers(nights, z("2026-06-01T12:00Z"), z("2026-06-02T14:00Z"))).toEqual([
      { at: z("2026-06-01T13:00Z"), fromUser: null, toUser: "x" },
      { at: z("2026-06-01T21:00Z"), fromUser: "x", toUser: null },
      { at: z("2026-06-02T13:00Z"), fromUser: null, toUser: "y" },
    ]);
  });

  it("business hours hand over to the day shift and back", () => {
    expect(handovers(business, z("2026-06-01T03:00Z"), z("2026-06-02T03:00Z"))).toEqual([
      { at: z("2026-06-01T09:00Z"), fromUser: "d1", toUser: "n1" },
      { at: z("2026-06-02T00:00Z"), fromUser: "n1", toUser: "d2" },
    ]);
  });
});

describe("scheduleProblems", () => {
  const good = rot("2026-06-01T09:00", 24, ["a", "b"], {
    from: "09:00",
    to: "18:00",
    weekdays: [1, 2, 3, 4, 5],
  });

  it("accepts a sound schedule", () => {
    expect(
      scheduleProblems(
        sched(
          [
            good,
            rot("2026-06-01T22:00", 672, ["c"], { from: "22:00", to: "06:00" }),
            rot("2026-06-01T00:00", 1, ["d"], null),
          ],
          [ov("a", "2026-06-01T00:00Z", "2026-06-01T01:00Z")],
        ),
      ),
    ).toEqual([]);
    expect(scheduleProblems(sched([]))).toEqual([]);
  });

  it.each<[string, Partial<Rotation>, string, string]>([
    ["an impossible date", { start: "2026-02-30T09:00" }, "layers.0.start", "invalid_datetime"],
    ["a space instead of T", { start: "2026-06-01 09:00" }, "layers.0.start", "invalid_datetime"],
    ["hour 24", { start: "2026-06-01T24:00" }, "layers.0.start", "invalid_datetime"],
    ["zero hours", { shiftHours: 0 }, "layers.0.shiftHours", "invalid_shift_hours"],
    ["fractional hours", { shiftHours: 1.5 }, "layers.0.shiftHours", "invalid_shift_hours"],
    ["more than four weeks", { shiftHours: 673 }, "layers.0.shiftHours", "invalid_shift_hours"],
    ["no members", { members: [] }, "layers.0.members", "no_members"],
    ["an empty member id", { members: ["a", ""] }, "layers.0.members.1", "empty_member"],
    ["a blank member id", { members: ["  ", "a"] }, "layers.0.members.0", "empty_member"],
    [
      "a one-digit hour",
      { restriction: { from: "9:00", to: "18:00" } },
      "layers.0.restriction.from",
      "invalid_time",
    ],
    ["24:00", { restriction: { from: "18:00", to: "24:00" } }, "layers.0.restriction.to", "invalid_time"],
    [
      "minute 60",
      { restriction: { from: "12:60", to: "18:00" } },
      "layers.0.restriction.from",
      "invalid_time",
    ],
    [
      "weekday 0",
      { restriction: { from: "09:00", to: "18:00", weekdays: [0] } },
      "layers.0.restriction.weekdays.0",
      "invalid_weekday",
    ],
    [
      "weekday 8",
      { restriction: { from: "09:00", to: "18:00", weekdays: [1, 8] } },
      "layers.0.restriction.weekdays.1",
      "invalid_weekday",
    ],
    [
      "a fractional weekday",
      { restriction: { from: "09:00", to: "18:00", weekdays: [1.5] } },
      "layers.0.restriction.weekdays.0",
      "invalid_weekday",
    ],
    [
      "a repeated weekday",
      { restriction: { from: "09:00", to: "18:00", weekdays: [1, 2, 1] } },
      "layers.0.restriction.weekdays.2",
      "duplicate_weekday",
    ],
    [
      "no weekdays",
      { restriction: { from: "09:00", to: "18:00", weekdays: [] } },
      "layers.0.restriction.weekdays",
      "no_weekdays",
    ],
  ])("reports %s", (_name, change, path, code) => {
    const problems = scheduleProblems(sched([{ ...good, ...change }]));
    expect(problems.map((p) => [p.path, p.code])).toEqual([[path, code]]);
    expect(problems[0]?.message).toMatch(/\w/);
  });

  it("says what it got and how to write midnight", () => {
    const [p] = scheduleProblems(sched([{ ...good, restriction: { from: "18:00", to: "24:00" } }]));
    expect(p?.message).toBe(
      'restriction to must be a time "HH:MM" from 00:00 to 23:59, got "24:00" (write midnight as 00:00)',
    );
  });

  it.each<[string, Override, string, string]>([
    [
      "ends when it starts",
      ov("a", "2026-06-01T01:00Z", "2026-06-01T01:00Z"),
      "overrides.0.to",
      "invalid_range",
    ],
    [
      "ends before it starts",
      ov("a", "2026-06-01T02:00Z", "2026-06-01T01:00Z"),
      "overrides.0.to",
      "invalid_range",
    ],
    ["has no user", ov("", "2026-06-01T01:00Z", "2026-06-01T02:00Z"), "overrides.0.userId", "empty_user"],
    [
      "has an invalid date",
      { userId: "a", from: new Date(Number.NaN), to: z("2026-06-01T02:00Z") },
      "overrides.0.from",
      "invalid_date",
    ],
  ])("reports an override that %s", (_name, o, path, code) => {
    expect(scheduleProblems(sched([good], [o])).map((p) => [p.path, p.code])).toEqual([[path, code]]);
  });

  it("reports every problem with its index", () => {
    const problems = scheduleProblems(
      sched(
        [good, { ...good, start: "tomorrow", members: [] }],
        [
          ov("a", "2026-06-01T01:00Z", "2026-06-01T02:00Z"),
          ov("b", "2026-06-01T03:00Z", "2026-06-01T02:00Z"),
        ],
      ),
    );
    expect(problems.map((p) => [p.path, p.code])).toEqual([
      ["layers.1.start", "invalid_datetime"],
      ["layers.1.members", "no_members"],
      ["overrides.1.to", "invalid_range"],
    ]);
  });
});
