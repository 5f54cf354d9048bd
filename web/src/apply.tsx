import { type FormEvent, useState } from "react";
import { api } from "./api.ts";
import { art } from "./format.ts";
import { useT } from "./i18n.ts";
import { useLabels } from "./labels.ts";
import { ErrorBox, errorText, Field, Link, Select } from "./ui.tsx";

const OPTIONS = ["backup", "patching", "change-work", "extended-support"];
const PLANS = ["basic", "standard", "premium"];
const PROVIDERS = ["aws", "azure", "gcp", "other"];

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
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ number: string; coolingOffLastDay: string | null } | null>(null);
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ number: string; coolingOffLastDay: string | null }>("POST", "/applications", {
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
      <form className="card" onSubmit={submit} aria-labelledby="apply-title">
        <h1 id="apply-title">{t("apply.title")}</h1>
        <p className="notice">{t("apply.lead")}</p>
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
        <ErrorBox error={error} />
        <button type="submit">{t("apply.submit")}</button>
      </form>
    </main>
  );
}
