import type { ChargeLine, TaxCategory } from "./types.ts";

/** A stored charge or invoice line as the rules' ChargeLine. */
export function lineOf(r: {
  item_code: string | null;
  description: string;
  kind: string;
  tax_category: TaxCategory;
  quantity: number;
  unit_price: number;
  amount: number;
  article: string;
  note: string;
}): ChargeLine {
  return {
    itemCode: r.item_code,
    description: r.description,
    kind: r.kind as ChargeLine["kind"],
    taxCategory: r.tax_category,
    quantity: r.quantity,
    unitPrice: r.unit_price,
    amount: r.amount,
    article: r.article,
    note: r.note,
  };
}
