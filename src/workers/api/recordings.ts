/**
 * Recordings and transcripts: list a contact's, play or download one (streamed through the
 * Worker with HTTP range support, never a public R2 URL), re-wrap data keys (and re-hash caller
 * numbers and re-index transcript words for search) after a key rotation, run retention now, and
 * delete a contact's personal data. Every playback, download and listing is written to the audit
 * log with who, what, when and from where.
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { z } from "zod";
import { rehashCustomerEndpoints } from "../../db/contacts";
import { resealContactAnalyses, resealContactFields, resealInstanceSecrets } from "../../db/key-rotation";
import { contacts } from "../../db/schema";
import { reindexTranscripts } from "../../recordings/transcript-search";
import { contactRoomName } from "../../lib/object-names";
import { IntegrityError } from "../../recordings/envelope";
import { rewrapKnowledgeAttachments } from "../../recordings/knowledge-attachments";
import { erasePersonalData } from "../../recordings/personal-data";
import {
  getStoredRecording,
  listContactRecordings,
  openRecordingMedia,
  parseRange,
  type Recording,
  rewrapRecordings,
} from "../../recordings/store";
import { sealClearFlowLogs } from "../../db/flow-logs";
import { requirePermission } from "../auth/middleware";
import type { AppEnv } from "../env";
import { base64Url, fromBase64Url, keyringFromEnv } from "../../lib/crypto";
import { ApiError, badRequest, forbidden, notFound } from "../../lib/errors";
import { clientInfo, parseJson, parseQuery } from "../lib/request";
import { iso } from "./resource";

const toApi = (r: Recording) => ({
  id: r.id,
  contactId: r.contactId,
  kind: r.kind,
  contentType: r.contentType,
  sizeBytes: r.sizeBytes,
  durationSeconds: r.durationSeconds,
  channels: r.channels,
  // A call's recording: the IVR part, or an agent's (whose leg, which participants), and when it started.
  part: r.part,
  participants: r.participants,
  agentId: r.agentId,
  startedAt: iso(r.startedAt),
  keyVersion: r.keyVersion,
  createdAt: iso(r.createdAt),
  mediaUrl: `/api/v1/recordings/${encodeURIComponent(r.id)}/media`,
});

/** Mounted at /contacts, before the contact routes (which need contacts.search). */
export const contactRecordingRoutes = new Hono<AppEnv>()
  .get("/:contactId/recordings", requirePermission("recordings.listen"), async (c) => {
    const scope = c.var.scope;
    const contactId = c.req.param("contactId");
    if (!(await scope.get(contacts, contactId))) throw notFound("Contact");
    // The unredacted copy of a transcript is listed only to those who may read it.
    const rows = (await listContactRecordings(scope, contactId)).filter((r) => r.kind !== "unredacted_transcript" || c.var.caller.permissions.has("transcripts.unredacted"));
    await scope.writeAudit({
      userId: c.var.caller.userId, action: "list", resourceType: "recording", resourceId: contactId, ...clientInfo(c),
      details: { contactId, results: rows.length },
    });
    return c.json({ items: rows.map(toApi) });
  })
  // A call's real-time transcript while it is kept (until 24 h after the contact ended; the stored transcript is listed above).
  .get("/:contactId/realtime-transcript", requirePermission("recordings.listen"), async (c) => {
    const scope = c.var.scope;
    const contact = await scope.get(contacts, c.req.param("contactId"));
    if (!contact) throw notFound("Contact");
    const segments = contact.channel === "VOICE" ? await c.env.CONTACT_SESSION.getByName(contactRoomName(scope.instanceId, contact.id)).realtimeTranscript() : [];
    await scope.writeAudit({
      userId: c.var.caller.userId, action: "read", resourceType: "realtime_transcript", resourceId: contact.id, ...clientInfo(c),
      details: { contactId: contact.id, segments: segments.length },
    });
    return c.json({ items: segments.map((s) => ({ ...s, at: iso(s.at) })) });
  })
  .delete("/:contactId/personal-data", requirePermission("instance.configure"), async (c) => {
    const report = await erasePersonalData(c.env, c.var.scope, c.req.param("contactId"), {
      userId: c.var.caller.userId, ...clientInfo(c),
    });
    if (!report) throw notFound("Contact");
    return c.json(report);
  });

const Media = z.object({ download: z.enum(["0", "1", "true", "false"]).optional() });
/**
 * Where a rotation pass stands, per list: absent = not started, "end" = looked at to its end in
 * this pass, else the position of the last row looked at. Sent to the client as an opaque
 * base64url string (`nextCursor`) and given back as `cursor`.
 */
const Position = z.union([z.literal("end"), z.tuple([z.number().int().min(0), z.string().min(1).max(200)]).readonly()]);
const PassCursor = z.strictObject({
  keyVersion: z.number().int().min(1),
  recordings: Position.optional(),
  callerNumbers: Position.optional(),
  transcripts: Position.optional(),
  contactFields: Position.optional(),
  analyses: Position.optional(),
  knowledgeAttachments: Position.optional(),
});
type PassCursor = z.infer<typeof PassCursor>;

