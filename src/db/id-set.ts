/**
 * Which rows a batch query reads: listed ids, or every id in a key range — the batch a keyset walk
 * just read (`after < id <= through`). A range costs one index range scan and a few bytes to send;
 * a list of 1,000 uuids costs 37 kB to encode and 1,000 index probes.
 */
import { type RawBuilder, sql } from "kysely";

export type IdSet = readonly string[] | IdRange;

export interface IdRange {
  after: string;
  through: string;
}

export const isEmptySet = (set: IdSet) => Array.isArray(set) && set.length === 0;

/** `column` is in the set (a uuid column). */
export function inIdSet(column: string, set: IdSet): RawBuilder<boolean> {
  const col = sql.ref(column);
  if (Array.isArray(set)) return sql<boolean>`${col} = ANY(${set}::uuid[])`;
  const { after, through } = set as IdRange;
  return sql<boolean>`${col} > ${after}::uuid AND ${col} <= ${through}::uuid`;
}
