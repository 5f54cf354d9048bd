/**
 * What a change of a contract's content costs (Art. 20(3), 29(4)(5)): the menu's verdict, the
 * preview a customer sees before sending it, the difference for months already invoiced when it is
 * confirmed late, and the fees a cancelled change owes. The contracts room records the change; this
 * room prices it and hands its part in.
 */
import { appendAudit } from "../audit/service.ts";
import { type ChangeRequest, type Content, pricedContent } from "../contracts/change-rules.ts";
import {
  type ChangeCase,
  type ChangeRow,
  cancelChange,
  changeCancellationPreview,
  confirmChange,
  draftChange,
  requestChange,
} from "../contracts/changes.ts";
import { loadContract } from "../contracts/common.ts";
import { minimumTerm } from "../contracts/rules.ts";
import { lastConfirmedReceipt } from "../contracts/store/changes.ts";
import { type Basis, cite } from "../core/citations.ts";
import { addMonthsToMonth, type IsoDate, type IsoMonth, monthOf } from "../core/dates.ts";
import { type Deps, todayOf } from "../core/deps.ts";
import { asCaller, asSystem, type Db, type Tx } from "../db/db.ts";
import { type AuthContext, actorOf } from "../identity/actor.ts";
import { addChargeIn } from "./charges.ts";
import { billableContracts, recurringFacts } from "./contract-facts.ts";
import { PriceBook } from "./price-book.ts";
import { chargesForMonth } from "./rules/charges.ts";
import { checkMenu, type MenuLimit } from "./rules/menu.ts";
import { invoicedMonthsOf } from "./store/invoices.ts";
import { menuLimitRows, upsertMenuLimit } from "./store/menu.ts";
import type { ChargeLine } from "./types.ts";

export async function menuLimits(db: Db | Tx): Promise<Map<string, MenuLimit>> {
  const rows = await menuLimitRows(db);
  return new Map(
    rows.map((r) => [
      r.target,
      {
        target: r.target,
        rank: r.rank,
        maxServers: r.max_servers,
        noDowngradeInMinimumTerm: r.no_downgrade_in_minimum_term,
        requiresPlans: r.requires_plans,
      },
    ]),
  );
}

/** The menu's limits as the API shows them. */
export async function listMenuLimits(deps: Pick<Deps, "db">) {
  return { limits: [...(await menuLimits(deps.db)).values()] };
}

/** Set one target's limits (an admin's edit of the price book, audited). */
export async function setMenuLimit(deps: Deps, auth: AuthContext, limit: MenuLimit) {
  return deps.db.transaction().execute(async (tx) => {
    await upsertMenuLimit(tx, {
      target: limit.target,
      rank: limit.rank,
      max_servers: limit.maxServers,
      no_downgrade_in_minimum_term: limit.noDowngradeInMinimumTerm,
      requires_plans: limit.requiresPlans,
      updated_by: auth.user.id,
      updated_at: deps.clock.now(),
    });
    await appendAudit(tx, {
      actor: actorOf(auth),
      action: "billing.menu_limit.set",
      subjectType: "price_item",
      after: limit,
      article: "20(3)",
      at: deps.clock.now(),
    });
    return limit;
  });
}

/** The menu's verdict on a change (Art. 20(3)): the basis, or a 409 with every reason. */
async function menuVerdict(x: ChangeCase): Promise<Basis[]> {
  const term = minimumTerm(x.contract.start_date, x.before.committedMonths ?? undefined).result;
  return checkMenu(await menuLimits(x.tx), {
    before: pricedContent(x.before),
    after: pricedContent(x.after),
    receivedOn: x.receivedOn,
    minimumTermEnd: term.minimumTermEnd,
  });
}

export interface ChangePricing {
  receivedOn: IsoDate;
  /** The month of receipt (charged at the highest rate of its days) and the month after (the new rate). */
  months: { month: IsoMonth; before: number; after: number; lines: ChargeLine[] }[];
  /** Initial fees the change adds (charged once, Art. 29(1)); what a cancellation owes (Art. 29(5)). */
  initialFees: number;
  initialLines: ChargeLine[];
  basis: Basis[];
}

const sum = (lines: ChargeLine[]) => lines.reduce((s, l) => s + l.amount, 0);

/** What the contract costs with and without the change, per month, tax excluded. */
async function pricing(tx: Tx, x: ChangeCase, months: IsoMonth[]) {
  const [bc] = await billableContracts(tx, [x.contract.id]);
  const book = await PriceBook.load(tx);
  const facts = await recurringFacts(tx, [bc!.id], months[months.length - 1]!);
  const step = { receivedOn: x.receivedOn, before: pricedContent(x.before), after: pricedContent(x.after) };
  const old = facts.charges(book, bc!);
  const neu = facts.charges(book, bc!, [step]);
  return months.map((m) => ({
    month: m,
    old: chargesForMonth(old, m).result.lines,
    neu: chargesForMonth(neu, m),
  }));
}

