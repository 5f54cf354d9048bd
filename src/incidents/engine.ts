/**
 * The incidents engine, run by worker processes: it takes each confirmed state change of a check once
 * (a check down opens or joins its incident, up again restores it), pages on-call staff step by step
 * of the escalation policy until someone acknowledges, and tells the customers of their incidents and
 * restorations (Art. 43). Woken at once by PostgreSQL notifications (a probe's state change, a new
 * incident), and every few seconds anyway. Every step is a transaction over rows locked with SKIP
 * LOCKED, so several workers share the work and a killed one loses nothing: what it had not committed
 * is taken again; the messages go through the notice outbox.
 */
import type { Actor } from "../audit/service.ts";
import type { Config } from "../core/config.ts";
import type { Deps } from "../core/deps.ts";
import type { Tx } from "../db/db.ts";
import { Listener } from "../db/listener.ts";
import { CHECK_EVENTS_CHANNEL, markEventsHandled, unhandledEvents } from "../monitoring/store/checks.ts";
import { queueNotice, type Recipient } from "../notices/service.ts";
import { type IncidentRow, referenceOf, resolveIncidents } from "./lifecycle.ts";
import { onCallAt } from "./oncall.ts";
import { scheduleOf } from "./oncall-service.ts";
import { atLeast, checkKey, type EscalationPolicy, muteOf, nextEscalation, type Severity } from "./rules.ts";
import { muteFacts, type NewIncident, openOrJoin } from "./store/alerts.ts";
import { customerChannels, customerContacts } from "./store/contacts.ts";
import {
  dueCustomerNotices,
  dueEscalations,
  INCIDENTS_CHANNEL,
  insertEvents,
  insertPages,
  notifyChanged,
  openAutoResolving,
  updateIncident,
} from "./store/incidents.ts";
import {
  channelsOfUsers,
  defaultPolicyId,
  overridesOf,
  policyById,
  schedulesByIds,
  staffByIds,
} from "./store/oncall.ts";

type EngineDeps = Pick<Deps, "db" | "queue" | "clock"> & { config: Config };

const SYSTEM: Actor = { kind: "system", id: null };

/** Take the unhandled state changes of checks: open, join or restore their incidents. */
export async function takeCheckEvents(deps: EngineDeps, limit = 500): Promise<number> {
  return deps.db.transaction().execute(async (tx) => {
    const events = await unhandledEvents(tx, limit);
    if (events.length === 0) return 0;
    const now = new Date();
    const downs = events.filter((e) => e.to_state === "down");
    const contractIds = [...new Set(downs.map((e) => e.contract_id))];
    const itemIds = [...new Set(downs.map((e) => e.item_id))];
    const policyId = downs.length > 0 ? await defaultPolicyId(tx) : null;
    const byCustomer = new Map<string, Awaited<ReturnType<typeof muteFacts>>>();
    const rows: NewIncident[] = [];
    for (const e of downs) {
      let facts = byCustomer.get(e.customer_id);
      if (!facts) {
        facts = await muteFacts(tx, e.customer_id, contractIds, itemIds, e.at);
        byCustomer.set(e.customer_id, facts);
      }
      const mute = muteOf({
        windows: facts.windows.filter(
          (w) =>
            w.scope === "service" ||
            (w.scope === "contract" && w.contract_id === e.contract_id) ||
            (w.scope === "item" && w.item_id === e.item_id),
        ),
        contractStatus: facts.contractStatus.get(e.contract_id) ?? null,
        emergencyStopped: facts.stopped.has(e.item_id),
      });
      rows.push({
        dedupeKey: checkKey(e.check_id),
        customerId: e.customer_id,
        contractId: e.contract_id,
        itemId: e.item_id,
        checkId: e.check_id,
        integrationId: null,
        title: `${e.item_name}: ${e.check_name} — ${e.message ?? e.code ?? "down"}`.slice(0, 500),
        severity: "critical",
        openedAt: e.at,
        // 認知: the provider is aware when its own check confirmed the failure.
        awareAt: e.at,
        outage: true,
        muted: mute?.mute ?? null,
        maintenanceId: mute?.windowId ?? null,
        policyId,
        nextEscalationAt: mute ? null : now,
      });
    }
    const opened = await openOrJoin(tx, rows);
    await insertEvents(
      tx,
      rows.map((r, n) => ({
        incident_id: opened.get(r.dedupeKey)!.id,
        customer_id: r.customerId,
        at: downs[n]!.at,
        kind: opened.get(r.dedupeKey)!.opened ? "opened" : "signal",
        actor_id: null,
        body: r.title,
        data: { source: "check", checkId: r.checkId, code: downs[n]!.code, muted: r.muted },
        public: opened.get(r.dedupeKey)!.opened,
      })),
    );
    await notifyChanged(
      tx,
      rows.map((r) => ({ id: opened.get(r.dedupeKey)!.id, customerId: r.customerId })),
    );
    // Up again after down: restore the open incident (when it resolves by itself).
    const ups = events.filter((e) => e.to_state === "up" && e.from_state === "down");
    if (ups.length > 0) {
      const open = await openAutoResolving(
        tx,
        ups.map((e) => checkKey(e.check_id)),
      );
      const upAt = new Map(ups.map((e) => [checkKey(e.check_id), e.at]));
      await resolveIncidents(tx, open, {
        at: now,
        restoredAt: (i) => upAt.get(i.dedupe_key) ?? now,
        by: null,
        kind: "auto",
      });
    }
    await markEventsHandled(
      tx,
      events.map((e) => e.id),
      now,
    );
    return events.length;
  });
}

