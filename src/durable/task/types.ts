/**
 * What starts a task, as whoever creates it (the API's POST /tasks, a flow's CreateTask through
 * ./start.ts) hands it to the task's ContactSession. (What the channel needs from the session,
 * `TaskHost`, is in ./channel.ts.)
 */
import type { TaskReference } from "../../shared/tasks";

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
