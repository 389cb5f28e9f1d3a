/**
 * Whose a browser socket is: the Worker authenticates the upgrade and names the user and session
 * behind it in these headers (dropping any the client sent); the object tags the connection with
 * them, so signing out, a new password or a deactivation can close exactly that user's (or that
 * session's) sockets, which otherwise would outlive the session that opened them.
 */
import type { Connection } from "partyserver";
import { SIGNED_OUT_CLOSE_CODE } from "../shared/socket-close";

export const SOCKET_OWNER_HEADERS = {
  user: "x-switchboard-socket-user",
  session: "x-switchboard-socket-session",
} as const;

/** Whose sockets to close: every socket of a user, or those one session opened. */
export type SocketOwner = { userId: string } | { sessionId: string };

/** The close code a revoked socket gets: the browser signs in again instead of reconnecting. */
export { SIGNED_OUT_CLOSE_CODE };

/** Sets the owner headers on an upgrade the Worker forwards (any the client sent are dropped first). */
export function setSocketOwner(req: Request, owner: { userId: string; sessionId: string } | null) {
  for (const h of Object.values(SOCKET_OWNER_HEADERS)) req.headers.delete(h);
  if (!owner) return;
  req.headers.set(SOCKET_OWNER_HEADERS.user, owner.userId);
  req.headers.set(SOCKET_OWNER_HEADERS.session, owner.sessionId);
}

/** The connection tags naming the socket's owner (none for a socket nobody signed in opened). */
export function ownerTags(request: Request): string[] {
  const user = request.headers.get(SOCKET_OWNER_HEADERS.user);
  const session = request.headers.get(SOCKET_OWNER_HEADERS.session);
  return [...(user ? [`user:${user}`] : []), ...(session ? [`session:${session}`] : [])];
}

const ownerTag = (owner: SocketOwner) => ("userId" in owner ? `user:${owner.userId}` : `session:${owner.sessionId}`);

/** Closes the owner's sockets among an object's connections; returns how many it closed. */
export function closeOwnedSockets(connections: (tag: string) => Iterable<Connection>, owner: SocketOwner): number {
  let n = 0;
  for (const c of connections(ownerTag(owner))) {
    c.close(SIGNED_OUT_CLOSE_CODE, "Signed out");
    n++;
  }
  return n;
}
