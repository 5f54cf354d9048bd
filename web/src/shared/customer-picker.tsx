/**
 * A customer chosen by searching its name on the server, never by pasting an id and never by loading
 * every customer into a select (a provider has thousands): type part of the legal name or the start of
 * the corporate number, then pick among the matches.
 */

import { useEffect, useState } from "react";
import { useT } from "../i18n.ts";
import { Select, useGet } from "../ui.tsx";

/** How many matches are offered; a longer search narrows them. */
const MATCHES = 50;

export function CustomerPicker(props: {
  id: string;
  label: string;
  value: string;
  /** The chosen customer's id and legal name ("" and "" for the empty choice). */
  onChange: (customerId: string, legalName: string) => void;
  /** The empty choice's words ("all" for a filter, "—" for a form). */
  empty: string;
}) {
  const t = useT();
  const [typed, setTyped] = useState("");
  const [q, setQ] = useState("");
  // Ask the server once typing pauses, not at every key.
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  const [found] = useGet("/api/v1/customers", { query: { q, limit: MATCHES } }, q !== "");
  // The chosen customer stays named even when the matches change.
  const [chosen] = useGet("/api/v1/customers/{id}", { path: { id: props.value } }, props.value !== "");
  const options: [string, string][] = [["", props.empty]];
  if (chosen && props.value && !found?.items.some((c) => c.id === chosen.id))
    options.push([chosen.id, chosen.legalName]);
  for (const c of found?.items ?? []) options.push([c.id, c.legalName]);
  return (
    <div className="picker">
      <div className="field">
        <label htmlFor={`${props.id}-search`}>{t("picker.search").replace("{what}", props.label)}</label>
        <input
          id={`${props.id}-search`}
          type="search"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          aria-describedby={`${props.id}-hint`}
        />
        <small id={`${props.id}-hint`} className="hint">
          {q === ""
            ? t("picker.hint")
            : found?.hasMore
              ? t("picker.more").replace("{n}", String(MATCHES))
              : t("picker.found").replace("{n}", String(found?.items.length ?? 0))}
        </small>
      </div>
      <Select
        id={props.id}
        label={props.label}
        value={props.value}
        onChange={(v) => props.onChange(v, options.find(([id]) => id === v)?.[1] ?? "")}
        options={options}
        dataOptions
      />
    </div>
  );
}
