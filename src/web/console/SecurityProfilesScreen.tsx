import { useState, type FormEvent } from "react";
import { FormStatus, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { PERMISSIONS, type Permission } from "../../shared/permissions";
import { api } from "../lib/api";
import { PERMISSION_LABELS } from "../lib/labels";
import { useSession } from "../lib/session";
import type { SecurityProfile } from "../lib/types";

const BASE = "/security-profiles";

export default function SecurityProfilesScreen() {
  const { can } = useSession();
  return (
    <ResourceScreen<SecurityProfile>
      basePath={BASE}
      apiPath="security-profiles"
      title="Security profiles"
      noun="security profile"
      intro="A security profile is what a user may see and do. Screens a profile does not allow are hidden, and the API refuses them too."
      nameOf={(p) => p.name}
      columns={[
        { header: "Permissions", cell: (p) => (p.permissions.length === PERMISSIONS.length ? "All" : p.permissions.map((x) => PERMISSION_LABELS[x].name).join(", ") || "None") },
      ]}
      Editor={SecurityProfileEditor}
      // What a profile grants is the instance's configuration; users.manage only assigns profiles.
      canWrite={can("instance.configure")}
    />
  );
}

function SecurityProfileEditor({ item, onSaved, canWrite }: EditorProps<SecurityProfile>) {
  const created = useCreatedNotice("security profile");
  const [name, setName] = useState(item?.name ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [permissions, setPermissions] = useState<Set<Permission>>(new Set(item?.permissions ?? []));
  const save = useSave();
  const toggle = (p: Permission, on: boolean) =>
    setPermissions((s) => {
      const next = new Set(s);
      if (on) next.add(p);
      else next.delete(p);
      return next;
    });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name, description, permissions: PERMISSIONS.filter((p) => permissions.has(p)) };
    const saved = await save.run(
      () => (item ? api.patch<SecurityProfile>(`/security-profiles/${encodeURIComponent(item.id)}`, body) : api.post<SecurityProfile>("/security-profiles", body)),
      "Security profile saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit security profile ${item.name}` : "New security profile"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "description", "permissions"]} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
        <fieldset className="group">
          <legend>Permissions</legend>
          {errors.get("permissions") && <p className="field-error">{errors.get("permissions")}</p>}
          <ul className="checkbox-list">
            {PERMISSIONS.map((p) => (
              <li key={p}>
                <input type="checkbox" id={`perm-${p}`} checked={permissions.has(p)} onChange={(e) => toggle(p, e.target.checked)} aria-describedby={`perm-${p}-desc`} />
                <label htmlFor={`perm-${p}`}>{PERMISSION_LABELS[p].name}</label>
                <span className="hint" id={`perm-${p}-desc`}>
                  {PERMISSION_LABELS[p].summary}
                </span>
              </li>
            ))}
          </ul>
        </fieldset>
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="security profile" cancelHref={BASE} />
    </form>
  );
}
