/**
 * Console: the provider's actions on one contract (paper cancellation, termination, deletion, inquiry).
 */
import { useState } from "react";
import { ActionForm } from "../action-form.tsx";
import { api, type Me } from "../api.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { Field, Select, useGet } from "../ui.tsx";

/** Provider actions on one contract (console). */
export function ContractActions({ id, me, onDone }: { id: string; me: Me; onDone: () => void }) {
  const t = useT();
  const l = useLabels();
  const [reasons] = useGet("/api/v1/reasons", {});
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
              options={(reasons?.termination ?? []).map((r): [string, string] => [
                r.code,
                `${l.reason(r.code)} (${art(r.article)})`,
              ])}
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
