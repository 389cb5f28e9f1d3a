/**
 * PublishedFlows: one object per instance (named by the instance id) that holds the instance's
 * published flows in memory, so a new contact's first webhook asks an object instead of querying
 * D1 for its flow (and so do transfers to a flow, queue and whisper flows).
 *
 * D1 stays the truth, and the object keeps nothing in storage: a flow is read from D1 on first
 * use after the object starts. Whatever changes what a flow's contacts run (a publish, a change
 * of type, a delete) calls `changed` after its D1 write commits; the next contact reads it again.
 * A read already in flight when `changed` runs is dropped from the map, so it cannot put the old
 * version back. As a backstop (a `changed` that never arrived), an entry is read again after
 * MAX_AGE_MS.
 */
import { DurableObject } from "cloudflare:workers";
import { readPublishedFlow, type PublishedFlow } from "./contact-flow";

export const MAX_AGE_MS = 60_000;

export class PublishedFlows extends DurableObject<Env> {
  #flows = new Map<string, { at: number; flow: Promise<PublishedFlow | null> }>();

  private get instanceId(): string {
    const name = this.ctx.id.name;
    if (!name) throw new Error("PublishedFlows is addressed by its instance id (getByName)");
    return name;
  }

  /** The latest published version of a flow of this instance, or null (never published, or no such flow here). */
  async latest(flowId: string): Promise<PublishedFlow | null> {
    const now = Date.now();
    const hit = this.#flows.get(flowId);
    if (hit && now - hit.at < MAX_AGE_MS) return hit.flow;
    const flow = readPublishedFlow(this.env.DB, this.instanceId, flowId);
    const entry = { at: now, flow };
    this.#flows.set(flowId, entry);
    flow.catch(() => {
      if (this.#flows.get(flowId) === entry) this.#flows.delete(flowId);
    });
    return flow;
  }

  /** The flow was published, changed or deleted (its D1 write has committed): read it again next time. */
  async changed(flowId: string): Promise<void> {
    this.#flows.delete(flowId);
  }
}
