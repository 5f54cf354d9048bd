/**
 * `unyo billing …`: the monthly run with a progress bar, issuing, imports and the CSV export, for
 * billing staff at a terminal (the same use cases as the console). The use cases are imported only
 * when a subcommand runs (`./cli-run.ts`), so `unyo billing --help` loads nothing but this file.
 */
import { type Command, UsageError } from "../cli/command.ts";

const SUBCOMMANDS: Record<string, string> = {
  run: `unyo billing run --month YYYY-MM [--issue] [--batch N]
  Make the month's invoices (drafts), with a progress bar: exactly one per contract and month — safe
  to re-run, to run twice at once, to run again after a crash. --issue issues them when done;
  --batch sets the contracts per batch (1–10000, default 1000).`,
  issue: `unyo billing issue --month YYYY-MM
  Issue every draft of the month: numbers per issuer and year, the due date stated at issue (Art. 31(3)).`,
  export: `unyo billing export --month YYYY-MM [--out FILE]
  The month's invoices as CSV for accounting software (UTF-8 with BOM; columns in docs/BILLING-FORMATS.md).`,
  journal: `unyo billing journal --month YYYY-MM --format yayoi|freee|moneyforward [--out FILE]
  The month's journal entries (仕訳) as the accounting package's import file (弥生会計, freee,
  マネーフォワード クラウド会計; accounts and tax categories as set; docs/BILLING-FORMATS.md).`,
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

export const billingCommand: Command = {
  help: BILLING_HELP,
  helpFor: (argv) => SUBCOMMANDS[argv[0] ?? ""] ?? BILLING_HELP,
  async run(argv, out) {
    const [sub, ...rest] = argv;
    if (!sub || !SUBCOMMANDS[sub])
      throw new UsageError(`unknown billing subcommand "${sub ?? ""}"\n${BILLING_HELP}`);
    return (await import("./cli-run.ts")).runSub(sub, rest, out);
  },
};
