/**
 * An agent's registrations with its queues (see src/durable/README.md, Protocol 1 and 3): which
 * channels each queue may offer it now, published only when they change, under a monotonic
 * `seq`; and, before ringing, whether another of its queues holds a better contact (invariant 4).
 * Runs inside the AgentRoom, on its store.
 */
import type { AgentStatus, RoutingProfileView } from "../shared/wire";
import { compareCandidates, registrationChannels, type Candidate, type SlotLike } from "./agent-capacity";
import type { AgentStore } from "./agent-room-store";
import type { ContactOutbox, RelayedRecord } from "./contact-record";
import { personalQueueId } from "../lib/object-names";
import type { QueueRoom } from "./queue-room";
import type { Registration, Reservation } from "./types";
import { logError } from "./log-error";

export type RegistrarHost = {
  agentId: string;
  store: AgentStore;
  outbox: ContactOutbox;
  status(): AgentStatus;
  profile(): RoutingProfileView | null;
  queue(queueId: string): DurableObjectStub<QueueRoom>;
  /** A queue is owed a registration, or relayed rows left the outbox: the agent's alarm must be re-armed. */
  rearm(): void;
};

export class Registrar {
  #pending = false;

  constructor(private readonly host: RegistrarHost) {}

  /** A reservation is being decided (other queues are being asked): publishing waits for it. */
  get pending(): boolean {
    return this.#pending;
  }

