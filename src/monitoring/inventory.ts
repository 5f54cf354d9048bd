/**
 * The inventory (Art. 4): each contract's servers and cloud resources with provider, account, region,
 * addresses, OS and version (structured, for end-of-support flags, Art. 8(2)), role and the options
 * covering them. A server is registered only when the contract lists it (the contract's `servers` stay
 * what is contracted and billed, Art. 20(2)); staff register, change, retire, import and export them;
 * customers read their own.
 */
import { parse } from "csv-parse/sync";
import { appendAudit } from "../audit/service.ts";
import { type ServiceFacts, serviceFacts } from "../contracts/store.ts";
import { csvText } from "../core/csv.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller, type Tx } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { type CoverageProblem, coverageProblems, hostKey } from "./rules.ts";
import { type ItemInput, type ItemPatch, type ItemView, itemBody, itemPatch } from "./schemas.ts";
import { retireChecksOf } from "./store/checks.ts";
import {
  insertItem,
  itemById,
  itemStats,
  itemsOfContract,
  listItems,
  updateItem,
} from "./store/inventory.ts";

type ItemRow = NonNullable<Awaited<ReturnType<typeof itemById>>>;
type Server = { hostname: string; provider: string; role?: string; os?: string };
const serversOf = (f: ServiceFacts) => (f.servers ?? []) as Server[];

async function present(tx: Tx, rows: ItemRow[]): Promise<ItemView[]> {
  const facts = new Map(
    (
      await serviceFacts(
        tx,
        rows.map((r) => r.contract_id),
      )
    ).map((f) => [f.id, f]),
  );
  const stats = await itemStats(
    tx,
    rows.map((r) => r.id),
  );
  return rows.map((r) => {
    const f = facts.get(r.contract_id);
    const s = stats.get(r.id);
    return {
      id: r.id,
      customerId: r.customer_id,
      customerName: f?.legal_name ?? "",
      contractId: r.contract_id,
      contractNumber: f?.number ?? "",
      kind: r.kind,
      name: r.name,
      provider: r.provider,
      account: r.account,
      region: r.region,
      addresses: r.addresses,
      osFamily: r.os_family,
      osVersion: r.os_version,
      role: r.role,
      plan: f?.plan ?? "",
      options: r.options,
      notes: r.notes,
      onContract:
        r.kind !== "server" || (!!f && serversOf(f).some((v) => hostKey(v.hostname) === r.host_key)),
      state: (s?.worst ?? null) as ItemView["state"],
      checks: s?.checks ?? 0,
      credentials: s?.credentials ?? 0,
      createdAt: new Date(r.created_at).toISOString(),
    };
  });
}

async function contractFacts(tx: Tx, contractId: string): Promise<ServiceFacts> {
  const [f] = await serviceFacts(tx, [contractId]);
  if (!f) throw notFound("contract");
  return f;
}

function refuse(problems: CoverageProblem[], line?: number): never {
  const first = problems[0]!;
  const what =
    first.problem === "not_on_contract"
      ? "the contract does not list this server: add it by a change of content first"
      : "an option covering the item is not an option of the contract";
  throw new AppError("validation_failed", line ? `line ${line}: ${what}` : what, {
    article: first.article,
    details: {
      ...Object.fromEntries(problems.map((p) => [p.field, [p.problem]])),
      ...(line ? { line } : {}),
    },
  });
}

const toRow = (input: Partial<ItemInput> | ItemPatch) => ({
  ...(input.provider !== undefined ? { provider: input.provider } : {}),
  ...(input.account !== undefined ? { account: input.account } : {}),
  ...(input.region !== undefined ? { region: input.region } : {}),
  ...(input.addresses !== undefined ? { addresses: input.addresses } : {}),
  ...(input.osFamily !== undefined ? { os_family: input.osFamily } : {}),
  ...(input.osVersion !== undefined ? { os_version: input.osVersion } : {}),
  ...(input.role !== undefined ? { role: input.role } : {}),
  ...(input.options !== undefined ? { options: input.options } : {}),
  ...(input.notes !== undefined ? { notes: input.notes } : {}),
});

async function register(deps: Deps, tx: Tx, auth: AuthContext, f: ServiceFacts, input: ItemInput) {
  const problems = coverageProblems({ servers: serversOf(f), options: f.options }, input);
  if (problems.length) refuse(problems);
  const row = await insertItem(tx, {
    customer_id: f.customer_id,
    contract_id: f.id,
    kind: input.kind,
    name: input.name,
    host_key: hostKey(input.name),
    ...toRow(input),
    provider: input.provider,
  }).catch((e: unknown) => {
    if ((e as { code?: string }).code === "23505")
      throw new AppError("conflict", `${input.name} is already registered on this contract`);
    throw e;
  });
  await appendAudit(tx, {
    actor: actorOf(auth),
    action: "inventory.register",
    subjectType: "inventory_item",
    subjectId: row.id,
    customerId: f.customer_id,
    article: "4",
    after: { name: input.name, kind: input.kind, provider: input.provider },
    at: deps.clock.now(),
  });
  return row;
}

