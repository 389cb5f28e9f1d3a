/**
 * The agent app's connection to its AgentRoom when the server ends the session's socket with
 * SIGNED_OUT_CLOSE_CODE (signed out elsewhere, new password, deactivated, expired): it does not
 * reconnect, answers what was waiting with the reason, and the app goes to the sign-in screen.
 * A socket that merely drops reconnects as before.
 */
import { describe, expect, it } from "vitest";
import { AgentConnection } from "../../src/web/agent/agentConnection";
import { SIGNED_OUT_CLOSE_CODE } from "../../src/shared/socket-close";

/** A WebSocket the test plays the server of: opens at once; `serverClose` ends it as the server would. */
class FakeSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static opened: FakeSocket[] = [];
  readyState = 0;
  binaryType = "blob";
  protocol = "";
  extensions = "";
  bufferedAmount = 0;
  readonly sent: string[] = [];
  constructor(readonly url: string) {
    super();
    FakeSocket.opened.push(this);
    setTimeout(() => {
      this.readyState = 1;
      this.dispatchEvent(new Event("open"));
    }, 0);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000, reason = "") {
    this.serverClose(code, reason);
  }
  serverClose(code: number, reason = "") {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatchEvent(Object.assign(new Event("close"), { code, reason, wasClean: true }));
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connected() {
  FakeSocket.opened = [];
  let signedOut = 0;
  const conn = new AgentConnection("wss://app.example.com/api/v1/agent/socket", {
    WebSocket: FakeSocket as unknown as typeof WebSocket,
    onSignedOut: () => signedOut++,
  });
  conn.open();
  await tick(20);
  expect(FakeSocket.opened).toHaveLength(1);
  return { conn, socket: FakeSocket.opened[0], signedOut: () => signedOut };
}

describe("agent connection: a session that ends closes the app's socket for good", () => {
  it("a close with 4401 signs the app out: no reconnect, the waiting command fails with the reason", async () => {
    const { conn, socket, signedOut } = await connected();
    const pending = conn.send({ type: "status.set", status: { kind: "AVAILABLE" } });
    expect(socket.sent).toHaveLength(1);
    socket.serverClose(SIGNED_OUT_CLOSE_CODE, "signed out");
    await expect(pending).rejects.toThrow(/session has ended/);
    expect(signedOut()).toBe(1);
    expect(conn.state).toMatchObject({ connected: false, signedOut: true, pending: [] });
    // Longer than the reconnect delay: nobody dialled the server again, and open() does not either.
    await tick(1200);
    conn.open();
    await tick(20);
    expect(FakeSocket.opened).toHaveLength(1);
  });

  it("any other close (the network dropped) reconnects and does not sign out", async () => {
    const { conn, socket, signedOut } = await connected();
    socket.serverClose(1006);
    await tick(1200);
    expect(FakeSocket.opened.length).toBeGreaterThanOrEqual(2);
    expect(signedOut()).toBe(0);
    expect(conn.state.signedOut).toBe(false);
    conn.close();
  });
});

describe("agent connection: step-by-step guide views", () => {
  const serverSends = (socket: FakeSocket, msg: unknown) => socket.dispatchEvent(Object.assign(new Event("message"), { data: JSON.stringify(msg) }));
  const view = (contactId: string, viewId: string) => ({ viewId, contactId, expiresAt: null, view: { view: "Confirmation", heading: "Done", next: "Continue" } });

  it("keeps one view per contact (a new one replaces it), drops it when closed or on a new snapshot, and a refused answer carries its field problems", async () => {
    const { conn, socket } = await connected();
    serverSends(socket, view("c1", "a@1"));
    serverSends(socket, { type: "view.show", view: view("c1", "a@1") });
    serverSends(socket, { type: "view.show", view: view("c2", "b@1") });
    serverSends(socket, { type: "view.show", view: view("c1", "a@2") });
    expect(conn.state.views.map((v) => v.viewId)).toEqual(["b@1", "a@2"]);
    serverSends(socket, { type: "view.closed", contactId: "c2", viewId: "b@1" });
    expect(conn.state.views.map((v) => v.viewId)).toEqual(["a@2"]);

    const answer = conn.send({ type: "view.submit", contactId: "c1", viewId: "a@2", action: "Next", data: {} });
    const { requestId } = JSON.parse(socket.sent[socket.sent.length - 1]);
    serverSends(socket, { type: "error", requestId, code: "invalid_view_answer", message: "Reason is required", fields: { reason: "Reason is required" } });
    await expect(answer).rejects.toMatchObject({ message: "Reason is required", code: "invalid_view_answer", fields: { reason: "Reason is required" } });

    serverSends(socket, { type: "state.snapshot", snapshot: { instanceId: "i", agentId: "a", status: { kind: "AVAILABLE", statusId: null, name: "Available", since: 0 }, contacts: [], routingProfile: null } });
    expect(conn.state.views).toEqual([]);
    conn.close();
  });
});
