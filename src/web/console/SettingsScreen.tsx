/** Instance settings: name, time zone, public base URL, Twilio credentials, the agents' disconnect grace period and outbound destinations, chat limits, the SMS and WhatsApp idle time, flows' external endpoints, redaction of transcripts, retention; chat quick replies. */
import { useState, type FormEvent } from "react";
import { CheckboxField, FormStatus, NumberField, TextAreaField, TextField, TimeZoneField, useSave } from "../components/forms";
import { api } from "../lib/api";
import { useTitle } from "../lib/router";
import type { Instance } from "../lib/types";
import { useData } from "../lib/useData";
import { ChatQuickReplies } from "./ChatQuickRepliesForm";
import { RedactionFields, redactionChanges, redactionOf } from "./RedactionFields";

export default function SettingsScreen() {
  useTitle("Instance settings");
  const loaded = useData(() => api.get<Instance>("/instance"), []);
  // The form starts afresh from each saved version (keyed by updatedAt), so the notice lives here.
  const [savedNotice, setSavedNotice] = useState<string | null>(null);
  return (
    <>
      <h1>Instance settings</h1>
      {loaded.error && (
        <p className="error" role="alert">
          {loaded.error}
        </p>
      )}
      {loaded.loading && !loaded.data && <p role="status">Loading…</p>}
      {loaded.data && (
        <SettingsForm
          key={loaded.data.updatedAt}
          instance={loaded.data}
          savedNotice={savedNotice}
          onSaved={() => {
            setSavedNotice("Settings saved.");
            void loaded.reload();
          }}
        />
      )}
      <ChatQuickReplies />
    </>
  );
}

const FIELDS = ["name", "timezone", "publicBaseUrl", "twilioAccountSid", "twilioAuthToken", "twilioApiKeySid", "twilioApiKeySecret", "twilioTwimlAppSid", "recordingRetentionDays", "contactRetentionDays", "transcriptRetentionDays", "agentDisconnectGraceSeconds", "maxOpenChats", "chatIdleTimeoutMinutes", "messagingIdleMinutes", "externalEndpoints", "mediaStreamUrl", "outboundDestinations", "redactionEnabled", "keepUnredactedTranscripts", "notifyAgentOnMonitor"] as const;

