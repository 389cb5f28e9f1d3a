/**
 * The customer's profile beside a contact (loaded on demand: `CustomerProfile` in ProfileSlot.tsx):
 * who they are, their custom fields and their last contacts, matched by the caller's number or the
 * contact's link (`GET /api/v1/profiles/for-contact/:id`). On the offer it is read-only; on the
 * contact the agent creates a profile from the contact, edits it, links or unlinks the contact,
 * and merges another profile into it.
 */
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { FormStatus, SelectField, TextField, useSave } from "../components/forms";
import { api, ApiError } from "../lib/api";
import { CHANNEL_LABELS } from "../lib/labels";
import { Link } from "../lib/router";
import { useContactDetails } from "./contactDetails";

type Value = string | number | boolean;
type Profile = {
  id: string; firstName: string; lastName: string; phoneNumbers: string[]; emails: string[];
  address: { city?: string; country?: string } | null; attributes: Record<string, Value>;
};
type PastContact = {
  id: string; channel: "VOICE" | "CHAT" | "TASK"; initiatedAt: string | null; queue: { name: string | null } | null; agent: { name: string | null } | null;
  disposition: string | null; notes: string | null; sentiment: string | null; summary: string | null;
};
type ForContact = { profile: Profile | null; matchedBy: "link" | "phone" | null; contacts: PastContact[] };
type Field = { name: string; type: "TEXT" | "NUMBER" | "DATE" | "BOOLEAN" };

const nameOf = (p: Profile) => [p.firstName, p.lastName].filter(Boolean).join(" ") || p.phoneNumbers[0] || p.emails[0] || "Unnamed customer";
const list = (text: string) => text.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);

export default function ProfilePanel({ contactId, compact = false }: { contactId: string; compact?: boolean }) {
  const [data, setData] = useState<ForContact | null>(null);
  const [hidden, setHidden] = useState(false);
  const [mode, setMode] = useState<"view" | "edit" | "create" | "link" | "merge">("view");
  const save = useSave();
  const load = useCallback(async (tries = 1) => {
    try {
      setData(await api.get<ForContact>(`/profiles/for-contact/${encodeURIComponent(contactId)}`));
    } catch (err) {
      // A contact's record reaches D1 a moment after it starts: ask again a few times, then go on without a profile.
      if (err instanceof ApiError && err.status === 404 && tries < 4) setTimeout(() => void load(tries + 1), 1000 * tries);
      else if (err instanceof ApiError && (err.status === 403 || err.status === 404)) setHidden(true);
    }
  }, [contactId]);
  useEffect(() => void load(), [load]);
  if (hidden || !data) return null;
  const { profile } = data;
  const done = async () => (setMode("view"), await load());

  if (compact) {
    return (
      <div className="customer-profile" data-testid="offer-profile">
        {profile ? <ProfileFacts profile={profile} contacts={data.contacts.slice(0, 3)} /> : <p className="muted">No customer profile for this contact.</p>}
      </div>
    );
  }
  return (
    <section className="card customer-profile" aria-label="Customer profile" data-testid="contact-profile">
      <h3>Customer profile</h3>
      <FormStatus error={save.error} saved={save.saved} shownFields={[]} />
      {mode === "edit" && profile && <ProfileForm profile={profile} contactId={contactId} onDone={done} onCancel={() => setMode("view")} />}
      {mode === "create" && <ProfileForm contactId={contactId} onDone={done} onCancel={() => setMode("view")} />}
      {(mode === "link" || mode === "merge") && (
        <ProfilePicker
          exclude={profile?.id}
          action={mode === "link" ? "Link this contact" : "Merge into this profile"}
          onCancel={() => setMode("view")}
          onPick={async (picked) => {
            const ok = await save.run(async () => {
              if (mode === "link") await api.put(`/profiles/${encodeURIComponent(picked.id)}/contacts/${encodeURIComponent(contactId)}`, {});
              else await api.post(`/profiles/${encodeURIComponent(profile!.id)}/merge`, { otherProfileId: picked.id });
              return true;
            }, mode === "link" ? "Contact linked." : `${nameOf(picked)} merged.`);
            if (ok) await done();
          }}
        />
      )}
      {mode === "view" && profile && (
        <>
          <ProfileFacts profile={profile} contacts={data.contacts} />
          <p className="muted">{data.matchedBy === "link" ? "Linked to this contact." : "Matched by the caller's number."}</p>
          <div className="form-actions">
            <button type="button" onClick={() => setMode("edit")}>Edit profile</button>
            <button type="button" onClick={() => setMode("merge")}>Merge another profile…</button>
            {data.matchedBy === "link" && (
              <button type="button" onClick={async () => { await save.run(() => api.del(`/profiles/${encodeURIComponent(profile.id)}/contacts/${encodeURIComponent(contactId)}`), "Contact unlinked."); await load(); }}>
                Unlink contact
              </button>
            )}
            <Link href={`/contacts?searched=1&profileId=${encodeURIComponent(profile.id)}`}>All contacts</Link>
          </div>
        </>
      )}
      {mode === "view" && !profile && (
        <>
          <p className="muted">No customer profile for this contact.</p>
          <div className="form-actions">
            <button type="button" className="primary" onClick={() => setMode("create")}>Create profile</button>
            <button type="button" onClick={() => setMode("link")}>Link to a profile…</button>
          </div>
        </>
      )}
    </section>
  );
}

