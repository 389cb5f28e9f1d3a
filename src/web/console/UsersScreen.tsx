import { useState, type FormEvent } from "react";
import { CheckboxField, FormStatus, SelectField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { PredefinedAttribute, RoutingProfile, SecurityProfile, User } from "../lib/types";
import { useCollection } from "../lib/useData";
import { ProficiencyTable, useProficiencyRows } from "./ProficiencyTable";

const BASE = "/users";

export default function UsersScreen() {
  const { can } = useSession();
  const security = useCollection<SecurityProfile>("/security-profiles");
  const routing = useCollection<RoutingProfile>("/routing-profiles");
  const nameIn = (list: { id: string; name: string }[] | undefined, id: string | null) => (id ? (list?.find((x) => x.id === id)?.name ?? id) : "None");
  return (
    <ResourceScreen<User>
      basePath={BASE}
      apiPath="users"
      title="Users"
      noun="user"
      intro="Everyone who signs in: agents, supervisors and administrators."
      nameOf={(u) => u.name}
      columns={[
        { header: "Email", cell: (u) => u.email },
        { header: "Security profile", cell: (u) => nameIn(security.data, u.securityProfileId), filter: true },
        { header: "Routing profile", cell: (u) => nameIn(routing.data, u.routingProfileId), filter: true },
        { header: "Status", cell: (u) => (u.active ? "Active" : "Deactivated"), filter: true },
      ]}
      Editor={UserEditor}
      canWrite={can("users.manage")}
    />
  );
}

function UserEditor({ item, onSaved, canWrite }: EditorProps<User>) {
  const security = useCollection<SecurityProfile>("/security-profiles");
  const routing = useCollection<RoutingProfile>("/routing-profiles");
  const created = useCreatedNotice("user");
  const [email, setEmail] = useState(item?.email ?? "");
  const [name, setName] = useState(item?.name ?? "");
  const [password, setPassword] = useState("");
  const [securityProfileId, setSecurityProfileId] = useState(item?.securityProfileId ?? "");
  const [routingProfileId, setRoutingProfileId] = useState(item?.routingProfileId ?? "");
  const [phone, setPhone] = useState(item?.phoneNumber ?? "");
  const [active, setActive] = useState(item?.active ?? true);
  const attributes = useCollection<PredefinedAttribute>("/predefined-attributes");
  const proficiencies = useProficiencyRows(item?.proficiencies);
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body: Record<string, unknown> = {
      email,
      name,
      securityProfileId,
      routingProfileId: routingProfileId || null,
      phoneNumber: phone.trim() || null,
      active,
      proficiencies: proficiencies.body(),
    };
    if (!item || password) body.password = password;
    const saved = await save.run(
      () => (item ? api.patch<User>(`/users/${encodeURIComponent(item.id)}`, body) : api.post<User>("/users", body)),
      "User saved.",
    );
    if (saved) {
      setPassword("");
      onSaved(saved);
    }
  };
  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit user ${item.name}` : "New user"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["email", "name", "password", "securityProfileId", "routingProfileId", "phoneNumber", "active", ...proficiencies.fields()]} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} autoComplete="off" />
        <TextField label="Email" name="email" type="email" value={email} onChange={setEmail} errors={errors} autoComplete="off" />
        <TextField
          label={item ? "New password" : "Password"}
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          errors={errors}
          autoComplete="new-password"
          hint={item ? "Leave empty to keep the current password. At least 10 characters." : "At least 10 characters. Share it with the user privately."}
        />
        <SelectField label="Security profile" name="securityProfileId" value={securityProfileId} onChange={setSecurityProfileId} empty="Choose a security profile…" options={(security.data ?? []).map((p) => ({ value: p.id, label: p.name }))} errors={errors} />
        <SelectField label="Routing profile" name="routingProfileId" value={routingProfileId} onChange={setRoutingProfileId} empty="None (takes no contacts)" options={(routing.data ?? []).map((p) => ({ value: p.id, label: p.name }))} errors={errors} />
        <TextField label="Phone number" name="phoneNumber" value={phone} onChange={setPhone} errors={errors} placeholder="+14155550123" hint="Optional: the user's own phone, for transfers to them outside the app (E.164)." />
        <CheckboxField label="Active (can sign in)" name="active" checked={active} onChange={setActive} errors={errors} />
        <ProficiencyTable state={proficiencies} attributes={attributes.data ?? []} errors={errors} />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="user" cancelHref={BASE} />
    </form>
  );
}
