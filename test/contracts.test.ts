import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyAbolitions, completeEnds, runDeletions } from "../src/contracts/ends.ts";
import { inquiryJobs } from "../src/inquiries/service.ts";
import { buildUser, type Client, login, type TestEnv, testApp, webConsent } from "./helpers.ts";

let env: TestEnv;
let op: Client;
let admin: Client;

const form = (over: Record<string, unknown> = {}) => ({
  legalName: "株式会社申込テスト",
  corporateNumber: "7000012050002",
  address: "東京都千代田区霞が関3-1-1",
  billingContact: { name: "経理 花子", email: "billing@apply.example", phone: "03-1234-5678" },
  representatives: [{ name: "代表 太郎", email: "rep@apply.example", phone: "03-1234-5679" }],
  plan: "standard",
  options: ["backup"],
  servers: [
    { hostname: "web1.apply.example", provider: "aws", os: "Ubuntu 24.04" },
    { hostname: "db1.apply.example", provider: "aws", os: "Ubuntu 24.04" },
  ],
  applicantEmail: "applicant@apply.example",
  ...over,
});

beforeAll(async () => {
  env = await testApp();
  op = await login(
    env.app,
    (await buildUser(env.db, { role: "operator" })).loginId,
    "correct horse battery staple 9",
  );
  const a = await buildUser(env.db, { role: "admin" });
  await env.db
    .updateTable("users")
    .set({ totp_enabled: true, totp_secret: "JBSWY3DPEHPK3PXP" })
    .where("id", "=", a.id)
    .execute();
  const { totpCode } = await import("../src/identity/totp.ts");
  admin = await login(env.app, a.loginId, a.password, totpCode("JBSWY3DPEHPK3PXP", env.clock.now()));
});
afterAll(async () => {
  await env?.close();
});
// A test that moves the clock puts it back: the next one starts on 2026-11-24 whatever the order.
const START = new Date("2026-11-24T01:00:00Z");
afterEach(() => {
  env.clock.set(START);
});

