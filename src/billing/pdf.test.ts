import fs from "node:fs";
import { createCanvas } from "@napi-rs/canvas";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { describe, expect, it } from "vitest";
import { articleJa, renderInvoicePdf } from "./pdf.ts";
import { invoiceTax } from "./rules.ts";
import { sampleInvoice } from "./sample.ts";
import type { InvoiceDocument } from "./types.ts";

async function open(pdf: Buffer) {
  return getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
}

async function textOf(pdf: Buffer): Promise<string[]> {
  const doc = await open(pdf);
  const pages: string[] = [];
  for (let p = 1; p <= doc.numPages; p++) {
    const content = await (await doc.getPage(p)).getTextContent();
    pages.push(content.items.map((i) => ("str" in i ? i.str : "")).join(""));
  }
  return pages;
}

describe("invoice PDF (qualified invoice, Japanese)", () => {
  it("carries the issuer, registration number, recipient, per-rate totals and amounts as real text", async () => {
    const doc = sampleInvoice(0, 6);
    const pdf = await renderInvoicePdf(doc);
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const [page] = await textOf(pdf);
    for (const s of [
      "請求書",
      "運用支援サービス株式会社",
      "登録番号 T8000000000001",
      "株式会社サンプル商事 御中",
      "INV-2026-000001",
      "支払期限",
      "10%対象",
      "8%対象",
      "不課税",
      "消費税は税率ごとに1回",
      `¥${doc.totals.total.toLocaleString("ja-JP")}`,
      "−¥8,000",
      "第29条第1項第3号",
    ])
      expect(page, s).toContain(s);
  });

  it("explains the tax per rate in Japanese on the customer's copy, in English only on the English one", async () => {
    const doc = sampleInvoice(0, 6);
    const ten = doc.totals.byRate.find((r) => r.category === "10")!;
    const ja = (await textOf(await renderInvoicePdf(doc))).join("");
    expect(ja).toContain(
      `10%対象 ¥${ten.net.toLocaleString("ja-JP")} × 10% = 消費税 ¥${ten.tax.toLocaleString("ja-JP")}`,
    );
    expect(ja).toContain(
      `合計 ¥${doc.totals.net.toLocaleString("ja-JP")} + 消費税 ¥${doc.totals.tax.toLocaleString("ja-JP")} = ¥${doc.totals.total.toLocaleString("ja-JP")}`,
    );
    expect(ja).not.toMatch(/lines total|rounded|Qualified invoice/);
    const en = (await textOf(await renderInvoicePdf(doc, { lang: "en" }))).join("");
    expect(en).toContain(
      `Taxable at 10% ¥${ten.net.toLocaleString("en-US")} × 10% = consumption tax ¥${ten.tax.toLocaleString("en-US")} (rounded down, once per rate)`,
    );
  });

  it("renders to a non-blank page image (test-artifacts/invoice-sample.png)", async () => {
    const pdf = await renderInvoicePdf(sampleInvoice(0, 6));
    const doc = await open(pdf);
    const page = await doc.getPage(1);
    const viewport = page.getViewport({ scale: 1.5 });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "white";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    // biome-ignore lint/suspicious/noExplicitAny: pdf.js takes the node canvas's context
    await page.render({ canvasContext: ctx as any, viewport, canvas: canvas as any }).promise;
    fs.mkdirSync("test-artifacts", { recursive: true });
    fs.writeFileSync("test-artifacts/invoice-sample.png", canvas.toBuffer("image/png"));
    // The title band (top 12 % of the page) has ink.
    const top = ctx.getImageData(0, 0, canvas.width, Math.floor(canvas.height * 0.12)).data;
    let dark = 0;
    for (let i = 0; i < top.length; i += 4) if (top[i]! < 128) dark++;
    expect(dark).toBeGreaterThan(500);
  });

  it("paginates many lines with the table header on each page and page numbers", async () => {
    const pdf = await renderInvoicePdf(sampleInvoice(1, 60));
    const pages = await textOf(pdf);
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const [i, p] of pages.entries()) {
      // Every page that carries lines repeats the table header.
      if (/運用支援サービス スタンダード 月額/.test(p)) expect(p).toContain("内容");
      expect(p).toContain(`${i + 1} / ${pages.length}`);
    }
    expect(pages[1]).toContain("内容");
    expect(pages.join("")).toContain("(60)");
  });

  it("marks drafts and void invoices", async () => {
    expect((await textOf(await renderInvoicePdf(sampleInvoice(2, 3, "draft"))))[0]).toContain("下書き");
    const v = (await textOf(await renderInvoicePdf(sampleInvoice(3, 3, "void"))))[0]!;
    expect(v).toContain("無効");
    expect(v).toContain("宛名の誤りのため訂正");
  });

  it("names articles in Japanese", () => {
    expect(articleJa("29(1)(3)")).toBe("第29条第1項第3号");
    expect(articleJa("33")).toBe("第33条");
    expect(articleJa("36(1)")).toBe("第36条第1項");
  });
});

