/**
 * The privacy notice an applicant consents to (how the personal information of the contacts named in
 * an application and in the contract is handled, Art. 35(11)); its version is the one the server
 * records with the consent.
 */
import { useContext } from "react";
import { PRIVACY_NOTICE_VERSION } from "../../../src/core/privacy.ts";
import { LangContext, useT } from "../i18n.ts";
import { LanguageSwitch, Link } from "../ui.tsx";

const TEXT = {
  ja: [
    [
      "取得する情報",
      "申込用紙と契約中のご連絡で、法人の担当者・代表者・請求先の氏名、メールアドレス、電話番号、ポータル利用者のログインIDをお預かりします。",
    ],
    [
      "利用目的",
      "申込みの審査と承諾のご連絡、契約の履行(監視・障害対応・設定変更作業・問合せ対応)、請求とお支払いの確認、約款に定める通知のために利用します。",
    ],
    [
      "第三者への提供",
      "法令に基づく場合を除き、ご本人の同意なく第三者に提供しません。業務の一部を委託する場合は、当社が承認した委託先に限り、同等の義務を課します(第35条第12項・第13項、第41条)。",
    ],
    [
      "安全管理",
      "通信の暗号化、権限ごとのアクセス制限、操作の監査記録により管理します。漏えい等が生じた場合は直ちにお知らせします(第35条第11項)。",
    ],
    [
      "開示・訂正・削除",
      "ご本人からの開示、訂正、利用停止、削除のご請求には、本人確認のうえ遅滞なく対応します。契約終了後は約款に定める期間の経過後に削除します。",
    ],
  ],
  en: [
    [
      "What we collect",
      "From the application form and the contract's correspondence: the names, e-mail addresses and telephone numbers of the company's contacts, representatives and billing contact, and the portal users' login IDs.",
    ],
    [
      "Why",
      "To review and answer the application, to deliver the service (monitoring, incident response, configuration work, inquiries), to bill and confirm payments, and to send the notices the terms provide for.",
    ],
    [
      "Sharing",
      "Never given to third parties without consent unless the law requires it. Work entrusted to subcontractors goes only to subcontractors we approved, bound by the same duties (Art. 35(12), 35(13), 41).",
    ],
    [
      "Safeguards",
      "Encrypted connections, access limited by role, and an audit record of every action. A leak is reported at once (Art. 35(11)).",
    ],
    [
      "Access, correction, deletion",
      "Requests to see, correct, stop using or delete one's information are answered without delay once the person is identified. After the contract ends the information is deleted when the period the terms set has passed.",
    ],
  ],
} as const;

export function PrivacyPage() {
  const t = useT();
  const { lang } = useContext(LangContext);
  return (
    <main className="login wide">
      <header className="login-header">
        <Link to="/apply">{t("terms.toApply")}</Link>
        <LanguageSwitch />
      </header>
      <article className="card" aria-labelledby="privacy-title">
        <h1 id="privacy-title">{t("privacy.title")}</h1>
        <p className="hint">
          {t("privacy.version")}: <span data-value>{PRIVACY_NOTICE_VERSION}</span>
        </p>
        {TEXT[lang].map(([title, body]) => (
          <section key={title}>
            <h2>{title}</h2>
            <p>{body}</p>
          </section>
        ))}
      </article>
    </main>
  );
}
