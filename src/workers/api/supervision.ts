/**
 * Live supervision of a contact (src/shared/supervision.ts), from the live dashboard:
 * `POST /contacts/:contactId/supervision` `{ mode }` — on a call LISTEN (muted), COACH (heard by
 * the agent only), BARGE (heard by all); on a chat MONITOR (read it live), JOIN (write in it);
 * LEAVE — answers `{ contactId, mode, supervisors }`; `GET` lists who supervises it now.
 * Needs `supervision.monitor`, and `supervision.barge` for BARGE and JOIN. A contact of another
 * instance is 404; one not connected to an agent is 409. The supervisor's leg is called at their
 * own phone number when their user has one, else at their browser (softphone client identity).
 * Every change is an audit entry.
 */
import { and, eq } from "drizzle-orm";
import { Hono } from "hono";
import { contacts, instances, users } from "../../db/schema";
import { ApiError, notFound } from "../../lib/errors";
import { contactRoomName } from "../../lib/object-names";
import { supervisorClientAddress } from "../../shared/softphone";
import { BARGE_MODES, SupervisionRequest } from "../../shared/supervision";
import { assertPermission, requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { clientInfo, parseJson } from "../lib/request";

const REFUSED = {
  NOT_CONNECTED: [409, "not_connected", "The contact is not connected to an agent"],
  WRONG_CHANNEL: [400, "wrong_channel", "Calls take LISTEN, COACH or BARGE; chats take MONITOR or JOIN"],
  NOT_SUPERVISING: [409, "not_supervising", "You are not supervising this contact"],
} as const;

/** Mounted at /contacts, before the contact routes (which need contacts.search). */
export const supervisionRoutes = new Hono<AppEnv>()
  .get("/:contactId/supervision", requirePermission("supervision.monitor"), async (c) => {
    const contact = await c.var.scope.get(contacts, c.req.param("contactId"));
    if (!contact) throw notFound("Contact");
    const supervisors = await c.env.CONTACT_SESSION.getByName(contactRoomName(contact.instanceId, contact.id)).supervisors();
    return c.json({ contactId: contact.id, supervisors });
  })
  .post("/:contactId/supervision", requirePermission("supervision.monitor"), async (c) => {
    const { mode } = await parseJson(c, SupervisionRequest);
    const caller = c.var.caller;
    if (mode !== "LEAVE" && BARGE_MODES.has(mode)) assertPermission(caller.permissions, "supervision.barge");
    const contact = await c.var.scope.get(contacts, c.req.param("contactId"));
    if (!contact) throw notFound("Contact");
    const [[me], [instance]] = await Promise.all([
      c.var.db.select({ phone: users.phoneNumber }).from(users).where(and(eq(users.instanceId, caller.instanceId), eq(users.id, caller.userId))),
      c.var.db.select({ notify: instances.notifyAgentOnMonitor }).from(instances).where(eq(instances.id, caller.instanceId)),
    ]);
    const session = c.env.CONTACT_SESSION.getByName(contactRoomName(caller.instanceId, contact.id));
    const result = await session.supervise(
      {
        supervisorId: caller.userId,
        name: caller.name,
        address: contact.channel === "VOICE" ? (me?.phone ?? supervisorClientAddress(caller.userId, contact.id)) : null,
        notifyAgentOnMonitor: instance?.notify ?? true,
      },
      mode,
    );
    if (!result.ok) {
      const [status, code, message] = REFUSED[result.reason];
      throw new ApiError(status, code, message);
    }
    await c.var.scope.writeAudit({
      userId: caller.userId, action: `supervision.${mode.toLowerCase()}`, resourceType: "contact", resourceId: contact.id, ...clientInfo(c),
      details: { mode, previous: result.previous, agentId: result.agentId, channel: contact.channel },
    });
    return c.json({ contactId: contact.id, mode: result.mode, supervisors: await session.supervisors() });
  });
