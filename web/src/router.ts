/**
 * Navigation: wouter (a maintained router of ~2 kB) over the browser's history. `navigate` for handlers
 * and effects, `usePath` for the current path; the route table is in App.tsx.
 */
import { useLocation } from "wouter";
import { navigate as go } from "wouter/use-browser-location";

export function navigate(to: string, replace = false) {
  if (to === window.location.pathname) return;
  go(to, { replace });
}

export function usePath(): string {
  return useLocation()[0];
}
