/** Rows grouped by a key column, each group in the rows' order. */
export function groupBy<T, K extends keyof T>(rows: T[], key: K): Map<T[K], T[]> {
  const m = new Map<T[K], T[]>();
  for (const r of rows) {
    const l = m.get(r[key]);
    if (l) l.push(r);
    else m.set(r[key], [r]);
  }
  return m;
}
