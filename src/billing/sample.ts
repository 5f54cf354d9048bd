/** Realistic sample invoices for tests, benches and the look of the PDF. */
import { invoiceTax } from "./rules.ts";
import type { ChargeLine, InvoiceDocument } from "./types.ts";

const LINES: ChargeLine[] = [
  {
    itemCode: "monthly-standard",
    description: "運用支援サービス スタンダード 月額",
    descriptionEn: "Operations support Standard, monthly",
    kind: "monthly",
    taxCategory: "10",
    quantity: 1,
    unitPrice: 80_000,
    amount: 80_000,
    article: "29(1)",
    note: "Monthly fee",
    noteJa: "月間費用",
  },
  {
    itemCode: "option-backup",
    description: "バックアップオプション 月額",
    descriptionEn: "Backup option, monthly",
    kind: "monthly",
    taxCategory: "10",
    quantity: 1,
    unitPrice: 10_000,
    amount: 10_000,
    article: "29(1)",
    note: "Option",
    noteJa: "オプション",
  },
  {
    itemCode: "cloud-usage",
    description: "AWS利用料 2026-10 (アカウント 123456789012)",
    descriptionEn: "AWS usage 2026-10 (account 123456789012)",
    kind: "usage",
    taxCategory: "10",
    quantity: 1,
    unitPrice: 45_678,
    amount: 45_678,
    article: "29(1)(3)",
    note: "Usage",
    noteJa: "利用料",
  },
  {
    itemCode: null,
    description: "遅延損害金 (請求書 INV-2026-000012, 年14.5%)",
    descriptionEn: "Late fee (invoice INV-2026-000012, 14.5 % a year)",
    kind: "late-fee",
    taxCategory: "out-of-scope",
    quantity: 1,
    unitPrice: 262,
    amount: 262,
    article: "33",
    note: "Late fee",
    noteJa: "遅延損害金",
  },
  {
    itemCode: null,
    description: "SLA返還 2026-10 (利用不能 7.5時間, 10%)",
    descriptionEn: "SLA credit 2026-10 (7.5 h unavailable, 10%)",
    kind: "credit",
    taxCategory: "10",
    quantity: 1,
    unitPrice: -8_000,
    amount: -8_000,
    article: "36(1)",
    note: "Credit",
    noteJa: "返還",
  },
  {
    itemCode: "food-8",
    description: "会議用 弁当 (軽減税率)",
    descriptionEn: "Lunch boxes for a meeting (reduced rate)",
    kind: "other",
    taxCategory: "8",
    quantity: 3,
    unitPrice: 1_080,
    amount: 3_240,
    article: "29(1)",
    note: "8 %",
    noteJa: "軽減税率 8%",
  },
];

export function sampleInvoice(
  i: number,
  lineCount = 5,
  status: InvoiceDocument["status"] = "issued",
): InvoiceDocument {
  const lines: ChargeLine[] = [];
  for (let n = 0; n < lineCount; n++) {
    const base = LINES[n % LINES.length]!;
    lines.push(n < LINES.length ? base : { ...base, description: `${base.description} (${n + 1})` });
  }
  const totals = invoiceTax(lines.map((l) => ({ amount: l.amount, taxCategory: l.taxCategory })));
  return {
    number: status === "draft" ? null : `INV-2026-${String(i + 1).padStart(6, "0")}`,
    status,
    kind: "regular",
    refersTo: null,
    month: "2026-11",
    issueDate: status === "draft" ? null : "2026-11-24",
    dueDate: "2026-12-31",
    periodStart: "2026-11-01",
    periodEnd: "2026-11-30",
    issuer: {
      name: "運用支援サービス株式会社",
      registrationNumber: "T8000000000001",
      address: "東京都千代田区霞が関3-1-1",
      phone: "03-0000-0000",
      bankAccount: "デモ銀行 本店 普通 1234567 ウンヨウシエンサービス(カ",
    },
    recipient: {
      name: `株式会社サンプル商事${i > 0 ? ` 第${i}営業部` : ""}`,
      address: "東京都港区芝公園4-2-8",
      customerNumber: "1010001000006",
      contractNumber: `C-2026-${String(i + 1).padStart(6, "0")}`,
    },
    lines,
    totals: totals.result,
    taxRounding: "down",
    voidReason: status === "void" ? "宛名の誤りのため訂正" : null,
    basis: totals.basis,
  };
}
