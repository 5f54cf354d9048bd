import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { csvRows, parseAwsCur, parseGenericUsageAsync, toYen } from "./usage-import.ts";

const LEGACY = [
  "identity/LineItemId,bill/BillingPeriodStartDate,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/ProductCode,product/ProductName,lineItem/UnblendedCost,lineItem/CurrencyCode",
  'a1,2026-10-01T00:00:00Z,111111111111,Usage,AmazonEC2,"Amazon Elastic Compute Cloud, Linux",10.5,USD',
  'a2,2026-10-01T00:00:00Z,111111111111,Usage,AmazonEC2,"Amazon Elastic Compute Cloud, Linux",0.0000001,USD',
  "a3,2026-10-01T00:00:00Z,111111111111,Tax,AmazonEC2,Tax,1.05,USD",
  'a4,2026-10-01T00:00:00Z,111111111111,Credit,AmazonEC2,"Amazon Elastic Compute Cloud, Linux",-2.25,USD',
  "a5,2026-11-01T00:00:00Z,111111111111,Usage,AmazonS3,Amazon Simple Storage Service,3.3,USD",
  "a6,2026-10-01T00:00:00Z,222222222222,Usage,AmazonRDS,Amazon RDS,1E+1,USD",
].join("\r\n");

const V2 = LEGACY.replace(
  /^.*\r\n/,
  "identity_line_item_id,bill_billing_period_start_date,line_item_usage_account_id,line_item_line_item_type,line_item_product_code,product_product_name,line_item_unblended_cost,line_item_currency_code\r\n",
);

describe("AWS Cost and Usage Report", () => {
  for (const [name, text] of [
    ["legacy CUR", LEGACY],
    ["CUR 2.0", V2],
  ] as const)
    it(`sums ${name} per account, month and product exactly, excluding Tax`, async () => {
      const r = await parseAwsCur(new TextEncoder().encode(`\uFEFF${text}`));
      expect(r.lines).toBe(6);
      expect(r.excluded).toEqual({ Tax: 1 });
      expect(r.totals).toEqual([
        {
          account: "111111111111",
          month: "2026-10",
          currency: "USD",
          productCode: "AmazonEC2",
          productName: "Amazon Elastic Compute Cloud, Linux",
          amount: "8.2500001",
        },
        {
          account: "111111111111",
          month: "2026-11",
          currency: "USD",
          productCode: "AmazonS3",
          productName: "Amazon Simple Storage Service",
          amount: "3.3",
        },
        {
          account: "222222222222",
          month: "2026-10",
          currency: "USD",
          productCode: "AmazonRDS",
          productName: "Amazon RDS",
          amount: "10",
        },
      ]);
    });

  it("reads gzip and streamed chunks split anywhere", async () => {
    const gz = gzipSync(Buffer.from(LEGACY));
    expect((await parseAwsCur(new Uint8Array(gz))).totals).toHaveLength(3);
    const bytes = new TextEncoder().encode(LEGACY);
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    expect((await parseAwsCur(chunks())).totals[0]!.amount).toBe("8.2500001");
  });

  it("refuses a file that is not a CUR", async () => {
    await expect(parseAwsCur(new TextEncoder().encode("a,b\n1,2\n"))).rejects.toThrow(
      /not an AWS Cost and Usage Report/,
    );
  });

  it("streams 200,000 lines", async () => {
    const header = LEGACY.split("\r\n")[0]!;
    const N = 200_000;
    async function* big() {
      yield new TextEncoder().encode(`${header}\n`);
      const enc = new TextEncoder();
      for (let i = 0; i < N; i += 1000) {
        let s = "";
        for (let j = i; j < i + 1000; j++)
          s += `x${j},2026-10-01T00:00:00Z,${100000000000 + (j % 50)},Usage,AmazonEC2,EC2,0.0123456789,USD\n`;
        yield enc.encode(s);
      }
    }
    const t = performance.now();
    const r = await parseAwsCur(big());
    const seconds = (performance.now() - t) / 1000;
    expect(r.lines).toBe(N);
    expect(r.totals).toHaveLength(50);
    expect(r.totals[0]!.amount).toBe("49.3827156"); // 4,000 × 0.0123456789 exactly
    expect(seconds).toBeLessThan(30);
  });
});

