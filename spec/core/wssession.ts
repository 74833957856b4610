/**
 * The session around one WebSocket connection, without I/O: what happens
 * beyond RFC 6455's ready states (conn.ts) for as long as the user's handle
 * lives. It decides when the close handshake has timed out, when a keepalive
 * Ping goes out and when silence fails the connection, whether a message is
 * sent now, queued (within the send-queue budget) or refused, whether a
 * closed connection reconnects (after the backoff delay) or finishes, and what
 * the user is told when. The I/O layer (the SourcePawn glue, the Node harness
 * spec/harness/wsClient.ts) calls these functions at the same points and
 * carries out what they return; it keeps the sockets, the timer, the bytes
 * of the queue and the callbacks, and decides nothing.
 *
 * Times are int milliseconds from a counter that may wrap (only differences
 * are used, as in heartbeat.ts); randomness comes in as parameters.
 */

import { BACKOFF_DEFAULT_BASE_MS, BACKOFF_DEFAULT_JITTER_PERMILLE, BACKOFF_DEFAULT_MAX_MS } from "./backoff.js";
import { BACKOFF_LIMIT_MS, Backoff, backoffInit, backoffNext, backoffReset } from "./backoff.js";
import { CloseCode, MAX_CLOSE_REASON, closeCodeInvitesReconnect } from "./close.js";
import { bytesPutAscii, bytesPutUint } from "./bytes.js";
import { CONFIG_CLOSE_TIMEOUT_MS, CONFIG_MAX_HANDSHAKE_RESPONSE, CONFIG_SEND_QUEUE_BYTES } from "./config.js";
import { ConnOut, WsConn, connApply, connRefusedStatus } from "./conn.js";
import { HandshakeError } from "./handshake.js";
import { heartbeatExpired } from "./heartbeat.js";
import { Action, ConnEvent, ReadyState } from "./state.js";

/**
 * Errors a session reports, numbered as websocket.inc's WebsocketError (the
 * plugin hands them to its error callbacks unchanged).
 */
export const enum SessionError {
  None = 0,
  Socket = 1,
  Tls = 2,
  TlsUnavailable = 3,
  BadUrl = 4,
  ConnectionLost = 5,
  HandshakeRejected = 6,
  HandshakeInvalid = 7,
  Request = 8,
  Protocol = 9,
  QueueOverflow = 10,
  Timeout = 11,
  PacketInvalid = 12,
  Unsupported = 13,
  NoFreeSlot = 14,
  MessageTooLarge = 15,
  TooLargeForServer = 16,
  TlsTunnel = 17,
}

/** Who a session reports to; numbered as the plugin's connection kinds. */
export const enum SessionRole {
  /** A plugin's own connection (Websocket_Connect): keepalive, reconnect, every callback. */
  Client = 0,
  /** The WebSocket of a Socket.IO session (siosession.ts): that session decides reconnects. */
  Transport = 1,
  /** Left by its owner: finishes its close handshake silently, then is released. */
  Orphan = 2,
  /** Accepted on a listening socket (server role): must send its opening request in time. */
  Child = 3,
}

/** Shortest keepalive interval a user may set (ms), and the longest (one day). */
export const SESSION_MIN_KEEPALIVE_MS = 1000;
export const SESSION_MAX_KEEPALIVE_MS = 86400000;

/** How long an accepted client may take to send its whole opening request (ms). */
export const SESSION_REQUEST_TIMEOUT_MS = 10000;

/**
 * A reconnect policy (the core's Backoff) and the attempt it has scheduled;
 * shared by WebSocket sessions and Socket.IO sessions.
 */
export class Reconnect {
  enabled = false;
  /** An attempt is scheduled at `at`. */
  pending = false;
  at = 0;
  backoff = new Backoff();
}

/** The default policy (socket.io-client's delays, unlimited attempts), on or off, with nothing scheduled. */
export function reconnectInit(rc: Reconnect, enabled: boolean): void {
  rc.enabled = enabled;
  rc.pending = false;
  rc.at = 0;
  backoffInit(rc.backoff, BACKOFF_DEFAULT_BASE_MS, BACKOFF_DEFAULT_MAX_MS, BACKOFF_DEFAULT_JITTER_PERMILLE, 0);
}

