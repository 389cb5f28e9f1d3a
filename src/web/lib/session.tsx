/** Who is signed in (from GET /api/v1/auth/me) and what their security profile allows. */
import { createContext, useContext } from "react";
import type { Permission } from "../../shared/permissions";

export type Me = {
  user: { id: string; email: string; name: string; routingProfileId: string | null };
  instance: { id: string; name: string; timezone: string };
  permissions: Permission[];
};

export type Session = {
  me: Me;
  can: (...anyOf: Permission[]) => boolean;
  signOut: () => Promise<void>;
};

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside a signed-in app");
  return s;
}

export function makeCan(permissions: readonly Permission[]) {
  const set = new Set(permissions);
  return (...anyOf: Permission[]) => anyOf.some((p) => set.has(p));
}
