import { QueryClientProvider } from "@tanstack/react-query";
import {
  type ComponentType,
  createContext,
  type FormEvent,
  lazy,
  type ReactNode,
  Suspense,
  useCallback,
  useContext,
  useEffect,
  useState,
} from "react";
import { Route, Switch } from "wouter";
import { CompanyPage, PasswordPage, SessionsPage, TotpPage } from "./account.tsx";
import { ApiFailure, api, type Me, setCsrf } from "./api.ts";
import { type InstanceClock, setInstanceClock } from "./clock.ts";
import { ConsoleHome, PortalHome } from "./home.tsx";
import {
  formatLang,
  initialLang,
  type Lang,
  LangContext,
  loadLanguage,
  type MessageKey,
  preloadEnglish,
  useT,
} from "./i18n.ts";
import { useLabels } from "./labels.ts";
import { navigate, usePath } from "./router.ts";
import { ErrorBox, errorText, Field, LanguageSwitch, Link, queryClient } from "./ui.tsx";

// Pages load on first visit (their own chunks): the shell and the home are what every visit needs.
// biome-ignore lint/suspicious/noExplicitAny: a page's props are its own; React.lazy keeps them
function lazyPage<M extends Record<K, ComponentType<any>>, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
) {
  return lazy(async () => ({ default: (await load())[name] }));
}
const ApplyPage = lazyPage(() => import("./public/apply.tsx"), "ApplyPage");
const BillingPage = lazyPage(() => import("./console/billing.tsx"), "BillingPage");
const InvoicePage = lazyPage(() => import("./billing/invoice.tsx"), "InvoicePage");
const MyInvoicesPage = lazyPage(() => import("./portal/invoices.tsx"), "MyInvoicesPage");
const PaymentsPage = lazyPage(() => import("./console/payments.tsx"), "PaymentsPage");
const PriceBookPage = lazyPage(() => import("./console/price-book.tsx"), "PriceBookPage");
const ChangeQueuePage = lazyPage(() => import("./console/contract-changes.tsx"), "ChangeQueuePage");
const ApplicationsPage = lazyPage(() => import("./console/applications.tsx"), "ApplicationsPage");
const ContractPage = lazyPage(() => import("./shared/contract.tsx"), "ContractPage");
const ContractsPage = lazyPage(() => import("./shared/contracts.tsx"), "ContractsPage");
const ChangesPage = lazyPage(() => import("./shared/changes.tsx"), "ChangesPage");
const InquiriesPage = lazyPage(() => import("./shared/inquiries.tsx"), "InquiriesPage");
const TermsPage = lazyPage(() => import("./console/terms.tsx"), "TermsPage");
const InboxPage = lazyPage(() => import("./portal/notices.tsx"), "InboxPage");
const StaffNoticesPage = lazyPage(() => import("./console/notices.tsx"), "StaffNoticesPage");
const CustomerPage = lazyPage(() => import("./console/customer.tsx"), "CustomerPage");
const CustomersPage = lazyPage(() => import("./console/customers.tsx"), "CustomersPage");
const terms = () => import("./public/terms.tsx");
const TermsTextPage = lazyPage(terms, "TermsTextPage");
const TermsVersionsPage = lazyPage(terms, "TermsVersionsPage");
const PrivacyPage = lazyPage(() => import("./public/privacy.tsx"), "PrivacyPage");
const CompanyUsers = lazyPage(() => import("./shared/company-users.tsx"), "CompanyUsers");
const ServersPage = lazyPage(() => import("./console/servers.tsx"), "ServersPage");
const ServerPage = lazyPage(() => import("./console/server.tsx"), "ServerPage");
const CheckPage = lazyPage(() => import("./console/check.tsx"), "CheckPage");
const StatusPage = lazyPage(() => import("./shared/status.tsx"), "StatusPage");
const MyServersPage = lazyPage(() => import("./portal/servers.tsx"), "MyServersPage");
const PublicStatusPage = lazyPage(() => import("./public/status.tsx"), "PublicStatusPage");
const IncidentsPage = lazyPage(() => import("./console/incidents.tsx"), "IncidentsPage");
const IncidentPage = lazyPage(() => import("./console/incident.tsx"), "IncidentPage");
const OncallPage = lazyPage(() => import("./console/oncall.tsx"), "OncallPage");
const MaintenancePage = lazyPage(() => import("./console/maintenance.tsx"), "MaintenancePage");
const portalIncidents = () => import("./portal/incidents.tsx");
const MyIncidentsPage = lazyPage(portalIncidents, "MyIncidentsPage");
const MyIncidentPage = lazyPage(portalIncidents, "MyIncidentPage");
const MyMaintenancePage = lazyPage(() => import("./portal/maintenance.tsx"), "MyMaintenancePage");

