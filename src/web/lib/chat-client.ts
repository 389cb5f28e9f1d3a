/**
 * The agent workspace's chat client: open a chat contact's conversation, read it, write, end it.
 *
 *   import { openAgentChat } from "../lib/chat-client";
 *
 *   // after the agent accepted the offer (AgentRoom `contact.accept`, `contact.update` CONNECTED):
 *   const chat = openAgentChat(contact.contactId, { onChange: (s) => setChatState(s) });
 *   chat.send("Hello, how can I help?");   // shown as pending until stored (s.pending), then in s.messages
 *   chat.typing(true);                     // call on every keystroke; it throttles and stops by itself
 *   chat.markRead();                       // when the conversation is on screen (read receipts)
 *   chat.end();                            // ends the contact: the slot goes to after contact work
 *   chat.close();                          // when the workspace closes the tab (after ACW)
 *
 * State (`ChatConnectionState`): `messages` (each once, ordered by `seq`; `from` CUSTOMER / AGENT /
 * BOT / SYSTEM, SYSTEM ones carry `event`: agent.joined, agent.left, transferred, chat.ended…),
 * `pending`, `otherTyping` (the customer is typing), `receipts.CUSTOMER` (delivered/read up to
 * seq: ticks on the agent's messages), `chat.status` (FLOW, QUEUED, CONNECTED, ENDED),
 * `chat.canSend` (false once the chat ended or was transferred away: history stays readable),
 * `connected`, `refused` (not this agent's chat), `lastError`.
 *
 * Always render `text` as text (React does: never `dangerouslySetInnerHTML`). Several chats at
 * once = one `openAgentChat` per contact. Transfer, hold and ACW stay on the agent socket
 * (`contact.transfer` / `contact.clear` in src/shared/wire.ts); the history goes with the contact,
 * so the next agent's `openAgentChat` shows the whole conversation.
 *
 * The session cookie authenticates the socket (same origin); outside the app, pass `ticket`: it
 * fetches a single-use ticket (POST /api/v1/auth/socket-tickets) for each (re)connection, as a
 * session token is never accepted in a URL.
 */
import { ChatConnection, type ChatConnectionOptions } from "../../shared/chat-connection";

export type { ChatConnectionState, PendingChatMessage } from "../../shared/chat-connection";
export type { ChatMessageView, ChatSnapshot, ChatStatus } from "../../shared/chat-protocol";
export { ChatConnection };

export type AgentChatOptions = Pick<ChatConnectionOptions, "onChange" | "WebSocket"> & {
  /** Origin of the Worker (default: this page's). */
  base?: string;
  /** A fresh single-use socket ticket per connection, for clients without the session cookie (tests, other apps). */
  ticket?: () => Promise<string>;
};

/** The socket URL of a contact's chat for the signed-in agent. */
export function agentChatUrl(contactId: string, base = location.origin, ticket?: string): string {
  const url = new URL(`/api/v1/contacts/${encodeURIComponent(contactId)}/chat/socket`, base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  if (ticket) url.searchParams.set("ticket", ticket);
  return url.toString();
}

/** Opens the conversation of a chat contact connected to (or, read-only, once handled by) this agent. */
export function openAgentChat(contactId: string, opts: AgentChatOptions = {}): ChatConnection {
  return new ChatConnection({
    url: opts.ticket ? async () => agentChatUrl(contactId, opts.base, await opts.ticket!()) : agentChatUrl(contactId, opts.base),
    onChange: opts.onChange,
    WebSocket: opts.WebSocket,
  });
}
