import { api } from "../api.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { NoticeFilters, useNoticeFilters } from "../shared/notice-filters.tsx";
import { ErrorBox, MoreButton, tokyoTime, useGetPages } from "../ui.tsx";

export function InboxPage() {
  const t = useT();
  const filters = useNoticeFilters();
  const [data, error, reload, more] = useGetPages("/api/v1/notices", { query: filters.query });
  // A customer's notices are its inbox (staff get summaries, with neither body nor acknowledgement).
  const inbox = data?.items.filter((n) => "noticeId" in n);
  return (
    <section>
      <h1>{t("notices.title")}</h1>
      <NoticeFilters id="inbox" kind={filters.kind} setQ={filters.setQ} setKind={filters.setKind} />
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
