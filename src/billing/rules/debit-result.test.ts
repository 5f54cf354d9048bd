import { describe, expect, it } from "vitest";
import { type RequestFacts, type ResultFileFacts, refusalOfResult } from "./debit-result.ts";

const OWN = "1234567890";
const request: RequestFacts = {
  records: 2,
  resultImportId: null,
  items: [
    { digits: "0000000042", amount: 33000 },
    { digits: "0000000043", amount: 1100 },
  ],
};
const file = (records: ResultFileFacts["records"], consignorCode = OWN): ResultFileFacts => ({
  consignorCode,
  records,
});
const both = [
  { record: 2, customerNumber: "0000000042", amount: 33000 },
  { record: 3, customerNumber: "0000000043", amount: 1100 },
];

describe("a direct-debit result answers its request (Art. 30), or is refused whole", () => {
  const cases: [string, ResultFileFacts, string | null, RequestFacts | null, string | null][] = [
    ["every record asked for, at its amount", file(both), OWN, request, null],
    [
      "some of the records (the bank answers what it debited and what failed)",
      file(both.slice(0, 1)),
      OWN,
      request,
      null,
    ],
    [
      "customer numbers padded differently",
      file([{ ...both[0]!, customerNumber: "42" }]),
      OWN,
      request,
      null,
    ],
    ["no originator set up", file(both), null, request, "no_consignor"],
    ["another originator's file", file(both, "9999999999"), OWN, request, "other_consignor"],
    ["no request for the date", file(both), OWN, null, "no_request"],
    [
      "the request already answered",
      file(both),
      OWN,
      { ...request, resultImportId: "imp-1" },
      "already_answered",
    ],
    ["no records when records were asked for", file([]), OWN, request, "empty_result"],
    ["an empty file for an empty request", file([]), OWN, { ...request, records: 0, items: [] }, null],
    [
      "a record not asked for",
      file([{ record: 2, customerNumber: "0000000044", amount: 33000 }]),
      OWN,
      request,
      "not_requested",
    ],
    ["a record at another amount", file([{ ...both[1]!, amount: 1000 }]), OWN, request, "amount_differs"],
  ];
  it.each(cases)("%s", (_name, f, own, req, reason) => {
    const refusal = refusalOfResult(f, own, req, "2026-11-27");
    expect(refusal?.reason ?? null).toBe(reason);
    if (refusal) expect(refusal.message.length).toBeGreaterThan(10);
  });

  it("names the record and both amounts when an amount differs", () => {
    const r = refusalOfResult(file([{ ...both[1]!, amount: 1000 }]), OWN, request, "2026-11-27");
    expect(r?.message).toBe(
      "record 3: 1000 yen for customer number 0000000043, but the request for 2026-11-27 asked for 1100 yen",
    );
  });
});
