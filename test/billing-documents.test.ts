/**
 * Accounting-grade documents through the API (Art. 31, 34; Consumption Tax Act 57-4; 電子帳簿保存法):
 * issued PDFs kept byte for byte across price-book and issuer changes; credit notes as qualified
 * return invoices; corrections and credits as one paper trail; the month's CSV carrying it; search by
 * date, amount and counterparty.
 */
import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import { sql } from "kysely";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepPending } from "../src/billing/documents.ts";
import { runBilling } from "../src/billing/runs.ts";
import {
  buildContract,
  buildUser,
  type Client,
  invoicesOf,
  issueMonthOn,
  issueOn,
  login,
  PASSWORD,
  type TestEnv,
  testApp,
} from "./helpers.ts";

let env: TestEnv;
let bill: Client;

beforeAll(async () => {
  env = await testApp();
  bill = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
});
afterAll(async () => {
  await env?.close();
});

async function pdf(client: Client, url: string) {
  const r = await env.app.inject({ method: "GET", url, headers: { cookie: client.cookie } });
  return { status: r.statusCode, bytes: r.rawPayload, headers: r.headers, json: () => r.json() };
}

async function textOf(bytes: Buffer): Promise<string> {
  expect(bytes.subarray(0, 5).toString(), bytes.toString().slice(0, 300)).toBe("%PDF-");
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false }).promise;
  const out: string[] = [];
  for (let p = 1; p <= doc.numPages; p++)
    out.push(
      (await (await doc.getPage(p)).getTextContent()).items.map((i) => ("str" in i ? i.str : "")).join(""),
    );
  return out.join("\n");
}

/** A contract billed for October 2026 and issued: its invoice id and number. */
async function issuedInvoice(plan: "basic" | "standard" | "premium" = "standard") {
  const c = await buildContract(env.db, { start: "2026-10-01", plan });
  await runBilling(env, "2026-10");
  const [inv] = await invoicesOf(env.db, c.id);
  const r = await bill.req("POST", `/api/v1/invoices/${inv!.id}/issue`);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return {
    contract: c,
    id: inv!.id as string,
    number: r.json.document.number as string,
    doc: r.json.document,
  };
}

