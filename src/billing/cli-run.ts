/** The `unyo billing` subcommands' work, loaded by `./cli.ts` only when one runs. */

import fs from "node:fs";
import { parseArgs } from "node:util";
import { systemActor } from "../audit/service.ts";
import { type Out, parseIntFlag, UsageError, withDatabase } from "../cli/command.ts";
import { loadConfig } from "../core/config.ts";
import { parseDate, parseMonth } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";
import { invoicesCsv } from "./csv.ts";
import { importDebitResult } from "./debit-results.ts";
import { createRequest, requestFile } from "./debits.ts";
import { documents } from "./invoice-queries.ts";
import { issueMonth } from "./issue.ts";
import { monthJournal } from "./journal-export.ts";
import { JOURNAL_FORMATS, type JournalFormat } from "./journal-schemas.ts";
import { type RunProgress, runBilling } from "./runs.ts";
import { importUsage } from "./usage.ts";
import { parseZenginResult } from "./zengin.ts";

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

export async function runSub(sub: string, rest: string[], out: Out): Promise<number> {
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
      const n = await withDatabase(config, { existing: true }, (d) =>
        issueMonth({ ...d, config }, systemActor, m),
      );
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
    case "journal": {
      const { values } = parseArgs({
        args: rest,
        options: { month: { type: "string" }, format: { type: "string" }, out: { type: "string" } },
        strict: true,
      });
      const m = month(values.month);
      const format = values.format as JournalFormat;
      if (!JOURNAL_FORMATS.includes(format))
        throw new UsageError(`--format must be one of ${JOURNAL_FORMATS.join(", ")}`);
      const file = await withDatabase(config, { existing: true }, (d) => monthJournal(d, m, format));
      if (values.out) fs.writeFileSync(values.out, file.bytes);
      else process.stdout.write(file.bytes);
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
