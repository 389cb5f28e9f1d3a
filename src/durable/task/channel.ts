/**
 * The task channel of a ContactSession (channel TASK): a contact with nobody on the line. It is
 * written to D1 with its details (name, description, references, template fields: the
 * `contact_tasks` row) when created; at its scheduled time (the session's alarm) it runs its flow,
 * or goes straight to its queue; routing offers it to an agent like a chat, and the agent's End
 * completes it (routing's ENDED, then after contact work as usual). A task still in its flow or
 * queue at its expiry leaves the queue and ends as EXPIRED (also the alarm).
 *
 * Its own state is one row in `task` (made on first use): when it starts, when it expires.
 */
import { createContact } from "../../db/contacts";
import { createDb } from "../../db/client";
import { keyringFromEnv } from "../../lib/crypto";
import { loadPublishedFlow, type PublishedFlow } from "../contact-flow";
import { enqueueContact, queueRoom } from "../routing";
import type { FlowResult, TurnInput } from "../../flows";
import type { Transition } from "../contact-record";
import type { LazyTables } from "../lazy-tables";
import type { SessionRow } from "../session-row";
import type { NotifyTarget } from "../types";
import type { TaskStart, TaskStartResult } from "./types";

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

type TaskRow = { queue_id: string | null; scheduled_at: number | null; expires_at: number; started_at: number | null; attributes: string };

export const TASK_TABLES = {
  task: {
    table: "task",
    schema: (sql: SqlStorage) => void sql.exec(`CREATE TABLE IF NOT EXISTS task (
      id INTEGER PRIMARY KEY CHECK (id = 1), queue_id TEXT, scheduled_at INTEGER, expires_at INTEGER NOT NULL,
      started_at INTEGER, attributes TEXT NOT NULL)`),
  },
};