/** A public status page's unguessable path (Art. 43). */
const STATUS_PATH = /^\/status\/([A-Za-z0-9_-]{32})$/;

/**
 * Pages anyone may read without signing in: the application form, the terms' texts, the privacy
 * notice, a customer's public status page.
 */
const publicPage = (path: string) =>
  path === "/apply" || path === "/privacy" || /^\/terms\/[0-9a-f-]{36}$/.test(path) || STATUS_PATH.test(path);

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  formatLang.current = lang;
  const setLang = (l: Lang) => {
    localStorage.setItem("unyo.lang", l);
    void loadLanguage(l).then(() => setLangState(l));
  };
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    const idle = setTimeout(preloadEnglish, 2000);
    return () => clearTimeout(idle);
  }, []);
  return (
    <QueryClientProvider client={queryClient}>
      <LangContext.Provider value={{ lang, setLang }}>
        <Root />
      </LangContext.Provider>
    </QueryClientProvider>
  );
}

function Root() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [clock, setClock] = useState<InstanceClock | null>(null);
  const t = useT();
  // The instance's clock, before any page computes a default date from it; again every 30 s, so the
  // banner follows a test clock moved meanwhile.
  useEffect(() => {
    const load = () =>
      api<InstanceClock>("GET", "/clock").then(
        (c) => {
          setInstanceClock(c);
          setClock(c);
        },
        () => setClock((c) => c ?? { now: new Date().toISOString(), today: "", testClock: false }),
      );
    void load();
    const timer = setInterval(load, 30_000);
    return () => clearInterval(timer);
  }, []);
  const refresh = useCallback(async () => {
    try {
      const m = await api<Me>("GET", "/me");
      setCsrf(m.csrfToken);
      // Land on the user's area before the first render of the shell, so that no later redirect
      // can override a navigation the user has already made.
      const area = m.user.kind === "staff" ? "/console" : "/portal";
      const here = window.location.pathname;
      if (!publicPage(here) && !here.startsWith(area)) navigate(area, true);
      setMe(m);
    } catch {
      setCsrf(null);
      setMe(null);
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const path = usePath();
  let page: ReactNode;
  if (publicPage(path))
    page = (
      <Suspense fallback={<p className="loading">{t("loading")}</p>}>
        <PublicRoutes />
      </Suspense>
    );
  else if (me === undefined || clock === null) page = <p className="loading">{t("loading")}</p>;
  else if (me === null) page = <LoginPage onLoggedIn={refresh} />;
  else page = <Shell me={me} refresh={refresh} />;
  return (
    <>
      {clock?.testClock && <TestClockBanner clock={clock} />}
      {page}
    </>
  );
}

/** On an instance with a test clock (UNYO_TEST_CLOCK=1), every page says what date it runs on. */
function TestClockBanner({ clock }: { clock: InstanceClock }) {
  const t = useT();
  const time = new Date(clock.now).toLocaleTimeString("ja-JP", {
    timeZone: "Asia/Tokyo",
    hour: "2-digit",
    minute: "2-digit",
  });
  return (
    <div className="test-clock" role="status" data-testid="test-clock">
      {t("testClock.banner").replace("{today}", clock.today).replace("{time}", time)}
    </div>
  );
}

function LoginPage({ onLoggedIn }: { onLoggedIn: () => Promise<void> }) {
  const t = useT();
  const [loginId, setLoginId] = useState("");
  const [password, setPassword] = useState("");
  const [totp, setTotp] = useState("");
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api("POST", "/auth/login", { loginId, password, ...(needTotp ? { totp } : {}) });
      queryClient.clear();
      await onLoggedIn();
    } catch (err) {
      if (err instanceof ApiFailure && err.error.code === "totp_required") setNeedTotp(true);
      else setError(err instanceof ApiFailure && err.status === 401 ? t("login.failed") : errorText(err));
    }
  };
  return (
    <main className="login">
      <header className="login-header">
        <h1>{t("appName")}</h1>
        <LanguageSwitch />
      </header>
      <form onSubmit={submit} aria-labelledby="login-title" className="card">
        <h2 id="login-title">{t("login.title")}</h2>
        <Field
          id="loginId"
          label={t("login.loginId")}
          value={loginId}
          onChange={setLoginId}
          autoComplete="username"
        />
        <Field
          id="password"
          label={t("login.password")}
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
        />
        {needTotp && (
          <Field
            id="totp"
            label={t("login.totp")}
            value={totp}
            onChange={setTotp}
            autoComplete="one-time-code"
            inputMode="numeric"
          />
        )}
        <ErrorBox error={error} />
        <button type="submit">{t("login.submit")}</button>
        <p className="hint">{t("login.forgot")}</p>
      </form>
      <p>
        <Link to="/apply">{t("apply.link")}</Link>
      </p>
    </main>
  );
}

