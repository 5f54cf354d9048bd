/**
 * Where alerts and notices come from and go to: a customer's alert integrations (their token shown
 * once), notification channels (a customer's or a staff member's own: Slack, Teams, Chatwork, signed
 * webhooks; URLs and secrets never shown back), and customer users' contact preferences.
 */

import { randomBytes } from "node:crypto";
import { appendAudit } from "../audit/service.ts";
import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";
import { AppError, notFound } from "../core/errors.ts";
import { asCaller } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { validateTarget } from "../notices/channels.ts";
import { forgetIntegrations, tokenHash } from "./ingest.ts";
import type { IntegrationKind, Preference, Severity } from "./rules.ts";
import { realNow } from "./rules.ts";
import { insertIntegration, integrationSigned, integrationsOf, updateIntegration } from "./store/alerts.ts";
import {
  channelsOf,
  customerContacts,
  disableChannel,
  insertChannel,
  upsertPreference,
} from "./store/contacts.ts";
import { ownerOfContract } from "./store/maintenance.ts";

export const DEFAULT_HOST_LABELS = ["instance", "host", "hostname", "nodename", "node"];

const newToken = () => `unyo_ing_${randomBytes(24).toString("base64url")}`;

function endpoint(config: Config, kind: IntegrationKind) {
  return `${(config.publicUrl ?? "").replace(/\/$/, "")}/ingest/v1/${kind}`;
}

export async function createIntegration(
  deps: Deps & { config: Config },
  auth: AuthContext,
  customerId: string,
  input: {
    kind: IntegrationKind;
    name: string;
    contractId?: string | undefined;
    hostLabels?: string[] | undefined;
    defaultSeverity: Severity;
    signed: boolean;
    policyId?: string | undefined;
  },
) {
  const token = newToken();
  const secret = input.signed ? randomBytes(32).toString("base64url") : null;
  const id = await deps.db.transaction().execute(async (tx) => {
    if (input.contractId) {
      const c = await ownerOfContract(tx, input.contractId);
      if (!c || c.customer_id !== customerId) throw notFound("contract");
    }
    const r = await insertIntegration(tx, {
      customer_id: customerId,
      contract_id: input.contractId ?? null,
      kind: input.kind,
      name: input.name,
      token_hash: tokenHash(token),
      hmac_secret: secret,
      host_labels: input.hostLabels?.length ? input.hostLabels : DEFAULT_HOST_LABELS,
      default_severity: input.defaultSeverity,
      policy_id: input.policyId ?? null,
      created_by: auth.user.id,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "incidents.integration.created",
      subjectType: "alert_integration",
      subjectId: r.id,
      customerId,
      after: { kind: input.kind, name: input.name, signed: input.signed },
      at: realNow(),
    });
    return r.id;
  });
  return { id, token, secret, url: endpoint(deps.config, input.kind), path: `/ingest/v1/${input.kind}` };
}

export async function integrations(deps: Deps, auth: AuthContext, customerId?: string) {
  return asCaller(deps.db, auth, async (tx) =>
    (await integrationsOf(tx, auth.user.kind === "customer" ? undefined : customerId)).map((i) => ({
      id: i.id,
      customerId: i.customer_id,
      contractId: i.contract_id,
      kind: i.kind,
      name: i.name,
      hostLabels: i.host_labels,
      defaultSeverity: i.default_severity,
      createdAt: i.created_at.toISOString(),
      disabledAt: i.disabled_at?.toISOString() ?? null,
      path: `/ingest/v1/${i.kind}`,
    })),
  );
}

/** A new token (the old one stops working), or the integration disabled. */
export async function changeIntegration(
  deps: Deps,
  auth: AuthContext,
  id: string,
  what: "renew" | "disable",
) {
  const token = what === "renew" ? newToken() : null;
  await deps.db.transaction().execute(async (tx) => {
    const i = await integrationSigned(tx, id);
    if (!i) throw notFound("integration");
    await updateIntegration(tx, id, token ? { token_hash: tokenHash(token) } : { disabled_at: realNow() });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: `incidents.integration.${what === "renew" ? "token_renewed" : "disabled"}`,
      subjectType: "alert_integration",
      subjectId: id,
      customerId: i.customer_id,
      at: realNow(),
    });
  });
  forgetIntegrations();
  return { token };
}

