/** The customer's live sentiment on a contact (issue 26), as the contact's object sends it: their last few turns, and the trend since the start. */
import { sentimentText } from "../lib/labels";
import { useAgent } from "./AgentProvider";


/** A `dt`/`dd` pair for the contact's facts; nothing before the customer has said anything. */
export function CustomerSentiment({ contactId }: { contactId: string }) {
  const s = useAgent()?.state.sentiments[contactId];
  if (!s) return null;
  return (
    <>
      <dt>Customer sentiment</dt>
      <dd data-testid="customer-sentiment" className={`sentiment sentiment-${s.sentiment.toLowerCase()}`} aria-live="polite">
        {sentimentText(s)}
      </dd>
    </>
  );
}
