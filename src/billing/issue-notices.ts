/**
 * Telling customers their invoices were issued (Art. 31(1)): one notice per issued invoice, e-mailed
 * through the notice outbox to the company's active portal users, in the transaction that issues
 * them — an invoice is never issued without its notice, nor announced without being issued. A month's
 * batch is written in a few statements (the notices, their deliveries, one audit entry), not per row.
 */
import type { Actor } from "../audit/service.ts";
import type { Deps } from "../core/deps.ts";
import type { Tx } from "../db/db.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { queueNoticeBatch } from "../notices/service.ts";
import { issuedInvoicesOf } from "./store/invoices.ts";

export const INVOICE_ISSUED_TOPIC = "invoice_issued";

export interface IssueNoticeDeps extends Pick<Deps, "clock"> {
  /** Wakes the outbox at once; without it the outbox's every-minute run sends the e-mails. */
  queue?: Pick<JobQueue, "enqueue">;
  /** Where the portal is reached from outside (UNYO_PUBLIC_URL): the e-mail links to the invoice. */
  config?: { publicUrl?: string | undefined };
}

const yen = (n: number) => `${n.toLocaleString("ja-JP")}円`;

export function issuedNoticeText(
  inv: { id: string; number: string; kind: string; month: string; total: number; dueDate: string },
  publicUrl: string | undefined,
): { subject: string; body: string } {
  const credit = inv.kind === "credit";
  // A credit note (適格返還請求書) states what is returned, never a negative amount to pay.
  const what = credit ? "返還請求書(適格返還請求書)" : inv.kind === "corrected" ? "訂正請求書" : "請求書";
  const base = publicUrl?.replace(/\/+$/, "");
  const where = base
    ? `ポータル: ${base}/portal/invoices/${inv.id}\nPDF: ${base}/api/v1/invoices/${inv.id}/pdf(ポータルにログインした状態で開けます)`
    : "ポータルの「請求書」から、内容の確認と PDF のダウンロードができます。";
  return {
    subject: `${what} ${inv.number} を発行しました(${inv.month} 分)`,
    body: [
      `${inv.month} 分の${what} ${inv.number} を発行しました(第31条第1項)。`,
      credit ? `返還額(税込): ${yen(-inv.total)}` : `請求金額(税込): ${yen(inv.total)}`,
      credit ? "" : `お支払期日: ${inv.dueDate}(第31条第3項)`,
      "",
      where,
      "",
      credit
        ? `The credit note ${inv.number} for ${inv.month} was issued (Art. 31(1)): ${(-inv.total).toLocaleString("en-US")} yen incl. tax returned.`
        : `The ${inv.kind === "corrected" ? "corrected invoice" : "invoice"} ${inv.number} for ${inv.month} was issued (Art. 31(1)): ${inv.total.toLocaleString("en-US")} yen incl. tax, due ${inv.dueDate}.`,
    ]
      .filter((l, i, all) => l !== "" || all[i - 1] !== "")
      .join("\n"),
  };
}

/** Queue the notices of invoices just issued (their ids); answers how many e-mails were queued. */
export async function noticeIssued(
  deps: IssueNoticeDeps,
  tx: Tx,
  actor: Actor,
  ids: string[],
): Promise<number> {
  const invoices = await issuedInvoicesOf(tx, ids);
  return queueNoticeBatch(deps, tx, {
    topic: INVOICE_ISSUED_TOPIC,
    article: "31(1)",
    actor,
    at: deps.clock.now(),
    notices: invoices.map((inv) => ({
      customerId: inv.customer_id,
      contractId: inv.contract_id,
      ...issuedNoticeText(
        {
          id: inv.id,
          number: inv.number ?? "",
          kind: inv.kind,
          month: inv.month,
          total: inv.total,
          dueDate: inv.due_date,
        },
        deps.config?.publicUrl,
      ),
    })),
  });
}
