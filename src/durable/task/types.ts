/**
 * A task's contract with its ContactSession and with whoever creates it (the API's POST /tasks,
 * a flow's CreateTask): what starts one and what the channel needs from the session.
 */
import type { FlowResult, TurnInput } from "../../flows";
import type { TaskReference } from "../../shared/tasks";
import type { PublishedFlow } from "../contact-flow";
import type { Transition } from "../contact-record";
import type { LazyTables } from "../lazy-tables";
import type { SessionRow } from "../session-row";
import type { NotifyTarget } from "../types";

/** What the session is told to start (checked already: ./start.ts). */
export type TaskStart = {
  templateId: string | null;
  name: string;
  description: string;
  references: TaskReference[];
  /** The template's fields, defaults filled in. */
  fields: Record<string, string>;
  attributes: Record<string, string>;
  /** The flow it runs first (else it goes straight to `queueId`). */
  flowId: string | null;
  queueId: string | null;
  /** When it starts (null: at once): the session's alarm. */
  scheduledAt: number | null;
  /** Not accepted by then, it ends as expired. */
  expiresAt: number;
  createdBy: string | null;
  /** The contact whose flow created it (CreateTask). */
  previousContactId: string | null;
};

export type TaskStartResult = { ok: true } | { ok: false; reason: "NO_FLOW" };

/** What the task channel needs from its ContactSession. */
export interface TaskHost {
  readonly env: Env;
  readonly sql: SqlStorage;
  readonly instanceId: string;
  readonly contactId: string;
  readonly tables: Pick<LazyTables<"task">, "ensure" | "exists">;
  row(): SessionRow | null;
  set(values: Partial<SessionRow>): void;
  turn(flow: PublishedFlow, input: TurnInput): Promise<FlowResult>;
  record(t: Transition): void;
  kick(): void;
  notifyTarget(): NotifyTarget;
}
