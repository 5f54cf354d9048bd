import { z } from "zod";

export const customerSchema = z
  .object({
    id: z.uuid(),
    legalName: z.string(),
    corporateNumber: z.string().nullable(),
    isDemo: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: "Customer" });

export const createCustomerBody = z.strictObject({
  legalName: z.string().trim().min(1).max(200),
  corporateNumber: z
    .string()
    .regex(/^\d{13}$/, "13 digits")
    .optional(),
});
