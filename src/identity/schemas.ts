import { z } from "zod";
import { CUSTOMER_ROLES, STAFF_ROLES, TOKEN_SCOPES } from "./rules.ts";

export const loginIdSchema = z
  .string()
  .trim()
  .min(3)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, "letters, digits and . _ @ - only");

export const userSchema = z
  .object({
    id: z.uuid(),
    kind: z.enum(["staff", "customer"]),
    customerId: z.uuid().nullable(),
    loginId: z.string(),
    email: z.string(),
    displayName: z.string(),
    role: z.enum([...STAFF_ROLES, ...CUSTOMER_ROLES]),
    locale: z.enum(["ja", "en"]),
    mustChangePassword: z.boolean(),
    totpEnabled: z.boolean(),
    isDemo: z.boolean(),
  })
  .meta({ id: "User" });
export type UserView = z.infer<typeof userSchema>;

/** A user as a company's user list shows them: active or not, and a reset awaited from the provider. */
export const managedUserSchema = userSchema
  .extend({
    active: z.boolean(),
    disabledAt: z.string().nullable(),
    /** When the company asked the provider to reset the password (Art. 35(17)); null when none is awaited. */
    resetRequestedAt: z.string().nullable(),
  })
  .meta({ id: "ManagedUser" });
export type ManagedUserView = z.infer<typeof managedUserSchema>;

export const userUpdateBody = z
  .strictObject({
    role: z.enum([...STAFF_ROLES, ...CUSTOMER_ROLES]).optional(),
    active: z.boolean().optional(),
  })
  .refine((b) => b.role !== undefined || b.active !== undefined, { message: "give role or active" });
export type UserUpdateRequest = z.infer<typeof userUpdateBody>;

export const resetRequestSchema = z
  .object({ user: managedUserSchema, customerName: z.string(), requestedByName: z.string().nullable() })
  .meta({ id: "ResetRequest" });
export type ResetRequestView = z.infer<typeof resetRequestSchema>;

export const meSchema = z
  .object({
    user: userSchema,
    csrfToken: z.string().nullable(),
    pending: z.enum(["password_change_required", "totp_required"]).nullable(),
    authenticatedBy: z.enum(["session", "token"]),
  })
  .meta({ id: "Me" });
export type Me = z.infer<typeof meSchema>;

export const loginBody = z.strictObject({
  loginId: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
  totp: z
    .string()
    .regex(/^\d{6}$/, "6 digits")
    .optional(),
});

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: z.string().min(1).max(1024),
});

export const reauthBody = z.strictObject({ password: z.string().min(1).max(1024) });

export const totpConfirmBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, "6 digits") });

export const createUserBody = z.strictObject({
  kind: z.enum(["staff", "customer"]),
  customerId: z.uuid().optional(),
  loginId: loginIdSchema,
  email: z.email().max(254),
  displayName: z.string().trim().min(1).max(100),
  role: z.enum([...STAFF_ROLES, ...CUSTOMER_ROLES]),
  locale: z.enum(["ja", "en"]).optional(),
});

export type CreateUserRequest = z.infer<typeof createUserBody>;

/** A new user, or a reset one, with the initial password shown this once (Art. 10). */
export const issuedUserSchema = z.object({ user: userSchema, initialPassword: z.string() });

/** A reset: the new initial password goes to the user through the designated channel (Art. 35(17)). */
export const passwordResetSchema = issuedUserSchema.extend({ article: z.string() });

export const createCustomerUserBody = createUserBody.omit({ kind: true, customerId: true }).extend({
  role: z.enum(CUSTOMER_ROLES),
});

export const sessionSchema = z.object({
  id: z.string(),
  current: z.boolean(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  expiresAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
});

export const tokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

/** A new token: the only answer that shows the token itself. */
export const createdTokenSchema = tokenSchema
  .pick({ id: true, name: true, prefix: true, scopes: true, expiresAt: true })
  .extend({ token: z.string() });

export const totpSetupSchema = z.object({ secret: z.string(), uri: z.string() });

export const createTokenBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1),
  expiresInDays: z.number().int().min(1).max(365).optional(),
});
export const sessionIdParams = z.strictObject({ id: z.string().max(64) });
