/** `unyo clock show|set|advance`: the test clock of a non-production instance (UNYO_TEST_CLOCK=1). */
import { parseArgs } from "node:util";
import { advanceClock, clockView, moveClock } from "../admin/clock.ts";
import { systemActor } from "../audit/service.ts";
import { loadConfig } from "../core/config.ts";
import { type Command, parseIntFlag, UsageError, withDatabase } from "./command.ts";

const HELP = `unyo clock show
unyo clock set --at 2027-01-31T23:55+09:00 [--frozen]
unyo clock advance [--days N] [--hours N] [--minutes N]
  The test clock of a non-production instance started with UNYO_TEST_CLOCK=1 (refused with
  NODE_ENV=production): set or advance the instance's date and time — forward only — to rehearse a
  month end, a cancellation reaching its effective date, a deletion date. Every process of the
  instance follows it within a second; the business-calendar jobs that fall due run here and now.`;

export const clockCommand: Command = {
  help: HELP,
  async run(argv, out) {
    const [sub, ...rest] = argv;
    const config = loadConfig();
    if (sub === "show") {
      const view = await withDatabase(config, { existing: true }, async (d) => clockView(d, config));
      out.log(JSON.stringify(view, null, 2));
      return 0;
    }
    if (sub === "set") {
      const { values } = parseArgs({
        args: rest,
        options: { at: { type: "string" }, frozen: { type: "boolean" } },
        strict: true,
      });
      if (!values.at) throw new UsageError("clock set: --at DATE-TIME is required (ISO 8601 with an offset)");
      const at = new Date(values.at);
      if (Number.isNaN(at.getTime()) || !/[zZ]|[+-]\d{2}:?\d{2}$/.test(values.at))
        throw new UsageError(
          `--at must be an ISO date-time with an offset (e.g. 2027-01-31T23:55+09:00), got "${values.at}"`,
        );
      const r = await withDatabase(config, { existing: true }, (d) =>
        moveClock(d, config, systemActor, { at, frozen: values.frozen }, true),
      );
      out.log(JSON.stringify(r, null, 2));
      return 0;
    }
    if (sub === "advance") {
      const { values } = parseArgs({
        args: rest,
        options: { days: { type: "string" }, hours: { type: "string" }, minutes: { type: "string" } },
        strict: true,
      });
      const by = {
        days: parseIntFlag(values.days, "days", 0, 3660),
        hours: parseIntFlag(values.hours, "hours", 0, 24 * 366),
        minutes: parseIntFlag(values.minutes, "minutes", 0, 60 * 24 * 366),
      };
      if (!by.days && !by.hours && !by.minutes)
        throw new UsageError("clock advance: give --days, --hours or --minutes");
      const r = await withDatabase(config, { existing: true }, (d) =>
        advanceClock(d, config, systemActor, by, true),
      );
      out.log(JSON.stringify(r, null, 2));
      return 0;
    }
    throw new UsageError(`unknown clock subcommand "${sub ?? ""}" (show, set, advance)`);
  },
};
