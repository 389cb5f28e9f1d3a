/**
 * Tells a channel what happened to its contact: the object named by `NotifyTarget` (a Durable
 * Object binding of this Worker, e.g. the voice/chat ContactSession) gets `onRoutingEvent`.
 * `checkNotifyTarget` runs at enqueue so a wrong binding fails loudly there, not silently later.
 */
import type { NotifyTarget, RoutingEvent, RoutingEventSink } from "./types";

type SinkNamespace = { getByName(name: string): RoutingEventSink };

function namespaceOf(env: Env, binding: string): SinkNamespace | null {
  const ns = (env as unknown as Record<string, unknown>)[binding];
  return ns && typeof (ns as SinkNamespace).getByName === "function" ? (ns as SinkNamespace) : null;
}

export function checkNotifyTarget(env: Env, target: NotifyTarget | null | undefined): string | null {
  if (!target) return null;
  return namespaceOf(env, target.binding) ? null : `No Durable Object binding named ${target.binding}`;
}

export async function notifyChannel(env: Env, target: NotifyTarget | null | undefined, event: RoutingEvent) {
  if (!target) return;
  const ns = namespaceOf(env, target.binding);
  if (!ns) throw new Error(`No Durable Object binding named ${target.binding}`);
  await ns.getByName(target.name).onRoutingEvent(event);
}
