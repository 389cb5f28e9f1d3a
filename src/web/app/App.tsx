/** Loads who is signed in; shows the first-run setup, the sign-in screen or the app shell. */
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, ApiError, errorText, setUnauthenticatedHandler } from "../lib/api";
import { navigate, useLocation } from "../lib/router";
import { makeCan, SessionContext, type Me, type Session } from "../lib/session";
import { SIGNED_OUT_NOTICE } from "../../shared/socket-close";
import { Shell } from "./Shell";
import { Setup } from "./Setup";
import { SignIn } from "./SignIn";

type State =
  | { kind: "loading" }
  | { kind: "setup" }
  | { kind: "signed-out"; notice?: string; email?: string }
  | { kind: "signed-in"; me: Me }
  | { kind: "error"; message: string };

export function App() {
  const [state, setState] = useState<State>({ kind: "loading" });
  const { path } = useLocation();

  const loadMe = useCallback(async () => {
    try {
      setState({ kind: "signed-in", me: await api.get<Me>("/auth/me") });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setState((await setupNeeded()) ? { kind: "setup" } : { kind: "signed-out" });
      else setState({ kind: "error", message: errorText(err) });
    }
  }, []);

  useEffect(() => {
    void loadMe();
  }, [loadMe]);

  useEffect(() => {
    setUnauthenticatedHandler(() => setState({ kind: "signed-out", notice: SIGNED_OUT_NOTICE }));
    return () => setUnauthenticatedHandler(undefined);
  }, []);

  const session = useMemo<Session | null>(() => {
    if (state.kind !== "signed-in") return null;
    return {
      me: state.me,
      can: makeCan(state.me.permissions),
      signOut: async () => {
        try {
          await api.post("/auth/sign-out");
        } finally {
          setState({ kind: "signed-out", notice: "You have signed out." });
        }
      },
    };
  }, [state]);

  switch (state.kind) {
    case "loading":
      return (
        <p className="boot" role="status">
          Loading Switchboard…
        </p>
      );
    case "error":
      return (
        <main className="boot">
          <h1>Switchboard could not start</h1>
          <p role="alert">{state.message}</p>
          <button type="button" onClick={() => void loadMe()}>
            Try again
          </button>
        </main>
      );
    case "setup":
    case "signed-out":
      if (state.kind === "setup" || path === "/setup") {
        const toSignIn = (email?: string) => {
          navigate("/", { replace: true });
          setState({ kind: "signed-out", email, notice: email ? "Your instance is ready: sign in as its administrator." : undefined });
        };
        return <Setup onSignIn={toSignIn} />;
      }
      return <SignIn key={state.email} notice={state.notice} email={state.email} onSignedIn={loadMe} />;
    case "signed-in":
      return (
        <SessionContext.Provider value={session}>
          <Shell />
        </SessionContext.Provider>
      );
  }
}

/** Whether the deployment still has no instance (GET /api/v1/setup); false when that cannot be told. */
async function setupNeeded(): Promise<boolean> {
  try {
    return (await api.get<{ needed: boolean }>("/setup")).needed;
  } catch {
    return false;
  }
}
