import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addCharge } from "../src/billing/charges.ts";
import { runBilling } from "../src/billing/runs.ts";
import {
  buildContract,
  buildCustomer,
  buildUser,
  type Client,
  invoicesOf,
  linesOf,
  login,
  PASSWORD,
  type TestEnv,
  testApp,
} from "./helpers.ts";

let env: TestEnv;
let bill: Client;
let op: Client;

beforeAll(async () => {
  env = await testApp();
  bill = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
  op = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
});
afterAll(async () => {
  await env?.close();
});

describe("the monthly billing run (Art. 12(2), 29, 31)", () => {
  it("bills the start month whole with the initial fee, later months monthly, and nothing for void or ended contracts", async () => {
    const a = await buildContract(env.db, { start: "2026-09-15", plan: "standard", options: ["backup"] });
    const b = await buildContract(env.db, { start: "2026-08-01", plan: "basic" });
    const voided = await buildContract(env.db, { start: "2026-09-03", chargesVoid: true });
    const ended = await buildContract(env.db, {
      start: "2026-01-10",
      status: "terminated",
      endEffectiveOn: "2026-08-31",
    });
    // Queued (202): the run is a job; a worker does it and the run reports its progress.
    const r = await bill.req("POST", "/api/v1/billing/runs", { month: "2026-09" });
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ month: "2026-09", status: "queued" });
    expect(await env.queue.drain("billing.run")).toBe(1);
    const done = await bill.req("GET", `/api/v1/billing/runs/${r.json.id}`);
    expect(done.json).toMatchObject({ status: "done", attempts: 1 });
    expect(done.json.scanned).toBe(done.json.total);
    // Of this test's contracts the run billed a and b only (other tests' contracts may share the month).
    const made = await env.db
      .selectFrom("invoices")
      .select("contract_id")
      .where("run_id", "=", r.json.id)
      .execute();
    expect(done.json.created).toBe(made.length);
    const mine = new Set([a.id, b.id, voided.id, ended.id]);
    expect(
      made
        .filter((m) => mine.has(m.contract_id))
        .map((m) => m.contract_id)
        .sort(),
    ).toEqual([a.id, b.id].sort());
    const [ia] = await invoicesOf(env.db, a.id);
    expect(ia).toMatchObject({
      month: "2026-09",
      status: "draft",
      net: 190_000,
      tax: 19_000,
      total: 209_000,
    });
    const la = await linesOf(env.db, ia!.id);
    expect(la.map((l) => [l.item_code, l.amount, l.article])).toEqual([
      ["initial-standard", 100_000, expect.stringMatching(/^29/)],
      ["monthly-standard", 80_000, expect.any(String)],
      ["option-backup", 10_000, expect.any(String)],
    ]);
    expect(la.every((l) => l.note.length > 10)).toBe(true);
    expect((await invoicesOf(env.db, b.id))[0]).toMatchObject({
      net: 30_000,
      tax: 3_000,
      total: 33_000,
      due_date: "2026-10-31",
    });
    expect(await invoicesOf(env.db, voided.id)).toHaveLength(0);
    expect(await invoicesOf(env.db, ended.id)).toHaveLength(0);

    // The next month: no initial fee.
    await runBilling(env, "2026-10");
    const [, oct] = await invoicesOf(env.db, a.id);
    expect((await linesOf(env.db, oct!.id)).map((l) => l.item_code)).toEqual([
      "monthly-standard",
      "option-backup",
    ]);
  });

  it("explains every line and every step in English and in Japanese, each language citing articles its own way", async () => {
    // A start mid-month (whole month, Art. 12(2)) with an initial fee and an option; a charge staff typed.
    const c = await buildContract(env.db, { start: "2027-01-20", plan: "premium", options: ["backup"] });
    await addCharge(env, { kind: "system", id: null }, c.id, {
      month: "2027-01",
      kind: "other",
      description: "追加作業",
      taxCategory: "10",
      unitPrice: 5_000,
      article: "29(1)",
      note: "夜間の設定変更作業",
      noteJa: "夜間の設定変更作業",
    });
    await runBilling(env, "2027-01");
    const [inv] = await invoicesOf(env.db, c.id);
    const r = await bill.req("GET", `/api/v1/invoices/${inv!.id}`);
    expect(r.status).toBe(200);
    const { lines, basis } = r.json.document as {
      lines: { itemCode: string | null; descriptionEn: string | null; note: string; noteJa: string | null }[];
      basis: { article: string; text: string; textJa: string }[];
    };
    const japanese = /[\u3040-\u30ff\u3400-\u9fff]/;
    expect(lines.map((l) => l.itemCode)).toEqual([
      "initial-premium",
      "monthly-premium",
      "option-backup",
      null,
    ]);
    for (const l of lines.slice(0, 3)) {
      expect(l.note).toMatch(/Art\. \d+/);
      expect(l.note).not.toMatch(japanese);
      expect(l.noteJa).toMatch(/第\d+条/);
      expect(l.noteJa).not.toMatch(/Art\.|[A-Za-z]{3,}/);
    }
    expect(lines[1]!.noteJa).toContain("2027-01 分の月間費用");
    expect(lines[1]!.noteJa).toContain("第12条第2項");
    // Staff's words are theirs in both languages; the system's descriptions have their English wording.
    expect(lines[3]).toMatchObject({
      note: "夜間の設定変更作業",
      noteJa: "夜間の設定変更作業",
      descriptionEn: null,
    });
    const names = await env.db.selectFrom("price_items").select(["code", "name_en"]).execute();
    const nameEn = new Map(names.map((n) => [n.code, n.name_en]));
    for (const l of lines.slice(0, 3)) {
      expect(l.descriptionEn).toBe(nameEn.get(l.itemCode ?? ""));
      expect(l.descriptionEn).not.toMatch(japanese);
    }
    expect(basis.length).toBeGreaterThan(0);
    for (const b of basis) {
      expect(b.text).not.toMatch(japanese);
      expect(b.textJa).toMatch(japanese);
      expect(b.textJa).not.toMatch(/Art\./);
    }
  });

  it("re-running a month creates nothing new", async () => {
    const c = await buildContract(env.db, { start: "2026-07-01" });
    const first = await runBilling(env, "2026-07");
    expect(first.created).toBeGreaterThanOrEqual(1);
    const again = await runBilling(env, "2026-07");
    expect(again.created).toBe(0);
    expect(await invoicesOf(env.db, c.id)).toHaveLength(1);
  });

  it("two runs of the same month at once still make one invoice per contract", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 120; i++)
      ids.push((await buildContract(env.db, { start: "2026-05-20", plan: "basic" })).id);
    const [x, y] = await Promise.all([
      runBilling(env, "2026-06", { batchSize: 7 }),
      runBilling(env, "2026-06", { batchSize: 11 }),
    ]);
    const rows = await env.db
      .selectFrom("invoices")
      .select(["contract_id", (eb) => eb.fn.countAll<number>().as("n")])
      .where("month", "=", "2026-06")
      .where("contract_id", "in", ids)
      .groupBy("contract_id")
      .execute();
    expect(rows).toHaveLength(120);
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    expect(x.created + y.created).toBeGreaterThanOrEqual(120);
  });

  it("refuses a malformed month and requires the billing role", async () => {
    expect((await bill.req("POST", "/api/v1/billing/runs", { month: "2026-13" })).status).toBe(400);
    expect((await op.req("POST", "/api/v1/billing/runs", { month: "2026-09" })).status).toBe(403);
  });
});

