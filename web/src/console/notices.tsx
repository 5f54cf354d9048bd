/**
 * Console: notices to one customer and announcements to all (Art. 1, 43), recipients chosen by name.
 */
import { type FormEvent, useState } from "react";
import { api } from "../api.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import {
  ErrorBox,
  errorText,
  Field,
  MoreButton,
  ScrollBox,
  Select,
  tokyoTime,
  useAll,
  useList,
  useLoad,
} from "../ui.tsx";

export function StaffNoticesPage() {
  const t = useT();
  const l = useLabels();
  const [data, error, reload, more] = useList<{
    id: string;
    kind: string;
    subject: string;
    createdAt: string;
  }>("/notices");
  const [customers] = useAll<{ id: string; legalName: string }>("/customers");
  const [audience, setAudience] = useState<"one" | "all">("one");
  const [customerId, setCustomerId] = useState("");
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [sendError, setSendError] = useState<string | null>(null);
  const [asking, setAsking] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [detail] = useLoad<{
    deliveries: {
      email: string;
      status: string;
      attempts: number;
      sentAt: string | null;
      acknowledgedAt: string | null;
    }[];
  }>(open ? `/notices/${open}` : null);
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
  const customerName = customers?.find((c) => c.id === customerId)?.legalName ?? "";
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
          <Select
            id="noticeCustomer"
            label={t("notices.customer")}
            value={customerId}
            onChange={(v) => {
              setCustomerId(v);
              setAsking(false);
            }}
            options={[["", "—"], ...(customers ?? []).map((c): [string, string] => [c.id, c.legalName])]}
            dataOptions
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
      <ErrorBox error={error} />
      <ul>
        {data?.items.map((n) => (
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
                  <tbody>
                    {detail.deliveries.map((d) => (
                      <tr key={d.email}>
                        <td>{d.email}</td>
                        <td>{l.delivery(d.status)}</td>
                        <td>{d.attempts}</td>
                        <td>{d.sentAt ?? ""}</td>
                        <td>{d.acknowledgedAt ? t("notices.acknowledged") : ""}</td>
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