export async function addChannel(
  deps: Deps,
  auth: AuthContext,
  owner: { customerId: string } | { userId: string },
  input: {
    kind: "slack" | "teams" | "chatwork" | "webhook";
    name: string;
    url: string;
    token?: string | undefined;
    secret?: string | undefined;
    minSeverity: Severity;
  },
) {
  const problems = validateTarget({
    kind: input.kind,
    url: input.url,
    token: input.token ?? null,
    secret: input.secret ?? null,
  });
  if (problems.length > 0)
    throw new AppError("validation_failed", problems.join("; "), {
      details: problems.map((p) => ({ path: "url", message: p })),
    });
  return deps.db.transaction().execute(async (tx) => {
    const r = await insertChannel(tx, {
      customer_id: "customerId" in owner ? owner.customerId : null,
      user_id: "userId" in owner ? owner.userId : null,
      kind: input.kind,
      name: input.name,
      url: input.url,
      token: input.token ?? null,
      secret: input.secret ?? null,
      min_severity: input.minSeverity,
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "incidents.channel.added",
      subjectType: "notify_channel",
      subjectId: r.id,
      customerId: "customerId" in owner ? owner.customerId : null,
      after: { kind: input.kind, name: input.name, minSeverity: input.minSeverity },
      at: realNow(),
    });
    return { id: r.id };
  });
}

/** Channels without their secrets; a URL shows only its host (it often is the secret). */
export async function channels(deps: Deps, owner: { customerId?: string; userId?: string }) {
  return (await channelsOf(deps.db, owner)).map((c) => ({
    id: c.id,
    kind: c.kind,
    name: c.name,
    host: hostOfUrl(c.url),
    minSeverity: c.min_severity,
    createdAt: c.created_at.toISOString(),
  }));
}

function hostOfUrl(u: string) {
  try {
    return new URL(u).host;
  } catch {
    return "";
  }
}

export async function removeChannel(
  deps: Deps,
  auth: AuthContext,
  id: string,
  owner: { customerId?: string | undefined; userId?: string | undefined },
) {
  await deps.db.transaction().execute(async (tx) => {
    const r = await disableChannel(tx, id, realNow());
    if (
      !r ||
      (owner.customerId && r.customer_id !== owner.customerId) ||
      (owner.userId && r.user_id !== owner.userId)
    )
      throw notFound("channel");
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "incidents.channel.removed",
      subjectType: "notify_channel",
      subjectId: id,
      customerId: r.customer_id,
      at: realNow(),
    });
  });
}

export async function preferences(deps: Deps, customerId: string) {
  return (await customerContacts(deps.db, customerId)).map((c) => ({
    userId: c.user_id,
    name: c.display_name,
    email: c.email,
    incidents: c.incidents,
    maintenance: c.maintenance,
  }));
}

/** A customer user's own choice (or a customer admin's for a colleague). */
export async function setPreference(
  deps: Deps,
  auth: AuthContext,
  customerId: string,
  userId: string,
  input: { incidents: Preference; maintenance: boolean },
) {
  const contacts = await customerContacts(deps.db, customerId);
  if (!contacts.some((c) => c.user_id === userId)) throw notFound("user");
  if (auth.user.kind === "customer" && auth.user.id !== userId && auth.user.role !== "admin")
    throw new AppError("forbidden", "a customer user sets their own preferences (a customer admin anyone's)");
  await deps.db.transaction().execute(async (tx) => {
    await upsertPreference(tx, {
      user_id: userId,
      customer_id: customerId,
      incidents: input.incidents,
      maintenance: input.maintenance,
      updated_at: realNow(),
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "incidents.preference.set",
      subjectType: "user",
      subjectId: userId,
      customerId,
      after: input,
      at: realNow(),
    });
  });
  return preferences(deps, customerId);
}
