/**
 * A company's users, managed by its customer-admin (portal) or by provider staff (the customer's page
 * in the console): invite, change the role, deactivate or reactivate, and the password reset — asked
 * of the provider by the customer-admin, done by staff, the new initial password handed over through
 * the designated channel (Art. 35(17)). The server refuses one's own account and the company's last
 * customer-admin; the page says so before asking.
 */
import { type FormEvent, useState } from "react";
import { api, type Me } from "../api.ts";
import type { Schema } from "../client.ts";
import { art } from "../format.ts";
import { useT } from "../i18n.ts";
import { useLabels } from "../labels.ts";
import {
  ConfirmButton,
  ErrorBox,
  errorText,
  Field,
  MoreButton,
  ScrollBox,
  Select,
  tokyoTime,
  useAction,
  useGetPages,
} from "../ui.tsx";

type CompanyUser = Schema<"ManagedUser">;

/** A password shown this once: to the user through the designated channel. */
function Issued({ who, password, onClose }: { who: string; password: string; onClose: () => void }) {
  const t = useT();
  return (
    <div className="card notice" role="status" data-testid="issued-password">
      <p>
        {t("users.issued").replace("{name}", who)}{" "}
        <code data-value data-testid="initial-password">
          {password}
        </code>
      </p>
      <p className="hint">
        {t("users.issuedHint")} ({art("10")}, {art("35(17)")})
      </p>
      <button type="button" className="secondary" onClick={onClose}>
        {t("users.issuedClose")}
      </button>
    </div>
  );
}

