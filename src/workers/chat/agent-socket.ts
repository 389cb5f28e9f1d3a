/**
 * `GET /api/v1/contacts/:id/chat/socket`: an agent's browser opens the chat of a contact
 * straight to the contact's ContactSession (messages never pass through the AgentRoom, so a
 * busy agent's object is not on every chat message's path).
 *
 * Auth in the Worker as for the agent socket (session by header, cookie or single-use `?ticket=`, needs
 * `contacts.handle`); the contact must be a CHAT contact of the caller's instance (else 404, as
 * for every cross-instance id); then the object decides from routing's state: the agent the
 * contact is connected to may send; an agent who had it (transferred away, after contact work)
 * may read; anyone else gets 403.
 */
import { Hono, type Context } from "hono";
import { getServerByName } from "partyserver";
import { CHAT_HEADERS, type ChatIdentity } from "../../durable/chat/types";
import { contactRoomName } from "../../lib/object-names";
import { forwardedUpgrade, relay, socketCaller } from "../api/agent-socket";
import type { AppEnv } from "../env";
import { ApiError, notFound } from "../../lib/errors";

export const chatAgentSocketRoutes = new Hono<AppEnv>()
  .get("/contacts/:id/chat/socket", (c) => chatSocket(c, false))
  /**
   * A supervisor's socket on a live chat, once they asked to monitor or join it
   * (`POST /contacts/:id/supervision`, which audits it): they receive its messages live, and write
   * in it (signed with their name) once they joined. Needs `supervision.monitor`; else as above.
   */
  .get("/contacts/:id/chat/supervisor-socket", (c) => chatSocket(c, true));

async function chatSocket(c: Context<AppEnv>, supervisor: boolean) {
  const caller = await socketCaller(c, supervisor ? "supervision.monitor" : "contacts.handle");
  const contactId = c.req.param("id")!;
  const contact = await c.env.DB.prepare("SELECT channel FROM contacts WHERE instance_id = ? AND id = ?")
    .bind(caller.instanceId, contactId)
    .first<{ channel: string }>();
  if (!contact || (contact.channel !== "CHAT" && contact.channel !== "EMAIL")) throw notFound("Chat");
  const req = forwardedUpgrade(c, caller);
  const name = contactRoomName(caller.instanceId, contactId);
  const who: ChatIdentity = { role: "AGENT", userId: caller.userId, name: caller.name, keyHash: null, ...(supervisor ? { supervisor } : {}) };
  if (!(await c.env.CONTACT_SESSION.getByName(name).chatAccess(who))) {
    throw new ApiError(403, "forbidden", supervisor ? "Ask to monitor or join this chat first" : "This chat is not connected to you");
  }
  for (const h of Object.values(CHAT_HEADERS)) req.headers.delete(h);
  req.headers.set(CHAT_HEADERS.role, "AGENT");
  req.headers.set(CHAT_HEADERS.user, caller.userId);
  req.headers.set(CHAT_HEADERS.name, encodeURIComponent(caller.name));
  if (supervisor) req.headers.set(CHAT_HEADERS.supervisor, "1");
  const room = await getServerByName(c.env.CONTACT_SESSION, name);
  return relay(await room.fetch(req));
}