const INSERT_DETAILS = `INSERT INTO contact_tasks (contact_id, instance_id, template_id, name, description, "references", fields, scheduled_at, expires_at, created_by)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export class TaskChannel {
  #chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: TaskHost) {}

  /** Runs `fn` after the task's earlier start, timer or routing work. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  private task(): TaskRow | null {
    if (!this.host.tables.exists("task")) return null;
    return this.host.sql.exec<TaskRow>("SELECT queue_id, scheduled_at, expires_at, started_at, attributes FROM task WHERE id = 1").toArray()[0] ?? null;
  }

  /** Creates the task (its D1 row and details, then its session), and starts it unless it is scheduled later. Repeating it changes nothing. */
  start(input: TaskStart): Promise<TaskStartResult> {
    return this.serial(async () => {
      const { env, instanceId, contactId } = this.host;
      if (this.host.row()) return { ok: true } as const;
      const flow = input.flowId ? await loadPublishedFlow(env, instanceId, input.flowId) : null;
      if (input.flowId && !flow) return { ok: false, reason: "NO_FLOW" } as const;
      const now = Date.now();
      const details = env.DB.prepare(INSERT_DETAILS).bind(
        contactId, instanceId, input.templateId, input.name, input.description, JSON.stringify(input.references), JSON.stringify(input.fields),
        input.scheduledAt, input.expiresAt, input.createdBy,
      );
      try {
        await createContact(createDb(env.DB), keyringFromEnv(env), {
          id: contactId, instanceId, channel: "TASK", initiationMethod: "API", externalId: `task:${contactId}`,
          flowId: flow?.id ?? null, flowVersion: flow?.version ?? null, attributes: input.attributes, previousContactId: input.previousContactId, at: now,
        }, { alongside: [details] });
      } catch (err) {
        // Written before a restart that lost the session's row: the task is there, the session goes on.
        if (!String((err as Error)?.message ?? err).includes("UNIQUE constraint failed")) throw err;
      }
      this.host.sql.exec(
        `INSERT INTO session (id, instance_id, contact_id, channel, phase, step, flow, public_base_url, created_at)
         VALUES (1, ?, ?, 'TASK', 'FLOW', 0, ?, '', ?)`,
        instanceId, contactId, flow ? JSON.stringify(flow) : null, now,
      );
      this.host.tables.ensure("task");
      this.host.sql.exec("INSERT INTO task (id, queue_id, scheduled_at, expires_at, attributes) VALUES (1, ?, ?, ?, ?)",
        input.queueId, input.scheduledAt, input.expiresAt, JSON.stringify(input.attributes));
      if (input.scheduledAt !== null && input.scheduledAt > now) {
        this.host.record({ contactId, type: "TASK_SCHEDULED", at: now, data: { scheduledAt: input.scheduledAt } });
      } else await this.begin();
      this.host.kick();
      return { ok: true } as const;
    });
  }

  /** The task starts: its flow's first turn, or straight into its queue. */
  private async begin() {
    const { contactId } = this.host;
    const t = this.task()!;
    this.host.sql.exec("UPDATE task SET started_at = ? WHERE id = 1", Date.now());
    const r = this.host.row()!;
    if (r.flow) {
      const flow = JSON.parse(r.flow) as PublishedFlow;
      const result = await this.host.turn(flow, {
        init: { contactId, channel: "TASK", flowId: flow.id, flowVersion: flow.version, flowType: flow.type, attributes: JSON.parse(t.attributes) },
      });
      // Anything but queued (ended, disconnected, waiting on a customer a task has not got): the task is over.
      if (result.status !== "queued" && this.host.row()!.phase === "FLOW") this.end("CONTACT_FLOW_DISCONNECT", { by: "FLOW", status: result.status });
      return;
    }
    const queueId = t.queue_id!;
    const result = await enqueueContact(this.host.env, this.host.instanceId, queueId, {
      contactId, channel: "TASK", initiationMethod: "API", attributes: JSON.parse(t.attributes), notify: this.host.notifyTarget(),
    });
    if (result.status === "QUEUED") this.host.set({ phase: "QUEUED", queue_id: queueId });
    else this.end("OTHER", { by: "QUEUE", status: result.status });
  }

  private end(reason: string, data: Record<string, unknown>) {
    const now = Date.now();
    this.host.set({ phase: "ENDED", ended_at: now });
    this.host.record({
      contactId: this.host.contactId, type: "DISCONNECTED", at: now, data,
      update: { state: "ENDED", endedAt: now, disconnectReason: reason },
    });
  }

  /** When the alarm is wanted: the scheduled start, then the expiry while nobody has accepted the task. */
  nextDue(): number | null {
    const t = this.task();
    const r = this.host.row();
    if (!t || !r) return null;
    if (t.started_at === null && t.scheduled_at !== null) return t.scheduled_at;
    return r.phase === "FLOW" || r.phase === "QUEUED" ? t.expires_at : null;
  }

  /** From the session's alarm: a scheduled task starts; one nobody accepted by its expiry ends as EXPIRED. */
  runDue(): Promise<void> {
    return this.serial(async () => {
      const t = this.task();
      const r = this.host.row();
      if (!t || !r || r.phase === "ENDED") return;
      const now = Date.now();
      if (t.started_at === null && (t.scheduled_at ?? 0) <= now && now < t.expires_at) return this.begin();
      if (now < t.expires_at || r.phase === "CONNECTED") return;
      if (r.phase === "QUEUED" && r.queue_id) {
        // Accepted meanwhile: the agent has it (routing's CONNECTED is on its way).
        const left = await queueRoom(this.host.env, this.host.instanceId, r.queue_id).withdraw(this.host.contactId, "EXPIRED");
        if (left.status === "CONNECTED") return;
      }
      this.end("EXPIRED", { by: "EXPIRY", expiresAt: t.expires_at });
      this.host.kick();
    });
  }

  /** For tests and support. */
  snapshot() {
    const t = this.task();
    const r = this.host.row();
    return t && r && { phase: r.phase, queueId: r.queue_id, agentId: r.agent_id, scheduledAt: t.scheduled_at, startedAt: t.started_at, expiresAt: t.expires_at };
  }
}
