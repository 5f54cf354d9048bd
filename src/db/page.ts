/**
 * Keyset (cursor) pagination, the one way every list of the API is answered: at most `limit` rows
 * in a fixed order, whether there is more, and an opaque cursor that continues after the last row.
 * Unlike an offset, a cursor neither skips nor repeats a row when rows are added or removed between
 * two pages, and the database starts each page where the previous one ended.
 *
 * A list declares its order as keys whose last one is unique (so the order is total) and none of
 * which is NULL (use an expression such as `coalesce(...)` for a column that may be). The cursor
 * carries the last row's key values as PostgreSQL prints them (`::text`, so a timestamp keeps its
 * microseconds) and the list's name, so a cursor of one list is refused by another.
 */
import { type Expression, type RawBuilder, type SelectQueryBuilder, sql } from "kysely";
import { z } from "zod";
import { AppError } from "../core/errors.ts";

/** The page size when none is asked for. */
export const DEFAULT_PAGE_SIZE = 100;
/** The largest page size a client may ask for. */
export const MAX_PAGE_SIZE = 500;

/** What a client asks of a list: `limit` and `cursor` (both optional). */
export interface PageRequest {
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** One page of a list. */
export interface Page<T> {
  items: T[];
  /** Whether rows follow this page. */
  hasMore: boolean;
  /** Pass as `cursor` to get the next page; null on the last one. */
  nextCursor: string | null;
}

/** One key of a list's order: a column (`"c.number"`) or an expression that is never NULL. */
export type PageKey = [key: string | RawBuilder<unknown>, direction: "asc" | "desc"];

export interface PageOrder {
  /** The list's name, carried in its cursors. */
  list: string;
  /** The order, most significant first; the last key is unique. */
  keys: PageKey[];
}

const CURSOR = /^[A-Za-z0-9_-]{1,2048}$/;

/** The query fields of a list: `limit` (1–500, default 100) and `cursor`. */
export const pageFields = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .optional()
    .meta({ description: `Rows per page: 1–${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}` }),
  cursor: z
    .string()
    .regex(CURSOR, "a cursor is the nextCursor of a previous page")
    .optional()
    .meta({ description: "The nextCursor of the previous page; absent for the first page" }),
};

/** The query of a list with nothing else to ask. */
export const pageQuery = z.strictObject(pageFields);

/** The answer of a list: a page of `item`. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    hasMore: z.boolean().meta({ description: "Whether rows follow this page" }),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` for the next page; null on the last page" }),
  });

/**
 * The orders a list offers by name (`?sort=name`, `?sort=-name` reversed). Each is written ascending,
 * its last key unique; the cursor carries the list's name with the order, so a cursor of one order is
 * refused by another.
 */
export interface SortChoices<N extends string> {
  list: string;
  orders: Record<N, PageKey[]>;
  /** The order when none is asked for. */
  fallback: SortName<N>;
}
export type SortName<N extends string> = N | `-${N}`;

/** The `sort` query field of a list offering `names` (validated: another value is a 400). */
export function sortField<const N extends string>(names: readonly N[], fallback: SortName<N>) {
  const values = names.flatMap((n) => [n, `-${n}`]) as [SortName<N>, ...SortName<N>[]];
  return z
    .enum(values)
    .optional()
    .meta({
      description: `Order of the rows: ${values.join(", ")} (a leading - reverses); default ${fallback}`,
    });
}

/** The page order for a `sort` asked of a list. */
export function sortOrder<N extends string>(
  choices: SortChoices<N>,
  sort: SortName<N> | undefined,
): PageOrder {
  const name = sort ?? choices.fallback;
  const desc = name.startsWith("-");
  const keys = choices.orders[(desc ? name.slice(1) : name) as N];
  return {
    list: `${choices.list}:${name}`,
    keys: keys.map(([k, d]): PageKey => [k, desc ? (d === "asc" ? "desc" : "asc") : d]),
  };
}

/** A LIKE pattern matching text that contains `q` (its `%`, `_` and `\\` are characters). */
export const containing = (q: string) => `%${escapeLike(q)}%`;
/** A LIKE pattern matching text that starts with `q`. */
export const startingWith = (q: string) => `${escapeLike(q)}%`;
const escapeLike = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