/** A document of each kind, as the invoices queries make them (sample data; lines from the sample). */
function kindOf(kind: "regular" | "corrected" | "credit" | "void" | "draft") {
  if (kind === "void") {
    const d = sampleInvoice(3, 3, "void");
    return { ...d, voidedOn: "2026-11-26", replacedBy: "INV-2026-000009" };
  }
  if (kind === "draft") return sampleInvoice(2, 3, "draft");
  const d = sampleInvoice(4, 6);
  if (kind === "corrected")
    return {
      ...d,
      kind,
      number: "INV-2026-000009",
      refersTo: "INV-2026-000004",
      refersToIssueDate: "2026-11-02",
      correctionReason: "宛名の誤り",
    } as const;
  if (kind === "credit") {
    const lines = [
      {
        ...d.lines[0]!,
        description: "障害対応の遅延による値引き",
        descriptionEn: null,
        kind: "credit" as const,
        unitPrice: -20_000,
        amount: -20_000,
        article: "31(1)",
      },
      {
        ...d.lines[5]!,
        kind: "credit" as const,
        quantity: 1,
        unitPrice: -1_080,
        amount: -1_080,
        article: "31(1)",
      },
    ];
    const totals = invoiceTax(lines.map((l) => ({ amount: l.amount, taxCategory: l.taxCategory })));
    return {
      ...d,
      kind,
      number: "INV-2026-000010",
      refersTo: "INV-2026-000004",
      refersToIssueDate: "2026-11-02",
      issueDate: "2026-11-27",
      returnDate: "2026-11-30",
      creditReason: "11月の障害対応遅延(第36条)",
      lines,
      totals: totals.result,
      basis: totals.basis,
    } as const;
  }
  return d;
}

/** Japanese words that must not be on an English document (labels, notes, article names). */
const JAPANESE_LABELS = [
  "請求書",
  "御中",
  "発行日",
  "支払期限",
  "取引期間",
  "登録番号",
  "お客様番号",
  "契約番号",
  "内容",
  "数量",
  "単価",
  "金額",
  "税区分",
  "根拠",
  "税率",
  "消費税",
  "合計",
  "総額",
  "返還",
  "無効",
  "下書き",
  "お振込先",
  "デモ",
  "対象",
];

