/**
 * How an article of the terms is written, one formatter for the server (notices, the invoice PDF) and
 * the web app: "29(4)" → 第29条第4項 / Art. 29(4); "29(1)(3)" → 第29条第1項第3号 / Art. 29(1)(3).
 * No Node.js dependency: the browser imports it as it is.
 */
export function articleJa(article: string): string {
  const m = /^(\d+)(?:\((\d+)\))?(?:\((\d+)\))?$/.exec(article);
  if (!m) return article;
  return `第${m[1]}条${m[2] ? `第${m[2]}項` : ""}${m[3] ? `第${m[3]}号` : ""}`;
}

export function articleLabel(article: string, lang: "ja" | "en"): string {
  return lang === "ja" ? articleJa(article) : `Art. ${article}`;
}
