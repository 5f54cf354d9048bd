import { z } from "zod";
import { contractsSubjectTo } from "../../contracts/store.ts";
import { todayOf } from "../../core/deps.ts";
import { defineJob } from "../../jobs/define.ts";
import { applyTermsVersions } from "../service.ts";

/** A terms version reaching its effective date applies to every live contract (Art. 2): the contracts room says which. */
export const applyVersionsJob = defineJob({
  name: "terms.apply-versions",
  summary: "Terms versions taking effect today apply to every live contract (Art. 2)",
  payload: z.object({}),
  schedule: "*/5 * * * *",
  calendar: true,
  handler: async (ctx) => ({ termsApplied: await applyTermsVersions(ctx, todayOf(ctx), contractsSubjectTo) }),
});
