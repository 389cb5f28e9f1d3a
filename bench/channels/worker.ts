/**
 * The Worker the channel benchmark runs (scripts/bench-channels.mjs): the real app and objects on
 * the demo instance (local mode: its mail goes to the local outbox), plus bench-only routes (never
 * deployed):
 * - `POST /bench/channels/setup {agents}`: a flow that only puts the contact in a 24/7 queue, used
 *   by web chat and by a messaging number; a mailbox whose mail waits in that queue; N agents whose
 *   routing profile takes one chat and one email at a time; a session token for each.
 * - `POST /bench/channels/email?to=`: the raw MIME message in the body, handed to the Worker's own
 *   `email()` handler as Cloudflare Email Routing delivers it (a ForwardableEmailMessage); 202, or
 *   422 with the reason it was rejected.
 * - `GET /bench/channels/outbox?instance=`: how many replies the local outbox holds.
 */
import worker from "../../src/workers/index";
import { createDb } from "../../src/db/client";
import { createSession } from "../../src/workers/auth/sessions";
import { LOCAL_OUTBOX_PREFIX } from "../../src/lib/mailer";
import {
  chatSettings, emailAddresses, flows, flowVersions, instances, phoneNumbers, queues, routingProfileQueues, routingProfiles, securityProfiles, users,
} from "../../src/db/schema";
import { and, eq } from "drizzle-orm";

export * from "../../src/workers/index";

const INSTANCE = "demo";
export const BENCH = {
  flow: "demo:flow:bench-channels",
  queue: "demo:queue:bench-channels",
  routingProfile: "demo:rp:bench-channels",
  number: "+15550199",
  mailbox: "bench@demo.test",
} as const;

const FLOW = {
  Version: "2019-10-30",
  StartAction: "set-queue",
  Metadata: { name: "Bench: straight to the queue" },
  Actions: [
    {
      Identifier: "set-queue", Type: "UpdateContactTargetQueue", Parameters: { QueueId: BENCH.queue },
      Transitions: { NextAction: "to-queue", Errors: [{ NextAction: "bye", ErrorType: "NoMatchingError" }] },
    },
    {
      Identifier: "to-queue", Type: "TransferContactToQueue", Parameters: {},
      Transitions: { NextAction: "bye", Errors: [{ NextAction: "bye", ErrorType: "QueueAtCapacity" }, { NextAction: "bye", ErrorType: "NoMatchingError" }] },
    },
    { Identifier: "bye", Type: "DisconnectParticipant", Parameters: {}, Transitions: {} },
  ],
};

async function setup(env: Env, agents: number) {
  const db = createDb(env.DB);
  const inst = { instanceId: INSTANCE };
  const [agentProfile] = await db.select({ id: securityProfiles.id }).from(securityProfiles)
    .where(and(eq(securityProfiles.instanceId, INSTANCE), eq(securityProfiles.name, "Agent")));
  if (!agentProfile) throw new Error("the demo instance is not seeded (POST /dev/seed first)");
  await db.batch([
    // Every contact of a run is open at once: the demo's cap on open chats (200) is lifted.
    db.update(instances).set({ maxOpenChats: 1_000_000 }).where(eq(instances.id, INSTANCE)),
    db.insert(flows).values({ ...inst, id: BENCH.flow, name: "Bench channels", type: "CONTACT_FLOW", content: FLOW, publishedVersion: 1 }).onConflictDoNothing(),
    db.insert(flowVersions).values({ ...inst, flowId: BENCH.flow, version: 1, content: FLOW }).onConflictDoNothing(),
    db.insert(queues).values({ ...inst, id: BENCH.queue, name: "Bench channels", hoursOfOperationId: "demo:hours:24x7", maxContacts: 100_000 }).onConflictDoNothing(),
    db.insert(routingProfiles).values({
      ...inst, id: BENCH.routingProfile, name: "Bench channels", voiceConcurrency: 0, chatConcurrency: 1, taskConcurrency: 0, emailConcurrency: 1, afterContactWorkTimeoutSeconds: 0,
    }).onConflictDoNothing(),
    db.insert(routingProfileQueues).values((["CHAT", "EMAIL"] as const).map((channel) => ({
      ...inst, routingProfileId: BENCH.routingProfile, queueId: BENCH.queue, channel, priority: 1, delaySeconds: 0,
    }))).onConflictDoNothing(),
    db.update(chatSettings).set({ flowIds: ["demo:flow:chat", BENCH.flow] }).where(eq(chatSettings.instanceId, INSTANCE)),
    db.insert(phoneNumbers).values({ ...inst, id: "demo:number:bench", e164: BENCH.number, description: "Bench SMS", messagingFlowId: BENCH.flow }).onConflictDoNothing(),
    db.insert(emailAddresses).values({ ...inst, id: "demo:email:bench", address: BENCH.mailbox, displayName: "Bench", queueId: BENCH.queue }).onConflictDoNothing(),
  ]);
  const tokens: string[] = [];
  // Ten rows a statement: D1 binds at most 100 values to one.
  for (let i = 0; i < agents; i += 10) {
    const batch = Array.from({ length: Math.min(10, agents - i) }, (_, j) => i + j);
    await db.insert(users).values(batch.map((n) => ({
      ...inst, id: `demo:user:bench${n}`, email: `bench${n}@demo.test`, name: `Bench Agent ${n}`, passwordHash: "x",
      securityProfileId: agentProfile.id, routingProfileId: BENCH.routingProfile,
    }))).onConflictDoNothing();
    for (const n of batch) tokens.push((await createSession(db, { id: `demo:user:bench${n}`, instanceId: INSTANCE })).token);
  }
  return { instanceId: INSTANCE, ...BENCH, tokens };
}

/** A ForwardableEmailMessage as Email Routing hands one to `email()`: the raw bytes as a stream. */
function routedEmail(to: string, raw: Uint8Array) {
  let rejected: string | null = null;
  const from = /^From:.*<([^>]+)>/im.exec(new TextDecoder().decode(raw.subarray(0, 4096)))?.[1] ?? "unknown@example.com";
  const message = {
    from, to, rawSize: raw.byteLength,
    raw: new Blob([raw]).stream(),
    headers: new Headers(),
    setReject: (reason: string) => { rejected = reason; },
    forward: async () => ({ messageId: "" }),
    reply: async () => ({ messageId: "" }),
  };
  return { message: message as unknown as ForwardableEmailMessage, rejected: () => rejected };
}

export default {
  async fetch(req: Request, env: Env, ctx: ExecutionContext) {
    const url = new URL(req.url);
    if (url.pathname === "/bench/channels/setup") return Response.json(await setup(env, (await req.json<{ agents: number }>()).agents));
    if (url.pathname === "/bench/channels/email") {
      const mail = routedEmail(url.searchParams.get("to") ?? "", new Uint8Array(await req.arrayBuffer()));
      await worker.email(mail.message, env);
      const reason = mail.rejected();
      return reason ? Response.json({ error: { code: "email_refused", message: reason } }, { status: 422 }) : new Response(null, { status: 202 });
    }
    if (url.pathname === "/bench/channels/outbox") {
      let n = 0;
      let cursor: string | undefined;
      do {
        const page = await env.RECORDINGS.list({ prefix: `${LOCAL_OUTBOX_PREFIX}${url.searchParams.get("instance") ?? INSTANCE}/`, cursor });
        n += page.objects.length;
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor);
      return Response.json({ replies: n });
    }
    return worker.fetch(req, env, ctx);
  },
} satisfies ExportedHandler<Env>;
