import { QueryClient, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { type ReactNode, useContext, useEffect, useRef, useState } from "react";
import type { Schema } from "./client.ts";
import { type GetData, type GetPath, get, type Params } from "./client.ts";
import { errorText } from "./errors.ts";
import { art } from "./format.ts";
import { formatLang, type Lang, LangContext, useT } from "./i18n.ts";
import { navigate } from "./router.ts";

export function Field(props: {
  id: string;
  label: string;
  type?: string;
  value: string;
  onChange: (v: string) => void;
  autoComplete?: string;
  inputMode?: "numeric";
  required?: boolean;
  hint?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        type={props.type ?? "text"}
        value={props.value}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        onChange={(e) => props.onChange(e.target.value)}
        required={props.required ?? true}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
      />
      {props.hint && (
        <small id={`${props.id}-hint`} className="hint">
          {props.hint}
        </small>
      )}
    </div>
  );
}

export function Select(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: [string, string][];
  /** The options are data (customers' names), not the UI's words. */
  dataOptions?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map(([v, l]) => (
          <option key={v} value={v} data-value={props.dataOptions && v !== "" ? "" : undefined}>
            {l}
          </option>
        ))}
      </select>
    </div>
  );
}

export function ErrorBox({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

export { errorText } from "./errors.ts";

/**
 * The data of the pages: TanStack Query keeps each answer by its path (a page visited again shows what
 * it had at once and refreshes it), cancels what a page no longer needs when it unmounts or its path
 * changes, and an action refreshes whatever is on screen (`useAction`). Errors are kept as they came
 * and said in the language being read at each render.
 */
export const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 0 } },
});

/** A GET of the typed client: the path and its parameters are checked against the API's description. */
export function useGet<P extends GetPath>(
  path: P,
  params: Params<P>,
  enabled = true,
): [GetData<P> | undefined, string | null, () => void] {
  const q = useQuery({
    queryKey: ["api", path, params],
    queryFn: ({ signal }) => get(path, params, signal),
    enabled,
  });
  return [q.data, q.error ? errorText(q.error) : null, () => void q.refetch()];
}

/** A page of a list as the API answers it. */
export interface Page<T> {
  items: T[];
  hasMore: boolean;
  nextCursor: string | null;
}

type Paged = { items: unknown[]; hasMore: boolean; nextCursor: string | null };
/** A row of a paged list's answer. */
type ItemOf<P extends GetPath> = GetData<P> extends Paged ? GetData<P>["items"][number] : never;
type ListResult<T> = [Page<T> | undefined, string | null, () => void, (() => void) | undefined];

function pagesOf<T>(q: {
  data?: { pages: Page<T>[] };
  error: unknown;
  refetch: () => unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}): ListResult<T> {
  const last = q.data?.pages.at(-1);
  const list =
    q.data && last
      ? { items: q.data.pages.flatMap((p) => p.items), hasMore: last.hasMore, nextCursor: last.nextCursor }
      : undefined;
  const more = q.hasNextPage && !q.isFetchingNextPage ? () => void q.fetchNextPage() : undefined;
  return [list, q.error ? errorText(q.error) : null, () => void q.refetch(), more];
}

/**
 * A list of the typed client a page at a time (the cursor goes in the query): the rows loaded so far
 * (first page, then each page `more()` adds), the error, reload, and `more` (undefined when there is
 * no more).
 */
export function useGetPages<P extends GetPath>(
  path: P,
  params: Params<P>,
  enabled = true,
): ListResult<ItemOf<P>> {
  return pagesOf<ItemOf<P>>(
    useInfiniteQuery({
      queryKey: ["api", path, params, "pages"],
      queryFn: async ({ pageParam, signal }) => {
        const p = params as { query?: object };
        const withPage = (pageParam ? { ...p, query: { ...p.query, cursor: pageParam } } : p) as Params<P>;
        return (await get(path, withPage, signal)) as unknown as Page<ItemOf<P>>;
      },
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.nextCursor ?? undefined,
      enabled,
    }),
  );
}

