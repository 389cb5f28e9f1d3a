/**
 * Runs one turn of a bot for a contact's flow (effect `bot_turn` of ConnectParticipantWithLexBot):
 * loads the instance's bot by id or name, runs the dialog manager (src/bots) with the engine
 * chosen for this deployment and the bot's code hooks (signed with the instance's external
 * signing secret), and answers with the `bot_result` event that resumes the flow.
 */
import { and, eq, or } from "drizzle-orm";
import { Bot, chooseBotEngine } from "../bots";
import { runBotDialog } from "../flows/actions/lex";
import { createDb } from "../db/client";
import { externalSigningSecret } from "../db/external-signing";
import { bots, instances } from "../db/schema";
import type { Effect, FlowEvent, FlowState } from "../flows/types";
import { keyringFromEnv } from "../lib/crypto";
import { endpointRegistered, nonPublicHost } from "../lib/outbound-url";

export async function runBotTurn(env: Env, instanceId: string, effect: Extract<Effect, { type: "bot_turn" }>, state: FlowState): Promise<FlowEvent> {
  const db = createDb(env.DB);
  const [row] = await db
    .select()
    .from(bots)
    .where(and(eq(bots.instanceId, instanceId), or(eq(bots.id, effect.bot), eq(bots.name, effect.bot))))
    .limit(1);
  if (!row) return { type: "bot_result", ok: false, error: `no bot "${effect.bot}" in this instance` };
  const parsed = Bot.safeParse(row.definition);
  if (!parsed.success) return { type: "bot_result", ok: false, error: `bot "${row.name}" is not a valid definition` };
  const bot = parsed.data;
  const secret = row.codeHookUrl ? await externalSigningSecret(db, keyringFromEnv(env), instanceId) : null;
  // The same rule as InvokeLambdaFunction: only under an endpoint the admin registered, and (deployed) a public host.
  const guardedFetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const [inst] = await db.select({ endpoints: instances.externalEndpoints }).from(instances).where(eq(instances.id, instanceId));
    if (!endpointRegistered(url, inst?.endpoints ?? [])) throw new Error(`refused: ${url.origin} is not one of this instance's registered endpoints`);
    const why = env.LOCAL_MODE === "true" ? null : nonPublicHost(url);
    if (why) throw new Error(`refused: ${why}`);
    return fetch(input, init);
  };
  try {
    return await runBotDialog(bot, effect, state.contactId, {
      engine: chooseBotEngine((env as { AI?: Parameters<typeof chooseBotEngine>[0] }).AI),
      codeHook: row.codeHookUrl && secret ? { url: row.codeHookUrl, secret, fetch: guardedFetch } : undefined,
    });
  } catch (err) {
    return { type: "bot_result", ok: false, error: `the bot failed: ${(err as Error).message}` };
  }
}
