/**
 * Billing's rules as pure functions, each returning its result and the articles it rests on, one
 * file a subject under rules/. 運用支援サービス契約約款: Art. 11 (オプションの解約), 12(2) (初月), 29 (料金等),
 * 30 (支払義務), 31 (請求・支払期日), 32 (特別利用料金), 33 (遅延損害金), 34 (消費税), 36 (返還, SLA),
 * 39 (損害賠償). Money is integer yen. No clock, no I/O: callers pass every date in.
 */
export * from "./rules/allocation.ts";
export * from "./rules/charges.ts";
export * from "./rules/documents.ts";
export * from "./rules/due.ts";
export * from "./rules/fees.ts";
export * from "./rules/late-fee.ts";
export * from "./rules/sla.ts";
export * from "./rules/tax.ts";
