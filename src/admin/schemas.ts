import { z } from "zod";
import { instant, instantField, isoDate } from "../core/schemas.ts";

export const clockSchema = z
  .object({
    now: instant,
    /** Today's business date (Asia/Tokyo). */
    today: isoDate,
    /** A test clock is on: the UI shows a banner. */
    testClock: z.boolean(),
    frozen: z.boolean(),
  })
  .meta({ id: "Clock" });
export type ClockView = z.infer<typeof clockSchema>;

/** What each business-calendar job did (the CLI runs them) or that it was queued (the API). */
export const clockMoved = clockSchema.extend({
  jobs: z.record(z.string(), z.union([z.literal("queued"), z.record(z.string(), z.number())])),
});

export const setClockBody = z.strictObject({ at: instantField, frozen: z.boolean().optional() });
export const advanceClockBody = z
  .strictObject({
    days: z.number().int().min(0).max(3660).optional(),
    hours: z
      .number()
      .int()
      .min(0)
      .max(24 * 366)
      .optional(),
    minutes: z
      .number()
      .int()
      .min(0)
      .max(60 * 24 * 366)
      .optional(),
  })
  .refine((b) => (b.days ?? 0) + (b.hours ?? 0) + (b.minutes ?? 0) > 0, {
    message: "advance by a positive amount",
  });
