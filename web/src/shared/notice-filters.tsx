/** How a list of notices is narrowed: part of the subject, and the kind (notice or announcement). */

import { useState } from "react";
import { useT } from "../i18n.ts";
import { SearchForm, Select } from "../ui.tsx";

export type NoticeKind = "" | "notice" | "announcement";

/** The query a notices list asks with (`GET /notices`, a company's inbox). */
export function useNoticeFilters() {
  const [q, setQ] = useState("");
  const [kind, setKind] = useState<NoticeKind>("");
  const query = { ...(q ? { q } : {}), ...(kind ? { kind } : {}) };
  return { query, kind, setQ, setKind };
}

export function NoticeFilters(props: {
  id: string;
  kind: NoticeKind;
  setQ: (q: string) => void;
  setKind: (kind: NoticeKind) => void;
}) {
  const t = useT();
  return (
    <>
      <SearchForm
        id={`${props.id}-search`}
        label={t("notices.search")}
        button={t("customers.searchButton")}
        onSearch={props.setQ}
      />
      <Select
        id={`${props.id}-kind`}
        label={t("notices.filterKind")}
        value={props.kind}
        onChange={(v) => props.setKind(v as NoticeKind)}
        options={[
          ["", t("list.all")],
          ["notice", t("notices.kindNotice")],
          ["announcement", t("notices.kindAnnouncement")],
        ]}
      />
    </>
  );
}
