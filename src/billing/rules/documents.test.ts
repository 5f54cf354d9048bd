import { describe, expect, it } from "vitest";
import { type CreditFacts, creditRefusal, type DocumentFacts, voidOrCorrectRefusal } from "./documents.ts";

const invoice = (over: Partial<DocumentFacts> = {}): DocumentFacts => ({
  number: "INV-2026-000001",
  status: "issued",
  kind: "regular",
  paidAmount: 0,
  issueDate: "2026-11-02",
  byRate: [
    { category: "10", net: 100_000, tax: 10_000 },
    { category: "8", net: 3_000, tax: 240 },
    { category: "out-of-scope", net: 262, tax: 0 },
  ],
  ...over,
});
const credit = (status: CreditFacts["status"], net10 = -20_000): CreditFacts => ({
  number: status === "draft" ? null : "INV-2026-000002",
  status,
  byRate: [{ category: "10", net: net10, tax: Math.trunc(net10 / 10) }],
});

describe("void and correct: one paper trail (Art. 31(1), 34)", () => {
  // [case, invoice, credit notes against it, void refused for, correct refused for]
  const cases: [string, DocumentFacts, CreditFacts[], string | null, string | null][] = [
    ["an issued invoice, nothing paid, no credit note", invoice(), [], null, null],
    ["a draft", invoice({ status: "draft", number: null, issueDate: null }), [], null, null],
    ["only void credit notes against it", invoice(), [credit("void")], null, null],
    ["already void", invoice({ status: "void" }), [], "already_void", "already_void"],
    ["money allocated to it", invoice({ paidAmount: 1 }), [], "payments", "payments"],
    ["a credit note itself", invoice({ kind: "credit" }), [], null, "credit_note"],
    ["a draft credit note against it", invoice(), [credit("draft")], "draft_credit", "draft_credit"],
    ["an issued credit note against it", invoice(), [credit("issued")], "issued_credit", "issued_credit"],
    [
      "a void and an issued credit note",
      invoice(),
      [credit("void"), credit("issued")],
      "issued_credit",
      "issued_credit",
    ],
  ];
  it.each(cases)("%s", (_, inv, credits, voidReason, correctReason) => {
    expect(voidOrCorrectRefusal(inv, credits, false)?.reason ?? null).toBe(voidReason);
    expect(voidOrCorrectRefusal(inv, credits, true)?.reason ?? null).toBe(correctReason);
  });

  it("says what to do, naming the credit note, with the article", () => {
    const r = voidOrCorrectRefusal(invoice(), [credit("issued")], true)!;
    expect(r.message).toContain("INV-2026-000002");
    expect(r.message).toMatch(/void the credit note first/);
    expect(r.article).toBe("31(1)");
  });
});

describe("credit notes (適格返還請求書, Consumption Tax Act 57-4(3))", () => {
  const ask = (
    lines: { taxCategory: "10" | "8" | "exempt" | "out-of-scope"; amount: number }[],
    returnDate = "2026-11-20",
  ) => ({
    returnDate,
    today: "2026-11-24",
    lines,
  });
  // [case, invoice, earlier credit notes, request, refused for]
  const cases: [string, DocumentFacts, CreditFacts[], ReturnType<typeof ask>, string | null][] = [
    ["part of the 10% lines", invoice(), [], ask([{ taxCategory: "10", amount: 20_000 }]), null],
    [
      "all of the 10% lines, in two lines",
      invoice(),
      [],
      ask([
        { taxCategory: "10", amount: 60_000 },
        { taxCategory: "10", amount: 40_000 },
      ]),
      null,
    ],
    [
      "more than billed at 10%",
      invoice(),
      [],
      ask([{ taxCategory: "10", amount: 100_001 }]),
      "exceeds_billed",
    ],
    [
      "the rest after an earlier credit",
      invoice(),
      [credit("issued", -80_000)],
      ask([{ taxCategory: "10", amount: 20_000 }]),
      null,
    ],
    [
      "one yen more than the rest",
      invoice(),
      [credit("issued", -80_000)],
      ask([{ taxCategory: "10", amount: 20_001 }]),
      "exceeds_billed",
    ],
    [
      "a draft credit counts too",
      invoice(),
      [credit("draft", -80_000)],
      ask([{ taxCategory: "10", amount: 20_001 }]),
      "exceeds_billed",
    ],
    [
      "a void credit does not count",
      invoice(),
      [credit("void", -80_000)],
      ask([{ taxCategory: "10", amount: 100_000 }]),
      null,
    ],
    [
      "at a rate the invoice did not bill",
      invoice(),
      [],
      ask([{ taxCategory: "exempt", amount: 1 }]),
      "rate_not_billed",
    ],
    ["the reduced rate", invoice(), [], ask([{ taxCategory: "8", amount: 3_000 }]), null],
    [
      "returned on the issue date",
      invoice(),
      [],
      ask([{ taxCategory: "10", amount: 1 }], "2026-11-02"),
      null,
    ],
    [
      "returned the day before the issue date",
      invoice(),
      [],
      ask([{ taxCategory: "10", amount: 1 }], "2026-11-01"),
      "return_before_issue",
    ],
    ["returned today", invoice(), [], ask([{ taxCategory: "10", amount: 1 }], "2026-11-24"), null],
    [
      "returned tomorrow",
      invoice(),
      [],
      ask([{ taxCategory: "10", amount: 1 }], "2026-11-25"),
      "return_in_future",
    ],
    [
      "against a draft",
      invoice({ status: "draft", number: null, issueDate: null }),
      [],
      ask([{ taxCategory: "10", amount: 1 }]),
      "not_issued",
    ],
    [
      "against a void invoice",
      invoice({ status: "void" }),
      [],
      ask([{ taxCategory: "10", amount: 1 }]),
      "not_issued",
    ],
    [
      "against a credit note",
      invoice({ kind: "credit" }),
      [],
      ask([{ taxCategory: "10", amount: 1 }]),
      "credit_of_credit",
    ],
  ];
  it.each(cases)("%s", (_, inv, credits, request, reason) => {
    expect(creditRefusal(inv, credits, request)?.reason ?? null).toBe(reason);
  });

  it("names what was billed and what is already returned", () => {
    const r = creditRefusal(
      invoice(),
      [credit("issued", -80_000)],
      ask([{ taxCategory: "10", amount: 30_000 }]),
    )!;
    expect(r.message).toContain("100,000 yen billed, 80,000 yen already returned");
    expect(r.article).toBe("34");
  });
});
