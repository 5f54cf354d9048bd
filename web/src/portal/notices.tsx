import { useState } from "react";
import { api } from "../api.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { ErrorBox, MoreButton, SearchForm, Select, tokyoTime, useGetPages } from "../ui.tsx";

export function InboxPage() {
  const t = useT();
  const [q, setQ] = useState("");
  const [kind, setKind] = useState<"" | "notice" | "announcement">("");
  const [data, error, reload, more] = useGetPages("/api/v1/notices", {
    query: { ...(q ? { q } : {}), ...(kind ? { kind } : {}) },
  });
  // A customer's notices are its inbox (staff get summaries, with neither body nor acknowledgement).
  const inbox = data?.items.filter((n) => "noticeId" in n);
  return (
    <section>
      <h1>{t("notices.title")}</h1>
      <SearchForm
        id="inbox-search"
        label={t("notices.search")}
        button={t("customers.searchButton")}
        onSearch={setQ}
      />
      <Select
        id="inboxKind"
        label={t("notices.filterKind")}
        value={kind}
        onChange={(v) => setKind(v as typeof kind)}
        options={[
          ["", t("list.all")],
          ["notice", t("notices.kindNotice")],
          ["announcement", t("notices.kindAnnouncement")],
        ]}
      />
      <ErrorBox error={error} />
      {data?.items.length === 0 && <p>{t("notices.none")}</p>}
      {inbox?.map((n) => (
        <article key={n.noticeId} className="card">
          <h2>
            <span data-value>{n.subject}</span>
          </h2>
          <p className="hint">
            {tokyoTime(n.createdAt)} {n.article ? `(${art(n.article)})` : ""}
          </p>
          <pre className="body" data-value>
            {n.body}
          </pre>
          {n.acknowledgedAt ? (
            <p>{t("notices.acknowledged")}</p>
          ) : (
            <button
              type="button"
              onClick={() => api("POST", `/notices/${n.noticeId}/acknowledge`).then(reload)}
            >
              {t("notices.acknowledge")}
            </button>
          )}
        </article>
      ))}
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
