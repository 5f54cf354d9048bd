/**
 * Server-side sessions (ASVS V3): resolving the cookie on each request with its idle and absolute
 * time-outs, listing and ending one's sessions, log-out, and re-authentication before sensitive actions.
 */
import { appendAudit } from "../audit/service.ts";
import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { mapPage, type PageRequest } from "../db/page.ts";
import { type AuthContext, type SessionContext, selfAudit, sessionDigest } from "./actor.ts";
import { checkOwnPassword } from "./failures.ts";
import { reauthenticatedRecently, type SessionTimes, sessionState } from "./rules.ts";
import { sha256 } from "./secrets.ts";
import type { SessionCache } from "./session-cache.ts";
import {
  endSessionById,
  endSessionsOf,
  liveSessionsOf,
  markReauthenticated,
  sessionWithUser,
  touchSession,
} from "./store.ts";
import { presentUser } from "./users.ts";

type SessionRow = NonNullable<Awaited<ReturnType<typeof sessionWithUser>>>;

/** A session as resolved: its times and the caller it stands for (kept as is by the session cache). */
export interface ResolvedSession {
  times: SessionTimes;
  /** Whether the user may sign in at all (not disabled; a demo account only in demo mode). */
  allowed: boolean;
  context: SessionContext;
}

/**
 * Sessions also need the configuration (their time-outs, whether demo accounts may sign in) and, in a
 * web process, the cache of the sessions it has resolved (session-cache.ts).
 */
export type IdentityDeps = Deps & { config: Config; sessions?: SessionCache<ResolvedSession> | undefined };

function resolved(row: SessionRow, key: string, demo: boolean): ResolvedSession {
  return {
    times: {
      lastSeenAt: new Date(row.last_seen_at),
      expiresAt: new Date(row.expires_at),
      endedAt: row.ended_at ? new Date(row.ended_at) : null,
    },
    // Demo accounts exist only in demo mode: with UNYO_DEMO=0 their sessions stop too.
    allowed: !row.disabled_at && !(row.is_demo && !demo),
    context: {
      kind: "session",
      user: presentUser(row),
      sessionId: key,
      csrfToken: row.csrf_token,
      reauthenticatedAt: row.reauthenticated_at ? new Date(row.reauthenticated_at) : null,
    },
  };
}

/** Resolve a session cookie; refresh its idle timer (written at most every 30 s). */
export async function authenticateSession(
  deps: IdentityDeps,
  token: string,
  useCache = true,
): Promise<SessionContext | undefined> {
  const now = deps.clock.now();
  const idHash = sha256(token);
  const key = idHash.toString("hex");
  const cache = useCache ? deps.sessions : undefined;
  let session = cache?.get(key);
  const cached = session !== undefined;
  const generation = cache?.snapshot() ?? 0;
  if (!session) {
    const row = await sessionWithUser(deps.db, idHash);
    if (!row) return undefined;
    session = resolved(row, key, deps.config.demo);
  }
  if (!session.allowed) return undefined;
  const state = sessionState(session.times, now, deps.config.sessionIdleMinutes);
  // Only an active session is kept (an ended one read again and again stays a database read).
  if (state === "active" && !cached) cache?.put(key, session.context.user.id, session, generation);
  if (state !== "active") {
    // What memory holds may be older than what another process wrote (its last use): decide from the database.
    if (cached) {
      deps.sessions?.drop(key);
      return authenticateSession(deps, token, false);
    }
    if (state !== "ended") await endSessionById(deps.db, idHash, now);
    return undefined;
  }
  if (now.getTime() - session.times.lastSeenAt.getTime() > 30_000) {
    await touchSession(deps.db, idHash, now);
    session.times.lastSeenAt = now;
  }
  return session.context;
}

export async function logout(deps: Deps, session: SessionContext): Promise<void> {
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await endSessionById(tx, sessionDigest(session), now);
    await appendAudit(tx, selfAudit(session, "session.logout", now));
  });
}

/** The caller's sessions still alive: not ended, not expired, not idle past the time-out. */
export async function listSessions(deps: IdentityDeps, auth: AuthContext, page: PageRequest = {}) {
  const now = deps.clock.now();
  const seenSince = new Date(now.getTime() - deps.config.sessionIdleMinutes * 60_000);
  return mapPage(liveSessionsOf(deps.db, auth.user.id, now, seenSince, page), (r) => ({
    id: r.id_hash.toString("hex"),
    current: auth.kind === "session" && r.id_hash.toString("hex") === auth.sessionId,
    createdAt: new Date(r.created_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    ip: r.ip,
    userAgent: r.user_agent,
  }));
}

/** End one of the caller's own sessions (another device); someone else's is "not found". */
export async function endSession(deps: Deps, auth: AuthContext, sessionId: string): Promise<void> {
  if (!/^[0-9a-f]{64}$/.test(sessionId)) throw notFound("session");
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    if ((await endSessionsOf(tx, auth.user.id, now, { only: Buffer.from(sessionId, "hex") })) === 0)
      throw notFound("session");
    await appendAudit(tx, {
      ...selfAudit(auth, "session.end", now),
      after: { sessionId: sessionId.slice(0, 12) },
    });
  });
}

export async function reauthenticate(deps: Deps, session: SessionContext, password: string): Promise<void> {
  const now = deps.clock.now();
  await checkOwnPassword(deps, session, password, "reauthentication", "the password is incorrect");
  await markReauthenticated(deps.db, sessionDigest(session), now);
}

/** Sensitive actions need a log-in or re-authentication within the last few minutes. */
export function requireRecentAuth(auth: AuthContext, now: Date): void {
  if (auth.kind === "token")
    throw new AppError("forbidden", "this action needs an interactive session, not an API token");
  if (!reauthenticatedRecently(auth.reauthenticatedAt, now))
    throw new AppError("reauthentication_required", "confirm your password to continue");
}
