/**
 * The voice benchmark's Worker: the real Switchboard Worker, plus the floor — bare routes that
 * answer Twilio's form POSTs with fixed TwiML on the same runtime, shaped like ours (a menu with
 * a <Gather>, then a queue's hold loop), so the simulated callers take the same steps on both.
 */
import worker from "../../src/workers/index";

export * from "../../src/workers/index";

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
const FLOOR: Record<string, string | null> = {
  "/bench/floor/voice": xml('<Gather input="dtmf" numDigits="1" timeout="5" action="/bench/floor/gather" method="POST"><Say>Thanks for calling. Press 1 for sales.</Say></Gather><Redirect method="POST">/bench/floor/voice</Redirect>'),
  "/bench/floor/gather": xml("<Say>Thank you for waiting. You are number 1 in line. An agent will be with you shortly.</Say><Play>https://example.com/hold.mp3</Play><Redirect method=\"POST\">/bench/floor/gather</Redirect>"),
  "/bench/floor/status": null,
};

export default {
  ...worker,
  async fetch(request: Request, env: Env, ctx: ExecutionContext) {
    const path = new URL(request.url).pathname;
    if (path in FLOOR) {
      await request.arrayBuffer();
      const body = FLOOR[path];
      return body === null ? new Response(null, { status: 204 }) : new Response(body, { headers: { "content-type": "text/xml" } });
    }
    return worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
