/**
 * Console: the price book with dated prices (Art. 29(1), 29(4)), the menu limits (Art. 20(3)), the
 * billing settings and the direct debit consignor.
 */

import { useState } from "react";
import { DEMO_REGISTRATION_NUMBER } from "../../../src/billing/demo-number.ts";
import { ActionForm } from "../action-form.tsx";
import { api, type Me } from "../api.ts";
import {
  BankAccountFields,
  canHandleMoney,
  EMPTY_ACCOUNT,
  type Settings,
  TAX_LABEL,
} from "../billing/shared.tsx";
import { yen } from "../format.ts";
import { formatLang, type MessageKey, useT } from "../i18n.ts";
import { FEE_KIND_LABEL } from "../labels.ts";
import { ErrorBox, Field, ScrollBox, Select, useGet, useGetAll } from "../ui.tsx";
import { JournalAccounts } from "./journal-accounts.tsx";
import { MenuLimits } from "./menu-limits.tsx";

export function PriceBookPage({ me }: { me: Me }) {
  const t = useT();
  const money = canHandleMoney(me);
  const [rows, error, reload] = useGetAll("/api/v1/billing/price-items", {});
  const data = rows && { items: rows };
  const [code, setCode] = useState("");
  const [nameJa, setNameJa] = useState("");
  const [nameEn, setNameEn] = useState("");
  const [kind, setKind] = useState("other");
  const [tax, setTax] = useState("10");
  const [price, setPrice] = useState("");
  const [priceCode, setPriceCode] = useState("");
  const [priceFrom, setPriceFrom] = useState("");
  const [newPrice, setNewPrice] = useState("");
  const num = (s: string) => (s.trim() !== "" && Number.isFinite(Number(s)) ? Number(s) : s);
  return (
    <section>
      <h1>{t("billing.priceBook")}</h1>
      <ErrorBox error={error} />
      <ScrollBox>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("billing.code")}</th>
              <th scope="col">{t("billing.name")}</th>
              <th scope="col">{t("billing.feeKind")}</th>
              <th scope="col">{t("billing.taxCategory")}</th>
              <th scope="col" className="num">
                {t("billing.currentPrice")}
              </th>
              <th scope="col">{t("billing.priceHistory")}</th>
            </tr>
          </thead>
          <tbody>
            {data?.items.map((i) => (
              <tr key={i.code}>
                <td>
                  <code>{i.code}</code>
                </td>
                <td>
                  <span lang="ja">{i.nameJa}</span>
                  <br />
                  <small className="hint" lang="en">
                    {i.nameEn}
                  </small>
                </td>
                <td>{t(FEE_KIND_LABEL[i.kind] ?? "billing.kindOther")}</td>
                <td>{t(TAX_LABEL[i.taxCategory])}</td>
                <td className="num">{i.currentPrice === null ? "—" : yen(i.currentPrice)}</td>
                <td>{i.prices.map((p) => `${p.from}〜 ${yen(p.unitPrice)}`).join(" → ")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {money && (
        <div className="grid">
          <ActionForm
            title={t("billing.addItem")}
            submit={t("billing.add")}
            onSubmit={async () => {
              await api("POST", "/billing/price-items", {
                code,
                nameJa,
                nameEn,
                kind,
                taxCategory: tax,
                unitPrice: num(price),
              });
              reload();
            }}
          >
            <Field
              id="itemCode"
              label={t("billing.code")}
              value={code}
              onChange={setCode}
              hint="log-review"
            />
            <Field id="itemNameJa" label={t("billing.nameJa")} value={nameJa} onChange={setNameJa} />
            <Field id="itemNameEn" label={t("billing.nameEn")} value={nameEn} onChange={setNameEn} />
            <Select
              id="itemKind"
              label={t("billing.feeKind")}
              value={kind}
              onChange={setKind}
              options={Object.entries(FEE_KIND_LABEL).map(([k, l]): [string, string] => [k, t(l)])}
            />
            <Select
              id="itemTax"
              label={t("billing.taxCategory")}
              value={tax}
              onChange={setTax}
              options={Object.entries(TAX_LABEL).map(([k, l]): [string, string] => [k, t(l)])}
            />
            <Field
              id="itemPrice"
              label={t("billing.unitPriceYen")}
              value={price}
              onChange={setPrice}
              inputMode="numeric"
            />
          </ActionForm>
          <ActionForm
            title={t("billing.addPrice")}
            submit={t("billing.add")}
            onSubmit={async () => {
              await api("POST", `/billing/price-items/${encodeURIComponent(priceCode)}/prices`, {
                from: priceFrom,
                unitPrice: num(newPrice),
              });
              reload();
            }}
          >
            <Select
              id="priceCode"
              label={t("billing.code")}
              value={priceCode}
              onChange={setPriceCode}
              options={[
                ["", "—"],
                ...(data?.items.map((i): [string, string] => [
                  i.code,
                  `${i.code} ${formatLang.current === "en" ? i.nameEn : i.nameJa}`,
                ]) ?? []),
              ]}
            />
            <Field
              id="priceFrom"
              label={t("billing.from")}
              type="date"
              value={priceFrom}
              onChange={setPriceFrom}
            />
            <Field
              id="priceAmount"
              label={t("billing.unitPriceYen")}
              value={newPrice}
              onChange={setNewPrice}
              inputMode="numeric"
            />
          </ActionForm>
        </div>
      )}
      <SettingsSection editable={money} />
      <ConsignorSection editable={money} />
      {money && <JournalAccounts editable />}
      <MenuLimits me={me} />
    </section>
  );
}

function SettingsSection({ editable }: { editable: boolean }) {
  const t = useT();
  const [data, error, reload] = useGet("/api/v1/billing/settings", {});
  const [draft, setDraft] = useState<Partial<Settings>>({});
  if (!data) return <ErrorBox error={error} />;
  const v = { ...data, ...draft };
  const set = (k: keyof Settings) => (x: string) => setDraft((d) => ({ ...d, [k]: x }));
  return (
    <ActionForm
      title={t("billing.settings")}
      submit={t("billing.save")}
      onSubmit={async () => {
        if (!editable) throw new Error(t("billing.readOnly"));
        const patch: Record<string, unknown> = { ...draft };
        if (typeof patch.dueMonthsAfter === "string") patch.dueMonthsAfter = Number(patch.dueMonthsAfter);
        for (const k of ["issuerPhone", "bankAccount"]) if (patch[k] === "") patch[k] = null;
        await api("PATCH", "/billing/settings", patch);
        setDraft({});
        reload();
      }}
    >
      <Field
        id="issuerName"
        label={t("billing.issuerName")}
        value={v.issuerName}
        onChange={set("issuerName")}
      />
      <Field
        id="registrationNumber"
        label={t("billing.registrationNumber")}
        value={v.registrationNumber}
        onChange={set("registrationNumber")}
        hint={t("billing.registrationHint")}
      />
      {v.registrationNumber === DEMO_REGISTRATION_NUMBER && (
        <p className="error" role="note" data-testid="demo-registration-number">
          {t("billing.demoNumber")}
        </p>
      )}
      <Field
        id="issuerAddress"
        label={t("billing.issuerAddress")}
        value={v.issuerAddress}
        onChange={set("issuerAddress")}
      />
      <Field
        id="issuerPhone"
        label={t("billing.issuerPhone")}
        value={v.issuerPhone ?? ""}
        onChange={set("issuerPhone")}
        required={false}
      />
      <Field
        id="bankAccount"
        label={t("billing.bankAccount")}
        value={v.bankAccount ?? ""}
        onChange={set("bankAccount")}
        required={false}
      />
      <Select
        id="taxRounding"
        label={t("billing.taxRounding")}
        value={v.taxRounding}
        onChange={set("taxRounding")}
        options={[
          ["down", t("billing.roundDown")],
          ["up", t("billing.roundUp")],
          ["half-up", t("billing.roundHalfUp")],
        ]}
      />
      <Select
        id="dueMonthsAfter"
        label={t("billing.dueMonthsAfter")}
        value={String(v.dueMonthsAfter)}
        onChange={set("dueMonthsAfter")}
        options={["0", "1", "2", "3"].map((n): [string, string] => [n, n])}
      />
      <Field
        id="invoicePrefix"
        label={t("billing.invoicePrefix")}
        value={v.invoicePrefix}
        onChange={set("invoicePrefix")}
      />
    </ActionForm>
  );
}

/** The provider as the originator of direct debits (委託者): what the bank gave it, for the request files. */
function ConsignorSection({ editable }: { editable: boolean }) {
  const t = useT();
  const [data, error, reload] = useGet("/api/v1/billing/settings", {});
  const [draft, setDraft] = useState<Record<string, string>>({});
  if (!data) return <ErrorBox error={error} />;
  const c: Record<string, string> = {
    consignorCode: "",
    consignorName: "",
    ...EMPTY_ACCOUNT,
    ...(data.debitConsignor ?? {}),
    ...draft,
  };
  const set = (k: string) => (v: string) => setDraft((d) => ({ ...d, [k]: v }));
  const field = (k: string, label: MessageKey, hint?: string) => (
    <Field id={`consignor-${k}`} label={t(label)} value={c[k] ?? ""} onChange={set(k)} hint={hint} />
  );
  return (
    <ActionForm
      title={t("billing.consignor")}
      submit={t("billing.save")}
      onSubmit={async () => {
        if (!editable) throw new Error(t("billing.readOnly"));
        const { accountHolder: _, ...rest } = c;
        await api("PATCH", "/billing/settings", { debitConsignor: rest });
        setDraft({});
        reload();
      }}
    >
      <p className="hint">{t("billing.consignorLead")}</p>
      {field("consignorCode", "billing.consignorCode", t("billing.consignorHint"))}
      {field("consignorName", "billing.consignorName")}
      <BankAccountFields prefix="consignor" value={c} set={set} />
    </ActionForm>
  );
}

// ---- portal: the customer's invoices, payments and credits ------------------------------------
