/**
 * Parsing what enters the ContactSession from a chat socket (see ./chat-protocol.ts for the
 * protocol). Never `JSON.parse(frame) as ChatClientMessage`: frames go through this schema.
 */
import { z } from "zod";
import { CHAT_MAX_TEXT_BYTES, type ChatClientMessage, utf8Length } from "./chat-protocol";

/** A frame larger than this is refused before it is parsed (text limit + JSON overhead). */
export const CHAT_MAX_FRAME_BYTES = CHAT_MAX_TEXT_BYTES * 2 + 512;

export const chatClientMessageSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("message.send"),
    clientId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1-64 of A-Z a-z 0-9 _ -"),
    text: z.string(),
  }),
  z.object({ type: z.literal("typing"), typing: z.boolean() }),
  z.object({ type: z.literal("receipt"), kind: z.enum(["delivered", "read"]), upToSeq: z.number().int().min(0) }),
  z.object({ type: z.literal("sync"), afterSeq: z.number().int().min(0) }),
  z.object({ type: z.literal("chat.end") }),
]);

// The schema and the protocol type must describe the same frames.
type Parsed = z.infer<typeof chatClientMessageSchema>;
const _sameShape: [Parsed] extends [ChatClientMessage] ? ([ChatClientMessage] extends [Parsed] ? true : never) : never = true;
void _sameShape;

export type ChatParseResult =
  | { ok: true; message: ChatClientMessage }
  | { ok: false; code: "invalid_message" | "message_too_large"; message: string; clientId?: string };

/** Parses one frame from a chat participant; the text limit is checked here too. */
export function parseChatClientMessage(raw: unknown): ChatParseResult {
  if (typeof raw !== "string") return { ok: false, code: "invalid_message", message: "Send text frames of JSON" };
  if (raw.length > CHAT_MAX_FRAME_BYTES) return { ok: false, code: "message_too_large", message: `A message may hold at most ${CHAT_MAX_TEXT_BYTES} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, code: "invalid_message", message: "The frame is not valid JSON" };
  }
  const result = chatClientMessageSchema.safeParse(json);
  if (!result.success) {
    return { ok: false, code: "invalid_message", message: result.error.issues.map((i) => `${i.path.join(".") || "(message)"}: ${i.message}`).join("; ") };
  }
  const m = result.data;
  if (m.type === "message.send") {
    const text = m.text.trim();
    if (!text) return { ok: false, code: "invalid_message", message: "text: must not be empty", clientId: m.clientId };
    if (utf8Length(m.text) > CHAT_MAX_TEXT_BYTES) {
      return { ok: false, code: "message_too_large", message: `A message may hold at most ${CHAT_MAX_TEXT_BYTES} bytes`, clientId: m.clientId };
    }
    return { ok: true, message: { ...m, text } };
  }
  return { ok: true, message: m };
}
