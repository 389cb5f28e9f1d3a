/** Bots: the instance's Lex V2 bots with their intents, importing one, and a box to try what a bot recognises. */
import { useState, type ChangeEvent, type FormEvent } from "react";
import { api, ApiError, errorText } from "../lib/api";
import { formatDateTime } from "../lib/labels";
import { useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import { useCollection } from "../lib/useData";

type BotIntent = { name: string; fallback: boolean; sampleUtterances: number; slots: { name: string; slotTypeName: string }[] };
type BotSummary = { id: string; name: string; description: string; format: string; locales: { localeId: string; nluConfidenceThreshold: number; intents: BotIntent[] }[]; updatedAt: string };
type Recognition = { engine: string; localeId: string; intent: { name: string; confidence: number }; slots: Record<string, { original: string; interpreted: string } | null> };

const FORMAT_LABELS: Record<string, string> = { "lex-export": "Lex export", cloudformation: "CloudFormation", model: "Switchboard JSON" };

/** The content type the API reads a file as: a ZIP's bytes, a template's text. */
const contentTypeOf = (file: File) => (/\.zip$/i.test(file.name) ? "application/zip" : /\.json$/i.test(file.name) ? "application/json" : "application/yaml");

export default function BotsScreen() {
  useTitle("Bots");
  const { can } = useSession();
  const bots = useCollection<BotSummary>("/bots");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);

  async function importFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (!file) return;
    setBusy(true);
    setNote(null);
    setProblems([]);
    try {
      const bot = await api.upload<BotSummary>("/bots", file, contentTypeOf(file));
      setNote(`Imported ${bot.name}.`);
      bots.reload();
    } catch (err) {
      const listed = err instanceof ApiError ? (err.details as { problems?: unknown } | undefined)?.problems : undefined;
      setProblems(Array.isArray(listed) ? listed.map(String) : []);
      setNote(err instanceof ApiError && err.code === "invalid_bot" ? `${file.name} was not imported:` : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function remove(bot: BotSummary) {
    if (!confirm(`Delete the bot ${bot.name}?`)) return;
    try {
      await api.del(`/bots/${encodeURIComponent(bot.id)}`);
      bots.reload();
    } catch (err) {
      setNote(errorText(err));
    }
  }

  return (
    <>
      <div className="page-head">
        <h1>Bots</h1>
      </div>
      <p className="intro">Self-service bots recognise what a caller or chat customer wants (an intent) and the details they give (slots). Amazon Lex V2 bots import as they are: the export ZIP, or a CloudFormation template with an AWS::Lex::Bot.</p>
      {can("flows.edit") && (
        <div className="field">
          <label htmlFor="bot-import-file">Import a bot (.zip, .yaml, .json)</label>
          <input id="bot-import-file" type="file" accept=".zip,.yaml,.yml,.json,.template" disabled={busy} onChange={(e) => void importFile(e)} aria-describedby="bot-import-note" />
          <div className="hint" id="bot-import-note" aria-live="polite">
            {busy ? "Importing…" : note}
            {problems.length > 0 && (
              <ul className="error" role="alert">
                {problems.map((p, i) => (
                  <li key={i}>{p}</li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
      {bots.error && (
        <p className="error" role="alert">
          {bots.error}
        </p>
      )}
      {bots.loading && !bots.data && <p role="status">Loading…</p>}
      {bots.data && bots.data.length === 0 && <p>No bots yet.</p>}
      {bots.data?.map((bot) => (
        <section key={bot.id} className="card" aria-labelledby={`bot-${bot.id}`}>
          <h2 id={`bot-${bot.id}`}>{bot.name}</h2>
          <p className="hint">
            {FORMAT_LABELS[bot.format] ?? bot.format} · changed {formatDateTime(bot.updatedAt)}
            {bot.description ? ` · ${bot.description}` : ""}
          </p>
          {bot.locales.map((locale) => (
            <table className="list" key={locale.localeId}>
              <caption>
                {locale.localeId}: intents (below a confidence of {locale.nluConfidenceThreshold} the fallback intent is chosen)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Intent</th>
                  <th scope="col">Sample utterances</th>
                  <th scope="col">Slots</th>
                </tr>
              </thead>
              <tbody>
                {locale.intents.map((i) => (
                  <tr key={i.name}>
                    <th scope="row">{i.fallback ? `${i.name} (fallback)` : i.name}</th>
                    <td>{i.sampleUtterances}</td>
                    <td>{i.slots.map((s) => `${s.name} (${s.slotTypeName})`).join(", ") || "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
          <TryIt bot={bot} />
          {can("flows.edit") && (
            <button type="button" className="danger" onClick={() => void remove(bot)}>
              Delete {bot.name}
            </button>
          )}
        </section>
      ))}
    </>
  );
}

/** Type what a customer might say; see the intent, its confidence and the slots recognised. */
function TryIt({ bot }: { bot: BotSummary }) {
  const [text, setText] = useState("");
  const [localeId, setLocaleId] = useState(bot.locales[0]?.localeId ?? "en_US");
  const [result, setResult] = useState<Recognition | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = `try-${bot.id}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      setResult(await api.post<Recognition>(`/bots/${encodeURIComponent(bot.id)}/recognize`, { text, localeId }));
    } catch (err) {
      setResult(null);
      setError(errorText(err));
    }
  }

  const slots = Object.entries(result?.slots ?? {}).filter(([, v]) => v);
  return (
    <form onSubmit={(e) => void submit(e)} aria-label={`Try ${bot.name}`}>
      <div className="field">
        <label htmlFor={id}>Try it: what would a customer say?</label>
        <input id={id} type="text" value={text} onChange={(e) => setText(e.target.value)} maxLength={1000} required />
      </div>
      {bot.locales.length > 1 && (
        <div className="field">
          <label htmlFor={`${id}-locale`}>Locale</label>
          <select id={`${id}-locale`} value={localeId} onChange={(e) => setLocaleId(e.target.value)}>
            {bot.locales.map((l) => (
              <option key={l.localeId}>{l.localeId}</option>
            ))}
          </select>
        </div>
      )}
      <button type="submit">Recognise</button>
      <div aria-live="polite">
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {result && (
          <p role="status">
            Intent <strong>{result.intent.name}</strong> (confidence {result.intent.confidence})
            {slots.length > 0 && `; slots: ${slots.map(([k, v]) => `${k} = ${v!.interpreted}${v!.original !== v!.interpreted ? ` (“${v!.original}”)` : ""}`).join(", ")}`}
          </p>
        )}
      </div>
    </form>
  );
}
