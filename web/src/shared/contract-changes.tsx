/**
 * Changes of a contract's content (Art. 20(2)–(4), 29(4), 29(5)): the request form with its fees, the changes of a contract, the decision.
 */

import { type FormEvent, useState } from "react";
import { api, type Me } from "../api.ts";
import type { Schema } from "../client.ts";
import { yen } from "../format.ts";
import { type MessageKey, useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import {
  Basis,
  type BasisItem,
  ErrorBox,
  errorText,
  Field,
  MoreButton,
  ScrollBox,
  Select,
  useAction,
  useGet,
  useGetPages,
} from "../ui.tsx";

export type Server = Schema<"ContractContent">["servers"][number];

export type Content = Schema<"ContractContent">;

export type Change = Schema<"ContractChange">;

export interface ChargeLine {
  itemCode: string | null;
  description: string;
  amount: number;
}

export type Preview = Schema<"ChangePreview">;

/** The steps of a change in the reader's language. */
export function ChangeSteps({ before, after }: { before: Content; after: Content }) {
  const t = useT();
  const l = useLabels();
  const steps: string[] = [];
  if (before.plan !== after.plan)
    steps.push(`${t("changes.plan")}: ${l.plan(before.plan)} → ${l.plan(after.plan)}`);
  for (const o of after.options)
    if (!before.options.includes(o)) steps.push(`${t("changes.optionAdded")}: ${l.option(o)}`);
  for (const o of before.options)
    if (!after.options.includes(o)) steps.push(`${t("changes.optionRemoved")}: ${l.option(o)}`);
  const key = (s: Server) => s.hostname.toLowerCase();
  const had = new Set(before.servers.map(key));
  const has = new Set(after.servers.map(key));
  const added = after.servers.filter((s) => !had.has(key(s)));
  const removed = before.servers.filter((s) => !has.has(key(s)));
  if (added.length) steps.push(`${t("changes.serversAdded")}: ${added.map((s) => s.hostname).join(", ")}`);
  if (removed.length)
    steps.push(`${t("changes.serversRemoved")}: ${removed.map((s) => s.hostname).join(", ")}`);
  if (before.committedMonths !== after.committedMonths)
    steps.push(
      `${t("changes.term")}: ${
        after.committedMonths === null
          ? t("changes.minimumTerm")
          : t("changes.months").replace("{n}", String(after.committedMonths))
      }`,
    );
  return (
    <ul className="steps">
      {steps.map((s) => (
        <li key={s}>{s}</li>
      ))}
    </ul>
  );
}

export const STATUS_KEY: Record<Change["status"], MessageKey> = {
  requested: "changes.status.requested",
  confirmed: "changes.status.confirmed",
  refused: "changes.status.refused",
  cancelled: "changes.status.cancelled",
};

/** The request form: what to change, a preview of what it costs from when, then the request. */
export function ChangeRequestForm({
  contract,
  me,
  onSent,
}: {
  contract: { id: string; plan: string; options: string[]; servers: Server[] };
  me: Me;
  onSent: () => void;
}) {
  const t = useT();
  const l = useLabels();
  const [catalogue] = useGet("/api/v1/catalogue", {});
  const staff = me.user.kind === "staff";
  const [plan, setPlan] = useState(contract.plan);
  const [options, setOptions] = useState<string[]>(contract.options);
  const [drop, setDrop] = useState<string[]>([]);
  const [add, setAdd] = useState("");
  const [provider, setProvider] = useState("aws");
  const [term, setTerm] = useState("");
  const [receivedOn, setReceivedOn] = useState("");
  const [channel, setChannel] = useState("paper");
  const [note, setNote] = useState("");
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const body = () => {
    const addServers = add
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const [hostname, os] = l.split(/\s*,\s*/);
        return { hostname: hostname!, provider, ...(os ? { os } : {}) };
      });
    const addOptions = options.filter((o) => !contract.options.includes(o));
    const removeOptions = contract.options.filter((o) => !options.includes(o));
    return {
      ...(plan !== contract.plan ? { plan } : {}),
      ...(addOptions.length ? { addOptions } : {}),
      ...(removeOptions.length ? { removeOptions } : {}),
      ...(addServers.length ? { addServers } : {}),
      ...(drop.length ? { removeServers: drop } : {}),
      ...(term === "" ? {} : { committedMonths: term === "none" ? null : Number(term) }),
      ...(staff && receivedOn ? { receivedOn } : {}),
    };
  };
  const edit =
    <T,>(f: (v: T) => void) =>
    (v: T) => {
      f(v);
      setPreview(null);
      setSent(false);
    };
  const doPreview = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      setPreview(await api<Preview>("POST", `/contracts/${contract.id}/changes/preview`, body()));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const send = async () => {
    setError(null);
    try {
      await api("POST", `/contracts/${contract.id}/changes`, {
        ...body(),
        ...(staff ? { channel, ...(note ? { note } : {}) } : {}),
      });
      setSent(true);
      setPreview(null);
      onSent();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={doPreview} aria-label={t("changes.request")}>
      <h3>{t("changes.request")}</h3>
      <p className="hint">{t("changes.pendingHint")}</p>
      <Select
        id="changePlan"
        label={t("changes.plan")}
        value={plan}
        onChange={edit(setPlan)}
        options={(catalogue?.plans.map((p) => p.code) ?? []).map((p) => [
          p,
          p === contract.plan ? `${l.plan(p)} (${t("changes.current")})` : l.plan(p),
        ])}
      />
      <fieldset>
        <legend>{t("changes.options")}</legend>
        {(catalogue?.options.map((o) => o.code) ?? []).map((o) => (
          <label key={o} className="check">
            <input
              type="checkbox"
              checked={options.includes(o)}
              onChange={(e) =>
                edit(setOptions)(e.target.checked ? [...options, o] : options.filter((x) => x !== o))
              }
            />{" "}
            {l.option(o)}
          </label>
        ))}
      </fieldset>
      {contract.servers.length > 0 && (
        <fieldset>
          <legend>{t("changes.removeServers")}</legend>
          {contract.servers.map((s) => (
            <label key={s.hostname} className="check">
              <input
                type="checkbox"
                checked={drop.includes(s.hostname)}
                onChange={(e) =>
                  edit(setDrop)(
                    e.target.checked ? [...drop, s.hostname] : drop.filter((x) => x !== s.hostname),
                  )
                }
              />{" "}
              {s.hostname}
            </label>
          ))}
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="addServers">{t("changes.addServers")}</label>
        <textarea id="addServers" rows={2} value={add} onChange={(e) => edit(setAdd)(e.target.value)} />
        <small className="hint">{t("changes.addServersHint")}</small>
      </div>
      <Select
        id="changeProvider"
        label={t("changes.provider")}
        value={provider}
        onChange={edit(setProvider)}
        options={(catalogue?.providers ?? []).map((p) => [p, l.provider(p)])}
      />
      <Select
        id="changeTerm"
        label={t("changes.term")}
        value={term}
        onChange={edit(setTerm)}
        options={[
          ["", t("changes.unchanged")],
          ["none", t("changes.minimumTerm")],
          ...[6, 12, 24, 36].map((n): [string, string] => [
            String(n),
            t("changes.months").replace("{n}", String(n)),
          ]),
        ]}
      />
      {staff && (
        <>
          <Field
            id="changeReceived"
            label={t("changes.receivedOn")}
            type="date"
            value={receivedOn}
            onChange={edit(setReceivedOn)}
            required={false}
            hint={t("changes.receivedHint")}
          />
          <Select
            id="changeChannel"
            label={t("changes.channel")}
            value={channel}
            onChange={setChannel}
            options={[
              ["paper", t("changes.channel.paper")],
              ["email", t("changes.channel.email")],
            ]}
          />
          <Field id="changeNote" label={t("changes.note")} value={note} onChange={setNote} required={false} />
        </>
      )}
      <ErrorBox error={error} />
      {sent && <p role="status">{t("changes.sent")}</p>}
      <button type="submit" className="secondary">
        {t("changes.preview")}
      </button>
      {preview && (
        <div data-testid="change-preview">
          <h4>
            {t("changes.from")} {preview.receivedOn}
          </h4>
          <ChangeSteps before={preview.before} after={preview.after} />
          <ScrollBox>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("changes.month")}</th>
                  <th scope="col" className="num">
                    {t("changes.before")}
                  </th>
                  <th scope="col" className="num">
                    {t("changes.after")}
                  </th>
                </tr>
              </thead>
              <tbody>
                {preview.months.map((m, i) => (
                  <tr key={m.month}>
                    <td>{m.month}</td>
                    <td className="num">{yen(m.before)}</td>
                    <td className="num">
                      {yen(m.after)}
                      {i === 0 && preview.initialFees > 0 && (
                        <small>
                          {" "}
                          ({t("changes.inclInitial")} {yen(preview.initialFees)})
                        </small>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
          {preview.initialFees > 0 && (
            <p>
              {t("changes.initialFees")}: {yen(preview.initialFees)}
            </p>
          )}
          <p className="hint">{t("changes.taxExcluded")}</p>
          <Basis basis={preview.basis} title={t("contracts.why")} />
          <button type="button" onClick={send}>
            {t("changes.send")}
          </button>
        </div>
      )}
    </form>
  );
}

/** A contract's changes with their decisions; cancel (with the fees it caused), confirm, refuse. */
export function ContractChanges({
  contractId,
  me,
  onChanged,
}: {
  contractId: string;
  me: Me;
  onChanged: () => void;
}) {
  const t = useT();
  const [list, error, reload, more] = useGetPages("/api/v1/contracts/{id}/changes", {
    path: { id: contractId },
  });
  const done = () => {
    reload();
    onChanged();
  };
  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">{t("changes.title")}</h2>
      <ErrorBox error={error} />
      {list && list.items.length === 0 && <p>{t("changes.none")}</p>}
      {list && list.items.length > 0 && (
        <ScrollBox>
          <table data-testid="contract-changes">
            <thead>
              <tr>
                <th scope="col">{t("changes.receivedOn")}</th>
                <th scope="col">{t("changes.what")}</th>
                <th scope="col">{t("changes.statusCol")}</th>
                <th scope="col">{t("changes.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((c) => (
                <tr key={c.id}>
                  <td>{c.receivedOn}</td>
                  <td>
                    <ChangeSteps before={c.before} after={c.after} />
                    {c.kind === "option_cancellation" && <small>{t("changes.optionCancellation")}</small>}
                  </td>
                  <td>
                    {t(STATUS_KEY[c.status])}
                    {c.effectiveOn && ` (${t("changes.effectiveOn")} ${c.effectiveOn})`}
                    {c.refusalReason && ` — ${c.refusalReason}`}
                    {c.cancellationFees !== null && c.cancellationFees > 0 && ` — ${yen(c.cancellationFees)}`}
                  </td>
                  <td>{c.status === "requested" && <Decide change={c} me={me} onDone={done} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

export function Decide({ change, me, onDone }: { change: Change; me: Me; onDone: () => void }) {
  const t = useT();
  const ops = me.user.kind === "staff" && ["admin", "operator"].includes(me.user.role);
  const canCancel = ops || me.user.role === "customer-admin";
  const [fees, setFees] = useState<{ fees: number; basis: BasisItem[] } | null>(null);
  const [effectiveOn, setEffectiveOn] = useState("");
  const [reason, setReason] = useState("");
  const [error, run] = useAction(onDone);
  const [feesError, setFeesError] = useState<string | null>(null);
  return (
    <div className="decide">
      <ErrorBox error={error ?? feesError} />
      {ops && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() =>
              api("POST", `/contract-changes/${change.id}/confirm`, effectiveOn ? { effectiveOn } : {}),
            );
          }}
        >
          <Field
            id={`effective-${change.id}`}
            label={t("changes.effectiveOn")}
            type="date"
            value={effectiveOn}
            onChange={setEffectiveOn}
            required={false}
          />
          <button type="submit">{t("changes.confirm")}</button>
        </form>
      )}
      {ops && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => api("POST", `/contract-changes/${change.id}/refuse`, { reason }));
          }}
        >
          <Field id={`reason-${change.id}`} label={t("changes.reason")} value={reason} onChange={setReason} />
          <button type="submit" className="secondary">
            {t("changes.refuse")}
          </button>
        </form>
      )}
      {canCancel && !fees && (
        <button
          type="button"
          className="secondary"
          onClick={() =>
            void api<{ fees: number; basis: BasisItem[] }>(
              "GET",
              `/contract-changes/${change.id}/cancellation`,
            ).then(setFees, (e) => setFeesError(errorText(e)))
          }
        >
          {t("changes.cancel")}
        </button>
      )}
      {fees && (
        <div role="alertdialog" aria-label={t("changes.cancel")}>
          <p>
            {fees.fees > 0
              ? t("changes.cancelFees").replace("{fees}", yen(fees.fees))
              : t("changes.cancelFree")}
          </p>
          <Basis basis={fees.basis} title={t("contracts.why")} />
          <button
            type="button"
            onClick={() =>
              void run(() =>
                api("POST", `/contract-changes/${change.id}/cancel`, { expectedFees: fees.fees }),
              )
            }
          >
            {t("changes.cancelConfirm")}
          </button>{" "}
          <button type="button" className="secondary" onClick={() => setFees(null)}>
            {t("changes.keep")}
          </button>
        </div>
      )}
    </div>
  );
}
