/** The account pages: the company's data, the password, two-factor enrolment and the sessions. */

import { type FormEvent, lazy, Suspense, useState } from "react";
import { api } from "./api.ts";
import { useT } from "./i18n.ts";
import { ErrorBox, errorText, Field, MoreButton, tokyoTime, useGet, useGetPages } from "./ui.tsx";

// The QR code's encoder is its own chunk: only enrolment needs it.
const QrCode = lazy(() => import("./qr.tsx").then((m) => ({ default: m.QrCode })));
// The incident settings (integrations, channels, who gets notices) are their own chunk too.
const IncidentSettings = lazy(() =>
  import("./shared/incident-settings.tsx").then((m) => ({ default: m.IncidentSettings })),
);

export function CompanyPage({ customerId }: { customerId: string }) {
  const t = useT();
  const [data, error] = useGet("/api/v1/customers/{id}", { path: { id: customerId } });
  return (
    <section>
      <h1>{t("company.title")}</h1>
      <ErrorBox error={error} />
      {data && (
        <dl>
          <dt>{t("customers.legalName")}</dt>
          <dd>{data.legalName}</dd>
          <dt>{t("customers.corporateNumber")}</dt>
          <dd>{data.corporateNumber}</dd>
        </dl>
      )}
      <Suspense fallback={<p className="loading">{t("loading")}</p>}>
        <IncidentSettings customerId={customerId} />
      </Suspense>
    </section>
  );
}

export function PasswordPage({ initial, onDone }: { initial?: boolean; onDone: () => Promise<void> }) {
  const t = useT();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api("POST", "/me/password", { currentPassword: current, newPassword: next });
      setDone(true);
      setCurrent("");
      setNext("");
      await onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="pw-title">
      <h2 id="pw-title">{t("password.title")}</h2>
      {initial && <p className="notice">{t("password.initialNotice")}</p>}
      <Field
        id="currentPassword"
        label={t("password.current")}
        type="password"
        value={current}
        onChange={setCurrent}
        autoComplete="current-password"
      />
      <Field
        id="newPassword"
        label={t("password.new")}
        type="password"
        value={next}
        onChange={setNext}
        autoComplete="new-password"
      />
      <ErrorBox error={error} />
      {done && <p role="status">{t("password.done")}</p>}
      <button type="submit">{t("password.submit")}</button>
    </form>
  );
}

export function TotpPage({ onDone }: { onDone: () => Promise<void> }) {
  const t = useT();
  const [setup, setSetup] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setError(null);
    try {
      setSetup(await api("POST", "/me/totp/setup"));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    try {
      await api("POST", "/me/totp/confirm", { code });
      await onDone();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section className="card">
      <h2>{t("totp.title")}</h2>
      <p>{t("totp.required")}</p>
      {!setup && (
        <button type="button" onClick={start}>
          {t("totp.start")}
        </button>
      )}
      {setup && (
        <form onSubmit={confirm}>
          <p>{t("totp.scan")}</p>
          <QrCode text={setup.uri} label={t("totp.qr")} />
          <p>
            {t("totp.secret")}: <code data-testid="totp-secret">{setup.secret}</code>
          </p>
          <p className="uri">
            <code>{setup.uri}</code>
          </p>
          <Field
            id="code"
            label={t("totp.code")}
            value={code}
            onChange={setCode}
            inputMode="numeric"
            autoComplete="one-time-code"
          />
          <button type="submit">{t("totp.confirm")}</button>
        </form>
      )}
      <ErrorBox error={error} />
    </section>
  );
}

export function SessionsPage() {
  const t = useT();
  const [data, error, reload, more] = useGetPages("/api/v1/me/sessions", {});
  const end = async (id: string) => {
    await api("DELETE", `/me/sessions/${id}`).catch(() => {});
    reload();
  };
  return (
    <section>
      <h2>{t("sessions.title")}</h2>
      <ErrorBox error={error} />
      <ul className="sessions">
        {data?.items.map((s) => (
          <li key={s.id}>
            {s.ip} — {s.userAgent?.slice(0, 60)} — {t("sessions.lastSeen")} {tokyoTime(s.lastSeenAt)}
            {s.current ? (
              <strong> ({t("sessions.current")})</strong>
            ) : (
              <button type="button" onClick={() => end(s.id)}>
                {t("sessions.end")}
              </button>
            )}
          </li>
        ))}
      </ul>
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
