/**
 * "Try it": runs the flow in the flow engine's simulator (POST /flows/:id/simulate) with the
 * caller's key presses or chat messages, and shows what the caller hears or reads and the path
 * through the actions. Nothing is dialled and nothing is stored.
 */
import { useState, type FormEvent } from "react";
import { FormStatus, SelectField, TextAreaField, useSave } from "../components/forms";
import { api } from "../lib/api";
import { humanize } from "../lib/labels";

type SimResult = {
  status: string;
  endReason: string | null;
  path: { actionId: string; actionType: string; branch: string; nextActionId: string | null }[];
  transcript: { from: "flow" | "customer" | "system"; text: string }[];
  attributes: Record<string, string>;
  unusedInputs: string[];
};

const SPEAKER = { flow: "Flow", customer: "Caller", system: "System" } as const;

export function FlowSimulator({ flowId, published, dirty }: { flowId: string; published: boolean; dirty: boolean }) {
  const [channel, setChannel] = useState("VOICE");
  const [version, setVersion] = useState("draft");
  const [hours, setHours] = useState("");
  const [inputs, setInputs] = useState("");
  const [result, setResult] = useState<SimResult | null>(null);
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {
      channel,
      inputs: inputs.split("\n").map((s) => s.trim()).filter(Boolean),
    };
    if (hours) body.hours = hours;
    const out = await save.run(() => api.post<SimResult>(`/flows/${encodeURIComponent(flowId)}/simulate?version=${version}`, body));
    if (out) setResult(out);
  };

  return (
    <section className="card" aria-labelledby="try-title">
      <h2 id="try-title">Try it</h2>
      <p className="hint">Runs the flow as a caller would meet it, without a phone. {dirty ? "It runs the saved draft: save your changes first to try them." : ""}</p>
      <form onSubmit={submit} noValidate aria-label="Try the flow">
        <FormStatus error={save.error} shownFields={["channel", "inputs", "hours"]} />
        <div className="row wrap">
          <SelectField label="Channel" name="channel" value={channel} onChange={setChannel} options={[{ value: "VOICE", label: "Voice call" }, { value: "CHAT", label: "Chat" }]} errors={save.fieldErrors} />
          <SelectField label="Version" name="version" value={version} onChange={setVersion} options={[{ value: "draft", label: "Saved draft" }, ...(published ? [{ value: "published", label: "Published version" }] : [])]} />
          <SelectField label="Hours of operation" name="hours" value={hours} onChange={setHours} empty="As configured, now" options={[{ value: "open", label: "Open" }, { value: "closed", label: "Closed" }]} errors={save.fieldErrors} />
        </div>
        <TextAreaField label={channel === "VOICE" ? "Keys the caller presses, one entry per line" : "Messages the customer sends, one per line"} name="inputs" value={inputs} onChange={setInputs} rows={3} errors={save.fieldErrors} />
        <button type="submit" disabled={save.busy}>
          {save.busy ? "Running…" : "Run"}
        </button>
      </form>
      {result && (
        <div className="sim-result" aria-live="polite">
          <h3>
            Result: {humanize(result.status)}
            {result.endReason ? ` (${humanize(result.endReason)})` : ""}
          </h3>
          <ol className="transcript" aria-label="Transcript">
            {result.transcript.map((line, i) => (
              <li key={i} className={`from-${line.from}`}>
                <strong>{SPEAKER[line.from] ?? line.from}:</strong> {line.text}
              </li>
            ))}
          </ol>
          <h3>Path</h3>
          <ol className="timeline" aria-label="Path through the flow">
            {result.path.map((p, i) => (
              <li key={i}>
                <code>{p.actionId}</code> <span className="muted">{p.actionType}</span> → {p.branch}
                {p.nextActionId ? ` → ${p.nextActionId}` : ""}
              </li>
            ))}
          </ol>
          {Object.keys(result.attributes).length > 0 && (
            <>
              <h3>Contact attributes at the end</h3>
              <dl className="facts">
                {Object.entries(result.attributes).map(([k, v]) => (
                  <div className="fact" key={k}>
                    <dt>{k}</dt>
                    <dd>{v}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
          {result.unusedInputs.length > 0 && <p className="muted">Not used: {result.unusedInputs.join(", ")}</p>}
        </div>
      )}
    </section>
  );
}
