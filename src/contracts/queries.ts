/** Reading contracts: a list (a customer sees its own) and one with its timeline and terms history. */
import type { Deps } from "../core/deps.ts";
import { asCaller } from "../db/db.ts";
import { mapPage, type Page, type PageRequest } from "../db/page.ts";
import type { AuthContext } from "../identity/actor.ts";
import { historyOf } from "../terms/store.ts";
import { loadContract } from "./common.ts";
import { presentContract, presentContractDetail } from "./present.ts";
import type { ContractDetail, ContractView } from "./schemas.ts";
import type { ContractStatus } from "./states.ts";
import { eventsOf, listContracts as listRows } from "./store.ts";

export async function listContracts(
  deps: Deps,
  auth: AuthContext,
  filter: { status?: ContractStatus } & PageRequest = {},
): Promise<Page<ContractView>> {
  return asCaller(deps.db, auth, (tx) => mapPage(listRows(tx, filter, filter), presentContract));
}

export async function getContract(deps: Deps, auth: AuthContext, id: string): Promise<ContractDetail> {
  return asCaller(deps.db, auth, async (tx) => {
    const c = await loadContract(tx, id);
    const [events, terms] = await Promise.all([eventsOf(tx, id), historyOf(tx, id)]);
    return presentContractDetail(c, events, terms);
  });
}
