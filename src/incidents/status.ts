/**
 * What a customer's public status page shows of incidents and planned maintenance (Art. 43): titles,
 * severity, times — never host names or the timeline (the page needs no sign-in; its URL is the secret).
 */
import type { Deps } from "../core/deps.ts";
import { notFound } from "../core/errors.ts";
import { settingsByStatusToken } from "../monitoring/store/custody.ts";
import { referenceOf } from "./lifecycle.ts";
import { realNow, WINDOW_ARTICLE } from "./rules.ts";
import { statusIncidents } from "./store/incidents.ts";
import { windowsFrom } from "./store/maintenance.ts";

export async function publicStatusIncidents(deps: Pick<Deps, "db">, token: string) {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) throw notFound("status page");
  const s = await settingsByStatusToken(deps.db, token);
  if (!s) throw notFound("status page");
  const now = realNow();
  const [incidents, windows] = await Promise.all([
    statusIncidents(deps.db, s.customer_id, new Date(now.getTime() - 7 * 86_400_000)),
    windowsFrom(deps.db, now, s.customer_id),
  ]);
  return {
    incidents: incidents.map((i) => ({
      reference: referenceOf(i.number),
      title: i.title.replace(/^[^:]*: /, ""),
      severity: i.severity,
      status: i.status,
      openedAt: i.opened_at.toISOString(),
      restoredAt: i.restored_at?.toISOString() ?? null,
      muted: i.muted,
    })),
    maintenance: windows
      .filter((w) => !w.cancelled_at)
      .map((w) => ({
        title: w.title,
        startsAt: w.starts_at.toISOString(),
        endsAt: w.ends_at.toISOString(),
        article: WINDOW_ARTICLE[w.reason],
        emergency: w.emergency,
      })),
  };
}
