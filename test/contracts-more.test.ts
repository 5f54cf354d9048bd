import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contractsSubjectTo } from "../src/contracts/store.ts";
import { totpCode } from "../src/identity/totp.ts";
import { applyTermsVersions } from "../src/terms/service.ts";
import { buildUser, type Client, login, PASSWORD, type TestEnv, testApp, webConsent } from "./helpers.ts";

let env: TestEnv;
let op: Client;
let admin: Client;
let n = 0;

const form = (email: string) => ({
  legalName: `株式会社その他${++n}`,
  corporateNumber: "7000012050002",
  address: "東京都港区1-1-1",
  billingContact: { name: "経理", email: `b${n}@more.example`, phone: "03-0000-0000" },
  representatives: [{ name: "代表", email: `r${n}@more.example`, phone: "03-0000-0001" }],
  plan: "basic",
  options: [],
  servers: [{ hostname: `srv${n}.more.example`, provider: "gcp" }],
  applicantEmail: email,
});

beforeAll(async () => {
  env = await testApp();
  op = await login(env.app, (await buildUser(env.db, { role: "operator" })).loginId, PASSWORD);
  const a = await buildUser(env.db, { role: "admin" });
  await env.db
    .updateTable("users")
    .set({ totp_enabled: true, totp_secret: "JBSWY3DPEHPK3PXP" })
    .where("id", "=", a.id)
    .execute();
  admin = await login(env.app, a.loginId, a.password, totpCode("JBSWY3DPEHPK3PXP", env.clock.now()));
});
afterAll(async () => {
  await env?.close();
});

/** A contract and a logged-in customer-admin of it. */
async function contractWithCustomer(channel: "web" | "paper" = "web", receivedOn?: string) {
  const email = `cust${++n}@more.example`;
  if (channel === "web")
    await env.app.inject({
      method: "POST",
      url: "/api/v1/applications",
      payload: { ...form(email), consent: await webConsent(env.app) },
      remoteAddress: `192.0.2.${n % 250}`,
    });
  else await op.req("POST", "/api/v1/applications/paper", { ...form(email), channel, receivedOn });
  const app = (await op.req("GET", "/api/v1/applications?status=applied")).json.items.find(
    (a: { applicantEmail: string }) => a.applicantEmail === email,
  );
  const accepted = (await op.req("POST", `/api/v1/applications/${app.id}/accept`)).json;
  const c = await login(env.app, accepted.portalUser.loginId, accepted.initialPassword);
  await c.req("POST", "/api/v1/me/password", {
    currentPassword: accepted.initialPassword,
    newPassword: "customer passphrase long",
  });
  return { contract: accepted.contract, customerId: accepted.customerId as string, c };
}

describe("cooling-off cancellation (Art. 42)", () => {
  it("a web contract is cancelled at once with its charges void; a paper one cannot", async () => {
    const { contract, c } = await contractWithCustomer("web");
    const r = await c.req("POST", `/api/v1/contracts/${contract.id}/cooling-off`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      status: "terminated",
      endKind: "cooling_off",
      chargesVoid: true,
      terminatedOn: "2026-11-24",
    });
    const paper = await contractWithCustomer("paper", "2026-11-20");
    const refused = await paper.c.req("POST", `/api/v1/contracts/${paper.contract.id}/cooling-off`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.article).toBe("42");
  });
});

