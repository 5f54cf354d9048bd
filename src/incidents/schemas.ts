/** The incidents room's request and answer shapes (zod: validation and the OpenAPI document). */
import { z } from "zod";
import { ATTRIBUTIONS } from "../billing/rules/sla.ts";
import { UNAVAILABILITY_CAUSES } from "../billing/types.ts";
import { instantField } from "../core/schemas.ts";
import {
  INCIDENT_STATUSES,
  INTEGRATION_KINDS,
  MUTES,
  PREFERENCES,
  SEVERITIES,
  WINDOW_REASONS,
  WINDOW_SCOPES,
} from "./rules.ts";

const text = (max: number) => z.string().trim().min(1).max(max);
const iso = z.string();

export const incidentSchema = z.object({
  id: z.uuid(),
  number: z.number().int(),
  reference: z.string().meta({ description: "INC-<number>: how staff, customers and invoices refer to it" }),
  customerId: z.uuid(),
  customerName: z.string(),
  contractId: z.uuid().nullable(),
  itemId: z.uuid().nullable(),
  itemName: z.string().nullable(),
  checkId: z.uuid().nullable(),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  status: z.enum(INCIDENT_STATUSES),
  openedAt: iso,
  awareAt: iso.meta({ description: "認知: when the provider became aware (Art. 30(4), 36)" }),
  restoredAt: iso.nullable().meta({ description: "復旧: restoration (Art. 30(4), 36)" }),
  acknowledgedAt: iso.nullable(),
  resolvedAt: iso.nullable(),
  attribution: z.enum(ATTRIBUTIONS),
  cause: z.enum(UNAVAILABILITY_CAUSES),
  outage: z.boolean().meta({ description: "a complete unavailability (Art. 36(1)), not a degradation" }),
  muted: z
    .enum(MUTES)
    .nullable()
    .meta({ description: "paging muted: maintenance (Art. 23), emergency stop (22), suspension (21)" }),
  report: z.string().nullable(),
});

export const incidentDetailSchema = incidentSchema.extend({
  timeline: z.array(
    z.object({
      at: iso,
      kind: z.string(),
      body: z.string().nullable(),
      actor: z.string().nullable(),
      public: z.boolean(),
    }),
  ),
  unavailability: z.object({
    counts: z.boolean(),
    reason: z.string(),
    article: z.string(),
    start: iso.nullable(),
    end: iso.nullable(),
    hours: z.number().nullable(),
  }),
  staff: z
    .object({
      assigneeId: z.uuid().nullable(),
      assigneeName: z.string().nullable(),
      acknowledgedByName: z.string().nullable(),
      escalationStep: z.number().int(),
      escalationRound: z.number().int(),
      nextEscalationAt: iso.nullable(),
      signals: z.number().int(),
      firing: z.number().int(),
      autoResolve: z.boolean(),
      alerts: z.array(
        z.object({
          fingerprint: z.string(),
          name: z.string(),
          status: z.string(),
          startsAt: iso,
          endsAt: iso.nullable(),
          labels: z.record(z.string(), z.string()),
          lastSeenAt: iso,
        }),
      ),
      pages: z.array(
        z.object({ userId: z.uuid(), name: z.string(), step: z.number(), round: z.number(), at: iso }),
      ),
    })
    .nullable(),
});

export const incidentQuery = z.strictObject({
  status: z.enum(["active", ...INCIDENT_STATUSES]).optional(),
  severity: z.enum(SEVERITIES).optional(),
  customerId: z.uuid().optional(),
  q: z.string().trim().min(1).max(100).optional(),
});

export const summarySchema = z.object({
  open: z.number().int(),
  unacknowledged: z.number().int(),
  muted: z.number().int(),
  bySeverity: z.record(z.enum(SEVERITIES), z.number().int()),
  onCall: z.array(
    z.object({
      scheduleId: z.uuid(),
      schedule: z.string(),
      onCall: z
        .object({ userId: z.uuid(), name: z.string(), until: iso, source: z.enum(["override", "rotation"]) })
        .nullable(),
    }),
  ),
});

export const assignBody = z.strictObject({ userId: z.uuid().nullable() });
export const commentBody = z.strictObject({ body: text(5000), public: z.boolean().default(false) });
export const incidentPatch = z.strictObject({
  severity: z.enum(SEVERITIES).optional(),
  title: text(500).optional(),
  autoResolve: z.boolean().optional(),
  report: z.string().trim().max(20_000).nullable().optional(),
});
export const resolveBody = z.strictObject({
  restoredAt: instantField
    .optional()
    .meta({ description: "restoration (default now); not before awareness" }),
  note: text(2000).optional(),
});
export const correctionBody = z
  .strictObject({
    reason: text(1000).meta({ description: "why (audited; shown on the timeline)" }),
    awareAt: instantField.optional(),
    restoredAt: instantField.optional(),
    attribution: z.enum(ATTRIBUTIONS).optional(),
    cause: z.enum(UNAVAILABILITY_CAUSES).optional(),
    outage: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 1, { message: "correct at least one field" });

const rotation = z.strictObject({
  name: text(100),
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "YYYY-MM-DDTHH:MM (JST)"),
  shiftHours: z.number().int(),
  members: z.array(z.uuid()).min(1).max(100),
  restriction: z
    .strictObject({
      from: z.string().regex(/^\d{2}:\d{2}$/),
      to: z.string().regex(/^\d{2}:\d{2}$/),
      weekdays: z.array(z.number().int()).optional(),
    })
    .nullable()
    .optional(),
});
export const scheduleBody = z.strictObject({ name: text(100), layers: z.array(rotation).min(1).max(10) });
const shift = z.object({
  userId: z.string(),
  name: z.string(),
  from: iso,
  to: iso,
  source: z.enum(["override", "rotation"]),
  layer: z.number().nullable(),
});
export const scheduleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  layers: z.array(rotation),
  onCall: z
    .object({ userId: z.string(), name: z.string(), until: iso, source: z.enum(["override", "rotation"]) })
    .nullable(),
  shifts: z.array(shift),
  overrides: z.array(
    z.object({
      id: z.uuid(),
      userId: z.uuid(),
      name: z.string(),
      from: iso,
      to: iso,
      note: z.string().nullable(),
    }),
  ),
  memberNames: z.record(z.string(), z.string()),
});
export const overrideBody = z.strictObject({
  userId: z.uuid(),
  from: instantField,
  to: instantField,
  note: text(500).optional(),
});

