/**
 * The invoice as a PDF: a Japanese qualified invoice (適格請求書) on A4 — issuer and registration
 * number, recipient, dates, lines with their articles, totals and consumption tax per rate, and the
 * basis. pdfkit embeds a subset of Noto Sans JP (from the npm package @expo-google-fonts/noto-sans-jp,
 * SIL OFL 1.1), so Japanese text renders on any machine.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
// @ts-expect-error fontkit ships no type declarations; only `create` is used, as pdfkit itself does.
import { create as openFont } from "fontkit";
import PDFDocument from "pdfkit";
import { articleJa } from "../core/articles.ts";
import type { InvoiceDocument, TaxCategory } from "./types.ts";

const require = createRequire(import.meta.url);
/** A parsed font (fontkit); pdfkit takes one in place of a file and subsets it per document. */
interface ParsedFont {
  layout(text: string): unknown;
}
let fonts: { regular: ParsedFont; bold: ParsedFont } | undefined;

/**
 * The fonts, read and parsed once per process: parsing the tables of a 5 MiB CJK font is most of
 * the cost of a PDF when pdfkit does it again for every document.
 */
function loadFonts() {
  if (!fonts) {
    const base = require
      .resolve("@expo-google-fonts/noto-sans-jp/package.json")
      .replace(/package\.json$/, "");
    fonts = {
      regular: openFont(fs.readFileSync(`${base}400Regular/NotoSansJP_400Regular.ttf`)),
      bold: openFont(fs.readFileSync(`${base}700Bold/NotoSansJP_700Bold.ttf`)),
    };
  }
  return fonts;
}

const yen = (n: number) => `${n < 0 ? "−" : ""}¥${Math.abs(n).toLocaleString("ja-JP")}`;

const CATEGORY_JA: Record<TaxCategory, string> = {
  "10": "10%",
  "8": "8%※",
  exempt: "非課税",
  "out-of-scope": "不課税",
};
const TOTAL_JA: Record<TaxCategory, string> = {
  "10": "10%対象",
  "8": "8%対象(軽減税率)",
  exempt: "非課税",
  "out-of-scope": "不課税",
};
const ROUNDING_JA = { down: "切り捨て", up: "切り上げ", "half-up": "四捨五入" } as const;

export { articleJa };

const RATE_PERCENT: Partial<Record<TaxCategory, number>> = { "10": 10, "8": 8 };

/** Art. 34 in Japanese: per rate, the net, the tax computed once for the invoice, and the total. */
function taxBasisJa(totals: InvoiceDocument["totals"], rounding: InvoiceDocument["taxRounding"]): string[] {
  const out = totals.byRate.map((r) => {
    const pct = RATE_PERCENT[r.category];
    return pct
      ? `第34条: ${TOTAL_JA[r.category]} ${yen(r.net)} × ${pct}% = 消費税 ${yen(r.tax)}(${ROUNDING_JA[rounding]}、税率ごとに請求書で1回)`
      : `第34条: ${TOTAL_JA[r.category]} ${yen(r.net)}(消費税はかかりません${r.category === "out-of-scope" ? "。遅延損害金(第33条)・特別利用料金(第32条)など" : ""})`;
  });
  out.push(
    `第34条: 適格請求書として税率ごとに合計と消費税額を記載しています。合計 ${yen(totals.net)} + 消費税 ${yen(totals.tax)} = ${yen(totals.total)}`,
  );
  return out;
}

const TITLE = {
  regular: "請求書",
  corrected: "請求書(訂正)",
  credit: "返還請求書(クレジットノート)",
} as const;

