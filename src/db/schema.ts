import type { ColumnType, Generated } from "kysely";

/** jsonb: written as a JSON string or value, read back parsed. */
type Json = ColumnType<unknown, string, string>;
/** date columns: written and read as ISO YYYY-MM-DD (a type parser in db.ts keeps them strings). */
type DateCol = string;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export interface CustomersTable {
  id: Generated<string>;
  legal_name: string;
  corporate_number: string | null;
  is_demo: Generated<boolean>;
  address: string | null;
  billing_contact: Json | null;
  representatives: Json | null;
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

export interface TermsVersionsTable {
  id: Generated<string>;
  number: string;
  title: string;
  body: string;
  announced_on: DateCol;
  effective_on: DateCol;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface ApplicationsTable {
  id: Generated<string>;
  number: string;
  channel: "web" | "paper" | "email";
  received_on: DateCol;
  received_at: CreatedAt;
  status: Generated<"applied" | "rejected" | "withdrawn" | "accepted">;
  legal_name: string;
  corporate_number: string;
  form: Json;
  applicant_email: string;
  withdraw_token_hash: Buffer | null;
  rejection_reason: string | null;
  rejection_note: string | null;
  decided_by: string | null;
  decided_at: Timestamp | null;
  customer_id: string | null;
  contract_id: string | null;
  created_by: string | null;
}

export type ContractStatus = "active" | "suspended" | "terminating" | "terminated" | "data_deleted";

export interface ContractsTable {
  id: Generated<string>;
  number: string;
  customer_id: string;
  application_id: string | null;
  status: ContractStatus;
  plan: string;
  options: string[];
  servers: Json;
  channel: string;
  applied_on: DateCol;
  start_date: DateCol;
  committed_months: number | null;
  terms_version_id: string | null;
  suspension_reason: string | null;
  end_kind: "cancellation" | "termination" | "abolition" | "cooling_off" | null;
  end_reason: string | null;
  cancellation_received_on: DateCol | null;
  end_effective_on: DateCol | null;
  terminated_on: DateCol | null;
  deletion_scheduled_on: DateCol | null;
  data_deleted_on: DateCol | null;
  eligible_for_stop: Generated<boolean>;
  charges_void: Generated<boolean>;
  suspension_candidate: "unpaid_fees" | "direct_debit_failed" | null;
  /** Days the service period was extended for a late start (Art. 36(2)). */
  extension_days: Generated<number>;
  /** The last day of the service of an ending contract, as `contractEnd` decided it. */
  service_until: DateCol | null;
  /** The article the end rests on. */
  end_article: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ContractEventsTable {
  id: Generated<number>;
  contract_id: string;
  customer_id: string;
  at: Timestamp;
  business_date: DateCol;
  actor_kind: string;
  actor_id: string | null;
  type: string;
  from_status: string | null;
  to_status: string | null;
  reason_code: string | null;
  article: string | null;
  details: Json | null;
}

export interface ContractTermsTable {
  contract_id: string;
  customer_id: string;
  terms_version_id: string;
  since: DateCol;
}

export interface CustomerChangesTable {
  id: Generated<string>;
  customer_id: string;
  requested_by: string;
  requested_at: CreatedAt;
  changes: Json;
  status: Generated<"pending" | "confirmed" | "refused">;
  decided_by: string | null;
  decided_at: Timestamp | null;
  decision_note: string | null;
}

export interface NoticesTable {
  id: Generated<string>;
  kind: "notice" | "announcement";
  topic: string;
  subject: string;
  body: string;
  article: string | null;
  contract_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface NoticeDeliveriesTable {
  id: Generated<string>;
  notice_id: string;
  customer_id: string | null;
  email: string;
  message_id: string;
  status: Generated<"queued" | "sent" | "failed">;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_error: string | null;
  sent_at: Timestamp | null;
  read_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
}

export interface InquiriesTable {
  id: Generated<string>;
  contract_id: string;
  customer_id: string;
  subject: string;
  body: string;
  sent_on: DateCol;
  deadline: DateCol;
  reminded_at: Timestamp | null;
  answered_at: Timestamp | null;
  answer: string | null;
  answered_by: string | null;
  overdue_flagged_at: Timestamp | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface AbolitionsTable {
  id: Generated<string>;
  title: string;
  body: string;
  notice_on: DateCol;
  abolition_on: DateCol;
  contract_ids: string[] | null;
  notice_id: string | null;
  applied_at: Timestamp | null;
  created_by: string | null;
  created_at: CreatedAt;
}

/** Billing (migration 0003). Money columns are bigint yen, read back as numbers. */
export interface BillingSettingsTable {
  id: Generated<boolean>;
  issuer_name: string;
  registration_number: string;
  issuer_address: string;
  issuer_phone: string | null;
  bank_account: string | null;
  tax_rounding: Generated<"down" | "up" | "half-up">;
  due_months_after: Generated<number>;
  min_payment_days: Generated<number>;
  invoice_prefix: Generated<string>;
  debit_consignor: Json | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DebitMandatesTable {
  customer_id: string;
  bank_code: string;
  bank_name: string;
  branch_code: string;
  branch_name: string;
  account_type: "1" | "2" | "9";
  account_number: string;
  account_holder: string;
  status: "active" | "revoked";
  registered_on: DateCol;
  revoked_on: DateCol | null;
  next_new_code: Generated<"0" | "1" | "2">;
  updated_by: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DebitRequestsTable {
  id: Generated<string>;
  debit_date: DateCol;
  records: number;
  amount: number;
  file: Buffer;
  sha256: Buffer;
  result_import_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface DebitRequestItemsTable {
  request_id: string;
  record: number;
  invoice_id: string;
  customer_id: string;
  amount: number;
  new_code: string;
}

export interface PriceItemsTable {
  code: string;
  name_ja: string;
  name_en: string;
  kind: "initial" | "monthly" | "usage" | "annual" | "other";
  tax_category: "10" | "8" | "exempt" | "out-of-scope";
  applies_to: string | null;
  active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface PriceItemPricesTable {
  item_code: string;
  effective_from: DateCol;
  unit_price: number;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface OptionCancellationsTable {
  contract_id: string;
  customer_id: string;
  option: string;
  received_on: DateCol;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface CloudAccountsTable {
  provider: string;
  account_id: string;
  contract_id: string;
  customer_id: string;
  created_at: CreatedAt;
}

export interface BillingRunsTable {
  id: Generated<string>;
  month: string;
  status: Generated<"queued" | "running" | "done" | "failed">;
  contracts: Generated<number>;
  scanned: Generated<number>;
  total: Generated<number>;
  issue: Generated<boolean>;
  issued: Generated<number>;
  attempts: Generated<number>;
  heartbeat_at: Timestamp | null;
  created: Generated<number>;
  skipped: Generated<number>;
  error: string | null;
  created_by: string | null;
  started_at: CreatedAt;
  finished_at: Timestamp | null;
}

export interface InvoicesTable {
  id: Generated<string>;
  contract_id: string;
  customer_id: string;
  month: string;
  kind: Generated<"regular" | "corrected" | "credit">;
  refers_to: string | null;
  status: Generated<"draft" | "issued" | "void">;
  number: string | null;
  issue_date: DateCol | null;
  due_date: DateCol;
  period_start: DateCol;
  period_end: DateCol;
  recipient: Json;
  issuer: Json | null;
  by_rate: Json;
  net: number;
  tax: number;
  total: number;
  tax_rounding: string;
  paid_amount: Generated<number>;
  paid_on: DateCol | null;
  late_fee_charged: Generated<boolean>;
  void_reason: string | null;
  voided_at: Timestamp | null;
  voided_by: string | null;
  issued_by: string | null;
  run_id: string | null;
  created_at: CreatedAt;
}

export interface InvoiceLinesTable {
  invoice_id: string;
  customer_id: string;
  line_no: number;
  item_code: string | null;
  description: string;
  kind: string;
  tax_category: "10" | "8" | "exempt" | "out-of-scope";
  quantity: number;
  unit_price: number;
  amount: number;
  article: string;
  note: string;
}

export interface InvoiceCountersTable {
  registration_number: string;
  year: number;
  last: number;
}

export interface ChargesTable {
  id: Generated<string>;
  contract_id: string;
  customer_id: string;
  month: string;
  kind: "usage" | "other" | "special-fee" | "late-fee" | "credit";
  item_code: string | null;
  description: string;
  tax_category: "10" | "8" | "exempt" | "out-of-scope";
  quantity: Generated<number>;
  unit_price: number;
  amount: number;
  article: string;
  note: string;
  source_key: string | null;
  details: Json | null;
  invoice_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface UnavailabilityPeriodsTable {
  id: Generated<string>;
  contract_id: string;
  customer_id: string;
  started_at: Timestamp;
  ended_at: Timestamp;
  attribution: "provider" | "customer" | "carrier" | "cloud";
  cause: "emergency_stop" | "interruption" | "abolition" | "failure";
  note: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface SlaCreditsTable {
  id: Generated<number>;
  contract_id: string;
  customer_id: string;
  month: string;
  hours: ColumnType<string, string | number, string | number>;
  percentage: number;
  credit: number;
  invoice_id: string;
  created_at: CreatedAt;
}

export interface PaymentImportsTable {
  id: Generated<string>;
  kind: "zengin-debit-result";
  file_name: string | null;
  sha256: Buffer;
  debit_date: DateCol;
  records: number;
  paid: number;
  failed: number;
  unmatched: number;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface PaymentsTable {
  id: Generated<string>;
  customer_id: string;
  received_on: DateCol;
  amount: number;
  unallocated: number;
  method: "bank_transfer" | "direct_debit" | "cash" | "other";
  reference: string | null;
  payer_name: string | null;
  import_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface PaymentAllocationsTable {
  payment_id: string;
  invoice_id: string;
  customer_id: string;
  amount: number;
  received_on: DateCol;
}

export interface DebitFailuresTable {
  id: Generated<string>;
  import_id: string;
  invoice_id: string | null;
  contract_id: string | null;
  customer_id: string | null;
  customer_number: string;
  amount: number;
  result_code: string;
  result_text: string;
  created_at: CreatedAt;
}

export interface TestClockTable {
  id: Generated<boolean>;
  at: Timestamp;
  set_at: Timestamp;
  frozen: Generated<boolean>;
  set_by: string | null;
}

export interface Database {
  test_clock: TestClockTable;
  billing_settings: BillingSettingsTable;
  price_items: PriceItemsTable;
  price_item_prices: PriceItemPricesTable;
  option_cancellations: OptionCancellationsTable;
  cloud_accounts: CloudAccountsTable;
  billing_runs: BillingRunsTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  invoice_counters: InvoiceCountersTable;
  charges: ChargesTable;
  unavailability_periods: UnavailabilityPeriodsTable;
  sla_credits: SlaCreditsTable;
  payment_imports: PaymentImportsTable;
  payments: PaymentsTable;
  payment_allocations: PaymentAllocationsTable;
  debit_failures: DebitFailuresTable;
  debit_mandates: DebitMandatesTable;
  debit_requests: DebitRequestsTable;
  debit_request_items: DebitRequestItemsTable;
  abolitions: AbolitionsTable;
  terms_versions: TermsVersionsTable;
  applications: ApplicationsTable;
  contracts: ContractsTable;
  contract_events: ContractEventsTable;
  contract_terms: ContractTermsTable;
  customer_changes: CustomerChangesTable;
  notices: NoticesTable;
  notice_deliveries: NoticeDeliveriesTable;
  inquiries: InquiriesTable;
  customers: CustomersTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  login_throttle: LoginThrottleTable;
  audit_log: AuditLogTable;
}