describe("generic usage CSV and conversion", () => {
  it("reads rows and refuses bad ones with their line number", async () => {
    const ok = await parseGenericUsageAsync(
      new TextEncoder().encode(
        'contract_number,month,description,amount,currency,tax_category\nC-1,2026-10,"さくらVPS, 2台",12000,JPY,10\nC-2,2026-10,Azure,10.5,USD,\n',
      ),
    );
    expect(ok.rows).toEqual([
      {
        line: 2,
        contractNumber: "C-1",
        month: "2026-10",
        description: "さくらVPS, 2台",
        amount: "12000",
        currency: "JPY",
        taxCategory: "10",
      },
      {
        line: 3,
        contractNumber: "C-2",
        month: "2026-10",
        description: "Azure",
        amount: "10.5",
        currency: "USD",
        taxCategory: "10",
      },
    ]);
    const bad = (body: string) =>
      parseGenericUsageAsync(new TextEncoder().encode(`contract_number,month,description,amount\n${body}`));
    await expect(bad("C-1,2026-13,x,1\n")).rejects.toThrow(/line 2: month/);
    await expect(bad("C-1,2026-10,x,1\nC-1,2026-10,x,abc\n")).rejects.toThrow(/line 3 amount/);
    await expect(parseGenericUsageAsync(new TextEncoder().encode("month,amount\n"))).rejects.toThrow(
      /contract_number/,
    );
  });

  it("converts exactly, rounding once", () => {
    expect(toYen("12345.678901", "151.23")).toBe(1_867_037); // 1,867,036.9…
    expect(toYen("0.1", "3")).toBe(0);
    expect(toYen("0.3", "5", "half-up")).toBe(2); // 1.5 → 2
    expect(toYen("0.3", "5", "down")).toBe(1);
    expect(toYen("-2.5", "1")).toBe(-3);
    expect(toYen("12000", "1")).toBe(12_000);
  });

  it("reads quoted newlines in RFC 4180 fields", async () => {
    const rows = [];
    for await (const r of csvRows(new TextEncoder().encode('a,"b\nc",d\r\ne,f,g'))) rows.push(r);
    expect(rows).toEqual([
      { line: 1, fields: ["a", "b\nc", "d"] },
      { line: 3, fields: ["e", "f", "g"] },
    ]);
  });
});

