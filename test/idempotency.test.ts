/**
 * Money requests are idempotent: a retry with the same Idempotency-Key gets the first answer instead
 * of recording the payment (charge, credit, import) twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildContract, buildUser, type Client, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let bill: Client;
beforeAll(async () => {
  env = await testApp();
  bill = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
});
afterAll(async () => {
  await env?.close();
});

const paymentsOf = async (customerId: string) =>
  env.db.selectFrom("payments").select(["id", "amount"]).where("customer_id", "=", customerId).execute();

const pay = (c: Client, customerId: string, amount: number, key?: string) =>
  c.req(
    "POST",
    "/api/v1/payments",
    { customerId, receivedOn: "2026-11-20", amount, method: "bank_transfer" },
    key === undefined ? {} : { "idempotency-key": key },
  );

describe("Idempotency-Key on money requests", () => {
  it("a retry after a lost answer gets the first answer, and the payment is recorded once", async () => {
    const { customerId } = await buildContract(env.db, { start: "2026-08-01" });
    const first = await pay(bill, customerId, 12_000, "pay-7f3a");
    expect(first.status).toBe(201);
    const retry = await pay(bill, customerId, 12_000, "pay-7f3a");
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(await paymentsOf(customerId)).toHaveLength(1);
    // Without a key, each request is its own.
    expect((await pay(bill, customerId, 500)).status).toBe(201);
    expect((await pay(bill, customerId, 500)).status).toBe(201);
    expect(await paymentsOf(customerId)).toHaveLength(3);
  });

  it("ten retries at once record one payment", async () => {
    const { customerId } = await buildContract(env.db, { start: "2026-08-01" });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => pay(bill, customerId, 3_000, "burst-1")),
    );
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
    for (const a of answers)
      if (a.status !== 201) {
        expect(a.status).toBe(409);
        expect(a.json.error.details.idempotencyKey).toEqual(["in_progress"]);
      }
    expect(await paymentsOf(customerId)).toHaveLength(1);
  });

  it("refuses the same key for another request, frees it when the request was refused, and keeps keys per caller", async () => {
    const { customerId } = await buildContract(env.db, { start: "2026-08-01" });
    expect((await pay(bill, customerId, 1_000, "k-1")).status).toBe(201);
    const other = await pay(bill, customerId, 2_000, "k-1");
    expect(other.status).toBe(409);
    expect(other.json.error.details.idempotencyKey).toEqual(["reused_for_another_request"]);
    // Refused (no such customer): nothing done, so the key may carry the corrected request.
    const wrong = await pay(bill, "00000000-0000-4000-8000-000000000000", 1_000, "k-2");
    expect(wrong.status).toBe(404);
    const corrected = await bill.req(
      "POST",
      "/api/v1/payments",
      {
        customerId: "00000000-0000-4000-8000-000000000000",
        receivedOn: "2026-11-20",
        amount: 1_000,
        method: "bank_transfer",
      },
      { "idempotency-key": "k-2" },
    );
    expect(corrected.status).toBe(404);
    expect((await pay(bill, customerId, 1_000, "k-3")).status).toBe(201);
    // Another staff member's key of the same name is theirs.
    const colleague = await login(env.app, (await buildUser(env.db, { role: "billing" })).loginId, PASSWORD);
    expect((await pay(colleague, customerId, 1_000, "k-1")).status).toBe(201);
    expect(await paymentsOf(customerId)).toHaveLength(3);
    // A key that is not 1–255 visible ASCII characters is refused.
    const bad = await pay(bill, customerId, 1_000, "has space");
    expect(bad.status).toBe(400);
    expect(await paymentsOf(customerId)).toHaveLength(3);
  });

  it("holds for charges too (a special fee, Art. 32), and the OpenAPI document describes the header", async () => {
    const c = await buildContract(env.db, { start: "2026-08-01" });
    const body = { evaded: 20_000, note: "利用料金の支払を免れた額(調査済)" };
    const charge = () =>
      bill.req("POST", `/api/v1/contracts/${c.id}/special-fees`, body, { "idempotency-key": "charge-1" });
    const rows = () => env.db.selectFrom("charges").select("id").where("contract_id", "=", c.id).execute();
    const first = await charge();
    expect(first.status, JSON.stringify(first.json)).toBe(201);
    const made = (await rows()).length;
    expect(made).toBeGreaterThan(0); // the fee (and the evaded amount itself, Art. 32)
    expect((await charge()).json).toEqual(first.json);
    expect(await rows()).toHaveLength(made);
    const doc = (await env.app.inject("/api/openapi.json")).json();
    const params = doc.paths["/api/v1/payments"].post.parameters as { in: string; name: string }[];
    expect(params).toContainEqual(expect.objectContaining({ in: "header", name: "idempotency-key" }));
  });
});
