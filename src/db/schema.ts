import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface CustomersTable {
  id: Generated<string>;
  legal_name: string;
  corporate_number: string | null;
  is_demo: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type StaffRole = "admin" | "operator" | "engineer" | "billing";
export type CustomerRole = "customer-admin" | "customer-member";

export interface UsersTable {
  id: Generated<string>;
  kind: "staff" | "customer";
  customer_id: string | null;
  login_id: string;
  email: string;
  display_name: string;
  role: StaffRole | CustomerRole;
  locale: Generated<"ja" | "en">;
  password_hash: string;
  must_change_password: Generated<boolean>;
  password_changed_at: Timestamp | null;
  totp_secret: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_step: ColumnType<string | null, number | null, number | null>;
  failed_logins: Generated<number>;
  locked_until: Timestamp | null;
  is_demo: Generated<boolean>;
  disabled_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface SessionsTable {
  id_hash: Buffer;
  user_id: string;
  customer_id: string | null;
  csrf_token: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  reauthenticated_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
  ended_at: Timestamp | null;
}

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  customer_id: string | null;
  name: string;
  prefix: string;
  token_hash: Buffer;
  scopes: string[];
  created_at: CreatedAt;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface LoginThrottleTable {
  key: string;
  window_start: Timestamp;
  attempts: number;
}

export interface AuditLogTable {
  seq: ColumnType<string, number | string, never>;
  at: Timestamp;
  actor_kind: "staff" | "customer" | "system" | "token" | "public";
  actor_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string | null;
  customer_id: string | null;
  before: unknown;
  after: unknown;
  article: string | null;
  prev_hash: Buffer;
  hash: Buffer;
}

export interface Database {
  customers: CustomersTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  audit_log: AuditLogTable;
}