  /**
   * Tells every queue whose view of this agent changed (and every queue that paused it) which
   * channels it can take now. `force` re-sends to queues even if unchanged.
   */
  async publish(force: string[] = []) {
    const status = this.host.status();
    const profile = this.host.profile();
    const slots = this.host.store.slots();
    const targets = new Set<string>(force);
    for (const q of profile?.queues ?? []) targets.add(q.queueId);
    for (const q of this.host.store.publishedQueues()) targets.add(q);
    const owed = new Set(this.host.store.owed().keys());
    for (const q of owed) targets.add(q);
    if (this.#pending) return; // the reservation in progress publishes when it is done
    const sends: { queueId: string; channels: Registration["channels"] }[] = [];
    for (const queueId of targets) {
      const channels = registrationChannels(this.host.agentId, queueId, status, profile, slots);
      const json = publishedJson(channels, profile);
      const last = this.host.store.published(queueId);
      if (json === last && !owed.has(queueId) && !force.includes(queueId)) continue;
      if (last === undefined && channels.length === 0 && !owed.has(queueId)) continue; // never told, nothing to tell
      sends.push({ queueId, channels });
      this.host.store.setPublished(queueId, json);
    }
    this.host.store.clearOwed();
    if (sends.length === 0) return;
    const seq = this.host.store.meta<number>("seq", 0) + 1;
    this.host.store.setMeta("seq", seq);
    const availableSince = this.host.store.meta<number>("availableSince", Date.now());
    // The better queue (forced) first: it should get its offer in before the others re-offer.
    sends.sort((a, b) => Number(force.includes(b.queueId)) - Number(force.includes(a.queueId)));
    // The first call also carries the contact-record rows waiting in this agent's outbox: the
    // queue writes them to D1 with its own, which saves this agent a D1 batch.
    const relay = this.host.outbox.takeForRelay();
    const send = async (s: (typeof sends)[number], records?: RelayedRecord[]) => {
      await this.host.queue(s.queueId).setAvailability({ agentId: this.host.agentId, seq, availableSince, channels: s.channels, ...proficienciesOf(profile) }, records);
    };
    let first = true;
    const carry = () => (first ? ((first = false), relay?.records) : undefined);
    const done = (carried: RelayedRecord[] | undefined, ok: boolean) => {
      if (!carried || !relay) return;
      this.host.outbox.relayed(relay.seqs, ok);
      if (ok) this.host.rearm(); // no outbox backstop left to wait for
    };
    for (const s of sends.filter((x) => force.includes(x.queueId))) {
      const records = carry();
      await send(s, records).then(() => done(records, true), (err) => {
        done(records, false);
        logError("publish")(err);
      });
    }
    await Promise.all(
      sends.filter((x) => !force.includes(x.queueId)).map((s) => {
        const records = carry();
        return send(s, records).then(() => done(records, true), (err) => {
          done(records, false);
          logError("publish")(err);
          this.owe(s.queueId);
        });
      }),
    );
  }

  /** The registration for a queue as things stand, or as they will be once `slots` hold (the offer ringing, the contact accepted). */
  registrationFor(queueId: string, slots: SlotLike[] = this.host.store.slots()): Registration {
    const profile = this.host.profile();
    const channels = registrationChannels(this.host.agentId, queueId, this.host.status(), profile, slots);
    this.host.store.setPublished(queueId, publishedJson(channels, profile));
    return { agentId: this.host.agentId, seq: this.host.store.meta<number>("seq", 0), availableSince: this.host.store.meta<number>("availableSince", Date.now()), channels, ...proficienciesOf(profile) };
  }

  /**
   * The registration for one queue under a new seq, so it supersedes anything sent to it before,
   * to ride on a call or an answer the queue receives anyway (a reservation's answer; a peek or a
   * confirm, with the `slots` as they will be). Noted as what the queue heard at once: if the call
   * fails, or the queue does not take it, the caller owes the queue a registration (`owe`), and
   * the next publish sends the truth.
   */
  nextRegistration(queueId: string, slots?: SlotLike[]): Registration {
    this.host.store.setMeta("seq", this.host.store.meta<number>("seq", 0) + 1);
    return this.registrationFor(queueId, slots);
  }

  owe(queueId: string) {
    this.host.store.owe(queueId, Date.now());
    this.host.rearm();
  }

  /**
   * Asks the agent's other queues of equal or higher priority for this channel whether they hold a
   * better contact. Each peek carries the agent's registration as it will be while this offer rings
   * (nothing routable): a queue with nothing better keeps it, so it needs no `setAvailability` when
   * the offer rings; one that has something better, or does not answer, is owed the truth.
   */
  async betterElsewhere(r: Reservation): Promise<string | null> {
    const ch = r.contact.channel;
    const others = (this.host.profile()?.queues ?? [])
      .filter((q) => q.channel === ch && q.queueId !== r.queueId && q.priority <= r.queuePriority)
      .map((q) => ({ queueId: q.queueId, priority: q.priority, delaySeconds: q.delaySeconds }));
    const personal = personalQueueId(this.host.agentId);
    if (r.queueId !== personal && this.host.store.published(personal) !== undefined) {
      others.push({ queueId: personal, priority: 0, delaySeconds: 0 });
    }
    if (others.length === 0) return null;
    this.#pending = true;
    try {
      const mine: Candidate = { queuePriority: r.queuePriority, priority: r.contact.priority, enqueuedAt: r.routingAt ?? r.contact.enqueuedAt };
      const ringing = [...this.host.store.slots(), { channel: ch, state: "INCOMING" as const }];
      const found = await Promise.all(
        others.map(async (q) => {
          const p = await this.host.queue(q.queueId).peek(this.host.agentId, ch, q.delaySeconds, this.nextRegistration(q.queueId, ringing))
            .catch((err) => (logError("peek")(err), undefined));
          if (p !== null) this.owe(q.queueId); // it did not take the registration (or may not have)
          return p ? { queueId: q.queueId, queuePriority: q.priority, priority: p.priority, enqueuedAt: p.routingAt ?? p.enqueuedAt } : null;
        }),
      );
      let best: (Candidate & { queueId: string }) | null = null;
      for (const f of found) if (f && compareCandidates(f, best ?? mine) < 0) best = f;
      return best?.queueId ?? null;
    } finally {
      this.#pending = false;
    }
  }
}

/** What a registration carries of the agent's proficiencies (nothing when it has none). */
const proficienciesOf = (profile: RoutingProfileView | null) => (profile?.proficiencies?.length ? { proficiencies: profile.proficiencies } : {});

/**
 * What a queue last heard, to tell whether it must hear again: the channels, and the proficiencies
 * when there are any (so an agent without keeps the text it had before proficiencies existed).
 */
function publishedJson(channels: Registration["channels"], profile: RoutingProfileView | null): string {
  const p = profile?.proficiencies;
  return p?.length && channels.length ? JSON.stringify(channels) + JSON.stringify(p) : JSON.stringify(channels);
}
