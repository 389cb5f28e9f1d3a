/** A small bot written for tests (not one of the reference exports), in our model. */
import type { Bot, Intent } from "../../src/bots/model";

const intent = (o: Partial<Intent> & { name: string }): Intent => ({
  description: "", fallback: false, sampleUtterances: [], slots: [], confirmation: null, fulfilledMessages: [], closingMessages: [],
  inputContexts: [], outputContexts: [], dialogCodeHook: false, fulfillmentCodeHook: false, ...o,
});
const slot = (name: string, slotTypeName: string, priority: number, prompt: string, maxRetries = 2) =>
  ({ name, slotTypeName, required: true, priority, prompts: [prompt], maxRetries });

export const PIZZA_BOT: Bot = {
  name: "PizzaBot",
  description: "",
  idleSessionTtlSeconds: 300,
  locales: [{
    localeId: "en_US",
    nluConfidenceThreshold: 0.5,
    slotTypes: [{ name: "Size", description: "", resolution: "TOP_RESOLUTION", values: [
      { value: "small", synonyms: ["little", "personal"] }, { value: "large", synonyms: ["big", "family size"] }] }],
    intents: [
      intent({
        name: "OrderPizza",
        sampleUtterances: ["I want to order a pizza", "order {count} {size} pizzas", "a {size} pizza please", "can I get a pizza delivered at {time}"],
        slots: [slot("size", "Size", 1, "What size?"), slot("count", "AMAZON.Number", 2, "How many pizzas?"), slot("time", "AMAZON.Time", 3, "When should it arrive?")],
        confirmation: { prompts: ["{count} {size} pizzas at {time}, right?"], declination: ["Okay, cancelled."], maxRetries: 1 },
        fulfilledMessages: ["Your pizzas are on the way."],
        outputContexts: [{ name: "ordered", timeToLiveInSeconds: 300, turnsToLive: 3 }],
      }),
      intent({
        name: "TrackOrder",
        sampleUtterances: ["where is my order", "track my delivery", "status of order {orderId}"],
        slots: [slot("orderId", "AMAZON.AlphaNumeric", 1, "What is your order number?")],
      }),
      intent({ name: "CancelOrder", sampleUtterances: ["cancel it", "cancel my order"], inputContexts: ["ordered"] }),
      intent({
        name: "Contact",
        sampleUtterances: ["send the receipt to {email}", "call me back on {phone}", "my birthday is {birthday}", "my answer is {answer}"],
        slots: [slot("email", "AMAZON.Email", 1, "Email?"), slot("phone", "AMAZON.PhoneNumber", 2, "Phone?"), slot("birthday", "AMAZON.Date", 3, "Birthday?"),
          slot("answer", "AMAZON.Confirmation", 4, "Yes or no?")].map((s) => ({ ...s, required: false })),
      }),
      intent({ name: "Feedback", sampleUtterances: ["leave feedback"], slots: [slot("comment", "AMAZON.FreeFormInput", 1, "Tell us.")] }),
      intent({ name: "FallbackIntent", fallback: true, closingMessages: ["Sorry, I did not get that."] }),
    ],
  }],
};
