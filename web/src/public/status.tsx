/**
 * A customer's public status page (Art. 43) at its unguessable URL: no sign-in, no host names — the
 * services, their state and 90 days of uptime, in either language. Refreshed every minute.
 */
import { useT } from "../i18n.ts";
import { StatusView, useEvery } from "../shared/monitoring.tsx";
import { ErrorBox, LanguageSwitch, useGet } from "../ui.tsx";

export function PublicStatusPage({ token }: { token: string }) {
  const t = useT();
  const [data, error, reload] = useGet("/api/v1/public/status/{token}", { path: { token } });
  useEvery(60_000, reload);
  return (
    <main className="login wide status-public">
      <header className="login-header">
        <span className="brand">{t("appName")}</span>
        <LanguageSwitch />
      </header>
      <h1>
        {data
          ? t("monitoring.public.title")
              .split(/(\{name\})/)
              .map((part, i) =>
                part === "{name}" ? (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one sentence
                  <span key={i} data-value>
                    {data.customerName}
                  </span>
                ) : (
                  part
                ),
              )
          : t("monitoring.status.title")}
      </h1>
      <ErrorBox error={error} />
      {data && <StatusView data={data} showItems={false} />}
    </main>
  );
}
