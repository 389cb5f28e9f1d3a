/**
 * Integrations: the Lambda functions imported flows call (InvokeLambdaFunction by ARN), each mapped
 * to the business's HTTPS endpoint that does the work. Right after a function is added, the screen
 * shows the secret the endpoint checks `X-Switchboard-Signature` with, so it can be set up there.
 */
import { useEffect, useState, type FormEvent } from "react";
import { FormStatus, TextAreaField, TextField, useSave } from "../components/forms";
import { FormActions, ResourceScreen, useCreatedNotice, type EditorProps } from "../components/ResourceScreen";
import { api } from "../lib/api";
import { useSession } from "../lib/session";
import type { LambdaFunction } from "../lib/types";

const BASE = "/lambda-functions";

export default function LambdaFunctionsScreen() {
  const { can } = useSession();
  return (
    <ResourceScreen<LambdaFunction>
      basePath={BASE}
      apiPath="lambda-functions"
      title="Lambda functions"
      noun="Lambda function"
      intro="Flows imported from Amazon Connect call AWS Lambda functions by ARN. Map each function to the HTTPS endpoint that does its work here: the flow's Invoke Lambda block calls it with the same event a Lambda receives. An unmapped function takes the block's error branch."
      nameOf={(f) => f.name}
      columns={[{ header: "Endpoint", cell: (f) => f.endpointUrl }]}
      Editor={LambdaFunctionEditor}
      canWrite={can("instance.configure")}
    />
  );
}

function LambdaFunctionEditor({ item, onSaved, canWrite }: EditorProps<LambdaFunction>) {
  const created = useCreatedNotice("Lambda function");
  const [name, setName] = useState(item?.name ?? "");
  const [endpointUrl, setEndpointUrl] = useState(item?.endpointUrl ?? "");
  const [description, setDescription] = useState(item?.description ?? "");
  const [secret, setSecret] = useState<string | null>(null);
  const save = useSave();

  // Just created: show the signing secret the new endpoint must check.
  useEffect(() => {
    if (!created || !canWrite) return;
    let live = true;
    api.get<{ secret: string }>("/instance/external-signing-secret").then((r) => live && setSecret(r.secret), () => undefined);
    return () => {
      live = false;
    };
  }, [created, canWrite]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { name: name.trim(), endpointUrl: endpointUrl.trim(), description };
    const saved = await save.run(
      () => (item ? api.patch<LambdaFunction>(`${BASE}/${encodeURIComponent(item.id)}`, body) : api.post<LambdaFunction>(BASE, body)),
      "Lambda function saved.",
    );
    if (saved) onSaved(saved);
  };
  const errors = save.fieldErrors;
  return (
    <form className="card editor" onSubmit={submit} noValidate aria-label={item ? `Edit Lambda function ${item.name}` : "New Lambda function"}>
      <FormStatus error={save.error} saved={save.saved ?? created} shownFields={["name", "endpointUrl", "description"]} />
      {secret && (
        <section className="notice" aria-label="Signing secret">
          <p>
            The endpoint should check each call's <code>X-Switchboard-Signature</code> header (<code>t=…,v1=…</code>: HMAC-SHA256 of
            "timestamp.body") with this secret. Copy it now: it is shown only right after a function is added.
          </p>
          <pre>{secret}</pre>
        </section>
      )}
      <fieldset disabled={!canWrite}>
        <TextField label="Function ARN or name" name="name" value={name} onChange={setName} errors={errors} placeholder="arn:aws:lambda:us-east-1:123456789012:function:lookupCustomer" hint="As the flow names it. A name alone matches the function in any region or version." />
        <TextField label="Endpoint URL" name="endpointUrl" value={endpointUrl} onChange={setEndpointUrl} errors={errors} placeholder="https://crm.example.com/connect/lookup" type="url" />
        <TextAreaField label="Description" name="description" value={description} onChange={setDescription} errors={errors} />
      </fieldset>
      <FormActions busy={save.busy} canWrite={canWrite} isNew={!item} noun="Lambda function" cancelHref={BASE} />
    </form>
  );
}
