/**
 * The invoice as a PDF on A4, in Japanese or wholly in English (amounts in yen either way):
 * - an invoice or a corrected invoice (訂正請求書) is a qualified invoice (適格請求書, Consumption Tax
 *   Act 57-4(1)): issuer and registration number, recipient, transaction period, lines with their
 *   articles, totals and consumption tax per rate (rounded once per rate, Art. 34), the due date and
 *   where to pay; a corrected one names the invoice it corrects and why;
 * - a credit note is a qualified return invoice (適格返還請求書, 57-4(3)): the day of the return, the
 *   original invoice and its date, the amounts returned and their tax per rate, and the reason — and
 *   no payment wording;
 * - a void one says so, why, and which invoice replaces it; a draft says it is not a document yet.
 * pdfkit embeds a subset of Noto Sans JP (from the npm package @expo-google-fonts/noto-sans-jp,
 * SIL OFL 1.1), so Japanese text renders on any machine.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
// @ts-expect-error fontkit ships no type declarations; only `create` is used, as pdfkit itself does.
import { create as openFont } from "fontkit";
import PDFDocument from "pdfkit";
import { articleJa, articleLabel } from "../core/articles.ts";
import { isDemoRegistrationNumber } from "./rules.ts";
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

type Lang = "ja" | "en";

/** Yen as the document prints it; on a credit note amounts are what is returned (no double negative). */
const yen = (n: number) => `${n < 0 ? "−" : ""}¥${Math.abs(n).toLocaleString("ja-JP")}`;

const CATEGORY: Record<Lang, Record<TaxCategory, string>> = {
  ja: { "10": "10%", "8": "8%※", exempt: "非課税", "out-of-scope": "不課税" },
  en: { "10": "10%", "8": "8%※", exempt: "Exempt", "out-of-scope": "Out of scope" },
};
const RATE_TOTAL: Record<Lang, Record<TaxCategory, string>> = {
  ja: { "10": "10%対象", "8": "8%対象(軽減税率)", exempt: "非課税", "out-of-scope": "不課税" },
  en: {
    "10": "Taxable at 10%",
    "8": "Taxable at 8% (reduced)",
    exempt: "Exempt",
    "out-of-scope": "Out of scope",
  },
};
const ROUNDING: Record<Lang, Record<InvoiceDocument["taxRounding"], string>> = {
  ja: { down: "切り捨て", up: "切り上げ", "half-up": "四捨五入" },
  en: { down: "rounded down", up: "rounded up", "half-up": "rounded half up" },
};

const RATE_PERCENT: Partial<Record<TaxCategory, number>> = { "10": 10, "8": 8 };

