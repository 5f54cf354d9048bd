import type { ChargeLine, TaxCategory } from "./types.ts";

/** A stored charge or invoice line as the rules' ChargeLine. */
export function lineOf(r: {
  item_code: string | null;
  description: string;
  description_en: string | null;
  kind: string;
  tax_category: TaxCategory;
  quantity: number;
  unit_price: number;
  amount: number;
  article: string;
  note: string;
  note_ja: string | null;
}): ChargeLine {
  return {
    itemCode: r.item_code,
    description: r.description,
    descriptionEn: r.description_en,
    kind: r.kind as ChargeLine["kind"],
    taxCategory: r.tax_category,
    quantity: r.quantity,
    unitPrice: r.unit_price,
    amount: r.amount,
    article: r.article,
    note: r.note,
    noteJa: r.note_ja,
  };
}