const encodeCursor = (cursor: PassCursor) => base64Url(new TextEncoder().encode(JSON.stringify(cursor)));
const Cursor = z
  .string()
  .max(2000)
  .transform((text, ctx) => {
    try {
      const parsed = PassCursor.safeParse(JSON.parse(new TextDecoder().decode(fromBase64Url(text))));
      if (parsed.success) return parsed.data;
    } catch {
      // not base64 or not JSON: the same answer below
    }
    ctx.addIssue({ code: "custom", message: "is not a cursor this endpoint returned (give back `nextCursor` as it is, or leave it out to start a pass)" });
    return z.NEVER;
  });
const Rewrap = z.strictObject({
  limit: z.number().int().min(1).max(100).default(25),
  /** `nextCursor` of the previous call: continue that pass. Absent: start a pass from the beginning. */
  cursor: Cursor.optional(),
});

async function serveMedia(c: Context<AppEnv>) {
  const scope = c.var.scope;
  const q = parseQuery(c, Media);
  const download = q.download === "1" || q.download === "true";
  const row = await getStoredRecording(scope, c.req.param("id")!);
  if (!row) throw notFound("Recording");
  if (row.kind === "unredacted_transcript") {
    if (!c.var.caller.permissions.has("transcripts.unredacted")) {
      await scope.writeAudit({ userId: c.var.caller.userId, action: "play_refused", resourceType: row.kind, resourceId: row.id, ...clientInfo(c), details: { contactId: row.contactId, reason: "lacks transcripts.unredacted" } });
      throw forbidden("transcripts.unredacted");
    }
  }
  const rangeHeader = c.req.header("range");
  const range = parseRange(rangeHeader, row.sizeBytes);
  const audit = {
    userId: c.var.caller.userId, resourceType: row.kind, resourceId: row.id, ...clientInfo(c),
  };
  const details = { contactId: row.contactId, range: rangeHeader ?? null };
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { "content-range": `bytes */${row.sizeBytes}` } });
  }
  let media;
  try {
    media = await openRecordingMedia(c.env, row, range);
  } catch (err) {
    if (!(err instanceof IntegrityError)) throw err;
    await scope.writeAudit({ ...audit, action: download ? "download_refused" : "play_refused", details: { ...details, reason: err.message } });
    console.error(JSON.stringify({ event: "recording_integrity_failed", instanceId: row.instanceId, recordingId: row.id, message: err.message }));
    throw new ApiError(500, "integrity_check_failed", "The recording failed its integrity check and was not served");
  }
  await scope.writeAudit({ ...audit, action: download ? "download" : "play", details: { ...details, bytes: media.length } });
  const headers = new Headers({
    "content-type": row.contentType,
    "content-length": String(media.length),
    "accept-ranges": "bytes",
    "cache-control": "private, no-store",
    "content-disposition": `${download ? "attachment" : "inline"}; filename="${row.kind}-${row.id}${extension(row.contentType)}"`,
  });
  if (media.range) headers.set("content-range", `bytes ${media.range.start}-${media.range.end}/${row.sizeBytes}`);
  return new Response(media.body, { status: media.range ? 206 : 200, headers });
}

const extension = (type: string) =>
  ({ "audio/wav": ".wav", "audio/x-wav": ".wav", "audio/mpeg": ".mp3", "application/json": ".json", "text/plain": ".txt" })[type.split(";")[0].trim()] ?? "";