describe("what was issued is kept, byte for byte (電子帳簿保存法)", () => {
  it("keeps the Japanese PDF at issue; the same bytes after the price book and the issuer change, in both languages", async () => {
    const { id } = await issuedInvoice();
    const kept = await bill.req("GET", `/api/v1/invoices/${id}/documents`);
    expect(kept.json.map((d: { lang: string }) => d.lang)).toEqual(["ja"]);
    const ja1 = await pdf(bill, `/api/v1/invoices/${id}/pdf`);
    expect(ja1.status).toBe(200);
    const sha = createHash("sha256").update(ja1.bytes).digest("hex");
    expect(ja1.headers["x-content-sha256"]).toBe(sha);
    expect(kept.json[0]).toMatchObject({ sha256: sha, size: ja1.bytes.length });
    const en1 = await pdf(bill, `/api/v1/invoices/${id}/pdf?lang=en`);
    expect(await textOf(en1.bytes)).toContain("Invoice");

    // The price book and every issuer detail change…
    for (const code of ["monthly-standard", "initial-standard"])
      expect(
        (
          await bill.req("POST", `/api/v1/billing/price-items/${code}/prices`, {
            from: "2026-12-01",
            unitPrice: 99_999,
          })
        ).status,
      ).toBe(201);
    const patched = await bill.req("PATCH", "/api/v1/billing/settings", {
      issuerName: "改称後サービス株式会社",
      issuerAddress: "大阪府大阪市北区1-1",
      registrationNumber: "T7000012050002",
      bankAccount: "別の銀行 支店 普通 7654321",
      taxRounding: "up",
    });
    expect(patched.status).toBe(200);
    // … and the documents as issued do not.
    const ja2 = await pdf(bill, `/api/v1/invoices/${id}/pdf`);
    const en2 = await pdf(bill, `/api/v1/invoices/${id}/pdf?lang=en`);
    expect(ja2.bytes.equals(ja1.bytes)).toBe(true);
    expect(en2.bytes.equals(en1.bytes)).toBe(true);
    expect(await textOf(ja2.bytes)).not.toContain("改称後サービス株式会社");
    // A document issued now carries the new details.
    const later = await issuedInvoice("basic");
    expect(await textOf((await pdf(bill, `/api/v1/invoices/${later.id}/pdf`)).bytes)).toContain(
      "改称後サービス株式会社",
    );
    await bill.req("PATCH", "/api/v1/billing/settings", {
      issuerName: "運用支援サービス株式会社",
      registrationNumber: "T8000000000001",
      taxRounding: "down",
    });
  });

  it("refuses to change or delete a kept document, even as the database owner", async () => {
    const { id } = await issuedInvoice();
    await expect(
      sql`UPDATE invoice_documents SET bytes = '\\x00', size = 1 WHERE invoice_id = ${id}::uuid`.execute(
        env.db,
      ),
    ).rejects.toThrow(/never changed or deleted/);
    await expect(
      sql`DELETE FROM invoice_documents WHERE invoice_id = ${id}::uuid`.execute(env.db),
    ).rejects.toThrow(/never changed or deleted/);
    await expect(sql`TRUNCATE invoice_documents`.execute(env.db)).rejects.toThrow(/never changed or deleted/);
  });

  it("keeps a month's documents in the background job; a customer reads their own kept bytes and no one else's", async () => {
    const a = await buildContract(env.db, { start: "2026-08-01", plan: "basic" });
    const b = await buildContract(env.db, { start: "2026-08-01", plan: "basic" });
    await runBilling(env, "2026-08");
    expect(await issueMonthOn(env, "2026-08", "2026-09-01")).toBeGreaterThanOrEqual(2);
    const [ia] = await invoicesOf(env.db, a.id);
    const [ib] = await invoicesOf(env.db, b.id);
    const before = await env.db
      .selectFrom("invoice_documents")
      .select("invoice_id")
      .where("invoice_id", "in", [ia!.id, ib!.id])
      .execute();
    expect(before).toHaveLength(0);
    expect((await keepPending(env)).kept).toBeGreaterThanOrEqual(2);
    // Marked kept: the next round finds nothing to do (the job selects by the mark, not by a scan).
    expect((await keepPending(env)).kept).toBe(0);
    expect(
      await env.db
        .selectFrom("invoices")
        .select("id")
        .where("status", "=", "issued")
        .where("document_kept", "=", false)
        .execute(),
    ).toEqual([]);
    const rows = await env.db
      .selectFrom("invoice_documents")
      .select(["invoice_id", "sha256", "bytes"])
      .where("invoice_id", "in", [ia!.id, ib!.id])
      .execute();
    expect(rows).toHaveLength(2);
    const custA = await login(
      env.app,
      (await buildUser(env.db, { role: "customer-admin", customerId: a.customerId })).loginId,
      PASSWORD,
    );
    const mine = await pdf(custA, `/api/v1/invoices/${ia!.id}/pdf`);
    expect(mine.status).toBe(200);
    expect(mine.bytes.equals(rows.find((r) => r.invoice_id === ia!.id)!.bytes)).toBe(true);
    expect((await pdf(custA, `/api/v1/invoices/${ia!.id}/documents/ja`)).status).toBe(200);
    expect((await pdf(custA, `/api/v1/invoices/${ib!.id}/pdf`)).status).toBe(404);
    expect((await pdf(custA, `/api/v1/invoices/${ib!.id}/documents/ja`)).status).toBe(404);
    expect((await custA.req("GET", `/api/v1/invoices/${ib!.id}/documents`)).status).toBe(404);
  });

  it("finds issued documents by issue date, amount and counterparty (and combinations)", async () => {
    const { id, doc } = await issuedInvoice();
    const name = doc.recipient.name as string;
    const q = async (query: string) =>
      ((await bill.req("GET", `/api/v1/invoices?${query}&limit=100`)).json.items as { id: string }[]).map(
        (i) => i.id,
      );
    expect(
      await q(`issuedFrom=2026-11-24&issuedTo=2026-11-24&counterparty=${encodeURIComponent(name.slice(2))}`),
    ).toContain(id);
    expect(
      await q(
        `totalMin=${doc.totals.total}&totalMax=${doc.totals.total}&counterparty=${encodeURIComponent(name)}`,
      ),
    ).toEqual([id]);
    expect(await q(`totalMin=${doc.totals.total + 1}&counterparty=${encodeURIComponent(name)}`)).toEqual([]);
    expect(await q(`issuedTo=2026-11-23&counterparty=${encodeURIComponent(name)}`)).toEqual([]);
    const bad = await bill.req("GET", "/api/v1/invoices?issuedFrom=2026-13-01");
    expect(bad.status).toBe(400);
  });
});

