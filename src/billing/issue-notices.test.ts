import { describe, expect, it } from "vitest";
import { issuedNoticeText } from "./issue-notices.ts";

describe("the e-mail announcing an issued document (Art. 31(1))", () => {
  const base = { id: "00000000-0000-4000-8000-000000000001", month: "2026-11", dueDate: "2026-12-31" };
  it("an invoice states the amount to pay and its due date", () => {
    const t = issuedNoticeText(
      { ...base, number: "INV-2026-000001", kind: "regular", total: 115_500 },
      undefined,
    );
    expect(t.subject).toBe("請求書 INV-2026-000001 を発行しました(2026-11 分)");
    expect(t.body).toContain("請求金額(税込): 115,500円");
    expect(t.body).toContain("お支払期日: 2026-12-31");
    expect(t.body).toContain("115,500 yen incl. tax, due 2026-12-31");
  });

  it("a credit note states what is returned — no negative amount, no due date", () => {
    const t = issuedNoticeText(
      { ...base, number: "INV-2026-000002", kind: "credit", total: -11_000 },
      undefined,
    );
    expect(t.subject).toBe("返還請求書(適格返還請求書) INV-2026-000002 を発行しました(2026-11 分)");
    expect(t.body).toContain("返還額(税込): 11,000円");
    expect(t.body).toContain("11,000 yen incl. tax returned");
    expect(t.body).not.toMatch(/−|-11,000|お支払期日|, due/);
  });

  it("a corrected invoice says so", () => {
    const t = issuedNoticeText(
      { ...base, number: "INV-2026-000003", kind: "corrected", total: 100 },
      undefined,
    );
    expect(t.subject).toContain("訂正請求書 INV-2026-000003");
    expect(t.body).toContain("The corrected invoice INV-2026-000003");
  });
});
