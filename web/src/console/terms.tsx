/**
 * Console: the terms versions and the publication of a new one (Art. 2).
 */
import { useState } from "react";
import { ActionForm } from "../action-form.tsx";
import { api, type Me } from "../api.ts";
import { useT } from "../i18n.ts";
import { ErrorBox, Field, ScrollBox, useGetAll } from "../ui.tsx";

/** Console: terms versions (Art. 2) and abolitions (Art. 24). */
export function TermsPage({ me }: { me: Me }) {
  const t = useT();
  const [versions, error, reload] = useGetAll("/api/v1/terms-versions", {});
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
