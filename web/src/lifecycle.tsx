/** Console and portal pages for the rest of the lifecycle: provider actions, inquiries, changes, terms. */
import { type FormEvent, type ReactNode, useState } from "react";
import { api, type Me } from "./api.ts";
import { art } from "./format.ts";
import { useT } from "./i18n.ts";
import { ErrorBox, errorText, Field, MoreButton, ScrollBox, Select, useAll, useList } from "./ui.tsx";

/** A small titled form that shows the API's error or a tick on success. */
export function ActionForm({
  title,
  onSubmit,
  children,
  submit,
}: {
  title: string;
  onSubmit: () => Promise<unknown>;
  children: ReactNode;
  submit: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const [ok, setOk] = useState(false);
  const run = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setOk(false);
    try {
      await onSubmit();
      setOk(true);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={run} aria-label={title}>
      <h3>{title}</h3>
      {children}
      <ErrorBox error={error} />
      {ok && <p role="status">✓</p>}
      <button type="submit">{submit}</button>
    </form>
  );
}

const TERMINATION_REASONS: [string, string][] = [
  ["suspension_not_cured", "停止の原因が解消されない (25(1))"],
  ["suspension_harms_business", "停止事由が業務に支障 (25(2))"],
  ["breach_not_cured", "催告後も違反が是正されない (25(3)(1))"],
  ["no_prospect_of_performance", "履行の見込みがない (25(3)(2))"],
  ["serious_damage", "重大な損害 (25(3)(3))"],
  ["licence_revoked", "営業取消・停止 (25(3)(4))"],
  ["attachment", "差押等 (25(3)(5))"],
  ["tax_delinquency", "滞納処分 (25(3)(6))"],
  ["dishonoured_bills", "不渡り (25(3)(7))"],
  ["insolvency_filing", "倒産手続の申立て (25(3)(8))"],
  ["payment_stop", "支払停止 (25(3)(9))"],
  ["merger_dissolution", "合併・解散 (25(3)(10))"],
  ["deteriorated_finances", "財産状態の悪化 (25(3)(11))"],
  ["similar", "その他準ずる事由 (25(3)(12))"],
];

/** Provider actions on one contract (console). */
export function ContractActions({ id, me, onDone }: { id: string; me: Me; onDone: () => void }) {
  const t = useT();
  const [received, setReceived] = useState("");
  const [month, setMonth] = useState("");
  const [reason, setReason] = useState("breach_not_cured");
  const [arrived, setArrived] = useState("");
  const [deleteOn, setDeleteOn] = useState("");
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const done = async (p: Promise<unknown>) => {
    await p;
    onDone();
  };
  return (
    <section aria-labelledby="actions-title">
      <h2 id="actions-title">{t("lifecycle.actions")}</h2>
      <div className="grid">
        <ActionForm
          title={t("lifecycle.paperCancellation")}
          submit={t("lifecycle.record")}
          onSubmit={() =>
            done(
              api("POST", `/contracts/${id}/paper-cancellation`, {
                receivedOn: received,
                ...(month ? { month } : {}),
              }),
            )
          }
        >
          <Field
            id="paperReceived"
            label={t("contracts.whatIfReceived")}
            type="date"
            value={received}
            onChange={setReceived}
          />
          <Field
            id="paperMonth"
            label={t("contracts.whatIfMonth")}
            value={month}
            onChange={setMonth}
            required={false}
          />
        </ActionForm>
        {me.user.role === "admin" && (
          <ActionForm
            title={t("lifecycle.terminate")}
            submit={t("lifecycle.terminate")}
            onSubmit={() =>
              done(api("POST", `/contracts/${id}/terminate`, { reason, noticeArrivedOn: arrived }))
            }
          >
            <Select
              id="terminateReason"
              label={t("lifecycle.reason")}
              value={reason}
              onChange={setReason}
              options={TERMINATION_REASONS}
            />
            <Field
              id="noticeArrivedOn"
              label={t("lifecycle.noticeArrivedOn")}
              type="date"
              value={arrived}
              onChange={setArrived}
            />
          </ActionForm>
        )}
        <ActionForm
          title={t("lifecycle.deletion")}
          submit={t("lifecycle.schedule")}
          onSubmit={() => done(api("POST", `/contracts/${id}/deletion`, { on: deleteOn }))}
        >
          <Field
            id="deleteOn"
            label={t("contracts.date")}
            type="date"
            value={deleteOn}
            onChange={setDeleteOn}
          />
        </ActionForm>
        <ActionForm
          title={t("lifecycle.inquiry")}
          submit={t("notices.send")}
          onSubmit={() => done(api("POST", `/contracts/${id}/inquiries`, { subject, body }))}
        >
          <Field id="inqSubject" label={t("notices.subject")} value={subject} onChange={setSubject} />
          <div className="field">
            <label htmlFor="inqBody">{t("notices.body")}</label>
            <textarea id="inqBody" value={body} onChange={(e) => setBody(e.target.value)} rows={3} required />
          </div>
        </ActionForm>
      </div>
    </section>
  );
}

interface Inquiry {
  id: string;
  contractNumber: string;
  subject: string;
  body: string;
  sentOn: string;
  deadline: string;
  answeredAt: string | null;
  answer: string | null;
  overdue: boolean;
  eligibleForStop: boolean;
}

export function InquiriesPage({ me }: { me: Me }) {
  const t = useT();
  const [data, error, reload, more] = useList<Inquiry>("/inquiries");
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [answerError, setAnswerError] = useState<string | null>(null);
  return (
    <section>
      <h1>{t("lifecycle.inquiries")}</h1>
      <ErrorBox error={error ?? answerError} />
      {data?.items.length === 0 && <p>{t("notices.none")}</p>}
      {data?.items.map((q) => (
        <article key={q.id} className={`card${q.eligibleForStop ? " flagged" : ""}`}>
          <h2>
            {q.contractNumber}: {q.subject}
          </h2>
          <p className="hint">
            {q.sentOn} → {t("lifecycle.deadline")} {q.deadline} ({art("44(3)")})
            {q.overdue ? ` — ${t("lifecycle.overdue")}` : ""}
            {q.eligibleForStop ? ` — ${t("lifecycle.eligibleForStop")}` : ""}
          </p>
          <pre className="body" data-value>
            {q.body}
          </pre>
          {q.answeredAt ? (
            <p>
              {t("lifecycle.answer")}: {q.answer}
            </p>
          ) : (
            me.user.kind === "customer" && (
              <form
                onSubmit={async (e) => {
                  e.preventDefault();
                  setAnswerError(null);
                  try {
                    await api("POST", `/inquiries/${q.id}/answer`, { answer: answers[q.id] ?? "" });
                    reload();
                  } catch (err) {
                    setAnswerError(errorText(err));
                  }
                }}
              >
                <div className="field">
                  <label htmlFor={`answer-${q.id}`}>{t("lifecycle.answer")}</label>
                  <textarea
                    id={`answer-${q.id}`}
                    value={answers[q.id] ?? ""}
                    onChange={(e) => setAnswers((a) => ({ ...a, [q.id]: e.target.value }))}
                    rows={3}
                    required
                  />
                </div>
                <button type="submit">{t("lifecycle.sendAnswer")}</button>
              </form>
            )
          )}
        </article>
      ))}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

interface Change {
  id: string;
  legalName: string;
  changes: Record<string, unknown>;
  status: string;
  requestedAt: string;
}

/** Portal: submit a change of company data (pending until confirmed, Art. 20(4)); console: confirm or refuse. */
export function ChangesPage({ me }: { me: Me }) {
  const t = useT();
  const [data, error, reload, more] = useList<Change>(
    me.user.kind === "staff" ? "/customer-changes?status=pending" : "/customer-changes",
  );
  const [address, setAddress] = useState("");
  const [legalName, setLegalName] = useState("");
  const [actionError, setActionError] = useState<string | null>(null);
  const decide = async (id: string, verb: "confirm" | "refuse") => {
    setActionError(null);
    try {
      await api("POST", `/customer-changes/${id}/${verb}`, {});
      reload();
    } catch (err) {
      setActionError(errorText(err));
    }
  };
  return (
    <section>
      <h1>{t("lifecycle.changes")}</h1>
      <p className="notice">{t("lifecycle.changesLead")}</p>
      {me.user.role === "customer-admin" && (
        <ActionForm
          title={t("lifecycle.requestChange")}
          submit={t("lifecycle.submitChange")}
          onSubmit={async () => {
            await api("POST", "/customer-changes", {
              ...(legalName ? { legalName } : {}),
              ...(address ? { address } : {}),
            });
            reload();
          }}
        >
          <Field
            id="changeLegalName"
            label={t("apply.legalName")}
            value={legalName}
            onChange={setLegalName}
            required={false}
          />
          <Field
            id="changeAddress"
            label={t("apply.address")}
            value={address}
            onChange={setAddress}
            required={false}
          />
        </ActionForm>
      )}
      <ErrorBox error={error ?? actionError} />
      <ScrollBox>
        <table>
          <tbody>
            {data?.items.map((c) => (
              <tr key={c.id}>
                <td>{c.legalName}</td>
                <td>
                  <code>{JSON.stringify(c.changes)}</code>
                </td>
                <td>{c.status}</td>
                <td>
                  {me.user.kind === "staff" && c.status === "pending" && (
                    <>
                      <button type="button" onClick={() => decide(c.id, "confirm")}>
                        {t("lifecycle.confirm")}
                      </button>{" "}
                      <button type="button" className="secondary" onClick={() => decide(c.id, "refuse")}>
                        {t("lifecycle.refuse")}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}

/** Console: terms versions (Art. 2) and abolitions (Art. 24). */
export function TermsPage({ me }: { me: Me }) {
  const t = useT();
  const [versions, error, reload] = useAll<{
    id: string;
    number: string;
    title: string;
    announcedOn: string;
    effectiveOn: string;
  }>("/terms-versions");
  const data = versions && { items: versions };
  const [v, setV] = useState({ number: "", title: "", body: "", announcedOn: "", effectiveOn: "" });
  const [a, setA] = useState({ title: "", body: "", noticeOn: "", abolitionOn: "" });
  const isAdmin = me.user.role === "admin";
  return (
    <section>
      <h1>{t("lifecycle.terms")}</h1>
      <ErrorBox error={error} />
      <ScrollBox>
        <table>
          <tbody>
            {data?.items.map((x) => (
              <tr key={x.id}>
                <td>{x.number}</td>
                <td>{x.title}</td>
                <td>{x.announcedOn}</td>
                <td>{x.effectiveOn}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {isAdmin && (
        <div className="grid">
          <ActionForm
            title={t("lifecycle.publishTerms")}
            submit={t("lifecycle.publish")}
            onSubmit={async () => {
              await api("POST", "/terms-versions", v);
              reload();
            }}
          >
            <Field id="tvNumber" label="No." value={v.number} onChange={(x) => setV({ ...v, number: x })} />
            <Field
              id="tvTitle"
              label={t("notices.subject")}
              value={v.title}
              onChange={(x) => setV({ ...v, title: x })}
            />
            <Field
              id="tvBody"
              label={t("notices.body")}
              value={v.body}
              onChange={(x) => setV({ ...v, body: x })}
            />
            <Field
              id="tvAnnounced"
              label={t("lifecycle.announcedOn")}
              type="date"
              value={v.announcedOn}
              onChange={(x) => setV({ ...v, announcedOn: x })}
            />
            <Field
              id="tvEffective"
              label={t("lifecycle.effectiveOn")}
              type="date"
              value={v.effectiveOn}
              onChange={(x) => setV({ ...v, effectiveOn: x })}
              hint={t("lifecycle.termsNoticeHint")}
            />
          </ActionForm>
          <ActionForm
            title={t("lifecycle.abolition")}
            submit={t("lifecycle.publish")}
            onSubmit={() => api("POST", "/abolitions", a)}
          >
            <Field
              id="abTitle"
              label={t("notices.subject")}
              value={a.title}
              onChange={(x) => setA({ ...a, title: x })}
            />
            <Field
              id="abBody"
              label={t("notices.body")}
              value={a.body}
              onChange={(x) => setA({ ...a, body: x })}
            />
            <Field
              id="abNotice"
              label={t("lifecycle.announcedOn")}
              type="date"
              value={a.noticeOn}
              onChange={(x) => setA({ ...a, noticeOn: x })}
            />
            <Field
              id="abDate"
              label={t("lifecycle.abolitionOn")}
              type="date"
              value={a.abolitionOn}
              onChange={(x) => setA({ ...a, abolitionOn: x })}
              hint={t("lifecycle.abolitionHint")}
            />
          </ActionForm>
        </div>
      )}
    </section>
  );
}
