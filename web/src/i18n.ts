import { createContext, useContext } from "react";

/** UI strings, Japanese first (GLOSSARY.md terms), English second. */
const ja = {
  appName: "Unyo 運用",
  "login.title": "ログイン",
  "login.loginId": "ユーザーID",
  "login.password": "パスワード",
  "login.totp": "認証コード(6桁)",
  "login.submit": "ログイン",
  "login.forgot": "パスワードを忘れた場合は、当社の指定する窓口へお問い合わせください(第35条第17項)。",
  "login.failed": "ユーザーIDまたはパスワードが正しくありません。",
  logout: "ログアウト",
  "nav.console": "運用コンソール",
  "nav.portal": "契約者ポータル",
  "nav.home": "ホーム",
  "nav.customers": "契約者",
  "nav.company": "自社情報",
  "nav.sessions": "セッション",
  "nav.account": "アカウント",
  "home.staffWelcome": "運用コンソールへようこそ",
  "home.customerWelcome": "契約者ポータルへようこそ",
  "home.role": "権限",
  "demo.banner": "デモアカウントでログインしています(デモモード専用)",
  "password.title": "パスワードの変更",
  "password.initialNotice": "発行された初期パスワードを変更してください(第10条)。",
  "password.current": "現在のパスワード",
  "password.new": "新しいパスワード(12文字以上)",
  "password.submit": "変更する",
  "password.done": "パスワードを変更しました。",
  "totp.title": "二要素認証の設定",
  "totp.required":
    "管理者は二要素認証(TOTP)の設定が必須です。認証アプリに下記の秘密鍵を登録し、表示されたコードを入力してください。",
  "totp.secret": "秘密鍵",
  "totp.code": "認証コード",
  "totp.start": "設定を開始",
  "totp.confirm": "確認",
  "sessions.title": "ログイン中のセッション",
  "sessions.current": "このセッション",
  "sessions.end": "終了",
  "sessions.lastSeen": "最終操作",
  "customers.title": "契約者一覧",
  "customers.legalName": "法人名",
  "customers.corporateNumber": "法人番号",
  "company.title": "自社情報",
  "notFound.title": "ページが見つかりません",
  "notFound.back": "ホームへ戻る",
  language: "Language",
  loading: "読み込み中…",
  error: "エラー",
} as const;

export type MessageKey = keyof typeof ja;

const en: Record<MessageKey, string> = {
  appName: "Unyo",
  "login.title": "Log in",
  "login.loginId": "User ID",
  "login.password": "Password",
  "login.totp": "Authenticator code (6 digits)",
  "login.submit": "Log in",
  "login.forgot": "Forgot your password? Contact the provider through the designated channel (Art. 35(17)).",
  "login.failed": "The user ID or password is incorrect.",
  logout: "Log out",
  "nav.console": "Operator console",
  "nav.portal": "Customer portal",
  "nav.home": "Home",
  "nav.customers": "Customers",
  "nav.company": "Company",
  "nav.sessions": "Sessions",
  "nav.account": "Account",
  "home.staffWelcome": "Welcome to the operator console",
  "home.customerWelcome": "Welcome to the customer portal",
  "home.role": "Role",
  "demo.banner": "You are signed in with a demo account (demo mode only)",
  "password.title": "Change password",
  "password.initialNotice": "Change the initial password you were issued (Art. 10).",
  "password.current": "Current password",
  "password.new": "New password (12 characters or more)",
  "password.submit": "Change",
  "password.done": "Your password has been changed.",
  "totp.title": "Two-factor authentication",
  "totp.required":
    "Administrators must set up two-factor authentication (TOTP). Add the secret below to your authenticator app and enter the code it shows.",
  "totp.secret": "Secret",
  "totp.code": "Code",
  "totp.start": "Start set-up",
  "totp.confirm": "Confirm",
  "sessions.title": "Active sessions",
  "sessions.current": "this session",
  "sessions.end": "End",
  "sessions.lastSeen": "Last activity",
  "customers.title": "Customers",
  "customers.legalName": "Legal name",
  "customers.corporateNumber": "Corporate number",
  "company.title": "Company",
  "notFound.title": "Page not found",
  "notFound.back": "Back to home",
  language: "言語",
  loading: "Loading…",
  error: "Error",
};

export type Lang = "ja" | "en";
export const messages: Record<Lang, Record<MessageKey, string>> = { ja, en };

export const LangContext = createContext<{ lang: Lang; setLang: (l: Lang) => void }>({
  lang: "ja",
  setLang: () => {},
});

export function useT() {
  const { lang } = useContext(LangContext);
  return (key: MessageKey) => messages[lang][key];
}

export function initialLang(): Lang {
  const saved = localStorage.getItem("unyo.lang");
  return saved === "en" || saved === "ja" ? saved : "ja";
}
