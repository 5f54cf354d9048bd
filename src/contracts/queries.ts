/** Reading contracts: a list (a customer sees its own) and one with its timeline and terms history. */
import type { Deps } from "../core/deps.ts";
import { asCaller } from "../db/db.ts";
import { mapPage, type Page, type PageRequest, type SortName } from "../db/page.ts";
import type { AuthContext } from "../identity/actor.ts";
import { historyOf } from "../terms/store.ts";
import { loadContract } from "./common.ts";
import { presentContract, presentContractDetail } from "./present.ts";
import type { ContractDetail, ContractSort, ContractView } from "./schemas.ts";
import type { ContractStatus } from "./states.ts";
import { eventsOf, listContracts as listRows } from "./store.ts";

/**
 * Being a suspension candidate (Art. 21(1)(1)(2)) is the provider's internal flag for staff to decide
 * on: a customer never sees it, nor the timeline events that set and clear it.
 */
const INTERNAL_EVENTS: readonly string[] = ["suspension_candidate", "suspension_candidate_cleared"];
const isCustomer = (auth: AuthContext) => auth.user.kind === "customer";

export async function listContracts(
  deps: Deps,
  auth: AuthContext,
  filter: {
    status?: ContractStatus;
    customerId?: string;
    q?: string;
    sort?: SortName<ContractSort>;
  } & PageRequest = {},
): Promise<Page<ContractView & { customerName: string }>> {
  const present = (r: Parameters<typeof presentContract>[0] & { customer_name: string }) => ({
    ...presentContract(r),
    ...(isCustomer(auth) ? { suspensionCandidate: null } : {}),
    customerName: r.customer_name,
  });
  return asCaller(deps.db, auth, (tx) => mapPage(listRows(tx, filter, filter), present));
}

export async function getContract(deps: Deps, auth: AuthContext, id: string): Promise<ContractDetail> {
  return asCaller(deps.db, auth, async (tx) => {
    const c = await loadContract(tx, id);
    const [events, terms] = await Promise.all([eventsOf(tx, id), historyOf(tx, id)]);
    if (!isCustomer(auth)) return presentContractDetail(c, events, terms);
    return {
      ...presentContractDetail(
        c,
        events.filter((e) => !INTERNAL_EVENTS.includes(e.type)),
        terms,
      ),
      suspensionCandidate: null,
    };
  });
}
