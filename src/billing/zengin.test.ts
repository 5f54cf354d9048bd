import { describe, expect, it } from "vitest";
import { parseZenginResult, writeZenginDebitFile, type ZenginWriteInput, zenginName } from "./zengin.ts";

/** Half-width katakana and ASCII to JIS 8-bit bytes, padded (built by hand, not by the writer). */
function jis(s: string, len: number, pad = " ", right = false): number[] {
  const b = [...s].map((ch) => {
    const cp = ch.codePointAt(0)!;
    return cp >= 0xff61 ? cp - 0xff61 + 0xa1 : cp;
  });
  const fill = Array(len - b.length).fill(pad.charCodeAt(0));
  return right ? [...fill, ...b] : [...b, ...fill];
}
const n = (v: number | string, len: number) => jis(String(v), len, "0", true);

function handMade(): Uint8Array {
  const header = [
    0x31,
    ...n(91, 2),
    0x30,
    ...n("1234567890", 10),
    ...jis("ｳﾝﾖｳｼｴﾝｻｰﾋﾞｽ(ｶ", 40),
    ...n("1127", 4),
    ...n("0001", 4),
    ...jis("ﾐｽﾞﾎ", 15),
    ...n("001", 3),
    ...jis("ﾎﾝﾃﾝ", 15),
    0x31,
    ...n("1234567", 7),
    ...jis("", 17),
  ];
  const data = (amount: number, customer: string, result: string) => [
    0x32,
    ...n("0005", 4),
    ...jis("ﾐﾂﾋﾞｼUFJ", 15),
    ...n("123", 3),
    ...jis("ｼﾌﾞﾔ", 15),
    ...jis("", 4),
    0x31,
    ...n("7654321", 7),
    ...jis("ｶﾌﾞｼｷｶﾞｲｼﾔｻﾝﾌﾟﾙｼﾖｳｼﾞ", 30),
    ...n(amount, 10),
    0x30,
    ...n(customer, 20),
    ...jis(result, 1),
    ...jis("", 8),
  ];
  const trailer = [
    0x38,
    ...n(3, 6),
    ...n(33000 + 88000 + 1100, 12),
    ...n(2, 6),
    ...n(33000 + 1100, 12),
    ...n(1, 6),
    ...n(88000, 12),
    ...jis("", 65),
  ];
  const end = [0x39, ...jis("", 119)];
  const recs = [
    header,
    data(33000, "2026000001", "0"),
    data(88000, "2026000002", "1"),
    data(1100, "2026000003", "0"),
    trailer,
    end,
  ];
  for (const r of recs) expect(r).toHaveLength(120);
  return Uint8Array.from(recs.flatMap((r) => [...r, 0x0d, 0x0a]).concat([0x1a]));
}