/** Which argument of a reconnect policy reconnectConfigure refused. */
export const enum ReconnectArg {
  Ok = 0,
  DelayMs = 1,
  DelayMaxMs = 2,
  MaxAttempts = 3,
  JitterPermille = 4,
}

/**
 * Sets a policy from the *_SetReconnect arguments: -1 stands for the default
 * of delayMs, delayMaxMs, jitterPermille and maxAttempts (0, unlimited).
 * Ranges: delays 0..BACKOFF_LIMIT_MS, maxAttempts >= 0, jitter 0..1000.
 * Returns the first argument out of range (changing nothing), or
 * ReconnectArg.Ok. Resets the attempt count; a scheduled attempt keeps its time.
 */
export function reconnectConfigure(
  rc: Reconnect,
  enabled: boolean,
  delayMs: number,
  delayMaxMs: number,
  maxAttempts: number,
  jitterPermille: number,
): number {
  const delay = delayMs === -1 ? BACKOFF_DEFAULT_BASE_MS : delayMs;
  const delayMax = delayMaxMs === -1 ? BACKOFF_DEFAULT_MAX_MS : delayMaxMs;
  const attempts = maxAttempts === -1 ? 0 : maxAttempts;
  const jitter = jitterPermille === -1 ? BACKOFF_DEFAULT_JITTER_PERMILLE : jitterPermille;
  if (delay < 0 || delay > BACKOFF_LIMIT_MS) {
    return ReconnectArg.DelayMs;
  }
  if (delayMax < 0 || delayMax > BACKOFF_LIMIT_MS) {
    return ReconnectArg.DelayMaxMs;
  }
  if (attempts < 0) {
    return ReconnectArg.MaxAttempts;
  }
  if (jitter < 0 || jitter > 1000 || !backoffInit(rc.backoff, delay, delayMax, jitter, attempts)) {
    return ReconnectArg.JitterPermille;
  }
  rc.enabled = enabled;
  return ReconnectArg.Ok;
}

/**
 * Schedules the next attempt after the backoff delay (random16: uniform
 * 0..65535). Returns false, scheduling nothing, once maxAttempts attempts were
 * made since the last success.
 */
export function reconnectSchedule(rc: Reconnect, nowMs: number, random16: number): boolean {
  const delay = backoffNext(rc.backoff, random16);
  if (delay < 0) {
    return false;
  }
  rc.pending = true;
  rc.at = (nowMs + delay) | 0;
  return true;
}

/** True, once, when the scheduled attempt is due at nowMs (the schedule is then cleared). */
export function reconnectDue(rc: Reconnect, nowMs: number): boolean {
  if (!rc.pending || ((nowMs - rc.at) | 0) < 0) {
    return false;
  }
  rc.pending = false;
  return true;
}

/** Milliseconds until the scheduled attempt (0 when due), or -1 when none is scheduled. */
export function reconnectRemainingMs(rc: Readonly<Reconnect>, nowMs: number): number {
  if (!rc.pending) {
    return -1;
  }
  const left = (rc.at - nowMs) | 0;
  return left < 0 ? 0 : left;
}

