/** Consumption tax per rate and the registration number (Art. 34). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { invoiceTax, registrationNumber } from "../rules.ts";

describe("consumption tax per rate, once per invoice (Art. 34)", () => {
  it("rounds once per rate, not per line", () => {
    const r = invoiceTax([
      { amount: 333, taxCategory: "10" },
      { amount: 333, taxCategory: "10" },
      { amount: 333, taxCategory: "10" },
    ]);
    expect(r.result.byRate).toEqual([{ category: "10", net: 999, tax: 99 }]);
    // Here rounding per line would give 3 × floor(9.52) = 27; once per rate gives floor(28.56) = 28.
    const r3 = invoiceTax([
      { amount: 119, taxCategory: "8" },
      { amount: 119, taxCategory: "8" },
      { amount: 119, taxCategory: "8" },
    ]);
    expect(r3.result.byRate[0]!.tax).toBe(28); // floor(357 × 0.08 = 28.56); per line 3 × floor(9.52) = 27
  });

  it.each([
    ["down", 28],
    ["up", 29],
    ["half-up", 29],
  ] as const)("rounding %s", (rounding, tax) => {
    expect(invoiceTax([{ amount: 357, taxCategory: "8" }], rounding).result.byRate[0]!.tax).toBe(tax);
  });

  it("mixes rates, exempt and out-of-scope, and credits", () => {
    const r = invoiceTax([
      { amount: 80_000, taxCategory: "10" },
      { amount: -8_001, taxCategory: "10" },
      { amount: 1_000, taxCategory: "exempt" },
      { amount: 210, taxCategory: "out-of-scope" },
      { amount: 500, taxCategory: "8" },
    ]);
    expect(r.result.byRate).toEqual([
      { category: "10", net: 71_999, tax: 7_199 },
      { category: "8", net: 500, tax: 40 },
      { category: "exempt", net: 1_000, tax: 0 },
      { category: "out-of-scope", net: 210, tax: 0 },
    ]);
    expect(r.result.total).toBe(71_999 + 7_199 + 500 + 40 + 1_000 + 210);
    // A negative category (a credit note) rounds toward zero, keeping the sign.
    expect(invoiceTax([{ amount: -999, taxCategory: "10" }]).result.byRate[0]!.tax).toBe(-99);
  });

  it("total = Σ net + Σ tax, and rounding down never exceeds net × rate", () => {
    const line = fc.record({
      amount: fc.integer({ min: -1_000_000, max: 10_000_000 }),
      taxCategory: fc.constantFrom("10" as const, "8" as const, "exempt" as const, "out-of-scope" as const),
    });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const r = invoiceTax(lines).result;
        expect(r.total).toBe(r.byRate.reduce((s, x) => s + x.net + x.tax, 0));
        for (const x of r.byRate) {
          const rate = x.category === "10" ? 10 : x.category === "8" ? 8 : 0;
          expect(Math.abs(x.tax) * 100).toBeLessThanOrEqual(Math.abs(x.net) * rate);
        }
      }),
    );
  });
});

describe("registration number (qualified invoices)", () => {
  it("checks T + 13 digits with the corporate-number check digit", () => {
    expect(registrationNumber("T7000012050002").result.valid).toBe(true);
    expect(registrationNumber("T8000012050002").result).toMatchObject({
      valid: false,
      expectedCheckDigit: 7,
    });
    expect(() => registrationNumber("7000012050002")).toThrow(/T/);
    expect(() => registrationNumber("T700001205000")).toThrow(/13 digits/);
  });
});
