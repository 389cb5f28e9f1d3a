import { Component, type ReactNode } from "react";

/** Keeps one screen's failure (say, its code failed to load after a deploy) from blanking the app. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" className="error-panel">
        <h1>This page could not be shown</h1>
        <p>{this.state.error.message}</p>
        <p>If Switchboard was just updated, reloading the page usually fixes this.</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
