/**
 * Changes of company data, pending until the provider confirms them (Art. 19, 20(4); console and portal).
 */

import { useState } from "react";
import { ActionForm } from "../action-form.tsx";
import { api, type Me } from "../api.ts";
import { useT } from "../i18n.ts";
import { ErrorBox, errorText, Field, MoreButton, ScrollBox, useGetPages } from "../ui.tsx";

/** Portal: submit a change of company data (pending until confirmed, Art. 20(4)); console: confirm or refuse. */
export function ChangesPage({ me }: { me: Me }) {
  const t = useT();
  const [data, error, reload, more] = useGetPages("/api/v1/customer-changes", {
    query: me.user.kind === "staff" ? { status: "pending" } : {},
  });
  const [address, setAddress] = useState("");
  const [legalName, setLegalName] = useState("");
  const [actionError, setActionError] = useState<string | null>(null);
  const decide = async (id: string, verb: "confirm" | "refuse") => {
    setActionError(null);
    try {
      await api("POST", `/customer-changes/${id}/${verb}`, {});
      reload();
    } catch (err) {
      setActionError(errorText(err));
    }
  };
  return (
    <section>
      <h1>{t("lifecycle.changes")}</h1>
      <p className="notice">{t("lifecycle.changesLead")}</p>
      {me.user.role === "customer-admin" && (
        <ActionForm
          title={t("lifecycle.requestChange")}
          submit={t("lifecycle.submitChange")}
          onSubmit={async () => {
            await api("POST", "/customer-changes", {
              ...(legalName ? { legalName } : {}),
              ...(address ? { address } : {}),
            });
            reload();
          }}
        >
          <Field
            id="changeLegalName"
            label={t("apply.legalName")}
            value={legalName}
            onChange={setLegalName}
            required={false}
          />
          <Field
            id="changeAddress"
            label={t("apply.address")}
            value={address}
            onChange={setAddress}
            required={false}
          />
        </ActionForm>
      )}
      <ErrorBox error={error ?? actionError} />
      <ScrollBox>
        <table>
          <tbody>
            {data?.items.map((c) => (
              <tr key={c.id}>
                <td>{c.legalName}</td>
                <td>
                  <code>{JSON.stringify(c.changes)}</code>
                </td>
                <td>{c.status}</td>
                <td>
                  {me.user.kind === "staff" && c.status === "pending" && (
                    <>
                      <button type="button" onClick={() => decide(c.id, "confirm")}>
                        {t("lifecycle.confirm")}
                      </button>{" "}
                      <button type="button" className="secondary" onClick={() => decide(c.id, "refuse")}>
                        {t("lifecycle.refuse")}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      <MoreButton more={more} label={t("list.more")} />
    </section>
  );
}
