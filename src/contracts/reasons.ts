/**
 * The coded reasons of the terms, each with its article and the words of the terms: rejection of an
 * application (Art. 17), suspension (Art. 21), termination by the provider (Art. 25). Pure data.
 */
/** 申込の拒絶 (Art. 17(1)): reasons recorded internally; nothing is sent to the applicant (Art. 17(2)). */
export const REJECTION_REASONS = {
  risk_of_default: { article: "17(1)", text: "料金等の支払を怠るおそれがある (risk of default)" },
  suspension_reason: {
    article: "17(1)",
    text: "第21条の停止事由に該当する (a suspension reason of Art. 21)",
  },
  false_statement: { article: "17(1)", text: "申込に虚偽の記載がある (false statements)" },
  other: { article: "17(1)", text: "その他業務の遂行上支障がある (other)" },
} as const;
export type RejectionReason = keyof typeof REJECTION_REASONS;

/** 提供の停止 (Art. 21(1)): one code per item, in the order of the terms. */
export const SUSPENSION_REASONS = {
  unpaid_fees: {
    article: "21(1)(1)",
    text: "料金等を支払期日を経過しても支払わない (unpaid fees past the due date)",
  },
  direct_debit_failed: {
    article: "21(1)(2)",
    text: "指定口座から引き落としができない (failed direct debit)",
  },
  illegal_use: { article: "21(1)(3)", text: "法令又は公序良俗に反する利用 (illegal use)" },
  harmful_content: { article: "21(1)(4)", text: "風俗・アダルト等の有害な情報 (harmful content)" },
  infringement: { article: "21(1)(5)", text: "著作権・財産・プライバシーの侵害 (infringement)" },
  defamation: { article: "21(1)(6)", text: "誹謗中傷 (defamation)" },
  false_application: { article: "21(1)(7)", text: "申込用紙の虚偽記載 (false application)" },
  security_hole: {
    article: "21(1)(8)",
    text: "セキュリティホール等により他者に危険を及ぼす (a security hole endangering others)",
  },
  unsuitable: { article: "21(1)(9)", text: "その他契約者として不適当 (otherwise unsuitable)" },
  unauthorised_access: {
    article: "21(1)(10)",
    text: "運用支援システムへの許可されない通信方法 (unauthorised protocol access)",
  },
  interception: { article: "21(1)(11)", text: "他契約者のサーバ・通信の傍受等 (interception)" },
  cloud_prohibited: {
    article: "21(1)(12)",
    text: "各種クラウドサービスの禁止事項 (cloud-provider prohibited acts)",
  },
} as const;
export type SuspensionReason = keyof typeof SUSPENSION_REASONS;

/** 当社が行う利用契約の解除 (Art. 25): after an uncured suspension, at once, or the twelve reasons of 25(3). */
export const TERMINATION_REASONS = {
  suspension_not_cured: { article: "25(1)", text: "停止の原因が解消されない (suspension not cured)" },
  suspension_harms_business: {
    article: "25(2)",
    text: "停止事由が当社の業務に支障を及ぼす (a suspension reason harming the business)",
  },
  breach_not_cured: { article: "25(3)(1)", text: "催告後も約款違反が是正されない" },
  no_prospect_of_performance: { article: "25(3)(2)", text: "履行の見込みがない" },
  serious_damage: { article: "25(3)(3)", text: "重大な損害・危害" },
  licence_revoked: { article: "25(3)(4)", text: "監督官庁による営業取消・停止" },
  attachment: { article: "25(3)(5)", text: "差押・仮差押・仮処分・強制執行・競売" },
  tax_delinquency: { article: "25(3)(6)", text: "公租公課の滞納処分" },
  dishonoured_bills: { article: "25(3)(7)", text: "手形・小切手の不渡り" },
  insolvency_filing: { article: "25(3)(8)", text: "法的倒産手続の申立て" },
  payment_stop: { article: "25(3)(9)", text: "支払停止・支払不能" },
  merger_dissolution: { article: "25(3)(10)", text: "合併・解散・営業譲渡" },
  deteriorated_finances: { article: "25(3)(11)", text: "財産状態の著しい悪化" },
  similar: { article: "25(3)(12)", text: "その他前各号に準ずる事由" },
} as const;
export type TerminationReason = keyof typeof TERMINATION_REASONS;
