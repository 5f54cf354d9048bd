/**
 * Console: planned maintenance (計画メンテナンス — 提供の中止, Art. 23). The windows not yet over and
 * of the last 30 days, with their reason and article, the prior-notice deadline and when the
 * customers were told; scheduling one for a server, a contract or the whole service (the affected
 * customers are notified at once — refused when too late for the notice period unless an emergency
 * is stated, Art. 23(3)); calling one off with a reason.
 */
import { type FormEvent, useState } from "react";
import { ApiFailure, api, type Me } from "../api.ts";
import type { GetData, Schema } from "../client.ts";
import { todayInJapan } from "../clock.ts";
import { art } from "../format.ts";
import { formatLang, useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { CustomerPicker } from "../shared/customer-picker.tsx";
import {
  Basis,
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  Link,
  ScrollBox,
  Select,
  tokyoTime,
  useAction,
  useGet,
  useGetAll,
} from "../ui.tsx";
import { Check, TextArea } from "./form-fields.tsx";

export type MaintenanceWindow = GetData<"/api/v1/maintenance">[number];

const PLANNERS = ["admin", "operator"];
const SCOPES = ["item", "contract", "service"] as const;
const REASONS = ["maintenance", "failure", "carrier"] as const;
type Scope = (typeof SCOPES)[number];
type Reason = (typeof REASONS)[number];

/** A datetime-local value read as Japan time, as the API's instant (with +09:00). */
const jstInstant = (v: string) => `${v.length === 16 ? `${v}:00` : v}+09:00`;
const fill = (text: string, vars: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? `{${k}}`));
/** A date in Japan (YYYY-MM-DD) `days` after today on the instance's clock. */
const dayAfter = (days: number) => {
  const d = new Date(`${todayInJapan()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};

/** The window's state: called off, under way, over or to come. */
export function windowState(w: MaintenanceWindow, now = Date.now()) {
  if (w.cancelledAt) return "cancelled" as const;
  if (Date.parse(w.endsAt) <= now) return "over" as const;
  if (Date.parse(w.startsAt) <= now) return "ongoing" as const;
  return "planned" as const;
}

export function MaintenancePage(props: { me?: Me }) {
  const t = useT();
  const [fetchedMe] = useGet("/api/v1/me", {}, !props.me);
  const me = props.me ?? fetchedMe;
  const planner = !!me && PLANNERS.includes(me.user.role);
  const [windows, error, reload] = useGet("/api/v1/maintenance", {});
  const now = Date.now();
  const current = windows?.filter((w) => ["planned", "ongoing"].includes(windowState(w, now))) ?? [];
  const past = (
    windows?.filter((w) => !["planned", "ongoing"].includes(windowState(w, now))) ?? []
  ).reverse();
  return (
    <section>
      <h1>{t("maintenance.title")}</h1>
      <p className="hint">{t("maintenance.lead")}</p>
      <ErrorBox error={error} />
      <h2>{t("maintenance.upcoming")}</h2>
      {windows && (
        <WindowsTable items={current} planner={planner} reload={reload} testId="maintenance-upcoming" />
      )}
      {windows && current.length === 0 && <p className="hint">{t("maintenance.none")}</p>}
      {planner ? (
        <ScheduleWindow reload={reload} />
      ) : (
        me && <p className="notice">{t("maintenance.readOnly")}</p>
      )}
      <h2>{t("maintenance.past")}</h2>
      {windows && <WindowsTable items={past} planner={false} reload={reload} testId="maintenance-past" />}
      {windows && past.length === 0 && <p className="hint">{t("maintenance.none")}</p>}
    </section>
  );
}

/** The server, contract or whole service a window interrupts, and whose it is. */
export function WindowTarget({ w, base }: { w: MaintenanceWindow; base: "/console" | "/portal" }) {
  const t = useT();
  const [contract] = useGet("/api/v1/contracts/{id}", { path: { id: w.contractId ?? "" } }, !!w.contractId);
  const [customer] = useGet(
    "/api/v1/customers/{id}",
    { path: { id: w.customerId ?? "" } },
    base === "/console" && !!w.customerId,
  );
  if (w.scope === "service") return <>{t("maintenance.scope.service")}</>;
  return (
    <>
      {w.scope === "item" ? t("maintenance.scope.item") : t("maintenance.scope.contract")}{" "}
      {w.scope === "item" && w.itemName && (
        <>
          {base === "/console" && w.itemId ? (
            <Link to={`/console/servers/${w.itemId}`}>
              <span data-value>{w.itemName}</span>
            </Link>
          ) : (
            <span data-value>{w.itemName}</span>
          )}{" "}
        </>
      )}
      {contract && (
        <>
          {w.scope === "item" && "("}
          <Link to={`${base}/contracts/${contract.id}`}>
            <span data-value>{contract.number}</span>
          </Link>
          {w.scope === "item" && ")"}
        </>
      )}
      {customer && (
        <div>
          <Link to={`/console/customers/${customer.id}`}>
            <span data-value>{customer.legalName}</span>
          </Link>
        </div>
      )}
    </>
  );
}

/** Why the service is interrupted, with its article (Art. 23(1)(1), 23(1)(2), 23(2)). */
export function ReasonText({ reason }: { reason: string }) {
  const t = useT();
  const article = reason === "maintenance" ? "23(1)(1)" : reason === "failure" ? "23(1)(2)" : "23(2)";
  const key = `maintenance.reason.${reason as Reason}` as const;
  return (
    <>
      {t(key)}
      {formatLang.current === "ja" ? "" : " "}({art(article)})
    </>
  );
}

/** JST "HH:MM" of an instant. */
const hhmm = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(11, 16);
const jstDate = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().slice(0, 10);

/** A window's start and end in Japan time: one line when it starts and ends on the same day. */
export function Period({ w }: { w: MaintenanceWindow }) {
  if (jstDate(w.startsAt) === jstDate(w.endsAt)) {
    const start = tokyoTime(w.startsAt);
    return formatLang.current === "en"
      ? `${start.replace(/ JST$/, "")}–${hhmm(w.endsAt)} JST`
      : `${start}〜${hhmm(w.endsAt)}`;
  }
  return (
    <>
      {tokyoTime(w.startsAt)} 〜
      <br />
      {tokyoTime(w.endsAt)}
    </>
  );
}

export function StateText({ w }: { w: MaintenanceWindow }) {
  const t = useT();
  const state = windowState(w);
  return (
    <>
      <span
        className={`badge ${state === "ongoing" ? "state-down" : state === "planned" ? "state-pending" : "state-none"}`}
      >
        {t(`maintenance.state.${state}`)}
      </span>
      {w.cancelledAt && (
        <div>
          {tokyoTime(w.cancelledAt)}
          {w.cancelReason && (
            <>
              {" "}
              <span data-value>{w.cancelReason}</span>
            </>
          )}
        </div>
      )}
    </>
  );
}

function WindowsTable(props: {
  items: MaintenanceWindow[];
  planner: boolean;
  reload: () => void;
  testId: string;
}) {
  const t = useT();
  const [error, act] = useAction(props.reload);
  if (props.items.length === 0) return null;
  return (
    <>
      <ErrorBox error={error} />
      <ScrollBox>
        <table className="mon" data-testid={props.testId}>
          <thead>
            <tr>
              <th scope="col">{t("maintenance.col.period")}</th>
              <th scope="col">{t("maintenance.col.title")}</th>
              <th scope="col">{t("maintenance.col.target")}</th>
              <th scope="col">{t("maintenance.col.reason")}</th>
              <th scope="col">{t("maintenance.col.notice")}</th>
              <th scope="col">{t("maintenance.col.state")}</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map((w) => (
              <tr key={w.id}>
                <td className="period">
                  <Period w={w} />
                </td>
                <td>
                  <strong data-value>{w.title}</strong>
                  {w.description && (
                    <div className="hint" data-value>
                      {w.description}
                    </div>
                  )}
                </td>
                <td className="target">
                  <WindowTarget w={w} base="/console" />
                </td>
                <td>
                  <ReasonText reason={w.reason} />
                  {w.emergency && (
                    <div>
                      <strong>{t("maintenance.emergency")}</strong>
                      {w.emergencyReason && (
                        <>
                          {": "}
                          <span data-value>{w.emergencyReason}</span>
                        </>
                      )}
                    </div>
                  )}
                </td>
                <td>
                  <div>{t("maintenance.deadline")}</div>
                  <div className="period">{tokyoTime(w.noticeDeadline)}</div>
                  <div>{t("maintenance.noticedAt")}</div>
                  <div className="period">{w.noticedAt ? tokyoTime(w.noticedAt) : "—"}</div>
                </td>
                <td className="state">
                  <StateText w={w} />
                  {props.planner && windowState(w) !== "cancelled" && windowState(w) !== "over" && (
                    <CancelWindow w={w} act={act} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
    </>
  );
}

function CancelWindow({
  w,
  act,
}: {
  w: MaintenanceWindow;
  act: (fn: () => Promise<unknown>) => Promise<boolean>;
}) {
  const t = useT();
  const [reason, setReason] = useState("");
  return (
    <details className="edit">
      <summary>{t("maintenance.cancel")}</summary>
      <TextArea
        id={`cancel-${w.id}`}
        label={t("maintenance.cancelReason")}
        value={reason}
        onChange={setReason}
        rows={2}
      />
      <ConfirmButton
        label={t("maintenance.cancelButton")}
        message={t("maintenance.cancelConfirm")}
        confirm={t("maintenance.cancelYes")}
        cancel={t("confirm.cancel")}
        className="danger"
        precheck={() => (reason.trim() ? null : t("maintenance.cancelNeedsReason"))}
        onConfirm={() => act(() => api("POST", `/maintenance/${w.id}/cancel`, { reason: reason.trim() }))}
      />
    </details>
  );
}

/** The refusal of a window too late for the prior notice (Art. 23(3)), said plainly. */
interface TooLate {
  days: number;
  deadline: string;
}

function tooLateOf(err: unknown): TooLate | null {
  if (!(err instanceof ApiFailure)) return null;
  const d = err.error.details as { deadline?: unknown; leadDays?: unknown } | undefined;
  if (err.error.article !== "23(3)" || typeof d?.deadline !== "string") return null;
  return { days: typeof d.leadDays === "number" ? d.leadDays : 7, deadline: d.deadline };
}

/** Other refusals of a window in the reader's words where the API names the problem. */
function windowErrorText(t: ReturnType<typeof useT>, err: unknown): string {
  if (err instanceof ApiFailure) {
    const d = (err.error.details ?? {}) as Record<string, unknown>;
    const has = (field: string, code: string) =>
      Array.isArray(d[field]) && (d[field] as unknown[]).includes(code);
    if (has("endsAt", "before_start")) return t("maintenance.error.endsBeforeStart");
    if (has("endsAt", "past")) return t("maintenance.error.over");
    if (has("emergencyReason", "required")) return t("maintenance.error.emergencyReason");
    if (has("itemId", "required")) return t("maintenance.error.chooseServer");
    if (has("contractId", "required")) return t("maintenance.error.chooseContract");
  }
  return errorText(err);
}

type Created = { id: string; noticeDeadline: string; notified: number; basis: Schema<"Basis">[] };

function ScheduleWindow({ reload }: { reload: () => void }) {
  const t = useT();
  const l = useLabels();
  const [scope, setScope] = useState<Scope>("item");
  const [customerId, setCustomerId] = useState("");
  const [itemId, setItemId] = useState("");
  const [contractId, setContractId] = useState("");
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [reason, setReason] = useState<Reason>("maintenance");
  const [starts, setStarts] = useState(`${dayAfter(8)}T02:00`);
  const [ends, setEnds] = useState(`${dayAfter(8)}T04:00`);
  const [emergency, setEmergency] = useState(false);
  const [emergencyReason, setEmergencyReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [tooLate, setTooLate] = useState<TooLate | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [items] = useGetAll("/api/v1/inventory", { query: { customerId } }, scope === "item" && !!customerId);
  const [contracts] = useGetAll(
    "/api/v1/contracts",
    { query: { customerId } },
    scope === "contract" && !!customerId,
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setTooLate(null);
    setCreated(null);
    if (scope === "item" && !itemId) return setError(t("maintenance.error.chooseServer"));
    if (scope === "contract" && !contractId) return setError(t("maintenance.error.chooseContract"));
    if (emergency && !emergencyReason.trim()) return setError(t("maintenance.error.emergencyReason"));
    try {
      const r = await api<Created>("POST", "/maintenance", {
        scope,
        ...(scope === "item" ? { itemId } : {}),
        ...(scope === "contract" ? { contractId } : {}),
        title: title.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        reason,
        startsAt: jstInstant(starts),
        endsAt: jstInstant(ends),
        emergency,
        ...(emergency ? { emergencyReason: emergencyReason.trim() } : {}),
      });
      setCreated(r);
      setTitle("");
      setDescription("");
      setEmergency(false);
      setEmergencyReason("");
      reload();
    } catch (err) {
      const late = tooLateOf(err);
      if (late) setTooLate(late);
      else setError(windowErrorText(t, err));
    }
  };
  return (
    <form
      className="card"
      onSubmit={submit}
      aria-labelledby="schedule-window-title"
      data-testid="schedule-window"
    >
      <h2 id="schedule-window-title">{t("maintenance.form.title")}</h2>
      <p className="hint">{t("maintenance.form.lead")}</p>
      <Select
        id="window-scope"
        label={t("maintenance.form.scope")}
        value={scope}
        onChange={(v) => setScope(v as Scope)}
        options={SCOPES.map((s): [string, string] => [s, t(`maintenance.scope.${s}`)])}
      />
      {scope !== "service" ? (
        <div className="form-grid window-target">
          <CustomerPicker
            id="window-customer"
            label={t("maintenance.form.customer")}
            value={customerId}
            onChange={(id) => {
              setCustomerId(id);
              setItemId("");
              setContractId("");
            }}
            empty="—"
          />
          {scope === "item" && (
            <Select
              id="window-item"
              label={t("maintenance.form.server")}
              value={itemId}
              onChange={setItemId}
              options={[
                ["", "—"],
                ...(items ?? []).map((i): [string, string] => [i.id, `${i.name} (${i.contractNumber})`]),
              ]}
              dataOptions
            />
          )}
          {scope === "contract" && (
            <Select
              id="window-contract"
              label={t("maintenance.form.contract")}
              value={contractId}
              onChange={setContractId}
              options={[
                ["", "—"],
                ...(contracts ?? []).map((c): [string, string] => [
                  c.id,
                  `${c.number} (${l.plan(c.plan)} · ${l.status(c.status)})`,
                ]),
              ]}
              dataOptions
            />
          )}
        </div>
      ) : (
        <p className="notice">{t("maintenance.form.serviceWide")}</p>
      )}
      {scope !== "service" && customerId && (scope === "item" ? items : contracts)?.length === 0 && (
        <p className="hint">
          {t(scope === "item" ? "maintenance.form.noServers" : "maintenance.form.noContracts")}
        </p>
      )}
      <Select
        id="window-reason"
        label={t("maintenance.form.reason")}
        value={reason}
        onChange={(v) => setReason(v as Reason)}
        options={REASONS.map((r): [string, string] => [r, t(`maintenance.reasonOption.${r}`)])}
      />
      <Field id="window-title" label={t("maintenance.form.titleField")} value={title} onChange={setTitle} />
      <TextArea
        id="window-description"
        label={t("maintenance.form.description")}
        value={description}
        onChange={setDescription}
        hint={t("maintenance.form.descriptionHint")}
      />
      <div className="form-grid">
        <Field
          id="window-starts"
          label={t("maintenance.form.starts")}
          type="datetime-local"
          value={starts}
          onChange={setStarts}
        />
        <Field
          id="window-ends"
          label={t("maintenance.form.ends")}
          type="datetime-local"
          value={ends}
          onChange={setEnds}
        />
      </div>
      <Check
        id="window-emergency"
        label={t("maintenance.form.emergency")}
        checked={emergency}
        onChange={setEmergency}
      />
      {emergency && (
        <TextArea
          id="window-emergency-reason"
          label={t("maintenance.form.emergencyReason")}
          value={emergencyReason}
          onChange={setEmergencyReason}
          required
          hint={t("maintenance.form.emergencyHint")}
        />
      )}
      <ErrorBox error={error} />
      {tooLate && (
        <div className="error" role="alert" data-testid="maintenance-too-late">
          <p>
            <strong>
              {fill(t("maintenance.tooLate"), { days: tooLate.days, deadline: tokyoTime(tooLate.deadline) })}
            </strong>{" "}
            ({art("23(3)")})
          </p>
          <p>
            {fill(t("maintenance.tooLateHelp"), {
              earliest: tokyoTime(new Date(Date.now() + tooLate.days * 86_400_000).toISOString()),
            })}
          </p>
        </div>
      )}
      {created && (
        <div role="status" className="notice" data-testid="maintenance-created">
          <p>
            {fill(t("maintenance.form.done"), { n: created.notified })}{" "}
            {fill(t("maintenance.form.doneDeadline"), { deadline: tokyoTime(created.noticeDeadline) })}
          </p>
          <Basis basis={created.basis} title={t("maintenance.form.basis")} />
        </div>
      )}
      <button type="submit">{t("maintenance.form.submit")}</button>
    </form>
  );
}