/** One WebSocket connection's session state (the protocol state is the WsConn beside it). */
export class WsSession {
  role = 0;
  rc = new Reconnect();
  /** The user closed it: no reconnect, whatever happens next. */
  userClosed = false;
  /** The same opening request would fail again (it could not be built): no reconnect. */
  noRetry = false;
  /** The current attempt reached OPEN (a disconnect callback is owed when it ends). */
  wasOpen = false;
  /** The end of the current attempt was handled (wsSessionClosed). */
  closedNotified = false;
  /** The opening request of the current attempt went out (the Set* natives are refused after it). */
  requestSent = false;
  /** The close handshake must finish by closeDeadline. */
  closeTimer = false;
  closeDeadline = 0;
  /** Keepalive interval (0 = off), and when something last arrived and the last keepalive Ping went out. */
  keepaliveMs = 0;
  lastRecvMs = 0;
  lastPingMs = 0;
  /** When the session started (a child's opening request timeout runs from there). */
  startedAt = 0;
  /** Bytes of frames queued while not open (the I/O layer keeps the bytes; at most CONFIG_SEND_QUEUE_BYTES). */
  queueLen = 0;
  /** The close code and reason of the user's close (sent in the Close frame). */
  userCode = 0;
  userReason = new Uint8Array(MAX_CLOSE_REASON);
  userReasonLen = 0;
  /** What the last tick found (a WsTick) and the Action bits it applied. */
  tick = 0;
  actions = 0;
  /** The error the last step reports (SessionError) and its detail (see websocket.inc's WebsocketError). */
  error = 0;
  detail = 0;
}

/** Starts a session in `role` (a SessionRole) at nowMs: nothing queued, reconnect off. */
export function wsSessionInit(s: WsSession, role: number, nowMs: number): void {
  s.role = role;
  reconnectInit(s.rc, false);
  s.userClosed = false;
  s.noRetry = false;
  s.wasOpen = false;
  s.closedNotified = false;
  s.requestSent = false;
  s.closeTimer = false;
  s.closeDeadline = 0;
  s.keepaliveMs = 0;
  s.lastRecvMs = nowMs;
  s.lastPingMs = nowMs;
  s.startedAt = nowMs;
  s.queueLen = 0;
  s.userCode = CloseCode.Normal;
  s.userReasonLen = 0;
  s.tick = 0;
  s.actions = 0;
  s.error = SessionError.None;
  s.detail = 0;
}

/**
 * A new attempt starts (the first, or a reconnect): nothing of the last one's
 * end is pending. The I/O layer then opens the socket and, once TCP is up,
 * sends the opening request (wsSessionRequestSent).
 */
export function wsSessionAttempt(s: WsSession): void {
  s.closedNotified = false;
  s.closeTimer = false;
  s.requestSent = false;
}

/**
 * The opening request of this attempt was written (ok), or could not be built:
 * then the I/O layer applies ConnEvent.SocketError, and no reconnect follows
 * (the same request would fail again).
 */
export function wsSessionRequestSent(s: WsSession, ok: boolean): void {
  s.requestSent = true;
  if (!ok) {
    s.noRetry = true;
  }
}

/**
 * Applies a ready-state event to the connection (connApply) and keeps the
 * session's part of it (wsSessionKeep). Returns the Action bits for the I/O
 * layer to carry out, in bit order; on NotifyOpen it writes the queued frames
 * before the open callback, and on NotifyClosed it calls wsSessionClosed.
 */
export function wsSessionApply(s: WsSession, c: WsConn, event: number, nowMs: number): number {
  const actions = connApply(c, event);
  wsSessionKeep(s, actions, nowMs);
  return actions;
}

/**
 * After connFeed or connAccept, which apply ready-state events themselves:
 * keeps the session's part of the actions they produced (c.actions) and
 * returns them, as wsSessionApply does.
 */
export function wsSessionFed(s: WsSession, c: Readonly<WsConn>, nowMs: number): number {
  wsSessionKeep(s, c.actions, nowMs);
  return c.actions;
}

/**
 * The session's part of Action bits: the close timer starts with
 * StartCloseTimer; NotifyOpen marks the attempt open, restarts keepalive,
 * empties the queue (the I/O layer writes it now) and clears the reconnect
 * backoff.
 */
function wsSessionKeep(s: WsSession, actions: number, nowMs: number): void {
  if ((actions & Action.StartCloseTimer) !== 0) {
    s.closeTimer = true;
    s.closeDeadline = (nowMs + CONFIG_CLOSE_TIMEOUT_MS) | 0;
  }
  if ((actions & Action.NotifyOpen) !== 0) {
    s.lastRecvMs = nowMs;
    s.lastPingMs = nowMs;
    s.wasOpen = true;
    s.queueLen = 0;
    backoffReset(s.rc.backoff);
  }
}