export function encodeCursor(list: string, values: string[]): string {
  return Buffer.from(JSON.stringify([list, ...values]), "utf8").toString("base64url");
}

/** The key values a cursor carries, or a 400 naming the field when it is not one of this list's. */
export function decodeCursor(list: string, cursor: string, keys: number): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== keys + 1 ||
    parsed[0] !== list ||
    !parsed.every((v) => typeof v === "string")
  )
    throw cursorRefused();
  return parsed.slice(1) as string[];
}

const cursorRefused = () =>
  new AppError("validation_failed", "cursor is not a cursor of this list", {
    details: [{ path: "cursor", message: "use the nextCursor of a previous page of the same list" }],
  });

const keyExpr = (k: PageKey[0]): Expression<unknown> => (typeof k === "string" ? sql.ref(k) : k);

/** Rows strictly after the cursor's row in the list's order. */
function after(keys: PageKey[], values: string[]): RawBuilder<boolean> {
  const dirs = new Set(keys.map(([, d]) => d));
  if (dirs.size === 1) {
    // One direction: a row comparison, which an index on the keys serves.
    const op = sql.raw(keys[0]![1] === "desc" ? "<" : ">");
    if (keys.length === 1) return sql<boolean>`${keyExpr(keys[0]![0])} ${op} ${values[0]}`;
    return sql<boolean>`(${sql.join(keys.map(([k]) => keyExpr(k)))}) ${op} (${sql.join(values)})`;
  }
  // Mixed directions: (k1 after v1) or (k1 = v1 and k2 after v2) or …
  const terms = keys.map(([k, d], i) => {
    const equal = keys.slice(0, i).map(([p], j) => sql`${keyExpr(p)} = ${values[j]}`);
    const beyond = sql`${keyExpr(k)} ${sql.raw(d === "desc" ? "<" : ">")} ${values[i]}`;
    return sql`(${sql.join([...equal, beyond], sql` AND `)})`;
  });
  return sql<boolean>`(${sql.join(terms, sql` OR `)})`;
}

/**
 * One page of `query` in `order`: the query's own filters apply; this adds the order, the position
 * after the cursor and the limit (one row more than asked, to know whether there is more).
 */
export async function paginate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  order: PageOrder,
  page: PageRequest = {},
): Promise<Page<O>> {
  const limit = Math.min(Math.max(page.limit ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const names = order.keys.map((_, i) => `_page_key_${i}`);
  // biome-ignore lint/suspicious/noExplicitAny: the key columns are added to any query's selection
  let q = query as SelectQueryBuilder<any, any, any>;
  order.keys.forEach(([k, d], i) => {
    q = q.select(sql<string>`(${keyExpr(k)})::text`.as(names[i]!)).orderBy(keyExpr(k), d);
  });
  if (page.cursor !== undefined)
    q = q.where(after(order.keys, decodeCursor(order.list, page.cursor, order.keys.length)));
  let rows: Record<string, unknown>[];
  try {
    rows = (await q.limit(limit + 1).execute()) as Record<string, unknown>[];
  } catch (err) {
    // A cursor edited by hand whose values are not of the keys' types (a date, a uuid): PostgreSQL's
    // data exceptions (class 22) are the client's error, not the server's.
    if (page.cursor !== undefined && /^22/.test(String((err as { code?: unknown }).code ?? "")))
      throw cursorRefused();
    throw err;
  }
  const hasMore = rows.length > limit;
  if (hasMore) rows.length = limit;
  const last = rows.at(-1);
  const nextCursor =
    hasMore && last
      ? encodeCursor(
          order.list,
          names.map((n) => String(last[n])),
        )
      : null;
  for (const r of rows) for (const n of names) delete r[n];
  return { items: rows as O[], hasMore, nextCursor };
}

/** The same page with its rows presented. */
export async function mapPage<T, U>(page: Page<T> | Promise<Page<T>>, fn: (row: T) => U): Promise<Page<U>> {
  const p = await page;
  return { ...p, items: p.items.map(fn) };
}
