/**
 * `unyo rules <name> [--flag VALUE …] [POSITIONAL]` — pure: no database, no server.
 * Prints `{"result": …, "basis": [{"article", "text"}]}`; bad input → exit 2 with the error shape.
 */
import type { Command } from "../cli/command.ts";
import { AppError } from "../core/errors.ts";
import { type Calculator, calculatorByName, calculators } from "./calculators.ts";

export function rulesHelp(): string {
  return [
    "unyo rules <name> [options] — the terms' rules, with their article citations (JSON)",
    "",
    ...calculators.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`),
    "",
    "Flags take a value (--flag VALUE or --flag=VALUE) and may be given once, except these, which repeat:",
    ...calculators
      .filter((c) => c.repeatable?.length)
      .map((c) => `  ${c.name.padEnd(18)} ${c.repeatable!.map((f) => `--${f}`).join(", ")}`),
    "Money is whole yen; dates are YYYY-MM-DD, months YYYY-MM; date-times are ISO, JST unless an offset is given.",
    "",
    "Examples:",
    "  unyo rules minimum-term --start 2026-01-15",
    "  unyo rules cancellation --start 2026-01-15 --received 2026-03-10 [--month 2026-06] [--reason normal|interruption|terms-not-accepted|abolition]",
    "  unyo rules cooling-off --applied 2026-11-24 --channel web",
    "  unyo rules inquiry-deadline --sent 2026-01-31",
    "  unyo rules terms-change --announced 2026-11-24 --effective 2026-12-08",
    "  unyo rules abolition --notice 2026-11-24 --date 2027-01-24",
    "  unyo rules corporate-number 7000012050002",
    "  unyo rules late-fee --amount 33000 --due 2026-09-30 --paid 2026-10-20",
    "  unyo rules invoice-tax --line 80000:10 --line 999:8 --line 210:out-of-scope --line -5000:10 [--rounding down|up|half-up]",
    "      (--line YEN:RATE, RATE one of 10, 8, exempt, out-of-scope; a negative YEN is a credit)",
    "  unyo rules sla-credit --monthly-fee 80000 --month 2026-10 --outage 2026-10-05T01:00/2026-10-05T08:30 \\",
    "      --outage 2026-10-20T00:00Z/2026-10-20T09:00Z@carrier",
    "      (--outage START/END[@provider|customer|carrier|cloud], provider by default)",
    "  unyo rules special-fee --evaded 12345",
    "  unyo rules damages-cap --monthly-fee 80000",
    "  unyo rules late-start --planned 2026-09-10 --started 2026-09-15 [--attribution provider|carrier]",
    "  unyo rules invoice-number T8000000000001",
  ].join("\n");
}

/** Returns [exit code, text for stdout or stderr]. */
export function runRules(argv: string[]): { code: number; out?: string; err?: string } {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "help")
    return { code: name ? 0 : 2, ...(name ? { out: rulesHelp() } : { err: rulesHelp() }) };
  const calc = calculatorByName.get(name);
  if (!calc)
    return fail(
      new AppError(
        "bad_request",
        `unknown rule "${name}"; one of: ${calculators.map((c) => c.name).join(", ")}`,
      ),
    );
  const input: Record<string, string | string[]> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const key = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (value === undefined || (eq < 0 && value.startsWith("--")))
        return fail(new AppError("bad_request", `--${key} needs a value`));
      if (calc.repeatable?.includes(key)) {
        const prev = input[key];
        input[key] = prev === undefined ? [value] : [...(prev as string[]), value];
        continue;
      }
      if (key in input) return fail(new AppError("bad_request", `--${key} given twice`));
      input[key] = value;
    } else if (calc.positional && !(calc.positional in input)) {
      input[calc.positional] = arg;
    } else {
      return fail(new AppError("bad_request", `unexpected argument "${arg}"`));
    }
  }
  const parsed = calc.input.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    return fail(new AppError("validation_failed", issues.map(flagMessage).join("; "), { details: issues }));
  }
  try {
    return { code: 0, out: JSON.stringify(calc.run(parsed.data), null, 2) };
  } catch (err) {
    if (err instanceof AppError) return fail(err);
    throw err;
  }
}

/** A validation issue in the CLI's words: "--paid must be a date YYYY-MM-DD, …", "--due is required". */
function flagMessage(i: { path: string; message: string }): string {
  if (!i.path) return i.message;
  if (i.message.startsWith(`${i.path} `)) return `--${i.message}`;
  if (/received undefined/.test(i.message)) return `--${i.path} is required`;
  return `--${i.path}: ${i.message}`;
}

function fail(err: AppError) {
  const body = {
    error: {
      code: err.code,
      message: err.message,
      ...(err.article ? { article: err.article } : {}),
      ...(err.details ? { details: err.details } : {}),
    },
  };
  return { code: 2, err: JSON.stringify(body) };
}

/** One calculator's flags, from its input schema. */
export function calculatorHelp(c: Calculator): string {
  const shape =
    (c.input as unknown as { shape?: Record<string, { safeParse(v: unknown): { success: boolean } }> })
      .shape ?? {};
  const flags = Object.entries(shape).map(([name, schema]) => {
    const optional = schema.safeParse(undefined).success;
    const flag = c.positional === name ? name.toUpperCase() : `--${name} VALUE`;
    const repeat = c.repeatable?.includes(name) ? " (repeatable)" : "";
    return `  ${optional ? `[${flag}]` : flag}${repeat}`;
  });
  const example = rulesHelp()
    .split("\n")
    .filter((l) => l.trimStart().startsWith(`unyo rules ${c.name} `));
  return [
    `unyo rules ${c.name} — ${c.summary}`,
    "",
    ...flags,
    ...(example.length ? ["", "Example:", ...example] : []),
  ].join("\n");
}

export const rulesCommand: Command = {
  help: rulesHelp(),
  helpFor: (argv) => {
    const c = calculatorByName.get(argv[0] ?? "");
    return c ? calculatorHelp(c) : rulesHelp();
  },
  async run(argv, out) {
    const r = runRules(argv);
    if (r.out) out.log(r.out);
    if (r.err) out.err(r.err);
    return r.code;
  },
};
