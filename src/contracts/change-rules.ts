/**
 * Changes of a contract's content (Art. 20(2)–(4), 11): what a request does to the content, and the
 * content's versions over time that billing charges (Art. 29(4)). Pure: no I/O.
 *
 * A change is requested (portal: received when submitted; paper: the day it arrived), and alters
 * nothing until the provider confirms it has taken effect (Art. 20(4)); once confirmed, its content is
 * in effect from the day it was received (Art. 29(4)). An option's cancellation (Art. 11) is a change
 * confirmed on arrival.
 */
import { type Basis, cite, type Explained } from "../core/citations.ts";
import type { IsoDate } from "../core/dates.ts";
import { AppError } from "../core/errors.ts";

/** A host name as the contract knows it: DNS names are case-insensitive and spaces are not part of them. */
export const serverKey = (hostname: string) => hostname.trim().toLowerCase();

export const CONTRACT_CHANGE_STATUSES = ["requested", "confirmed", "refused", "cancelled"] as const;
export type ContractChangeStatus = (typeof CONTRACT_CHANGE_STATUSES)[number];
export const CONTRACT_CHANGE_KINDS = ["change", "option_cancellation"] as const;
/** How a change request reached the provider: the portal (received when submitted) or a paper/e-mail form. */
export const CHANGE_CHANNELS = ["portal", "paper", "email"] as const;

export interface Server {
  hostname: string;
  provider: string;
  role?: string;
  os?: string;
}

/** What a change may alter: the plan, the options, the servers covered, the committed term. */
export interface Content {
  plan: string;
  options: string[];
  servers: Server[];
  committedMonths: number | null;
}

export interface ChangeRequest {
  plan?: string;
  addOptions?: string[];
  removeOptions?: string[];
  addServers?: Server[];
  /** Host names of servers to remove from the service. */
  removeServers?: string[];
  /** A committed term in months counting the start month (Art. 12(2) proviso); null: the minimum term. */
  committedMonths?: number | null;
}

const refuse = (message: string, field: string, code: string) =>
  new AppError("conflict", message, { article: "20(2)", details: { [field]: [code] } });

/**
 * The content after `req`, with one sentence per step. Refuses a request that asks for what the
 * contract already has (or lacks), that changes nothing, or that would leave no server covered.
 */
export function applyChange(
  before: Content,
  req: ChangeRequest,
): Explained<{ content: Content; steps: string[] }> {
  const steps: string[] = [];
  /** The same steps in Japanese, for the citation's Japanese text. */
  const stepsJa: string[] = [];
  let plan = before.plan;
  if (req.plan !== undefined) {
    if (req.plan === before.plan)
      throw refuse(`the contract is already on the ${req.plan} plan`, "plan", "unchanged");
    steps.push(`plan ${before.plan} → ${req.plan}`);
    stepsJa.push(`プランを${before.plan}から${req.plan}に変更`);
    plan = req.plan;
  }
  const add = req.addOptions ?? [];
  const remove = req.removeOptions ?? [];
  for (const o of add) {
    if (before.options.includes(o))
      throw refuse(`the contract already has the option "${o}"`, "addOptions", "present");
    if (remove.includes(o))
      throw refuse(`the option "${o}" is both added and removed`, "addOptions", "contradictory");
  }
  if (new Set(add).size !== add.length) throw refuse("an option is named twice", "addOptions", "duplicate");
  for (const o of remove)
    if (!before.options.includes(o))
      throw refuse(`the contract has no option "${o}"`, "removeOptions", "absent");
  const options = [...before.options.filter((o) => !remove.includes(o)), ...add];
  for (const o of add) {
    steps.push(`option ${o} added`);
    stepsJa.push(`オプションサービス${o}を追加`);
  }
  for (const o of new Set(remove)) {
    steps.push(`option ${o} removed`);
    stepsJa.push(`オプションサービス${o}の利用を取り止め`);
  }

  const have = new Set(before.servers.map((s) => serverKey(s.hostname)));
  const dropping = new Set((req.removeServers ?? []).map(serverKey));
  for (const h of dropping)
    if (!have.has(h)) throw refuse(`no server ${h} is covered by the contract`, "removeServers", "absent");
  const adding = new Set<string>();
  for (const s of req.addServers ?? []) {
    const k = serverKey(s.hostname);
    if ((have.has(k) && !dropping.has(k)) || adding.has(k))
      throw refuse(`the server ${s.hostname} is already covered`, "addServers", "present");
    adding.add(k);
  }
  const servers = [
    ...before.servers.filter((s) => !dropping.has(serverKey(s.hostname))),
    ...(req.addServers ?? []),
  ];
  if (dropping.size > 0 && servers.length === 0)
    throw refuse(
      "a contract covers at least one server; to end the service, cancel the contract (Art. 26)",
      "removeServers",
      "none_left",
    );
  if (adding.size > 0) {
    steps.push(
      `${adding.size} server(s) added (${[...(req.addServers ?? [])].map((s) => s.hostname).join(", ")})`,
    );
    stepsJa.push(
      `サーバ${adding.size}台を追加(${[...(req.addServers ?? [])].map((s) => s.hostname).join("、")})`,
    );
  }
  if (dropping.size > 0) {
    steps.push(`${dropping.size} server(s) removed (${[...dropping].join(", ")})`);
    stepsJa.push(`サーバ${dropping.size}台を対象から除外(${[...dropping].join("、")})`);
  }

  let committedMonths = before.committedMonths;
  if (req.committedMonths !== undefined) {
    if (req.committedMonths === before.committedMonths)
      throw refuse("the committed term is unchanged", "committedMonths", "unchanged");
    committedMonths = req.committedMonths;
    steps.push(
      committedMonths === null
        ? "committed term removed (minimum term, Art. 12(1))"
        : `committed term ${committedMonths} months (Art. 12(2))`,
    );
    stepsJa.push(
      committedMonths === null
        ? "契約期間の定めを削除(最低契約期間、第12条第1項)"
        : `契約期間を${committedMonths}ヶ月に設定(第12条第2項)`,
    );
  }
  if (steps.length === 0)
    throw new AppError(
      "validation_failed",
      "the request changes nothing: name a plan, options, servers or a term",
      {
        article: "20(2)",
        details: { plan: ["required"] },
      },
    );
  return {
    result: { content: { plan, options, servers, committedMonths }, steps },
    basis: [
      cite(
        "20(2)",
        `The contract's content is changed on the provider's form: ${steps.join("; ")}.`,
        `当社所定の申込用紙により契約内容を変更します: ${stepsJa.join("、")}。`,
      ),
    ],
  };
}