describe("each kind of document in both languages (what a Japanese accountant checks)", () => {
  const texts = new Map<string, string>();
  const text = async (kind: Parameters<typeof kindOf>[0], lang: "ja" | "en") => {
    const key = `${kind}/${lang}`;
    if (!texts.has(key))
      texts.set(key, (await textOf(await renderInvoicePdf(kindOf(kind), { lang }))).join("\n"));
    return texts.get(key)!;
  };

  it.each(["regular", "corrected", "credit", "void", "draft"] as const)(
    "the English %s document is wholly English: no Japanese label, article or note",
    async (kind) => {
      // What is someone's own words stays as written: names, addresses, the bank account, reasons, and
      // a line's description without an English one. Everything else is English.
      const d: InvoiceDocument = kindOf(kind);
      let en = await text(kind, "en");
      for (const own of [
        d.recipient.name,
        d.recipient.address,
        d.issuer.name,
        d.issuer.address,
        d.issuer.bankAccount,
        d.voidReason,
        d.creditReason,
        d.correctionReason,
        ...d.lines.flatMap((l) => (l.descriptionEn ? [] : [l.description])),
      ])
        if (own) en = en.replaceAll(own, "");
      for (const word of JAPANESE_LABELS) expect(en, word).not.toContain(word);
      expect(en).not.toMatch(/第\d+条/);
      expect(en).toContain("Registration no. T8000000000001");
      expect(en).toContain("(a demo number; it belongs to no real business)");
    },
  );

  it("an invoice states every item of a qualified invoice, in Japanese and in English", async () => {
    const d = kindOf("regular");
    const total = `¥${d.totals.total.toLocaleString("ja-JP")}`;
    const ja = await text("regular", "ja");
    for (const s of [
      "請求書",
      "適格請求書",
      "INV-2026-000005",
      "発行日",
      "2026-11-24",
      "取引期間",
      "2026-11-01 〜 2026-11-30",
      "株式会社サンプル商事 第4営業部 御中",
      "運用支援サービス株式会社",
      "登録番号 T8000000000001",
      "デモ用の番号",
      "10%対象",
      "8%対象(軽減税率)",
      "8%※",
      "※は軽減税率(8%)対象",
      "消費税額",
      "支払期限",
      "2026-12-31 (第31条第3項)",
      "お振込先",
      "ご請求金額(税込)",
      total,
      "本書は適格請求書です(消費税法第57条の4第1項)",
    ])
      expect(ja, s).toContain(s);
    const en = await text("regular", "en");
    for (const s of [
      "Invoice",
      "Qualified invoice (Japan)",
      "Issue date 2026-11-24",
      "Period 2026-11-01 to 2026-11-30",
      "To: 株式会社サンプル商事 第4営業部",
      "Taxable at 10%",
      "Taxable at 8% (reduced)",
      "Consumption tax",
      "Due date 2026-12-31 (Art. 31(3))",
      "Pay by bank transfer to:",
      "Amount due (tax incl.)",
      total,
      "Operations support Standard, monthly",
      "Art. 29(1)(3)",
      "This is a qualified invoice (Consumption Tax Act, Art. 57-4(1))",
    ])
      expect(en, s).toContain(s);
  });

  it("a corrected invoice is titled so, names the invoice it corrects, its date and the reason", async () => {
    const ja = await text("corrected", "ja");
    for (const s of [
      "訂正請求書",
      "訂正前の請求書 INV-2026-000004",
      "訂正前の発行日 2026-11-02",
      "訂正の理由: 宛名の誤り",
      "訂正前の請求書は無効です",
      "支払期限",
    ])
      expect(ja, s).toContain(s);
    const en = await text("corrected", "en");
    for (const s of [
      "Corrected invoice",
      "Corrects invoice INV-2026-000004",
      "That invoice issued 2026-11-02",
      "Reason for the correction: 宛名の誤り",
      "Due date",
    ])
      expect(en, s).toContain(s);
  });

  it("a credit note is a qualified return invoice: return date, original and its date, per-rate returns and tax, reason — and no payment wording", async () => {
    const d = kindOf("credit");
    const ja = await text("credit", "ja");
    const returned = `¥${(-d.totals.total).toLocaleString("ja-JP")}`;
    for (const s of [
      "適格返還請求書",
      "返還日 2026-11-30",
      "対象請求書 INV-2026-000004",
      "対象請求書の発行日 2026-11-02",
      "取引期間 2026-11-01 〜 2026-11-30",
      `返還額(税込) ${returned}`,
      "返還に係る消費税額",
      "10%対象",
      "8%対象(軽減税率)",
      "返還の理由: 11月の障害対応遅延(第36条)",
      "消費税法第57条の4第3項",
      "¥20,000",
      "登録番号 T8000000000001",
    ])
      expect(ja, s).toContain(s);
    for (const s of [
      "支払期限",
      "お振込先",
      "日割り",
      "返金は行いません",
      "本書は適格請求書です",
      "ご請求金額",
      "−¥",
    ])
      expect(ja, s).not.toContain(s);
    for (const r of d.totals.byRate) expect(ja).toContain(`¥${(-r.tax).toLocaleString("ja-JP")}`);
    const en = await text("credit", "en");
    for (const s of [
      "Credit note",
      "Qualified return invoice",
      "Return date 2026-11-30",
      "Original invoice INV-2026-000004",
      "Original issued 2026-11-02",
      `Amount returned (tax incl.) ${returned}`,
      "Tax returned",
      "Reason for the return: 11月の障害対応遅延(第36条)",
      "Consumption Tax Act, Art. 57-4(3)",
    ])
      expect(en, s).toContain(s);
    for (const s of ["Due date", "Pay by", "proration", "Amount due", "−¥"]) expect(en, s).not.toContain(s);
  });

  it("a void invoice says when and why, and names the invoice that replaces it", async () => {
    const ja = await text("void", "ja");
    expect(ja).toContain("無効 (VOID) 2026-11-26: 宛名の誤りのため訂正 — 訂正後の請求書 INV-2026-000009");
    const en = await text("void", "en");
    expect(en).toContain("VOID since 2026-11-26: 宛名の誤りのため訂正 — replaced by INV-2026-000009");
  });

  it("a draft says it is not a document yet", async () => {
    expect(await text("draft", "ja")).toContain("下書き (DRAFT) — 発行前の確認用");
    expect(await text("draft", "en")).toContain("DRAFT — for review before issue");
    expect(await text("draft", "en")).toContain("(not issued)");
  });
});
