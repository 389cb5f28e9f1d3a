/**
 * The queue form's callback offer (the queue setting `offerCallback`, src/shared/callback-offer.ts):
 * a switch, then the key, the wait before the offer, and the retries of an unanswered callback.
 */
import { CALLBACK_OFFER_DEFAULTS, CALLBACK_OFFER_KEYS, CALLBACK_OFFER_LIMITS, type CallbackOffer } from "../../shared/callback-offer";
import { CheckboxField, type FieldErrors, NumberField, SelectField } from "../components/forms";

/** The form's fields of the offer: numbers may be emptied while editing (sent as null, which the API refuses on that field). */
export type CallbackOfferDraft = { on: boolean; key: string; afterSeconds: number | null; retries: number | null; retryIntervalSeconds: number | null };

export const CALLBACK_OFFER_FIELDS = ["offerCallback", "offerCallback.key", "offerCallback.afterSeconds", "offerCallback.retries", "offerCallback.retryIntervalSeconds"];

export function callbackOfferDraft(offer: CallbackOffer | null | undefined): CallbackOfferDraft {
  return { on: !!offer, ...(offer ?? CALLBACK_OFFER_DEFAULTS) };
}

export function callbackOfferBody(d: CallbackOfferDraft) {
  return d.on ? { key: d.key, afterSeconds: d.afterSeconds, retries: d.retries, retryIntervalSeconds: d.retryIntervalSeconds } : null;
}

export function CallbackOfferFields({ value, onChange, errors }: { value: CallbackOfferDraft; onChange: (d: CallbackOfferDraft) => void; errors: FieldErrors }) {
  const set = (patch: Partial<CallbackOfferDraft>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="group">
      <legend>Queued callback</legend>
      <CheckboxField label="Offer a callback" name="offerCallback" checked={value.on} onChange={(on) => set({ on })} errors={errors}
        hint="Callers waiting in this queue (with the default music, no customer queue flow) may press a key to be called back instead, keeping their place." />
      {value.on && (
        <>
          <SelectField label="Key to press" name="offerCallback.key" value={value.key} onChange={(key) => set({ key })}
            options={CALLBACK_OFFER_KEYS.map((k) => ({ value: k, label: k }))} errors={errors} />
          <NumberField label="Offer after waiting (seconds)" name="offerCallback.afterSeconds" value={value.afterSeconds} onChange={(afterSeconds) => set({ afterSeconds })}
            min={0} max={CALLBACK_OFFER_LIMITS.afterSeconds} errors={errors} hint={`0 offers it at once (up to ${CALLBACK_OFFER_LIMITS.afterSeconds}).`} />
          <NumberField label="Retries when not answered" name="offerCallback.retries" value={value.retries} onChange={(retries) => set({ retries })}
            min={0} max={CALLBACK_OFFER_LIMITS.retries} errors={errors} hint={`Calls after the first (0–${CALLBACK_OFFER_LIMITS.retries}).`} />
          <NumberField label="Between retries (seconds)" name="offerCallback.retryIntervalSeconds" value={value.retryIntervalSeconds} onChange={(retryIntervalSeconds) => set({ retryIntervalSeconds })}
            min={CALLBACK_OFFER_LIMITS.retryIntervalSeconds.min} max={CALLBACK_OFFER_LIMITS.retryIntervalSeconds.max} errors={errors} />
        </>
      )}
    </fieldset>
  );
}