export async function renderInvoicePdf(
  doc: InvoiceDocument,
  opts: { lang?: "ja" | "en" } = {},
): Promise<Buffer> {
  const f = loadFonts();
  const pdf = new PDFDocument({
    size: "A4",
    margins: { top: 40, bottom: 50, left: 40, right: 40 },
    bufferPages: true,
    info: {
      Title: `${TITLE[doc.kind]} ${doc.number ?? "(下書き)"}`,
      Author: doc.issuer.name,
      Subject: `${doc.month} ${doc.recipient.name}`,
    },
  });
  // pdfkit accepts a parsed fontkit font (it checks for `layout`); its types only list files.
  pdf.registerFont("jp", f.regular as unknown as PDFKit.Mixins.PDFFontSource);
  pdf.registerFont("jpb", f.bold as unknown as PDFKit.Mixins.PDFFontSource);
  const chunks: Buffer[] = [];
  pdf.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on("end", () => resolve(Buffer.concat(chunks)));
    pdf.on("error", reject);
  });

  const left = 40;
  const right = pdf.page.width - 40;
  const width = right - left;
  const en = opts.lang === "en";

  // Header: title, number and dates (right), recipient (left), issuer (right).
  pdf.font("jpb").fontSize(20).text(TITLE[doc.kind], left, 40, { width, align: "center" });
  if (en)
    pdf
      .font("jp")
      .fontSize(9)
      .text(doc.kind === "credit" ? "Credit note" : "Invoice", { width, align: "center" });
  let y = 80;
  pdf.font("jp").fontSize(9);
  const meta: [string, string][] = [
    ["請求書番号", doc.number ?? "(未発行)"],
    ["発行日", doc.issueDate ?? "—"],
    ["支払期限", `${doc.dueDate} (第31条第3項)`],
    ["取引期間", `${doc.periodStart} 〜 ${doc.periodEnd}`],
  ];
  if (doc.refersTo) meta.push([doc.kind === "credit" ? "対象請求書" : "訂正前の請求書", doc.refersTo]);
  for (const [k, v] of meta) {
    pdf.text(k, 360, y, { width: 70 });
    pdf.text(v, 430, y, { width: right - 430 });
    y += 14;
  }
  pdf.font("jpb").fontSize(13).text(`${doc.recipient.name} 御中`, left, 84, { width: 300 });
  pdf.font("jp").fontSize(9);
  let ry = pdf.y + 4;
  for (const l of [
    doc.recipient.address ?? "",
    `お客様番号 ${doc.recipient.customerNumber}`,
    `契約番号 ${doc.recipient.contractNumber}`,
  ]) {
    if (!l) continue;
    pdf.text(l, left, ry, { width: 300 });
    ry = pdf.y + 2;
  }
  y = Math.max(y, ry) + 8;
  pdf
    .font("jpb")
    .fontSize(10)
    .text(doc.issuer.name, 360, y, { width: right - 360 });
  pdf.font("jp").fontSize(8.5);
  pdf.text(`登録番号 ${doc.issuer.registrationNumber}`, 360, pdf.y + 1, { width: right - 360 });
  pdf.text(doc.issuer.address, 360, pdf.y + 1, { width: right - 360 });
  if (doc.issuer.phone) pdf.text(`TEL ${doc.issuer.phone}`, 360, pdf.y + 1, { width: right - 360 });
  const issuerBottom = pdf.y;

  // Amount due, prominent.
  y = Math.max(issuerBottom, y) + 14;
  pdf.rect(left, y, 300, 34).lineWidth(1).stroke("#333333");
  pdf
    .font("jp")
    .fontSize(9)
    .fillColor("black")
    .text(doc.kind === "credit" ? "ご返還額(税込)" : "ご請求金額(税込)", left + 8, y + 11);
  pdf
    .font("jpb")
    .fontSize(16)
    .text(yen(doc.totals.total), left + 110, y + 6, { width: 180, align: "right" });
  y += 48;

  if (doc.status !== "issued") {
    const banner =
      doc.status === "void"
        ? `無効 (VOID)${doc.voidReason ? `: ${doc.voidReason}` : ""}`
        : "下書き (DRAFT) — 発行前の確認用";
    pdf.save();
    pdf.rect(left, y, width, 20).fill(doc.status === "void" ? "#b00020" : "#8a6d00");
    pdf
      .fillColor("white")
      .font("jpb")
      .fontSize(10)
      .text(banner, left + 8, y + 5, { width: width - 16 });
    pdf.restore();
    pdf.fillColor("black");
    y += 28;
  }

  // Lines.
  const cols = [
    { key: "no", label: "No.", x: left, w: 22, align: "right" as const },
    { key: "desc", label: "内容", x: left + 26, w: 186, align: "left" as const },
    { key: "qty", label: "数量", x: left + 214, w: 28, align: "right" as const },
    { key: "unit", label: "単価", x: left + 244, w: 62, align: "right" as const },
    { key: "amount", label: "金額(税抜)", x: left + 308, w: 68, align: "right" as const },
    { key: "tax", label: "税区分", x: left + 380, w: 36, align: "center" as const },
    { key: "art", label: "根拠", x: left + 420, w: right - left - 420, align: "left" as const },
  ];
  const pageBottom = pdf.page.height - 60;
  const header = (at: number) => {
    pdf.save();
    pdf.rect(left, at, width, 16).fill("#e8e8e8");
    pdf.restore();
    pdf.fillColor("black").font("jpb").fontSize(8.5);
    for (const c of cols) pdf.text(c.label, c.x, at + 4, { width: c.w, align: c.align });
    return at + 18;
  };
  y = header(y);
  pdf.font("jp").fontSize(8.5);
  doc.lines.forEach((l, i) => {
    const descHeight = pdf.heightOfString(l.description, { width: cols[1]!.w });
    const artHeight = pdf.heightOfString(articleJa(l.article), { width: cols[6]!.w });
    const rowH = Math.max(14, descHeight + 4, artHeight + 4);
    if (y + rowH > pageBottom) {
      pdf.addPage();
      y = header(40);
      pdf.font("jp").fontSize(8.5);
    }
    const cells: Record<string, string> = {
      no: String(i + 1),
      desc: l.description,
      qty: String(l.quantity),
      unit: yen(l.unitPrice),
      amount: yen(l.amount),
      tax: CATEGORY_JA[l.taxCategory],
      art: articleJa(l.article),
    };
    for (const c of cols) pdf.text(cells[c.key]!, c.x, y + 2, { width: c.w, align: c.align });
    y += rowH;
    pdf.moveTo(left, y).lineTo(right, y).lineWidth(0.3).stroke("#bbbbbb");
  });

  // Totals per rate (適格請求書: 税率ごとに区分した合計額と消費税額).
  const totalsHeight = 22 + 14 * (doc.totals.byRate.length + 2);
  if (y + totalsHeight > pageBottom) {
    pdf.addPage();
    y = 40;
  }
  y += 10;
  pdf.font("jp").fontSize(9).fillColor("black");
  const tx = left + 250;
  const row = (label: string, net: string, tax: string, bold = false) => {
    pdf.font(bold ? "jpb" : "jp");
    pdf.text(label, tx, y, { width: 110 });
    pdf.text(net, tx + 110, y, { width: 84, align: "right" });
    pdf.text(tax, tx + 196, y, { width: right - tx - 196, align: "right" });
    y += 14;
  };
  row("税率区分", "対象額(税抜)", "消費税額");
  for (const r of doc.totals.byRate)
    row(TOTAL_JA[r.category], yen(r.net), r.category === "10" || r.category === "8" ? yen(r.tax) : "—");
  pdf.moveTo(tx, y).lineTo(right, y).lineWidth(0.5).stroke("#333333");
  y += 3;
  row("合計", yen(doc.totals.net), yen(doc.totals.tax));
  row("総額(税込)", "", yen(doc.totals.total), true);

  // Basis and notes.
  y += 10;
  const notes = [
    `消費税は税率ごとに1回、${ROUNDING_JA[doc.taxRounding]}で計算しています(第34条)。※は軽減税率(8%)対象。遅延損害金・特別利用料金は不課税です。`,
    "料金は月を単位とし、日割り計算・返金は行いません(第29条第6項)。振込手数料はお客様のご負担となります(第30条第6項)。",
    ...(doc.issuer.bankAccount ? [`お振込先: ${doc.issuer.bankAccount}`] : []),
    // The customer's document is Japanese: the tax computation is explained from the totals; the
    // English basis of the console goes on the English copy only.
    ...(en
      ? doc.basis.map((b) => `${articleJa(b.article)}: ${b.text}`)
      : taxBasisJa(doc.totals, doc.taxRounding)),
  ];
  pdf.font("jp").fontSize(7.5).fillColor("#333333");
  for (const n of notes) {
    const h = pdf.heightOfString(n, { width });
    if (y + h > pageBottom) {
      pdf.addPage();
      y = 40;
    }
    pdf.text(n, left, y, { width });
    y = pdf.y + 3;
  }

  // Page numbers.
  const range = pdf.bufferedPageRange();
  for (let i = 0; i < range.count; i++) {
    pdf.switchToPage(range.start + i);
    pdf.page.margins.bottom = 0; // the footer sits in the margin; no automatic page break
    pdf
      .font("jp")
      .fontSize(8)
      .fillColor("#555555")
      .text(`${doc.number ?? "下書き"}   ${i + 1} / ${range.count}`, left, pdf.page.height - 35, {
        width,
        align: "right",
        lineBreak: false,
      });
  }
  pdf.end();
  return done;
}
