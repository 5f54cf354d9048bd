/**
 * Console: the credentials held for a server (Art. 7(1)): stored sealed, revealed with a reason
 * (re-authenticated; after a second staff member's approval where the customer asks for it), every
 * reveal on record and visible to the customer.
 */
import { type FormEvent, useState } from "react";
import { api, type Me } from "../api.ts";
import type { GetData } from "../client.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import { OnceBox, RevealLog, useReauthenticated } from "../shared/monitoring.tsx";
import {
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  ScrollBox,
  Select,
  tokyoTime,
  useAction,
  useGet,
} from "../ui.tsx";
import { TextArea } from "./form-fields.tsx";

type Item = GetData<"/api/v1/inventory/{id}">;
type Credential = GetData<"/api/v1/inventory/{id}/credentials">[number];

const CREDENTIAL_KINDS = ["root_password", "ssh_private_key", "cloud_api_key", "other"] as const;

export function Credentials({
  item,
  me,
  custody,
  onChanged,
}: {
  item: Item;
  me: Me;
  custody: boolean;
  onChanged: () => void;
}) {
  const t = useT();
  const l = useLabels();
  const [creds, error, reload] = useGet("/api/v1/inventory/{id}/credentials", { path: { id: item.id } });
  const [reveals, revealsError, reloadReveals] = useGet("/api/v1/reveals", { query: { itemId: item.id } });
  const [settings] = useGet("/api/v1/customers/{id}/monitoring-settings", { path: { id: item.customerId } });
  const reloadAll = () => {
    reload();
    reloadReveals();
    onChanged();
  };
  const [actionError, act] = useAction(reloadAll);
  const { run, prompt, error: revealError } = useReauthenticated();
  const [asking, setAsking] = useState<Credential | null>(null);
  const [reason, setReason] = useState("");
  const [shown, setShown] = useState<{ label: string; secret: string } | null>(null);
  const [waiting, setWaiting] = useState<string | null>(null);
  type Revealed = { reveal: { credentialLabel: string }; secret: string | null };
  const showResult = (r: Revealed) => {
    if (r.secret !== null) {
      setShown({ label: r.reveal.credentialLabel, secret: r.secret });
      setWaiting(null);
    } else setWaiting(r.reveal.credentialLabel);
    setAsking(null);
    setReason("");
    reloadReveals();
  };
  const reveal = (e: FormEvent) => {
    e.preventDefault();
    if (!asking) return;
    const credential = asking;
    void run(async () =>
      showResult(
        await api<Revealed>("POST", `/credentials/${credential.id}/reveal`, { reason: reason.trim() }),
      ),
    );
  };
  const decide = (revealId: string, how: "approve" | "refuse") =>
    void run(async () => {
      await api("POST", `/reveals/${revealId}/${how}`);
      reloadReveals();
    });
  const collect = (revealId: string) =>
    void run(async () => showResult(await api<Revealed>("POST", `/reveals/${revealId}/collect`)));
  const open = reveals?.filter((r) => r.status === "pending" || r.status === "approved") ?? [];
  const mine = (r: { requestedById: string }) => r.requestedById === me.user.id;
  return (
    <section aria-labelledby="credentials-title">
      <h2 id="credentials-title">{t("monitoring.credentials")}</h2>
      <p className="hint">
        {t("monitoring.credentials.lead")} ({art("7(1)")})
        {settings?.revealNeedsApproval && <strong> {t("monitoring.credentials.twoPerson")}</strong>}
      </p>
      <ErrorBox error={error ?? revealsError ?? actionError ?? revealError} />
      {shown && (
        <OnceBox
          title={t("monitoring.reveal.shownTitle").replace("{label}", shown.label)}
          value={shown.secret}
          multiline
          note={
            <>
              {t("monitoring.reveal.shownNote")} ({art("7(1)")})
            </>
          }
          close={t("monitoring.reveal.hide")}
          onClose={() => setShown(null)}
          testId="revealed-secret"
        />
      )}
      {waiting && (
        <p className="notice" role="status" data-testid="reveal-waiting">
          {t("monitoring.reveal.waiting").replace("{label}", waiting)}
        </p>
      )}
      {prompt}
      <ScrollBox>
        <table className="mon" data-testid="credentials">
          <thead>
            <tr>
              <th scope="col">{t("monitoring.credential.label")}</th>
              <th scope="col">{t("monitoring.credential.kind")}</th>
              <th scope="col">{t("monitoring.credential.username")}</th>
              <th scope="col">{t("monitoring.credential.storedAt")}</th>
              {custody && <th scope="col">{t("monitoring.actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {creds?.map((c) => (
              <tr key={c.id}>
                <td>
                  <span data-value>{c.label}</span>
                </td>
                <td>{l.credentialKind(c.kind)}</td>
                <td>{c.username ? <code data-value>{c.username}</code> : "—"}</td>
                <td>{tokyoTime(c.createdAt)}</td>
                {custody && (
                  <td className="actions">
                    <button
                      type="button"
                      aria-label={`${t("monitoring.reveal.button")}: ${c.label}`}
                      onClick={() => {
                        setAsking(c);
                        setShown(null);
                      }}
                    >
                      {t("monitoring.reveal.button")}
                    </button>{" "}
                    <ConfirmButton
                      label={t("monitoring.credential.retire")}
                      ariaLabel={`${t("monitoring.credential.retire")}: ${c.label}`}
                      message={t("monitoring.credential.retireConfirm").replace("{label}", c.label)}
                      confirm={t("monitoring.credential.retireYes")}
                      cancel={t("confirm.cancel")}
                      className="secondary"
                      onConfirm={() => act(() => api("DELETE", `/credentials/${c.id}`))}
                    />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {creds?.length === 0 && <p className="hint">{t("monitoring.credentials.none")}</p>}
      {asking && (
        <form className="card" onSubmit={reveal} aria-labelledby="reveal-title" data-testid="reveal-form">
          <h3 id="reveal-title">
            {t("monitoring.reveal.title")} <span data-value>{asking.label}</span>
          </h3>
          <p className="warning">{t("monitoring.reveal.lead")}</p>
          <TextArea
            id="revealReason"
            label={t("monitoring.reveal.reason")}
            value={reason}
            onChange={setReason}
            required
            hint={t("monitoring.reveal.reasonHint")}
          />
          <button type="submit">{t("monitoring.reveal.submit")}</button>{" "}
          <button type="button" className="secondary" onClick={() => setAsking(null)}>
            {t("confirm.cancel")}
          </button>
        </form>
      )}
      {custody && <StoreCredential itemId={item.id} onStored={reloadAll} />}

      {open.length > 0 && (
        <>
          <h3>{t("monitoring.reveal.open")}</h3>
          <RevealLog
            reveals={open}
            showItem={false}
            testId="open-reveals"
            actions={(r) =>
              !custody ? null : mine(r) ? (
                r.status === "approved" ? (
                  <button type="button" onClick={() => collect(r.id)}>
                    {t("monitoring.reveal.collect")}
                  </button>
                ) : (
                  <span className="hint">{t("monitoring.reveal.waitingOther")}</span>
                )
              ) : r.status === "pending" ? (
                <>
                  <button type="button" onClick={() => decide(r.id, "approve")}>
                    {t("monitoring.reveal.approve")}
                  </button>{" "}
                  <button type="button" className="secondary" onClick={() => decide(r.id, "refuse")}>
                    {t("monitoring.reveal.refuse")}
                  </button>
                </>
              ) : null
            }
          />
        </>
      )}
      <h3>{t("monitoring.reveal.log")}</h3>
      <p className="hint">{t("monitoring.reveal.logLead")}</p>
      <RevealLog reveals={reveals ?? []} showItem={false} testId="reveal-log" />
      {reveals?.length === 0 && <p className="hint">{t("monitoring.reveal.none")}</p>}
    </section>
  );
}

/** Store a credential, sealed: the secret is sent once and never shown back. */
function StoreCredential({ itemId, onStored }: { itemId: string; onStored: () => void }) {
  const t = useT();
  const l = useLabels();
  const [kind, setKind] = useState<string>("root_password");
  const [label, setLabel] = useState("");
  const [username, setUsername] = useState("");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [stored, setStored] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setStored(null);
    try {
      await api("POST", `/inventory/${itemId}/credentials`, {
        kind,
        label: label.trim(),
        ...(username.trim() ? { username: username.trim() } : {}),
        secret,
      });
      setStored(label.trim());
      setLabel("");
      setUsername("");
      setSecret("");
      onStored();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="store-title" data-testid="store-credential">
      <h3 id="store-title">{t("monitoring.store.title")}</h3>
      <div className="form-grid">
        <Select
          id="credentialKind"
          label={t("monitoring.credential.kind")}
          value={kind}
          onChange={setKind}
          options={CREDENTIAL_KINDS.map((k): [string, string] => [k, l.credentialKind(k)])}
        />
        <Field
          id="credentialLabel"
          label={t("monitoring.credential.label")}
          value={label}
          onChange={setLabel}
          hint={t("monitoring.store.labelHint")}
        />
        <Field
          id="credentialUsername"
          label={t("monitoring.credential.username")}
          value={username}
          onChange={setUsername}
          required={false}
          autoComplete="off"
        />
      </div>
      {kind === "ssh_private_key" ? (
        <TextArea
          id="credentialSecret"
          label={t("monitoring.store.secret")}
          value={secret}
          onChange={setSecret}
          rows={6}
          required
          mono
          hint={t("monitoring.store.secretHint")}
        />
      ) : (
        <Field
          id="credentialSecret"
          label={t("monitoring.store.secret")}
          type="password"
          value={secret}
          onChange={setSecret}
          autoComplete="new-password"
          hint={t("monitoring.store.secretHint")}
        />
      )}
      <ErrorBox error={error} />
      {stored && (
        <p role="status">
          {t("monitoring.store.done")} <span data-value>{stored}</span>
        </p>
      )}
      <button type="submit">{t("monitoring.store.submit")}</button>
    </form>
  );
}
