/** `unyo migrate`, `unyo seed`, `unyo user create`, `unyo audit verify`. */
import { parseArgs } from "node:util";
import { systemActor, verifyAudit } from "../audit/service.ts";
import { loadConfig } from "../core/config.ts";
import { migrate } from "../db/db.ts";
import { CUSTOMER_ROLES, type Role, STAFF_ROLES } from "../identity/rules.ts";
import { createUser } from "../identity/users.ts";
import { type Command, UsageError, withDatabase } from "./command.ts";
import { seedDemo } from "./demo.ts";
import { seedBillingDemo } from "./server.ts";

const noArgs = (name: string, argv: string[]) => {
  if (argv.length > 0) throw new UsageError(`${name} takes no arguments, got "${argv.join(" ")}"`);
};

export const migrateCommand: Command = {
  help: `unyo migrate
  Apply the pending database migrations (forward only); creates the embedded database under
  UNYO_HOME when there is none.`,
  async run(argv, out) {
    noArgs("migrate", argv);
    const result = await withDatabase(loadConfig(), { existing: false, migrate: false }, (d) =>
      migrate(d.db),
    );
    out.log(
      result.applied.length ? `applied: ${result.applied.join(", ")}` : `up to date (${result.latest})`,
    );
    return 0;
  },
};

export const seedCommand: Command = {
  help: `unyo seed
  Load the demo data (demo accounts, two customers with contracts, two months billed). Idempotent.`,
  async run(argv, out) {
    noArgs("seed", argv);
    const created = await withDatabase(loadConfig(), { existing: false }, async (d) => {
      const made = await seedDemo(d.db, d.clock.now());
      if (made) await seedBillingDemo(d);
      return made;
    });
    out.log(created ? "demo data loaded" : "demo data already present");
    return 0;
  },
};

const USER_HELP = `unyo user create --kind staff|customer --role ROLE --login ID --name NAME --email EMAIL [--customer UUID]
  Create a user and print its initial password (to be handed over through the designated channel and
  changed at the first log-in, Art. 10). Staff roles: ${STAFF_ROLES.join(", ")}; customer roles:
  ${CUSTOMER_ROLES.join(", ")} (with --customer).`;

export const userCommand: Command = {
  help: USER_HELP,
  async run(argv, out) {
    if (argv[0] !== "create")
      throw new UsageError(`unknown user subcommand "${argv[0] ?? ""}" (try: user create)`);
    const { values } = parseArgs({
      args: argv.slice(1),
      options: {
        kind: { type: "string" },
        role: { type: "string" },
        login: { type: "string" },
        name: { type: "string" },
        email: { type: "string" },
        customer: { type: "string" },
      },
      strict: true,
    });
    for (const k of ["kind", "role", "login", "name", "email"] as const)
      if (!values[k]) throw new UsageError(`user create: --${k} is required`);
    if (values.kind !== "staff" && values.kind !== "customer")
      throw new UsageError("--kind must be staff or customer");
    const roles: readonly string[] = values.kind === "staff" ? STAFF_ROLES : CUSTOMER_ROLES;
    if (!roles.includes(values.role!))
      throw new UsageError(`--role for ${values.kind} must be one of: ${roles.join(", ")}`);
    if (!/^[A-Za-z0-9._@-]{3,64}$/.test(values.login!))
      throw new UsageError("--login: 3–64 letters, digits, . _ @ -");
    if (!/^[^\s@]+@[^\s@]+$/.test(values.email!)) throw new UsageError("--email is not an e-mail address");
    if (values.kind === "customer" && !values.customer)
      throw new UsageError("--customer UUID is required for a customer user");
    if (values.customer && !/^[0-9a-f-]{36}$/i.test(values.customer))
      throw new UsageError("--customer must be a UUID");
    const result = await withDatabase(loadConfig(), { existing: true }, (d) =>
      d.db.transaction().execute((tx) =>
        createUser(
          tx,
          systemActor,
          {
            kind: values.kind as "staff" | "customer",
            role: values.role as Role,
            loginId: values.login!,
            displayName: values.name!,
            email: values.email!,
            customerId: values.customer ?? null,
          },
          d.clock.now(),
        ),
      ),
    );
    out.log(
      `created ${result.user.kind} user ${result.user.loginId} (${result.user.role}) id=${result.user.id}`,
    );
    out.log(
      `initial password (hand over through the designated channel; must be changed at first log-in, Art. 10): ${result.initialPassword}`,
    );
    return 0;
  },
};

export const auditCommand: Command = {
  help: `unyo audit verify
  Recompute every link of the audit log's hash chain; exit 1 when it is broken.`,
  async run(argv, out) {
    if (argv[0] !== "verify")
      throw new UsageError(`unknown audit subcommand "${argv[0] ?? ""}" (try: audit verify)`);
    noArgs("audit verify", argv.slice(1));
    const report = await withDatabase(loadConfig(), { existing: true }, (d) => verifyAudit(d.db));
    const rate = report.seconds > 0 ? Math.round(report.entries / report.seconds) : report.entries;
    if (report.ok) {
      out.log(
        `audit log OK: ${report.entries} entries verified in ${report.seconds.toFixed(2)} s (${rate}/s)`,
      );
      return 0;
    }
    out.err(`audit log BROKEN: ${report.problems.length} problem(s) in ${report.entries} entries`);
    for (const p of report.problems) out.err(`  seq ${p.seq}: ${p.kind}`);
    return 1;
  },
};