describe("全銀 direct-debit result files", () => {
  it("parses a hand-made result file with half-width katakana, CR LF and EOF", () => {
    const f = parseZenginResult(handMade());
    expect(f.header).toMatchObject({
      typeCode: "91",
      consignorName: "ｳﾝﾖｳｼｴﾝｻｰﾋﾞｽ(ｶ",
      debitDate: "1127",
      bankName: "ﾐｽﾞﾎ",
    });
    expect(f.records.map((r) => [r.record, r.amount, r.customerNumber, r.result, r.resultText])).toEqual([
      [2, 33000, "00000000002026000001", "paid", "振替済"],
      [3, 88000, "00000000002026000002", "failed", "資金不足"],
      [4, 1100, "00000000002026000003", "paid", "振替済"],
    ]);
    expect(f.records[0]!.accountHolder).toBe("ｶﾌﾞｼｷｶﾞｲｼﾔｻﾝﾌﾟﾙｼﾖｳｼﾞ");
    expect(f.trailer).toMatchObject({ count: 3, paidCount: 2, failedAmount: 88000 });
  });

  const input: ZenginWriteInput = {
    kind: "result",
    header: {
      consignorCode: "1234567890",
      consignorName: "ｳﾝﾖｳ",
      debitDate: "0227",
      bankCode: "0001",
      bankName: "ﾐｽﾞﾎ",
      branchCode: "001",
      branchName: "ﾎﾝﾃﾝ",
      accountType: "1",
      accountNumber: "1234567",
    },
    records: [
      {
        bankCode: "0005",
        bankName: "ﾐﾂﾋﾞｼ",
        branchCode: "123",
        branchName: "ｼﾌﾞﾔ",
        accountType: "1",
        accountNumber: "7654321",
        accountHolder: "ﾃｽﾄ ﾀﾛｳ",
        amount: 5000,
        customerNumber: "2026000010",
        resultCode: "0",
      },
      {
        bankCode: "0005",
        bankName: "ﾐﾂﾋﾞｼ",
        branchCode: "123",
        branchName: "ｼﾌﾞﾔ",
        accountType: "2",
        accountNumber: "1111111",
        accountHolder: "ﾃｽﾄ ﾊﾅｺ",
        amount: 7000,
        customerNumber: "2026000011",
        resultCode: "3",
      },
    ],
  };

  it("round-trips through the writer, with or without separators", () => {
    for (const separator of ["crlf", "none"] as const) {
      const bytes = writeZenginDebitFile({ ...input, separator });
      expect(bytes.length).toBe(5 * 120 + (separator === "crlf" ? 10 : 0));
      const f = parseZenginResult(bytes);
      expect(f.records.map((r) => [r.amount, r.result, r.resultText, r.accountHolder])).toEqual([
        [5000, "paid", "振替済", "ﾃｽﾄ ﾀﾛｳ"],
        [7000, "failed", "預金者の都合による振替停止", "ﾃｽﾄ ﾊﾅｺ"],
      ]);
    }
    expect(() =>
      writeZenginDebitFile({ ...input, records: [{ ...input.records[0]!, accountHolder: "テスト" }] }),
    ).toThrow(/character set/);
    expect(() =>
      writeZenginDebitFile({ ...input, records: [{ ...input.records[0]!, amount: 12345678901 }] }),
    ).toThrow(/longer/);
    // Half-width, yet outside the banks' set: the writer's own check refuses it too.
    for (const holder of ["ﾃｽﾄ,ﾀﾛｳ", "ﾃｽﾄ/ﾀﾛｳ", "ﾃｽﾄ\\ﾀﾛｳ", "ｦｶﾞﾜ", "｢ﾃｽﾄ｣"])
      expect(
        () => writeZenginDebitFile({ ...input, records: [{ ...input.records[0]!, accountHolder: holder }] }),
        holder,
      ).toThrow(/character set/);
    // A request never asks for 0 yen.
    expect(() =>
      writeZenginDebitFile({ ...input, kind: "request", records: [{ ...input.records[0]!, amount: 0 }] }),
    ).toThrow(/more than 0 yen/);
  });

  it("refuses a full-width character inside a record instead of reading it as text", () => {
    const good = writeZenginDebitFile({ ...input, separator: "none" });
    const b = Uint8Array.from(good);
    // The first data record's account holder (bytes 51–80) starts with テ in Shift_JIS (0x83 0x65).
    b[120 + 50] = 0x83;
    b[120 + 51] = 0x65;
    expect(() => parseZenginResult(b)).toThrow(/record 2: .*full-width/);
  });

  it("refuses broken files naming the record", () => {
    const good = writeZenginDebitFile({ ...input, separator: "none" });
    const mutate = (pos: number, text: string) => {
      const b = Uint8Array.from(good);
      for (let i = 0; i < text.length; i++) b[pos + i] = text.charCodeAt(i);
      return b;
    };
    expect(() => parseZenginResult(good.subarray(0, 300))).toThrow(/record 3: a record is 120 bytes/);
    expect(() => parseZenginResult(mutate(120, "7"))).toThrow(/record 2: unknown record kind/);
    expect(() => parseZenginResult(mutate(3, "1"))).toThrow(/EBCDIC/);
    expect(() => parseZenginResult(mutate(120 + 80, "X"))).toThrow(/record 2: 引落金額/);
    expect(() => parseZenginResult(mutate(360 + 1, "000009"))).toThrow(/合計件数 is 9/);
    expect(() => parseZenginResult(good.subarray(120))).toThrow(/before the header/);
    expect(() => parseZenginResult(good.subarray(0, 480))).toThrow(/no end record/);
    expect(() => parseZenginResult(good.subarray(0, 360))).toThrow(/no trailer/);
    expect(() => parseZenginResult(new Uint8Array())).toThrow(/empty/);
  });
});

