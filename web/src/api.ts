/** A small typed client for the Unyo API (same-origin, cookie session, CSRF header). */
export interface ApiError {
  code: string;
  message: string;
  article?: string;
  details?: unknown;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

export interface User {
  id: string;
  kind: "staff" | "customer";
  customerId: string | null;
  loginId: string;
  email: string;
  displayName: string;
  role: string;
  locale: "ja" | "en";
  mustChangePassword: boolean;
  totpEnabled: boolean;
  isDemo: boolean;
}

export interface Me {
  user: User;
  csrfToken: string | null;
  pending: "password_change_required" | "totp_required" | null;
  authenticatedBy: "session" | "token";
}

let csrfToken: string | null = null;
export function setCsrf(token: string | null) {
  csrfToken = token;
}
/** The session's CSRF token (for the typed client in client.ts). */
export const csrf = () => csrfToken;

export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  return send<T>(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
}

/** POST a file as the raw request body (the import endpoints take the file's bytes as they are). */
export async function upload<T>(
  path: string,
  file: Blob,
  contentType = "application/octet-stream",
): Promise<T> {
  const headers: Record<string, string> = { "content-type": contentType };
  if (csrfToken) headers["x-csrf-token"] = csrfToken;
  return send<T>(path, { method: "POST", headers, body: file });
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { ...init, credentials: "same-origin" });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({ error: { code: "bad_response", message: res.statusText } }));
  if (!res.ok) throw new ApiFailure(res.status, (data as { error: ApiError }).error);
  return data as T;
}
