/**
 * What routing tells a ContactSession (its RoutingEvents: connected, held, transferred, ended,
 * a third party added or dropped), applied to the session row and, for a call, turned into
 * actions on the live call (./voice/actions.ts) or handed to the warm transfer under way
 * (./voice/consult.ts). Each event is applied once (notify.ts delivers at least once).
 */
import { assertNever } from "../shared/wire";
import type { PublishedFlow } from "./contact-flow";
import type { ContactStore } from "./contact-store";
import type { ChatChannel } from "./chat/channel";
import type { RoutingEvent } from "./types";
import type { VoiceAction } from "./voice/actions";
import type { VoiceChannel } from "./voice/channel";
import type { RemainingFlow } from "./remaining-flow";
import type { AgentGuide } from "./agent-guide";
import { recordsAgentPart } from "./voice/recording";
import { transferFlowEntry, transferFlowId } from "./transfer-flow";

/** What applying an event uses of the ContactSession. */
export type RoutingHost = {
  contactId: string;
  store: ContactStore;
  voice: VoiceChannel;
  /** The chat channel, its tables made on first use. */
  chat(): ChatChannel;
  enqueueAction(action: VoiceAction): void;
  remaining: RemainingFlow;
  /** The DefaultAgentUI flow run for the connected agent's workspace (./agent-guide.ts). */
  guide: AgentGuide;
  loadQueueFlow(queueId: string, fetched?: Promise<PublishedFlow | null>): Promise<void>;
  /** A published flow of the instance (a quick connect's transfer flow), or null. */
  loadFlow(flowId: string): Promise<PublishedFlow | null>;
  kick(): void;
};