/** Every word the document prints, per language. */
const WORDS = {
  ja: {
    title: { regular: "請求書", corrected: "訂正請求書", credit: "適格返還請求書" },
    subtitle: {
      regular: "適格請求書",
      corrected: "適格請求書(訂正)",
      credit: "対価の返還等に係る適格返還請求書",
    },
    number: "番号",
    draftNumber: "(未発行)",
    issueDate: "発行日",
    dueDate: "支払期限",
    period: "取引期間",
    returnDate: "返還日",
    original: "対象請求書",
    originalIssued: "対象請求書の発行日",
    corrects: "訂正前の請求書",
    correctsIssued: "訂正前の発行日",
    to: (name: string) => `${name} 御中`,
    customerNumber: "お客様番号",
    contractNumber: "契約番号",
    registration: "登録番号",
    demo: "(デモ用の番号です。実在の事業者のものではありません)",
    phone: "TEL",
    amountDue: "ご請求金額(税込)",
    amountReturned: "返還額(税込)",
    cols: ["No.", "内容", "数量", "単価", "金額(税抜)", "税区分", "根拠"],
    colsCredit: ["No.", "内容", "数量", "単価", "返還額(税抜)", "税区分", "根拠"],
    rateHead: ["税率区分", "対象額(税抜)", "消費税額"],
    rateHeadCredit: ["税率区分", "返還額(税抜)", "返還消費税額"],
    sum: "合計",
    total: "総額(税込)",
    totalReturned: "返還額 総額(税込)",
    draft: "下書き (DRAFT) — 発行前の確認用",
    void: (d: InvoiceDocument) =>
      `無効 (VOID)${d.voidedOn ? ` ${d.voidedOn}` : ""}${d.voidReason ? `: ${d.voidReason}` : ""}${d.replacedBy ? ` — 訂正後の請求書 ${d.replacedBy === "draft" ? "(作成中)" : d.replacedBy}` : ""}`,
    range: (a: string, b: string) => `${a} 〜 ${b}`,
    page: (i: number, n: number) => `${i} / ${n}`,
    draftFooter: "下書き",
  },
  en: {
    title: { regular: "Invoice", corrected: "Corrected invoice", credit: "Credit note" },
    subtitle: {
      regular: "Qualified invoice (Japan)",
      corrected: "Qualified invoice, corrected",
      credit: "Qualified return invoice for a return of consideration (Japan)",
    },
    number: "Number",
    draftNumber: "(not issued)",
    issueDate: "Issue date",
    dueDate: "Due date",
    period: "Period",
    returnDate: "Return date",
    original: "Original invoice",
    originalIssued: "Original issued",
    corrects: "Corrects invoice",
    correctsIssued: "That invoice issued",
    to: (name: string) => `To: ${name}`,
    customerNumber: "Customer no.",
    contractNumber: "Contract no.",
    registration: "Registration no.",
    demo: "(a demo number; it belongs to no real business)",
    phone: "Tel.",
    amountDue: "Amount due (tax incl.)",
    amountReturned: "Amount returned (tax incl.)",
    cols: ["No.", "Description", "Qty", "Unit price", "Amount (excl. tax)", "Tax", "Basis"],
    colsCredit: ["No.", "Description", "Qty", "Unit price", "Returned (excl. tax)", "Tax", "Basis"],
    rateHead: ["Tax rate", "Net (excl. tax)", "Consumption tax"],
    rateHeadCredit: ["Tax rate", "Returned (excl. tax)", "Tax returned"],
    sum: "Total",
    total: "Total (tax incl.)",
    totalReturned: "Total returned (tax incl.)",
    draft: "DRAFT — for review before issue",
    void: (d: InvoiceDocument) =>
      `VOID${d.voidedOn ? ` since ${d.voidedOn}` : ""}${d.voidReason ? `: ${d.voidReason}` : ""}${d.replacedBy ? ` — replaced by ${d.replacedBy === "draft" ? "a corrected invoice in preparation" : d.replacedBy}` : ""}`,
    range: (a: string, b: string) => `${a} to ${b}`,
    page: (i: number, n: number) => `Page ${i} of ${n}`,
    draftFooter: "Draft",
  },
} as const;

/** Art. 34, per rate: the net, the tax computed once for the document, and the total. */
function taxBasis(doc: InvoiceDocument, lang: Lang): string[] {
  const credit = doc.kind === "credit";
  const { totals } = doc;
  const rounding = ROUNDING[lang][doc.taxRounding];
  const art = articleLabel("34", lang);
  const out = totals.byRate.map((r) => {
    const pct = RATE_PERCENT[r.category];
    const net = yen(credit ? -r.net : r.net);
    const tax = yen(credit ? -r.tax : r.tax);
    const name = RATE_TOTAL[lang][r.category];
    if (lang === "ja")
      return pct
        ? `${art}: ${name}${credit ? "の返還額" : ""} ${net} × ${pct}% = ${credit ? "返還に係る消費税額" : "消費税"} ${tax}(${rounding}、税率ごとに1回)`
        : `${art}: ${name} ${net}(消費税はかかりません${r.category === "out-of-scope" ? "。遅延損害金(第33条)・特別利用料金(第32条)など" : ""})`;
    return pct
      ? `${art}: ${name}${credit ? ", returned" : ""} ${net} × ${pct}% = consumption tax ${tax} (${rounding}, once per rate)`
      : `${art}: ${name} ${net} (no consumption tax${r.category === "out-of-scope" ? "; e.g. late fees, Art. 33, and special fees, Art. 32" : ""})`;
  });
  const sign = (n: number) => yen(credit ? -n : n);
  out.push(
    lang === "ja"
      ? `${art}: ${credit ? "返還額を" : ""}税率ごとに区分して合計と消費税額を記載しています。合計 ${sign(totals.net)} + 消費税 ${sign(totals.tax)} = ${sign(totals.total)}`
      : `${art}: ${credit ? "the amounts returned, " : ""}totals and consumption tax shown per tax rate. Total ${sign(totals.net)} + consumption tax ${sign(totals.tax)} = ${sign(totals.total)}`,
  );
  return out;
}