/** What wsSessionClosed decides, as bits carried out in this order. */
export const enum WsClosed {
  /** The end of this attempt was already handled: nothing to do. */
  None = 0,
  /** Reconnect: drop the socket and wait for the attempt scheduled at s.rc.at (the slot stays). */
  Retry = 1,
  /** The attempt had opened: call the disconnect callback with willReconnect = true. */
  NotifyRetry = 2,
  /** Finished for good: the final disconnect callback (willReconnect = false), then release. */
  Finish = 4,
}

/**
 * The connection reached CLOSED (Action.NotifyClosed): reconnect or finish.
 * A client reconnects when reconnect is on, the user did not close it, the
 * request could be built, and it ended abnormally (TCP drop 1006, socket
 * error, failed handshake, timeouts, protocol error) or with a close code
 * that invites it (closeCodeInvitesReconnect), and maxAttempts are not used
 * up. random16: uniform 0..65535 for the backoff jitter. Returns WsClosed bits.
 */
export function wsSessionClosed(s: WsSession, c: Readonly<WsConn>, nowMs: number, random16: number): number {
  if (s.closedNotified) {
    return WsClosed.None;
  }
  s.closedNotified = true;
  s.closeTimer = false;
  if (s.role !== SessionRole.Client || !s.rc.enabled || s.userClosed || s.noRetry) {
    return wsSessionFinish(s);
  }
  if (c.closeReceived && !closeCodeInvitesReconnect(c.closeCode)) {
    return wsSessionFinish(s);
  }
  if (!reconnectSchedule(s.rc, nowMs, random16)) {
    return wsSessionFinish(s);
  }
  if (s.wasOpen) {
    s.wasOpen = false;
    return WsClosed.Retry | WsClosed.NotifyRetry;
  }
  return WsClosed.Retry;
}

/** Ends the session for good (no attempt stays scheduled); returns WsClosed.Finish. */
export function wsSessionFinish(s: WsSession): number {
  s.rc.pending = false;
  s.closeTimer = false;
  return WsClosed.Finish;
}

/** What a tick found; the I/O layer acts on s.tick after wsSessionTick. */
export const enum WsTick {
  None = 0,
  /** The scheduled reconnect is due: start the next attempt (wsSessionAttempt, then the socket). */
  Reconnect = 1,
  /** Action bits in s.actions: a child sent no complete opening request in time (closed, nothing to report). */
  RequestTimeout = 2,
  /** Action bits in s.actions: the peer did not finish the close handshake in time. */
  CloseTimeout = 3,
  /** Action bits in s.actions: keepalive found nothing received for two intervals (s.error, s.detail = ms waited). */
  KeepaliveTimeout = 4,
  /** Send a keepalive Ping (empty payload) now. */
  Ping = 5,
}

/**
 * The timer's look at one session at nowMs: at most one thing happens per
 * tick, in this order: a due reconnect, a child's request timeout, the close
 * timeout, then keepalive (a client's only; silence for two intervals fails
 * the connection, otherwise a Ping goes out every interval). Sets s.tick
 * (a WsTick) and, when it applied an event, s.actions; returns s.tick.
 */
export function wsSessionTick(s: WsSession, c: WsConn, nowMs: number): number {
  s.tick = WsTick.None;
  s.actions = Action.None;
  s.error = SessionError.None;
  s.detail = 0;
  if (reconnectDue(s.rc, nowMs)) {
    wsSessionAttempt(s);
    s.tick = WsTick.Reconnect;
    return s.tick;
  }
  const state = c.state;
  if (
    state === ReadyState.Connecting &&
    s.role === SessionRole.Child &&
    ((nowMs - s.startedAt) | 0) >= SESSION_REQUEST_TIMEOUT_MS
  ) {
    s.tick = WsTick.RequestTimeout;
    s.actions = wsSessionApply(s, c, ConnEvent.UserClose, nowMs);
    return s.tick;
  }
  if (state === ReadyState.Closing && s.closeTimer && ((nowMs - s.closeDeadline) | 0) >= 0) {
    s.closeTimer = false;
    s.tick = WsTick.CloseTimeout;
    s.actions = wsSessionApply(s, c, ConnEvent.CloseTimeout, nowMs);
    return s.tick;
  }
  const interval = s.keepaliveMs;
  if (state !== ReadyState.Open || interval <= 0 || s.role !== SessionRole.Client) {
    return s.tick;
  }
  if (heartbeatExpired(nowMs, s.lastRecvMs, interval, interval)) {
    s.tick = WsTick.KeepaliveTimeout;
    s.error = SessionError.Timeout;
    s.detail = (nowMs - s.lastRecvMs) | 0;
    s.actions = wsSessionApply(s, c, ConnEvent.SocketError, nowMs);
    return s.tick;
  }
  if (((nowMs - s.lastPingMs) | 0) >= interval) {
    s.lastPingMs = nowMs;
    s.tick = WsTick.Ping;
  }
  return s.tick;
}

