/**
 * One error type for the whole application. Serialised by the HTTP layer as
 * `{"error":{"code","message","article"?,"details"?}}` (see docs/ARCHITECTURE.md).
 */
export type ErrorCode =
  | "bad_request"
  | "validation_failed"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "csrf_failed"
  | "too_many_requests"
  | "locked"
  | "payload_too_large"
  | "unsupported_media_type"
  | "password_change_required"
  | "reauthentication_required"
  | "totp_required"
  | "totp_enrolment_required"
  | "database_unavailable"
  | "custody_unavailable"
  | "internal";

const statusOf: Record<ErrorCode, number> = {
  database_unavailable: 503,
  custody_unavailable: 503,
  bad_request: 400,
  validation_failed: 400,
  unauthenticated: 401,
  totp_required: 401,
  forbidden: 403,
  csrf_failed: 403,
  password_change_required: 403,
  totp_enrolment_required: 403,
  reauthentication_required: 403,
  not_found: 404,
  conflict: 409,
  locked: 423,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal: 500,
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly article: string | undefined;
  readonly details: unknown;
  readonly status: number;

  constructor(code: ErrorCode, message: string, opts: { article?: string; details?: unknown } = {}) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.article = opts.article;
    this.details = opts.details;
    this.status = statusOf[code];
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