/** The notes under the totals: what the document is, what it rests on, and (invoices only) how to pay. */
function notesOf(doc: InvoiceDocument, lang: Lang): string[] {
  const ja = lang === "ja";
  const rounding = ROUNDING[lang][doc.taxRounding];
  if (doc.kind === "credit")
    return [
      ja
        ? `本書は消費税法第57条の4第3項に定める適格返還請求書です。請求書 ${doc.refersTo ?? ""}${doc.refersToIssueDate ? `(${doc.refersToIssueDate} 発行)` : ""}の取引(${doc.periodStart} 〜 ${doc.periodEnd})に係る対価の返還を、返還日 ${doc.returnDate ?? doc.issueDate ?? "—"} に行います。`
        : `This is a qualified return invoice (Consumption Tax Act, Art. 57-4(3)). It returns part of the consideration of invoice ${doc.refersTo ?? ""}${doc.refersToIssueDate ? ` issued ${doc.refersToIssueDate}` : ""} for the period ${doc.periodStart} to ${doc.periodEnd}; the return is made on ${doc.returnDate ?? doc.issueDate ?? "—"}.`,
      ja ? `返還の理由: ${doc.creditReason ?? "—"}` : `Reason for the return: ${doc.creditReason ?? "—"}`,
      ja
        ? `返還に係る消費税額は税率ごとに1回、${rounding}で計算しています(第34条)。※は軽減税率(8%)対象。`
        : `The consumption tax returned is computed once per tax rate, ${rounding} (Art. 34). ※ marks the reduced rate (8%).`,
      ...taxBasis(doc, lang),
    ];
  return [
    ...(doc.kind === "corrected"
      ? [
          ja
            ? `本書は請求書 ${doc.refersTo ?? ""}${doc.refersToIssueDate ? `(${doc.refersToIssueDate} 発行)` : ""}を訂正する請求書です。訂正前の請求書は無効です。訂正の理由: ${doc.correctionReason ?? "—"}`
            : `This invoice corrects invoice ${doc.refersTo ?? ""}${doc.refersToIssueDate ? ` issued ${doc.refersToIssueDate}` : ""}, which is void. Reason for the correction: ${doc.correctionReason ?? "—"}`,
        ]
      : []),
    ja
      ? `本書は適格請求書です(消費税法第57条の4第1項)。消費税は税率ごとに1回、${rounding}で計算しています(第34条)。※は軽減税率(8%)対象。遅延損害金・特別利用料金は不課税です。`
      : `This is a qualified invoice (Consumption Tax Act, Art. 57-4(1)). Consumption tax is computed once per tax rate, ${rounding} (Art. 34). ※ marks the reduced rate (8%). Late fees and special fees are outside the scope of consumption tax.`,
    ja
      ? "料金は月を単位とし、日割り計算・返金は行いません(第29条第6項)。振込手数料はお客様のご負担となります(第30条第6項)。"
      : "Fees are charged by the month, without proration or refunds (Art. 29(6)). Bank transfer charges are borne by the customer (Art. 30(6)).",
    ...(doc.issuer.bankAccount
      ? [ja ? `お振込先: ${doc.issuer.bankAccount}` : `Pay by bank transfer to: ${doc.issuer.bankAccount}`]
      : []),
    ...taxBasis(doc, lang),
  ];
}

