/** Where the customer's profile shows on an offer or a contact: its panel is loaded on demand, so the agent view's first JavaScript stays small. */
import { lazy, Suspense } from "react";

const ProfilePanel = lazy(() => import("./ProfilePanel"));

export function CustomerProfile({ contactId, compact }: { contactId: string; compact?: boolean }) {
  return (
    <Suspense fallback={null}>
      <ProfilePanel contactId={contactId} compact={compact} />
    </Suspense>
  );
}