export function CompanyUsers({
  customerId,
  me,
  heading,
}: {
  customerId: string;
  me: Me;
  heading: "h1" | "h2";
}) {
  const t = useT();
  const l = useLabels();
  const staff = me.user.kind === "staff";
  const manages = staff ? ["admin", "operator"].includes(me.user.role) : me.user.role === "customer-admin";
  const [data, error, reload, more] = useGetPages("/api/v1/customers/{id}/users", {
    path: { id: customerId },
  });
  const [actionError, act] = useAction(reload);
  const [issued, setIssued] = useState<{ who: string; password: string } | null>(null);
  const admins = data?.items.filter((u) => u.active && u.role === "customer-admin").length ?? 0;
  const H = heading;
  const patch = (u: CompanyUser, body: object) => act(() => api("PATCH", `/users/${u.id}`, body));
  const reset = (u: CompanyUser) =>
    act(async () => {
      const r = await api<{ initialPassword: string }>("POST", `/users/${u.id}/reset-password`);
      setIssued({ who: u.displayName, password: r.initialPassword });
    });
  return (
    <section aria-labelledby="users-title">
      <H id="users-title">{t("users.title")}</H>
      {!manages && !staff && <p className="hint">{t("users.membersOnly")}</p>}
      <ErrorBox error={error ?? actionError} />
      {issued && <Issued who={issued.who} password={issued.password} onClose={() => setIssued(null)} />}
      <ScrollBox>
        <table data-testid="company-users">
          <thead>
            <tr>
              <th scope="col">{t("users.name")}</th>
              <th scope="col">{t("users.loginId")}</th>
              <th scope="col">{t("users.email")}</th>
              <th scope="col">{t("users.role")}</th>
              <th scope="col">{t("users.state")}</th>
              {manages && <th scope="col">{t("users.actions")}</th>}
            </tr>
          </thead>
          <tbody>
            {data?.items.map((u) => {
              const self = u.id === me.user.id;
              const lastAdmin = u.active && u.role === "customer-admin" && admins <= 1;
              const name = u.displayName;
              return (
                <tr key={u.id} data-testid={`user-${u.loginId}`}>
                  <td>
                    <span data-value>{name}</span>
                    {self && <span className="hint"> ({t("users.you")})</span>}
                  </td>
                  <td>
                    <code data-value>{u.loginId}</code>
                  </td>
                  <td>
                    <span data-value>{u.email}</span>
                  </td>
                  <td>{l.role(u.role)}</td>
                  <td className="state">
                    {u.active ? t("users.active") : <strong>{t("users.deactivated")}</strong>}
                    {u.totpEnabled && <span className="hint"> · {t("users.totp")}</span>}
                    {u.resetRequestedAt && (
                      <span className="hint">
                        {" "}
                        · {t("users.resetAsked")} {tokyoTime(u.resetRequestedAt)}
                      </span>
                    )}
                  </td>
                  {manages && (
                    <td className="actions">
                      {self ? (
                        <span className="hint">{t("users.notSelf")}</span>
                      ) : (
                        <>
                          {u.active && (
                            <ConfirmButton
                              label={
                                u.role === "customer-admin" ? t("users.makeMember") : t("users.makeAdmin")
                              }
                              ariaLabel={`${u.role === "customer-admin" ? t("users.makeMember") : t("users.makeAdmin")}: ${name}`}
                              className="secondary"
                              precheck={() =>
                                u.role === "customer-admin" && lastAdmin ? t("users.lastAdmin") : null
                              }
                              message={(u.role === "customer-admin"
                                ? t("users.makeMemberConfirm")
                                : t("users.makeAdminConfirm")
                              ).replace("{name}", name)}
                              confirm={
                                u.role === "customer-admin" ? t("users.makeMember") : t("users.makeAdmin")
                              }
                              cancel={t("confirm.cancel")}
                              onConfirm={() =>
                                patch(u, {
                                  role: u.role === "customer-admin" ? "customer-member" : "customer-admin",
                                })
                              }
                            />
                          )}{" "}
                          <ConfirmButton
                            label={u.active ? t("users.deactivate") : t("users.reactivate")}
                            ariaLabel={`${u.active ? t("users.deactivate") : t("users.reactivate")}: ${name}`}
                            className={u.active ? "danger" : "secondary"}
                            precheck={() => (u.active && lastAdmin ? t("users.lastAdmin") : null)}
                            message={(u.active
                              ? t("users.deactivateConfirm")
                              : t("users.reactivateConfirm")
                            ).replace("{name}", name)}
                            confirm={u.active ? t("users.deactivate") : t("users.reactivate")}
                            cancel={t("confirm.cancel")}
                            onConfirm={() => patch(u, { active: !u.active })}
                          />{" "}
                          {u.active &&
                            (staff ? (
                              <ConfirmButton
                                label={t("users.reset")}
                                ariaLabel={`${t("users.reset")}: ${name}`}
                                className="secondary"
                                message={`${t("users.resetConfirm").replace("{name}", name)} (${art("35(17)")})`}
                                confirm={t("users.reset")}
                                cancel={t("confirm.cancel")}
                                onConfirm={() => reset(u)}
                              />
                            ) : (
                              !u.resetRequestedAt && (
                                <ConfirmButton
                                  label={t("users.askReset")}
                                  ariaLabel={`${t("users.askReset")}: ${name}`}
                                  className="secondary"
                                  message={`${t("users.askResetConfirm").replace("{name}", name)} (${art("35(17)")})`}
                                  confirm={t("users.askReset")}
                                  cancel={t("confirm.cancel")}
                                  onConfirm={() => act(() => api("POST", `/users/${u.id}/reset-request`))}
                                />
                              )
                            ))}
                        </>
                      )}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollBox>
      <MoreButton more={more} label={t("list.more")} />
      {manages && (
        <InviteForm
          customerId={customerId}
          onDone={(who, password) => {
            setIssued({ who, password });
            reload();
          }}
        />
      )}
    </section>
  );
}

function InviteForm({
  customerId,
  onDone,
}: {
  customerId: string;
  onDone: (who: string, password: string) => void;
}) {
  const t = useT();
  const l = useLabels();
  const empty = { loginId: "", email: "", displayName: "", role: "customer-member", locale: "ja" };
  const [f, setF] = useState(empty);
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (v: string) => setF((x) => ({ ...x, [k]: v }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api<{ initialPassword: string }>("POST", `/customers/${customerId}/users`, f);
      onDone(f.displayName, r.initialPassword);
      setF(empty);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="invite-title">
      <h3 id="invite-title">{t("users.invite")}</h3>
      <p className="hint">
        {t("users.inviteHint")} ({art("10")})
      </p>
      <Field id="invite-name" label={t("users.name")} value={f.displayName} onChange={set("displayName")} />
      <Field id="invite-login" label={t("users.loginId")} value={f.loginId} onChange={set("loginId")} />
      <Field
        id="invite-email"
        label={t("users.email")}
        type="email"
        value={f.email}
        onChange={set("email")}
      />
      <Select
        id="invite-role"
        label={t("users.role")}
        value={f.role}
        onChange={set("role")}
        options={["customer-member", "customer-admin"].map((r) => [r, l.role(r)] as [string, string])}
      />
      <Select
        id="invite-locale"
        label={t("users.locale")}
        value={f.locale}
        onChange={set("locale")}
        options={[
          ["ja", t("users.localeJa")],
          ["en", t("users.localeEn")],
        ]}
      />
      <ErrorBox error={error} />
      <button type="submit">{t("users.inviteSubmit")}</button>
    </form>
  );
}
