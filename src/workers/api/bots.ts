/**
 * Self-service bots (`/api/v1/bots`): import a Lex V2 bot (the export ZIP as bytes, or a
 * CloudFormation/SAM template or our model as text), list, read, delete, and try one ("what would
 * the bot recognise in this sentence"). The bot engines are pure (src/bots); these routes store
 * and load through the caller's instance scope.
 *
 *   GET    /bots                 list (paginated)
 *   POST   /bots[?name=…]        import: body application/zip (or octet-stream) bytes, or text
 *                                (application/json, application/yaml, text/yaml, text/plain)
 *   GET    /bots/:id             the bot with its whole definition
 *   PATCH  /bots/:id             { name?, codeHookUrl? }
 *   DELETE /bots/:id
 *   POST   /bots/:id/recognize   { text, localeId? } → intent, confidence, slots
 */
import { Hono } from "hono";
import { z } from "zod";
import { Bot, chooseBotEngine, findLocale, importBot } from "../../bots";
import { bots } from "../../db/schema";
import { decodeCursor, MAX_PAGE_SIZE, type InstanceScope } from "../../db/scoped";
import { ApiError, badRequest, conflict, notFound } from "../../lib/errors";
import { assertPermission } from "../auth/middleware";
import type { AppEnv, Caller } from "../env";
import { clientInfo, parseJson, parseQuery } from "../lib/request";
import { iso } from "./resource";

type Row = typeof bots.$inferSelect;
const IdParam = z.string().min(1).max(64);
const Name = z.string().trim().min(1).max(100);
const canRead = (caller: Caller) => assertPermission(caller.permissions, "flows.edit", "instance.configure");
const canWrite = (caller: Caller) => assertPermission(caller.permissions, "flows.edit");

const summary = (r: Row) => {
  const def = r.definition as Bot;
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    format: r.format,
    codeHookUrl: r.codeHookUrl,
    locales: def.locales.map((l) => ({
      localeId: l.localeId,
      nluConfidenceThreshold: l.nluConfidenceThreshold,
      intents: l.intents.map((i) => ({ name: i.name, fallback: i.fallback, sampleUtterances: i.sampleUtterances.length, slots: i.slots.map((s) => ({ name: s.name, slotTypeName: s.slotTypeName })) })),
    })),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
};

async function load(scope: InstanceScope, id: string): Promise<Row> {
  if (!IdParam.safeParse(id).success) throw notFound("Bot");
  const row = await scope.get(bots, id);
  if (!row) throw notFound("Bot");
  return row;
}

const ImportQuery = z.object({ name: Name.optional() });
const Patch = z.object({ name: Name, codeHookUrl: z.url({ protocol: /^https$/, error: "an https:// URL" }).max(2000).nullable() }).partial().strict();
const RecognizeBody = z.object({ text: z.string().trim().min(1).max(1000), localeId: z.string().max(10).optional() });
const ListQuery = z.object({ limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50), cursor: z.string().max(200).optional() });

const TEXT_TYPES = /^(application\/(json|yaml|x-yaml)|text\/(yaml|x-yaml|plain))\b/i;
const BYTE_TYPES = /^application\/(zip|x-zip-compressed|octet-stream)\b/i;

const uniqueName = async <T>(name: string, write: () => Promise<T>) => {
  try {
    return await write();
  } catch (err) {
    if (String((err as Error)?.message ?? err).includes("UNIQUE constraint failed")) throw conflict(`A bot named "${name}" already exists`);
    throw err;
  }
};

export const botRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    canRead(c.var.caller);
    const q = parseQuery(c, ListQuery);
    if (q.cursor && decodeCursor(q.cursor)?.length !== 2) throw badRequest("cursor: not a cursor this API returned");
    const page = await c.var.scope.list(bots, { limit: q.limit, cursor: q.cursor });
    return c.json({ items: page.items.map(summary), nextCursor: page.nextCursor });
  })
  .post("/", async (c) => {
    canWrite(c.var.caller);
    const scope = c.var.scope;
    const q = parseQuery(c, ImportQuery);
    const type = c.req.header("content-type") ?? "";
    let source: Uint8Array | string;
    if (BYTE_TYPES.test(type)) source = new Uint8Array(await c.req.arrayBuffer());
    else if (TEXT_TYPES.test(type)) source = await c.req.text();
    else throw new ApiError(415, "unsupported_media_type", "Send a Lex export as application/zip, or a CloudFormation template or bot as application/json or application/yaml");
    const result = importBot(source);
    if (!result.ok) {
      const n = result.problems.length;
      throw new ApiError(400, "invalid_bot", `The bot has ${n} problem${n === 1 ? "" : "s"}: ${result.problems.slice(0, 20).join("; ")}${n > 20 ? "; …" : ""}`, { problems: result.problems });
    }
    const name = q.name ?? result.bot.name;
    const id = crypto.randomUUID();
    await uniqueName(name, () =>
      scope.batch([
        scope.insert(bots, { id, name, description: result.bot.description.slice(0, 250), format: result.format, definition: { ...result.bot, name } }),
        scope.audit({
          userId: c.var.caller.userId, action: "import", resourceType: "bot", resourceId: id, ...clientInfo(c),
          details: { format: result.format, locales: result.bot.locales.map((l) => l.localeId), intents: result.bot.locales.reduce((n, l) => n + l.intents.length, 0) },
        }),
      ]),
    );
    return c.json(summary(await load(scope, id)), 201);
  })
  .get("/:id", async (c) => {
    canRead(c.var.caller);
    const row = await load(c.var.scope, c.req.param("id"));
    return c.json({ ...summary(row), definition: row.definition });
  })
  .patch("/:id", async (c) => {
    canWrite(c.var.caller);
    const scope = c.var.scope;
    const row = await load(scope, c.req.param("id"));
    const input = await parseJson(c, Patch);
    const definition = input.name ? { ...(row.definition as Bot), name: input.name } : undefined;
    await uniqueName(input.name ?? row.name, () =>
      scope.batch([
        scope.update(bots, row.id, { ...input, ...(definition ? { definition } : {}) }),
        scope.audit({ userId: c.var.caller.userId, action: "update", resourceType: "bot", resourceId: row.id, ...clientInfo(c), details: { fields: Object.keys(input) } }),
      ]),
    );
    return c.json(summary(await load(scope, row.id)));
  })
  .delete("/:id", async (c) => {
    canWrite(c.var.caller);
    const scope = c.var.scope;
    const row = await load(scope, c.req.param("id"));
    await scope.batch([scope.delete(bots, row.id), scope.audit({ userId: c.var.caller.userId, action: "delete", resourceType: "bot", resourceId: row.id, ...clientInfo(c) })]);
    return c.body(null, 204);
  })
  .post("/:id/recognize", async (c) => {
    canRead(c.var.caller);
    const row = await load(c.var.scope, c.req.param("id"));
    const body = await parseJson(c, RecognizeBody);
    const bot = row.definition as Bot;
    const locale = body.localeId ? findLocale(bot, body.localeId) : bot.locales[0];
    if (!locale || (body.localeId && locale.localeId !== body.localeId)) {
      throw badRequest(`localeId: the bot has no locale ${body.localeId} (it has ${bot.locales.map((l) => l.localeId).join(", ")})`);
    }
    const engine = chooseBotEngine((c.env as { AI?: Parameters<typeof chooseBotEngine>[0] }).AI);
    const r = await engine.recognize(bot, locale.localeId, body.text);
    return c.json({ engine: engine.name, localeId: locale.localeId, ...r });
  });
