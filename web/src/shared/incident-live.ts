/**
 * Live incidents (console and portal): one Server-Sent Events stream per tab
 * (`GET /api/v1/incidents/stream`, the session's cookie) shared by every component that asks for it.
 * The stream carries only the ids of changed incidents (`event: incidents`, `{ids: [...] | "*"}`);
 * the pages' own queries of `/api/v1/incidents…` are refreshed through the API, with its access
 * rules — the page is never reloaded. The browser reconnects by itself (the server says `retry:
 * 3000`); a stream the server refused outright is opened again after a pause. After any reconnection
 * everything is read again, since changes may have been missed meanwhile.
 */
import type { Query } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { queryClient } from "../ui.tsx";

/** `connecting` before the stream answers and while it reconnects; `live` while it is open. */
export type LiveState = "connecting" | "live" | "offline";

const STREAM_URL = "/api/v1/incidents/stream";
const REOPEN_MS = 10_000;
/** A page left for another that also follows incidents keeps the same stream. */
const LINGER_MS = 2_000;

let users = 0;
let source: EventSource | null = null;
let reopen: ReturnType<typeof setTimeout> | undefined;
let linger: ReturnType<typeof setTimeout> | undefined;
let state: LiveState = "offline";
const listeners = new Set<() => void>();

function setState(next: LiveState) {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

/** Whether a query shows incidents (`["api", "/api/v1/incidents…", params, …]`, a status page). */
function incidentQuery(q: Query, ids: string[] | "*"): boolean {
  const [root, path, params] = q.queryKey as [unknown, unknown, { path?: { id?: string } } | undefined];
  if (root !== "api" || typeof path !== "string") return false;
  // A status page's checks change with its incidents (a check down opens one).
  if (path === "/api/v1/status") return true;
  if (!path.startsWith("/api/v1/incidents")) return false;
  // One incident's page is read again only when it changed; lists and the summary always.
  const id = params?.path?.id;
  return ids === "*" || id === undefined || ids.includes(id);
}

/** Read again what is on screen of these incidents (all of them for "*"). */
export function refreshIncidents(ids: string[] | "*" = "*") {
  void queryClient.invalidateQueries({ predicate: (q) => incidentQuery(q, ids) });
}

function open() {
  clearTimeout(linger);
  linger = undefined;
  if (source || users === 0) return;
  setState("connecting");
  const es = new EventSource(STREAM_URL, { withCredentials: true });
  source = es;
  let wasOpen = false;
  es.onopen = () => {
    setState("live");
    // Whatever changed between the page's first reading (or the last stream) and now.
    if (wasOpen) refreshIncidents("*");
    wasOpen = true;
  };
  es.addEventListener("incidents", (e) => {
    let ids: string[] | "*" = "*";
    try {
      const data = JSON.parse((e as MessageEvent<string>).data) as { ids?: unknown };
      if (Array.isArray(data.ids)) ids = data.ids.filter((x): x is string => typeof x === "string");
    } catch {
      ids = "*";
    }
    refreshIncidents(ids);
  });
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      // Refused (signed out, a proxy's error page): the browser gives up; try again later.
      es.close();
      if (source === es) source = null;
      setState("offline");
      clearTimeout(reopen);
      reopen = setTimeout(open, REOPEN_MS);
    } else setState("connecting");
  };
}

function close() {
  clearTimeout(reopen);
  reopen = undefined;
  source?.close();
  source = null;
  setState("offline");
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/**
 * Keep the incidents on screen up to date while the component is mounted; the stream's state
 * (for the "Live" indicator).
 */
export function useIncidentStream(enabled = true): LiveState {
  useEffect(() => {
    if (!enabled || typeof EventSource === "undefined") return;
    users++;
    open();
    return () => {
      users--;
      if (users === 0) {
        clearTimeout(linger);
        linger = setTimeout(() => users === 0 && close(), LINGER_MS);
      }
    };
  }, [enabled]);
  return useSyncExternalStore(
    subscribe,
    () => state,
    () => "offline" as LiveState,
  );
}
