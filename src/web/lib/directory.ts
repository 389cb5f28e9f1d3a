/**
 * Names for the ids the API answers with, from what the signed-in user may read: the metrics
 * directory (queues and users, for anyone with a metrics permission) or the configuration lists
 * themselves. `nameOf` answers the id itself when the name is unknown, so a screen always shows
 * something.
 */
import { useMemo } from "react";
import type { Permission } from "../../shared/permissions";
import { api, listAll } from "./api";
import { useSession } from "./session";
import type { MetricsDirectory } from "./types";
import { useData } from "./useData";

/** Audit resource type → its configuration list, the permissions that may read it, and its name field. */
export const CONFIG_LISTS: Record<string, { path: string; read: Permission[]; name: string }> = {
  user: { path: "/users", read: ["users.manage", "metrics.realtime"], name: "name" },
  security_profile: { path: "/security-profiles", read: ["users.manage"], name: "name" },
  queue: { path: "/queues", read: ["instance.configure", "metrics.realtime", "contacts.handle"], name: "name" },
  routing_profile: { path: "/routing-profiles", read: ["instance.configure", "users.manage"], name: "name" },
  hours_of_operation: { path: "/hours-of-operation", read: ["instance.configure"], name: "name" },
  agent_status: { path: "/agent-statuses", read: ["instance.configure", "contacts.handle", "metrics.realtime"], name: "name" },
  phone_number: { path: "/phone-numbers", read: ["instance.configure"], name: "e164" },
  email_address: { path: "/email-addresses", read: ["instance.configure"], name: "address" },
  flow: { path: "/flows", read: ["flows.edit", "instance.configure"], name: "name" },
  quick_connect: { path: "/quick-connects", read: ["instance.configure", "contacts.handle"], name: "name" },
  lambda_function: { path: "/lambda-functions", read: ["instance.configure", "flows.edit"], name: "name" },
  analytics_rule: { path: "/rules", read: ["instance.configure"], name: "name" },
};

export type Directory = {
  /** Whether names of this kind can be loaded for this user at all (else pickers fall back to ids). */
  has: (type: string) => boolean;
  /** Loaded `{ id, name }` lists by type (absent until loaded, or when not readable). */
  lists: Record<string, { id: string; name: string }[] | undefined>;
  /** The name of `id` of `type`, or null when unknown. */
  nameOf: (type: string, id: string | null | undefined) => string | null;
  queueName: (id: string | null) => string;
  agentName: (id: string | null) => string;
};

/** Names of the given resource types (audit types: "queue", "user", …) this user may read. */
export function useDirectory(types: string[] = ["queue", "user"]): Directory {
  const { can } = useSession();
  const key = [...new Set(types)].sort().join(",");
  const metrics = can("metrics.realtime", "metrics.historical");
  const loaded = useData(async () => {
    const out: Record<string, { id: string; name: string }[]> = {};
    const wanted = key ? key.split(",") : [];
    const jobs: Promise<void>[] = [];
    // Queues and users come in one request from the metrics directory when the user may read it.
    if (metrics && (wanted.includes("queue") || wanted.includes("user"))) {
      jobs.push(
        api.get<MetricsDirectory>("/metrics/directory").then((d) => {
          out.queue = d.queues;
          out.user = d.agents;
        }),
      );
    }
    for (const type of wanted) {
      const list = CONFIG_LISTS[type];
      if (!list || !can(...list.read)) continue;
      if (metrics && (type === "queue" || type === "user")) continue;
      jobs.push(
        listAll<Record<string, unknown>>(list.path).then((items) => {
          out[type] = items.map((i) => ({ id: String(i.id), name: String(i[list.name] ?? i.id) }));
        }),
      );
    }
    // A list that fails leaves its ids shown as ids; the others still name theirs.
    await Promise.allSettled(jobs);
    return out;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, metrics]);
  return useMemo(() => {
    const lists = loaded.data ?? {};
    const has = (type: string) => (metrics && (type === "queue" || type === "user")) || (!!CONFIG_LISTS[type] && can(...CONFIG_LISTS[type].read));
    const nameOf = (type: string, id: string | null | undefined) => (id ? (lists[type]?.find((x) => x.id === id)?.name ?? null) : null);
    return {
      has,
      lists,
      nameOf,
      queueName: (id: string | null) => (id ? (nameOf("queue", id) ?? id) : "—"),
      agentName: (id: string | null) => (id ? (nameOf("user", id) ?? id) : "—"),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [loaded.data, metrics]);
}
