import { describe, expect, it } from "vitest";
import {
  Action,
  ConnEvent,
  ReadyState,
  TRANSITIONS,
  TRANSITION_COLUMNS,
  transitionActions,
  transitionNext,
  transitionRow,
} from "../core/state.js";

const STATES = [ReadyState.Connecting, ReadyState.Open, ReadyState.Closing, ReadyState.Closed];
const EVENTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

describe("ready-state transition table", () => {
  it("has at most one row per (state, event) and well-formed columns", () => {
    expect(TRANSITIONS.length % TRANSITION_COLUMNS).toBe(0);
    const seen = new Set<string>();
    for (let i = 0; i < TRANSITIONS.length; i += TRANSITION_COLUMNS) {
      const key = `${TRANSITIONS[i]}/${TRANSITIONS[i + 1]}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      expect(STATES).toContain(TRANSITIONS[i + 2]);
      expect(TRANSITIONS[i + 3] & ~0xff).toBe(0);
    }
  });

  it("never leaves CLOSED and never goes back to CONNECTING", () => {
    for (const e of EVENTS) {
      expect(transitionNext(ReadyState.Closed, e)).toBe(ReadyState.Closed);
      expect(transitionActions(ReadyState.Closed, e)).toBe(Action.None);
      for (const s of STATES)
        if (s !== ReadyState.Connecting) expect(transitionNext(s, e)).not.toBe(ReadyState.Connecting);
    }
  });

  it("notifies closed exactly when entering CLOSED, and sends at most one kind of Close", () => {
    for (const s of STATES)
      for (const e of EVENTS) {
        const next = transitionNext(s, e);
        const a = transitionActions(s, e);
        expect((a & Action.NotifyClosed) !== 0, `${s}/${e}`).toBe(
          next === ReadyState.Closed && s !== ReadyState.Closed,
        );
        const sends = [Action.SendClose, Action.SendCloseReply, Action.SendCloseError].filter((b) => a & b).length;
        expect(sends).toBeLessThanOrEqual(1);
        // A Close sent either waits for the peer (timer) or, in the server role, is followed by the TCP close.
        if (sends === 1) expect(a & (Action.StartCloseTimer | Action.Disconnect)).not.toBe(0);
      }
  });

  it("follows RFC 6455 for the close handshake both ways", () => {
    expect(transitionNext(ReadyState.Open, ConnEvent.UserClose)).toBe(ReadyState.Closing);
    expect(transitionActions(ReadyState.Open, ConnEvent.UserClose)).toBe(Action.SendClose | Action.StartCloseTimer);
    expect(transitionActions(ReadyState.Open, ConnEvent.CloseReceived)).toBe(
      Action.SendCloseReply | Action.StartCloseTimer,
    );
    // The server closes TCP first; the client only drops it itself after the timeout.
    expect(transitionActions(ReadyState.Closing, ConnEvent.TcpClosed)).toBe(Action.NotifyClosed);
    expect(transitionActions(ReadyState.Closing, ConnEvent.CloseTimeout)).toBe(Action.Disconnect | Action.NotifyClosed);
    // A second Close (the server's reply to ours) changes nothing.
    expect(transitionRow(ReadyState.Closing, ConnEvent.CloseReceived)).toBe(-1);
    // Closing while still connecting drops TCP without a Close frame (§7.1.7 "fail" before the handshake completes).
    expect(transitionActions(ReadyState.Connecting, ConnEvent.UserClose)).toBe(Action.Disconnect | Action.NotifyClosed);
    expect(transitionActions(ReadyState.Open, ConnEvent.TcpClosed)).toBe(Action.NotifyClosed);
  });

  it("closes TCP first in the server role (RFC 6455 §7.1.1)", () => {
    // The client's Close is echoed and TCP closed at once.
    expect(transitionActions(ReadyState.Open, ConnEvent.ServerCloseReceived)).toBe(
      Action.SendCloseReply | Action.Disconnect | Action.NotifyClosed,
    );
    // The client's reply to our Close ends it too.
    expect(transitionActions(ReadyState.Closing, ConnEvent.ServerCloseReceived)).toBe(
      Action.Disconnect | Action.NotifyClosed,
    );
    expect(transitionActions(ReadyState.Open, ConnEvent.ServerProtocolError)).toBe(
      Action.SendCloseError | Action.NotifyError | Action.Disconnect | Action.NotifyClosed,
    );
    expect(transitionNext(ReadyState.Open, ConnEvent.ServerCloseReceived)).toBe(ReadyState.Closed);
  });
});
