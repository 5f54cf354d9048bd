import { describe, expect, it } from "vitest";
import { DueHeap } from "./probe/heap.ts";
import {
  checkMode,
  coverageProblems,
  hostKey,
  nextSlot,
  nextState,
  OUTCOME,
  placement,
  slotOf,
  uptime,
} from "./rules.ts";

describe("checkMode (Art. 3, 21–23)", () => {
  it.each([
    ["active", null, true, null, null],
    ["terminating", null, true, null, null],
    ["suspended", null, false, "suspended", "21(1)"],
    ["active", "emergency_stop", false, "emergency_stop", "22(1)"],
    ["active", "maintenance", false, "maintenance", "23(1)"],
    ["active", "manual", false, "manual", null],
    ["suspended", "maintenance", false, "maintenance", "23(1)"],
    ["terminated", null, false, "ended", "3"],
    ["data_deleted", "manual", false, "ended", "3"],
  ] as const)("%s, paused %s → run %s (%s, Art. %s)", (status, paused, run, reason, article) => {
    expect(checkMode(status, paused)).toEqual({ run, reason, article });
  });
});

describe("nextState: down after N consecutive failures, up after one success", () => {
  it.each([
    // prev, failures before, ok, downAfter → state, failures, outcome
    ["pending", 0, true, 1, "up", 0, OUTCOME.up],
    ["pending", 0, false, 1, "down", 1, OUTCOME.down],
    ["up", 0, false, 3, "up", 1, OUTCOME.failing],
    ["up", 1, false, 3, "up", 2, OUTCOME.failing],
    ["up", 2, false, 3, "down", 3, OUTCOME.down],
    ["down", 3, false, 3, "down", 4, OUTCOME.down],
    ["down", 5, true, 3, "up", 0, OUTCOME.up],
    ["pending", 0, false, 2, "pending", 1, OUTCOME.failing],
    ["paused", 0, false, 2, "pending", 1, OUTCOME.failing],
    ["paused", 0, true, 2, "up", 0, OUTCOME.up],
  ] as const)(
    "%s after %i failures, ok=%s, downAfter %i → %s",
    (prev, before, ok, downAfter, state, failures, outcome) => {
      expect(nextState(prev, before, ok, downAfter)).toEqual({ state, failures, outcome });
    },
  );
});

describe("slots: the same on every probe", () => {
  it("the next slot is strictly after now, on the check's phase", () => {
    for (const [now, interval, phase] of [
      [1_000_000, 10_000, 3_000],
      [1_003_000, 10_000, 3_000],
      [1_002_999, 10_000, 3_000],
      [0, 60_000, 59_999],
      [1_764_000_000_000, 10_000, 9_999],
    ] as const) {
      const next = nextSlot(now, interval, phase);
      expect(next).toBeGreaterThan(now);
      expect(next - now).toBeLessThanOrEqual(interval);
      expect((next - phase) % interval).toBe(0);
      expect(slotOf(next, interval, phase)).toBe(slotOf(now, interval, phase) + 1);
    }
  });

  it("placement is stable, spread over 256 shards, and within the interval", () => {
    const counts = new Array(256).fill(0);
    for (let i = 0; i < 25_600; i++) {
      const id = crypto.randomUUID();
      const p = placement(id, 10);
      expect(placement(id, 10)).toEqual(p);
      expect(p.phaseMs).toBeGreaterThanOrEqual(0);
      expect(p.phaseMs).toBeLessThan(10_000);
      counts[p.shard]++;
    }
    expect(Math.min(...counts)).toBeGreaterThan(40);
    expect(Math.max(...counts)).toBeLessThan(180);
  });
});

describe("uptime (Art. 3, 23)", () => {
  it.each([
    [{ upMs: 0, downMs: 0, mutedMs: 0 }, null],
    [{ upMs: 0, downMs: 0, mutedMs: 3_600_000 }, null],
    [{ upMs: 3_600_000, downMs: 0, mutedMs: 3_600_000 }, 1],
    [{ upMs: 3 * 3_600_000, downMs: 3_600_000, mutedMs: 0 }, 0.75],
    [{ upMs: 0, downMs: 60_000, mutedMs: 0 }, 0],
  ])("%o → %s", (t, ratio) => {
    const u = uptime(t);
    expect(u.ratio).toBe(ratio);
    expect(u.basis[0]!.article).toBe("3");
    expect(u.basis[0]!.textJa).toMatch(/稼働/);
  });

  it("muted time is left out and said so in both languages", () => {
    const u = uptime({ upMs: 7_200_000, downMs: 0, mutedMs: 1_800_000 });
    expect(u.basis[0]!.text).toContain("0.50 h muted");
    expect(u.basis[0]!.textJa).toContain("0.50 時間");
  });
});

describe("coverage (Art. 4, 20(2))", () => {
  const contract = { servers: [{ hostname: "Web01.Example.jp" }], options: ["backup"] };
  it.each([
    [{ kind: "server", name: "web01.example.jp", options: [] }, []],
    [{ kind: "server", name: " WEB01.example.JP ", options: ["backup"] }, []],
    [{ kind: "server", name: "web02.example.jp", options: [] }, ["name:not_on_contract:20(2)"]],
    [{ kind: "cloud_resource", name: "rds-main", options: [] }, []],
    [
      { kind: "cloud_resource", name: "rds-main", options: ["patching"] },
      ["options:option_not_contracted:4"],
    ],
  ] as const)("%o → %o", (item, problems) => {
    expect(
      coverageProblems(contract, { ...item, options: [...item.options] }).map(
        (p) => `${p.field}:${p.problem}:${p.article}`,
      ),
    ).toEqual(problems);
  });
  it("host names compare as DNS does", () => expect(hostKey(" A.Example.JP ")).toBe("a.example.jp"));
});

describe("DueHeap", () => {
  it("pops in due order with removals in between (against a sorted list)", () => {
    const heap = new DueHeap<{ due: number; at: number; id: number }>();
    const live = new Map<number, { due: number; at: number; id: number }>();
    let seed = 42;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 5000; i++) {
      const x = { due: Math.floor(rand() * 1e6), at: -1, id: i };
      heap.push(x);
      live.set(i, x);
      if (rand() < 0.3) {
        const victim = live.get(Math.floor(rand() * i));
        if (victim) {
          heap.remove(victim);
          live.delete(victim.id);
        }
      }
    }
    expect(heap.size).toBe(live.size);
    const out: number[] = [];
    for (let x = heap.pop(); x; x = heap.pop()) out.push(x.due);
    expect(out).toEqual([...live.values()].map((x) => x.due).sort((a, b) => a - b));
  });
});
