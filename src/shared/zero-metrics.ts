/**
 * Real-time metric values with nothing happening, for the Worker (each queue's and the instance's
 * starting sums) and the live dashboard (a quiet queue). Apart from wire.ts, which brings zod:
 * the dashboard's chunk does not need it.
 */
import type { MetricValues } from "./wire";

/** Every count 0, no service level. */
export const zeroMetrics = (): MetricValues => ({
  AGENTS_ONLINE: 0, AGENTS_AVAILABLE: 0, AGENTS_ON_CONTACT: 0, AGENTS_AFTER_CONTACT_WORK: 0,
  AGENTS_NON_PRODUCTIVE: 0, AGENTS_ERROR: 0, CONTACTS_IN_QUEUE: 0, CALLBACKS_IN_QUEUE: 0, OLDEST_CONTACT_AGE: 0,
  SLOTS_ACTIVE: 0, SLOTS_AVAILABLE: 0, SERVICE_LEVEL_20: null,
});
