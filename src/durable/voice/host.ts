/**
 * What the voice channel and its parts (this folder) use of their ContactSession: the session
 * implements VoiceHost, and the parts import this type, never the session class (so no import
 * circle runs back through ../contact-session.ts).
 */
import type { NewContact } from "../../db/contacts";
import type { FlowLogEntry, FlowResult, TurnInput } from "../../flows";
import type { PublishedFlow } from "../contact-flow";
import type { Transition } from "../contact-record";
import type { LazyTables } from "../lazy-tables";
import type { SessionRow } from "../session-row";
import type { VoiceAction } from "./actions";
import type { RemainingFlow } from "../remaining-flow";
import type { NotifyTarget } from "../types";

/** The voice channel's tables only some calls need (made on first use: ./channel.ts VOICE_TABLES). */
export type VoiceTable = "whispers" | "transcript" | "outbound" | "mute" | "hold" | "agentHeld" | "joined" | "thirdParty" | "consult" | "callWatch" | "callback";

/** What the voice channel uses of its session. */
export type VoiceHost = {
  env: Env;
  sql: SqlStorage;
  tables: Pick<LazyTables<VoiceTable>, "ensure" | "exists">;
  instanceId: string;
  contactId: string;
  row(): SessionRow | null;
  require(): SessionRow;
  set(values: Partial<SessionRow>): void;
  turn(flow: PublishedFlow, input: TurnInput): Promise<FlowResult>;
  keepLogs(logs: FlowLogEntry[]): void;
  record(t: Transition): void;
  /** `at`: not before then (a callback's next attempt); now when not given. */
  enqueueAction(action: VoiceAction, at?: number): void;
  /** The contact's D1 row is owed: the session writes it off the webhook's path. */
  oweContact(contact: NewContact): void;
  kick(): void;
  /** The disconnect flow the caller goes on to when the agent ends first (../remaining-flow.ts). */
  remaining: RemainingFlow;
  /** Where routing tells the session what happens to its contact (given to the queues it waits in). */
  notifyTarget(): NotifyTarget;
  /** The contact waits in `queueId` now: its customer queue flow is loaded for the caller. */
  loadQueueFlow(queueId: string): Promise<void>;
  /** Routing has connected the contact to this agent (as its CONNECTED event says). */
  connected(agentId: string, queueId: string): Promise<void>;
};