async function previewOf(x: ChangeCase): Promise<ChangePricing> {
  const m = monthOf(x.receivedOn);
  const [first, next] = await pricing(x.tx, x, [m, addMonthsToMonth(m, 1)]);
  const months = [first!, next!].map((p) => ({
    month: p.month,
    before: sum(p.old),
    after: sum(p.neu.result.lines),
    lines: p.neu.result.lines,
  }));
  const oldInitial = new Set(first!.old.filter((l) => l.kind === "initial").map((l) => l.itemCode));
  const initialLines = first!.neu.result.lines.filter(
    (l) => l.kind === "initial" && !oldInitial.has(l.itemCode),
  );
  const initialFees = sum(initialLines);
  const basis: Basis[] = [
    cite(
      "29(4)",
      `Once confirmed, the new fees apply from ${x.receivedOn}: ${m} is charged ${months[0]!.after} yen (was ${months[0]!.before}), the highest rate in effect on any of its days; from ${next!.month} the contract costs ${months[1]!.after} yen a month (was ${months[1]!.before}), tax excluded.`,
      `変更が確認されると、${x.receivedOn} から新しい料金等が適用されます。${m} 分はその月のいずれかの日に適用される最も高い料金で${months[0]!.after}円（変更前${months[0]!.before}円）、${next!.month} 以降は月額${months[1]!.after}円（変更前${months[1]!.before}円）となります（いずれも税抜）。`,
    ),
  ];
  if (initialFees > 0)
    basis.push(
      cite(
        "29(1)",
        `The change adds initial fees of ${initialFees.toLocaleString("en-US")} yen, charged once (${initialLines.map((l) => l.descriptionEn ?? l.description).join(", ")}).`,
        `この変更により初期費用${initialFees.toLocaleString("ja-JP")}円が加わり、1回限り請求されます（${initialLines.map((l) => l.description).join("、")}）。`,
      ),
    );
  return { receivedOn: x.receivedOn, months, initialFees, initialLines, basis };
}

/** Before sending: what the change does, whether the menu allows it, and what it will cost (nothing is written). */
export async function previewChange(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: { request: ChangeRequest; receivedOn?: IsoDate },
) {
  return asCaller(deps.db, auth, async (tx) => {
    const c = await loadContract(tx, contractId);
    const d = draftChange(
      deps,
      auth,
      c,
      input.request,
      input.receivedOn,
      await lastConfirmedReceipt(tx, c.id),
    );
    const x = { tx, contract: c, before: d.before, after: d.after, receivedOn: d.receivedOn };
    const menu = await menuVerdict(x);
    const p = await previewOf(x);
    return {
      steps: d.steps,
      before: d.before,
      after: d.after,
      ...p,
      basis: [...d.basis, ...menu, ...p.basis],
    };
  });
}

/** Request a change: refused outside the menu (Art. 20(3)); pending until confirmed (Art. 20(4)). */
export async function requestContractChange(
  deps: Deps,
  auth: AuthContext,
  contractId: string,
  input: { request: ChangeRequest; receivedOn?: IsoDate; channel?: "paper" | "email"; note?: string },
) {
  let preview: ChangePricing | null = null;
  const r = await requestChange(deps, auth, contractId, input, async (x) => {
    const menu = await menuVerdict(x);
    preview = await previewOf(x);
    return [...menu, ...preview.basis];
  });
  return { ...r, preview: preview as unknown as ChangePricing };
}

/**
 * Confirm a change: the menu is asked again (the contract may have changed since the request), and
 * for months of receipt or later already invoiced, the difference the change makes is charged (or
 * credited) on the next invoice, line by line, citing Art. 29(4).
 */
export async function confirmContractChange(
  deps: Deps,
  auth: AuthContext,
  changeId: string,
  effectiveOn?: IsoDate,
) {
  return confirmChange(deps, auth, changeId, effectiveOn, async (x) => {
    const menu = await menuVerdict(x);
    const months = await invoicedMonthsOf(x.tx, x.contract.id, monthOf(x.receivedOn));
    if (months.length === 0) return menu;
    const basis: Basis[] = [...menu];
    for (const p of await pricing(x.tx, x, months)) {
      for (const d of differences(p.old, p.neu.result.lines)) {
        await addChargeIn(deps, x.tx, actorOf(auth), x.contract.id, {
          month: p.month,
          kind: d.kind as "initial" | "monthly" | "annual",
          itemCode: d.itemCode,
          description: `${d.description} ${p.month} 差額 (契約内容の変更 ${x.receivedOn} 受付)`,
          descriptionEn:
            d.descriptionEn && `${d.descriptionEn} ${p.month} difference (change received ${x.receivedOn})`,
          taxCategory: d.taxCategory,
          unitPrice: d.amount,
          article: "29(4)",
          note: `${p.month} was invoiced before the change received on ${x.receivedOn} was confirmed; the new fees apply from its receipt, so ${d.was.toLocaleString("en-US")} yen becomes ${d.is.toLocaleString("en-US")} yen (Art. 29(4)).`,
          noteJa: `${p.month} 分は ${x.receivedOn} 受付の契約内容の変更が承認される前に請求済みです。新しい料金は受付の日から適用されるため、${d.was.toLocaleString("ja-JP")}円は${d.is.toLocaleString("ja-JP")}円となります(第29条第4項)。`,
          sourceKey: `change:${x.change.id}:${p.month}:${d.itemCode}`,
          details: { changeId: x.change.id, month: p.month, was: d.was, is: d.is },
        });
        basis.push(
          cite(
            "29(4)",
            `${p.month}, already invoiced: ${d.descriptionEn ?? d.description} ${d.was.toLocaleString("en-US")} → ${d.is.toLocaleString("en-US")} yen, the difference on the next invoice.`,
            `${p.month} 分は請求済みのため、${d.description} の${d.was.toLocaleString("ja-JP")}円 → ${d.is.toLocaleString("ja-JP")}円の差額を次回の請求書で精算します。`,
          ),
        );
      }
    }
    return basis;
  });
}

