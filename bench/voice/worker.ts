/**
 * The voice benchmark's Worker: the real Switchboard Worker, plus the floor — a bare route that
 * answers a Twilio-style form POST with fixed TwiML on the same runtime.
 */
import worker from "../../src/workers/index";

export * from "../../src/workers/index";

const FIXED = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Thanks for calling.</Say><Gather input="dtmf" numDigits="1" action="/x"><Say>Press 1.</Say></Gather></Response>';

export default {
  ...worker,
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    if (new URL(request.url).pathname === "/bench/floor") {
      await request.arrayBuffer();
      return new Response(FIXED, { headers: { "content-type": "text/xml" } });
    }
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
