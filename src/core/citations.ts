/** A computed result and the articles of the terms it rests on (運用支援サービス契約約款). */
export interface Basis {
  /** "26(2)" = 第26条第2項. */
  article: string;
  /** The explanation in English. */
  text: string;
  /** The same explanation in Japanese (the customer's documents and the Japanese UI). */
  textJa: string;
}

export interface Explained<T> {
  result: T;
  basis: Basis[];
}

/** A citation: the article and the one explanation in both languages (same facts, same order). */
export const cite = (article: string, text: string, textJa: string): Basis => ({ article, text, textJa });