/** Per item, what the month's lines were and are, where they differ. */
function differences(was: ChargeLine[], is: ChargeLine[]) {
  const key = (l: ChargeLine) => l.itemCode ?? l.description;
  const by = new Map<string, { line: ChargeLine; was: number; is: number }>();
  for (const l of was) {
    const e = by.get(key(l)) ?? { line: l, was: 0, is: 0 };
    e.was += l.amount;
    by.set(key(l), e);
  }
  for (const l of is) {
    const e = by.get(key(l)) ?? { line: l, was: 0, is: 0 };
    e.is += l.amount;
    by.set(key(l), e);
  }
  return [...by.values()]
    .filter((e) => e.is !== e.was)
    .map((e) => ({
      kind: e.line.kind,
      itemCode: e.line.itemCode,
      description: e.line.description,
      descriptionEn: e.line.descriptionEn,
      taxCategory: e.line.taxCategory,
      was: e.was,
      is: e.is,
      amount: e.is - e.was,
    }));
}

/** The fees a cancelled change owes (Art. 29(5)): the initial fees of what it would have added. */
async function cancellationFees(
  deps: Deps,
  auth: AuthContext,
  x: ChangeCase & { change: ChangeRow; charge: boolean },
): Promise<{ amount: number; lines: ChargeLine[]; basis: Basis[] }> {
  const p = await previewOf({ ...x, before: x.change.before as Content, after: x.change.after as Content });
  const basis = [
    cite(
      "29(5)",
      p.initialFees > 0
        ? `A change cancelled before its new fees apply owes the fees it caused: ${p.initialLines.map((l) => `${l.descriptionEn ?? l.description} ${l.amount.toLocaleString("en-US")} yen`).join(", ")}.`
        : "A change cancelled before its new fees apply owes the fees it caused; this one caused none.",
      p.initialFees > 0
        ? `新しい料金等が適用される前に取り消された契約内容の変更についても、その変更に関して発生した料金等をお支払いいただきます（${p.initialLines.map((l) => `${l.description} ${l.amount.toLocaleString("ja-JP")}円`).join("、")}）。`
        : "新しい料金等が適用される前に取り消された契約内容の変更についても、その変更に関して発生した料金等をお支払いいただきますが、この変更で発生した料金等はありません。",
    ),
  ];
  if (x.charge)
    for (const l of p.initialLines)
      await asSystem(x.tx, () =>
        addChargeIn(deps, x.tx, actorOf(auth), x.contract.id, {
          month: monthOf(todayOf(deps)),
          kind: "initial",
          itemCode: l.itemCode,
          description: `${l.description} (変更取消 ${x.receivedOn} 受付分)`,
          descriptionEn: l.descriptionEn && `${l.descriptionEn} (change received ${x.receivedOn}, cancelled)`,
          taxCategory: l.taxCategory,
          unitPrice: l.amount,
          article: "29(5)",
          note: `The change received on ${x.receivedOn} was cancelled before its new fees applied; the fees it caused are owed (Art. 29(5)).`,
          noteJa: `${x.receivedOn} 受付の契約内容の変更は新しい料金の適用前に取り消されましたが、その変更に関して発生した料金等をお支払いいただきます(第29条第5項)。`,
          sourceKey: `change-cancelled:${x.change.id}:${l.itemCode}`,
          details: { changeId: x.change.id },
        }),
      );
  return { amount: p.initialFees, lines: p.initialLines, basis };
}

export async function cancellationOfChange(deps: Deps, auth: AuthContext, changeId: string) {
  let lines: ChargeLine[] = [];
  const r = await changeCancellationPreview(deps, auth, changeId, async (x) => {
    const f = await cancellationFees(deps, auth, x);
    lines = f.lines;
    return f;
  });
  return { fees: r.amount, lines, basis: r.basis };
}

export async function cancelContractChange(
  deps: Deps,
  auth: AuthContext,
  changeId: string,
  expectedFees: number,
) {
  return cancelChange(deps, auth, changeId, expectedFees, (x) => cancellationFees(deps, auth, x));
}