function ProfileFacts({ profile, contacts }: { profile: Profile; contacts: PastContact[] }) {
  const fields = Object.entries(profile.attributes);
  return (
    <>
      <p data-testid="profile-name"><strong>{nameOf(profile)}</strong>{profile.address?.city ? ` · ${profile.address.city}` : ""}</p>
      <dl className="facts" data-testid="profile-fields">
        {profile.phoneNumbers.length > 0 && (<><dt>Phone</dt><dd>{profile.phoneNumbers.join(", ")}</dd></>)}
        {profile.emails.length > 0 && (<><dt>Email</dt><dd>{profile.emails.join(", ")}</dd></>)}
        {fields.map(([k, v]) => (<span key={k} style={{ display: "contents" }}><dt>{k}</dt><dd>{String(v)}</dd></span>))}
      </dl>
      {contacts.length > 0 && (
        <>
          <h4>Last contacts</h4>
          <ul className="profile-history" data-testid="profile-history">
            {contacts.map((c) => (
              <li key={c.id}>
                {c.initiatedAt ? new Date(c.initiatedAt).toLocaleString() : ""} · {CHANNEL_LABELS[c.channel]}
                {c.queue?.name ? ` · ${c.queue.name}` : ""}{c.agent?.name ? ` · ${c.agent.name}` : ""}
                {c.disposition ? ` · ${c.disposition}` : ""}{c.sentiment ? ` · ${c.sentiment.toLowerCase()}` : ""}
                {(c.summary || c.notes) && <div className="muted">{c.summary ?? c.notes}</div>}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}

/** Creates a profile (from the contact: its caller's number) or edits one; custom fields as the admin defined them. */
function ProfileForm({ profile, contactId, onDone, onCancel }: { profile?: Profile; contactId: string; onDone: () => void; onCancel: () => void }) {
  const details = useContactDetails(contactId);
  const [fields, setFields] = useState<Field[]>([]);
  const [form, setForm] = useState(() => ({
    firstName: profile?.firstName ?? "", lastName: profile?.lastName ?? "", phones: profile?.phoneNumbers.join(", ") ?? "",
    emails: profile?.emails.join(", ") ?? "", city: profile?.address?.city ?? "",
  }));
  const [custom, setCustom] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(profile?.attributes ?? {}).map(([k, v]) => [k, String(v)])));
  const save = useSave();
  useEffect(() => void api.get<{ items: Field[] }>("/profile-fields", { limit: 100 }).then((r) => setFields(r.items), () => {}), []);
  useEffect(() => {
    if (!profile && details?.customerEndpoint) setForm((f) => (f.phones ? f : { ...f, phones: details.customerEndpoint! }));
  }, [profile, details]);
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));
  const typed = (f: Field, v: string): Value | null => (v === "" ? null : f.type === "NUMBER" ? Number(v) : f.type === "BOOLEAN" ? v === "true" : v);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const attributes = Object.fromEntries(fields.flatMap((f) => {
      const v = typed(f, custom[f.name] ?? "");
      return v === null && !profile ? [] : [[f.name, v]];
    }));
    const body = {
      firstName: form.firstName, lastName: form.lastName, phoneNumbers: list(form.phones), emails: list(form.emails),
      address: form.city ? { ...(profile?.address ?? {}), city: form.city } : null, attributes,
    };
    const ok = await save.run(async () => {
      if (profile) return api.patch(`/profiles/${encodeURIComponent(profile.id)}`, body);
      const created = await api.post<Profile>("/profiles", body);
      await api.put(`/profiles/${encodeURIComponent(created.id)}/contacts/${encodeURIComponent(contactId)}`, {});
      return created;
    });
    if (ok !== undefined) onDone();
  };
  const errors = save.fieldErrors;
  return (
    <form onSubmit={submit} noValidate aria-label={profile ? "Edit customer profile" : "Create customer profile"}>
      <FormStatus error={save.error} shownFields={["firstName", "lastName", "phoneNumbers", "emails", "address", ...fields.map((f) => `attributes.${f.name}`)]} />
      <div className="row wrap">
        <TextField label="First name" name="firstName" value={form.firstName} onChange={set("firstName")} errors={errors} />
        <TextField label="Last name" name="lastName" value={form.lastName} onChange={set("lastName")} errors={errors} />
        <TextField label="Phone numbers" name="phoneNumbers" value={form.phones} onChange={set("phones")} errors={errors} hint="E.164, separated by commas." />
        <TextField label="Emails" name="emails" value={form.emails} onChange={set("emails")} errors={errors} />
        <TextField label="City" name="address" value={form.city} onChange={set("city")} errors={errors} />
        {fields.map((f) => f.type === "BOOLEAN" ? (
          <SelectField key={f.name} label={f.name} name={`attributes.${f.name}`} value={custom[f.name] ?? ""} empty="—" options={[{ value: "true", label: "Yes" }, { value: "false", label: "No" }]} onChange={(v) => setCustom((c) => ({ ...c, [f.name]: v }))} errors={errors} />
        ) : (
          <TextField key={f.name} label={f.name} name={`attributes.${f.name}`} type={f.type === "NUMBER" ? "number" : f.type === "DATE" ? "date" : "text"} value={custom[f.name] ?? ""} onChange={(v) => setCustom((c) => ({ ...c, [f.name]: v }))} errors={errors} />
        ))}
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={save.busy}>{profile ? "Save profile" : "Create profile"}</button>
        <button type="button" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

/** Finds a profile by name words, a number (+…) or an email, and hands the chosen one back. */
function ProfilePicker({ exclude, action, onPick, onCancel }: { exclude?: string; action: string; onPick: (p: Profile) => void; onCancel: () => void }) {
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Profile[] | null>(null);
  const save = useSave();
  const search = async (e: FormEvent) => {
    e.preventDefault();
    const term = q.trim();
    const query = term.startsWith("+") ? { phone: term } : term.includes("@") ? { email: term } : { name: term };
    const res = await save.run(() => api.get<{ items: Profile[] }>("/profiles", query));
    if (res) setFound(res.items.filter((p) => p.id !== exclude));
  };
  return (
    <div>
      <form onSubmit={search} role="search" aria-label="Find a customer profile">
        <FormStatus error={save.error} shownFields={[]} />
        <TextField label="Find a profile" name="profile-search" type="search" value={q} onChange={setQ} hint="Name, phone number (+…) or email." />
        <div className="form-actions">
          <button type="submit" disabled={save.busy || !q.trim()}>Find</button>
          <button type="button" onClick={onCancel}>Cancel</button>
        </div>
      </form>
      {found && found.length === 0 && <p className="muted">No profile found.</p>}
      {found && found.length > 0 && (
        <ul className="profile-matches">
          {found.map((p) => (
            <li key={p.id}>
              {nameOf(p)} {p.phoneNumbers[0] ? `· ${p.phoneNumbers[0]}` : ""}{" "}
              <button type="button" onClick={() => onPick(p)} aria-label={`${action}: ${nameOf(p)}`}>{action}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
