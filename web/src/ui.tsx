import { type ReactNode, useEffect, useState } from "react";
import { ApiFailure, api } from "./api.ts";
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
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.options.map(([v, l]) => (
          <option key={v} value={v}>
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

export function errorText(err: unknown): string {
  if (err instanceof ApiFailure)
    return `${err.error.message}${err.error.article ? ` (Art. ${err.error.article})` : ""}`;
  if (err instanceof Error) return err.message;
  return String(err);
}

export function useLoad<T>(path: string | null): [T | undefined, string | null, () => void] {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string | null>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    void n;
    if (!path) return;
    setError(null);
    api<T>("GET", path).then(setData, (e) => setError(errorText(e)));
  }, [path, n]);
  return [data, error, () => setN((x) => x + 1)];
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

export interface BasisItem {
  article: string;
  text: string;
}

/** The derivation of a computed date or amount, with its article citations. */
export function Basis({ basis, title }: { basis: BasisItem[]; title: string }) {
  return (
    <details className="basis">
      <summary>{title}</summary>
      <ul>
        {basis.map((b, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the list is static per render
          <li key={i}>
            <strong>
              第{b.article.replace(/\((\d+)\)/, "条第$1項").replace(/\((\d+)\)/, "第$1号")}
              {b.article.includes("(") ? "" : "条"}
            </strong>{" "}
            (Art. {b.article}): {b.text}
          </li>
        ))}
      </ul>
    </details>
  );
}
