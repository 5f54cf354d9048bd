/** A computed result and the articles of the terms it rests on (運用支援サービス契約約款). */
export interface Basis {
  /** "26(2)" = 第26条第2項. */
  article: string;
  text: string;
}

export interface Explained<T> {
  result: T;
  basis: Basis[];
}

export const cite = (article: string, text: string): Basis => ({ article, text });
