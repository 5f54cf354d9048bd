/**
 * The terms (Art. 1, 2): every version with the one in force marked and those announced but not yet
 * in force, and each version's text — public, for applicants to read before consenting, and in the
 * portal for customers (the version in force and the earlier ones).
 */

import { todayInJapan } from "../clock.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { ErrorBox, LanguageSwitch, Link, ScrollBox, useGet, useGetAll } from "../ui.tsx";

/** One version's text; `back` is where the list is (the portal's) or null on the public page. */
export function TermsTextPage({ id, back }: { id: string; back: string | null }) {
  const t = useT();
  const [v, error] = useGet("/api/v1/terms-versions/{id}", { path: { id } });
  const page = (
    <article className="card" aria-labelledby="terms-title">
      {back && (
        <p>
          <Link to={back}>← {t("terms.all")}</Link>
        </p>
      )}
      <h1 id="terms-title">
        <span data-value>{v?.title ?? "…"}</span>
      </h1>
      <ErrorBox error={error} />
      {v && (
        <>
          <dl className="facts">
            <dt>{t("terms.number")}</dt>
            <dd>
              <span data-value>{v.number}</span>
            </dd>
            <dt>{t("terms.announcedOn")}</dt>
            <dd>{v.announcedOn}</dd>
            <dt>{t("terms.effectiveOn")}</dt>
            <dd>{v.effectiveOn}</dd>
          </dl>
          <section className="terms-text" lang="ja" data-value aria-label={t("terms.text")}>
            {v.body}
          </section>
        </>
      )}
    </article>
  );
  if (back) return page;
  return (
    <main className="login wide">
      <header className="login-header">
        <Link to="/apply">{t("terms.toApply")}</Link>
        <LanguageSwitch />
      </header>
      {page}
    </main>
  );
}

/** Every version, the one in force first marked as such (the latest whose effective date has come). */
export function TermsVersionsPage() {
  const t = useT();
  const [versions, error] = useGetAll("/api/v1/terms-versions", {});
  const today = todayInJapan();
  const inForce = versions
    ?.filter((v) => v.effectiveOn <= today)
    .sort((a, b) => (a.effectiveOn < b.effectiveOn ? 1 : -1))[0];
  const sorted = versions && [...versions].sort((a, b) => (a.effectiveOn < b.effectiveOn ? 1 : -1));
  return (
    <section>
      <h1>{t("terms.title")}</h1>
      <p className="hint">
        {t("terms.lead")} ({art("2")})
      </p>
      <ErrorBox error={error} />
      <ScrollBox>
        <table data-testid="terms-versions">
          <thead>
            <tr>
              <th scope="col">{t("terms.number")}</th>
              <th scope="col">{t("terms.titleCol")}</th>
              <th scope="col">{t("terms.announcedOn")}</th>
              <th scope="col">{t("terms.effectiveOn")}</th>
              <th scope="col">{t("terms.state")}</th>
            </tr>
          </thead>
          <tbody>
            {sorted?.map((v) => (
              <tr key={v.id}>
                <td>
                  <Link to={`/portal/terms/${v.id}`}>{v.number}</Link>
                </td>
                <td>
                  <span data-value>{v.title}</span>
                </td>
                <td>{v.announcedOn}</td>
                <td>{v.effectiveOn}</td>
                <td>
                  {v.id === inForce?.id ? (
                    <strong>{t("terms.inForce")}</strong>
                  ) : v.effectiveOn > today ? (
                    t("terms.upcoming")
                  ) : (
                    t("terms.earlier")
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {versions?.length === 0 && <p className="hint">{t("home.none")}</p>}
    </section>
  );
}