describe("reading CSV (RFC 4180, streamed)", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  async function rowsOf(input: Uint8Array | AsyncIterable<Uint8Array>) {
    const rows: { line: number; fields: string[] }[] = [];
    for await (const r of csvRows(input)) rows.push(r);
    return rows;
  }

  it("numbers rows by the line they start on, across blank lines, CRLF, LF, lone CR and quoted newlines", async () => {
    const text = '\uFEFF"a",b\r\n\r\nc,"d\r\ne"\n\nf\rg,"h"\r\n"",\n""\nlast,';
    const expected = [
      { line: 1, fields: ["a", "b"] },
      { line: 3, fields: ["c", "d\r\ne"] },
      { line: 6, fields: ["f"] },
      { line: 7, fields: ["g", "h"] },
      { line: 8, fields: ["", ""] },
      // line 9 is a lone quoted empty field: a blank row, skipped like an empty line.
      { line: 10, fields: ["last", ""] },
    ];
    expect(await rowsOf(enc(text))).toEqual(expected);
  });

  it("keeps a quote inside an unquoted field, and rows of any width", async () => {
    const text = 'desc,n\n27" monitor,1\nshort\n"さくら, ""VPS""",2,extra\n';
    const expected = [
      { line: 1, fields: ["desc", "n"] },
      { line: 2, fields: ['27" monitor', "1"] },
      { line: 3, fields: ["short"] },
      { line: 4, fields: ['さくら, "VPS"', "2", "extra"] },
    ];
    expect(await rowsOf(enc(text))).toEqual(expected);
  });

  it('reads the same rows however the bytes are split (CR | LF, "" escapes, BOM, UTF-8 characters)', async () => {
    const text = '\uFEFF"a",b\r\n\r\nc,"d\r\ne"\n\nf\rg,"h"\r\n"さくら, ""VPS""",2\r\n"",\n""\nlast,';
    const whole = await rowsOf(enc(text));
    expect(whole.map((r) => r.line)).toEqual([1, 3, 6, 7, 8, 9, 11]);
    expect(whole[4]!.fields).toEqual(['さくら, "VPS"', "2"]);
    for (const size of [1, 2, 3, 5])
      expect(
        await rowsOf(
          (async function* () {
            const bytes = enc(text);
            for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
          })(),
        ),
      ).toEqual(whole);
  });

  it("reads a closing quote followed by text as the text written (not RFC 4180; csv-parse's relaxed reading)", async () => {
    expect(await rowsOf(enc('"abc"def,x\n"a" ,y'))).toEqual([
      { line: 1, fields: ['"abc"def', "x"] },
      { line: 2, fields: ['"a" ', "y"] },
    ]);
  });

  it("reads a file as UTF-8: a UTF-16 one is not taken for a report", async () => {
    await expect(parseAwsCur(new Uint8Array(Buffer.from(`\uFEFF${LEGACY}`, "utf16le")))).rejects.toThrow(
      /not an AWS Cost and Usage Report/,
    );
  });

  it("refuses a quoted field left open, naming the line it starts on", async () => {
    const open = rowsOf(enc('a,b\n\n"c\nd,e\n'));
    await expect(open).rejects.toThrow("line 3: a quoted field is not closed");
    await expect(open).rejects.toMatchObject({ name: "AppError", code: "validation_failed" });
    await expect(
      parseGenericUsageAsync(enc('contract_number,month,description,amount\nC-1,2026-10,"x,1\n')),
    ).rejects.toThrow("line 2: a quoted field is not closed");
    // The rows before it are read first: an earlier bad row is the one named.
    await expect(
      parseGenericUsageAsync(
        enc('contract_number,month,description,amount\nC-1,2026-13,x,1\nC-1,2026-10,"x,1\n'),
      ),
    ).rejects.toThrow("line 2: month");
  });

  it("refuses a damaged gzip file", async () => {
    const gz = gzipSync(Buffer.from(LEGACY));
    await expect(parseAwsCur(new Uint8Array(gz.subarray(0, gz.length - 20)))).rejects.toMatchObject({
      code: "validation_failed",
      message: expect.stringMatching(/^the gzip file is damaged: /),
    });
  });

  it("names the line and the field of a bad row", async () => {
    const bad = parseGenericUsageAsync(
      enc("contract_number,month,description,amount\r\nC-1,2026-10,x,1\r\n\r\nC-2,2026-10,,1\r\n"),
    );
    await expect(bad).rejects.toMatchObject({
      code: "validation_failed",
      message: "line 4: description is empty or longer than 200 characters",
      details: { line: 4 },
    });
    await expect(
      parseAwsCur(enc(`${LEGACY}\r\na7,2026-10-01,111111111111,Usage,X,Y,1.2.3,USD`)),
    ).rejects.toThrow('line 8 unblended cost: "1.2.3" is not a number');
    await expect(parseGenericUsageAsync(enc(""))).rejects.toThrow("the file is empty");
    await expect(parseAwsCur(enc("\uFEFF\r\n\r\n"))).rejects.toThrow("the file is empty");
  });
});
