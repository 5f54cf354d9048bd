/**
 * The database's types, as the code names them. They are generated from the schema the migrations
 * build (`npm run db:types` writes schema.generated.ts; test/db-types.test.ts fails when it is stale):
 * never written by hand here. This file only gives the generated interfaces the names the rooms
 * import; any other table is `Database["table_name"]`.
 *
 * How the generated types read (scripts/db-types.ts): `date` columns are ISO `YYYY-MM-DD` strings,
 * bigint is a number (the type parsers of db.ts), timestamptz a Date, jsonb `Json` (written as a
 * JSON string, read back parsed), and a text column a CHECK limits to a set is the union of its values.
 */
import type * as G from "./schema.generated.ts";

export type { Json } from "./schema.generated.ts";

export type Database = G.DB;

export type AbolitionsTable = G.Abolitions;
export type ApiTokensTable = G.ApiTokens;
export type ApplicationsTable = G.Applications;
export type AuditLogTable = G.AuditLog;
export type BillingRunsTable = G.BillingRuns;
export type BillingSettingsTable = G.BillingSettings;
export type ChargesTable = G.Charges;
export type CloudAccountsTable = G.CloudAccounts;
export type ContractEventsTable = G.ContractEvents;
export type ContractsTable = G.Contracts;
export type ContractTermsTable = G.ContractTerms;
export type CustomerChangesTable = G.CustomerChanges;
export type CustomersTable = G.Customers;
export type DebitFailuresTable = G.DebitFailures;
export type DebitMandatesTable = G.DebitMandates;
export type DebitRequestItemsTable = G.DebitRequestItems;
export type DebitRequestsTable = G.DebitRequests;
export type InquiriesTable = G.Inquiries;
export type InvoiceCountersTable = G.InvoiceCounters;
export type InvoiceLinesTable = G.InvoiceLines;
export type InvoiceDocumentsTable = G.InvoiceDocuments;
export type InvoicesTable = G.Invoices;
export type LoginThrottleTable = G.LoginThrottle;
export type NoticeDeliveriesTable = G.NoticeDeliveries;
export type NoticesTable = G.Notices;
export type OptionCancellationsTable = G.OptionCancellations;
export type PaymentAllocationsTable = G.PaymentAllocations;
export type PaymentImportsTable = G.PaymentImports;
export type PaymentsTable = G.Payments;
export type PriceItemPricesTable = G.PriceItemPrices;
export type PriceItemsTable = G.PriceItems;
export type SessionsTable = G.Sessions;
export type SlaCreditsTable = G.SlaCredits;
export type TermsVersionsTable = G.TermsVersions;
export type TestClockTable = G.TestClock;
export type UnavailabilityPeriodsTable = G.UnavailabilityPeriods;
export type UsersTable = G.Users;
export type AlertIntegrationsTable = G.AlertIntegrations;
export type AlertsTable = G.Alerts;
export type EscalationPoliciesTable = G.EscalationPolicies;
export type IncidentEventsTable = G.IncidentEvents;
export type IncidentsTable = G.Incidents;
export type MaintenanceWindowsTable = G.MaintenanceWindows;
export type OncallSchedulesTable = G.OncallSchedules;
