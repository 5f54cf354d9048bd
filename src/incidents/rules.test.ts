import { describe, expect, it } from "vitest";
import { fromAlertmanager, fromGeneric, fromZabbix, hostOf } from "./formats.ts";
import {
  atLeast,
  muteOf,
  nextEscalation,
  noticeDeadline,
  periodOf,
  policyProblems,
  severityOf,
} from "./rules.ts";

describe("severity of an alert's label", () => {
  it.each([
    ["critical", "critical"],
    ["Disaster", "critical"],
    ["High", "critical"],
    ["page", "critical"],
    ["error", "major"],
    ["Average", "major"],
    ["warning", "minor"],
    ["Warning", "minor"],
    ["info", "info"],
    ["Not classified", "info"],
    ["", "major"],
    [null, "major"],
    ["whatever", "major"],
  ] as const)("%s → %s", (label, want) => {
    expect(severityOf(label, "major")).toBe(want);
  });
  it("orders severities", () => {
    expect(atLeast("critical", "major")).toBe(true);
    expect(atLeast("minor", "major")).toBe(false);
    expect(atLeast("major", "major")).toBe(true);
  });
});

describe("muting (Art. 21–23)", () => {
  it("a window first, then an emergency stop, then a suspension; nothing → null", () => {
    expect(muteOf({ windows: [{ id: "w" }], contractStatus: "suspended", emergencyStopped: true })).toEqual({
      mute: "maintenance",
      article: "23(1)",
      windowId: "w",
    });
    expect(muteOf({ windows: [], contractStatus: "suspended", emergencyStopped: true })?.article).toBe(
      "22(1)",
    );
    expect(muteOf({ windows: [], contractStatus: "suspended", emergencyStopped: false })?.article).toBe(
      "21(1)",
    );
    expect(muteOf({ windows: [], contractStatus: "active", emergencyStopped: false })).toBeNull();
    expect(muteOf({ windows: [], contractStatus: "terminating", emergencyStopped: false })).toBeNull();
  });
});

describe("the prior notice of a planned interruption (Art. 23(3))", () => {
  const start = new Date("2026-12-10T01:00:00Z");
  const end = new Date("2026-12-10T03:00:00Z");
  it("is due lead days before the start: exactly at the deadline is in time, a millisecond later is refused", () => {
    const deadline = new Date("2026-12-03T01:00:00Z");
    expect(
      noticeDeadline({ startsAt: start, endsAt: end, now: deadline, leadDays: 7, emergency: false }).result
        .deadline,
    ).toEqual(deadline);
    expect(() =>
      noticeDeadline({
        startsAt: start,
        endsAt: end,
        now: new Date(deadline.getTime() + 1),
        leadDays: 7,
        emergency: false,
      }),
    ).toThrow(/at least 7 days before it starts \(by 2026-12-03 10:00 JST\)/);
  });
  it("an emergency needs its reason; then it is allowed at once, even already started", () => {
    const now = new Date("2026-12-10T01:30:00Z");
    expect(() =>
      noticeDeadline({
        startsAt: start,
        endsAt: end,
        now,
        leadDays: 7,
        emergency: true,
        emergencyReason: " ",
      }),
    ).toThrow(/emergency stated/);
    const r = noticeDeadline({
      startsAt: start,
      endsAt: end,
      now,
      leadDays: 7,
      emergency: true,
      emergencyReason: "disk failure",
    });
    expect(r.basis[0]!.article).toBe("23(3)");
  });
  it("refuses a window that ends before it starts or is already over", () => {
    const now = new Date("2026-11-01T00:00:00Z");
    expect(() =>
      noticeDeadline({ startsAt: end, endsAt: start, now, leadDays: 7, emergency: false }),
    ).toThrow(/ends after/);
    expect(() =>
      noticeDeadline({
        startsAt: start,
        endsAt: end,
        now: new Date("2026-12-11T00:00:00Z"),
        leadDays: 7,
        emergency: true,
        emergencyReason: "x",
      }),
    ).toThrow(/already over/);
  });
});

describe("escalation", () => {
  const p = {
    repeat: 1,
    steps: [
      { escalateAfterMinutes: 5, targets: [{ kind: "schedule" as const, id: "s" }] },
      { escalateAfterMinutes: 10, targets: [{ kind: "user" as const, id: "u" }] },
    ],
  };
  const t = new Date("2026-12-01T00:00:00Z");
  it("step 1 → step 2 after its minutes → repeat from step 1 → exhausted", () => {
    expect(nextEscalation(p, 0, 0, t)).toEqual({ step: 1, round: 0, at: new Date("2026-12-01T00:05:00Z") });
    expect(nextEscalation(p, 1, 0, t)).toEqual({ step: 0, round: 1, at: new Date("2026-12-01T00:10:00Z") });
    expect(nextEscalation(p, 1, 1, t)).toBeNull();
    expect(nextEscalation({ ...p, repeat: 0 }, 1, 0, t)).toBeNull();
  });
  it("validates a policy", () => {
    expect(policyProblems(p)).toEqual([]);
    expect(policyProblems({ repeat: 11, steps: [] }).map((x) => x.path)).toEqual(["steps", "repeat"]);
    expect(
      policyProblems({ repeat: 0, steps: [{ escalateAfterMinutes: 0, targets: [] }] }).map((x) => x.path),
    ).toEqual(["steps.0.escalateAfterMinutes", "steps.0.targets"]);
  });
});

