/**
 * The billing panel of a contract page: its charges, special fees, unavailability and cloud accounts
 * (Art. 29, 30(4), 36).
 */

import { useState } from "react";
import { ActionForm } from "../action-form.tsx";
import { api, type Me } from "../api.ts";
import { monthInJapan } from "../clock.ts";
import { art, yen } from "../format.ts";
import { formatLang, useT } from "../i18n.ts";
import {
  Basis,
  ErrorBox,
  Field,
  LineDescription,
  LineNote,
  MoreButton,
  ScrollBox,
  Select,
  useGet,
  useGetAll,
  useGetPages,
} from "../ui.tsx";
import { canHandleMoney, InvoicesTable } from "./shared.tsx";

export function ContractBillingPanel({ id, me, onChanged }: { id: string; me: Me; onChanged?: () => void }) {
  const t = useT();
  const isStaff = me.user.kind === "staff";
  const money = isStaff && canHandleMoney(me);
  const [month, setMonth] = useState(monthInJapan());
  const valid = /^\d{4}-(0[1-9]|1[0-2])$/.test(month);
  const [data, error, reload] = useGet(
    "/api/v1/contracts/{id}/billing",
    { path: { id }, query: { month } },
    valid,
  );
  const [invoices, , , moreInvoices] = useGetPages("/api/v1/invoices", {
    query: { contractId: id, limit: 24 },
  });
  const [oneOff, , reloadOneOff, moreOneOff] = useGetPages("/api/v1/contracts/{id}/charges", {
    path: { id },
  });
  const [items] = useGetAll("/api/v1/billing/price-items", {}, isStaff);
  const [workCode, setWorkCode] = useState("");
  const [workQty, setWorkQty] = useState("1");
  const [startedAt, setStartedAt] = useState("");
  const [endedAt, setEndedAt] = useState("");
  const [attribution, setAttribution] = useState("provider");
  const [cause, setCause] = useState("failure");
  const [evaded, setEvaded] = useState("");
  const [plannedOn, setPlannedOn] = useState("");
  const [startedOn, setStartedOn] = useState("");
  const [lateBy, setLateBy] = useState("provider");
  const [sfNote, setSfNote] = useState("");
  const base = isStaff ? "/console" : "/portal";
  // datetime-local has no zone: the staff enter Japan time (the terms' clock).
  const jst = (local: string) => (local.length === 16 ? `${local}:00+09:00` : local);
  return (
    <section aria-labelledby="billing-panel">
      <h2 id="billing-panel">{t("billing.contractPanel")}</h2>
      <Field id="billingMonth" label={t("billing.month")} value={month} onChange={setMonth} hint="YYYY-MM" />
      <ErrorBox error={error} />
      {data && (
        <>
          <ScrollBox>
            <table>
              <caption>
                {t("billing.chargesFor").replace("{month}", data.month)}
                {data.charges.result.billable ? "" : ` — ${t("billing.notBillable")}`}
              </caption>
              <tbody>
                {data.charges.result.lines.map((l, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: lines are ordered per month
                  <tr key={i}>
                    <td>
                      <LineDescription line={l} />
                      <br />
                      <LineNote line={l} />
                    </td>
                    <td className="num">{yen(l.amount)}</td>
                    <td className="article">{art(l.article)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          <Basis basis={data.charges.basis} title={t("contracts.why")} />
          <dl className="facts">
            <dt>{t("billing.monthlyFee")}</dt>
            <dd>{yen(data.monthlyFee)}</dd>
            <dt>{t("billing.damagesCap")}</dt>
            <dd data-testid="damages-cap">
              {yen(data.damagesCap.result.cap)} ({art("39")})
            </dd>
            <dt>{t("billing.sla")}</dt>
            <dd data-testid="sla-credit">
              {data.sla.result.hours} h → {data.sla.result.percentage}% → {yen(data.sla.result.credit)}
            </dd>
          </dl>
          <Basis basis={[...data.damagesCap.basis, ...data.sla.basis]} title={t("contracts.why")} />
          {data.periods.length > 0 && (
            <ScrollBox>
              <table>
                <caption>{t("billing.periods")}</caption>
                <tbody>
                  {data.periods.map((p) => (
                    <tr key={p.id}>
                      <td>
                        {new Date(p.startedAt).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" })} →{" "}
                        {new Date(p.endedAt).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" })}
                      </td>
                      <td>{p.attribution}</td>
                      <td>{p.cause}</td>
                      <td>{p.note}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {data.credits.length > 0 && (
            <ScrollBox>
              <table>
                <caption>{t("billing.slaCredits")}</caption>
                <tbody>
                  {data.credits.map((c) => (
                    <tr key={c.month}>
                      <td>{c.month}</td>
                      <td>{c.hours} h</td>
                      <td>{c.percentage}%</td>
                      <td className="num">{yen(c.credit)}</td>
                      <td>{c.invoiceId ? t("billing.onInvoice") : t("billing.onNextInvoice")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
          {data.cancelledOptions.length > 0 && (
            <p>
              {t("billing.cancelledOptions")}:{" "}
              {data.cancelledOptions.map((o) => `${o.option} (${o.receivedOn})`).join(", ")} ({art("11")})
            </p>
          )}
        </>
      )}
      {oneOff && oneOff.items.length > 0 && (
        <ScrollBox>
          <table>
            <caption>{t("billing.oneOff")}</caption>
            <tbody>
              {oneOff.items.map((c) => (
                <tr key={c.id}>
                  <td>{c.month}</td>
                  <td>
                    <LineDescription line={c} />
                    <br />
                    <LineNote line={c} />
                  </td>
                  <td className="num">{yen(c.amount)}</td>
                  <td className="article">{art(c.article)}</td>
                  <td>{c.invoiceId ? t("billing.onInvoice") : t("billing.onNextInvoice")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <MoreButton more={moreOneOff} label={t("list.more")} />
      {invoices && invoices.items.length > 0 && <InvoicesTable items={invoices.items} base={base} />}
      <MoreButton more={moreInvoices} label={t("list.more")} />
      {isStaff && (
        <div className="grid">
          <ActionForm
            title={t("billing.addWork")}
            submit={t("billing.add")}
            onSubmit={async () => {
              await api("POST", `/contracts/${id}/charges`, {
                itemCode: workCode,
                quantity: Number(workQty),
              });
              reloadOneOff();
            }}
          >
            <Select
              id="workCode"
              label={t("billing.code")}
              value={workCode}
              onChange={setWorkCode}
              options={[
                ["", "—"],
                ...(items
                  ?.filter((i) => i.kind === "other" && i.active)
                  .map((i): [string, string] => [
                    i.code,
                    `${formatLang.current === "en" ? i.nameEn : i.nameJa} ${i.currentPrice === null ? "" : yen(i.currentPrice)}`,
                  ]) ?? []),
              ]}
            />
            <Field
              id="workQty"
              label={t("billing.quantity")}
              value={workQty}
              onChange={setWorkQty}
              inputMode="numeric"
            />
          </ActionForm>
          <ActionForm
            title={t("billing.recordUnavailability")}
            submit={t("lifecycle.record")}
            onSubmit={async () => {
              await api("POST", `/contracts/${id}/unavailability`, {
                startedAt: jst(startedAt),
                endedAt: jst(endedAt),
                attribution,
                cause,
              });
              reload();
            }}
          >
            <Field
              id="outageStart"
              label={t("billing.awareness")}
              type="datetime-local"
              value={startedAt}
              onChange={setStartedAt}
            />
            <Field
              id="outageEnd"
              label={t("billing.restoration")}
              type="datetime-local"
              value={endedAt}
              onChange={setEndedAt}
            />
            <Select
              id="outageAttribution"
              label={t("billing.attribution")}
              value={attribution}
              onChange={setAttribution}
              options={[
                ["provider", t("billing.attrProvider")],
                ["customer", t("billing.attrCustomer")],
                ["carrier", t("billing.attrCarrier")],
                ["cloud", t("billing.attrCloud")],
              ]}
            />
            <Select
              id="outageCause"
              label={t("billing.cause")}
              value={cause}
              onChange={setCause}
              options={[
                ["failure", t("billing.causeFailure")],
                ["interruption", t("billing.causeInterruption")],
                ["emergency_stop", t("billing.causeEmergency")],
                ["abolition", t("billing.causeAbolition")],
              ]}
            />
          </ActionForm>
          <ActionForm
            title={t("billing.lateStart")}
            submit={t("lifecycle.record")}
            onSubmit={async () => {
              await api("POST", `/contracts/${id}/late-start`, { plannedOn, startedOn, attribution: lateBy });
              onChanged?.();
            }}
          >
            <Field
              id="plannedOn"
              label={t("billing.plannedOn")}
              type="date"
              value={plannedOn}
              onChange={setPlannedOn}
            />
            <Field
              id="startedOn"
              label={t("billing.startedOn")}
              type="date"
              value={startedOn}
              onChange={setStartedOn}
            />
            <Select
              id="lateBy"
              label={t("billing.attribution")}
              value={lateBy}
              onChange={setLateBy}
              options={[
                ["provider", t("billing.attrProvider")],
                ["carrier", t("billing.attrCarrier")],
              ]}
            />
          </ActionForm>
          {money && (
            <ActionForm
              title={t("billing.specialFee")}
              submit={t("billing.add")}
              onSubmit={async () => {
                await api("POST", `/contracts/${id}/special-fees`, {
                  evaded: evaded.trim() !== "" && Number.isFinite(Number(evaded)) ? Number(evaded) : evaded,
                  note: sfNote,
                });
                reloadOneOff();
              }}
            >
              <Field
                id="sfEvaded"
                label={t("billing.evaded")}
                value={evaded}
                onChange={setEvaded}
                inputMode="numeric"
              />
              <Field id="sfNote" label={t("billing.sfNote")} value={sfNote} onChange={setSfNote} />
            </ActionForm>
          )}
        </div>
      )}
    </section>
  );
}