/** Who a step's targets are now: a schedule's on-call member, or a named user. */
async function targetsOf(tx: Tx, policy: EscalationPolicy, step: number, at: Date): Promise<string[]> {
  const s = policy.steps[step];
  if (!s) return [];
  const scheduleIds = s.targets.filter((t) => t.kind === "schedule").map((t) => t.id);
  const schedules = await schedulesByIds(tx, scheduleIds);
  const overrides = await overridesOf(tx, scheduleIds, at);
  const users = new Set<string>();
  for (const t of s.targets) {
    if (t.kind === "user") users.add(t.id);
    else {
      const sc = schedules.find((x) => x.id === t.id);
      if (!sc) continue;
      const who = onCallAt(scheduleOf(sc, overrides), at);
      if (who) users.add(who.userId);
    }
  }
  return [...users];
}

function consoleLink(config: Config, incidentId: string) {
  return `${(config.publicUrl ?? "http://localhost:3000").replace(/\/$/, "")}/console/incidents/${incidentId}`;
}

function jst(d: Date) {
  return `${new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 16).replace("T", " ")} JST`;
}

/** Page the due escalation steps: one notice per step to its people (e-mail and their channels). */
export async function runEscalations(deps: EngineDeps, limit = 50): Promise<number> {
  return deps.db.transaction().execute(async (tx) => {
    const now = new Date();
    const due = await dueEscalations(tx, now, limit);
    const policies = new Map<string, EscalationPolicy | null>();
    for (const i of due) {
      const pid = i.policy_id ?? (await defaultPolicyId(tx));
      let policy = pid ? policies.get(pid) : null;
      if (pid && policy === undefined) {
        const p = await policyById(tx, pid);
        policy = p ? { steps: p.steps as unknown as EscalationPolicy["steps"], repeat: p.repeat } : null;
        policies.set(pid, policy);
      }
      if (!policy) {
        await updateIncident(tx, i.id, { next_escalation_at: null });
        await insertEvents(tx, [
          {
            incident_id: i.id,
            customer_id: i.customer_id,
            at: now,
            kind: "not_paged",
            actor_id: null,
            body: "no escalation policy: nobody was paged",
            data: null,
            public: false,
          },
        ]);
        continue;
      }
      const step = i.escalation_step;
      const round = i.escalation_round;
      const users = await staffByIds(tx, await targetsOf(tx, policy, step, now));
      const channels = (
        await channelsOfUsers(
          tx,
          users.map((u) => u.id),
        )
      ).filter((c) => atLeast(i.severity, c.min_severity));
      const recipients: Recipient[] = [
        ...users.map((u) => ({ customerId: null, email: u.email })),
        ...channels.map((c) => ({
          customerId: null,
          email: `${c.kind}: ${c.name}`,
          channel: { kind: c.kind, id: c.id },
        })),
      ];
      const ref = referenceOf(i.number);
      if (recipients.length > 0) {
        const n = await queueNotice(deps, tx, {
          kind: "notice",
          topic: "incident.page",
          subject: `[${i.severity.toUpperCase()}] ${ref} ${i.title}`.slice(0, 200),
          body: [
            `${ref} ${i.title}`,
            `Severity / 重大度: ${i.severity}`,
            `Opened / 発生: ${jst(i.opened_at)}`,
            `Escalation / エスカレーション: step ${step + 1}${round > 0 ? `, repeat ${round}` : ""}`,
            "",
            "Acknowledge / 確認:",
            consoleLink(deps.config, i.id),
          ].join("\n"),
          article: null,
          recipients,
          actor: SYSTEM,
          at: now,
        });
        await insertPages(
          tx,
          users.map((u) => ({
            incident_id: i.id,
            user_id: u.id,
            round,
            step,
            notice_id: n.noticeId,
            at: now,
          })),
        );
      }
      const next = nextEscalation(policy, step, round, now);
      await updateIncident(tx, i.id, {
        escalation_step: next?.step ?? step,
        escalation_round: next?.round ?? round,
        next_escalation_at: next?.at ?? null,
      });
      await insertEvents(tx, [
        {
          incident_id: i.id,
          customer_id: i.customer_id,
          at: now,
          kind: users.length > 0 ? "paged" : "not_paged",
          actor_id: null,
          body:
            users.length > 0
              ? users.map((u) => u.display_name).join(", ")
              : "nobody is on call for this step",
          data: { step, round, users: users.map((u) => u.id), channels: channels.length },
          public: false,
        },
      ]);
    }
    await notifyChanged(
      tx,
      due.map((i) => ({ id: i.id, customerId: i.customer_id })),
    );
    return due.length;
  });
}