interface NavItem {
  path: string;
  label: MessageKey;
  /** Staff roles that see the entry (all when absent). */
  roles?: string[];
}

function Shell({ me, refresh }: { me: Me; refresh: () => Promise<void> }) {
  const t = useT();
  const labels = useLabels();
  const path = usePath();
  const isStaff = me.user.kind === "staff";
  const base = isStaff ? "/console" : "/portal";
  useEffect(() => {
    if (
      path === "/" ||
      path === "/login" ||
      (isStaff && path.startsWith("/portal")) ||
      (!isStaff && path.startsWith("/console"))
    )
      navigate(base);
  }, [path, base, isStaff]);
  const nav: NavItem[] = isStaff
    ? (
        [
          { path: "/console", label: "nav.home" },
          { path: "/console/applications", label: "nav.applications" },
          { path: "/console/contracts", label: "nav.contracts" },
          { path: "/console/customers", label: "nav.customers" },
          { path: "/console/servers", label: "monitoring.nav.servers" },
          { path: "/console/incidents", label: "incidents.nav.incidents" },
          { path: "/console/oncall", label: "incidents.nav.oncall" },
          { path: "/console/maintenance", label: "incidents.nav.maintenance" },
          { path: "/console/notices", label: "nav.notices" },
          { path: "/console/inquiries", label: "nav.inquiries" },
          { path: "/console/changes", label: "nav.changes" },
          { path: "/console/contract-changes", label: "nav.contractChanges" },
          { path: "/console/terms", label: "nav.terms" },
          { path: "/console/billing", label: "nav.billing", roles: ["admin", "billing", "operator"] },
          { path: "/console/payments", label: "nav.payments", roles: ["admin", "billing"] },
          { path: "/console/price-book", label: "nav.priceBook" },
          { path: "/console/account", label: "nav.account" },
        ] satisfies NavItem[] as NavItem[]
      ).filter((n) => !n.roles || n.roles.includes(me.user.role))
    : [
        { path: "/portal", label: "nav.home" },
        { path: "/portal/contracts", label: "nav.contracts" },
        { path: "/portal/status", label: "monitoring.nav.status" },
        { path: "/portal/servers", label: "monitoring.nav.servers" },
        { path: "/portal/incidents", label: "incidents.nav.incidents" },
        { path: "/portal/maintenance", label: "incidents.nav.maintenance" },
        { path: "/portal/notices", label: "nav.notices" },
        { path: "/portal/inquiries", label: "nav.inquiries" },
        { path: "/portal/changes", label: "nav.changes" },
        { path: "/portal/invoices", label: "nav.invoices" },
        { path: "/portal/company", label: "nav.company" },
        { path: "/portal/users", label: "nav.users" },
        { path: "/portal/terms", label: "nav.terms" },
        { path: "/portal/account", label: "nav.account" },
      ];
  const logout = async () => {
    await api("POST", "/auth/logout").catch(() => {});
    setCsrf(null);
    // Nothing of this user's stays in memory for the next one.
    queryClient.clear();
    navigate("/", true);
    await refresh();
  };
  let content: ReactNode;
  if (me.pending === "password_change_required") content = <PasswordPage initial onDone={refresh} />;
  else if (me.pending === "totp_required") content = <TotpPage onDone={refresh} />;
  else
    content = (
      <MeContext.Provider value={{ me, refresh }}>
        <ShellRoutes />
      </MeContext.Provider>
    );
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <strong>{t("appName")}</strong>
        <span className="area">{t(isStaff ? "nav.console" : "nav.portal")}</span>
        <span className="spacer" />
        <span className="who">
          <span data-value>{me.user.displayName}</span> ({labels.role(me.user.role)})
        </span>
        <LanguageSwitch />
        <button type="button" onClick={logout}>
          {t("logout")}
        </button>
      </header>
      {me.user.isDemo && (
        <div className="demo" role="status">
          {t("demo.banner")}
        </div>
      )}
      <div className="body">
        <nav aria-label={t(isStaff ? "nav.console" : "nav.portal")}>
          <ul>
            {nav.map((n) => (
              <li key={n.path}>
                <a
                  href={n.path}
                  aria-current={
                    path === n.path || (n.path !== base && path.startsWith(`${n.path}/`)) ? "page" : undefined
                  }
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(n.path);
                  }}
                >
                  {t(n.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main">
          <Suspense fallback={<p className="loading">{t("loading")}</p>}>{content}</Suspense>
        </main>
      </div>
    </div>
  );
}

/** The signed-in user, for the pages under the shell. */
const MeContext = createContext<{ me: Me; refresh: () => Promise<void> } | null>(null);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function NotFound() {
  const t = useT();
  const path = usePath();
  const signedIn = useContext(MeContext);
  const base = signedIn ? (signedIn.me.user.kind === "staff" ? "/console" : "/portal") : "/";
  return (
    <section>
      <h1>{t("notFound.title")}</h1>
      <p>
        <code>{path}</code>
      </p>
      <a
        href={base}
        onClick={(e) => {
          e.preventDefault();
          navigate(base);
        }}
      >
        {t("notFound.back")}
      </a>
    </section>
  );
}

function Home() {
  const t = useT();
  const labels = useLabels();
  const { me } = useContext(MeContext)!;
  return (
    <section>
      <h1>{t(me.user.kind === "staff" ? "home.staffWelcome" : "home.customerWelcome")}</h1>
      <p>
        {t("home.role")}: {labels.role(me.user.role)}
      </p>
      {me.user.kind === "staff" ? <ConsoleHome me={me} /> : <PortalHome />}
    </section>
  );
}

interface PageContext {
  me: Me;
  refresh: () => Promise<void>;
  base: string;
  /** The path's `$id`, a UUID (a page with an id is not found without one). */
  id: string;
}

interface ShellRoute {
  path: string;
  area: "staff" | "customer" | "any";
  render: (c: PageContext) => ReactNode;
}

/** A page of the shell: for staff, customers or both; `:id` in the path must be a UUID. */
const page = (path: string, area: ShellRoute["area"], render: ShellRoute["render"]): ShellRoute => ({
  path,
  area,
  render,
});

function ShellPage({ route, id }: { route: ShellRoute; id: string | undefined }) {
  const { me, refresh } = useContext(MeContext)!;
  if (route.area !== "any" && me.user.kind !== route.area) return <NotFound />;
  if (route.path.includes(":id") && !(id && UUID.test(id))) return <NotFound />;
  const base = me.user.kind === "staff" ? "/console" : "/portal";
  return <>{route.render({ me, refresh, base, id: id ?? "" })}</>;
}

const account = ({ refresh }: PageContext) => (
  <>
    <PasswordPage onDone={refresh} />
    <SessionsPage />
  </>
);

const SHELL_ROUTES: ShellRoute[] = [
  // The shell sends "/" and "/login" to the user's area.
  page("/", "any", () => null),
  page("/login", "any", () => null),
  page("/console", "staff", () => <Home />),
  page("/console/applications", "staff", () => <ApplicationsPage />),
  page("/console/contracts", "staff", ({ base }) => <ContractsPage base={base} />),
  page("/console/contracts/:id", "staff", ({ id, me }) => <ContractPage id={id} me={me} />),
  page("/console/customers", "staff", () => <CustomersPage />),
  page("/console/customers/:id", "staff", ({ id, me }) => <CustomerPage id={id} me={me} />),
  page("/console/customers/:id/status", "staff", ({ id }) => <StatusPage customerId={id} />),
  page("/console/servers", "staff", () => <ServersPage />),
  page("/console/servers/:id", "staff", ({ id, me }) => <ServerPage id={id} me={me} />),
  page("/console/checks/:id", "staff", ({ id, me }) => <CheckPage id={id} me={me} />),
  page("/console/incidents", "staff", () => <IncidentsPage />),
  page("/console/incidents/:id", "staff", ({ id, me }) => <IncidentPage id={id} me={me} />),
  page("/console/oncall", "staff", ({ me }) => <OncallPage me={me} />),
  page("/console/maintenance", "staff", ({ me }) => <MaintenancePage me={me} />),
  page("/console/notices", "staff", () => <StaffNoticesPage />),
  page("/console/inquiries", "staff", ({ me }) => <InquiriesPage me={me} />),
  page("/console/changes", "staff", ({ me }) => <ChangesPage me={me} />),
  page("/console/contract-changes", "staff", () => <ChangeQueuePage />),
  page("/console/terms", "staff", ({ me }) => <TermsPage me={me} />),
  page("/console/billing", "staff", ({ me }) => <BillingPage me={me} />),
  page("/console/payments", "staff", ({ me }) => <PaymentsPage me={me} />),
  page("/console/price-book", "staff", ({ me }) => <PriceBookPage me={me} />),
  page("/console/invoices/:id", "staff", ({ id, me }) => <InvoicePage id={id} me={me} />),
  page("/console/account", "staff", account),
  page("/portal", "customer", () => <Home />),
  page("/portal/contracts", "customer", ({ base }) => <ContractsPage base={base} />),
  page("/portal/contracts/:id", "customer", ({ id, me }) => <ContractPage id={id} me={me} />),
  page("/portal/status", "customer", () => <StatusPage />),
  page("/portal/servers", "customer", () => <MyServersPage />),
  page("/portal/incidents", "customer", () => <MyIncidentsPage />),
  page("/portal/incidents/:id", "customer", ({ id }) => <MyIncidentPage id={id} />),
  page("/portal/maintenance", "customer", ({ me }) => <MyMaintenancePage me={me} />),
  page("/portal/notices", "customer", () => <InboxPage />),
  page("/portal/inquiries", "customer", ({ me }) => <InquiriesPage me={me} />),
  page("/portal/changes", "customer", ({ me }) => <ChangesPage me={me} />),
  page("/portal/invoices", "customer", ({ me }) => <MyInvoicesPage me={me} />),
  page("/portal/invoices/:id", "customer", ({ id, me }) => <InvoicePage id={id} me={me} />),
  page("/portal/company", "customer", ({ me }) => <CompanyPage customerId={me.user.customerId!} />),
  page("/portal/users", "customer", ({ me }) => (
    <CompanyUsers customerId={me.user.customerId!} me={me} heading="h1" />
  )),
  page("/portal/terms", "customer", () => <TermsVersionsPage />),
  page("/portal/terms/:id", "customer", ({ id }) => <TermsTextPage id={id} back="/portal/terms" />),
  page("/portal/account", "customer", account),
];

/** The shell's pages, by path (the first that matches); anything else is "not found". */
function ShellRoutes() {
  return (
    <Switch>
      {SHELL_ROUTES.map((r) => (
        <Route key={r.path} path={r.path}>
          {(params: { id?: string }) => <ShellPage route={r} id={params.id} />}
        </Route>
      ))}
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}

/** The pages anyone may read (Root shows them without the shell). */
function PublicRoutes() {
  return (
    <Switch>
      <Route path="/apply">
        <ApplyPage />
      </Route>
      <Route path="/privacy">
        <PrivacyPage />
      </Route>
      <Route path="/status/:token">
        {(params: { token: string }) => <PublicStatusPage token={params.token} />}
      </Route>
      <Route path="/terms/:id">
        {(params: { id: string }) =>
          UUID.test(params.id) ? <TermsTextPage id={params.id} back={null} /> : <NotFound />
        }
      </Route>
    </Switch>
  );
}
