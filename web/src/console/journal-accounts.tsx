/**
 * The accounts and tax categories the journal exports name, per accounting package (弥生会計, freee,
 * マネーフォワード): what the provider's own chart of accounts calls them (docs/BILLING-FORMATS.md).
 */
import { useState } from "react";
import { ActionForm } from "../action-form.tsx";
import { api } from "../api.ts";
import { type MessageKey, useT } from "../i18n.ts";
import { ErrorBox, Field, Select, useGet } from "../ui.tsx";

const FORMATS = ["yayoi", "freee", "moneyforward"] as const;
type Format = (typeof FORMATS)[number];
const ACCOUNTS = ["receivable", "sales", "lateFees", "salesReturns", "bank"] as const;
const CATEGORIES = ["10", "8", "exempt", "out-of-scope"] as const;

const FORMAT_LABEL: Record<Format, MessageKey> = {
  yayoi: "billing.journalYayoi",
  freee: "journal.freee",
  moneyforward: "billing.journalMoneyForward",
};
const CATEGORY_LABEL: Record<(typeof CATEGORIES)[number], MessageKey> = {
  "10": "billing.tax10",
  "8": "billing.tax8",
  exempt: "billing.taxExempt",
  "out-of-scope": "billing.taxOutOfScope",
};

type Values = Record<string, string>;

export function JournalAccounts({ editable }: { editable: boolean }) {
  const t = useT();
  const [data, error, reload] = useGet("/api/v1/billing/journal-accounts", {});
  const [format, setFormat] = useState<Format>("yayoi");
  const [draft, setDraft] = useState<Values>({});
  if (!data) return <ErrorBox error={error} />;
  const current = data[format];
  const values: Values = {
    ...Object.fromEntries(ACCOUNTS.map((a) => [`accounts.${a}`, current.accounts[a]])),
    ...Object.fromEntries(CATEGORIES.map((c) => [`salesTax.${c}`, current.salesTax[c]])),
    ...Object.fromEntries(CATEGORIES.map((c) => [`returnTax.${c}`, current.returnTax[c]])),
    noTax: current.noTax,
    ...draft,
  };
  const set = (k: string) => (v: string) => setDraft({ ...draft, [k]: v });
  const save = async () => {
    const pick = (prefix: string, keys: readonly string[]) =>
      Object.fromEntries(keys.map((k) => [k, values[`${prefix}.${k}`]!.trim()]));
    await api("PUT", "/billing/journal-accounts", {
      ...data.overrides,
      [format]: {
        accounts: pick("accounts", ACCOUNTS),
        salesTax: pick("salesTax", CATEGORIES),
        returnTax: pick("returnTax", CATEGORIES),
        noTax: values.noTax!.trim(),
      },
    });
    setDraft({});
    reload();
  };
  const fields = (
    <>
      <Select
        id="journalFormat"
        label={t("journal.format")}
        value={format}
        onChange={(v) => {
          setFormat(v as Format);
          setDraft({});
        }}
        options={FORMATS.map((f) => [f, t(FORMAT_LABEL[f])])}
      />
      <fieldset>
        <legend>{t("journal.accounts")}</legend>
        {ACCOUNTS.map((a) => (
          <Field
            key={a}
            id={`journal-${a}`}
            label={t(`journal.account.${a}` as MessageKey)}
            value={values[`accounts.${a}`]!}
            onChange={set(`accounts.${a}`)}
          />
        ))}
      </fieldset>
      <fieldset>
        <legend>{t("journal.salesTax")}</legend>
        {CATEGORIES.map((c) => (
          <Field
            key={c}
            id={`journal-sales-${c}`}
            label={t(CATEGORY_LABEL[c])}
            value={values[`salesTax.${c}`]!}
            onChange={set(`salesTax.${c}`)}
          />
        ))}
      </fieldset>
      <fieldset>
        <legend>{t("journal.returnTax")}</legend>
        {CATEGORIES.map((c) => (
          <Field
            key={c}
            id={`journal-return-${c}`}
            label={t(CATEGORY_LABEL[c])}
            value={values[`returnTax.${c}`]!}
            onChange={set(`returnTax.${c}`)}
          />
        ))}
      </fieldset>
      <Field id="journal-noTax" label={t("journal.noTax")} value={values.noTax!} onChange={set("noTax")} />
    </>
  );
  return (
    <section aria-labelledby="journal-title">
      <h2 id="journal-title">{t("journal.title")}</h2>
      <p className="hint">{t("journal.hint")}</p>
      {editable ? (
        <ActionForm title={t("journal.formTitle")} onSubmit={save} submit={t("journal.save")}>
          {fields}
        </ActionForm>
      ) : (
        <fieldset disabled>{fields}</fieldset>
      )}
    </section>
  );
}
