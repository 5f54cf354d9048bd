/** The service menu's limits on changes (Art. 20(3)), shown on the price book page; admins edit them. */

import { useState } from "react";
import { ActionForm } from "../action-form.tsx";
import { api, type Me } from "../api.ts";
import { useT } from "../i18n.ts";
import { ErrorBox, Field, ScrollBox, Select, useGet } from "../ui.tsx";

const TARGETS = [
  "plan:basic",
  "plan:standard",
  "plan:premium",
  "option:backup",
  "option:patching",
  "option:change-work",
  "option:extended-support",
];

export function MenuLimits({ me }: { me: Me }) {
  const t = useT();
  const [data, error, reload] = useGet("/api/v1/menu-limits", {});
  const [target, setTarget] = useState("plan:basic");
  const [rank, setRank] = useState("");
  const [maxServers, setMaxServers] = useState("");
  const [noDowngrade, setNoDowngrade] = useState(false);
  const [requires, setRequires] = useState("");
  const pick = (x: string) => {
    setTarget(x);
    const l = data?.limits.find((y) => y.target === x);
    setRank(l?.rank == null ? "" : String(l.rank));
    setMaxServers(l?.maxServers == null ? "" : String(l.maxServers));
    setNoDowngrade(l?.noDowngradeInMinimumTerm ?? false);
    setRequires(l?.requiresPlans?.join(",") ?? "");
  };
  const int = (s: string) => (s.trim() === "" ? null : Number.isInteger(Number(s)) ? Number(s) : s);
  const plan = target.startsWith("plan:");
  return (
    <section aria-labelledby="menu-limits-title">
      <h2 id="menu-limits-title">{t("menu.title")}</h2>
      <p className="hint">{t("menu.hint")}</p>
      <ErrorBox error={error} />
      <ScrollBox>
        <table data-testid="menu-limits">
          <thead>
            <tr>
              <th scope="col">{t("menu.target")}</th>
              <th scope="col">{t("menu.rank")}</th>
              <th scope="col">{t("menu.maxServers")}</th>
              <th scope="col">{t("menu.noDowngrade")}</th>
              <th scope="col">{t("menu.requiresPlans")}</th>
            </tr>
          </thead>
          <tbody>
            {data?.limits.map((l) => (
              <tr key={l.target}>
                <td>
                  <code>{l.target}</code>
                </td>
                <td>{l.rank ?? "—"}</td>
                <td>{l.maxServers ?? t("menu.unlimited")}</td>
                <td>{l.noDowngradeInMinimumTerm ? t("menu.yes") : "—"}</td>
                <td>{l.requiresPlans?.join(", ") ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {me.user.role === "admin" && (
        <ActionForm
          title={t("menu.edit")}
          submit={t("menu.save")}
          onSubmit={async () => {
            await api("PUT", "/menu-limits", {
              target,
              rank: plan ? int(rank) : null,
              maxServers: plan ? int(maxServers) : null,
              noDowngradeInMinimumTerm: plan && noDowngrade,
              requiresPlans:
                plan || requires.trim() === "" ? null : requires.split(/\s*,\s*/).filter(Boolean),
            });
            reload();
          }}
        >
          <Select
            id="menuTarget"
            label={t("menu.target")}
            value={target}
            onChange={pick}
            options={TARGETS.map((x) => [x, x])}
          />
          {plan ? (
            <>
              <Field
                id="menuRank"
                label={t("menu.rank")}
                value={rank}
                onChange={setRank}
                inputMode="numeric"
                required={false}
              />
              <Field
                id="menuMaxServers"
                label={t("menu.maxServers")}
                value={maxServers}
                onChange={setMaxServers}
                inputMode="numeric"
                required={false}
                hint={t("menu.emptyUnlimited")}
              />
              <label className="check">
                <input
                  type="checkbox"
                  checked={noDowngrade}
                  onChange={(e) => setNoDowngrade(e.target.checked)}
                />{" "}
                {t("menu.noDowngrade")}
              </label>
            </>
          ) : (
            <Field
              id="menuRequires"
              label={t("menu.requiresPlans")}
              value={requires}
              onChange={setRequires}
              required={false}
              hint={t("menu.requiresHint")}
            />
          )}
        </ActionForm>
      )}
    </section>
  );
}
