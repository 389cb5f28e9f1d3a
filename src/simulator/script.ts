/**
 * Drives one simulated call through a script — keys to press and words to say at each
 * prompt, a time to hang up — as `npm run phone` does and as tests do (with a virtual clock).
 * Words left over once the caller is connected to an agent are said in the conference.
 */
import type { Call } from "./call";
import type { Phone } from "./phone";

export type ScriptStep = { press: string } | { say: string };

export type ScriptOptions = {
  steps: ScriptStep[];
  /** Hang up after this many seconds (of the driver's clock). */
  hangupAfterSeconds?: number;
  /** How long one round of hold music lasts before the hold loop comes round again. */
  holdRoundSeconds?: number;
  /** Waits; the CLI passes a real sleep, tests a virtual one. */
  sleep: (seconds: number) => Promise<void>;
  /** Seconds since the script started. */
  elapsed: () => number;
  /** Asked at a prompt when the script has no step left; null = the caller stays silent. */
  ask?: () => Promise<ScriptStep | "hangup" | null>;
  /** Stops driving the call, leaving it as it is (a test that ends early must not wait forever). */
  signal?: AbortSignal;
};

/** Runs until the call ends, the script says hang up or `signal` aborts; returns the call. */
export async function runScript(phone: Phone, call: Call, opts: ScriptOptions): Promise<Call> {
  const steps = [...opts.steps];
  const due = () => opts.hangupAfterSeconds !== undefined && opts.elapsed() >= opts.hangupAfterSeconds;
  while (!call.ended) {
    if (opts.signal?.aborted) return call;
    await phone.settle();
    if (call.ended) break;
    if (due()) {
      await call.hangup();
      break;
    }
    const w = call.wait;
    if (w.kind === "gather") {
      const step = steps.shift() ?? (opts.ask ? await opts.ask() : null);
      if (step === "hangup") await call.hangup();
      else if (step && "press" in step) await call.press(step.press);
      else if (step && "say" in step) await call.say(step.say);
      else {
        await opts.sleep(Number(w.gather.attrs.timeout ?? 5));
        if (call.pending) continue;
        await call.noInput();
      }
    } else if (w.kind === "conference" && steps[0] && "say" in steps[0] && (phone.participant(call.sid)?.conf.participants.size ?? 0) > 1) {
      // Connected: words left in the script are said to the agent (and transcribed, where started).
      await call.say((steps.shift() as { say: string }).say);
    } else if (w.kind === "hold-loop") {
      await opts.sleep(opts.holdRoundSeconds ?? 5);
      await call.advance();
    } else {
      // In a conference, a dialled call or a media stream: wait for the Worker or the far end
      // (the caller hears what a bidirectional stream sent meanwhile).
      await opts.sleep(0.2);
      phone.streams.play(call.sid, 200);
    }
  }
  await phone.settle();
  return call;
}
