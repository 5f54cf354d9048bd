import fs from "node:fs";
import { createCanvas } from "@napi-rs/canvas";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { describe, expect, it } from "vitest";
import { articleJa, renderInvoicePdf } from "./pdf.ts";
import { sampleInvoice } from "./sample.ts";

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
      "登録番号 T7000012050002",
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
    expect(en).toMatch(/lines total/);
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