const SEVERITY_JA: Record<Severity, string> = {
  critical: "緊急",
  major: "重大",
  minor: "軽微",
  info: "情報",
};

/** Tell customers of their incidents and of the restorations (Art. 43), by their preferences. */
export async function notifyCustomers(deps: EngineDeps, limit = 50): Promise<number> {
  return deps.db.transaction().execute(async (tx) => {
    const now = new Date();
    const due = await dueCustomerNotices(tx, limit);
    for (const i of due) {
      const opening = !i.customer_notified_at;
      const restoring = i.status === "resolved" && !i.restoration_notified_at;
      const contacts = (await customerContacts(tx, i.customer_id)).filter(
        (c) => c.incidents === "all" || (c.incidents === "major" && atLeast(i.severity, "major")),
      );
      const channels = (await customerChannels(tx, i.customer_id)).filter((c) =>
        atLeast(i.severity, c.min_severity),
      );
      const recipients: Recipient[] = [
        ...contacts.map((c) => ({ customerId: i.customer_id, email: c.email })),
        ...channels.map((c) => ({
          customerId: i.customer_id,
          email: `${c.kind}: ${c.name}`,
          channel: { kind: c.kind, id: c.id },
        })),
      ];
      if (recipients.length > 0)
        await queueNotice(deps, tx, customerNotice(deps.config, i, opening, restoring, recipients, now));
      await updateIncident(tx, i.id, {
        ...(opening ? { customer_notified_at: now } : {}),
        ...(restoring ? { restoration_notified_at: now } : {}),
      });
      await insertEvents(tx, [
        {
          incident_id: i.id,
          customer_id: i.customer_id,
          at: now,
          kind: "customer_notified",
          actor_id: null,
          body: `${restoring ? "restoration" : "incident"}: ${recipients.length} recipient(s)`,
          data: { recipients: recipients.length, opening, restoring },
          public: false,
        },
      ]);
    }
    return due.length;
  });
}

function customerNotice(
  config: Config,
  i: IncidentRow,
  opening: boolean,
  restoring: boolean,
  recipients: Recipient[],
  at: Date,
) {
  const ref = referenceOf(i.number);
  const link = `${(config.publicUrl ?? "http://localhost:3000").replace(/\/$/, "")}/portal/incidents/${i.id}`;
  const subject = restoring
    ? `【復旧】${ref} ${i.title} / Restored`
    : `【障害】${ref} ${i.title} / Incident (${SEVERITY_JA[i.severity]})`;
  const lines = [
    restoring
      ? "下記の障害は復旧しました。The incident below has been restored."
      : "下記の障害を認知し、対応を開始しました。We are aware of the incident below and are working on it.",
    "",
    `${ref} ${i.title}`,
    `重大度 / Severity: ${SEVERITY_JA[i.severity]} (${i.severity})`,
    `認知 / Aware since: ${jst(i.aware_at)}`,
    ...(restoring && i.restored_at ? [`復旧 / Restored: ${jst(i.restored_at)}`] : []),
    "",
    link,
  ];
  void opening;
  return {
    kind: "notice" as const,
    topic: restoring ? "incident.restored" : "incident.opened",
    subject: subject.slice(0, 200),
    body: lines.join("\n"),
    article: "43(1)",
    contractId: i.contract_id,
    recipients,
    actor: SYSTEM,
    at,
  };
}

/** Everything due now, until nothing is left (tests and the engine's loop). */
export async function tick(deps: EngineDeps): Promise<{ events: number; pages: number; notices: number }> {
  const out = { events: 0, pages: 0, notices: 0 };
  for (;;) {
    const e = await takeCheckEvents(deps);
    const p = await runEscalations(deps);
    const n = await notifyCustomers(deps);
    out.events += e;
    out.pages += p;
    out.notices += n;
    if (e + p + n === 0) return out;
  }
}

/** The engine's loop in a worker process: woken by notifications, and every `everyMs` anyway. */
export class IncidentEngine {
  private listener: Listener | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly deps: EngineDeps,
    private readonly opts: {
      url: string;
      everyMs?: number;
      log: { warn(o: object, m: string): void; error(o: object, m: string): void };
    },
  ) {}

  async start() {
    this.listener = new Listener({
      url: this.opts.url,
      channels: [CHECK_EVENTS_CHANNEL, INCIDENTS_CHANNEL],
      onNotify: () => this.wake(),
      onReconnect: () => this.wake(),
      log: this.opts.log,
    });
    await this.listener.start();
    const every = this.opts.everyMs ?? 5_000;
    this.timer = setInterval(() => this.wake(), every);
    this.timer.unref();
    this.wake();
  }

  /** Run a tick now, or once more right after the running one. */
  wake() {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await tick(this.deps);
        } catch (err) {
          this.opts.log.error({ err: String(err) }, "incidents engine: a tick failed (retried)");
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = undefined;
    });
  }

  async stop() {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.listener?.stop();
    await this.running;
  }
}
