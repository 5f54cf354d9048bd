/**
 * The identity room's SQL for what other rooms read of users: a company's portal users and the
 * addresses its notices go to.
 */
import type { Db, Tx } from "../db/db.ts";
import { USER_COLUMNS } from "./service.ts";

type Q = Db | Tx;

export async function usersOfCustomer(db: Q, customerId: string) {
  return db
    .selectFrom("users")
    .select(USER_COLUMNS)
    .where("customer_id", "=", customerId)
    .orderBy("login_id")
    .execute();
}

/** The e-mail addresses of the active users of these companies. */
export async function activeEmailsOf(db: Q, customerIds: string[]) {
  if (customerIds.length === 0) return [];
  return db
    .selectFrom("users")
    .select(["customer_id", "email"])
    .where("customer_id", "in", customerIds)
    .where("disabled_at", "is", null)
    .execute();
}

/** Sessions ended or expired before `before`. */
export async function deleteSessionsBefore(db: Q, before: Date): Promise<number> {
  const r = await db
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("ended_at", "<", before), eb("expires_at", "<", before)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Log-in throttle windows that started before `before`. */
export async function deleteThrottleBefore(db: Q, before: Date): Promise<number> {
  const r = await db.deleteFrom("login_throttle").where("window_start", "<", before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Whether the demo accounts exist (the demo data is loaded once). */
export async function demoSeeded(db: Q): Promise<boolean> {
  const r = await db
    .selectFrom("users")
    .select("id")
    .where("login_id", "=", "admin")
    .where("is_demo", "=", true)
    .executeTakeFirst();
  return r !== undefined;
}