describe("issuing, voiding, corrections (Art. 31; qualified invoices)", () => {
  it("numbers issued invoices sequentially per issuer and year; voided ones keep their number; issued ones are immutable", async () => {
    const c1 = await buildContract(env.db, { start: "2026-04-01", plan: "basic" });
    const c2 = await buildContract(env.db, { start: "2026-04-01", plan: "premium" });
    await runBilling(env, "2026-04");
    const [i1] = await invoicesOf(env.db, c1.id);
    const [i2] = await invoicesOf(env.db, c2.id);
    const r1 = await bill.req("POST", `/api/v1/invoices/${i1!.id}/issue`);
    expect(r1.status).toBe(200);
    const r2 = await bill.req("POST", `/api/v1/invoices/${i2!.id}/issue`);
    const n1 = r1.json.document.number as string;
    const n2 = r2.json.document.number as string;
    expect(n1).toMatch(/^INV-2026-\d{6}$/);
    expect(Number(n2.slice(-6))).toBe(Number(n1.slice(-6)) + 1);
    expect(r1.json.document.issuer.registrationNumber).toBe("T8000000000001");
    expect(r1.json.document.issueDate).toBe("2026-11-24");
    expect((await bill.req("POST", `/api/v1/invoices/${i1!.id}/issue`)).status).toBe(409);

    await expect(sql`update invoices set total = 1 where id = ${i1!.id}`.execute(env.db)).rejects.toThrow(
      /immutable/,
    );
    await expect(
      sql`update invoice_lines set amount = 1 where invoice_id = ${i1!.id}`.execute(env.db),
    ).rejects.toThrow();
    await expect(sql`delete from invoices where id = ${i1!.id}`.execute(env.db)).rejects.toThrow();

    const corrected = await bill.req("POST", `/api/v1/invoices/${i1!.id}/correct`, { reason: "宛名の誤り" });
    expect(corrected.status).toBe(201);
    expect(corrected.json.document).toMatchObject({ kind: "corrected", refersTo: n1, status: "draft" });
    const orig = await bill.req("GET", `/api/v1/invoices/${i1!.id}`);
    expect(orig.json.document).toMatchObject({ status: "void", number: n1, voidReason: "宛名の誤り" });
    const issued = await bill.req("POST", `/api/v1/invoices/${corrected.json.id}/issue`);
    expect(Number(issued.json.document.number.slice(-6))).toBe(Number(n2.slice(-6)) + 1);
    // Still one regular invoice for the month.
    expect((await invoicesOf(env.db, c1.id)).filter((i) => i.kind === "regular")).toHaveLength(1);
  });

  it("bills a charge left on a contract that ended months ago, on its own, and nothing else for that contract", async () => {
    const ended = await buildContract(env.db, {
      start: "2025-01-06",
      plan: "basic",
      status: "terminated",
      endEffectiveOn: "2026-05-31",
    });
    const quiet = await buildContract(env.db, {
      start: "2025-01-06",
      status: "terminated",
      endEffectiveOn: "2026-05-31",
    });
    await addCharge(env, { kind: "system", id: null }, ended.id, {
      month: "2026-05",
      kind: "other",
      description: "最終月の作業",
      taxCategory: "10",
      quantity: 1,
      unitPrice: 7_000,
      article: "29(1)",
      note: "work done in the last month, recorded late",
      noteJa: "最終月の作業(後日記録)",
    });
    const r = await runBilling(env, "2027-02");
    expect(r.created).toBeGreaterThanOrEqual(1);
    const [inv] = await invoicesOf(env.db, ended.id);
    expect(inv).toMatchObject({ month: "2027-02", net: 7_000, tax: 700 });
    expect((await linesOf(env.db, inv!.id)).map((l) => l.description)).toEqual(["最終月の作業"]);
    expect(await invoicesOf(env.db, quiet.id)).toHaveLength(0);
    // Run again: nothing more.
    expect((await runBilling(env, "2027-02")).created).toBe(0);
  });

  it("refuses an invoice line whose customer is not its invoice's (the key row-level security rests on)", async () => {
    const c = await buildContract(env.db, { start: "2026-04-01", plan: "basic" });
    await runBilling(env, "2026-04");
    const [inv] = await invoicesOf(env.db, c.id);
    const other = await buildCustomer(env.db);
    const insert = (customerId: string) =>
      sql`INSERT INTO invoice_lines (invoice_id, customer_id, line_no, description, kind, tax_category, quantity,
                                     unit_price, amount, article, note)
          VALUES (${inv!.id}::uuid, ${customerId}::uuid, 99, 'x', 'other', '10', 1, 1, 1, '29(1)', 'x')`.execute(
        env.db,
      );
    await expect(insert(other)).rejects.toMatchObject({ code: "23503" });
    await insert(c.customerId);
    expect(await linesOf(env.db, inv!.id)).toHaveLength(3);
  });

  it("bills what a charge says when an import changes it while the run is between reading and writing", async () => {
    const c = await buildContract(env.db, { start: "2026-02-01", plan: "basic" });
    const charge = await addCharge(env, { kind: "system", id: null }, c.id, {
      month: "2026-02",
      kind: "usage",
      description: "AWS利用料",
      taxCategory: "10",
      unitPrice: 1_000,
      article: "29(1)(3)",
      note: "first import",
      noteJa: "最初の取り込み",
    });
    // A usage re-import lands after the run read the pending charges: the run's database sees its
    // read of `charges` answered, then the change committed, before it writes.
    let changed = false;
    const reads = new Set<unknown>();
    const racing = env.db.withPlugin({
      transformQuery(args) {
        const node = args.node as {
          kind: string;
          from?: { froms: { table?: { identifier?: { name: string } } }[] };
        };
        if (
          node.kind === "SelectQueryNode" &&
          node.from?.froms.some((f) => f.table?.identifier?.name === "charges")
        )
          reads.add(args.queryId);
        return args.node;
      },
      async transformResult(args) {
        if (!changed && reads.has(args.queryId)) {
          changed = true;
          await env.db
            .updateTable("charges")
            .set({ amount: 1_500, unit_price: 1_500, note: "corrected import" })
            .where("id", "=", (charge as { id: string }).id)
            .execute();
        }
        return args.result;
      },
    });
    await runBilling({ db: racing, clock: env.clock }, "2026-02");
    expect(changed).toBe(true);
    const [inv] = await invoicesOf(env.db, c.id);
    const usage = (await linesOf(env.db, inv!.id)).find((l) => l.kind === "usage");
    expect(usage).toMatchObject({ amount: 1_500, note: "corrected import" });
    const stored = await env.db
      .selectFrom("charges")
      .select(["invoice_id", "amount"])
      .where("id", "=", (charge as { id: string }).id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ invoice_id: inv!.id, amount: 1_500 });
  });

  it("shows per-rate totals with tax rounded once per rate", async () => {
    const c = await buildContract(env.db, { start: "2026-03-01", plan: "basic" });
    await addCharge(env, { kind: "system", id: null }, c.id, {
      month: "2026-03",
      kind: "other",
      description: "軽減税率の品目",
      taxCategory: "8",
      quantity: 3,
      unitPrice: 333,
      article: "29(1)",
      note: "test",
      noteJa: "テスト",
    });
    await runBilling(env, "2026-03");
    const [inv] = await invoicesOf(env.db, c.id);
    expect(inv!.by_rate).toEqual([
      { category: "10", net: 80_000, tax: 8_000 },
      { category: "8", net: 999, tax: 79 },
    ]);
    // The start month: initial fee 50,000 + monthly 30,000 at 10 %; 3 × 333 at 8 % → tax floor(79.92) = 79, not 3 × 26.
    expect(inv!.total).toBe(80_000 + 8_000 + 999 + 79);
  });
});