export async function registerItem(deps: Deps, auth: AuthContext, contractId: string, input: ItemInput) {
  return deps.db.transaction().execute(async (tx) => {
    const f = await contractFacts(tx, contractId);
    const row = await register(deps, tx, auth, f, input);
    return (await present(tx, [row]))[0]!;
  });
}

export async function changeItem(deps: Deps, auth: AuthContext, id: string, patch: ItemPatch) {
  return deps.db.transaction().execute(async (tx) => {
    const before = await itemById(tx, id, true);
    if (!before || before.retired_at) throw notFound("inventory item");
    if (patch.options) {
      const f = await contractFacts(tx, before.contract_id);
      const problems = coverageProblems(
        { servers: serversOf(f), options: f.options },
        { kind: "cloud_resource", name: before.name, options: patch.options },
      );
      if (problems.length) refuse(problems);
    }
    const row = await updateItem(tx, id, { ...toRow(patch), updated_at: deps.clock.now() });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "inventory.change",
      subjectType: "inventory_item",
      subjectId: id,
      customerId: row.customer_id,
      article: "4",
      after: Object.keys(patch),
      at: deps.clock.now(),
    });
    return (await present(tx, [row]))[0]!;
  });
}

/** Retire an item: it and its checks leave monitoring; its history is kept. */
export async function retireItem(deps: Deps, auth: AuthContext, id: string) {
  await deps.db.transaction().execute(async (tx) => {
    const row = await itemById(tx, id, true);
    if (!row || row.retired_at) throw notFound("inventory item");
    const now = deps.clock.now();
    await updateItem(tx, id, { retired_at: now, updated_at: now });
    await retireChecksOf(tx, id, now);
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "inventory.retire",
      subjectType: "inventory_item",
      subjectId: id,
      customerId: row.customer_id,
      article: "4",
      at: now,
    });
  });
}

export async function getItem(deps: Deps, auth: AuthContext, id: string): Promise<ItemView> {
  return asCaller(deps.db, auth, async (tx) => {
    const row = await itemById(tx, id);
    if (!row) throw notFound("inventory item");
    return (await present(tx, [row]))[0]!;
  });
}

/** A contract's items, and the servers it lists that are not registered yet. */
export async function contractInventory(deps: Deps, auth: AuthContext, contractId: string) {
  return asCaller(deps.db, auth, async (tx) => {
    const f = await contractFacts(tx, contractId);
    const rows = await itemsOfContract(tx, contractId);
    const have = new Set(rows.map((r) => r.host_key));
    return {
      registered: await present(tx, rows),
      unregistered: serversOf(f)
        .filter((s) => !have.has(hostKey(s.hostname)))
        .map((s) => s.hostname),
    };
  });
}

export async function listInventory(
  deps: Deps,
  auth: AuthContext,
  filter: { customerId?: string | undefined; q?: string | undefined } & PageRequest,
): Promise<Page<ItemView>> {
  return asCaller(deps.db, auth, async (tx) => {
    const page = await listItems(tx, filter, filter);
    const views = new Map((await present(tx, page.items)).map((v) => [v.id, v]));
    return mapPage(page, (r) => views.get(r.id)!);
  });
}

const OS_GUESS: [RegExp, ItemInput["osFamily"]][] = [
  [/red ?hat|rhel/i, "rhel"],
  [/alma/i, "almalinux"],
  [/rocky/i, "rocky"],
  [/centos/i, "centos"],
  [/ubuntu/i, "ubuntu"],
  [/debian/i, "debian"],
  [/amazon/i, "amazon_linux"],
  [/suse|sles/i, "suse"],
  [/windows/i, "windows_server"],
];

/** Register every server the contract lists that is not registered yet (from what the application said). */
export async function registerContractServers(deps: Deps, auth: AuthContext, contractId: string) {
  return deps.db.transaction().execute(async (tx) => {
    const f = await contractFacts(tx, contractId);
    const have = new Set((await itemsOfContract(tx, contractId)).map((r) => r.host_key));
    let created = 0;
    for (const s of serversOf(f)) {
      if (have.has(hostKey(s.hostname))) continue;
      const os = s.os ?? "";
      const family = OS_GUESS.find(([re]) => re.test(os))?.[1];
      const version = /(\d+(?:\.\d+)*)/.exec(os)?.[1];
      await register(
        deps,
        tx,
        auth,
        f,
        itemBody.parse({
          name: s.hostname,
          provider: s.provider,
          ...(s.role ? { role: s.role } : {}),
          ...(family ? { osFamily: family } : os ? { osFamily: "other" } : {}),
          ...(version ? { osVersion: version } : {}),
        }),
      );
      have.add(hostKey(s.hostname));
      created++;
    }
    return { created, updated: 0 };
  });
}

