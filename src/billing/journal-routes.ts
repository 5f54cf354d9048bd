/** The journal exports (仕訳) for 弥生会計, freee and マネーフォワード クラウド会計, and their accounts. */
import type { AppContext } from "../http/context.ts";
import { file, route } from "../http/route.ts";
import { changeJournalAccounts, journalAccounts, monthJournal } from "./journal-export.ts";
import {
  journalAccountsBody,
  journalAccountsSchema,
  journalParams,
  journalQuery,
} from "./journal-schemas.ts";

const money = { who: "staff", roles: ["admin", "billing"] } as const;

export function journalRoutes(ctx: AppContext) {
  return [
    route({
      method: "GET",
      url: "/billing/months/:month/journal.csv",
      summary:
        "The month's journal entries (仕訳: sales per tax rate, void reversals, credit notes, payments) as an import file of 弥生会計 (Shift_JIS, no header), freee (UTF-8) or マネーフォワード クラウド会計 (Shift_JIS); columns in docs/BILLING-FORMATS.md",
      policy: money,
      params: journalParams,
      query: journalQuery,
      response: null,
      produces: "text/csv",
      handler: async ({ params, query }) => {
        const f = await monthJournal(ctx, params.month, query.format);
        return file({
          body: f.bytes,
          contentType: f.contentType,
          fileName: f.fileName,
          disposition: "attachment",
        });
      },
    }),
    route({
      method: "GET",
      url: "/billing/journal-accounts",
      summary:
        "The accounts and tax categories each journal format names (defaults and the provider's changes)",
      policy: money,
      response: journalAccountsSchema,
      handler: () => journalAccounts(ctx.db),
    }),
    route({
      method: "PUT",
      url: "/billing/journal-accounts",
      summary:
        "Replace the provider's changes to the journal formats' account and tax-category names (what is left out is the default)",
      policy: money,
      body: journalAccountsBody,
      response: journalAccountsSchema,
      handler: ({ auth, body }) => changeJournalAccounts(ctx, auth, body),
    }),
  ];
}
