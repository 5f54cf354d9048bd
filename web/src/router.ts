/**
 * Navigation through the app's TanStack Router (created in App.tsx): `navigate` for handlers and
 * effects, `usePath` for the current path. The router is registered once; before that (never in
 * practice) a navigation loads the page.
 */
import { type AnyRouter, useRouterState } from "@tanstack/react-router";

let router: AnyRouter | null = null;

export function setRouter(r: AnyRouter) {
  router = r;
}

export function navigate(to: string, replace = false) {
  if (!router) {
    window.location.assign(to);
    return;
  }
  if (to === router.state.location.pathname) return;
  void router.navigate({ to, replace });
}

export function usePath(): string {
  return useRouterState({ select: (s) => s.location.pathname });
}
