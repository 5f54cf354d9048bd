import type { Actor } from "../audit/service.ts";
import type { AuthContext } from "./service.ts";

/** Who acts, as the audit log records it: a staff or customer user, an API token, or the public. */
export function actorOf(auth: AuthContext | undefined): Actor {
  if (!auth) return { kind: "public", id: null };
  return { kind: auth.kind === "token" ? "token" : auth.user.kind, id: auth.user.id };
}
