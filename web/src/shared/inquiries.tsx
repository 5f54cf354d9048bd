/**
 * Inquiries and their answers by the Art. 44 deadline (console and portal).
 */

import { useState } from "react";
import { api, type Me } from "../api.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { ErrorBox, errorText, MoreButton, SearchForm, Select, useGetPages } from "../ui.tsx";

export function InquiriesPage({ me }: { me: Me }) {
  const t = useT();
  const [search, setSearch] = useState("");
  const [state, setState] = useState<"" | "open" | "answered" | "overdue">("");
  const [data, error, reload, more] = useGetPages("/api/v1/inquiries", {
    query: {
      ...(search ? { q: search } : {}),
      ...(state === "open" ? { answered: "false" } : state === "answered" ? { answered: "true" } : {}),
      ...(state === "overdue" ? { overdue: "true" } : {}),
    },
  });
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [answerError, setAnswerError] = useState<string | null>(null);
  return (
    <section>
      <h1>{t("lifecycle.inquiries")}</h1>
      <SearchForm
        id="inquiry-search"
        label={t("notices.search")}
        button={t("customers.searchButton")}
        onSearch={setSearch}
      />
      <Select
        id="inquiryState"
        label={t("lifecycle.inquiryState")}
        value={state}
        onChange={(v) => setState(v as typeof state)}
        options={[
          ["", t("list.all")],
          ["open", t("lifecycle.unanswered")],
          ["answered", t("lifecycle.answered")],
          ["overdue", t("lifecycle.pastDeadline")],
        ]}
      />
      <ErrorBox error={error ?? answerError} />
      {data?.items.length === 0 && <p>{t("notices.none")}</p>}
      {data?.items.map((q) => (
        <article key={q.id} className={`card${q.eligibleForStop ? " flagged" : ""}`}>
          <h2>
            <span data-value>
              {q.contractNumber}: {q.subject}
            </span>
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