// Each application comes from its own address unless a test says otherwise: the per-address limit
// (tested on its own) must not make one test depend on how many others applied before it.
let addresses = 0;
const nextAddress = () => {
  const n = ++addresses;
  return `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
};

async function apply(over: Record<string, unknown> = {}, ip = nextAddress()) {
  const r = await env.app.inject({
    method: "POST",
    url: "/api/v1/applications",
    payload: { consent: await webConsent(env.app), ...form(over) },
    remoteAddress: ip,
  });
  return { status: r.statusCode, json: r.json() };
}

async function deliveriesTo(email: string) {
  return env.db
    .selectFrom("notice_deliveries as d")
    .innerJoin("notices as n", "n.id", "d.notice_id")
    .select(["n.topic", "n.subject", "n.body", "d.status"])
    .where("d.email", "=", email)
    .execute();
}

describe("applications (Art. 15–17, 42)", () => {
  it("a web application is received with a receipt e-mail queued and the cooling-off window", async () => {
    const r = await apply({ applicantEmail: "receipt@apply.example" });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ receivedOn: "2026-11-24", coolingOffLastDay: "2026-12-01" });
    expect(r.json.number).toMatch(/^A-2026-\d{6}$/);
    const mails = await deliveriesTo("receipt@apply.example");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.topic).toBe("application.receipt");
    expect(mails[0]!.body).toContain("2026-12-01");
  });

  it("refuses a wrong corporate-number check digit citing Art. 15, and bad fields with 400", async () => {
    const r = await apply({ corporateNumber: "8000012050002" });
    expect(r.status).toBe(400);
    expect(r.json.error.article).toBe("15");
    expect((await apply({ plan: "platinum" })).status).toBe(400);
    expect((await apply({ servers: [] })).status).toBe(400);
    expect((await apply({ unknownField: 1 })).status).toBe(400);
  });

  it("the honeypot stores and sends nothing, but looks like success", async () => {
    const before = await env.db
      .selectFrom("applications")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const r = await apply({ website: "http://spam.example", applicantEmail: "bot@spam.example" });
    expect(r.status).toBe(201);
    const after = await env.db
      .selectFrom("applications")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    expect(await deliveriesTo("bot@spam.example")).toHaveLength(0);
  });

  it("rate-limits applications per address", async () => {
    let last = 0;
    for (let i = 0; i < 11; i++)
      last = (await apply({ applicantEmail: `flood${i}@apply.example` }, "203.0.113.9")).status;
    expect(last).toBe(429);
  });

  it("rejection records the reason and sends nothing to the applicant (Art. 17(2))", async () => {
    await apply({ applicantEmail: "rejected@apply.example" });
    const queue = await op.req("GET", "/api/v1/applications?status=applied");
    const app = queue.json.items.find(
      (a: { applicantEmail: string }) => a.applicantEmail === "rejected@apply.example",
    );
    const before = await deliveriesTo("rejected@apply.example");
    const r = await op.req("POST", `/api/v1/applications/${app.id}/reject`, {
      reason: "risk_of_default",
      note: "与信不足",
    });
    expect(r.status).toBe(204);
    expect(await deliveriesTo("rejected@apply.example")).toHaveLength(before.length); // only the receipt
    const got = await op.req("GET", `/api/v1/applications/${app.id}`);
    expect(got.json).toMatchObject({
      status: "rejected",
      rejectionReason: "risk_of_default",
      rejectionNote: "与信不足",
    });
    expect((await op.req("POST", `/api/v1/applications/${app.id}/accept`)).status).toBe(409);
  });

  it("the applicant withdraws within cooling-off with the receipt code; not after it ends (Art. 42)", async () => {
    await apply({ applicantEmail: "withdraw@apply.example" });
    const mail = (await deliveriesTo("withdraw@apply.example"))[0]!;
    const code = mail.body.match(/撤回用コード: (\S+)/)![1]!;
    const number = mail.subject.match(/\((A-\d{4}-\d+)\)/)![1]!;
    expect(
      (
        await env.app.inject({
          method: "POST",
          url: "/api/v1/applications/withdraw",
          payload: { number, code: "wrong" },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await env.app.inject({
          method: "POST",
          url: "/api/v1/applications/withdraw",
          payload: { number, code },
        })
      ).statusCode,
    ).toBe(204);
    // A paper application has no cooling-off.
    const paper = await op.req("POST", "/api/v1/applications/paper", {
      ...form({ applicantEmail: "paper@apply.example" }),
      channel: "paper",
      receivedOn: "2026-11-20",
    });
    expect(paper.status).toBe(201);
    expect(paper.json.coolingOffLastDay).toBeNull();
  });
});

/** Apply, accept, and log in as the new customer with a password of its own (Art. 10). */
async function acceptedCustomer(email: string) {
  await apply({ applicantEmail: email });
  const queue = await op.req("GET", "/api/v1/applications?status=applied");
  const app = queue.json.items.find((a: { applicantEmail: string }) => a.applicantEmail === email);
  const r = await op.req("POST", `/api/v1/applications/${app.id}/accept`);
  expect(r.status).toBe(200);
  const customer = await login(env.app, r.json.portalUser.loginId, r.json.initialPassword);
  const changed = await customer.req("POST", "/api/v1/me/password", {
    currentPassword: r.json.initialPassword,
    newPassword: "our new company passphrase",
  });
  expect(changed.status).toBe(204);
  return { accepted: r.json, customer, contractId: r.json.contract.id as string };
}

describe("acceptance → contract → cancellation (Art. 10, 12, 13, 16, 26)", () => {
  it("accepting establishes the contract today and issues the portal user and initial password", async () => {
    await apply({ applicantEmail: "accept@apply.example" });
    const queue = await op.req("GET", "/api/v1/applications?status=applied");
    const app = queue.json.items.find(
      (a: { applicantEmail: string }) => a.applicantEmail === "accept@apply.example",
    );
    const r = await op.req("POST", `/api/v1/applications/${app.id}/accept`);
    expect(r.status).toBe(200);
    expect(r.json.contract).toMatchObject({
      status: "active",
      startDate: "2026-11-24",
      minimumTermEnd: "2026-12-31",
      plan: "standard",
    });
    expect(r.json.initialPassword).toMatch(/^[A-Za-z0-9]{16}$/);
    const contractId = r.json.contract.id;
    const mails = await deliveriesTo("accept@apply.example");
    const acceptance = mails.find((m) => m.topic === "contract.accepted")!;
    expect(acceptance.body).toContain(r.json.portalUser.loginId);
    expect(acceptance.body).not.toContain(r.json.initialPassword); // the password goes by the designated channel
    const customerClient = await login(env.app, r.json.portalUser.loginId, r.json.initialPassword);
    expect((await customerClient.req("GET", "/api/v1/contracts")).status).toBe(403); // Art. 10 first
    await customerClient.req("POST", "/api/v1/me/password", {
      currentPassword: r.json.initialPassword,
      newPassword: "our new company passphrase",
    });
    const mine = await customerClient.req("GET", "/api/v1/contracts");
    expect(mine.json.items.map((c: { id: string }) => c.id)).toEqual([contractId]);
  });

  it("shows the timeline with actor, date and article", async () => {
    const { customer, contractId } = await acceptedCustomer("timeline@apply.example");
    const c = await customer.req("GET", `/api/v1/contracts/${contractId}`);
    expect(c.json.timeline[0]).toMatchObject({
      type: "established",
      toStatus: "active",
      article: "16",
      businessDate: "2026-11-24",
    });
    expect(c.json.basis.map((b: { article: string }) => b.article)).toContain("12(1)");
  });

  it("the what-if panel previews before confirming, then the request takes effect at the end of the following month", async () => {
    const { customer, contractId } = await acceptedCustomer("whatif@apply.example");
    const preview = await customer.req("GET", `/api/v1/contracts/${contractId}/what-if`);
    expect(preview.json.result).toMatchObject({
      effectiveDate: "2026-12-31",
      billableMonthsFromReceipt: ["2026-11", "2026-12"],
    });
    const later = await customer.req("GET", `/api/v1/contracts/${contractId}/what-if?month=2027-03`);
    expect(later.json.result.effectiveDate).toBe("2027-03-31");
    const bad = await customer.req("GET", `/api/v1/contracts/${contractId}/what-if?month=2026-11`);
    expect(bad.status).toBe(400);
    expect(bad.json.error.article).toBe("26(3)");
    const done = await customer.req("POST", `/api/v1/contracts/${contractId}/cancellation`, {});
    expect(done.status).toBe(200);
    expect(done.json.contract).toMatchObject({
      status: "terminating",
      endEffectiveOn: "2026-12-31",
      cancellationReceivedOn: "2026-11-24",
    });
    expect((await customer.req("POST", `/api/v1/contracts/${contractId}/cancellation`, {})).status).toBe(409);
  });

  it("the lifecycle job ends it after the effective date, and deletion is never before the following month (Art. 26(7))", async () => {
    const { customer, contractId } = await acceptedCustomer("ends@apply.example");
    expect((await customer.req("POST", `/api/v1/contracts/${contractId}/cancellation`, {})).status).toBe(200);
    const status = async () => (await op.req("GET", `/api/v1/contracts/${contractId}`)).json.status;
    await completeEnds(env, "2026-12-31");
    expect(await status()).toBe("terminating");
    await completeEnds(env, "2027-01-01");
    expect(await status()).toBe("terminated");
    expect(await completeEnds(env, "2027-01-01")).toBe(0); // idempotent
    const early = await op.req("POST", `/api/v1/contracts/${contractId}/deletion`, { on: "2026-12-31" });
    expect(early.status).toBe(400);
    expect(early.json.error.article).toBe("26(7)");
    expect(
      (await op.req("POST", `/api/v1/contracts/${contractId}/deletion`, { on: "2027-01-15" })).status,
    ).toBe(200);
    await runDeletions(env, "2027-01-14");
    expect(await status()).toBe("terminated");
    await runDeletions(env, "2027-01-15");
    const c = await op.req("GET", `/api/v1/contracts/${contractId}`);
    expect(c.json.status).toBe("data_deleted");
    expect(c.json.timeline.at(-1)).toMatchObject({ type: "data_deleted", article: "26(7)" });
  });
});

describe("provider actions", () => {
  async function newContract(email: string) {
    await apply({ applicantEmail: email });
    const queue = await op.req("GET", "/api/v1/applications?status=applied");
    const app = queue.json.items.find((a: { applicantEmail: string }) => a.applicantEmail === email);
    return (await op.req("POST", `/api/v1/applications/${app.id}/accept`)).json;
  }

  it("suspends with a coded reason (Art. 21) and resumes; a customer cannot", async () => {
    const { contract } = await newContract("suspend@apply.example");
    const s = await op.req("POST", `/api/v1/contracts/${contract.id}/suspend`, { reason: "unpaid_fees" });
    expect(s.json).toMatchObject({ status: "suspended", suspensionReason: "unpaid_fees" });
    expect(
      (await op.req("POST", `/api/v1/contracts/${contract.id}/suspend`, { reason: "unpaid_fees" })).status,
    ).toBe(409);
    expect(
      (await op.req("POST", `/api/v1/contracts/${contract.id}/suspend`, { reason: "bored" })).status,
    ).toBe(400);
    expect((await op.req("POST", `/api/v1/contracts/${contract.id}/resume`, {})).json.status).toBe("active");
    const t = (await op.req("GET", `/api/v1/contracts/${contract.id}`)).json.timeline;
    expect(t.map((e: { type: string; article: string }) => `${e.type}:${e.article}`)).toEqual([
      "established:16",
      "suspended:21(1)(1)",
      "resumed:21",
    ]);
    // The customer is told of both, through the outbox.
    const topics = await env.db
      .selectFrom("notices")
      .select("topic")
      .where("contract_id", "=", contract.id)
      .orderBy("created_at")
      .execute();
    expect(topics.map((n) => n.topic)).toEqual(
      expect.arrayContaining(["contract.suspended", "contract.resumed"]),
    );
  });

  it("terminates for an Art. 25(3) reason on the notice's arrival day, partially for some servers (25(6))", async () => {
    const { contract } = await newContract("terminate@apply.example");
    const partial = await admin.req("POST", `/api/v1/contracts/${contract.id}/terminate`, {
      reason: "serious_damage",
      noticeArrivedOn: "2026-11-24",
      // Host names compare as DNS does: the server is found whatever the case it is typed in.
      servers: ["DB1.Apply.Example "],
    });
    expect(partial.status).toBe(200);
    expect(partial.json.servers.map((s: { hostname: string }) => s.hostname)).toEqual(["web1.apply.example"]);
    expect(
      (
        await op.req("POST", `/api/v1/contracts/${contract.id}/terminate`, {
          reason: "serious_damage",
          noticeArrivedOn: "2026-11-24",
        })
      ).status,
    ).toBe(403); // admin only
    const whole = await admin.req("POST", `/api/v1/contracts/${contract.id}/terminate`, {
      reason: "insolvency_filing",
      noticeArrivedOn: "2026-11-24",
    });
    expect(whole.json).toMatchObject({
      status: "terminated",
      terminatedOn: "2026-11-24",
      endReason: "insolvency_filing",
    });
  });

  it("publishing a terms version with under 14 days' notice is refused citing Art. 2", async () => {
    const bad = await admin.req("POST", "/api/v1/terms-versions", {
      number: "IS6-035-01-S",
      title: "改定",
      body: "…",
      announcedOn: "2026-11-24",
      effectiveOn: "2026-12-07",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.article).toBe("2");
    const ok = await admin.req("POST", "/api/v1/terms-versions", {
      number: "IS6-035-01-S",
      title: "改定",
      body: "…",
      announcedOn: "2026-11-24",
      effectiveOn: "2026-12-08",
    });
    expect(ok.status).toBe(201);
  });

  it("an abolition with under two months' notice is refused (Art. 24(2)); on its date contracts end (Art. 26(5))", async () => {
    const { contract } = await newContract("abolish@apply.example");
    const bad = await admin.req("POST", "/api/v1/abolitions", {
      title: "旧プラン廃止",
      body: "…",
      noticeOn: "2026-11-24",
      abolitionOn: "2027-01-23",
      contractIds: [contract.id],
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.article).toBe("24(2)");
    const ok = await admin.req("POST", "/api/v1/abolitions", {
      title: "旧プラン廃止",
      body: "…",
      noticeOn: "2026-11-24",
      abolitionOn: "2027-01-24",
      contractIds: [contract.id],
    });
    expect(ok.status).toBe(201);
    expect(await applyAbolitions(env, "2027-01-23")).toBe(0);
    expect(await applyAbolitions(env, "2027-01-24")).toBe(1);
    const c = (await op.req("GET", `/api/v1/contracts/${contract.id}`)).json;
    expect(c).toMatchObject({ status: "terminating", endKind: "abolition", endEffectiveOn: "2027-01-24" });
  });

  it("inquiries get a one-month deadline; overdue ones flag the contract eligible for stop (Art. 44)", async () => {
    const { contract } = await newContract("inquiry@apply.example");
    const r = await op.req("POST", `/api/v1/contracts/${contract.id}/inquiries`, {
      subject: "rootパスワードの確認",
      body: "ご確認ください",
      sentOn: "2026-10-31",
    });
    expect(r.json.deadline).toBe("2026-11-30");
    expect((await inquiryJobs(env, "2026-11-23")).reminded).toBe(1);
    expect((await inquiryJobs(env, "2026-12-01")).flagged).toBe(1);
    env.clock.advance(7 * 86_400_000); // today is now 2026-12-01 in Tokyo
    const later = await login(
      env.app,
      (await buildUser(env.db, { role: "operator" })).loginId,
      "correct horse battery staple 9",
    );
    const overdue = await later.req("GET", "/api/v1/inquiries?overdue=true");
    expect(
      overdue.json.items.some(
        (i: { contractId: string; eligibleForStop: boolean }) =>
          i.contractId === contract.id && i.eligibleForStop,
      ),
    ).toBe(true);
    expect((await later.req("GET", `/api/v1/contracts/${contract.id}`)).json.eligibleForStop).toBe(true);
  });
});
