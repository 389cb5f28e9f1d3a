/**
 * The quick connects an agent may transfer a contact to: each with a target, a phone number only
 * for a call, and never the agent themself (CCP does not list you in your own transfer list; the
 * AgentRoom refuses a transfer to yourself with `invalid_target` too).
 */
import type { Channel } from "../../shared/wire";
import type { QuickConnect } from "../lib/types";

type Target = Pick<QuickConnect, "type" | "userId" | "queueId" | "phoneNumber">;

export function transferTargets<T extends Target>(quickConnects: T[], selfUserId: string, channel: Channel): T[] {
  return quickConnects.filter((q) =>
    (q.type === "QUEUE" && !!q.queueId)
    || (q.type === "USER" && !!q.userId && q.userId !== selfUserId)
    || (q.type === "PHONE_NUMBER" && !!q.phoneNumber && channel === "VOICE"));
}
