/**
 * Issuing an invoice tells the customer (Art. 31(1)): a notice per invoice, e-mailed through the
 * outbox to the company's active portal users, with the amount, the due date it states (Art. 31(3))
 * and the link to the invoice and its PDF; written in the issuing transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../src/audit/service.ts";
import { issueMonth } from "../src/billing/issue.ts";
import { INVOICE_ISSUED_TOPIC } from "../src/billing/issue-notices.ts";
import { runBilling } from "../src/billing/runs.ts";
import { fixedClock, systemClock } from "../src/core/clock.ts";
import { loadConfig } from "../src/core/config.ts";
import { createTransport, deliverDue } from "../src/notices/delivery.ts";
import { buildContract, buildCustomer, buildUser, testDatabase, testQueue } from "./helpers.ts";
import { smtpCatcher } from "./smtp.ts";

type Handle = Awaited<ReturnType<typeof testDatabase>>;
let h: Handle;
let jobs: ReturnType<typeof testQueue>;
beforeAll(async () => {
  h = await testDatabase();
  jobs = testQueue(h.db, h.url, systemClock, loadConfig({}));
  await jobs.start();
});
afterAll(async () => {
  await jobs?.stop();
  await h?.drop();
});

/** The text of a single-part message as nodemailer sends it (base64 or quoted-printable). */
function bodyOf(raw: string): string {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join("\n");
  if (/^Content-Transfer-Encoding: base64/im.test(head ?? ""))
    return Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  if (/^Content-Transfer-Encoding: quoted-printable/im.test(head ?? ""))
    return Buffer.from(
      body
        .replace(/=\r?\n/g, "")
        .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
      "latin1",
    ).toString("utf8");
  return body;
}

describe("an issued invoice is announced to the customer", () => {
  it("e-mails each active portal user the number, amount, due date and link; a company without users gets the notice only", async () => {
    const customer = await buildCustomer(h.db);
    const a = await buildUser(h.db, { role: "customer-admin", customerId: customer });
    const b = await buildUser(h.db, { role: "customer-member", customerId: customer });
    const gone = await buildUser(h.db, { role: "customer-member", customerId: customer });
    await h.db.updateTable("users").set({ disabled_at: new Date() }).where("id", "=", gone.id).execute();
    const contract = await buildContract(h.db, { customerId: customer, start: "2026-09-01", plan: "basic" });
    const silent = await buildContract(h.db, { start: "2026-09-01", plan: "basic" });
    await runBilling({ db: h.db, clock: fixedClock(new Date("2026-10-31T01:00:00Z")) }, "2026-10");

    const issued = await issueMonth(
      {
        db: h.db,
        clock: fixedClock(new Date("2026-11-01T01:00:00Z")),
        queue: jobs,
        config: { publicUrl: "https://unyo.example.jp/" },
      },
      systemActor,
      "2026-10",
    );
    expect(issued).toBeGreaterThanOrEqual(2);
    const invoices = await h.db
      .selectFrom("invoices")
      .select(["id", "number", "total", "due_date", "contract_id"])
      .where("contract_id", "in", [contract.id, silent.id])
      .where("status", "=", "issued")
      .execute();
    expect(invoices).toHaveLength(2);
    const mine = invoices.find((i) => i.contract_id === contract.id)!;

    const notices = await h.db
      .selectFrom("notices")
      .selectAll()
      .where("topic", "=", INVOICE_ISSUED_TOPIC)
      .where("contract_id", "in", [contract.id, silent.id])
      .execute();
    expect(notices).toHaveLength(2);
    const notice = notices.find((n) => n.contract_id === contract.id)!;
    expect(notice.article).toBe("31(1)");
    expect(notice.subject).toBe(`請求書 ${mine.number} を発行しました(2026-10 分)`);
    expect(notice.body).toContain(`請求金額(税込): ${mine.total.toLocaleString("ja-JP")}円`);
    expect(notice.body).toContain(`お支払期日: ${mine.due_date}(第31条第3項)`);
    expect(notice.body).toContain(`https://unyo.example.jp/portal/invoices/${mine.id}`);
    expect(notice.body).toContain(`https://unyo.example.jp/api/v1/invoices/${mine.id}/pdf`);
    const deliveries = await h.db
      .selectFrom("notice_deliveries")
      .select(["email", "notice_id"])
      .where(
        "notice_id",
        "in",
        notices.map((n) => n.id),
      )
      .execute();
    // The two active users of the company; not the disabled one; none for the company without users.
    expect(deliveries.map((d) => d.email).sort()).toEqual(
      [`${a.loginId}@example.test`, `${b.loginId}@example.test`].sort(),
    );
    expect(deliveries.every((d) => d.notice_id === notice.id)).toBe(true);

    // The outbox sends them over real SMTP.
    const smtp = await smtpCatcher();
    const config = loadConfig({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port) });
    const transport = createTransport(config);
    await deliverDue(h.db, transport, config, new Date());
    transport.close();
    const mails = smtp.received.filter((m) => m.to.startsWith(a.loginId) || m.to.startsWith(b.loginId));
    expect(mails).toHaveLength(2);
    for (const mail of mails) {
      const text = bodyOf(mail.raw);
      expect(text).toContain(`請求書 ${mine.number} を発行しました`);
      expect(text).toContain(`https://unyo.example.jp/portal/invoices/${mine.id}`);
    }
    await smtp.close();

    // Issuing again issues nothing and announces nothing twice.
    expect(
      await issueMonth(
        { db: h.db, clock: fixedClock(new Date("2026-11-02T01:00:00Z")), queue: jobs },
        systemActor,
        "2026-10",
      ),
    ).toBe(0);
    const again = await h.db
      .selectFrom("notices")
      .select("id")
      .where("topic", "=", INVOICE_ISSUED_TOPIC)
      .where("contract_id", "=", contract.id)
      .execute();
    expect(again).toHaveLength(1);
  });
});