export async function renderInvoicePdf(doc: InvoiceDocument, opts: { lang?: Lang } = {}): Promise<Buffer> {
  const lang: Lang = opts.lang ?? "ja";
  const w = WORDS[lang];
  const credit = doc.kind === "credit";
  // On a credit note every amount is a return: printed as the amount returned, without a minus.
  const shown = (n: number) => yen(credit ? -n : n);
  const f = loadFonts();
  const pdf = new PDFDocument({
    size: "A4",
    margins: { top: 40, bottom: 50, left: 40, right: 40 },
    bufferPages: true,
    lang: lang === "ja" ? "ja-JP" : "en",
    info: {
      Title: `${w.title[doc.kind]} ${doc.number ?? w.draftNumber}`,
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

  // Header: title and what kind of document it is, number and dates (right), recipient (left), issuer.
  pdf.font("jpb").fontSize(20).text(w.title[doc.kind], left, 36, { width, align: "center" });
  pdf.font("jp").fontSize(8.5).text(w.subtitle[doc.kind], { width, align: "center" });
  let y = 80;
  pdf.font("jp").fontSize(8.5);
  const meta: [string, string][] = [
    [w.number, doc.number ?? w.draftNumber],
    [w.issueDate, doc.issueDate ?? "—"],
  ];
  if (credit) {
    meta.push([w.returnDate, doc.returnDate ?? doc.issueDate ?? "—"]);
    if (doc.refersTo) meta.push([w.original, doc.refersTo]);
    if (doc.refersToIssueDate) meta.push([w.originalIssued, doc.refersToIssueDate]);
    meta.push([w.period, w.range(doc.periodStart, doc.periodEnd)]);
  } else {
    meta.push([w.dueDate, `${doc.dueDate} (${articleLabel("31(3)", lang)})`]);
    meta.push([w.period, w.range(doc.periodStart, doc.periodEnd)]);
    if (doc.refersTo) meta.push([w.corrects, doc.refersTo]);
    if (doc.refersTo && doc.refersToIssueDate) meta.push([w.correctsIssued, doc.refersToIssueDate]);
  }
  for (const [k, v] of meta) {
    pdf.text(k, 340, y, { width: 88 });
    pdf.text(v, 430, y, { width: right - 430 });
    y += 13;
  }
  pdf.font("jpb").fontSize(13).text(w.to(doc.recipient.name), left, 84, { width: 290 });
  pdf.font("jp").fontSize(9);
  let ry = pdf.y + 4;
  for (const l of [
    doc.recipient.address ?? "",
    `${w.customerNumber} ${doc.recipient.customerNumber}`,
    `${w.contractNumber} ${doc.recipient.contractNumber}`,
  ]) {
    if (!l) continue;
    pdf.text(l, left, ry, { width: 290 });
    ry = pdf.y + 2;
  }
  y = Math.max(y, ry) + 8;
  pdf
    .font("jpb")
    .fontSize(10)
    .text(doc.issuer.name, 340, y, { width: right - 340 });
  pdf.font("jp").fontSize(8.5);
  pdf.text(`${w.registration} ${doc.issuer.registrationNumber}`, 340, pdf.y + 1, { width: right - 340 });
  if (isDemoRegistrationNumber(doc.issuer.registrationNumber))
    pdf
      .fontSize(7)
      .text(w.demo, 340, pdf.y + 1, { width: right - 340 })
      .fontSize(8.5);
  pdf.text(doc.issuer.address, 340, pdf.y + 1, { width: right - 340 });
  if (doc.issuer.phone) pdf.text(`${w.phone} ${doc.issuer.phone}`, 340, pdf.y + 1, { width: right - 340 });
  const issuerBottom = pdf.y;

  // The amount, prominent: due on an invoice, returned on a credit note.
  y = Math.max(issuerBottom, y) + 14;
  pdf.rect(left, y, 290, 34).lineWidth(1).stroke("#333333");
  pdf
    .font("jp")
    .fontSize(8.5)
    .fillColor("black")
    .text(credit ? w.amountReturned : w.amountDue, left + 8, y + 12, { width: 120 });
  pdf
    .font("jpb")
    .fontSize(16)
    .text(shown(doc.totals.total), left + 110, y + 6, { width: 170, align: "right" });
  y += 48;

  if (doc.status !== "issued") {
    const banner = doc.status === "void" ? w.void(doc) : w.draft;
    const h = Math.max(
      20,
      pdf
        .font("jpb")
        .fontSize(10)
        .heightOfString(banner, { width: width - 16 }) + 10,
    );
    pdf.save();
    pdf.rect(left, y, width, h).fill(doc.status === "void" ? "#b00020" : "#8a6d00");
    pdf
      .fillColor("white")
      .font("jpb")
      .fontSize(10)
      .text(banner, left + 8, y + 5, { width: width - 16 });
    pdf.restore();
    pdf.fillColor("black");
    y += h + 8;
  }

  // Lines.
  const labels = credit ? w.colsCredit : w.cols;
  const cols = [
    { key: "no", x: left, w: 22, align: "right" as const },
    { key: "desc", x: left + 26, w: 180, align: "left" as const },
    { key: "qty", x: left + 208, w: 28, align: "right" as const },
    { key: "unit", x: left + 238, w: 62, align: "right" as const },
    { key: "amount", x: left + 302, w: 74, align: "right" as const },
    { key: "tax", x: left + 380, w: 44, align: "center" as const },
    { key: "art", x: left + 428, w: right - left - 428, align: "left" as const },
  ].map((c, i) => ({ ...c, label: labels[i]! }));
  const pageBottom = pdf.page.height - 60;
  const header = (at: number) => {
    pdf.font("jpb").fontSize(8);
    const h = Math.max(...cols.map((c) => pdf.heightOfString(c.label, { width: c.w }))) + 6;
    pdf.save();
    pdf.rect(left, at, width, h).fill("#e8e8e8");
    pdf.restore();
    pdf.fillColor("black").font("jpb").fontSize(8);
    for (const c of cols) pdf.text(c.label, c.x, at + 3, { width: c.w, align: c.align });
    return at + h + 2;
  };
  y = header(y);
  pdf.font("jp").fontSize(8.5);
  doc.lines.forEach((l, i) => {
    const description = lang === "en" ? (l.descriptionEn ?? l.description) : l.description;
    const article = articleLabel(l.article, lang);
    const descHeight = pdf.heightOfString(description, { width: cols[1]!.w });
    const artHeight = pdf.heightOfString(article, { width: cols[6]!.w });
    const rowH = Math.max(14, descHeight + 4, artHeight + 4);
    if (y + rowH > pageBottom) {
      pdf.addPage();
      y = header(40);
      pdf.font("jp").fontSize(8.5);
    }
    const cells: Record<string, string> = {
      no: String(i + 1),
      desc: description,
      qty: String(l.quantity),
      unit: shown(l.unitPrice),
      amount: shown(l.amount),
      tax: CATEGORY[lang][l.taxCategory],
      art: article,
    };
    for (const c of cols) pdf.text(cells[c.key]!, c.x, y + 2, { width: c.w, align: c.align });
    y += rowH;
    pdf.moveTo(left, y).lineTo(right, y).lineWidth(0.3).stroke("#bbbbbb");
  });

  // Totals per rate (適格請求書 / 適格返還請求書: 税率ごとに区分した合計額と消費税額).
  const totalsHeight = 22 + 14 * (doc.totals.byRate.length + 3);
  if (y + totalsHeight > pageBottom) {
    pdf.addPage();
    y = 40;
  }
  y += 10;
  pdf.font("jp").fontSize(8.5).fillColor("black");
  const tx = left + 230;
  const row = (label: string, net: string, tax: string, bold = false) => {
    pdf.font(bold ? "jpb" : "jp");
    const h = Math.max(
      pdf.heightOfString(label, { width: 130 }),
      pdf.heightOfString(tax, { width: right - tx - 216 }),
    );
    pdf.text(label, tx, y, { width: 130 });
    pdf.text(net, tx + 132, y, { width: 82, align: "right" });
    pdf.text(tax, tx + 216, y, { width: right - tx - 216, align: "right" });
    y += Math.max(14, h + 2);
  };
  const [h1, h2, h3] = credit ? w.rateHeadCredit : w.rateHead;
  row(h1, h2, h3);
  for (const r of doc.totals.byRate)
    row(
      RATE_TOTAL[lang][r.category],
      shown(r.net),
      r.category === "10" || r.category === "8" ? shown(r.tax) : "—",
    );
  pdf.moveTo(tx, y).lineTo(right, y).lineWidth(0.5).stroke("#333333");
  y += 3;
  row(w.sum, shown(doc.totals.net), shown(doc.totals.tax));
  row(credit ? w.totalReturned : w.total, "", shown(doc.totals.total), true);

  // What the document is, its basis, and (invoices) how to pay.
  y += 10;
  pdf.font("jp").fontSize(7.5).fillColor("#333333");
  for (const n of notesOf(doc, lang)) {
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
      .text(`${doc.number ?? w.draftFooter}   ${w.page(i + 1, range.count)}`, left, pdf.page.height - 35, {
        width,
        align: "right",
        lineBreak: false,
      });
  }
  pdf.end();
  return done;
}

export { articleJa };
