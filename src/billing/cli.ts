/**
 * `unyo billing …`: the monthly run with a progress bar, issuing, imports and the CSV export,
 * for billing staff at a terminal (same service as the console).
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { systemActor } from "../audit/service.ts";
import { systemClock } from "../core/clock.ts";
import { parseDate, parseMonth } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";
import type { Db } from "../db/db.ts";
import { invoicesCsv } from "./csv.ts";
import { DirectDebits } from "./debit.ts";
import { BillingService, type RunProgress } from "./service.ts";
import { importUsage } from "./usage.ts";
import { parseZenginResult } from "./zengin.ts";

export const BILLING_HELP = `unyo billing <command>
  run --month YYYY-MM [--issue] [--batch N]   make the month's invoices (exactly once per contract and month;
                                               safe to re-run, to run twice at once, to run again after a crash)
  issue --month YYYY-MM                       issue every draft of the month (numbers per issuer and year)
  export --month YYYY-MM [--out FILE]          the month's invoices as CSV (UTF-8 with BOM)
  import-usage FILE --format aws-cur|generic [--rate JPY_PER_UNIT]
  debit-request --date YYYY-MM-DD [--out FILE] the 全銀 direct-debit request file for a debit date
                                               (the same file again when that date's request exists)
  import-debit FILE [--year YYYY]             a 全銀 direct-debit result file`;

export class BillingUsageError extends Error {}

function bar(p: RunProgress): string {
  const width = 30;
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 1;
  const full = Math.round(frac * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${p.done}/${p.total} contracts, ${p.created} invoices`;
}

export async function runBillingCli(
  db: Db,
  argv: string[],
  out: { log: (s: string) => void; err: (s: string) => void; progress?: (s: string) => void },
): Promise<number> {
  const [sub, ...rest] = argv;
  const billing = new BillingService(db, systemClock);
  const month = (v: string | undefined) => {
    if (!v) throw new BillingUsageError("--month YYYY-MM is required");
    try {
      return parseMonth(v, "month");
    } catch (err) {
      throw new BillingUsageError((err as Error).message);
    }
  };
  switch (sub) {
    case "run": {
      const { values } = parseArgs({
        args: rest,
        options: { month: { type: "string" }, issue: { type: "boolean" }, batch: { type: "string" } },
        strict: true,
      });
      const m = month(values.month);
      const batchSize = values.batch ? Number(values.batch) : 1000;
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
        throw new BillingUsageError("--batch must be 1–10000");
      const tty = process.stderr.isTTY;
      const progress = out.progress ?? ((s: string) => process.stderr.write(tty ? `\r${s}` : `${s}\n`));
      const started = Date.now();
      const r = await billing.run(m, {
        actor: systemActor,
        batchSize,
        issue: values.issue ?? false,
        onProgress: (p) => progress(bar(p)),
      });
      if (tty && !out.progress) process.stderr.write("\n");
      out.log(JSON.stringify({ ...r, seconds: Math.round((Date.now() - started) / 100) / 10 }, null, 2));
      return 0;
    }
    case "issue": {
      const { values } = parseArgs({ args: rest, options: { month: { type: "string" } }, strict: true });
      const n = await billing.issueMonth(systemActor, month(values.month));
      out.log(`issued ${n} invoice(s)`);
      return 0;
    }
    case "export": {
      const { values } = parseArgs({
        args: rest,
        options: { month: { type: "string" }, out: { type: "string" } },
        strict: true,
      });
      const csv = invoicesCsv(await billing.documents(month(values.month)));
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
      if (positionals.length !== 1) throw new BillingUsageError("import-usage needs one FILE");
      if (values.format !== "aws-cur" && values.format !== "generic")
        throw new BillingUsageError("--format must be aws-cur or generic");
      const r = await importUsage(db, billing, systemActor, {
        format: values.format,
        bytes: fs.readFileSync(positionals[0]!),
        rate: values.rate,
        name: positionals[0],
      });
      out.log(JSON.stringify(r, null, 2));
      return 0;
    }
    case "debit-request": {
      const { values } = parseArgs({
        args: rest,
        options: { date: { type: "string" }, out: { type: "string" } },
        strict: true,
      });
      if (!values.date) throw new BillingUsageError("--date YYYY-MM-DD is required");
      let date: string;
      try {
        date = parseDate(values.date, "date");
      } catch (err) {
        throw new BillingUsageError((err as Error).message);
      }
      const debits = new DirectDebits(db, systemClock);
      const { created, request } = await debits.createRequest(systemActor, date);
      const file = await debits.requestFile(request.id);
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
      if (positionals.length !== 1) throw new BillingUsageError("import-debit needs one FILE");
      const r = await billing.importDebitResultAs(
        systemActor,
        {
          bytes: fs.readFileSync(positionals[0]!),
          name: positionals[0],
          year: values.year ? Number(values.year) : undefined,
        },
        parseZenginResult,
      );
      out.log(JSON.stringify(r, null, 2));
      return 0;
    }
    default:
      throw new BillingUsageError(`unknown billing subcommand "${sub ?? ""}"\n${BILLING_HELP}`);
  }
}

export function isBillingUsage(err: unknown): boolean {
  return err instanceof BillingUsageError || (err instanceof AppError && err.status < 500);
}
