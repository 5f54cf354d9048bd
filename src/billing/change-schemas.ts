/** Requests and answers of contract changes (Art. 20(2)–(4), 29(4)(5)) and the menu's limits (Art. 20(3)). */
import { z } from "zod";
import {
  CHANGE_CHANNELS,
  CONTRACT_CHANGE_KINDS,
  CONTRACT_CHANGE_STATUSES,
} from "../contracts/change-rules.ts";
import { OPTIONS, PLANS, serverSchema } from "../contracts/schemas.ts";
import { basisList, dateField, instant, isoDate, isoMonth } from "../core/schemas.ts";
import { chargeLineSchema } from "./schemas.ts";

const committedMonths = z.number().int().min(1).max(120).nullable();

/** What a change asks for: at least one of these. */
export const changeRequestFields = {
  plan: z.enum(PLANS).optional(),
  addOptions: z.array(z.enum(OPTIONS)).max(OPTIONS.length).optional(),
  removeOptions: z.array(z.enum(OPTIONS)).max(OPTIONS.length).optional(),
  addServers: z.array(serverSchema).min(1).max(500).optional(),
  removeServers: z.array(z.string().trim().min(1).max(253)).min(1).max(500).optional(),
  committedMonths: committedMonths.optional(),
};

export const changePreviewBody = z.strictObject({
  ...changeRequestFields,
  /** Staff: the day a paper form arrived (never in the future). */
  receivedOn: dateField("receivedOn").optional(),
});

export const changeRequestBody = changePreviewBody.extend({
  channel: z.enum(["paper", "email"]).optional(),
  note: z.string().trim().max(2000).optional(),
});

export const confirmChangeBody = z.strictObject({ effectiveOn: dateField("effectiveOn").optional() });
export const refuseChangeBody = z.strictObject({ reason: z.string().trim().min(1).max(2000) });
export const cancelChangeBody = z.strictObject({
  /** The fees the customer was shown (GET …/cancellation); another amount is refused. */
  expectedFees: z.number().int().min(0),
});
export const changeQueueQuery = z.strictObject({
  status: z.enum(CONTRACT_CHANGE_STATUSES).default("requested"),
});

const serverView = z.object({
  hostname: z.string(),
  provider: z.string(),
  role: z.string().optional(),
  os: z.string().optional(),
});
export const contentSchema = z
  .object({
    plan: z.string(),
    options: z.array(z.string()),
    servers: z.array(serverView),
    committedMonths: z.number().int().nullable(),
  })
  .meta({ id: "ContractContent" });

export const changeSchema = z
  .object({
    id: z.uuid(),
    contractId: z.uuid(),
    contractNumber: z.string().optional(),
    customerId: z.uuid(),
    status: z.enum(CONTRACT_CHANGE_STATUSES),
    kind: z.enum(CONTRACT_CHANGE_KINDS),
    channel: z.enum(CHANGE_CHANNELS),
    receivedOn: isoDate,
    steps: z.array(z.string()),
    before: contentSchema,
    after: contentSchema,
    note: z.string().nullable(),
    requestedAt: instant,
    decidedAt: instant.nullable(),
    effectiveOn: isoDate.nullable(),
    refusalReason: z.string().nullable(),
    cancellationFees: z.number().int().nullable(),
  })
  .meta({ id: "ContractChange" });

export const changePricingSchema = z.object({
  receivedOn: isoDate,
  months: z.array(
    z.object({
      month: isoMonth,
      before: z.number().int(),
      after: z.number().int(),
      lines: z.array(chargeLineSchema),
    }),
  ),
  initialFees: z.number().int(),
  initialLines: z.array(chargeLineSchema),
  basis: basisList,
});

export const changePreviewSchema = changePricingSchema
  .extend({ steps: z.array(z.string()), before: contentSchema, after: contentSchema })
  .meta({ id: "ChangePreview" });

export const changeAnswerSchema = z.object({
  change: changeSchema,
  preview: changePricingSchema.optional(),
  fees: z.number().int().optional(),
  basis: basisList,
});

export const changeCancellationSchema = z
  .object({ fees: z.number().int(), lines: z.array(chargeLineSchema), basis: basisList })
  .meta({ id: "ChangeCancellation" });

const MENU_TARGETS = [...PLANS.map((p) => `plan:${p}`), ...OPTIONS.map((o) => `option:${o}`)] as const;

/** One target's limits: ranks, server limits and the downgrade rule are a plan's; required plans an option's. */
export const menuLimitSchema = z
  .strictObject({
    target: z.enum(MENU_TARGETS as unknown as [string, ...string[]]),
    rank: z.number().int().min(1).max(1000).nullable(),
    maxServers: z.number().int().min(1).max(100_000).nullable(),
    noDowngradeInMinimumTerm: z.boolean(),
    requiresPlans: z.array(z.enum(PLANS)).min(1).max(PLANS.length).nullable(),
  })
  .superRefine((v, ctx) => {
    const plan = v.target.startsWith("plan:");
    const wrong = plan
      ? v.requiresPlans !== null
        ? ["requiresPlans"]
        : []
      : [
          ...(v.rank !== null ? ["rank"] : []),
          ...(v.maxServers !== null ? ["maxServers"] : []),
          ...(v.noDowngradeInMinimumTerm ? ["noDowngradeInMinimumTerm"] : []),
        ];
    for (const field of wrong)
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: plan
          ? "only an option names the plans it needs"
          : "only a plan has a rank, a server limit or a downgrade rule",
      });
  })
  .meta({ id: "MenuLimit" });

export const menuLimitView = z
  .object({
    target: z.string(),
    rank: z.number().int().nullable(),
    maxServers: z.number().int().nullable(),
    noDowngradeInMinimumTerm: z.boolean(),
    requiresPlans: z.array(z.string()).nullable(),
  })
  .meta({ id: "MenuLimitView" });