describe("credit notes and corrections: one paper trail (Art. 31(1), 34; 57-4(3))", () => {
  it("a credit note is a qualified return invoice; the invoice it credits cannot be corrected until it is dealt with", async () => {
    // Issued on 20 November; on the 24th part of the money is given back, returned on the 23rd.
    const c = await buildContract(env.db, { start: "2026-10-01", plan: "standard" });
    await runBilling(env, "2026-10");
    const [draft] = await invoicesOf(env.db, c.id);
    await issueOn(env, [draft!.id], "2026-11-20");
    const orig = { id: draft!.id, number: (await invoicesOf(env.db, c.id))[0]!.number! };
    const made = await bill.req(
      "POST",
      `/api/v1/invoices/${orig.id}/credit-note`,
      {
        reason: "10月の障害対応遅延による値引き",
        returnDate: "2026-11-23",
        lines: [{ description: "値引き", amount: 10_000, taxCategory: "10" }],
      },
      { "idempotency-key": `cn-${orig.id}` },
    );
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect(made.json.document).toMatchObject({
      kind: "credit",
      refersTo: orig.number,
      creditReason: "10月の障害対応遅延による値引き",
      returnDate: "2026-11-23",
      status: "draft",
    });
    // A draft credit note blocks the correction; so does the issued one.
    const blocked = await bill.req(
      "POST",
      `/api/v1/invoices/${orig.id}/correct`,
      { reason: "宛名の誤り" },
      { "idempotency-key": `c1-${orig.id}` },
    );
    expect(blocked.status).toBe(409);
    expect(blocked.json.error).toMatchObject({ article: "31(1)", details: { reason: "draft_credit" } });
    const issued = await bill.req("POST", `/api/v1/invoices/${made.json.id}/issue`);
    expect(issued.status).toBe(200);
    const cn = issued.json.document.number as string;
    expect(issued.json.document.totals).toMatchObject({ net: -10_000, tax: -1_000, total: -11_000 });
    const text = await textOf((await pdf(bill, `/api/v1/invoices/${made.json.id}/pdf`)).bytes);
    for (const s of [
      "適格返還請求書",
      "返還日 2026-11-23",
      `対象請求書 ${orig.number}`,
      "対象請求書の発行日 2026-11-20",
      "返還額(税込) ¥11,000",
      "返還の理由: 10月の障害対応遅延による値引き",
    ])
      expect(text, s).toContain(s);
    expect(text).not.toContain("支払期限");
    expect((await bill.req("GET", `/api/v1/invoices/${orig.id}`)).json.document.creditedBy).toEqual([cn]);

    const refused = await bill.req(
      "POST",
      `/api/v1/invoices/${orig.id}/correct`,
      { reason: "宛名の誤り" },
      { "idempotency-key": `c2-${orig.id}` },
    );
    expect(refused.status).toBe(409);
    expect(refused.json.error.details.reason).toBe("issued_credit");
    expect(refused.json.error.message).toContain(cn);
    expect((await bill.req("POST", `/api/v1/invoices/${orig.id}/void`, { reason: "x" })).status).toBe(409);
    // Nothing was half-done: the original is still issued.
    expect((await bill.req("GET", `/api/v1/invoices/${orig.id}`)).json.document.status).toBe("issued");

    // Dealt with: the credit note is voided, then the invoice corrected; the void one names its replacement.
    expect(
      (await bill.req("POST", `/api/v1/invoices/${made.json.id}/void`, { reason: "訂正に含めるため" }))
        .status,
    ).toBe(200);
    const corrected = await bill.req(
      "POST",
      `/api/v1/invoices/${orig.id}/correct`,
      { reason: "宛名の誤り" },
      { "idempotency-key": `c3-${orig.id}` },
    );
    expect(corrected.status).toBe(201);
    const replacement = await bill.req("POST", `/api/v1/invoices/${corrected.json.id}/issue`);
    const newNumber = replacement.json.document.number as string;
    expect(replacement.json.document).toMatchObject({
      kind: "corrected",
      refersTo: orig.number,
      refersToIssueDate: "2026-11-20",
      correctionReason: "宛名の誤り",
    });
    const voided = (await bill.req("GET", `/api/v1/invoices/${orig.id}`)).json.document;
    expect(voided).toMatchObject({
      status: "void",
      replacedBy: newNumber,
      voidedOn: "2026-11-24",
      creditedBy: [],
    });
    const voidText = await textOf((await pdf(bill, `/api/v1/invoices/${orig.id}/pdf?lang=en`)).bytes);
    expect(voidText).toContain(`replaced by ${newNumber}`);
    // What was issued stays readable as issued, without the VOID banner.
    const asIssued = await textOf((await pdf(bill, `/api/v1/invoices/${orig.id}/documents/ja`)).bytes);
    expect(asIssued).not.toContain("無効");
    const correctedText = await textOf((await pdf(bill, `/api/v1/invoices/${corrected.json.id}/pdf`)).bytes);
    expect(correctedText).toContain("訂正請求書");
    expect(correctedText).toContain(`訂正前の請求書 ${orig.number}`);

    // The month's CSV carries the trail.
    const csv = await env.app.inject({
      method: "GET",
      url: "/api/v1/billing/months/2026-10/invoices.csv",
      headers: { cookie: bill.cookie },
    });
    const rows: Record<string, string>[] = parse(csv.body.replace(/^\uFEFF/, ""), { columns: true });
    expect(rows.find((r) => r.invoice_number === orig.number)).toMatchObject({
      status: "void",
      void_reason: "宛名の誤り",
      voided_on: "2026-11-24",
      replaced_by: newNumber,
    });
    expect(rows.find((r) => r.invoice_number === cn)).toMatchObject({
      kind: "credit",
      refers_to: orig.number,
      refers_to_issue_date: "2026-11-20",
      credit_reason: "10月の障害対応遅延による値引き",
      return_date: "2026-11-23",
      void_reason: "訂正に含めるため",
    });
    expect(rows.find((r) => r.invoice_number === newNumber)).toMatchObject({
      kind: "corrected",
      refers_to: orig.number,
    });
  });

  it("refuses a return larger than what was billed at the rate, a future or too early return date, and a credit of a credit", async () => {
    const orig = await issuedInvoice();
    const ten = orig.doc.totals.byRate.find((r: { category: string }) => r.category === "10").net as number;
    const post = (body: object, key: string) =>
      bill.req("POST", `/api/v1/invoices/${orig.id}/credit-note`, body, {
        "idempotency-key": `${key}-${orig.id}`,
      });
    const line = (amount: number, taxCategory = "10") => [{ description: "値引き", amount, taxCategory }];
    const tooMuch = await post({ reason: "r", lines: line(ten + 1) }, "a");
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.json.error).toMatchObject({ article: "34", details: { reason: "exceeds_billed" } });
    expect((await post({ reason: "r", lines: line(1, "8") }, "b")).json.error.details.reason).toBe(
      "rate_not_billed",
    );
    expect(
      (await post({ reason: "r", returnDate: "2026-11-25", lines: line(1) }, "c")).json.error.details.reason,
    ).toBe("return_in_future");
    expect(
      (await post({ reason: "r", returnDate: "2026-11-23", lines: line(1) }, "d")).json.error.details.reason,
    ).toBe("return_before_issue");
    expect((await post({ reason: "r", returnDate: "2026-02-30", lines: line(1) }, "e")).status).toBe(400);
    const ok = await post({ reason: "r", lines: line(ten) }, "f");
    expect(ok.status).toBe(201);
    expect(ok.json.document.returnDate).toBe("2026-11-24");
    // The whole 10% is now returned (by a draft): one yen more is refused.
    expect((await post({ reason: "r", lines: line(1) }, "g")).json.error.details.reason).toBe(
      "exceeds_billed",
    );
    expect((await bill.req("POST", `/api/v1/invoices/${ok.json.id}/issue`)).status).toBe(200);
    const ofCredit = await bill.req(
      "POST",
      `/api/v1/invoices/${ok.json.id}/credit-note`,
      { reason: "r", lines: line(1) },
      { "idempotency-key": `h-${orig.id}` },
    );
    expect(ofCredit.json.error.details.reason).toBe("credit_of_credit");
    const correctCredit = await bill.req(
      "POST",
      `/api/v1/invoices/${ok.json.id}/correct`,
      { reason: "r" },
      { "idempotency-key": `i-${orig.id}` },
    );
    expect(correctCredit.json.error.details.reason).toBe("credit_note");
  });

  it("an issued credit note settles the invoice it credits; paid before, the excess becomes the customer's credit; voided, it owes again", async () => {
    const credit = async (id: string, key: string, amount = 10_000) => {
      const made = await bill.req(
        "POST",
        `/api/v1/invoices/${id}/credit-note`,
        { reason: "値引き", lines: [{ description: "値引き", amount, taxCategory: "10" }] },
        { "idempotency-key": `${key}-${id}` },
      );
      expect(made.status).toBe(201);
      expect((await bill.req("POST", `/api/v1/invoices/${made.json.id}/issue`)).status).toBe(200);
      return made.json.id as string;
    };
    const view = async (id: string) => (await bill.req("GET", `/api/v1/invoices/${id}`)).json;

    // Unpaid: the customer owes the total less what was returned, and paying that settles it.
    const a = await issuedInvoice();
    const total = a.doc.totals.total as number;
    const cnA = await credit(a.id, "s1");
    expect(await view(a.id)).toMatchObject({
      creditedAmount: 11_000,
      paidAmount: 11_000,
      balance: total - 11_000,
    });
    const pay = await bill.req("POST", "/api/v1/payments", {
      customerId: a.contract.customerId,
      receivedOn: "2026-11-24",
      amount: total - 11_000,
      method: "bank_transfer",
      invoiceId: a.id,
    });
    expect(pay.status).toBe(201);
    expect(await view(a.id)).toMatchObject({ balance: 0, paidOn: "2026-11-24", overdue: false });
    // Voiding the credit note (it was wrong) makes the invoice owe the returned amount again.
    expect((await bill.req("POST", `/api/v1/invoices/${cnA}/void`, { reason: "誤り" })).status).toBe(200);
    expect(await view(a.id)).toMatchObject({
      creditedAmount: 0,
      paidAmount: total - 11_000,
      balance: 11_000,
      paidOn: null,
    });

    // Paid in full before the return: the 11,000 yen come back as credit and settle the next invoice.
    const b = await issuedInvoice();
    const bTotal = b.doc.totals.total as number;
    const paid = await bill.req("POST", "/api/v1/payments", {
      customerId: b.contract.customerId,
      receivedOn: "2026-11-24",
      amount: bTotal,
      method: "bank_transfer",
      invoiceId: b.id,
    });
    expect(paid.status).toBe(201);
    await credit(b.id, "s2");
    expect(await view(b.id)).toMatchObject({ balance: 0, creditedAmount: 11_000, paidAmount: bTotal });
    const left = await env.db
      .selectFrom("payments")
      .select(["unallocated"])
      .where("id", "=", paid.json.id)
      .executeTakeFirstOrThrow();
    expect(left.unallocated).toBe(11_000);
    const allocated = await env.db
      .selectFrom("payment_allocations")
      .select((eb) => eb.fn.sum<string>("amount").as("sum"))
      .where("invoice_id", "=", b.id)
      .executeTakeFirstOrThrow();
    expect(Number(allocated.sum)).toBe(bTotal - 11_000);
    // The customer's next invoice takes the credit at issue.
    await runBilling(env, "2026-11");
    const [next] = (await invoicesOf(env.db, b.contract.id)).filter((i) => i.month === "2026-11");
    expect((await bill.req("POST", `/api/v1/invoices/${next!.id}/issue`)).status).toBe(200);
    expect((await view(next!.id)).paidAmount).toBe(11_000);
  });
});
