/**
 * UpdatePreviousContactParticipantState (Amazon Connect's "Hold customer or agent"): in a transfer
 * flow run on a warm transfer, the agent who transferred is still on the call with the customer
 * (the previous contact's participants), and this sets who of them is held: the agent
 * (`AgentOnHold`: the customer hears the flow alone), the customer (`CustomerOnHold`: the agent
 * hears it alone), or neither (`OffHold`: both). It emits the wish for the contact's session to
 * carry out (src/durable/voice/consult-flow.ts) and goes on to NextAction.
 *
 * Voice only; anywhere else (an inbound flow, a cold transfer, a chat: nobody left behind to hold)
 * it takes its error branch, as Amazon Connect does.
 */
import { isReference } from "../values";
import { fail, next, type ActionHandler } from "./types";

export const PREVIOUS_PARTICIPANT_STATES = ["AgentOnHold", "CustomerOnHold", "OffHold"] as const;
export type PreviousParticipantState = (typeof PREVIOUS_PARTICIPANT_STATES)[number];

const isState = (v: string): v is PreviousParticipantState => (PREVIOUS_PARTICIPANT_STATES as readonly string[]).includes(v);

export const UpdatePreviousContactParticipantState: ActionHandler = {
  type: "UpdatePreviousContactParticipantState",
  errors: ["NoMatchingError"],
  check(params, report) {
    const v = params.PreviousContactParticipantState;
    if (typeof v !== "string" || (!isState(v) && !isReference(v))) report("PreviousContactParticipantState", `must be one of ${PREVIOUS_PARTICIPANT_STATES.join(", ")}`);
  },
  run(r) {
    const wanted = r.value(r.params.PreviousContactParticipantState).trim();
    if (!isState(wanted)) return fail("NoMatchingError", `"${wanted}" is not one of ${PREVIOUS_PARTICIPANT_STATES.join(", ")}`);
    if (r.state.channel !== "VOICE") return fail("NoMatchingError", "only a call's participants can be held");
    if (!r.state.warmTransfer) return fail("NoMatchingError", "no previous contact is on the call (the block runs in a transfer flow during a warm transfer)");
    r.emit({ type: "previous_participant_state", state: wanted });
    return next({ state: wanted });
  },
};