/** Mounted at /recordings. */
export const recordingRoutes = new Hono<AppEnv>()
  .get("/:id/media", requirePermission("recordings.listen"), serveMedia)
  /**
   * After a key rotation, one page of each list: recordings' data keys (messaging attachments'
   * among them) and knowledge articles' attachments' data keys re-wrapped, contacts'
   * caller-number search hashes recomputed, transcripts' word index rebuilt and contacts' sealed
   * fields (attributes, caller number, notes) and conversation analyses re-sealed, with the current key version; the
   * instance's Twilio secrets re-sealed; and a page of flow log payloads still stored in the clear
   * (from before they were sealed) sealed — that list needs no cursor (a sealed row leaves it),
   * `flowLogs.remaining` counts it. A pass pages through each list with `cursor` (the previous `nextCursor`), past
   * rows that failed, so it always ends: `nextCursor` null. Then `done` says whether everything is
   * at the current version; if not, what is left failed (named in the pages' `failed`) and a new
   * pass (no cursor) tries it again.
   */
  .post("/rewrap", requirePermission("instance.configure"), async (c) => {
    const body = await parseJson(c, Rewrap);
    const keys = keyringFromEnv(c.env);
    const { instanceId, db } = c.var.scope;
    const at: PassCursor = body.cursor ?? { keyVersion: keys.current };
    if (at.keyVersion !== keys.current) {
      throw badRequest(`cursor: the pass was started at key version ${at.keyVersion}, the current one is ${keys.current}; start a new pass without a cursor`, [
        { field: "cursor", message: "is from a pass at another key version" },
      ]);
    }
    // A list this pass has finished is only counted (limit 0).
    const page = (p: PassCursor["recordings"]) => (p === "end" ? { limit: 0, after: undefined } : { limit: body.limit, after: p });
    const rec = page(at.recordings);
    const report = await rewrapRecordings(c.env, instanceId, rec.limit, keys, rec.after);
    const num = page(at.callerNumbers);
    const numbers = await rehashCustomerEndpoints(db, keys, instanceId, num.limit, num.after);
    const txt = page(at.transcripts);
    const words = await reindexTranscripts(c.env, instanceId, txt.limit, keys, txt.after);
    const fld = page(at.contactFields);
    const fields = await resealContactFields(db, keys, instanceId, fld.limit, fld.after);
    const ana = page(at.analyses);
    const analysed = await resealContactAnalyses(db, keys, instanceId, ana.limit, ana.after);
    const att = page(at.knowledgeAttachments);
    const attached = await rewrapKnowledgeAttachments(c.env, c.var.scope, keys, att.limit, att.after);
    const secrets = await resealInstanceSecrets(db, keys, instanceId);

    const next: PassCursor = {
      keyVersion: keys.current,
      recordings: report.next ?? "end",
      callerNumbers: numbers.next ?? "end",
      transcripts: words.next ?? "end",
      contactFields: fields.next ?? "end",
      analyses: analysed.next ?? "end",
      knowledgeAttachments: attached.next ?? "end",
    };
    // Flow log payloads stored in the clear before they were sealed: a page sealed per call (no cursor needed, see sealClearFlowLogs).
    const logs = await sealClearFlowLogs(db, keys, instanceId, body.limit);
    const flowLogs = { sealed: logs.sealed, failed: logs.failed, remaining: logs.remaining };
    const done = report.remaining === 0 && numbers.remaining === 0 && words.remaining === 0 && fields.remaining === 0 && analysed.remaining === 0 && attached.remaining === 0 && secrets.remaining === 0 && logs.remaining === 0;
    const passOver = done || (next.recordings === "end" && next.callerNumbers === "end" && next.transcripts === "end" && next.contactFields === "end" && next.analyses === "end" && next.knowledgeAttachments === "end");
    const callerNumbers = { rehashed: numbers.rehashed, failed: numbers.failed, remaining: numbers.remaining };
    const transcripts = { reindexed: words.reindexed, removed: words.removed, failed: words.failed, remaining: words.remaining };
    const contactFields = { resealed: fields.resealed, failed: fields.failed, remaining: fields.remaining };
    const analyses = { resealed: analysed.resealed, failed: analysed.failed, remaining: analysed.remaining };
    const knowledgeAttachments = { rewrapped: attached.rewrapped, alreadyCurrent: attached.alreadyCurrent, failed: attached.failed, remaining: attached.remaining };
    const instanceSecrets = { resealed: secrets.resealed, failed: secrets.failed, remaining: secrets.remaining };
    await c.var.scope.writeAudit({
      userId: c.var.caller.userId, action: "rewrap", resourceType: "recording", ...clientInfo(c),
      details: {
        keyVersion: report.keyVersion, rewrapped: report.rewrapped, alreadyCurrent: report.alreadyCurrent, failed: report.failed.length, remaining: report.remaining,
        callerNumbers: { rehashed: callerNumbers.rehashed, failed: callerNumbers.failed.length, remaining: callerNumbers.remaining },
        transcripts: { reindexed: transcripts.reindexed, removed: transcripts.removed, failed: transcripts.failed.length, remaining: transcripts.remaining },
        contactFields: { resealed: contactFields.resealed, failed: contactFields.failed.length, remaining: contactFields.remaining },
        analyses: { resealed: analyses.resealed, failed: analyses.failed.length, remaining: analyses.remaining },
        knowledgeAttachments: { rewrapped: knowledgeAttachments.rewrapped, failed: knowledgeAttachments.failed.length, remaining: knowledgeAttachments.remaining },
        instanceSecrets: { resealed: instanceSecrets.resealed, failed: instanceSecrets.failed.length, remaining: instanceSecrets.remaining },
        flowLogs: { sealed: flowLogs.sealed, failed: flowLogs.failed.length, remaining: flowLogs.remaining },
        continued: body.cursor !== undefined, passOver, done,
      },
    });
    return c.json({
      keyVersion: report.keyVersion,
      rewrapped: report.rewrapped,
      alreadyCurrent: report.alreadyCurrent,
      failed: report.failed,
      remaining: report.remaining,
      callerNumbers,
      transcripts,
      contactFields,
      analyses,
      knowledgeAttachments,
      instanceSecrets,
      flowLogs,
      nextCursor: passOver ? null : encodeCursor(next),
      done,
    });
  })
  .post("/retention/run", requirePermission("instance.configure"), async (c) => {
    const instanceId = c.var.scope.instanceId;
    const report = await c.env.RETENTION_JOB.getByName(instanceId).runNow(instanceId);
    return c.json({
      recordings: report.recordings.length,
      transcripts: report.transcripts.length,
      contacts: report.contacts.length,
      orphans: report.orphans.length,
      more: report.more,
    });
  });
