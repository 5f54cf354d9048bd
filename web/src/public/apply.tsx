import { type FormEvent, useContext, useState } from "react";
import { api } from "../api.ts";
import type { Schema } from "../client.ts";
import { art, yen } from "../format.ts";
import { LangContext, useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { ErrorBox, errorText, Field, LanguageSwitch, Link, ScrollBox, Select, useGet } from "../ui.tsx";

type Price = Schema<"Catalogue">["perServer"][number];
type Catalogue = Schema<"Catalogue">;

/** The plans, options and per-server fees with their prices, from the price book (Art. 29(1)). */
function PriceTable({ catalogue }: { catalogue: Catalogue }) {
  const t = useT();
  const l = useLabels();
  const { lang } = useContext(LangContext);
  const rows: [string, Price[]][] = [
    ...catalogue.plans.map((p): [string, Price[]] => [l.plan(p.code), p.prices]),
    ...catalogue.options.map((o): [string, Price[]] => [
      `${t("apply.optionRow")}: ${l.option(o.code)}`,
      o.prices,
    ]),
    ...(catalogue.perServer.length > 0
      ? [[t("apply.perServer"), catalogue.perServer] as [string, Price[]]]
      : []),
  ];
  return (
    <section aria-labelledby="prices-title">
      <h2 id="prices-title">{t("apply.prices")}</h2>
      <ScrollBox>
        <table data-testid="apply-prices">
          <thead>
            <tr>
              <th scope="col">{t("apply.menu")}</th>
              <th scope="col">{t("apply.item")}</th>
              <th scope="col">{t("billing.feeKind")}</th>
              <th scope="col">{t("apply.price")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.flatMap(([name, prices]) =>
              prices.map((p, i) => (
                <tr key={p.code}>
                  {i === 0 && (
                    <th scope="row" rowSpan={prices.length}>
                      {name}
                    </th>
                  )}
                  <td>
                    <span data-value lang={lang === "ja" ? "ja" : "en"}>
                      {lang === "ja" ? p.nameJa : p.nameEn}
                    </span>
                  </td>
                  <td>{l.feeKind(p.kind)}</td>
                  <td>{yen(p.unitPrice)}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </ScrollBox>
      <p className="hint">
        {t("apply.pricesHint").replace("{on}", catalogue.on)} ({art("29(1)")})
      </p>
    </section>
  );
}

/** The public application form (申込用紙, Art. 15): channel "web", which opens cooling-off (Art. 42). */
export function ApplyPage() {
  const t = useT();
  const l = useLabels();
  const [f, setF] = useState({
    legalName: "",
    corporateNumber: "",
    address: "",
    billingName: "",
    billingEmail: "",
    billingPhone: "",
    repName: "",
    repEmail: "",
    repPhone: "",
    plan: "standard",
    servers: "",
    provider: "aws",
    applicantEmail: "",
    website: "",
  });
  const [options, setOptions] = useState<string[]>([]);
  const [catalogue, catalogueError] = useGet("/api/v1/catalogue", {});
  const [termsConsent, setTermsConsent] = useState(false);
  const [privacyConsent, setPrivacyConsent] = useState(false);
  // Said in the language being read, also after a switch.
  const [consentMissing, setConsentMissing] = useState(false);
  const PLANS = catalogue?.plans.map((p) => p.code) ?? [];
  const PROVIDERS = catalogue?.providers ?? [];
  const OPTIONS = catalogue?.options.map((o) => o.code) ?? [];
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ number: string; coolingOffLastDay: string | null } | null>(null);
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setConsentMissing(!termsConsent || !privacyConsent);
    if (!catalogue || !termsConsent || !privacyConsent) return;
    try {
      const r = await api<{ number: string; coolingOffLastDay: string | null }>("POST", "/applications", {
        consent: { termsVersionId: catalogue.terms?.id ?? null, privacyNotice: catalogue.privacyNotice },
        legalName: f.legalName,
        corporateNumber: f.corporateNumber,
        address: f.address,
        billingContact: { name: f.billingName, email: f.billingEmail, phone: f.billingPhone },
        representatives: [{ name: f.repName, email: f.repEmail, phone: f.repPhone }],
        plan: f.plan,
        options,
        servers: f.servers
          .split(/\s+/)
          .filter(Boolean)
          .map((hostname) => ({ hostname, provider: f.provider })),
        applicantEmail: f.applicantEmail,
        ...(f.website ? { website: f.website } : {}),
      });
      setDone(r);
    } catch (err) {
      setError(errorText(err));
    }
  };
  if (done)
    return (
      <main className="login wide">
        <header className="login-header">
          <span />
          <LanguageSwitch />
        </header>
        <section className="card" aria-live="polite">
          <h1>{t("apply.done")}</h1>
          <p>
            {t("apply.number")}: <strong data-testid="application-number">{done.number}</strong>
          </p>
          {done.coolingOffLastDay && (
            <p>
              {t("apply.coolingOff")}: <strong>{done.coolingOffLastDay}</strong> ({art("42")})
            </p>
          )}
          <Link to="/">{t("apply.back")}</Link>
        </section>
      </main>
    );
  return (
    <main className="login wide">
      <header className="login-header">
        <Link to="/">{t("apply.back")}</Link>
        <LanguageSwitch />
      </header>
      <form className="card" onSubmit={submit} aria-labelledby="apply-title">
        <h1 id="apply-title">{t("apply.title")}</h1>
        <p className="notice">{t("apply.lead")}</p>
        <ErrorBox error={catalogueError} />
        {catalogue && <PriceTable catalogue={catalogue} />}
        <Field
          id="legalName"
          label={t("apply.legalName")}
          value={f.legalName}
          onChange={set("legalName")}
          autoComplete="organization"
        />
        <Field
          id="corporateNumber"
          label={t("apply.corporateNumber")}
          value={f.corporateNumber}
          onChange={set("corporateNumber")}
          inputMode="numeric"
        />
        <Field
          id="address"
          label={t("apply.address")}
          value={f.address}
          onChange={set("address")}
          autoComplete="street-address"
        />
        <fieldset>
          <legend>{t("apply.billingName")}</legend>
          <Field
            id="billingName"
            label={t("apply.billingName")}
            value={f.billingName}
            onChange={set("billingName")}
          />
          <Field
            id="billingEmail"
            label={t("apply.billingEmail")}
            type="email"
            value={f.billingEmail}
            onChange={set("billingEmail")}
          />
          <Field
            id="billingPhone"
            label={t("apply.billingPhone")}
            type="tel"
            value={f.billingPhone}
            onChange={set("billingPhone")}
          />
        </fieldset>
        <fieldset>
          <legend>{t("apply.repName")}</legend>
          <Field id="repName" label={t("apply.repName")} value={f.repName} onChange={set("repName")} />
          <Field
            id="repEmail"
            label={t("apply.repEmail")}
            type="email"
            value={f.repEmail}
            onChange={set("repEmail")}
          />
          <Field
            id="repPhone"
            label={t("apply.repPhone")}
            type="tel"
            value={f.repPhone}
            onChange={set("repPhone")}
          />
        </fieldset>
        <Select
          id="plan"
          label={t("apply.plan")}
          value={f.plan}
          onChange={set("plan")}
          options={PLANS.map((p) => [p, l.plan(p)])}
        />
        <fieldset>
          <legend>{t("apply.options")}</legend>
          {OPTIONS.map((o) => (
            <label key={o} className="check">
              <input
                type="checkbox"
                checked={options.includes(o)}
                onChange={(e) => setOptions((x) => (e.target.checked ? [...x, o] : x.filter((y) => y !== o)))}
              />{" "}
              {l.option(o)}
            </label>
          ))}
        </fieldset>
        <div className="field">
          <label htmlFor="servers">{t("apply.servers")}</label>
          <textarea
            id="servers"
            value={f.servers}
            onChange={(e) => set("servers")(e.target.value)}
            rows={3}
            required
          />
        </div>
        <Select
          id="provider"
          label={t("apply.provider")}
          value={f.provider}
          onChange={set("provider")}
          options={PROVIDERS.map((p) => [p, l.provider(p)])}
        />
        <Field
          id="applicantEmail"
          label={t("apply.applicantEmail")}
          type="email"
          value={f.applicantEmail}
          onChange={set("applicantEmail")}
          autoComplete="email"
        />
        {/* Honeypot: hidden from people and assistive technology; bots fill it. */}
        <div className="hp" aria-hidden="true">
          <label htmlFor="website">{t("apply.website")}</label>
          <input
            id="website"
            tabIndex={-1}
            autoComplete="off"
            value={f.website}
            onChange={(e) => set("website")(e.target.value)}
          />
        </div>
        <fieldset>
          <legend>{t("apply.consent")}</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={termsConsent}
              onChange={(e) => setTermsConsent(e.target.checked)}
            />{" "}
            {catalogue?.terms
              ? t("apply.consentTerms")
                  .replace("{number}", catalogue.terms.number)
                  .replace("{effective}", catalogue.terms.effectiveOn)
              : t("apply.consentTermsNone")}
          </label>
          {catalogue?.terms && (
            <p className="hint">
              <a href={`/terms/${catalogue.terms.id}`} target="_blank" rel="noopener">
                {t("apply.readTerms")}
              </a>{" "}
              ({art("1")}, {art("15")})
            </p>
          )}
          <label className="check">
            <input
              type="checkbox"
              checked={privacyConsent}
              onChange={(e) => setPrivacyConsent(e.target.checked)}
            />{" "}
            {t("apply.consentPrivacy")}
          </label>
          <p className="hint">
            <a href="/privacy" target="_blank" rel="noopener">
              {t("apply.readPrivacy")}
            </a>{" "}
            ({art("35(11)")})
          </p>
        </fieldset>
        <ErrorBox error={consentMissing ? t("apply.consentMissing") : error} />
        <button type="submit">{t("apply.submit")}</button>
      </form>
    </main>
  );
}
