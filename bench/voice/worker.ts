/**
 * The voice benchmark's Worker: the real Switchboard Worker, plus two floors on the same runtime,
 * shaped like ours (a menu with a <Gather>, then a queue's hold loop), so the simulated callers
 * take the same steps on all three:
 *  - the floor: bare routes that answer Twilio's form POSTs with fixed TwiML;
 *  - the call-object floor: the least any design with one Durable Object per call does, which is
 *    what the stack asks for (per-contact state in Durable Objects): each call's webhooks go to
 *    its own object (made on the call's first webhook), which keeps the call's state in one
 *    SQLite row and answers with the same fixed TwiML. No signature check, flow, queue, record or
 *    alarm: what ours costs above this is everything Switchboard does for a call.
 */
import { DurableObject } from "cloudflare:workers";
import worker from "../../src/workers/index";

export * from "../../src/workers/index";

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
/** Fixed TwiML, by step; URLs relative to the request's, so each floor's callers stay on its routes. */
const STEPS: Record<string, string | null> = {
  voice: xml('<Gather input="dtmf" numDigits="1" timeout="5" action="gather" method="POST"><Say>Thanks for calling. Press 1 for sales.</Say></Gather><Redirect method="POST">voice</Redirect>'),
  gather: xml('<Say>Thank you for waiting. You are number 1 in line. An agent will be with you shortly.</Say><Play>https://example.com/hold.mp3</Play><Redirect method="POST">gather</Redirect>'),
  status: null,
};
const ROUTE = /^\/bench\/(floor|object)\/(voice|gather|status)$/;

const answer = (body: string | null) => (body === null ? new Response(null, { status: 204 }) : new Response(body, { headers: { "content-type": "text/xml" } }));

/** One per call (by CallSid): the call's state in one row, written on every webhook. */
export class CallObjectFloor extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS call (id INTEGER PRIMARY KEY CHECK (id = 1), call_sid TEXT NOT NULL, step TEXT NOT NULL, turns INTEGER NOT NULL, last_twiml TEXT)");
  }

  step(step: string, callSid: string): string | null {
    const twiml = STEPS[step] ?? null;
    this.ctx.storage.sql.exec(
      `INSERT INTO call (id, call_sid, step, turns, last_twiml) VALUES (1, ?, ?, 1, ?)
       ON CONFLICT (id) DO UPDATE SET step = excluded.step, turns = turns + 1, last_twiml = excluded.last_twiml`,
      callSid, step, twiml,
    );
    return twiml;
  }
}

type BenchEnv = Env & { CALL_OBJECT_FLOOR: DurableObjectNamespace<CallObjectFloor> };

export default {
  ...worker,
  async fetch(request: Request, env: BenchEnv, ctx: ExecutionContext) {
    const route = ROUTE.exec(new URL(request.url).pathname);
    if (!route) return worker.fetch(request, env, ctx);
    const [, floor, step] = route;
    if (floor === "floor") {
      await request.arrayBuffer();
      return answer(STEPS[step]);
    }
    const callSid = new URLSearchParams(await request.text()).get("CallSid") ?? "";
    return answer(await env.CALL_OBJECT_FLOOR.getByName(callSid).step(step, callSid));
  },
} satisfies ExportedHandler<BenchEnv>;
