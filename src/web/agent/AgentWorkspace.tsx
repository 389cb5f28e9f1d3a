/**
 * The agent workspace: status, incoming offers, the contacts being worked (tabs when there are
 * several: voice and chats within the routing profile's concurrency) and after contact work.
 * The connection lives in AgentProvider (the shell), so it survives moving between screens.
 */
import { lazy, Suspense, useEffect, useState } from "react";
import type { AgentContact } from "../../shared/wire";
import { useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { AgentStatus, Queue, QuickConnect } from "../lib/types";
import { useCollection } from "../lib/useData";
import { AgentHistory } from "./AgentHistory";
import { useAgent } from "./AgentProvider";
import { AlertPreferences } from "./AlertPreferences";
import { ContactPanel } from "./ContactPanel";
import { GuideSlot } from "./guide/GuideSlot";
import { OfferCard } from "./OfferCard";
import { OutboundCall } from "./OutboundCall";
import { CreateTask } from "./CreateTask";
import { SoftphoneProvider } from "./Softphone";
import { ShortcutsHelp, useWorkspaceShortcuts } from "./shortcuts";
import { StatusPicker } from "./StatusPicker";
import { CHANNEL_LABELS } from "../lib/labels";
import { wrapUpChoices } from "../../shared/wrap-up";

const KnowledgePanel = lazy(() => import("../knowledge/KnowledgePanel"));

export default function AgentWorkspace() {
  useTitle("Agent workspace");
  const { me } = useSession();
  const agent = useAgent();
  const statuses = useCollection<AgentStatus>("/agent-statuses");
  const queues = useCollection<Queue>("/queues");
  const quickConnects = useCollection<QuickConnect>("/quick-connects");
  const [showShortcuts, setShowShortcuts] = useState(false);
  useWorkspaceShortcuts(() => setShowShortcuts(true));
  const queueName = (id: string) => (id.startsWith("agent:") ? "Your personal queue" : queues.data?.find((q) => q.id === id)?.name ?? id);
  const wrapUpCodes = (id: string) => wrapUpChoices(queues.data?.find((q) => q.id === id)?.wrapUpCodes, queues.data ?? []);

  if (!agent) return <h1>Agent workspace</h1>;
  const { state, connection } = agent;
  const offers = state.contacts.filter((c) => c.state === "INCOMING");
  const working = state.contacts.filter((c) => c.state !== "INCOMING");

  return (
    <SoftphoneProvider>
      <div className="page-head">
        <h1>Agent workspace</h1>
        <span className="muted">{me.user.name}</span>
      </div>
      <p className={state.connected ? "connection online" : "connection offline"} role="status" data-testid="connection">
        {state.connected ? "Connected" : state.ready ? "Connection lost — reconnecting… Your actions are kept and sent when it is back." : "Connecting…"}
      </p>
      {state.notices.map((n) => (
        <div key={n.id} className={n.kind === "error" ? "error" : "notice"} role={n.kind === "error" ? "alert" : "status"}>
          <span>{n.text}</span>{" "}
          <button type="button" className="link" onClick={() => connection.dismissNotice(n.id)}>
            Dismiss
          </button>
        </div>
      ))}
      <ShortcutsHelp open={showShortcuts} onClose={() => setShowShortcuts(false)} />
      {state.ready && state.status && (
        <div className="workspace" data-workspace>
          <div className="workspace-side">
            <StatusPicker status={state.status} statuses={statuses.data ?? []} connection={connection} busy={state.pending.some((p) => p.type === "status.set")} />
            {!state.routingProfile && <p className="notice-warn">You have no routing profile, so you cannot be Available. Ask an administrator.</p>}
            {(state.routingProfile?.concurrency.VOICE ?? 0) > 0 && (
              <OutboundCall queues={queues.data ?? []} onVoiceContact={state.contacts.some((c) => c.channel === "VOICE")} />
            )}
            <CreateTask queues={queues.data ?? []} />
            <AlertPreferences onShowShortcuts={() => setShowShortcuts(true)} />
          </div>
          <div className="workspace-main">
            {offers.map((c) => (
              <OfferCard key={c.contactId} contact={c} queueName={queueName(c.queueId)} connection={connection} />
            ))}
            {working.length > 0 ? (
              <ContactTabs contacts={working} queueName={queueName} wrapUpCodes={wrapUpCodes} quickConnects={quickConnects.data ?? []} connection={connection} />
            ) : (
              offers.length === 0 && (
                <section className="card" aria-labelledby="no-contacts">
                  <h2 id="no-contacts">No contacts</h2>
                  <p className="muted">
                    {state.status.kind === "AVAILABLE" ? "You are Available: the next contact rings here." : "Choose Available to receive contacts."}
                  </p>
                </section>
              )
            )}
            <AgentHistory queueName={queueName} reloadKey={state.contacts.length} />
          </div>
        </div>
      )}
    </SoftphoneProvider>
  );
}

function ContactTabs({ contacts, queueName, wrapUpCodes, quickConnects, connection }: {
  contacts: AgentContact[];
  queueName: (id: string) => string;
  wrapUpCodes: (queueId: string) => string[];
  quickConnects: QuickConnect[];
  connection: NonNullable<ReturnType<typeof useAgent>>["connection"];
}) {
  const { can } = useSession();
  const [selected, setSelected] = useState(contacts[0].contactId);
  const current = contacts.find((c) => c.contactId === selected) ?? contacts[contacts.length - 1];
  useEffect(() => {
    if (!contacts.some((c) => c.contactId === selected)) setSelected(contacts[contacts.length - 1].contactId);
  }, [contacts, selected]);
  const tabId = (c: AgentContact) => `tab-${c.contactId.replace(/\W/g, "-")}`;
  const move = (delta: number) => {
    const i = contacts.findIndex((c) => c.contactId === current.contactId);
    const next = contacts[(i + delta + contacts.length) % contacts.length];
    setSelected(next.contactId);
    document.getElementById(tabId(next))?.focus();
  };
  return (
    <section className="card contacts" aria-label="Your contacts">
      <div role="tablist" aria-label="Contacts" className="tabs">
        {contacts.map((c, i) => (
          <button
            key={c.contactId}
            id={tabId(c)}
            type="button"
            role="tab"
            aria-selected={c.contactId === current.contactId}
            aria-controls="contact-tabpanel"
            tabIndex={c.contactId === current.contactId ? 0 : -1}
            onClick={() => setSelected(c.contactId)}
            onKeyDown={(e) => {
              if (e.key === "ArrowRight") move(1);
              else if (e.key === "ArrowLeft") move(-1);
            }}
          >
            {CHANNEL_LABELS[c.channel]} {i + 1}
            {c.state === "AFTER_CONTACT_WORK" ? " (after contact work)" : c.state === "ON_HOLD" ? " (on hold)" : c.state === "DIALLING" ? " (dialling)" : c.state === "RINGING" ? " (ringing)" : ""}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="contact-tabpanel" aria-labelledby={tabId(current)}>
        <ContactPanel key={current.contactId} contact={current} queueName={queueName(current.queueId)} wrapUpCodes={wrapUpCodes(current.queueId)} quickConnects={quickConnects} connection={connection} active />
        <GuideSlot contactId={current.contactId} />
        {can("knowledge.read") && <Suspense fallback={null}><KnowledgePanel key={current.contactId} contactId={current.contactId} /></Suspense>}
      </div>
    </section>
  );
}