export const CSV_COLUMNS = [
  "kind",
  "name",
  "provider",
  "account",
  "region",
  "addresses",
  "os_family",
  "os_version",
  "role",
  "options",
  "notes",
] as const;

/** A contract's inventory as CSV (UTF-8 with BOM; addresses and options separated by spaces). */
export async function inventoryCsv(deps: Deps, auth: AuthContext, contractId: string): Promise<string> {
  const { registered: items } = await contractInventory(deps, auth, contractId);
  return csvText(
    [...CSV_COLUMNS],
    items.map((i) => [
      i.kind,
      i.name,
      i.provider,
      i.account,
      i.region,
      i.addresses.join(" "),
      i.osFamily,
      i.osVersion,
      i.role,
      i.options.join(" "),
      i.notes,
    ]),
  );
}

/**
 * Import a contract's inventory from CSV (the export's columns): a row whose name is registered
 * changes that item, another registers one. All or nothing: the first bad line refuses the file,
 * naming the line and the field.
 */
export async function importInventory(deps: Deps, auth: AuthContext, contractId: string, bytes: Buffer) {
  let records: Record<string, string>[];
  try {
    records = parse(bytes, {
      bom: true,
      columns: true,
      skip_empty_lines: true,
      trim: true,
      max_record_size: 65536,
    });
  } catch (e) {
    throw new AppError("validation_failed", `not a CSV file: ${(e as Error).message.slice(0, 200)}`);
  }
  if (records.length === 0) throw new AppError("validation_failed", "the file has no rows");
  if (records.length > 5000) throw new AppError("validation_failed", "at most 5,000 rows a file");
  const unknown = Object.keys(records[0]!).filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length || !("name" in records[0]!))
    throw new AppError(
      "validation_failed",
      `columns are ${CSV_COLUMNS.join(", ")}; unknown: ${unknown.join(", ")}`,
    );
  // A spreadsheet-safe export writes '=… as text; read it back as it was.
  const cell = (v: string | undefined) => {
    const t = (v ?? "").replace(/^'(?=[=+\-@\t\r])/, "");
    return t === "" ? undefined : t;
  };
  const list = (v: string | undefined) => (cell(v) ?? "").split(/[\s;,]+/).filter(Boolean);
  const inputs = records.map((r, i) => {
    const parsed = itemBody.safeParse({
      kind: cell(r.kind),
      name: cell(r.name),
      provider: cell(r.provider),
      account: cell(r.account),
      region: cell(r.region),
      addresses: list(r.addresses),
      osFamily: cell(r.os_family),
      osVersion: cell(r.os_version),
      role: cell(r.role),
      options: list(r.options),
      notes: cell(r.notes),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError("validation_failed", `line ${i + 2}: ${issue.path.join(".")}: ${issue.message}`, {
        details: { line: i + 2, field: issue.path.join("."), issue: issue.code },
      });
    }
    return parsed.data;
  });
  return deps.db.transaction().execute(async (tx) => {
    const f = await contractFacts(tx, contractId);
    const existing = new Map((await itemsOfContract(tx, contractId)).map((r) => [r.host_key, r]));
    let created = 0;
    let updated = 0;
    const seen = new Set<string>();
    for (const [i, input] of inputs.entries()) {
      const key = hostKey(input.name);
      if (seen.has(key))
        throw new AppError("validation_failed", `line ${i + 2}: ${input.name} appears twice`);
      seen.add(key);
      const problems = coverageProblems({ servers: serversOf(f), options: f.options }, input);
      if (problems.length) refuse(problems, i + 2);
      const had = existing.get(key);
      if (had) {
        await updateItem(tx, had.id, { ...toRow(input), updated_at: deps.clock.now() });
        updated++;
      } else {
        await register(deps, tx, auth, f, input);
        created++;
      }
    }
    if (updated)
      await appendAudit(tx, {
        actor: actorOf(auth),
        action: "inventory.import",
        subjectType: "contract",
        subjectId: contractId,
        customerId: f.customer_id,
        article: "4",
        after: { created, updated },
        at: deps.clock.now(),
      });
    return { created, updated };
  });
}

export { itemPatch };