function SettingsForm({ instance, savedNotice, onSaved }: { instance: Instance; savedNotice: string | null; onSaved: () => void }) {
  const [name, setName] = useState(instance.name);
  const [timezone, setTimezone] = useState(instance.timezone);
  const [publicBaseUrl, setPublicBaseUrl] = useState(instance.publicBaseUrl ?? "");
  const [sid, setSid] = useState(instance.twilioAccountSid ?? "");
  const [token, setToken] = useState("");
  const [keySid, setKeySid] = useState(instance.twilioApiKeySid ?? "");
  const [keySecret, setKeySecret] = useState("");
  const [appSid, setAppSid] = useState(instance.twilioTwimlAppSid ?? "");
  const [recordingDays, setRecordingDays] = useState<number | null>(instance.recordingRetentionDays);
  const [contactDays, setContactDays] = useState<number | null>(instance.contactRetentionDays);
  const [transcriptDays, setTranscriptDays] = useState<number | null>(instance.transcriptRetentionDays);
  const [graceSeconds, setGraceSeconds] = useState<number | null>(instance.agentDisconnectGraceSeconds);
  const [destinations, setDestinations] = useState((instance.outboundDestinations ?? []).join(", "));
  const [maxOpenChats, setMaxOpenChats] = useState<number | null>(instance.maxOpenChats);
  const [idleMinutes, setIdleMinutes] = useState<number | null>(instance.chatIdleTimeoutMinutes);
  const [messagingIdle, setMessagingIdle] = useState<number | null>(instance.messagingIdleMinutes);
  const [endpoints, setEndpoints] = useState(instance.externalEndpoints.join("\n"));
  const [streamUrl, setStreamUrl] = useState(instance.mediaStreamUrl ?? "");
  const [redaction, setRedaction] = useState(redactionOf(instance));
  const [notifyAgent, setNotifyAgent] = useState(instance.notifyAgentOnMonitor);
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // Send only what changed; the auth token only when a new one is typed (it is never shown).
    const body: Record<string, unknown> = {};
    if (name !== instance.name) body.name = name;
    if (timezone !== instance.timezone) body.timezone = timezone;
    if (publicBaseUrl !== (instance.publicBaseUrl ?? "")) body.publicBaseUrl = publicBaseUrl;
    if (sid !== (instance.twilioAccountSid ?? "")) body.twilioAccountSid = sid;
    if (token) body.twilioAuthToken = token;
    if (keySid !== (instance.twilioApiKeySid ?? "")) body.twilioApiKeySid = keySid;
    if (keySecret) body.twilioApiKeySecret = keySecret;
    if (appSid !== (instance.twilioTwimlAppSid ?? "")) body.twilioTwimlAppSid = appSid;
    if (recordingDays !== instance.recordingRetentionDays) body.recordingRetentionDays = recordingDays;
    if (contactDays !== instance.contactRetentionDays) body.contactRetentionDays = contactDays;
    if (transcriptDays !== instance.transcriptRetentionDays) body.transcriptRetentionDays = transcriptDays;
    if (graceSeconds !== instance.agentDisconnectGraceSeconds) body.agentDisconnectGraceSeconds = graceSeconds;
    // Empty: back to the default (the countries of the instance's own numbers).
    const destinationList = destinations.split(/[\s,]+/).filter(Boolean);
    if (destinationList.join(",") !== (instance.outboundDestinations ?? []).join(",")) body.outboundDestinations = destinationList.length ? destinationList : null;
    if (maxOpenChats !== instance.maxOpenChats) body.maxOpenChats = maxOpenChats;
    if (idleMinutes !== instance.chatIdleTimeoutMinutes) body.chatIdleTimeoutMinutes = idleMinutes;
    if (messagingIdle !== instance.messagingIdleMinutes) body.messagingIdleMinutes = messagingIdle;
    const endpointList = endpoints.split("\n").map((e) => e.trim()).filter(Boolean);
    if (endpointList.join("\n") !== instance.externalEndpoints.join("\n")) body.externalEndpoints = endpointList;
    // Empty: no streaming (the flows' Start media streaming blocks take their error branch).
    if (streamUrl.trim() !== (instance.mediaStreamUrl ?? "")) body.mediaStreamUrl = streamUrl.trim() || null;
    Object.assign(body, redactionChanges(instance, redaction));
    if (notifyAgent !== instance.notifyAgentOnMonitor) body.notifyAgentOnMonitor = notifyAgent;
    if (!Object.keys(body).length) {
      save.fail(new Error("Nothing has changed."));
      return;
    }
    const saved = await save.run(() => api.patch<Instance>("/instance", body), "Settings saved.");
    if (saved) {
      setToken("");
      setKeySecret("");
      onSaved();
    }
  };
  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label="Instance settings">
      <FormStatus error={save.error} saved={save.saved ?? savedNotice} shownFields={FIELDS} />
      <fieldset className="group">
        <legend>General</legend>
        <TextField label="Instance name" name="name" value={name} onChange={setName} errors={errors} />
        <TimeZoneField label="Time zone" name="timezone" value={timezone} onChange={setTimezone} errors={errors} hint="Used for reports. Type a city or region, such as New_York or Berlin, and pick from the list." />
        <TextField
          label="Public base URL"
          name="publicBaseUrl"
          type="url"
          value={publicBaseUrl}
          onChange={setPublicBaseUrl}
          errors={errors}
          hint="Scheme and host where Twilio reaches this Worker, e.g. https://switchboard.example.com. Twilio signatures are checked against it."
        />
      </fieldset>
      <fieldset className="group">
        <legend>Twilio</legend>
        <TextField label="Account SID" name="twilioAccountSid" value={sid} onChange={setSid} errors={errors} autoComplete="off" placeholder="AC…" />
        <TextField
          label="Auth token"
          name="twilioAuthToken"
          type="password"
          value={token}
          onChange={setToken}
          errors={errors}
          autoComplete="new-password"
          hint={instance.twilioAuthTokenSet ? "A token is stored (encrypted; it is never shown). Type a new one to replace it." : "No token is stored yet."}
        />
        <TextField label="API key SID (browser softphone)" name="twilioApiKeySid" value={keySid} onChange={setKeySid} errors={errors} autoComplete="off" placeholder="SK…" hint="Agents' browsers get Voice access tokens signed with this API key." />
        <TextField
          label="API key secret"
          name="twilioApiKeySecret"
          type="password"
          value={keySecret}
          onChange={setKeySecret}
          errors={errors}
          autoComplete="new-password"
          hint={instance.twilioApiKeySecretSet ? "A secret is stored (encrypted; it is never shown). Type a new one to replace it." : "No API key secret is stored yet."}
        />
        <TextField label="TwiML App SID" name="twilioTwimlAppSid" value={appSid} onChange={setAppSid} errors={errors} autoComplete="off" placeholder="AP…" hint="Used for calls the browser softphone places." />
      </fieldset>
      <fieldset className="group">
        <legend>Agents</legend>
        <NumberField
          label="Disconnect grace period (seconds)"
          name="agentDisconnectGraceSeconds"
          value={graceSeconds}
          onChange={setGraceSeconds}
          min={0}
          max={3600}
          errors={errors}
          hint="When an agent's browser closes, they keep getting contacts this long (a reload or a network blip reconnects well within it); then they show as Disconnected and are offered nothing until they are back. 0 stops at once."
        />
        <TextField
          label="Outbound call destinations"
          name="outboundDestinations"
          value={destinations}
          onChange={setDestinations}
          errors={errors}
          placeholder="Countries of your own numbers"
          hint="Where agents may place calls: country codes such as US, CA, GB, and number prefixes such as +4420, separated by commas. Empty: the countries of this contact center's own numbers. Anything else is refused (against toll fraud)."
        />
      </fieldset>
      <fieldset className="group">
        <legend>Chat</legend>
        <div className="row">
          <NumberField label="Open chats at most" name="maxOpenChats" value={maxOpenChats} onChange={setMaxOpenChats} min={1} max={100000} errors={errors} hint="Past this many chats open at once, the widget cannot start another until one ends." />
          <NumberField label="Idle timeout (minutes)" name="chatIdleTimeoutMinutes" value={idleMinutes} onChange={setIdleMinutes} min={1} max={1440} errors={errors} hint="A chat whose customer sends nothing this long ends (not while it waits in a queue)." />
          <NumberField
            label="SMS and WhatsApp idle time (minutes)"
            name="messagingIdleMinutes"
            value={messagingIdle}
            onChange={setMessagingIdle}
            min={5}
            max={10080}
            errors={errors}
            hint="A text conversation quiet this long ends; the customer's next message starts a new contact. 5 to 10080 (a week)."
          />
        </div>
      </fieldset>
      <fieldset className="group">
        <legend>Flows</legend>
        <TextAreaField
          label="External endpoints"
          name="externalEndpoints"
          value={endpoints}
          onChange={setEndpoints}
          rows={3}
          spellCheck={false}
          errors={errors}
          hint="One per line: https://host for a whole site, or https://host/path/ for the URLs under it. Invoke Lambda function blocks call only these; any other URL takes the block's error branch."
        />
        <TextField
          label="Media streaming URL"
          name="mediaStreamUrl"
          type="url"
          value={streamUrl}
          onChange={setStreamUrl}
          errors={errors}
          autoComplete="off"
          placeholder="wss://…"
          hint="A WebSocket server (wss://) that receives the caller's audio as Twilio Media Streams while a flow's Start media streaming block is on. Empty: those blocks take their error branch."
        />
      </fieldset>
      <RedactionFields value={redaction} onChange={setRedaction} errors={errors} />
      <CheckboxField
        label="Show agents when a supervisor listens in or reads their chat"
        name="notifyAgentOnMonitor"
        checked={notifyAgent}
        onChange={setNotifyAgent}
        errors={errors}
        hint="Coaching, barging in and joining a chat are always shown: the agent hears or reads the supervisor then."
      />
      <fieldset className="group">
        <legend>Retention (days)</legend>
        <div className="row">
          <NumberField label="Recordings" name="recordingRetentionDays" value={recordingDays} onChange={setRecordingDays} min={1} max={3650} errors={errors} />
          <NumberField label="Contact records" name="contactRetentionDays" value={contactDays} onChange={setContactDays} min={1} max={3650} errors={errors} />
          <NumberField label="Transcripts" name="transcriptRetentionDays" value={transcriptDays} onChange={setTranscriptDays} min={1} max={3650} errors={errors} />
        </div>
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.busy}>
          {save.busy ? "Saving…" : "Save settings"}
        </button>
      </div>
    </form>
  );
}
