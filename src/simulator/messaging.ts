/**
 * Twilio Messaging, simulated: a customer's SMS or WhatsApp message reaches the Worker's
 * Messaging URL as a signed webhook (with its media at MediaUrlN, served by the REST API with
 * the account's credentials), and the messages the Worker sends through the REST API
 * (`POST /Messages.json`) are kept and answered with status callbacks (queued → sent →
 * delivered, or undelivered for a number told so) at the next settle(), as Twilio reports them.
 */
export type SimMessage = {
  sid: string;
  direction: "inbound" | "outbound-api";
  from: string;
  to: string;
  body: string;
  status: string;
  statusCallback: string | null;
  media: { sid: string; contentType: string; body: Uint8Array }[];
};

/** What the messaging side needs of the Phone. */
import type { PhoneEvent } from "./events";

export interface MessagingHost {
  readonly accountSid: string;
  newSid(prefix: string): string;
  url(path: string): string;
  later(job: () => Promise<void>): void;
  apiUrl(path: string): string;
  emit(e: PhoneEvent): void;
  webhook(call: null, url: string, method: string, params: Record<string, string>): Promise<{ ok: boolean; status: number; body: string; url: string }>;
}

export class Messaging {
  readonly messages: SimMessage[] = [];
  /** Addresses the carrier does not deliver to: their messages end `undelivered` (error 30003). */
  readonly undeliverable = new Set<string>();
  /** Status callbacks the Worker answered, in order (for tests). */
  readonly callbacks: { sid: string; status: string; httpStatus: number }[] = [];

  constructor(private readonly host: MessagingHost, private readonly path = "/twilio/messaging") {}

  /** A customer's message to one of the instance's numbers: the Worker's Messaging webhook, signed. */
  async send(opts: { from: string; to: string; text: string; media?: { contentType: string; body: Uint8Array }[]; sid?: string }) {
    const media = (opts.media ?? []).map((m) => ({ sid: this.host.newSid("ME"), ...m }));
    const msg: SimMessage = {
      sid: opts.sid ?? this.host.newSid(media.length ? "MM" : "SM"), direction: "inbound", from: opts.from, to: opts.to, body: opts.text,
      status: "received", statusCallback: null, media,
    };
    this.messages.push(msg);
    this.host.emit({ type: "message", callSid: msg.sid, direction: "inbound", from: msg.from, to: msg.to, body: msg.body, media: media.length });
    return { sid: msg.sid, response: await this.deliver(msg) };
  }

  /** Posts an inbound message's webhook again (Twilio retrying it). */
  deliver(msg: SimMessage) {
    const params: Record<string, string> = {
      AccountSid: this.host.accountSid, ApiVersion: "2010-04-01", MessageSid: msg.sid, SmsMessageSid: msg.sid, SmsSid: msg.sid,
      From: msg.from, To: msg.to, Body: msg.body, NumMedia: String(msg.media.length), NumSegments: "1", SmsStatus: "received",
    };
    msg.media.forEach((m, i) => {
      params[`MediaUrl${i}`] = this.host.apiUrl(`/Messages/${msg.sid}/Media/${m.sid}`);
      params[`MediaContentType${i}`] = m.contentType;
    });
    return this.host.webhook(null, this.host.url(this.path), "POST", params);
  }

  /** What the Worker sent to an address (the replies a customer's phone shows), oldest first. */
  sentTo(address: string): SimMessage[] {
    return this.messages.filter((m) => m.direction === "outbound-api" && m.to === address);
  }

  /** `POST /Messages.json` and `GET /Messages/{sid}/Media/{sid}`; null for any other path. */
  rest(method: string, path: string, form: Record<string, string>): Response | null {
    let m: RegExpMatchArray | null;
    if (method === "POST" && path === "/Messages.json") return this.create(form);
    if (method === "GET" && (m = path.match(/^\/Messages\/((?:SM|MM)\w+)\/Media\/(ME\w+)$/))) {
      const media = this.messages.find((x) => x.sid === m![1])?.media.find((x) => x.sid === m![2]);
      if (!media) return error(404, 20404, "Media not found");
      return new Response(media.body, { headers: { "content-type": media.contentType, "content-length": String(media.body.byteLength) } });
    }
    return null;
  }

  private create(form: Record<string, string>): Response {
    const address = /^(whatsapp:)?\+[1-9]\d{5,14}$/;
    if (!form.To || !address.test(form.To)) return error(400, 21211, `The 'To' number ${form.To ?? ""} is not a valid phone number.`);
    if (!form.From || !address.test(form.From)) return error(400, 21212, "The 'From' number is not a valid phone number.");
    if (!form.Body) return error(400, 21602, "Message body is required.");
    if (form.Body.length > 1600) return error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    const msg: SimMessage = {
      sid: this.host.newSid("SM"), direction: "outbound-api", from: form.From, to: form.To, body: form.Body, status: "queued",
      statusCallback: form.StatusCallback ?? null, media: [],
    };
    this.messages.push(msg);
    this.host.emit({ type: "message", callSid: msg.sid, direction: "outbound-api", from: msg.from, to: msg.to, body: msg.body, media: 0 });
    this.host.later(async () => {
      await this.progress(msg, "sent");
      if (this.undeliverable.has(msg.to)) await this.progress(msg, "undelivered", "30003");
      else await this.progress(msg, "delivered");
    });
    return Response.json({ sid: msg.sid, status: msg.status, to: msg.to, from: msg.from, body: msg.body, account_sid: this.host.accountSid }, { status: 201 });
  }

  /** Moves a sent message on and posts its status callback, as Twilio does. */
  async progress(msg: SimMessage, status: string, errorCode?: string) {
    msg.status = status;
    this.host.emit({ type: "message-status", callSid: msg.sid, status });
    if (!msg.statusCallback) return;
    const res = await this.host.webhook(null, msg.statusCallback, "POST", {
      AccountSid: this.host.accountSid, ApiVersion: "2010-04-01", MessageSid: msg.sid, SmsSid: msg.sid, MessageStatus: status, SmsStatus: status,
      From: msg.from, To: msg.to, ...(errorCode ? { ErrorCode: errorCode } : {}),
    });
    this.callbacks.push({ sid: msg.sid, status, httpStatus: res.status });
  }
}

function error(status: number, code: number, message: string) {
  return Response.json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, { status });
}
