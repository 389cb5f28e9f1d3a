/**
 * CreateWisdomSession (Amazon Q in Connect, formerly Wisdom): gives the contact a knowledge
 * session. Here the knowledge base is the instance's own (src/db/knowledge.ts): the session means
 * the agent's workspace suggests published articles from what the customer says, as Amazon Q in
 * Connect's recommendations do. `$.Wisdom.SessionArn` then names the session (an UpdateContactData
 * with `WisdomSessionArn`, as real exports follow this block with, keeps it). The assistant ARN is
 * read and logged, not needed: an instance has one knowledge base.
 */
import { next, type ActionHandler } from "./types";

/** The session's name: one per contact, stable, recognisably not AWS's. */
export const knowledgeSessionArn = (contactId: string) => `arn:switchboard:knowledge:session/${contactId}`;

export const CreateWisdomSession: ActionHandler = {
  type: "CreateWisdomSession",
  errors: ["NoMatchingError"],
  check(params, report) {
    if (params.WisdomAssistantArn !== undefined && typeof params.WisdomAssistantArn !== "string") report("WisdomAssistantArn", "must be a string");
  },
  run(r) {
    const sessionArn = r.state.knowledge?.sessionArn ?? knowledgeSessionArn(r.state.contactId);
    r.state.knowledge = { sessionArn };
    const assistant = typeof r.params.WisdomAssistantArn === "string" ? r.value(r.params.WisdomAssistantArn) : undefined;
    return next({ sessionArn, ...(assistant ? { assistantArn: assistant } : {}) });
  },
};
