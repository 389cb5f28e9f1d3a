/** The signed-in frame: header, navigation (only what the user may use), the current screen. */
import { Suspense, useEffect, useRef } from "react";
import { AgentProvider } from "../agent/AgentProvider";
import { AgentStatusChip } from "../agent/AgentStatusChip";
import { Link, navigate, useLocation } from "../lib/router";
import { useSession } from "../lib/session";
import { ErrorBoundary } from "../components/ErrorBoundary";
import { Home } from "./Home";
import { GROUPS, landingPath, SCREENS, screenFor } from "./screens";

export function Shell() {
  const { can } = useSession();
  // The agent's connection lives as long as the shell, so offers ring on every screen.
  return can("contacts.handle") ? (
    <AgentProvider>
      <ShellFrame />
    </AgentProvider>
  ) : (
    <ShellFrame />
  );
}

function ShellFrame() {
  const { me, can, signOut } = useSession();
  const { path } = useLocation();
  const visible = SCREENS.filter((s) => can(...s.anyOf));
  const screen = screenFor(path);
  const mainRef = useRef<HTMLElement>(null);
  const firstRender = useRef(true);
  const landing = landingPath(can);

  useEffect(() => {
    if (path === "/" && landing !== "/") navigate(landing, { replace: true });
  }, [path, landing]);

  // After navigating, move focus to the new page's heading so keyboard and screen-reader
  // users start at the top of what changed (the screen may still be loading its code).
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    let frames = 0;
    let raf = 0;
    const focusHeading = () => {
      const h1 = mainRef.current?.querySelector<HTMLElement>("h1");
      if (h1) {
        h1.tabIndex = -1;
        h1.focus({ preventScroll: false });
      } else if (frames++ < 60) raf = requestAnimationFrame(focusHeading);
    };
    raf = requestAnimationFrame(focusHeading);
    return () => cancelAnimationFrame(raf);
  }, [path]);

  let content;
  if (path === "/") content = <Home screens={visible} />;
  else if (!screen) content = <NotFound />;
  else if (!can(...screen.anyOf)) content = <NoAccess label={screen.label} />;
  else {
    const Screen = screen.component;
    content = (
      <ErrorBoundary key={screen.path}>
        <Suspense fallback={<p role="status">Loading {screen.label.toLowerCase()}…</p>}>
          <Screen />
        </Suspense>
      </ErrorBoundary>
    );
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Switchboard
        </Link>
        <span className="instance-name">{me.instance.name}</span>
        <span className="spacer" />
        {can("contacts.handle") && <AgentStatusChip onWorkspace={screen?.path === "/workspace"} />}
        <span className="who" aria-label={`Signed in as ${me.user.name}`}>
          {me.user.name}
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      {visible.length > 0 && (
        <nav className="sidebar" aria-label="Main">
          <ul>
            <li>
              <Link href="/" aria-current={path === "/" ? "page" : undefined}>
                Overview
              </Link>
            </li>
          </ul>
          {GROUPS.map((group) => {
            const items = visible.filter((s) => s.group === group);
            if (!items.length) return null;
            const id = `nav-${group.replace(/\W+/g, "-").toLowerCase()}`;
            return (
              <div key={group} className="nav-group">
                <h2 id={id}>{group}</h2>
                <ul aria-labelledby={id}>
                  {items.map((s) => (
                    <li key={s.path}>
                      <Link href={s.path} aria-current={screen?.path === s.path ? "page" : undefined}>
                        {s.label}
                      </Link>
                    </li>
                  ))}
                </ul>
              </div>
            );
          })}
        </nav>
      )}
      <main id="main" ref={mainRef} className={visible.length ? "content" : "content wide"}>
        {content}
      </main>
    </div>
  );
}

function NotFound() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link href="/">Go to the overview</Link>.
      </p>
    </>
  );
}

function NoAccess({ label }: { label: string }) {
  return (
    <>
      <h1>{label}</h1>
      <p role="alert">Your security profile does not include this page. Ask an administrator if you need it.</p>
      <p>
        <Link href="/">Go to the overview</Link>
      </p>
    </>
  );
}
