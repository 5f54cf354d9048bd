import type { Transporter } from "nodemailer";
import { z } from "zod";
import { defineJob } from "../../jobs/define.ts";
import { createTransport, deliverDue } from "../delivery.ts";
import { DELIVER_JOB } from "../service.ts";
import { nextDueAt } from "../store.ts";

let transport: Transporter | undefined;

/**
 * The outbox: send the deliveries that are due over SMTP. Queued with every notice (in its
 * transaction), every minute as a safety net, and again for when the next retry falls due.
 */
export const deliverJob = defineJob({
  name: DELIVER_JOB,
  summary:
    "Send queued notices: e-mails over SMTP, chat and webhook channels (retries with backoff; failed after 10 attempts)",
  payload: z.object({}),
  schedule: "* * * * *",
  // One waiting job is enough: it sends everything due when it runs.
  policy: "short",
  onStart: true,
  retry: { limit: 5, delaySeconds: 10, backoff: true },
  handler: async (ctx) => {
    if (ctx.config.smtp) transport ??= createTransport(ctx.config);
    const totals = { sent: 0, retried: 0, failed: 0 };
    for (;;) {
      const r = await deliverDue(ctx.db, transport, ctx.config, ctx.clock.now());
      totals.sent += r.sent;
      totals.retried += r.retried;
      totals.failed += r.failed;
      if (r.sent + r.retried + r.failed < 50) break;
    }
    // A retry falls due later: wake up then rather than at the next minute. (The queue keeps real
    // time; the clock may be a test clock, so the wait is what counts.) Its own key, so that it does
    // not hold back the wake-ups of new notices.
    const next = await nextDueAt(ctx.db);
    const wait = next ? next.getTime() - ctx.clock.now().getTime() : 0;
    if (next && wait > 0)
      await ctx.queue.enqueue(
        ctx.db,
        DELIVER_JOB,
        {},
        { startAfter: new Date(Date.now() + wait), singletonKey: "retry" },
      );
    return totals;
  },
});