/** Bytes arrived at nowMs (keepalive counts any byte as a sign of life). */
export function wsSessionReceived(s: WsSession, nowMs: number): void {
  s.lastRecvMs = nowMs;
}

/**
 * Sets the keepalive interval (0 = off, else SESSION_MIN_KEEPALIVE_MS ..
 * SESSION_MAX_KEEPALIVE_MS); the next Ping is one interval from nowMs.
 * Returns false, changing nothing, for a value out of range.
 */
export function wsSessionSetKeepalive(s: WsSession, intervalMs: number, nowMs: number): boolean {
  if (intervalMs !== 0 && (intervalMs < SESSION_MIN_KEEPALIVE_MS || intervalMs > SESSION_MAX_KEEPALIVE_MS)) {
    return false;
  }
  s.keepaliveMs = intervalMs;
  s.lastPingMs = nowMs;
  return true;
}

/** What becomes of a message the user sends (wsSessionSend). */
export const enum WsSend {
  /** Write the frame now. */
  Now = 0,
  /** Append the frame to the queue: it goes out, in order, when the connection opens. */
  Queue = 1,
  /** Not sent: the queue has no room (s.error QueueOverflow, s.detail = the frame's bytes). */
  Overflow = 2,
  /** Not sent: the connection is closing or closed (the user should check the ready state). */
  Closing = 3,
}

/** True when the user may still send: CONNECTING, OPEN, or waiting to reconnect. */
export function wsSessionCanSend(s: Readonly<WsSession>, c: Readonly<WsConn>): boolean {
  return c.state === ReadyState.Connecting || c.state === ReadyState.Open || s.rc.pending;
}

/**
 * The user sends a message whose frame is frameLen bytes (negative: it could
 * not be encoded). While OPEN it is written now; while CONNECTING or waiting
 * to reconnect it is queued when the queue has room (CONFIG_SEND_QUEUE_BYTES
 * in all), never dropped silently. Returns a WsSend.
 */
export function wsSessionSend(s: WsSession, c: Readonly<WsConn>, frameLen: number): number {
  s.error = SessionError.None;
  s.detail = 0;
  if (!wsSessionCanSend(s, c)) {
    return WsSend.Closing;
  }
  if (c.state === ReadyState.Open) {
    return WsSend.Now;
  }
  if (frameLen < 0 || frameLen > CONFIG_SEND_QUEUE_BYTES - s.queueLen) {
    s.error = SessionError.QueueOverflow;
    s.detail = frameLen;
    return WsSend.Overflow;
  }
  s.queueLen += frameLen;
  return WsSend.Queue;
}

/** The queue was emptied without being sent (the connection was left or released). */
export function wsSessionDropQueue(s: WsSession): void {
  s.queueLen = 0;
}

/** What a close asked of the session (wsSessionUserClose, wsSessionOrphan) requires. */
export const enum WsUserClose {
  /** Nothing to do: the connection is already closing or closed. */
  None = 0,
  /** Action bits in s.actions: the close handshake (or, while connecting, the drop) has begun. */
  Apply = 1,
  /** It was waiting to reconnect: the attempt is cancelled and it finishes now (WsClosed.Finish). */
  Finish = 2,
}

