import { describe, expect, it } from "vitest";
import { damagesCap, dueDate, specialFee } from "../rules.ts";

describe("special fee, damages cap, due date (Art. 32, 39, 31(3))", () => {
  it("computes them", () => {
    expect(specialFee(12_345).result).toEqual({ evaded: 12_345, specialFee: 24_690, totalOwed: 37_035 });
    expect(damagesCap(80_000).result.cap).toBe(80_000);
    expect(dueDate("2026-01").result.dueDate).toBe("2026-02-28");
    expect(dueDate("2028-01").result.dueDate).toBe("2028-02-29");
    expect(dueDate("2026-12").result.dueDate).toBe("2027-01-31");
    expect(dueDate("2026-03", 0).result.dueDate).toBe("2026-03-31");
  });
});
