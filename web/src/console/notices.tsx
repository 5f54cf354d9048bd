/**
 * Console: notices to one customer and announcements to all (Art. 1, 43), recipients chosen by name.
 */
import { type FormEvent, useState } from "react";
import { api } from "../api.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { CustomerPicker } from "../shared/customer-picker.tsx";
import { NoticeFilters, useNoticeFilters } from "../shared/notice-filters.tsx";
import {
  ErrorBox,
  errorText,
  Field,
  MoreButton,
  ScrollBox,
  Select,
  tokyoTime,
  useGet,
  useGetPages,
} from "../ui.tsx";

export function StaffNoticesPage() {
  const t = useT();
  const l = useLabels();
  const filters = useNoticeFilters();
  const [data, error, reload, more] = useGetPages("/api/v1/notices", { query: filters.query });
  // Staff get the notices' summaries (a customer gets its inbox).
  const notices = data?.items.filter((n) => "id" in n);
  const [audience, setAudience] = useState<"one" | "all">("one");
  const [customerId, setCustomerId] = useState("");
  const [customerName, setCustomerName] = useState("");
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [sendError, setSendError] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [detail] = useGet("/api/v1/notices/{id}", { path: { id: open ?? "" } }, !!open);
  // The first submit says who will get it and asks; an announcement to everyone is chosen, never implied.
  const ask = (e: FormEvent) => {
    e.preventDefault();
    setSendError(null);
    if (audience === "one" && !customerId) setSendError(t("notices.chooseCustomer"));
    else setAsking(true);
  };
  const send = async () => {
    setAsking(false);
    try {
      await api("POST", "/notices", { ...(audience === "one" ? { customerId } : {}), subject, body });
      setSubject("");
      setBody("");
      reload();
    } catch (err) {
      setSendError(errorText(err));
    }
  };

  return (
    <section>
      <h1>{t("notices.title")}</h1>
      <form className="card" onSubmit={ask} aria-label={t("notices.send")}>
        <h2>{t("notices.send")}</h2>
        <Select
          id="noticeAudience"
          label={t("notices.audience")}
          value={audience}
          onChange={(v) => {
            setAudience(v as "one" | "all");
            setAsking(false);
          }}
          options={[
            ["one", t("notices.audienceOne")],
            ["all", t("notices.audienceAll")],
          ]}
        />
        {audience === "one" && (
          <CustomerPicker
            id="noticeCustomer"
            label={t("notices.customer")}
            value={customerId}
            onChange={(v, name) => {
              setCustomerId(v);
              setCustomerName(name);
              setAsking(false);
            }}
            empty="—"
          />
        )}
        <Field id="noticeSubject" label={t("notices.subject")} value={subject} onChange={setSubject} />
        <div className="field">
          <label htmlFor="noticeBody">{t("notices.body")}</label>
          <textarea
            id="noticeBody"
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={4}
            required
          />
        </div>
        <ErrorBox error={sendError} />
        {asking ? (
          <div role="alertdialog" aria-label={t("notices.send")} className="confirm">
            <p>
              {audience === "all"
                ? t("confirm.broadcast")
                : t("confirm.notice").replace("{name}", customerName)}
            </p>
            <button
              type="button"
              className={audience === "all" ? "danger" : undefined}
              onClick={() => void send()}
            >
              {audience === "all" ? t("confirm.broadcastYes") : t("confirm.noticeYes")}
            </button>{" "}
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              {t("confirm.cancel")}
            </button>
          </div>
        ) : (
          <button type="submit">{t("notices.send")}</button>
        )}
      </form>
      <h2>{t("notices.sent")}</h2>
      <NoticeFilters id="notices" kind={filters.kind} setQ={filters.setQ} setKind={filters.setKind} />
      <ErrorBox error={error} />
      {notices?.length === 0 && <p className="hint">{t("home.none")}</p>}
      <ul>
        {notices?.map((n) => (
          <li key={n.id}>
            <button type="button" className="link" onClick={() => setOpen(open === n.id ? null : n.id)}>
              {tokyoTime(n.createdAt)} [
              {t(n.kind === "announcement" ? "notices.kindAnnouncement" : "notices.kindNotice")}]{" "}
              <span data-value>{n.subject}</span>
            </button>
            {open === n.id && detail && (
              <ScrollBox>
                <table>
                  <caption>{t("notices.deliveries")}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("notices.email")}</th>
                      <th scope="col">{t("billing.status")}</th>
                      <th scope="col">{t("notices.attempts")}</th>
                      <th scope="col">{t("notices.sentAt")}</th>
                      <th scope="col">{t("notices.acknowledged")}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {detail.deliveries.map((d) => (
                      <tr key={d.email}>
                        <td>{d.email}</td>
                        <td>{l.delivery(d.status)}</td>
                        <td>{d.attempts}</td>
                        <td>{d.sentAt ? tokyoTime(d.sentAt) : "—"}</td>
                        <td>{d.acknowledgedAt ? tokyoTime(d.acknowledgedAt) : "—"}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollBox>
            )}
          </li>
        ))}
      </ul>
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
