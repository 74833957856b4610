/**
 * The ready-state machine of one WebSocket connection (RFC 6455 §4, §7) as
 * data: every (state, event) pair that matters has a row giving the next
 * state and the actions the I/O layer must carry out, in the order of the
 * Action bits. Pairs without a row leave the state unchanged and do nothing.
 * The generator prints the table as a constant array.
 */

/** Ready states, numbered as the sm-websocket WebsocketReadyState enum. */
export const enum ReadyState {
  Connecting = 0,
  Open = 1,
  Closing = 2,
  Closed = 3,
}

/** What happened to the connection. */
export const enum ConnEvent {
  /** The server accepted the opening handshake. */
  HandshakeOk = 0,
  /** The opening handshake failed (bad response, refused upgrade). */
  HandshakeFailed = 1,
  /** The user asked to close. */
  UserClose = 2,
  /** A Close frame arrived from the server. */
  CloseReceived = 3,
  /** The server broke the protocol; we fail the connection with a close code. */
  ProtocolError = 4,
  /** TCP closed by the peer. */
  TcpClosed = 5,
  /** The socket reported an error (connect, send, receive). */
  SocketError = 6,
  /** The close handshake took longer than allowed. */
  CloseTimeout = 7,
  /**
   * Server role: a Close frame arrived from the client. The server answers (when it
   * has not sent one yet) and closes TCP first (RFC 6455 §7.1.1), so that the client
   * does not hold the TIME_WAIT state.
   */
  ServerCloseReceived = 8,
  /** Server role: the client broke the protocol; the server sends the close code and closes TCP (§7.1.7). */
  ServerProtocolError = 9,
}

/** Actions, as bits; the I/O layer performs them in increasing bit order. */
export const enum Action {
  None = 0,
  /** Send a Close frame with the user's code and reason. */
  SendClose = 1,
  /** Answer the server's Close frame by echoing its code (RFC 6455 §5.5.1). */
  SendCloseReply = 2,
  /** Send a Close frame with the protocol-error code from the decoder. */
  SendCloseError = 4,
  /** Start the timer that ends a close handshake the server does not finish. */
  StartCloseTimer = 8,
  /** Tell the user the connection is open, then flush the send queue in order. */
  NotifyOpen = 16,
  /** Report an error to the user. */
  NotifyError = 32,
  /** Close the TCP socket ourselves. */
  Disconnect = 64,
  /** Tell the user the connection is closed and release its state. */
  NotifyClosed = 128,
}

/** Number of columns in TRANSITIONS: state, event, next state, actions. */
export const TRANSITION_COLUMNS = 4;

/** The transition table, one row of TRANSITION_COLUMNS ints per (state, event). */
// prettier-ignore
export const TRANSITIONS: readonly number[] = [
  ReadyState.Connecting, ConnEvent.HandshakeOk, ReadyState.Open, Action.NotifyOpen,
  ReadyState.Connecting, ConnEvent.HandshakeFailed, ReadyState.Closed, Action.NotifyError | Action.Disconnect | Action.NotifyClosed,
  ReadyState.Connecting, ConnEvent.UserClose, ReadyState.Closed, Action.Disconnect | Action.NotifyClosed,
  ReadyState.Connecting, ConnEvent.TcpClosed, ReadyState.Closed, Action.NotifyError | Action.NotifyClosed,
  ReadyState.Connecting, ConnEvent.SocketError, ReadyState.Closed, Action.NotifyError | Action.Disconnect | Action.NotifyClosed,
  ReadyState.Connecting, ConnEvent.ProtocolError, ReadyState.Closed, Action.NotifyError | Action.Disconnect | Action.NotifyClosed,
  ReadyState.Open, ConnEvent.UserClose, ReadyState.Closing, Action.SendClose | Action.StartCloseTimer,
  ReadyState.Open, ConnEvent.CloseReceived, ReadyState.Closing, Action.SendCloseReply | Action.StartCloseTimer,
  ReadyState.Open, ConnEvent.ProtocolError, ReadyState.Closing, Action.SendCloseError | Action.StartCloseTimer | Action.NotifyError,
  ReadyState.Open, ConnEvent.TcpClosed, ReadyState.Closed, Action.NotifyClosed,
  ReadyState.Open, ConnEvent.SocketError, ReadyState.Closed, Action.NotifyError | Action.Disconnect | Action.NotifyClosed,
  ReadyState.Closing, ConnEvent.TcpClosed, ReadyState.Closed, Action.NotifyClosed,
  ReadyState.Closing, ConnEvent.CloseTimeout, ReadyState.Closed, Action.Disconnect | Action.NotifyClosed,
  ReadyState.Closing, ConnEvent.SocketError, ReadyState.Closed, Action.Disconnect | Action.NotifyClosed,
  ReadyState.Closing, ConnEvent.ProtocolError, ReadyState.Closed, Action.Disconnect | Action.NotifyClosed,
  ReadyState.Open, ConnEvent.ServerCloseReceived, ReadyState.Closed, Action.SendCloseReply | Action.Disconnect | Action.NotifyClosed,
  ReadyState.Open, ConnEvent.ServerProtocolError, ReadyState.Closed, Action.SendCloseError | Action.NotifyError | Action.Disconnect | Action.NotifyClosed,
  ReadyState.Closing, ConnEvent.ServerCloseReceived, ReadyState.Closed, Action.Disconnect | Action.NotifyClosed,
  ReadyState.Closing, ConnEvent.ServerProtocolError, ReadyState.Closed, Action.Disconnect | Action.NotifyClosed,
];

/** Row index of (state, event) in TRANSITIONS, or -1 when the pair has no row. */
export function transitionRow(state: number, event: number): number {
  for (let i = 0; i < TRANSITIONS.length; i += TRANSITION_COLUMNS) {
    if (TRANSITIONS[i] === state && TRANSITIONS[i + 1] === event) {
      return i;
    }
  }
  return -1;
}

/** The state after `event` in `state`. */
export function transitionNext(state: number, event: number): number {
  const row = transitionRow(state, event);
  if (row < 0) {
    return state;
  }
  return TRANSITIONS[row + 2];
}

/** The actions (Action bits) for `event` in `state`. */
export function transitionActions(state: number, event: number): number {
  const row = transitionRow(state, event);
  if (row < 0) {
    return Action.None;
  }
  return TRANSITIONS[row + 3];
}
