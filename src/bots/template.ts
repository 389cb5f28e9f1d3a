/**
 * A bot defined in a CloudFormation/SAM template (JSON or YAML, short-form tags such as `!Sub`,
 * `!GetAtt`, `!Ref` included): the native `AWS::Lex::Bot` resource or the lex-v2-cfn-cr
 * `Custom::LexBot` (`CR.botLocales`, `CR.intents`, `CR.slots`, `CR.slotTypes`).
 */
import { parse, type ScalarTag, type CollectionTag } from "yaml";
import { camelKeys, readLocale, type Problems, type Raw } from "./lex-json";

const INTRINSICS = ["Ref", "Condition"].concat(
  ["Sub", "GetAtt", "Join", "Select", "Split", "If", "Equals", "Not", "And", "Or", "FindInMap", "Base64", "Cidr", "GetAZs", "ImportValue", "Transform", "ToJsonString", "Length"].map((f) => `Fn::${f}`),
);

/** Every short-form tag in its scalar, sequence and mapping form, read as the long form (`{"Fn::Sub": …}`). */
const CFN_TAGS: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((long) => {
  const tag = `!${long.replace(/^Fn::/, "")}`;
  const wrap = (value: unknown) => ({ [long]: long === "Fn::GetAtt" && typeof value === "string" ? value.split(".") : value });
  return [
    { tag, resolve: (value: string) => wrap(value) } as ScalarTag,
    { tag, collection: "seq", resolve: (seq: { toJSON(): unknown }) => wrap(seq.toJSON()) } as unknown as CollectionTag,
    { tag, collection: "map", resolve: (map: { toJSON(): unknown }) => wrap(map.toJSON()) } as unknown as CollectionTag,
  ];
});

export function parseTemplate(text: string): unknown {
  return parse(text, { customTags: CFN_TAGS, maxAliasCount: 100, uniqueKeys: false });
}

/** A name given as a string or `!Sub`/`!Ref` of parameters: resolved from their defaults where it can be. */
function resolveName(value: unknown, params: Raw, fallback: string): string {
  const param = (name: string) => {
    const d = (params[name] as Raw | undefined)?.Default;
    return typeof d === "string" || typeof d === "number" ? String(d) : "";
  };
  let text = "";
  if (typeof value === "string") text = value;
  else if (value && typeof value === "object") {
    const v = value as Raw;
    if (typeof v.Ref === "string") text = param(v.Ref);
    const sub = Array.isArray(v["Fn::Sub"]) ? v["Fn::Sub"][0] : v["Fn::Sub"];
    if (typeof sub === "string") text = sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => param(name));
  }
  text = text.replace(/^[-_. ]+|[-_. ]+$/g, "");
  return text || fallback;
}

export function readTemplate(text: string): { bot?: unknown; problems: Problems } {
  let doc: unknown;
  try {
    doc = parseTemplate(text);
  } catch (err) {
    return { problems: [`template: not valid YAML or JSON: ${(err as Error).message.split("\n")[0]}`] };
  }
  const resources = (doc as Raw | null)?.Resources;
  if (!resources || typeof resources !== "object") return { problems: ["template: no Resources (not a CloudFormation template or a Lex V2 export)"] };
  const found = Object.entries(resources as Raw).filter(([, r]) => /^(AWS::Lex::Bot|Custom::LexBot)$/.test(String((r as Raw)?.Type)));
  if (!found.length) return { problems: ["template: no AWS::Lex::Bot (or Custom::LexBot) resource"] };
  const [logicalId, resource] = found[0]!;
  const props = ((resource as Raw).Properties ?? {}) as Raw;
  const params = ((doc as Raw).Parameters ?? {}) as Raw;
  const raw = camelKeys(props) as Raw;
  const problems: Problems = [];
  const localesRaw = Array.isArray(raw.botLocales) ? raw.botLocales : [];
  if (!localesRaw.length) problems.push(`template: ${logicalId}: no BotLocales`);
  if (raw.botFileS3Location) problems.push(`template: ${logicalId}: BotFileS3Location (a bot kept in S3) cannot be read from the template: import the export ZIP instead`);
  const locales = localesRaw.flatMap((l, i) => {
    const at = `template: ${logicalId}: BotLocales[${i}]`;
    return readLocale((l ?? {}) as Raw, (kind, name) => (kind === "locale" ? at : `${at} (${(l as Raw)?.localeId ?? "?"})`), problems) ?? [];
  });
  const ttl = Number(raw.idleSessionTTLInSeconds ?? 300);
  return {
    bot: {
      name: resolveName(props.Name ?? props.botName, params, logicalId),
      description: typeof raw.description === "string" ? raw.description : "",
      idleSessionTtlSeconds: Number.isFinite(ttl) ? ttl : 300,
      locales,
    },
    problems,
  };
}