/**
 * Every row of a list of the typed client (where a sum or a select needs them all), fetched 500 at a
 * time: the cursor goes in the query until the last page.
 */
export function useGetAll<P extends GetPath>(
  path: P,
  params: Params<P>,
  enabled = true,
): [ItemOf<P>[] | undefined, string | null, () => void] {
  const q = useQuery({
    queryKey: ["api", path, params, "all"],
    queryFn: async ({ signal }) => {
      const p = params as { query?: object };
      const page = async (cursor: string | null) => {
        const withPage: { query?: object } = {
          ...p,
          query: { ...p.query, limit: 500, ...(cursor ? { cursor } : {}) },
        };
        return (await get(path, withPage as Params<P>, signal)) as unknown as Page<ItemOf<P>>;
      };
      const out: ItemOf<P>[] = [];
      let last = await page(null);
      out.push(...last.items);
      while (last.nextCursor) {
        last = await page(last.nextCursor);
        out.push(...last.items);
      }
      return out;
    },
    enabled,
  });
  return [q.data, q.error ? errorText(q.error) : null, () => void q.refetch()];
}

/** "Show more" under a list while the API says there is more. */
export function MoreButton({ more, label }: { more: (() => void) | undefined; label: string }) {
  if (!more) return null;
  return (
    <p>
      <button type="button" className="secondary" onClick={more}>
        {label}
      </button>
    </p>
  );
}

export function Link({ to, children }: { to: string; children: ReactNode }) {
  return (
    <a
      href={to}
      onClick={(e) => {
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

export type BasisItem = Schema<"Basis">;

/** The derivation of a computed date or amount, with its article citations. */
export function Basis({ basis, title }: { basis: BasisItem[]; title: string }) {
  return (
    <details className="basis">
      <summary>{title}</summary>
      <ul>
        {basis.map((b, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is static per render
          <li key={i}>
            <strong>{art(b.article)}</strong>: {formatLang.current === "ja" ? b.textJa : b.text}
          </li>
        ))}
      </ul>
    </details>
  );
}

/**
 * What a charge or invoice line is for: in Japanese, the document's words; in English, the system's
 * English wording where it has one, else the Japanese as written (marked as Japanese).
 */
export function LineDescription({ line }: { line: { description: string; descriptionEn: string | null } }) {
  if (formatLang.current === "en" && line.descriptionEn !== null) return <>{line.descriptionEn}</>;
  return <span lang={formatLang.current === "en" ? "ja" : undefined}>{line.description}</span>;
}

/**
 * Why a charge or invoice line has its amount, in the reader's language. A note staff typed is the same
 * text in both languages (their words: data); a line written before notes had a Japanese text shows its
 * English note, marked as English.
 */
export function LineNote({ line }: { line: { note: string; noteJa: string | null } }) {
  if (line.noteJa !== null && line.noteJa === line.note)
    return (
      <small className="hint" data-value>
        {line.note}
      </small>
    );
  if (formatLang.current === "en") return <small className="hint">{line.note}</small>;
  if (line.noteJa !== null) return <small className="hint">{line.noteJa}</small>;
  return (
    <small className="hint" lang="en">
      {line.note}
    </small>
  );
}

/** An action that reloads on success and keeps the API's error to show: [error, act]. */
export function useAction(
  reload: () => void,
): [string | null, (fn: () => Promise<unknown>) => Promise<boolean>] {
  const [error, setError] = useState<string | null>(null);
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      reload();
      // Whatever else is on screen may have changed with it (a user deactivated shows in the timeline).
      void queryClient.invalidateQueries({ queryKey: ["api"] });
      return true;
    } catch (err) {
      setError(errorText(err));
      return false;
    }
  };
  return [error, act];
}

/**
 * A button for an action that cannot be undone or that the customer will see: the first click says
 * what will happen (who is told, what gets a number) and asks; only "confirm" does it.
 */
export function ConfirmButton(props: {
  label: string;
  /** The accessible name of the first button, when the label alone is ambiguous (a row's action). */
  ariaLabel?: string;
  message: string;
  confirm: string;
  cancel: string;
  className?: string;
  /** Checked before asking (a missing reason, say): a message refuses without asking. */
  precheck?: () => string | null;
  onConfirm: () => Promise<unknown> | unknown;
}) {
  const [asking, setAsking] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  if (!asking)
    return (
      <>
        <button
          type="button"
          className={props.className}
          aria-label={props.ariaLabel}
          onClick={() => {
            const why = props.precheck?.() ?? null;
            setRefusal(why);
            if (!why) setAsking(true);
          }}
        >
          {props.label}
        </button>
        <ErrorBox error={refusal} />
      </>
    );
  return (
    <div role="alertdialog" aria-label={props.ariaLabel ?? props.label} className="confirm card">
      <p>{props.message}</p>
      <button
        type="button"
        className={props.className}
        onClick={() => {
          setAsking(false);
          void props.onConfirm();
        }}
      >
        {props.confirm}
      </button>{" "}
      <button type="button" className="secondary" onClick={() => setAsking(false)}>
        {props.cancel}
      </button>
    </div>
  );
}

const TOKYO_TIME = {
  ja: new Intl.DateTimeFormat("ja-JP", {
    timeZone: "Asia/Tokyo",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }),
  en: new Intl.DateTimeFormat("en-GB", {
    timeZone: "Asia/Tokyo",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  }),
};

/**
 * A moment as the provider's office reads it (Japan time) in the reader's language:
 * 2026/12/01 17:09, or 1 Dec 2026, 17:09 JST.
 */
export const tokyoTime = (iso: string) =>
  formatLang.current === "en"
    ? `${TOKYO_TIME.en.format(new Date(iso))} JST`
    : TOKYO_TIME.ja.format(new Date(iso));

/**
 * A table's box: on a narrow screen a wide table scrolls sideways inside it, not the page. While it
 * scrolls it is a labelled region a keyboard can reach (WCAG 2.1.1), and only then.
 */
export function ScrollBox({ children }: { children: ReactNode }) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setScrolls(el.scrollWidth > el.clientWidth + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    for (const child of el.children) observer.observe(child);
    return () => observer.disconnect();
  }, []);
  const region = scrolls ? { role: "region", "aria-label": t("list.scrollTable"), tabIndex: 0 } : {};
  return (
    <div ref={ref} className="scroll-box" {...region}>
      {children}
    </div>
  );
}

