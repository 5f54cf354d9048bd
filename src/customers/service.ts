import { appendAudit } from "../audit/service.ts";
import type { Clock } from "../core/clock.ts";
import { notFound } from "../core/errors.ts";
import { type Db, type Tx, withCustomerScope } from "../db/db.ts";
import type { CustomerRole } from "../db/schema.ts";
import {
  type AuthContext,
  createUser,
  presentUser,
  USER_COLUMNS,
  type UserView,
} from "../identity/service.ts";

export interface CustomerView {
  id: string;
  legalName: string;
  corporateNumber: string | null;
  isDemo: boolean;
  createdAt: string;
}

function present(r: {
  id: string;
  legal_name: string;
  corporate_number: string | null;
  is_demo: boolean;
  created_at: Date;
}): CustomerView {
  return {
    id: r.id,
    legalName: r.legal_name,
    corporateNumber: r.corporate_number?.trim() ?? null,
    isDemo: r.is_demo,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** The company must exist and, under a customer scope, be the caller's own (RLS hides the others). */
async function requireCustomer(tx: Tx, customerId: string): Promise<void> {
  const customer = await tx
    .selectFrom("customers")
    .select("id")
    .where("id", "=", customerId)
    .executeTakeFirst();
  if (!customer) throw notFound("customer");
}

/**
 * Customer companies (契約者). Staff see all; a customer user's reads and writes run in a
 * transaction scoped by row-level security to its own company, so an id from the URL or the
 * body can never reach another company's rows, even if a query here forgot a filter.
 */
export class CustomerService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Run as the caller: staff with the owner role, customer users under RLS. */
  scoped<T>(auth: AuthContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
    if (auth.user.kind === "customer") return withCustomerScope(this.db, auth.user.customerId!, fn);
    return this.db.transaction().execute(fn);
  }

  async list(auth: AuthContext): Promise<CustomerView[]> {
    return this.scoped(auth, async (tx) =>
      (await tx.selectFrom("customers").selectAll().orderBy("legal_name").limit(1000).execute()).map(present),
    );
  }

  async get(auth: AuthContext, id: string): Promise<CustomerView> {
    return this.scoped(auth, async (tx) => {
      const row = await tx.selectFrom("customers").selectAll().where("id", "=", id).executeTakeFirst();
      if (!row) throw notFound("customer");
      return present(row);
    });
  }

  async create(
    auth: AuthContext,
    input: { legalName: string; corporateNumber?: string },
  ): Promise<CustomerView> {
    const now = this.clock.now();
    return this.db.transaction().execute(async (tx) => {
      const row = await tx
        .insertInto("customers")
        .values({ legal_name: input.legalName, corporate_number: input.corporateNumber ?? null })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(tx, {
        actor: { kind: auth.user.kind, id: auth.user.id },
        action: "customer.create",
        subjectType: "customer",
        subjectId: row.id,
        customerId: row.id,
        after: { legalName: row.legal_name, corporateNumber: row.corporate_number },
        at: now,
      });
      return present(row);
    });
  }

  async listUsers(auth: AuthContext, customerId: string): Promise<UserView[]> {
    return this.scoped(auth, async (tx) => {
      await requireCustomer(tx, customerId);
      const rows = await tx
        .selectFrom("users")
        .select(USER_COLUMNS)
        .where("customer_id", "=", customerId)
        .orderBy("login_id")
        .execute();
      return rows.map(presentUser);
    });
  }

  /** Staff, or the customer's own customer-admin, add a user to a company; the initial password is returned once. */
  async addUser(
    auth: AuthContext,
    customerId: string,
    input: { loginId: string; email: string; displayName: string; role: CustomerRole; locale?: "ja" | "en" },
  ) {
    return this.scoped(auth, async (tx) => {
      await requireCustomer(tx, customerId);
      return createUser(
        tx,
        { kind: auth.user.kind, id: auth.user.id },
        { ...input, kind: "customer", customerId },
        this.clock.now(),
      );
    });
  }
}