describe("paper cancellation with its real receipt date (Art. 26)", () => {
  it("records the receipt date and the named later month; refuses future or impossible dates", async () => {
    const { contract } = await contractWithCustomer("paper", "2026-11-02");
    const r = await op.req("POST", `/api/v1/contracts/${contract.id}/paper-cancellation`, {
      receivedOn: "2026-11-24",
      month: "2027-02",
    });
    expect(r.json.contract).toMatchObject({
      status: "terminating",
      cancellationReceivedOn: "2026-11-24",
      endEffectiveOn: "2027-02-28",
    });
    expect(r.json.basis.map((b: { article: string }) => b.article)).toContain("26(3)");
    const again = await op.req("POST", `/api/v1/contracts/${contract.id}/paper-cancellation`, {
      receivedOn: "2026-11-24",
    });
    expect(again.status).toBe(409); // already terminating
    expect(again.json.error.article).toBe("26");
    const other = await contractWithCustomer("paper", "2026-11-02");
    expect(
      (
        await op.req("POST", `/api/v1/contracts/${other.contract.id}/paper-cancellation`, {
          receivedOn: "2026-12-24",
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await op.req("POST", `/api/v1/contracts/${other.contract.id}/paper-cancellation`, {
          receivedOn: "2026-02-30",
        })
      ).status,
    ).toBe(400);
  });
});

describe("customer data changes stay pending until confirmed (Art. 20(4))", () => {
  it("the old data is used until staff confirm; refusal keeps it", async () => {
    const { customerId, c } = await contractWithCustomer();
    const before = (await c.req("GET", `/api/v1/customers/${customerId}`)).json.legalName;
    const req = await c.req("POST", "/api/v1/customer-changes", { legalName: "株式会社新社名" });
    expect(req.status).toBe(201);
    expect((await c.req("GET", `/api/v1/customers/${customerId}`)).json.legalName).toBe(before);
    const pending = (await op.req("GET", "/api/v1/customer-changes?status=pending")).json.items.find(
      (x: { customerId: string }) => x.customerId === customerId,
    );
    expect((await op.req("POST", `/api/v1/customer-changes/${pending.id}/confirm`, {})).status).toBe(204);
    expect((await c.req("GET", `/api/v1/customers/${customerId}`)).json.legalName).toBe("株式会社新社名");
    expect((await op.req("POST", `/api/v1/customer-changes/${pending.id}/refuse`, {})).status).toBe(409);
    expect((await c.req("POST", "/api/v1/customer-changes", {})).status).toBe(400);
  });
});

describe("succession (Art. 18) and emergency stop (Art. 22)", () => {
  it("moves the contract to the successor with history kept", async () => {
    const { contract, customerId } = await contractWithCustomer();
    const r = await admin.req("POST", `/api/v1/contracts/${contract.id}/succession`, {
      legalName: "株式会社承継先",
      corporateNumber: "1010001000006",
      acceptanceCheckPassed: true,
    });
    expect(r.status).toBe(200);
    const c = (await op.req("GET", `/api/v1/contracts/${contract.id}`)).json;
    const ev = c.timeline.find((e: { type: string }) => e.type === "succession");
    expect(ev).toMatchObject({ article: "18" });
    expect(ev.details.from.legalName).toMatch(/株式会社その他/);
    expect((await op.req("GET", `/api/v1/customers/${customerId}`)).json.legalName).toBe("株式会社承継先");
    expect(
      (
        await admin.req("POST", `/api/v1/contracts/${contract.id}/succession`, {
          legalName: "x",
          corporateNumber: "8000012050002",
          acceptanceCheckPassed: true,
        })
      ).json.error.article,
    ).toBe("15");
  });

  it("staff record an emergency stop; a customer cannot request one (Art. 22(3))", async () => {
    const { contract, c } = await contractWithCustomer();
    expect(
      (await c.req("POST", `/api/v1/contracts/${contract.id}/emergency-stop`, { note: "please stop" }))
        .status,
    ).toBe(403);
    expect(
      (
        await op.req("POST", `/api/v1/contracts/${contract.id}/emergency-stop`, {
          note: "高負荷による緊急停止",
        })
      ).status,
    ).toBe(200);
    const t = (await op.req("GET", `/api/v1/contracts/${contract.id}`)).json.timeline;
    expect(t.at(-1)).toMatchObject({ type: "emergency_stop", article: "22(1)" });
  });
});

describe("terms versions take effect (Art. 2)", () => {
  it("the job applies a version on its effective date to live contracts; history kept", async () => {
    const { contract, c } = await contractWithCustomer();
    const v = await admin.req("POST", "/api/v1/terms-versions", {
      number: "IS6-035-02-S",
      title: "第2版",
      body: "…",
      announcedOn: "2026-11-24",
      effectiveOn: "2026-12-10",
    });
    expect(v.status).toBe(201);
    expect(await applyTermsVersions(env, "2026-12-09", contractsSubjectTo)).toBe(0);
    expect(await applyTermsVersions(env, "2026-12-10", contractsSubjectTo)).toBeGreaterThanOrEqual(1);
    expect(await applyTermsVersions(env, "2026-12-10", contractsSubjectTo)).toBe(0);
    const got = (await c.req("GET", `/api/v1/contracts/${contract.id}`)).json;
    expect(got.termsHistory.map((h: { number: string }) => h.number)).toContain("IS6-035-02-S");
    const inbox = (await c.req("GET", "/api/v1/notices")).json.items;
    expect(inbox.some((i: { topic: string }) => i.topic === "terms.change")).toBe(true);
  });
});

describe("tenancy of contracts", () => {
  it("a customer cannot see, preview, cancel or answer for another company's contract", async () => {
    const a = await contractWithCustomer();
    const b = await contractWithCustomer();
    expect((await a.c.req("GET", `/api/v1/contracts/${b.contract.id}`)).status).toBe(404);
    expect((await a.c.req("GET", `/api/v1/contracts/${b.contract.id}/what-if`)).status).toBe(404);
    expect((await a.c.req("POST", `/api/v1/contracts/${b.contract.id}/cancellation`, {})).status).toBe(404);
    expect((await a.c.req("GET", "/api/v1/contracts")).json.items.map((x: { id: string }) => x.id)).toEqual([
      a.contract.id,
    ]);
    // Naming another company's id changes nothing for a customer: still only its own.
    expect((await a.c.req("GET", `/api/v1/contracts?customerId=${b.customerId}`)).json.items).toEqual([]);
    // Staff list one customer's contracts (the customer page).
    const one = (await op.req("GET", `/api/v1/contracts?customerId=${b.customerId}`)).json.items;
    expect(one.map((x: { id: string }) => x.id)).toEqual([b.contract.id]);
    expect((await op.req("GET", "/api/v1/contracts?customerId=not-a-uuid")).status).toBe(400);
    // Each row names its customer; staff search by part of the number or of the customer's name.
    const bName = (await op.req("GET", `/api/v1/customers/${b.customerId}`)).json.legalName as string;
    expect(one[0].customerName).toBe(bName);
    const byName = (await op.req("GET", `/api/v1/contracts?q=${encodeURIComponent(bName.slice(2))}`)).json
      .items;
    expect(byName.map((x: { id: string }) => x.id)).toEqual([b.contract.id]);
    const byNumber = (
      await op.req("GET", `/api/v1/contracts?q=${encodeURIComponent(b.contract.number.slice(-4))}`)
    ).json.items;
    expect(byNumber.map((x: { id: string }) => x.id)).toContain(b.contract.id);
    expect((await op.req("GET", "/api/v1/contracts?q=%25%25")).json.items).toEqual([]);
    // A customer's search stays within its own contracts.
    expect(
      (await a.c.req("GET", `/api/v1/contracts?q=${encodeURIComponent(b.contract.number)}`)).json.items,
    ).toEqual([]);
    const inq = await op.req("POST", `/api/v1/contracts/${b.contract.id}/inquiries`, {
      subject: "確認",
      body: "…",
    });
    expect(
      (await a.c.req("POST", `/api/v1/inquiries/${inq.json.id}/answer`, { answer: "hijack" })).status,
    ).toBe(404);
    expect(
      (await b.c.req("POST", `/api/v1/inquiries/${inq.json.id}/answer`, { answer: "回答します" })).status,
    ).toBe(204);
    // The inquiries list narrowed by answer and by subject; the other company's search finds nothing of b's.
    const second = await op.req("POST", `/api/v1/contracts/${b.contract.id}/inquiries`, {
      subject: "サーバ増設のご相談",
      body: "…",
    });
    const ids = async (c: typeof op, query: string) =>
      (await c.req("GET", `/api/v1/inquiries?${query}`)).json.items.map((x: { id: string }) => x.id);
    expect(await ids(b.c, "answered=true")).toEqual([inq.json.id]);
    expect(await ids(b.c, "answered=false")).toEqual([second.json.id]);
    expect(await ids(b.c, `q=${encodeURIComponent("増設")}`)).toEqual([second.json.id]);
    expect(await ids(a.c, `q=${encodeURIComponent("増設")}`)).toEqual([]);
    expect((await op.req("GET", "/api/v1/inquiries?answered=maybe")).status).toBe(400);
    const notices = (await a.c.req("GET", "/api/v1/notices")).json.items;
    expect(notices.every((x: { subject: string }) => !x.subject.includes(b.contract.number))).toBe(true);
    const bNotice = (await b.c.req("GET", "/api/v1/notices")).json.items[0].noticeId;
    expect((await a.c.req("POST", `/api/v1/notices/${bNotice}/acknowledge`)).status).toBe(404);
    expect((await b.c.req("POST", `/api/v1/notices/${bNotice}/acknowledge`)).status).toBe(204);
  });
});
