/**
 * Applying on the web (Art. 15): the catalogue shows the plans and options with the price book's
 * prices in effect today, the terms version in force and the privacy notice; the application records
 * the consent to both, and a consent to anything else (a version not yet or no longer in force, an old
 * privacy notice) is refused with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRIVACY_NOTICE_VERSION } from "../src/core/privacy.ts";
import { buildUser, type Client, login, PASSWORD, type TestEnv, testApp } from "./helpers.ts";

let env: TestEnv;
let opUser: { loginId: string };
/** A fresh session: the tests move the clock by weeks, past any session's lifetime. */
const staff = (): Promise<Client> => login(env.app, opUser.loginId, PASSWORD);
let n = 0;

const form = () => ({
  legalName: `株式会社同意テスト${++n}`,
  corporateNumber: "7000012050002",
  address: "東京都千代田区霞が関3-1-1",
  billingContact: { name: "経理 花子", email: "billing@consent.example", phone: "03-1234-5678" },
  representatives: [{ name: "代表 太郎", email: "rep@consent.example", phone: "03-1234-5679" }],
  plan: "standard",
  options: ["backup"],
  servers: [{ hostname: "web1.consent.example", provider: "aws" }],
  applicantEmail: `applicant${n}@consent.example`,
});

async function apply(consent: unknown) {
  const r = await env.app.inject({
    method: "POST",
    url: "/api/v1/applications",
    payload: { ...form(), ...(consent === undefined ? {} : { consent }) },
    remoteAddress: `10.9.0.${++n % 250}`,
  });
  return { status: r.statusCode, json: r.json() };
}

const catalogue = async () => (await env.app.inject({ method: "GET", url: "/api/v1/catalogue" })).json();
const applications = async () =>
  Number(
    (
      await env.db
        .selectFrom("applications")
        .select((eb) => eb.fn.countAll<string>().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  env = await testApp();
  opUser = await buildUser(env.db, { role: "operator" });
});
afterAll(async () => {
  await env?.close();
});

describe("the catalogue and the consent of a web application", () => {
  it("lists each plan and option with the price book's prices in effect today, and follows a new price", async () => {
    const c = await catalogue();
    expect(c.on).toBe("2026-11-24");
    expect(c.plans.map((p: { code: string }) => p.code)).toEqual(["basic", "standard", "premium"]);
    const standard = c.plans.find((p: { code: string }) => p.code === "standard");
    expect(standard.prices).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ code: "initial-standard", kind: "initial", unitPrice: 100000 }),
        expect.objectContaining({ code: "monthly-standard", kind: "monthly", unitPrice: 80000 }),
      ]),
    );
    const backup = c.options.find((o: { code: string }) => o.code === "backup");
    expect(backup.prices[0]).toMatchObject({
      code: "option-backup",
      unitPrice: 10000,
      nameEn: "Backup option, monthly",
    });
    expect(c.privacyNotice).toBe(PRIVACY_NOTICE_VERSION);
    // A price from tomorrow is not today's; from today it is.
    await env.db
      .insertInto("price_item_prices")
      .values({ item_code: "option-patching", effective_from: "2026-11-25", unit_price: 16000 })
      .execute();
    const patching = async () =>
      (await catalogue()).options.find((o: { code: string }) => o.code === "patching").prices[0].unitPrice;
    expect(await patching()).toBe(15000);
    env.clock.advance(86_400_000);
    expect(await patching()).toBe(16000);
    env.clock.set(new Date("2026-11-24T01:00:00Z"));
  });

  it("refuses an application without consent, or with a consent to what is not in force, writing nothing", async () => {
    const before = await applications();
    const missing = await apply(undefined);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.json.error.details)).toContain("consent");
    const oldPrivacy = await apply({ termsVersionId: null, privacyNotice: "2020-01-01" });
    expect(oldPrivacy.status).toBe(409);
    expect(oldPrivacy.json.error).toMatchObject({
      article: "35(11)",
      details: { consent: ["privacy_not_current"], privacyNotice: PRIVACY_NOTICE_VERSION },
    });
    expect(await applications()).toBe(before);
  });

  it("records the terms version in force and the privacy notice; a version coming into force changes what is asked", async () => {
    const none = await catalogue();
    expect(none.terms).toBeNull();
    const ok = await apply({ termsVersionId: null, privacyNotice: PRIVACY_NOTICE_VERSION });
    expect(ok.status).toBe(201);

    // A version announced today, in force in 14 days (Art. 2).
    const v = await env.db
      .insertInto("terms_versions")
      .values({
        number: "T-2026-12",
        title: "運用支援サービス契約約款",
        body: "第1条 …",
        announced_on: "2026-11-24",
        effective_on: "2026-12-08",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const early = await apply({ termsVersionId: v.id, privacyNotice: PRIVACY_NOTICE_VERSION });
    expect(early.status).toBe(409);
    expect(early.json.error.details).toMatchObject({ consent: ["terms_not_in_force"], termsInForce: null });

    env.clock.set(new Date("2026-12-08T01:00:00Z"));
    try {
      const c = await catalogue();
      expect(c.terms).toEqual({
        id: v.id,
        number: "T-2026-12",
        title: "運用支援サービス契約約款",
        effectiveOn: "2026-12-08",
      });
      const before = await applications();
      const stale = await apply({ termsVersionId: null, privacyNotice: PRIVACY_NOTICE_VERSION });
      expect(stale.status).toBe(409);
      expect(stale.json.error).toMatchObject({ article: "15", details: { termsInForce: "T-2026-12" } });
      expect(await applications()).toBe(before);

      const good = await apply({ termsVersionId: v.id, privacyNotice: PRIVACY_NOTICE_VERSION });
      expect(good.status).toBe(201);
      const op = await staff();
      const queue = await op.req("GET", "/api/v1/applications?status=applied");
      const mine = queue.json.items.find((a: { number: string }) => a.number === good.json.number);
      expect(mine.consent).toMatchObject({
        termsVersionId: v.id,
        termsNumber: "T-2026-12",
        privacyNotice: PRIVACY_NOTICE_VERSION,
      });
      const one = await op.req("GET", `/api/v1/applications/${mine.id}`);
      expect(one.json.consent.termsNumber).toBe("T-2026-12");
      // The terms' text is public, for the applicant to read before consenting.
      const text = await env.app.inject({ method: "GET", url: `/api/v1/terms-versions/${v.id}` });
      expect(text.statusCode).toBe(200);
      expect(text.json()).toMatchObject({ number: "T-2026-12", body: "第1条 …" });
    } finally {
      env.clock.set(new Date("2026-11-24T01:00:00Z"));
    }
  });

  it("a paper application records no web consent (the signed form is the consent)", async () => {
    const op = await staff();
    const r = await op.req("POST", "/api/v1/applications/paper", {
      ...form(),
      channel: "paper",
      receivedOn: "2026-11-20",
    });
    expect(r.status).toBe(201);
    const one = await op.req("GET", `/api/v1/applications/${r.json.id}`);
    expect(one.json.consent).toBeNull();
  });
});