/** The language switch: in the shell's top bar and on every public page. */
export function LanguageSwitch() {
  const { lang, setLang } = useContext(LangContext);
  return (
    <label className="lang">
      <span className="sr-only">Language / 言語</span>
      <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label="Language / 言語">
        <option value="ja">日本語</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

/** A list's search box: the server searches what was typed once the button (or Enter) sends it. */
/**
 * A column heading that orders the list by its column on the server (`sort=name`, again for `-name`):
 * a button inside the heading, which says the order to screen readers (aria-sort).
 */
export function SortHeader<S extends string>(props: {
  label: string;
  name: S;
  sort: S | `-${S}`;
  onSort: (sort: S | `-${S}`) => void;
  className?: string;
}) {
  const t = useT();
  const state =
    props.sort === props.name ? "ascending" : props.sort === `-${props.name}` ? "descending" : "none";
  return (
    <th scope="col" aria-sort={state} className={props.className}>
      <button
        type="button"
        className="sort"
        title={t(state === "ascending" ? "list.sortDescending" : "list.sortAscending")}
        onClick={() => props.onSort(state === "ascending" ? `-${props.name}` : props.name)}
      >
        {props.label}
        <span aria-hidden="true">{state === "ascending" ? " ▲" : state === "descending" ? " ▼" : " ↕"}</span>
      </button>
    </th>
  );
}

export function SearchForm(props: {
  id: string;
  label: string;
  button: string;
  onSearch: (q: string) => void;
}) {
  const [typed, setTyped] = useState("");
  return (
    <search>
      <form
        className="search"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSearch(typed.trim());
        }}
      >
        <Field id={props.id} label={props.label} value={typed} onChange={setTyped} required={false} />
        <button type="submit">{props.button}</button>
      </form>
    </search>
  );
}
