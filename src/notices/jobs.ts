import type { Transporter } from "nodemailer";
import type { Config } from "../core/config.ts";
import type { Job } from "../jobs/worker.ts";
import { createTransport, deliverDue } from "./delivery.ts";

/** Deliver queued notice e-mails (the outbox) every few seconds, when an SMTP server is configured. */
export function noticeJobs(config: Config): Job[] {
  if (!config.smtp) return [];
  let transport: Transporter | undefined;
  return [
    {
      name: "notices.deliver",
      everySeconds: 5,
      async run(db, now) {
        transport ??= createTransport(config);
        const totals = { sent: 0, retried: 0, failed: 0 };
        for (;;) {
          const r = await deliverDue(db, transport, config, now);
          totals.sent += r.sent;
          totals.retried += r.retried;
          totals.failed += r.failed;
          if (r.sent + r.retried + r.failed < 50) return totals;
        }
      },
    },
  ];
}
