/**
 * First-run setup of a new deployment (POST /api/v1/setup): the one-time setup token that
 * `npm run deploy` printed, the company (instance) and its first admin. Shown instead of sign-in
 * while the deployment has no instance, and at /setup. The API's field errors show at the fields.
 */
import { useEffect, useState, type FormEvent } from "react";
import { FormStatus, TextField, TimeZoneField, useSave } from "../components/forms";
import { api, ApiError } from "../lib/api";
import { useTitle } from "../lib/router";

type Done = { instance: { id: string; name: string }; admin: { id: string; email: string; name: string } };

const FIELDS = ["token", "instance.name", "instance.timezone", "instance.publicBaseUrl", "admin.name", "admin.email", "admin.password"] as const;

const browserTimeZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
};

export function Setup({ onSignIn }: { onSignIn: (email?: string) => void }) {
  useTitle("Set up Switchboard");
  const [needed, setNeeded] = useState<boolean | null>(null);
  const [token, setToken] = useState("");
  const [company, setCompany] = useState("");
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [publicBaseUrl, setPublicBaseUrl] = useState(() => window.location.origin);
  const [adminName, setAdminName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [done, setDone] = useState<Done | null>(null);
  const save = useSave();

  useEffect(() => {
    let live = true;
    api.get<{ needed: boolean }>("/setup").then(
      (r) => live && setNeeded(r.needed),
      () => live && setNeeded(true), // the form still works; the API will say what is wrong
    );
    return () => {
      live = false;
    };
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const result = await save.run(() =>
      api.post<Done>("/setup", {
        token,
        instance: { name: company, timezone, publicBaseUrl },
        admin: { name: adminName, email, password },
      }),
    );
    if (result) setDone(result);
  };

  // A wrong token is the token field's problem: shown there as well as in the summary.
  const errors = new Map(save.fieldErrors);
  if (save.error instanceof ApiError && save.error.code === "invalid_setup_token") errors.set("token", "is not this deployment's setup token");
  const closed = needed === false || (save.error instanceof ApiError && save.error.code === "setup_done");

  if (done) {
    return (
      <main className="sign-in">
        <section className="card setup-card" aria-labelledby="setup-title">
          <h1 id="setup-title">Switchboard is set up</h1>
          <p className="success" role="status">
            {done.instance.name} is ready. Sign in as {done.admin.email} with the password you chose.
          </p>
          <button type="button" className="primary" onClick={() => onSignIn(done.admin.email)}>
            Sign in
          </button>
        </section>
      </main>
    );
  }

  if (closed) {
    return (
      <main className="sign-in">
        <section className="card setup-card" aria-labelledby="setup-title">
          <h1 id="setup-title">Switchboard is set up already</h1>
          <p>This deployment has its instance. Sign in with your account; an administrator can add users.</p>
          <button type="button" className="primary" onClick={() => onSignIn()}>
            Go to sign in
          </button>
        </section>
      </main>
    );
  }

  return (
    <main className="sign-in">
      <form className="card setup-card" onSubmit={submit} noValidate aria-labelledby="setup-title">
        <h1 id="setup-title">Set up Switchboard</h1>
        <p className="intro">
          Create your company's instance and its first administrator. You need the one-time setup token that <code>npm run deploy</code> printed.
        </p>
        <FormStatus error={save.error} shownFields={FIELDS} />
        <TextField label="Setup token" name="token" errors={errors} value={token} onChange={setToken} autoComplete="off" />
        <fieldset className="group">
          <legend>Company</legend>
          <TextField label="Company name" name="instance.name" errors={errors} value={company} onChange={setCompany} autoComplete="organization" />
          <TimeZoneField label="Time zone" name="instance.timezone" errors={errors} value={timezone} onChange={setTimezone} hint="Hours of operation and reports use it." />
          <TextField
            label="Public base URL"
            name="instance.publicBaseUrl"
            errors={errors}
            value={publicBaseUrl}
            onChange={setPublicBaseUrl}
            type="url"
            hint="Where Twilio reaches this deployment: scheme and host only."
          />
        </fieldset>
        <fieldset className="group">
          <legend>First administrator</legend>
          <TextField label="Name" name="admin.name" errors={errors} value={adminName} onChange={setAdminName} autoComplete="name" />
          <TextField label="Email" name="admin.email" errors={errors} value={email} onChange={setEmail} type="email" autoComplete="username" />
          <TextField label="Password" name="admin.password" errors={errors} value={password} onChange={setPassword} type="password" autoComplete="new-password" hint="At least 10 characters." />
        </fieldset>
        <button type="submit" className="primary" disabled={save.busy}>
          {save.busy ? "Setting up…" : "Set up Switchboard"}
        </button>
      </form>
    </main>
  );
}