describe("names in the 全銀 character set", () => {
  it.each([
    ["ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"],
    ["やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"],
    ["カ）ウンヨウシエン", "ｶ)ｳﾝﾖｳｼｴﾝ"],
    ["ｶ)ｻﾝﾌﾟﾙ", "ｶ)ｻﾝﾌﾟﾙ"],
    ["キョウコ", "ｷﾖｳｺ"],
    ["ｼｮｳｼﾞ", "ｼﾖｳｼﾞ"],
    ["ヴァイオレット", "ｳﾞｱｲｵﾚﾂﾄ"],
    ["パーク", "ﾊﾟ-ｸ"],
    ["abc Ｄｅｆ１２", "ABC DEF12"],
    ["  ｽｽﾞｷ   ｲﾁﾛｳ ", "ｽｽﾞｷ ｲﾁﾛｳ"],
  ])("%s → %s", (input, expected) => {
    expect(zenginName(input, 30, "holder")).toBe(expected);
  });
  it("keeps to the set banks accept: no comma (、 included), no ｦ ｢ ｣ \\ /, and bank names with - only", () => {
    for (const bad of ["ﾔﾏﾀﾞ,ﾀﾛｳ", "ヤマダ、タロウ", "「ヤマダ」", "ﾔﾏﾀﾞ\\ﾀﾛｳ", "ﾔﾏﾀﾞ/ﾀﾛｳ"])
      expect(() => zenginName(bad, 30, "holder"), bad).toThrow(/cannot be sent/);
    expect(zenginName("ヲダ", 30, "holder")).toBe("ｵﾀﾞ");
    expect(zenginName("カ）ヤマダ．ショウテン", 30, "holder")).toBe("ｶ)ﾔﾏﾀﾞ.ｼﾖｳﾃﾝ");
    expect(zenginName("ミツビシユーエフジエイ", 15, "bankName", "bank")).toBe("ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ");
    for (const bad of ["ミズホ（カ", "ミズホ．", "ミズホ/"])
      expect(() => zenginName(bad, 15, "bankName", "bank"), bad).toThrow(/cannot be sent/);
  });

  it("refuses what a bank file cannot carry, naming the character, and names too long", () => {
    expect(() => zenginName("山田太郎", 30, "holder")).toThrow(/"山" cannot be sent/);
    expect(() => zenginName("ﾔﾏﾀﾞ!", 30, "holder")).toThrow(/"!"/);
    expect(() => zenginName("   ", 30, "holder")).toThrow(/empty/);
    // ガ takes two characters (ｶﾞ): 8 full-width kana are 16 in the file.
    expect(zenginName("ガガガガガガガガ", 16, "bank")).toHaveLength(16);
    expect(() => zenginName("ガガガガガガガガ", 15, "bank")).toThrow(/longer than its 15/);
  });
  it("what it makes, the writer encodes and the reader reads back", () => {
    const holder = zenginName("サトウ　ハナコ", 30, "holder");
    const file = writeZenginDebitFile({
      kind: "request",
      header: {
        consignorCode: "1234567890",
        consignorName: zenginName("ウンヨウシエン", 40, "consignor"),
        debitDate: "1227",
        bankCode: "0001",
        bankName: "ﾐｽﾞﾎ",
        branchCode: "001",
        branchName: "ﾎﾝﾃﾝ",
        accountType: "1",
        accountNumber: "1234567",
      },
      records: [
        {
          bankCode: "0009",
          bankName: zenginName("ミツイスミトモ", 15, "bank"),
          branchCode: "100",
          branchName: zenginName("ギンザ", 15, "branch"),
          accountType: "1",
          accountNumber: "0000123",
          accountHolder: holder,
          amount: 12_345,
          customerNumber: "00000000000020260001",
        },
      ],
    });
    const parsed = parseZenginResult(file);
    expect(parsed.kind).toBe("request");
    expect(parsed.records[0]).toMatchObject({
      accountHolder: "ｻﾄｳ ﾊﾅｺ",
      bankName: "ﾐﾂｲｽﾐﾄﾓ",
      branchName: "ｷﾞﾝｻﾞ",
    });
  });
});
