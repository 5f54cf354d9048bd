import type { Migration } from "kysely";
import * as m0001 from "./0001_foundation.ts";
import * as m0002 from "./0002_contracts.ts";
import * as m0003 from "./0003_billing.ts";
import * as m0004 from "./0004_invoice_line_owner.ts";
import * as m0005 from "./0005_invoice_number_digits.ts";
import * as m0006 from "./0006_late_start_extension.ts";
import * as m0007 from "./0007_direct_debit.ts";
import * as m0008 from "./0008_invoice_contract_owner.ts";
import * as m0009 from "./0009_decided_once.ts";
import * as m0010 from "./0010_idempotency_keys.ts";
import * as m0011 from "./0011_auth_notify.ts";
import * as m0012 from "./0012_contract_changes.ts";
import * as m0013 from "./0013_failing_deliveries.ts";
import * as m0014 from "./0014_self_service.ts";
import * as m0015 from "./0015_notes_in_japanese.ts";
import * as m0016 from "./0016_monitoring.ts";
import * as m0017 from "./0017_incidents.ts";
import * as m0018 from "./0018_accounting.ts";

/**
 * Forward-only, numbered migrations. Add new files as `NNNN_name.ts` and list them here;
 * never edit or remove one that has been released.
 */
export const migrations: Record<string, Migration> = {
  "0001_foundation": m0001,
  "0002_contracts": m0002,
  "0003_billing": m0003,
  "0004_invoice_line_owner": m0004,
  "0005_invoice_number_digits": m0005,
  "0006_late_start_extension": m0006,
  "0007_direct_debit": m0007,
  "0008_invoice_contract_owner": m0008,
  "0009_decided_once": m0009,
  "0010_idempotency_keys": m0010,
  "0011_auth_notify": m0011,
  "0012_contract_changes": m0012,
  "0013_failing_deliveries": m0013,
  "0014_self_service": m0014,
  "0015_notes_in_japanese": m0015,
  "0016_monitoring": m0016,
  "0017_incidents": m0017,
  "0018_accounting": m0018,
};