const target = z.strictObject({ kind: z.enum(["schedule", "user"]), id: z.uuid() });
export const policyBody = z.strictObject({
  name: text(100),
  steps: z
    .array(z.strictObject({ escalateAfterMinutes: z.number().int(), targets: z.array(target).max(20) }))
    .max(10),
  repeat: z.number().int().default(0),
  isDefault: z.boolean().default(false),
});
export const policySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  steps: z.array(
    z.object({
      escalateAfterMinutes: z.number(),
      targets: z.array(z.object({ kind: z.enum(["schedule", "user"]), id: z.string() })),
    }),
  ),
  repeat: z.number(),
  isDefault: z.boolean(),
});

export const windowBody = z.strictObject({
  scope: z.enum(WINDOW_SCOPES),
  itemId: z.uuid().optional(),
  contractId: z.uuid().optional(),
  title: text(200),
  description: z.string().trim().max(5000).optional(),
  reason: z.enum(WINDOW_REASONS).default("maintenance"),
  startsAt: instantField,
  endsAt: instantField,
  emergency: z.boolean().default(false),
  emergencyReason: text(1000).optional(),
});
export const windowSchema = z.object({
  id: z.uuid(),
  scope: z.enum(WINDOW_SCOPES),
  customerId: z.uuid().nullable(),
  contractId: z.uuid().nullable(),
  itemId: z.uuid().nullable(),
  itemName: z.string().nullable(),
  title: z.string(),
  description: z.string().nullable(),
  reason: z.enum(WINDOW_REASONS),
  article: z.string(),
  startsAt: iso,
  endsAt: iso,
  emergency: z.boolean(),
  emergencyReason: z.string().nullable(),
  noticeDeadline: iso.meta({ description: "the prior notice was due by then (Art. 23(3))" }),
  noticedAt: iso.nullable(),
  cancelledAt: iso.nullable(),
  cancelReason: z.string().nullable(),
});
export const windowCreatedSchema = z.object({
  id: z.uuid(),
  noticeDeadline: iso,
  notified: z.number().int(),
  basis: z.array(z.object({ article: z.string(), text: z.string(), textJa: z.string() })),
});

export const integrationBody = z.strictObject({
  kind: z.enum(INTEGRATION_KINDS),
  name: text(100),
  contractId: z.uuid().optional(),
  hostLabels: z.array(z.string().trim().min(1).max(100)).max(10).optional(),
  defaultSeverity: z.enum(SEVERITIES).default("major"),
  signed: z
    .boolean()
    .default(false)
    .meta({ description: "also require an HMAC signature (X-Unyo-Signature)" }),
  policyId: z.uuid().optional(),
});
export const integrationSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  contractId: z.uuid().nullable(),
  kind: z.enum(INTEGRATION_KINDS),
  name: z.string(),
  hostLabels: z.array(z.string()),
  defaultSeverity: z.enum(SEVERITIES),
  createdAt: iso,
  disabledAt: iso.nullable(),
  path: z.string(),
});
export const integrationCreatedSchema = z.object({
  id: z.uuid(),
  token: z.string().meta({ description: "shown once: Authorization: Bearer <token>" }),
  secret: z.string().nullable().meta({ description: "shown once: the HMAC key when signed" }),
  url: z.string(),
  path: z.string(),
});

export const channelBody = z.strictObject({
  kind: z.enum(["slack", "teams", "chatwork", "webhook"]),
  name: text(100),
  url: z.string().trim().max(2000),
  token: z.string().trim().min(1).max(500).optional(),
  secret: z.string().trim().min(16).max(500).optional(),
  minSeverity: z.enum(SEVERITIES).default("minor"),
});
export const channelSchema = z.object({
  id: z.uuid(),
  kind: z.enum(["slack", "teams", "chatwork", "webhook"]),
  name: z.string(),
  host: z.string(),
  minSeverity: z.enum(SEVERITIES),
  createdAt: iso,
});
export const preferenceSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  email: z.string(),
  incidents: z.enum(PREFERENCES),
  maintenance: z.boolean(),
});
export const preferenceBody = z.strictObject({ incidents: z.enum(PREFERENCES), maintenance: z.boolean() });

export const ingestResultSchema = z.object({
  received: z.number().int(),
  recorded: z.number().int(),
  duplicates: z.number().int(),
  opened: z.number().int(),
  joined: z.number().int(),
  resolved: z.number().int(),
});

export const publicStatusSchema = z.object({
  incidents: z.array(
    z.object({
      reference: z.string(),
      title: z.string(),
      severity: z.enum(SEVERITIES),
      status: z.enum(INCIDENT_STATUSES),
      openedAt: iso,
      restoredAt: iso.nullable(),
      muted: z.enum(MUTES).nullable(),
    }),
  ),
  maintenance: z.array(
    z.object({ title: z.string(), startsAt: iso, endsAt: iso, article: z.string(), emergency: z.boolean() }),
  ),
});