describe("which incidents are unavailability periods (Art. 30(4), 36)", () => {
  const base = {
    status: "resolved" as const,
    awareAt: new Date("2026-12-01T00:00:00Z"),
    restoredAt: new Date("2026-12-01T07:00:00Z"),
    attribution: "provider" as const,
    muted: null,
    contractId: "c",
    outage: true,
  };
  it("from awareness to restoration", () => {
    expect(periodOf(base)).toEqual({ start: base.awareAt, end: base.restoredAt });
    // Another attribution is still a period: billing's rule excludes it with its article.
    expect("start" in periodOf({ ...base, attribution: "carrier" })).toBe(true);
  });
  it.each([
    [{ muted: "maintenance" as const }, "23(1)"],
    [{ muted: "suspension" as const }, "21(1)"],
    [{ outage: false }, "36(1)"],
    [{ restoredAt: null }, "30(4)"],
    [{ contractId: null }, "30(4)"],
    [{ restoredAt: new Date("2026-12-01T00:00:00Z") }, "30(4)"],
  ])("not when %o (Art. %s)", (patch, article) => {
    const r = periodOf({ ...base, ...patch });
    expect("none" in r && r.article).toBe(article);
  });
});

describe("alert formats", () => {
  it("reads Alertmanager's zero end as still firing, and a resolved alert's end", () => {
    const body = {
      version: "4",
      status: "firing",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "HostDown", severity: "critical" },
          annotations: {},
          startsAt: "2026-12-01T00:00:00Z",
          endsAt: "0001-01-01T00:00:00Z",
          fingerprint: "f1",
        },
        {
          status: "resolved",
          labels: { alertname: "X" },
          annotations: { summary: "s" },
          startsAt: "2026-12-01T00:00:00Z",
          endsAt: "2026-12-01T01:00:00Z",
          fingerprint: "f2",
        },
      ],
    };
    const [a, b] = fromAlertmanager(body);
    expect(a).toMatchObject({ status: "firing", endsAt: null, title: "HostDown", severity: "critical" });
    expect(b).toMatchObject({ status: "resolved", title: "s" });
    expect(b!.endsAt!.toISOString()).toBe("2026-12-01T01:00:00.000Z");
    expect(() => fromAlertmanager({ ...body, alerts: [{ ...body.alerts[0], fingerprint: "" }] })).toThrow(
      /Alertmanager/,
    );
  });
  it("reads Zabbix local times in the server's offset (JST unless told)", () => {
    const z = {
      event_id: 1,
      event_value: 1,
      event_name: "CPU high",
      host: "db01",
      event_date: "2026.12.31",
      event_time: "23:30:00",
    };
    expect(fromZabbix(z)[0]!.startsAt.toISOString()).toBe("2026-12-31T14:30:00.000Z");
    expect(fromZabbix({ ...z, timezone: "+00:00" })[0]!.startsAt.toISOString()).toBe(
      "2026-12-31T23:30:00.000Z",
    );
    expect(fromZabbix({ ...z, tags: "service:web,env:prod" })[0]!.labels).toMatchObject({
      service: "web",
      env: "prod",
    });
    expect(() => fromZabbix({ ...z, event_date: "2026-12-31" })).toThrow();
  });
  it("the generic format needs key, status, title and startsAt", () => {
    expect(
      fromGeneric({
        key: "k",
        status: "firing",
        title: "t",
        startsAt: "2026-12-01T00:00:00+09:00",
      })[0]!.startsAt.toISOString(),
    ).toBe("2026-11-30T15:00:00.000Z");
    expect(() => fromGeneric({ key: "k", status: "firing", title: "t" })).toThrow();
    expect(() => fromGeneric({ key: "k", status: "firing", title: "t", startsAt: "yesterday" })).toThrow(
      /not a date-time/,
    );
  });
  it.each([
    [{ instance: "web01.example.jp:9100" }, "web01.example.jp"],
    [{ instance: "[2001:db8::1]:9100" }, "2001:db8::1"],
    [{ instance: "2001:db8::1" }, "2001:db8::1"],
    [{ host: "DB01" }, "db01"],
    [{ job: "x" }, null],
  ])("host of %o → %s", (labels, want) => {
    expect(hostOf(labels, ["instance", "host"])).toBe(want);
  });
});
