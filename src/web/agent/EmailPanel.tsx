/**
 * An email contact's message in the agent's conversation (ChatPanel): its subject, and its HTML
 * — already sanitised by the server (no scripts, handlers or remote images) — shown in a frame
 * sandboxed to run nothing, with a policy of its own that loads nothing from outside. The text
 * part stays in the conversation for reading, copying and search.
 */
import type { ChatMessageView } from "../../shared/chat-protocol";

/** The frame's own policy: its inline styles, and images only from `data:` (never a tracker). */
const FRAME_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function EmailPart({ message }: { message: ChatMessageView }) {
  const email = message.email;
  if (!email) return null;
  return (
    <div className="email-part">
      <p className="email-subject">
        <span className="muted">Subject: </span>
        {email.subject || "(no subject)"}
      </p>
      {email.html && (
        <details>
          <summary>Show as formatted</summary>
          <iframe
            title={`Email: ${email.subject || "no subject"}`}
            sandbox=""
            referrerPolicy="no-referrer"
            className="email-html"
            srcDoc={`<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${FRAME_POLICY}"><base target="_blank">${email.html}`}
          />
        </details>
      )}
    </div>
  );
}

/** The line above an email contact's conversation. */
export function EmailNotice() {
  return (
    <p className="muted">
      <span className="badge">Email</span> Your messages reach the customer as email replies in the same thread.
    </p>
  );
}
