/**
 * PDF generation rate: 1,000 qualified invoices (Japanese, embedded Noto Sans JP subsets, 3–40 lines
 * so that some run over a page) rendered to buffers in one process, 3 rounds, medians; against a
 * plain pdfkit document of the same pages with the built-in Helvetica and ASCII text.
 *   npm run bench -- pdf            (BENCH_INVOICES=1000 by default)
 */
import PDFDocument from "pdfkit";
import { renderInvoicePdf } from "../src/billing/pdf.ts";
import { sampleInvoice } from "../src/billing/sample.ts";
import { median } from "./lib.ts";

const N = Number(process.env.BENCH_INVOICES ?? 1000);
const ROUNDS = 3;
const linesOf = (i: number) => 3 + ((i * 7) % 38);

/** The baseline: one A4 document with a header and the same number of ASCII lines, Helvetica. */
function plainPdf(i: number): Promise<Buffer> {
  const pdf = new PDFDocument({ size: "A4", margins: { top: 40, bottom: 50, left: 40, right: 40 } });
  const chunks: Buffer[] = [];
  pdf.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => pdf.on("end", () => resolve(Buffer.concat(chunks))));
  pdf
    .font("Helvetica-Bold")
    .fontSize(18)
    .text(`INVOICE INV-2026-${String(i + 1).padStart(6, "0")}`);
  pdf.font("Helvetica").fontSize(9).text("Issuer: Unyo Support Co., Ltd. T8000000000001");
  pdf.text("Recipient: Sample Trading Co., Ltd.");
  for (let n = 0; n < linesOf(i); n++)
    pdf.text(`Line ${n + 1}  Operations support monthly fee  1  80,000  80,000  10%  Art. 29(1)`);
  pdf.text("Total 88,000 (tax 8,000)");
  pdf.end();
  return done;
}

async function measure(render: (i: number) => Promise<Buffer>) {
  await render(0); // warm-up: font loading and subsetting code paths
  const rounds: { seconds: number; bytes: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    let bytes = 0;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) bytes += (await render(i)).length;
    rounds.push({ seconds: (performance.now() - t0) / 1000, bytes });
  }
  const seconds = median(rounds.map((x) => x.seconds));
  return { rounds, seconds, perSecond: N / seconds, mib: rounds[0]!.bytes / 2 ** 20 };
}

const unyo = await measure((i) => renderInvoicePdf(sampleInvoice(i, linesOf(i))));
const peakRss = process.resourceUsage().maxRSS / 1024;
const plain = await measure(plainPdf);
const fmt = (x: typeof unyo) => ({
  rounds: x.rounds.map((r) => +r.seconds.toFixed(2)),
  medianSeconds: +x.seconds.toFixed(2),
  perSecond: Math.round(x.perSecond),
  mib: +x.mib.toFixed(1),
});
console.log(
  JSON.stringify(
    {
      invoices: N,
      unyo: { ...fmt(unyo), peakRssMiB: Math.round(peakRss) },
      helveticaAscii: fmt(plain),
      ratio: +(unyo.perSecond / plain.perSecond).toFixed(2),
    },
    null,
    2,
  ),
);
console.log(
  `PDF: ${Math.round(unyo.perSecond)} invoices/s (median of ${ROUNDS}, ${N} invoices, ${unyo.mib.toFixed(1)} MiB); Helvetica/ASCII baseline ${Math.round(plain.perSecond)}/s; ratio ${(unyo.perSecond / plain.perSecond).toFixed(2)}`,
);
