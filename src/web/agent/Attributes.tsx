/** The contact's attributes (what the caller told the IVR, what the flow set), as a labelled list. */
export function Attributes({ attributes }: { attributes: Record<string, string> }) {
  const entries = Object.entries(attributes);
  if (!entries.length) return <p className="muted">No contact attributes.</p>;
  return (
    <>
      <h3>Contact attributes</h3>
      <dl className="facts attributes" data-testid="attributes">
        {entries.map(([k, v]) => (
          <div className="fact" key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
