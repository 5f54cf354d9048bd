/**
 * `unyo billing …`: the monthly run with a progress bar, issuing, imports and the CSV export, for
 * billing staff at a terminal (the same use cases as the console).
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { systemActor } from "../audit/service.ts";
import { type Command, type Out, parseIntFlag, UsageError, withDatabase } from "../cli/command.ts";
import { loadConfig } from "../core/config.ts";
import { parseDate, parseMonth } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";
import { invoicesCsv } from "./csv.ts";
import { importDebitResult } from "./debit-results.ts";
import { createRequest, requestFile } from "./debits.ts";
import { documents } from "./invoice-queries.ts";
import { issueMonth } from "./issue.ts";
import { type RunProgress, runBilling } from "./runs.ts";
import { importUsage } from "./usage.ts";
import { parseZenginResult } from "./zengin.ts";

const SUBCOMMANDS: Record<string, string> = {
  run: `unyo billing run --month YYYY-MM [--issue] [--batch N]
  Make the month's invoices (drafts), with a progress bar: exactly one per contract and month — safe
  to re-run, to run twice at once, to run again after a crash. --issue issues them when done;
  --batch sets the contracts per batch (1–10000, default 1000).`,
  issue: `unyo billing issue --month YYYY-MM
  Issue every draft of the month: numbers per issuer and year, the due date stated at issue (Art. 31(3)).`,
  export: `unyo billing export --month YYYY-MM [--out FILE]
  The month's invoices as CSV for accounting software (UTF-8 with BOM; columns in docs/BILLING-FORMATS.md).`,
  "import-usage": `unyo billing import-usage FILE --format aws-cur|generic [--rate JPY_PER_UNIT]
  Cloud usage as monthly usage fees on the next invoices (Art. 29(1)(3)); --rate for a non-JPY file.`,
  "debit-request": `unyo billing debit-request --date YYYY-MM-DD [--out FILE]
  The 全銀 direct-debit request file for a debit date (a bank business day); the same file again when
  that date's request exists.`,
  "import-debit": `unyo billing import-debit FILE [--year YYYY]
  A 全銀 direct-debit result file: debited records become payments, failed ones make the contract a
  suspension candidate (Art. 21(1)(2)). The same file twice is refused.`,
};

export const BILLING_HELP = `unyo billing <command> — the monthly run, issuing, exports and imports
${Object.values(SUBCOMMANDS)
  .map((h) => `  ${h.split("\n")[0]}`)
  .join("\n")}
unyo billing <command> --help for one command's options.`;

function bar(p: RunProgress): string {
  const width = 30;
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const full = Math.round(frac * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${p.done}/${p.total} contracts, ${p.created} invoices`;
}

function month(v: string | undefined) {
  if (!v) throw new UsageError("--month YYYY-MM is required");
  try {
    return parseMonth(v, "month");
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export const billingCommand: Command = {
  help: BILLING_HELP,
  helpFor: (argv) => SUBCOMMANDS[argv[0] ?? ""] ?? BILLING_HELP,
  async run(argv, out) {
    const [sub, ...rest] = argv;
    if (!sub || !SUBCOMMANDS[sub])
      throw new UsageError(`unknown billing subcommand "${sub ?? ""}"\n${BILLING_HELP}`);
    return runSub(sub, rest, out);
  },
};

async function runSub(sub: string, rest: string[], out: Out): Promise<number> {
  const config = loadConfig();
  switch (sub) {
    case "run": {
      const { values } = parseArgs({
        args: rest,
        options: { month: { type: "string" }, issue: { type: "boolean" }, batch: { type: "string" } },
        strict: true,
      });
      const m = month(values.month);
      const batchSize = parseIntFlag(values.batch, "batch", 1, 10_000) ?? 1000;
      const tty = process.stderr.isTTY;
      const progress = out.progress ?? ((s: string) => process.stderr.write(tty ? `\r${s}` : `${s}\n`));
      const started = Date.now();
      const r = await withDatabase(config, { existing: true }, (d) =>
        runBilling(d, m, {
          actor: systemActor,
          batchSize,
          issue: values.issue ?? false,
          onProgress: (p) => progress(bar(p)),
        }),
      );
      if (tty && !out.progress) process.stderr.write("\n");
      out.log(JSON.stringify({ ...r, seconds: Math.round((Date.now() - started) / 100) / 10 }, null, 2));
      return 0;
    }
    case "issue": {
      const { values } = parseArgs({ args: rest, options: { month: { type: "string" } }, strict: true });
      const m = month(values.month);
      const n = await withDatabase(config, { existing: true }, (d) => issueMonth(d, systemActor, m));
      out.log(`issued ${n} invoice(s)`);
      return 0;
    }
    case "export": {
      const { values } = parseArgs({
        args: rest,
        options: { month: { type: "string" }, out: { type: "string" } },
        strict: true,
      });
      const m = month(values.month);
      const csv = invoicesCsv(await withDatabase(config, { existing: true }, (d) => documents(d, m)));
      if (values.out) fs.writeFileSync(values.out, csv);
      else process.stdout.write(csv);
      return 0;
    }
    case "import-usage": {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { format: { type: "string" }, rate: { type: "string" } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1) throw new UsageError("import-usage needs one FILE");
      if (values.format !== "aws-cur" && values.format !== "generic")
        throw new UsageError("--format must be aws-cur or generic");
      const bytes = readFile(positionals[0]!);
      const r = await withDatabase(config, { existing: true }, (d) =>
        importUsage(d, systemActor, {
          format: values.format as "aws-cur" | "generic",
          bytes,
          rate: values.rate,
          name: positionals[0],
        }),
      );
      out.log(JSON.stringify(r, null, 2));
      return 0;
    }
    case "debit-request": {
      const { values } = parseArgs({
        args: rest,
        options: { date: { type: "string" }, out: { type: "string" } },
        strict: true,
      });
      if (!values.date) throw new UsageError("--date YYYY-MM-DD is required");
      let date: string;
      try {
        date = parseDate(values.date, "date");
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const { created, request, file } = await withDatabase(config, { existing: true }, async (d) => {
        const r = await createRequest(d, systemActor, date);
        return { ...r, file: await requestFile(d.db, r.request.id) };
      });
      const target = values.out ?? file.fileName;
      fs.writeFileSync(target, file.bytes);
      const { items, ...summary } = request;
      out.log(JSON.stringify({ ...summary, created, file: target, invoices: items.length }, null, 2));
      return 0;
    }
    case "import-debit": {
      const { values, positionals } = parseArgs({
        args: rest,
        options: { year: { type: "string" } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1) throw new UsageError("import-debit needs one FILE");
      const year = parseIntFlag(values.year, "year", 2000, 2100);
      const bytes = readFile(positionals[0]!);
      const r = await withDatabase(config, { existing: true }, (d) =>
        importDebitResult(d, systemActor, { bytes, name: positionals[0], year }, parseZenginResult),
      );
      out.log(JSON.stringify(r, null, 2));
      return 0;
    }
    default:
      throw new UsageError(`unknown billing subcommand "${sub}"`);
  }
}

function readFile(name: string): Buffer {
  try {
    return fs.readFileSync(name);
  } catch (err) {
    throw new AppError(
      "bad_request",
      `cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}
