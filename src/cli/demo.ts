/**
 * Demo data, loaded on the first start in demo mode (or by `unyo seed`). Every demo account is
 * marked `is_demo`; demo accounts cannot log in when Unyo runs with demo mode off (UNYO_DEMO=0).
 */
import { appendAudit, systemActor } from "../audit/service.ts";
import { insertContract } from "../contracts/store.ts";
import { addMonthsToMonth, monthOf, tokyoDate } from "../core/dates.ts";
import { insertCustomer } from "../customers/store.ts";
import type { Db } from "../db/db.ts";
import type { Role } from "../identity/rules.ts";
import { demoSeeded } from "../identity/store.ts";
import { createUser } from "../identity/users.ts";
import { insertVersion, subject } from "../terms/store.ts";

export { DEMO_PASSWORD } from "../identity/rules.ts";

import { DEMO_PASSWORD } from "../identity/rules.ts";

export interface DemoLogin {
  loginId: string;
  role: Role;
  customer?: string;
  note?: string;
}

export const DEMO_LOGINS: DemoLogin[] = [
  { loginId: "admin", role: "admin", note: "two-factor enrolment at first log-in" },
  { loginId: "operator", role: "operator" },
  { loginId: "engineer", role: "engineer" },
  { loginId: "billing", role: "billing" },
  { loginId: "sample-admin", role: "customer-admin", customer: "株式会社サンプル商事" },
  { loginId: "sample-member", role: "customer-member", customer: "株式会社サンプル商事" },
  { loginId: "tesuto-admin", role: "customer-admin", customer: "合同会社テスト工業" },
];

const COMPANIES = [
  {
    legalName: "株式会社サンプル商事",
    corporateNumber: "1010001000006",
    address: "東京都港区芝公園4-2-8",
    plan: "standard",
    options: ["backup", "patching"],
  },
  {
    legalName: "合同会社テスト工業",
    corporateNumber: "2010001000005",
    address: "大阪府大阪市北区梅田1-1-1",
    plan: "basic",
    options: ["backup"],
  },
];

const NAMES: Record<string, string> = {
  admin: "管理者 太郎",
  operator: "運用 花子",
  engineer: "技術 次郎",
  billing: "経理 三郎",
  "sample-admin": "佐藤 一郎",
  "sample-member": "鈴木 二郎",
  "tesuto-admin": "田中 三子",
};

const DEMO_TERMS = `運用支援サービス契約約款(デモ用)

これはデモ環境のための約款です。実際の契約には、提供者が公表する約款が適用されます。

第1条(約款の適用) 本約款は、提供者が提供する運用支援サービスの利用に関する一切の関係に適用します。
第2条(約款の変更) 提供者は、変更後の約款の内容と効力発生日を14日前までに通知して、本約款を変更できます。
第15条(利用申込) 申込者は、申込用紙に必要事項を記入して提出します。
第16条(利用契約の成立) 利用契約は、提供者が承諾の通知をした時に成立します。
第29条(料金) 料金は、料金表に定める初期費用、月間費用、月間利用費、年間費用及びその他費用とします。
第42条(クーリングオフ) ウェブでの申込みは、受付日から8日間、書面によらず撤回できます。
`;

/** Load the demo data once; returns false when it is already there. */
export async function seedDemo(db: Db, now = new Date()): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    if (await demoSeeded(tx)) return false;
    const customerIds = new Map<string, string>();
    // The terms in force since before the demo contracts started (announced 14 days ahead, Art. 2).
    const termsFrom = `${addMonthsToMonth(monthOf(tokyoDate(now)), -4)}-01`;
    const terms = await insertVersion(tx, {
      number: "DEMO-1",
      title: "運用支援サービス契約約款(デモ)",
      body: DEMO_TERMS,
      announced_on: `${addMonthsToMonth(monthOf(termsFrom), -1)}-01`,
      effective_on: termsFrom,
      created_by: null,
    });
    for (const c of COMPANIES) {
      const row = await insertCustomer(tx, {
        legal_name: c.legalName,
        corporate_number: c.corporateNumber,
        address: c.address,
        is_demo: true,
      });
      customerIds.set(c.legalName, row.id);
      // A contract started on the 1st of the month three months ago, so that billing has history.
      const start = `${addMonthsToMonth(monthOf(tokyoDate(now)), -3)}-01`;
      const contract = await insertContract(tx, {
        number: `C-DEMO-${String(customerIds.size).padStart(4, "0")}`,
        customer_id: row.id,
        status: "active",
        plan: c.plan,
        options: c.options,
        servers: JSON.stringify([
          { hostname: `web1.${customerIds.size}.demo.invalid`, provider: "aws", os: "Ubuntu 24.04" },
        ]),
        channel: "paper",
        applied_on: start,
        start_date: start,
      });
      await subject(tx, {
        contract_id: contract.id,
        customer_id: row.id,
        terms_version_id: terms.id,
        since: start,
      });
      await appendAudit(tx, {
        actor: systemActor,
        action: "customer.create",
        subjectType: "customer",
        subjectId: row.id,
        customerId: row.id,
        after: { legalName: c.legalName, corporateNumber: c.corporateNumber, demo: true },
        at: now,
      });
    }
    for (const login of DEMO_LOGINS) {
      const customerId = login.customer ? customerIds.get(login.customer)! : null;
      await createUser(
        tx,
        systemActor,
        {
          kind: customerId ? "customer" : "staff",
          customerId,
          loginId: login.loginId,
          email: `${login.loginId}@demo.unyo.invalid`,
          displayName: NAMES[login.loginId] ?? login.loginId,
          role: login.role,
          password: DEMO_PASSWORD,
          isDemo: true,
        },
        now,
      );
    }
    return true;
  });
}
