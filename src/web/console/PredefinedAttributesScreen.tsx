/**
 * Predefined attributes (`/api/v1/predefined-attributes`, Amazon Connect's): a name and the values
 * users can be proficient in (the Users form sets their levels), which flows' routing criteria ask for.
 */
import { useState, type FormEvent } from "react";
import { FormStatus, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { PredefinedAttribute } from "../lib/types";

const BASE = "/predefined-attributes";

export default function PredefinedAttributesScreen() {
  const { can } = useSession();
  return (
    <ResourceScreen<PredefinedAttribute>
      basePath={BASE}
      apiPath="predefined-attributes"
      title="Predefined attributes"
      noun="predefined attribute"
      intro="What agents can be proficient in, such as Language: English, Spanish. Give users their levels in the Users form; a flow's Set routing criteria block offers a contact to agents at the level it asks."
      nameOf={(a) => a.name}
      columns={[{ header: "Values", cell: (a) => a.values.join(", ") }]}
      Editor={PredefinedAttributeEditor}
      canWrite={can("instance.configure")}
    />
  );
}

function PredefinedAttributeEditor({ item, onSaved, canWrite }: EditorProps<PredefinedAttribute>) {
  const created = useCreatedNotice("predefined attribute");
  const [name, setName] = useState(item?.name ?? "");
  const [values, setValues] = useState((item?.values ?? []).join("\n"));
  const save = useSave();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name, values: values.split("\n").map((v) => v.trim()).filter(Boolean) };
    const saved = await save.run(
      () => (item ? api.patch<PredefinedAttribute>(`${BASE}/${encodeURIComponent(item.id)}`, body) : api.post<PredefinedAttribute>(BASE, body)),
      "Predefined attribute saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit predefined attribute ${item.name}` : "New predefined attribute"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "values"]} />
      <fieldset disabled={!canWrite}>
        <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} placeholder="Language" hint="As flows name it in their routing criteria (up to 64 characters)." />
        <TextAreaField label="Values" name="values" value={values} onChange={setValues} errors={errors} rows={5}
          hint="One a line, such as English and Spanish. A value a user is proficient in stays until it is taken off them." />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="predefined attribute" cancelHref={BASE} />
    </form>
  );
}
