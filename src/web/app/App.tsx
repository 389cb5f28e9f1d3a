/** Loads who is signed in; shows the sign-in screen or the app shell. */
import { useCallback, useEffect, useMemo, useState } from "react";
import { api, ApiError, errorText, setUnauthenticatedHandler } from "../lib/api";
import { makeCan, SessionContext, type Me, type Session } from "../lib/session";
import { Shell } from "./Shell";
import { SignIn } from "./SignIn";

type State = { kind: "loading" } | { kind: "signed-out"; notice?: string } | { kind: "signed-in"; me: Me } | { kind: "error"; message: string };

export function App() {
  const [state, setState] = useState<State>({ kind: "loading" });

  const loadMe = useCallback(async () => {
    try {
      setState({ kind: "signed-in", me: await api.get<Me>("/auth/me") });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setState({ kind: "signed-out" });
      else setState({ kind: "error", message: errorText(err) });
    }
  }, []);

  useEffect(() => {
    void loadMe();
  }, [loadMe]);

  useEffect(() => {
    setUnauthenticatedHandler(() => setState({ kind: "signed-out", notice: "Your session has ended. Please sign in again." }));
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
    case "signed-out":
      return <SignIn notice={state.notice} onSignedIn={loadMe} />;
    case "signed-in":
      return (
        <SessionContext.Provider value={session}>
          <Shell />
        </SessionContext.Provider>
      );
  }
}