export async function applyRoutingEvent(host: RoutingHost, e: RoutingEvent): Promise<void> {
  const { store, voice } = host;
  const r = store.row();
  // In its disconnect flow the contact is no longer routing's (its agent has ended it).
  if (!r || r.phase === "ENDED" || host.remaining.active()) return;
  // Routing delivers at least once (notify.ts): an event applied before is not applied again.
  if (e.id && store.tables.exists("routingSeen") && store.sql.exec("SELECT 1 FROM routing_seen WHERE id = ?", e.id).toArray().length) return;
  switch (e.type) {
    case "CONNECTED": {
      if (r.phase === "CONNECTED" && r.agent_id === e.agentId) return;
      // An agent accepted a consult: they join this call's conference; the customer stays put.
      if (r.channel === "VOICE" && voice.consult.onConnected(e)) break;
      const conference = `${host.contactId}-${r.connections + 1}`;
      store.set({ phase: "CONNECTED", agent_id: e.agentId, queue_id: e.queueId ?? r.queue_id, conference, connections: r.connections + 1 });
      if (r.channel === "VOICE") {
        // A queued callback has nobody on the line yet: the agent's leg, then the customer, are dialled (./voice/callback.ts).
        host.enqueueAction(voice.callback.is() ? { kind: "dialOutbound", agentId: e.agentId! } : { kind: "bridge", agentId: e.agentId! });
        // Recorded from when the agent's leg joins, as the flow asked (./voice/recording.ts).
        if (recordsAgentPart(r.flow_state)) host.enqueueAction({ kind: "recordAgent" });
      }
      break;
    }
    case "HELD":
    case "RESUMED":
      if (r.channel === "VOICE") voice.legs.hold(e.type === "HELD");
      break;
    case "TRANSFERRED":
      if (typeof e.data?.toPhoneNumber === "string") {
        // Out of the contact center: the outside number joins the call (a warm transfer: it is
        // there already), the agent's leg drops.
        store.set({ phase: "ENDED", ended_at: e.at });
        if (r.channel === "VOICE") {
          host.enqueueAction(e.data.warm ? { kind: "completeWarmTransfer" } : { kind: "transferToNumber", phoneNumber: e.data.toPhoneNumber });
        }
        break;
      }
      // The agent left a consult: the agent on it has the call now (if nobody accepted yet, the customer waits there).
      if (e.data?.warm && r.channel === "VOICE" && voice.consult.handOver()) break;
      if (transferFlowId(e) && (r.channel === "VOICE" || r.channel === "CHAT")) {
        // Through a quick connect's transfer flow: the customer runs it, and it decides where the contact goes (./transfer-flow.ts).
        const flow = await host.loadFlow(transferFlowId(e)!).catch(() => null);
        const now = store.row();
        if (!now || now.phase === "ENDED") break; // the customer left meanwhile
        store.set(transferFlowEntry(now, flow, e));
        // A call is redirected into the flow; a chat runs it at once (./chat/channel.ts).
        if (r.channel === "VOICE") host.enqueueAction({ kind: "toRemainingFlow", step: store.row()!.step });
        break;
      }
      store.set({ phase: "QUEUED", queue_id: e.queueId, agent_id: null, queue_flow_state: null });
      if (e.queueId) await host.loadQueueFlow(e.queueId);
      if (r.channel === "VOICE") {
        host.enqueueAction({ kind: "toQueue" });
        // The queue's own callback offer, as for a caller their flow queued there (./voice/queue-callback-offer.ts).
        // Not armed (D1 or the queue unreachable): the caller still hears it when the music comes round; the transfer stands.
        await voice.armCallbackOffer().catch((err: unknown) => console.error(JSON.stringify({ event: "callback_offer_not_armed", contactId: host.contactId, message: String(err) })));
      }
      break;
    case "ENDED":
      // The consulted agent ended their part: the call goes on with the first.
      if (r.channel === "VOICE" && voice.consult.onEnded(e)) break;
      // The agent ended while the customer is still there: on to the CustomerRemaining flow or the
      // queue's survey (./remaining-flow.ts). A call is redirected there; a chat runs it at once.
      if (r.channel !== "TASK" && (await host.remaining.begin(e))) {
        if (r.channel === "VOICE") host.enqueueAction({ kind: "toRemainingFlow", step: store.row()!.step });
        break;
      }
      store.set({ phase: "ENDED", ended_at: e.at });
      if (r.channel === "VOICE") host.enqueueAction({ kind: "endCall" });
      break;
    case "MISSED":
      break; // the contact stays in its queue; nothing to do to the call
    case "THIRD_PARTY":
      if (r.channel !== "VOICE") break;
      if (e.data?.action === "ADD" && typeof e.data.phoneNumber === "string") host.enqueueAction({ kind: "addThirdParty", phoneNumber: e.data.phoneNumber });
      else if (e.data?.action === "DROP" && voice.consult.active()) voice.consult.cancel();
      else if (e.data?.action === "DROP") {
        host.enqueueAction({ kind: "dropThirdParty" });
        voice.legs.consultedLeft();
      }
      break;
    default:
      assertNever(e.type);
  }
  if (r.channel === "CHAT" || r.channel === "EMAIL") await host.chat().onRoutingEvent(e, r);
  await guideFollows(host, e, r.agent_id);
  if (e.id) {
    store.tables.ensure("routingSeen");
    store.sql.exec("INSERT OR IGNORE INTO routing_seen (id) VALUES (?)", e.id);
  }
  host.kick();
}

/** The agent's guide starts when an agent is connected, and ends when the contact leaves them. */
async function guideFollows(host: RoutingHost, e: RoutingEvent, agentBefore: string | null) {
  const now = host.store.row();
  try {
    if (e.type === "CONNECTED" && now?.phase === "CONNECTED" && now.agent_id === e.agentId && agentBefore !== e.agentId && e.agentId) await host.guide.connected(e.agentId);
    else if (e.type === "ENDED" || e.type === "TRANSFERRED" || now?.phase === "ENDED") await host.guide.close();
  } catch (err) {
    console.error(JSON.stringify({ event: "agent_guide_failed", contactId: host.contactId, type: e.type, message: String(err) }));
  }
}
