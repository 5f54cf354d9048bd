import { z } from "zod";
import { defineJob } from "../../jobs/define.ts";
import { keepPending } from "../documents.ts";

/** Issued documents not yet kept (a month's run issues thousands) are rendered and kept byte for byte. */
export const keepDocumentsJob = defineJob({
  name: "billing.keep-documents",
  summary: "Keep the PDF of every issued invoice and credit note, byte for byte (電子帳簿保存法)",
  payload: z.object({}),
  schedule: "* * * * *",
  onStart: true,
  handler: (ctx) => keepPending(ctx),
});
