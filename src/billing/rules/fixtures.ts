/** Test fixtures for billing's rules: price items, a contract's recurring charges, the AppError a call throws. */
import { AppError } from "../../core/errors.ts";
import type { PriceItem } from "../types.ts";
import { type ContractCharges, chargesForMonth } from "./charges.ts";

export const item = (code: string, kind: PriceItem["kind"], prices: [string, number][]): PriceItem => ({
  code,
  nameJa: code,
  nameEn: code,
  kind,
  taxCategory: "10",
  prices: prices.map(([from, unitPrice]) => ({ from, unitPrice })),
});
export const initial = item("initial", "initial", [["2020-01-01", 50_000]]);
export const monthly = item("monthly", "monthly", [
  ["2020-01-01", 30_000],
  ["2026-06-15", 35_000],
]);
export const option = item("option", "monthly", [["2020-01-01", 10_000]]);
export const annual = item("annual", "annual", [["2020-01-01", 120_000]]);
export const contract = (over: Partial<ContractCharges> = {}): ContractCharges => ({
  startDate: "2026-01-31",
  endDate: null,
  chargesVoid: false,
  items: [
    { item: initial, quantity: 1 },
    { item: monthly, quantity: 1 },
  ],
  ...over,
});
export const codes = (c: ContractCharges, m: string) =>
  chargesForMonth(c, m).result.lines.map((l) => `${l.itemCode}:${l.amount}`);

/** The AppError a call throws (fails the test when it does not throw one). */
export const errorOf = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error("expected an AppError");
};