/** What changed between two contents, one phrase per step (for lists and the timeline). */
export function stepsBetween(before: Content, after: Content): string[] {
  const steps: string[] = [];
  if (before.plan !== after.plan) steps.push(`plan ${before.plan} → ${after.plan}`);
  for (const o of after.options) if (!before.options.includes(o)) steps.push(`option ${o} added`);
  for (const o of before.options) if (!after.options.includes(o)) steps.push(`option ${o} removed`);
  const key = (s: Server) => serverKey(s.hostname);
  const had = new Set(before.servers.map(key));
  const has = new Set(after.servers.map(key));
  const added = after.servers.filter((s) => !had.has(key(s))).map((s) => s.hostname);
  const removed = before.servers.filter((s) => !has.has(key(s))).map((s) => s.hostname);
  if (added.length > 0) steps.push(`${added.length} server(s) added (${added.join(", ")})`);
  if (removed.length > 0) steps.push(`${removed.length} server(s) removed (${removed.join(", ")})`);
  if (before.committedMonths !== after.committedMonths)
    steps.push(
      after.committedMonths === null
        ? "committed term removed (minimum term, Art. 12(1))"
        : `committed term ${after.committedMonths} months (Art. 12(2))`,
    );
  return steps;
}

/** The content billing prices: the plan, the options, how many servers. */
export interface PricedContent {
  plan: string;
  options: readonly string[];
  servers: number;
}

export interface Version<C> {
  /** First day in effect. */
  from: IsoDate;
  /** The first day of the next version (this one is in effect until the day before), or null. */
  until: IsoDate | null;
  content: C;
}

/**
 * The content's versions from the start: the content before the first confirmed change from the start
 * date, then each confirmed change's content from the day it was received (Art. 29(4)), in order of
 * receipt (ties: in the order given, i.e. of confirmation). A version superseded on its own first day
 * was never in effect and is left out. Without changes: the current content from the start.
 */
export function versionsOf<C>(
  start: IsoDate,
  current: C,
  confirmed: readonly { receivedOn: IsoDate; before: C; after: C }[],
): Version<C>[] {
  if (confirmed.length === 0) return [{ from: start, until: null, content: current }];
  const ordered = confirmed
    .map((ch, i) => ({ ch, i }))
    .sort((a, b) =>
      a.ch.receivedOn < b.ch.receivedOn ? -1 : a.ch.receivedOn > b.ch.receivedOn ? 1 : a.i - b.i,
    )
    .map((x) => x.ch);
  const steps: { from: IsoDate; content: C }[] = [{ from: start, content: ordered[0]!.before }];
  for (const ch of ordered) {
    const from = ch.receivedOn < start ? start : ch.receivedOn;
    if (steps[steps.length - 1]!.from === from) steps.pop();
    steps.push({ from, content: ch.after });
  }
  return steps.map((s, i) => ({ from: s.from, until: steps[i + 1]?.from ?? null, content: s.content }));
}

/** Options no longer in the last version, with the day their removal was received (Art. 11). */
export function removedOptions(
  versions: readonly Version<PricedContent>[],
): { option: string; receivedOn: IsoDate }[] {
  const last = versions[versions.length - 1]!.content.options;
  const out = new Map<string, IsoDate>();
  for (const v of versions)
    for (const o of v.content.options) if (!last.includes(o) && v.until) out.set(o, v.until);
  return [...out].map(([option, receivedOn]) => ({ option, receivedOn }));
}

/** The priced content of a full content. */
export const pricedContent = (c: Content): PricedContent => ({
  plan: c.plan,
  options: c.options,
  servers: c.servers.length,
});

/** The basis of a confirmed change's timing (Art. 20(4), 29(4)). */
export function changeTiming(receivedOn: IsoDate, confirmedOn: IsoDate | null): Basis[] {
  return [
    cite(
      "20(4)",
      confirmedOn
        ? `The provider confirmed on ${confirmedOn} that the change has taken effect; until then the contract was served and billed unchanged.`
        : "Until the provider confirms that the change has taken effect, the contract is served and billed unchanged.",
      confirmedOn
        ? `当社は${confirmedOn}に変更の実効を確認しました。それまでは、契約内容の変更はないものとして当サービスの提供及び請求を行いました。`
        : "当社が変更の実効を確認するまでは、契約内容の変更はないものとして当サービスの提供及び請求を行います。",
    ),
    cite(
      "29(4)",
      `Once confirmed, the new fees apply from the day the change was received (${receivedOn}); the month of receipt is charged at the highest rate in effect on any of its days.`,
      `変更の実効が確認されると、変更に伴う新しい料金等は変更を受理した日(${receivedOn})から適用されます。受理した月は、その月のいずれかの日に適用されていた最も高い料金で請求します。`,
    ),
  ];
}
