/**
 * The service menu's limits on changes (Art. 20(3)): "depending on the menu, some changes of the
 * contract's content are not possible". The limits are data of the price book (menu_limits); this
 * rule says which of them a change breaks. Pure.
 */
import { type Basis, cite } from "../../core/citations.ts";
import type { IsoDate } from "../../core/dates.ts";
import { AppError } from "../../core/errors.ts";

export interface MenuLimit {
  /** `plan:<code>` or `option:<code>`. */
  target: string;
  /** Plans: their order (a lower rank is a downgrade). */
  rank: number | null;
  /** Plans: the most servers the plan covers. */
  maxServers: number | null;
  /** Plans: cannot be left for a lower plan until the minimum (or committed) term has ended. */
  noDowngradeInMinimumTerm: boolean;
  /** Options: the plans they can be added to (or kept on). */
  requiresPlans: string[] | null;
}

export interface MenuCase {
  before: { plan: string; options: readonly string[]; servers: number };
  after: { plan: string; options: readonly string[]; servers: number };
  receivedOn: IsoDate;
  /** The last day of the minimum term (Art. 12(1)) or of the committed term (Art. 12(2)). */
  minimumTermEnd: IsoDate;
}

export interface MenuRefusal {
  code: "downgrade_in_minimum_term" | "too_many_servers" | "option_needs_plan";
  text: string;
}

/** Every limit the change breaks (empty: the menu allows it), each with its reason. */
export function menuRefusals(limits: ReadonlyMap<string, MenuLimit>, x: MenuCase): MenuRefusal[] {
  const out: MenuRefusal[] = [];
  const from = limits.get(`plan:${x.before.plan}`);
  const to = limits.get(`plan:${x.after.plan}`);
  if (
    x.after.plan !== x.before.plan &&
    from?.noDowngradeInMinimumTerm &&
    from.rank !== null &&
    to?.rank != null &&
    to.rank < from.rank &&
    x.receivedOn <= x.minimumTermEnd
  )
    out.push({
      code: "downgrade_in_minimum_term",
      text: `the ${x.before.plan} plan cannot be downgraded before its minimum term ends on ${x.minimumTermEnd} (request received ${x.receivedOn})`,
    });
  const changedCoverage = x.after.plan !== x.before.plan || x.after.servers > x.before.servers;
  if (changedCoverage && to?.maxServers != null && x.after.servers > to.maxServers)
    out.push({
      code: "too_many_servers",
      text: `the ${x.after.plan} plan covers at most ${to.maxServers} servers; the change asks for ${x.after.servers}`,
    });
  for (const o of x.after.options) {
    const needs = limits.get(`option:${o}`)?.requiresPlans;
    const checked = x.after.plan !== x.before.plan || !x.before.options.includes(o);
    if (checked && needs && needs.length > 0 && !needs.includes(x.after.plan))
      out.push({
        code: "option_needs_plan",
        text: `the option ${o} needs the ${needs.join(" or ")} plan, not ${x.after.plan}`,
      });
  }
  return out;
}

/** The menu's verdict: the basis when the change is allowed; a 409 citing Art. 20(3) with every reason otherwise. */
export function checkMenu(limits: ReadonlyMap<string, MenuLimit>, x: MenuCase): Basis[] {
  const refusals = menuRefusals(limits, x);
  if (refusals.length > 0)
    throw new AppError(
      "conflict",
      `the service menu does not allow this change: ${refusals.map((r) => r.text).join("; ")}`,
      { article: "20(3)", details: { menu: refusals.map((r) => r.code) } },
    );
  return [
    cite(
      "20(3)",
      "The service menu allows this change (plan order, servers per plan, options' plans).",
      "サービスメニュー上、この契約内容の変更は可能です（プランの順位、プランごとのサーバー台数、オプションを利用できるプラン）。",
    ),
  ];
}