/**
 * The user closes with code and reason[off..off+len) (the caller checked them:
 * closeCodeValidOnWire, at most MAX_CLOSE_REASON bytes of UTF-8). No reconnect
 * follows, even when the connection is already closing. Returns a WsUserClose.
 */
export function wsSessionUserClose(
  s: WsSession,
  c: WsConn,
  code: number,
  reason: Readonly<Uint8Array>,
  off: number,
  len: number,
  nowMs: number,
): number {
  s.userClosed = true;
  s.actions = Action.None;
  if (s.rc.pending) {
    wsSessionFinish(s);
    return WsUserClose.Finish;
  }
  if (c.state !== ReadyState.Connecting && c.state !== ReadyState.Open) {
    return WsUserClose.None;
  }
  s.userCode = code;
  for (let i = 0; i < len; i++) {
    s.userReason[i] = reason[off + i];
  }
  s.userReasonLen = len;
  s.actions = wsSessionApply(s, c, ConnEvent.UserClose, nowMs);
  return WsUserClose.Apply;
}

/**
 * The owner leaves the connection (it unloads, or a Socket.IO session drops
 * its transport): from now on it reports to no one, its queue is dropped, an
 * open connection finishes its close handshake with `code`, one still
 * connecting is dropped. Returns a WsUserClose.
 */
export function wsSessionOrphan(s: WsSession, c: WsConn, code: number, nowMs: number): number {
  s.role = SessionRole.Orphan;
  s.queueLen = 0;
  return wsSessionUserClose(s, c, code, s.userReason, 0, 0, nowMs);
}

/**
 * What a connFeed output `out` (a ConnOut) reports to the user: sets s.error (a SessionError) and
 * s.detail, and writes its text at text[off..cap) (returns the offset after it, -1 when it does
 * not fit, `off` when there is nothing to report). A refused upgrade (another HTTP status) is
 * HandshakeRejected with the status; any other failed handshake HandshakeInvalid with the
 * handshake error (the response block over CONFIG_MAX_HANDSHAKE_RESPONSE said so); a peer
 * breaking RFC 6455 is Protocol with the close code the connection is failed with.
 */
export function wsSessionFailure(
  s: WsSession,
  c: Readonly<WsConn>,
  out: number,
  text: Uint8Array,
  off: number,
  cap: number,
): number {
  s.error = SessionError.None;
  s.detail = 0;
  if (out === ConnOut.HandshakeFailed) {
    const status = connRefusedStatus(c);
    if (status !== 0) {
      s.error = SessionError.HandshakeRejected;
      s.detail = status;
      const o = bytesPutAscii(text, off, cap, "handshake rejected: the server answered with HTTP status ");
      return bytesPutUint(text, o, cap, status);
    }
    s.error = SessionError.HandshakeInvalid;
    s.detail = c.hs.error;
    if (c.hs.error === HandshakeError.TooLarge) {
      let o = bytesPutAscii(text, off, cap, "handshake failed: the response header block is larger than ");
      o = bytesPutUint(text, o, cap, CONFIG_MAX_HANDSHAKE_RESPONSE);
      o = bytesPutAscii(text, o, cap, " bytes (the limit), no end after ");
      o = bytesPutUint(text, o, cap, c.hs.reader.total);
      return bytesPutAscii(text, o, cap, " bytes");
    }
    const o = bytesPutAscii(text, off, cap, "handshake failed: invalid upgrade response (handshake error ");
    return bytesPutAscii(text, bytesPutUint(text, o, cap, c.hs.error), cap, ")");
  }
  if (out === ConnOut.ProtocolError) {
    s.error = SessionError.Protocol;
    s.detail = c.failCode;
    let o = bytesPutAscii(text, off, cap, "protocol error: the ");
    if (c.server) {
      o = bytesPutAscii(text, o, cap, "client");
    } else {
      o = bytesPutAscii(text, o, cap, "server");
    }
    o = bytesPutAscii(text, o, cap, " broke RFC 6455, failing the connection with close code ");
    return bytesPutUint(text, o, cap, c.failCode);
  }
  return off;
}
