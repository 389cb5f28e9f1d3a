/** The overview: who is signed in, to which instance, what they may do, and where to go. */
import { PERMISSION_LABELS } from "../lib/labels";
import { Link, useTitle } from "../lib/router";
import { useSession } from "../lib/session";
import type { Screen } from "./screens";

export function Home({ screens }: { screens: Screen[] }) {
  useTitle("Overview");
  const { me } = useSession();
  return (
    <>
      <h1>Overview</h1>
      <section className="card" aria-labelledby="account-title">
        <h2 id="account-title">Your account</h2>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{me.user.name}</dd>
          <dt>Email</dt>
          <dd>{me.user.email}</dd>
          <dt>Instance</dt>
          <dd>
            {me.instance.name} <span className="muted">({me.instance.timezone})</span>
          </dd>
        </dl>
        <h3>What your security profile allows</h3>
        <ul className="permission-list">
          {me.permissions.map((p) => (
            <li key={p}>{PERMISSION_LABELS[p].summary}</li>
          ))}
        </ul>
      </section>
      {screens.length > 0 && (
        <section className="card" aria-labelledby="sections-title">
          <h2 id="sections-title">Sections</h2>
          <ul className="link-grid">
            {screens.map((s) => (
              <li key={s.path}>
                <Link href={s.path}>{s.label}</Link>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
