/**
 * A Socket.IO v5 client without I/O, in two records as socket.io-client has
 * them: a SioManager is one Engine.IO connection at a time to one origin
 * (websocket transport only), with its heartbeat watchdog, open timeout and
 * reconnects; a SioSession is one namespace (socket.io-client's Socket) on a
 * manager, and several namespaces share one manager's connection. Together
 * they decide what socket.io-client's Manager and Socket decide. It decides which packet answers which (CONNECT
 * after the Engine.IO open packet, a pong for every ping), when the namespace
 * counts as connected, which emits wait in the queue and when it is flushed,
 * the acknowledgement table, the heartbeat watchdog, the open timeout, what
 * ends the session (a server DISCONNECT or CONNECT_ERROR: no reconnect, as in
 * socket.io-client after "io server disconnect") and when a lost transport is
 * reconnected (after the backoff delay). The I/O layer (the SourcePawn glue,
 * spec/harness/sioClient.ts) opens and drops the transports (WebSocket
 * sessions, wssession.ts), keeps the queued bytes and the callbacks, and
 * carries out what these functions return.
 *
 * Times are int milliseconds from a wrapping counter; randomness comes in as
 * parameters.
 */

import { backoffInit, backoffReset } from "./backoff.js";
import { bytesPut, bytesPutAscii } from "./bytes.js";
import { CONFIG_SEND_QUEUE_BYTES } from "./config.js";
import { EioOpenInfo, EioPacket, eioEncodePong, eioMaxPacket, eioPacketType, eioParseOpen } from "./engineio.js";
import { Opcode } from "./frame.js";
import { heartbeatExpired } from "./heartbeat.js";
import { jsonFindKey, jsonSkipString, jsonSkipValue, jsonSkipWs } from "./json.js";
import {
  SioEncodeError,
  SioError,
  SioPacket,
  SioParsed,
  sioEncodeConnect,
  sioEncodeDisconnect,
  sioEventName,
  sioNspEquals,
  sioParse,
  sioPlaceholders,
} from "./socketio.js";
import { Reconnect, SessionError, reconnectDue, reconnectInit, reconnectSchedule } from "./wssession.js";

/** How long a transport may take to deliver the Engine.IO open packet (socket.io-client's `timeout` option, ms). */
export const SIO_OPEN_TIMEOUT_MS = 20000;

/** Acknowledgements that may wait at once, per session. */
export const SIO_MAX_PENDING_ACKS = 64;

/** Longest namespace (bytes), and longest auth JSON (bytes). */
export const SIO_MAX_NAMESPACE = 255;
export const SIO_MAX_AUTH = 4095;

/**
 * Longest private session id (`pid`) and event offset kept for connection state
 * recovery, as raw JSON string tokens (quotes included, bytes). socket.io 4.x
 * makes both with base64id (20 characters); longer ones are not kept (the
 * session then just does not recover).
 */
export const SIO_MAX_RECOVERY_TOKEN = 128;

/** Longest acknowledgement timeout an emit may ask for (ms, one day). */
export const SIO_MAX_ACK_TIMEOUT_MS = 86400000;

/** The state of one entry of the acknowledgement table. */
export const enum SioAckState {
  Free = 0,
  /** The emit waits in the queue: it is sent (and its ack awaited) once the namespace is joined. */
  Queued = 1,
  /** The emit went out on the current transport: its ACK may arrive. */
  Sent = 2,
  /**
   * The emit went out on a transport that is gone, so its ACK cannot come, and it has a
   * timeout: its callback is owed a failure (sioSessionTakeFailedAck).
   */
  Lost = 3,
}

/** Why a transport or the session ended: the reason socket.io-client gives (sioReasonText). */
export const enum SioReason {
  None = 0,
  TransportClose = 1,
  TransportError = 2,
  PingTimeout = 3,
  ParseError = 4,
  IoServerDisconnect = 5,
  IoClientDisconnect = 6,
  ConnectError = 7,
  ReconnectFailed = 8,
}

/** Why an event was dropped (SioOut.Error with SessionError.Unsupported). */
export const enum SioDrop {
  None = 0,
  /** A binary Engine.IO message (detail: the WebSocket opcode). */
  BinaryMessage = 1,
  /** Not reported any more: BINARY_EVENT and BINARY_ACK are delivered with their attachments. */
  BinaryPacket = 2,
  /** The event name does not fit the caller's name buffer. */
  NameTooLong = 3,
  /** The event name contains U+0000 (a SourcePawn string would end there). */
  NameNul = 4,
}

/**
 * One Engine.IO connection at a time to one origin, shared by the namespaces
 * (SioSession) on it: socket.io-client's Manager.
 */
export class SioManager {
  /** Its reconnect policy (the first namespace's, see sioManagerInit) and the attempt scheduled. */
  rc = new Reconnect();
  /** A transport exists for the current attempt (its WebSocket may still be connecting). */
  transport = false;
  /** The current transport reported an error (its end is then a "transport error"). */
  sawError = false;
  /** The Engine.IO open packet arrived on the current transport. */
  engineOpen = false;
  /** The manager is closing for good (no namespace is left on it). */
  finishing = false;
  /** When the current transport started, and when the open packet or the last ping arrived. */
  openedAt = 0;
  lastPingMs = 0;
  info = new EioOpenInfo();
  /**
   * A BINARY_EVENT/BINARY_ACK arrived and awaits its attachments (socket.io-parser's
   * reconstruction): how many it announced, and how many binary messages are still to come
   * (0: none awaited). The I/O layer keeps the packet and the attachments' bytes.
   */
  attachCount = 0;
  attachLeft = 0;
  /** Outputs of the last step: see each function. */
  reason = 0;
  error = 0;
  detail = 0;
  drop = 0;
  outLen = 0;
}

/** One Socket.IO namespace on a manager: its auth, CONNECT state, emit queue, acks and recovery state. */
export class SioSession {
  nsp = new Uint8Array(SIO_MAX_NAMESPACE);
  nspLen = 0;
  auth = new Uint8Array(SIO_MAX_AUTH);
  authLen = 0;
  /** The reconnect policy asked for this namespace (SocketIO_SetReconnect); its manager's is the one in force. */
  rc = new Reconnect();
  /** The user (SocketIO_Close) or the server (DISCONNECT, CONNECT_ERROR) ended it: no reconnect. */
  userClosed = false;
  /** The session is ending: nothing but the final disconnect is left. */
  finishing = false;
  /** The CONNECT for this namespace went out on the current transport (it may receive its packets). */
  joining = false;
  /** The server confirmed the namespace (CONNECT) on the current transport. */
  connected = false;
  nextAckId = 0;
  /** Bytes of frames queued while not connected (the I/O layer keeps them). */
  queueLen = 0;
  /** The acknowledgement table: entry k's SioAckState and ack id. */
  ackState = new Int32Array(SIO_MAX_PENDING_ACKS);
  ackId = new Int32Array(SIO_MAX_PENDING_ACKS);
  /** Entry k's timeout in ms (0: none; its callback then waits as long as the connection lives) and its deadline. */
  ackTimeout = new Int32Array(SIO_MAX_PENDING_ACKS);
  /** Entry k's emit while it is queued: the bytes it takes in the queue (its frames). */
  ackQueued = new Int32Array(SIO_MAX_PENDING_ACKS);
  /**
   * Output of sioSessionTakeFailedAck: the entry it handed out was still queued, so its emit is taken
   * out of the queue (as socket.io-client removes it from its send buffer): the I/O layer drops
   * that emit's frames, and queueLen no longer counts them.
   */
  unqueued = false;
  ackDeadline = new Int32Array(SIO_MAX_PENDING_ACKS);
  /**
   * Connection state recovery: the private session id the server's CONNECT gave (raw JSON
   * string token, pidLen 0 when the server does not offer recovery) and the offset of the
   * last event received (the string the server appends as the last argument).
   */
  pid = new Uint8Array(SIO_MAX_RECOVERY_TOKEN);
  pidLen = 0;
  offset = new Uint8Array(SIO_MAX_RECOVERY_TOKEN);
  offsetLen = 0;
  /** The last CONNECT restored the previous session (the server replays the events missed meanwhile). */
  recovered = false;
  /** Outputs of the last step: see each function. */
  reason = 0;
  error = 0;
  detail = 0;
  drop = 0;
  ack = 0;
  outLen = 0;
  nameLen = 0;
}

/**
 * Starts a session for namespace nsp[nOff..nOff+nLen) with auth JSON
 * auth[aOff..aOff+aLen) (both checked by the caller with sioEncodeConnect),
 * reconnect on with the default policy. It joins a manager on the next tick
 * (after the user's Hook/Set calls): one of the same origin that does not hold
 * this namespace yet, or a new one (socket.io-client's multiplexing).
 * Returns false when either is longer than SIO_MAX_NAMESPACE / SIO_MAX_AUTH.
 */
export function sioSessionInit(
  s: SioSession,
  nsp: Readonly<Uint8Array>,
  nOff: number,
  nLen: number,
  auth: Readonly<Uint8Array>,
  aOff: number,
  aLen: number,
): boolean {
  if (nLen < 0 || nLen > SIO_MAX_NAMESPACE || aLen < 0 || aLen > SIO_MAX_AUTH) {
    return false;
  }
  for (let i = 0; i < nLen; i++) {
    s.nsp[i] = nsp[nOff + i];
  }
  s.nspLen = nLen;
  for (let i = 0; i < aLen; i++) {
    s.auth[i] = auth[aOff + i];
  }
  s.authLen = aLen;
  reconnectInit(s.rc, true);
  s.userClosed = false;
  s.finishing = false;
  s.joining = false;
  s.connected = false;
  s.nextAckId = 0;
  s.queueLen = 0;
  for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
    s.ackState[k] = SioAckState.Free;
    s.ackId[k] = 0;
    s.ackTimeout[k] = 0;
    s.ackDeadline[k] = 0;
    s.ackQueued[k] = 0;
  }
  s.unqueued = false;
  s.pidLen = 0;
  s.offsetLen = 0;
  s.recovered = false;
  sioSessionClearOut(s);
  return true;
}

/** Clears the outputs of the last step. */
function sioSessionClearOut(s: SioSession): void {
  s.reason = SioReason.None;
  s.error = SessionError.None;
  s.detail = 0;
  s.drop = SioDrop.None;
  s.ack = -1;
  s.outLen = 0;
  s.nameLen = 0;
}

/**
 * Writes socket.io-client's text for a SioReason ("transport close", "ping
 * timeout", "io server disconnect", ...) at out[off..cap); returns the offset
 * after it, or -1 when it does not fit.
 */
export function sioReasonText(reason: number, out: Uint8Array, off: number, cap: number): number {
  switch (reason) {
    case SioReason.TransportClose:
      return bytesPutAscii(out, off, cap, "transport close");
    case SioReason.TransportError:
      return bytesPutAscii(out, off, cap, "transport error");
    case SioReason.PingTimeout:
      return bytesPutAscii(out, off, cap, "ping timeout");
    case SioReason.ParseError:
      return bytesPutAscii(out, off, cap, "parse error");
    case SioReason.IoServerDisconnect:
      return bytesPutAscii(out, off, cap, "io server disconnect");
    case SioReason.IoClientDisconnect:
      return bytesPutAscii(out, off, cap, "io client disconnect");
    case SioReason.ConnectError:
      return bytesPutAscii(out, off, cap, "connect error");
    case SioReason.ReconnectFailed:
      return bytesPutAscii(out, off, cap, "reconnect failed");
    default:
      return bytesPutAscii(out, off, cap, "");
  }
}

/** What a tick found (sioManagerTick). */
export const enum SioTick {
  None = 0,
  /** No ping for pingInterval + pingTimeout: drop the transport, then sioManagerEngineClosed(m.reason PingTimeout). */
  PingTimeout = 1,
  /** No open packet within SIO_OPEN_TIMEOUT_MS: report m.error (detail: ms waited), drop the transport, then sioManagerEngineClosed(m.reason). */
  OpenTimeout = 2,
  /** The scheduled attempt is due: open a new transport, then sioManagerTransportStarted (or sioManagerEngineClosed on failure). */
  Open = 3,
}

/**
 * Starts a manager whose first transport is due at nowMs, with the reconnect
 * policy of `policy` (the namespace that needs it first: socket.io-client's
 * Manager options belong to the first io() call of an origin).
 */
export function sioManagerInit(m: SioManager, policy: Readonly<Reconnect>, nowMs: number): void {
  reconnectInit(m.rc, policy.enabled);
  backoffInit(
    m.rc.backoff,
    policy.backoff.baseMs,
    policy.backoff.maxMs,
    policy.backoff.jitterPermille,
    policy.backoff.maxAttempts,
  );
  m.rc.pending = true;
  m.rc.at = nowMs;
  m.transport = false;
  m.sawError = false;
  m.engineOpen = false;
  m.finishing = false;
  m.openedAt = nowMs;
  m.lastPingMs = nowMs;
  m.info.sidLen = 0;
  m.info.pingInterval = 0;
  m.info.pingTimeout = 0;
  m.info.maxPayload = 0;
  m.attachCount = 0;
  m.attachLeft = 0;
  sioManagerClearOut(m);
}

/** Clears the outputs of the manager's last step. */
function sioManagerClearOut(m: SioManager): void {
  m.reason = SioReason.None;
  m.error = SessionError.None;
  m.detail = 0;
  m.drop = SioDrop.None;
  m.outLen = 0;
}

/** The timer's look at a manager at nowMs: the heartbeat watchdog, the open timeout, then a due reconnect. */
export function sioManagerTick(m: SioManager, nowMs: number): number {
  sioManagerClearOut(m);
  if (m.engineOpen && heartbeatExpired(nowMs, m.lastPingMs, m.info.pingInterval, m.info.pingTimeout)) {
    m.reason = SioReason.PingTimeout;
    return SioTick.PingTimeout;
  }
  if (!m.engineOpen && m.transport && heartbeatExpired(nowMs, m.openedAt, SIO_OPEN_TIMEOUT_MS, 0)) {
    m.error = SessionError.Timeout;
    m.detail = (nowMs - m.openedAt) | 0;
    m.reason = SioReason.TransportError;
    return SioTick.OpenTimeout;
  }
  if (!m.finishing && reconnectDue(m.rc, nowMs)) {
    return SioTick.Open;
  }
  return SioTick.None;
}

/** A transport was started at nowMs (its WebSocket is connecting). */
export function sioManagerTransportStarted(m: SioManager, nowMs: number): void {
  m.transport = true;
  m.sawError = false;
  m.engineOpen = false;
  m.openedAt = nowMs;
  m.attachCount = 0;
  m.attachLeft = 0;
}

/** The current transport reported an error to the user; its end will be a "transport error". */
export function sioManagerTransportFailed(m: SioManager): void {
  m.sawError = true;
}

/** The SioReason for the end of the current transport's WebSocket. */
export function sioManagerTransportEndReason(m: Readonly<SioManager>): number {
  return m.sawError ? SioReason.TransportError : SioReason.TransportClose;
}

/** What the end of a transport means for the manager (sioManagerEngineClosed). */
export const enum SioRetry {
  /** Nothing: the end was already handled (a reconnect is pending, or the manager is closing). */
  None = 0,
  /** A reconnect is scheduled (m.rc.at): every namespace gets sioSessionEngineClosed(m.reason, true). */
  Retry = 1,
  /** No reconnect: every namespace finishes, sioSessionEngineClosed(m.reason, false); then the manager is released. */
  GiveUp = 2,
}

/**
 * The transport is gone (closed, failed, dropped by us, or could not be
 * started) for `reason` (a SioReason). `wanted`: some namespace on the
 * manager still wants the connection (sioSessionWantsTransport). The manager
 * reconnects after the backoff delay (random16: uniform 0..65535) when its
 * policy allows and a namespace wants it; when maxAttempts are used up the
 * reason becomes "reconnect failed". Returns a SioRetry; m.reason is the
 * reason the namespaces report.
 */
export function sioManagerEngineClosed(
  m: SioManager,
  reason: number,
  wanted: boolean,
  nowMs: number,
  random16: number,
): number {
  sioManagerClearOut(m);
  // A packet still awaiting attachments is lost with its transport.
  m.attachCount = 0;
  m.attachLeft = 0;
  if (m.finishing || m.rc.pending) {
    return SioRetry.None;
  }
  m.transport = false;
  m.engineOpen = false;
  m.reason = reason;
  if (wanted && m.rc.enabled) {
    if (reconnectSchedule(m.rc, nowMs, random16)) {
      return SioRetry.Retry;
    }
    m.reason = SioReason.ReconnectFailed;
  }
  m.finishing = true;
  return SioRetry.GiveUp;
}

/**
 * No namespace is left on the manager: it closes for good (no attempt stays
 * scheduled; the I/O layer drops its transport and releases it). Returns
 * false when it was closing already.
 */
export function sioManagerFinish(m: SioManager): boolean {
  if (m.finishing && !m.transport && !m.rc.pending) {
    return false;
  }
  m.finishing = true;
  m.rc.pending = false;
  m.transport = false;
  m.engineOpen = false;
  return true;
}

/** What a message of the transport asks of the I/O layer (sioManagerOnMessage). */
export const enum SioEio {
  None = 0,
  /** Write out[0..m.outLen) as one text frame (a pong). */
  Write = 1,
  /** Report m.error / m.detail (m.drop says why) to every namespace; nothing else changes. */
  Error = 2,
  /** The packet is malformed: report m.error / m.detail to every namespace, drop the transport, then sioManagerEngineClosed(m.reason). */
  Fail = 3,
  /** The server closed the Engine.IO connection: drop the transport, then sioManagerEngineClosed(m.reason). */
  CloseTransport = 4,
  /** The Engine.IO connection is open: every namespace on the manager writes its CONNECT (sioSessionJoin). */
  Open = 5,
  /** A Socket.IO packet, parsed into p: hand it to the namespace it names (sioNspEquals), sioSessionOnPacket; ignored when none. */
  Packet = 6,
  /**
   * A BINARY_EVENT/BINARY_ACK, parsed into p, that m.attachCount binary messages will follow:
   * keep the packet's bytes (data[off..off+len)) until the last of them (SioEio.Complete).
   */
  BinaryPacket = 7,
  /** A binary message, attachment number m.detail (from 0) of the packet kept: keep its bytes. */
  Attachment = 8,
  /**
   * The last attachment (number m.detail): keep its bytes, then parse the packet kept
   * (sioParse into p) and hand it on as for SioEio.Packet, its attachments readable while
   * the namespace's callback runs; then free them.
   */
  Complete = 9,
}

/**
 * One message of the transport's WebSocket: data[off..off+len) with its
 * opcode, received at nowMs. The Engine.IO packet is read (the open packet,
 * pings, close, messages) and a message's Socket.IO packet parsed into p;
 * a pong is encoded into out[0..cap). A BINARY_EVENT/BINARY_ACK is followed
 * by its attachments, binary messages, in order (socket.io-parser): the
 * manager counts them; a binary message when none is awaited is reported
 * (SioDrop.BinaryMessage) and a Socket.IO packet before the last one fails
 * the transport (SioError.PlaintextInBinary, a parse error), as
 * socket.io-client does. Returns a SioEio; see each member.
 */
export function sioManagerOnMessage(
  m: SioManager,
  opcode: number,
  data: Readonly<Uint8Array>,
  off: number,
  len: number,
  p: SioParsed,
  out: Uint8Array,
  cap: number,
  nowMs: number,
): number {
  sioManagerClearOut(m);
  if (opcode !== Opcode.Text && m.attachLeft > 0) {
    m.attachLeft--;
    m.detail = m.attachCount - m.attachLeft - 1;
    return m.attachLeft === 0 ? SioEio.Complete : SioEio.Attachment;
  }
  if (opcode !== Opcode.Text) {
    // No packet awaits attachments (socket.io-parser: "got binary data when not reconstructing a packet").
    m.error = SessionError.Unsupported;
    m.detail = opcode;
    m.drop = SioDrop.BinaryMessage;
    return SioEio.Error;
  }
  const type = eioPacketType(data, off, len);
  switch (type) {
    case EioPacket.Open:
      if (!eioParseOpen(data, off, len, m.info)) {
        return sioManagerFail(m, 0);
      }
      m.engineOpen = true;
      m.lastPingMs = nowMs;
      backoffReset(m.rc.backoff);
      return SioEio.Open;
    case EioPacket.Ping: {
      m.lastPingMs = nowMs;
      const n = eioEncodePong(out, 0, cap, data, off, len);
      if (n <= 0) {
        return SioEio.None;
      }
      m.outLen = n;
      return SioEio.Write;
    }
    case EioPacket.Close:
      m.reason = SioReason.TransportClose;
      return SioEio.CloseTransport;
    case EioPacket.Message: {
      if (m.attachLeft > 0) {
        // Engine.IO packets (pings) may come between the attachments, Socket.IO ones may not.
        m.attachLeft = 0;
        m.attachCount = 0;
        return sioManagerFail(m, SioError.PlaintextInBinary);
      }
      const err = sioParse(data, off, len, p);
      if (err !== SioError.Ok) {
        // socket.io-client closes the connection on a packet it cannot decode.
        return sioManagerFail(m, err);
      }
      if (p.attachments > 0) {
        if (sioPlaceholders(data, p.dataOff, p.dataOff + p.dataLen, p.attachments) < 0) {
          return sioManagerFail(m, SioError.BadPlaceholder);
        }
        m.attachCount = p.attachments;
        m.attachLeft = p.attachments;
        return SioEio.BinaryPacket;
      }
      return SioEio.Packet;
    }
    case EioPacket.Noop:
      return SioEio.None;
    case EioPacket.Pong:
      return SioEio.None;
    case EioPacket.Upgrade:
      return SioEio.None;
    default:
      return sioManagerFail(m, 0);
  }
}

/** SioEio.Fail: a packet that cannot be read (detail: the Socket.IO parser's error, 0 for Engine.IO). */
function sioManagerFail(m: SioManager, detail: number): number {
  m.error = SessionError.PacketInvalid;
  m.detail = detail;
  m.reason = SioReason.ParseError;
  return SioEio.Fail;
}

/** True while the namespace still wants its manager's connection (it was not closed or refused). */
export function sioSessionWantsTransport(s: Readonly<SioSession>): boolean {
  return !s.finishing && !s.userClosed;
}

/**
 * The manager's Engine.IO connection is open (or the namespace joins a
 * manager whose connection already is): the namespace's CONNECT, encoded into
 * out[0..cap) (see sioSessionEncodeConnect). Returns its length (write it as a
 * text frame), or 0 when the namespace is ending.
 */
export function sioSessionJoin(s: SioSession, out: Uint8Array, cap: number): number {
  if (s.finishing) {
    return 0;
  }
  const n = sioSessionEncodeConnect(s, out, cap);
  if (n <= 0) {
    return 0;
  }
  s.joining = true;
  return n;
}

/** What the end of its manager's transport leads to for a namespace (sioSessionEngineClosed), as bits in this order. */
export const enum SioClosed {
  None = 0,
  /** The namespace was connected and a reconnect is scheduled: disconnect callback (s.reason, willReconnect = true). */
  NotifyRetry = 1,
  /** The namespace ends (s.reason): final disconnect callback (willReconnect = false), release. */
  Finish = 2,
}

/**
 * The manager's transport is gone for `reason` (a SioReason, see
 * sioManagerEngineClosed) and the manager will reconnect (`retry`) or not:
 * acks of emits sent on it are failed when they have a timeout, forgotten
 * otherwise (queued ones stay); a namespace that was connected is told,
 * and without a retry it finishes. Returns SioClosed bits; s.reason is the
 * reason to report.
 */
export function sioSessionEngineClosed(s: SioSession, reason: number, retry: boolean): number {
  sioSessionClearOut(s);
  if (s.finishing) {
    return SioClosed.None;
  }
  for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
    if (s.ackState[k] === SioAckState.Sent) {
      // As socket.io-client's _clearAcks: an ack asked with a timeout is failed at once, one without is dropped.
      s.ackState[k] = s.ackTimeout[k] > 0 ? SioAckState.Lost : SioAckState.Free;
    }
  }
  const wasConnected = s.connected;
  s.connected = false;
  s.joining = false;
  s.reason = reason;
  if (retry && !s.userClosed) {
    return wasConnected ? SioClosed.NotifyRetry : SioClosed.None;
  }
  return sioSessionFinish(s, reason) ? SioClosed.Finish : SioClosed.None;
}

/**
 * Ends the session for good with `reason` (sets s.reason): no attempt stays
 * scheduled, nothing is connected. Returns false when it was already ending.
 * The I/O layer then drops the transport, calls the final disconnect callback
 * and releases the session.
 */
export function sioSessionFinish(s: SioSession, reason: number): boolean {
  if (s.finishing) {
    return false;
  }
  s.finishing = true;
  s.connected = false;
  s.joining = false;
  s.reason = reason;
  return true;
}

/** True while entry k of the acknowledgement table waits for an ACK (the I/O layer frees the callbacks of the others). */
export function sioSessionAckHeld(s: Readonly<SioSession>, k: number): boolean {
  return s.ackState[k] !== SioAckState.Free;
}

/** What a Socket.IO packet of its namespace asks of the I/O layer (sioSessionOnPacket). */
export const enum SioOut {
  None = 0,
  /** Report s.error / s.detail (s.drop says why); nothing else changes. */
  Error = 2,
  /**
   * The namespace is joined: write the queued frames in order, then call the connect callback with
   * the CONNECT data (p.dataOff, p.dataLen of the message).
   */
  Connected = 5,
  /** CONNECT_ERROR: call the connect-error callback with its data (p.dataOff, p.dataLen), then sioSessionFinish(s.reason). */
  ConnectError = 6,
  /** The server left the namespace (DISCONNECT): the session ends (s.reason; sioSessionFinish done). */
  Finish = 7,
  /**
   * An EVENT or BINARY_EVENT: its decoded name is in the caller's name buffer [0..s.nameLen), its
   * arguments in p (a BINARY_EVENT's placeholders left in them, p.attachments its attachments);
   * p.ackId as received.
   */
  Event = 8,
  /** The ACK or BINARY_ACK for table entry s.ack (now free): call its callback with the arguments in p. */
  Ack = 9,
}

/**
 * A Socket.IO packet of this namespace, parsed into p by sioManagerOnMessage
 * from data: CONNECT, CONNECT_ERROR, DISCONNECT, EVENT or BINARY_EVENT (its
 * name decoded into name[0..nameCap)), ACK or BINARY_ACK (a BINARY_* once all
 * its attachments arrived, SioEio.Complete). Returns a SioOut; see each member.
 */
export function sioSessionOnPacket(
  s: SioSession,
  data: Readonly<Uint8Array>,
  p: SioParsed,
  name: Uint8Array,
  nameCap: number,
): number {
  sioSessionClearOut(s);
  if (s.finishing || !sioNspEquals(data, p, s.nsp, 0, s.nspLen)) {
    return SioOut.None;
  }
  switch (p.type) {
    case SioPacket.Connect:
      if (!s.joining) {
        // Only an answer to the CONNECT this namespace sent on the current connection counts.
        return SioOut.None;
      }
      s.connected = true;
      s.queueLen = 0;
      sioSessionKeepPid(s, data, p);
      // The queued emits go out now, so their acks can come.
      for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
        if (s.ackState[k] === SioAckState.Queued) {
          s.ackState[k] = SioAckState.Sent;
        }
      }
      return SioOut.Connected;
    case SioPacket.ConnectError:
      s.userClosed = true;
      s.reason = SioReason.ConnectError;
      return SioOut.ConnectError;
    case SioPacket.Disconnect:
      s.userClosed = true;
      sioSessionFinish(s, SioReason.IoServerDisconnect);
      return SioOut.Finish;
    case SioPacket.Event:
    case SioPacket.BinaryEvent:
      return sioSessionOnEvent(s, data, p, name, nameCap);
    case SioPacket.Ack:
    case SioPacket.BinaryAck:
      for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
        if (s.ackState[k] === SioAckState.Sent && s.ackId[k] === p.ackId) {
          s.ackState[k] = SioAckState.Free;
          s.ackTimeout[k] = 0;
          s.ack = k;
          return SioOut.Ack;
        }
      }
      return SioOut.None;
    default:
      s.error = SessionError.Unsupported;
      s.detail = p.type;
      s.drop = SioDrop.BinaryPacket;
      return SioOut.Error;
  }
}

/**
 * An EVENT: delivered while the namespace is joined, with a name the user can be given. A server
 * restoring a session (connection state recovery) sends the missed events before its CONNECT
 * reply; socket.io-client buffers them and hands them out just before its "connect" event, so
 * they are delivered as they come once the recovering CONNECT was sent (the same order).
 */
function sioSessionOnEvent(
  s: SioSession,
  data: Readonly<Uint8Array>,
  p: SioParsed,
  name: Uint8Array,
  nameCap: number,
): number {
  if (!s.connected && !(s.joining && s.pidLen > 0)) {
    return SioOut.None;
  }
  const n = sioEventName(data, p, name, 0, nameCap);
  if (n < 0) {
    s.error = SessionError.Unsupported;
    s.detail = SioPacket.Event;
    s.drop = SioDrop.NameTooLong;
    return SioOut.Error;
  }
  for (let i = 0; i < n; i++) {
    if (name[i] === 0) {
      // Refused rather than cut, so no handler runs for the wrong event.
      s.error = SessionError.Unsupported;
      s.detail = SioPacket.Event;
      s.drop = SioDrop.NameNul;
      return SioOut.Error;
    }
  }
  s.nameLen = n;
  sioSessionKeepOffset(s, data, p);
  return SioOut.Event;
}

/**
 * The ack id an emit should carry: -1 when it asks for none, the next id
 * when a table entry is free, or -2 when SIO_MAX_PENDING_ACKS acks already
 * wait (the emit is refused).
 */
export function sioSessionAckIdFor(s: Readonly<SioSession>, wantAck: boolean): number {
  if (!wantAck) {
    return -1;
  }
  for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
    if (s.ackState[k] === SioAckState.Free) {
      return s.nextAckId;
    }
  }
  return -2;
}

/**
 * True, with s.error TooLargeForServer and s.detail = packetLen, when a packet is larger than the
 * server's maxPayload (eioMaxPacket), which would make it drop the whole connection.
 */
function sioSessionTooLarge(s: SioSession, m: Readonly<SioManager>, packetLen: number): boolean {
  if (packetLen <= eioMaxPacket(m.info)) {
    return false;
  }
  s.error = SessionError.TooLargeForServer;
  s.detail = packetLen;
  return true;
}

/** What becomes of an emit or an ack (sioSessionEmit, sioSessionAck). */
export const enum SioSend {
  /** Write the frame now. */
  Now = 0,
  /** Queue the frame: it goes out, in order, once the namespace is joined. */
  Queue = 1,
  /** Not sent: the queue has no room (s.error QueueOverflow, s.detail the packet's bytes). */
  Overflow = 2,
  /** Not sent: larger than the server's maxPayload, which would drop the connection (s.error TooLargeForServer). */
  TooLarge = 3,
  /** Not sent: an ack needs the namespace joined on an open transport. */
  NotConnected = 4,
}

/**
 * The user emits an event: its packet is packetLen bytes, its WebSocket frame
 * frameLen, and it carries ackId (sioSessionAckIdFor; -1 for none).
 * transportOpen: the transport's WebSocket is OPEN. Sent now when the
 * namespace is joined, queued otherwise (within CONFIG_SEND_QUEUE_BYTES);
 * a packet above the server's maxPayload is refused locally. With an ack id,
 * a table entry is taken (s.ack) and nextAckId advances. A BINARY_EVENT is
 * one emit: packetLen is the largest of its Engine.IO packets (the header and
 * each attachment; the server measures each against maxPayload) and frameLen
 * the sum of all their frames, which are written or queued together, header
 * first. Returns a SioSend.
 */
export function sioSessionEmit(
  s: SioSession,
  m: Readonly<SioManager>,
  packetLen: number,
  frameLen: number,
  ackId: number,
  transportOpen: boolean,
): number {
  sioSessionClearOut(s);
  if (sioSessionTooLarge(s, m, packetLen)) {
    return SioSend.TooLarge;
  }
  let result = SioSend.Now;
  if (!s.connected || !transportOpen) {
    if (frameLen < 0 || frameLen > CONFIG_SEND_QUEUE_BYTES - s.queueLen) {
      s.error = SessionError.QueueOverflow;
      s.detail = packetLen;
      return SioSend.Overflow;
    }
    s.queueLen += frameLen;
    result = SioSend.Queue;
  }
  if (ackId >= 0) {
    for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
      if (s.ackState[k] === SioAckState.Free) {
        s.ackState[k] = result === SioSend.Now ? SioAckState.Sent : SioAckState.Queued;
        s.ackTimeout[k] = 0;
        s.ackQueued[k] = result === SioSend.Queue ? frameLen : 0;
        s.ackId[k] = ackId;
        s.ack = k;
        s.nextAckId = (ackId + 1) & 0x7fffffff;
        break;
      }
    }
  }
  return result;
}

/**
 * The user answers an event's ack with a packet of packetLen bytes: sent now
 * when the namespace is joined on an open transport and the server takes its
 * size; otherwise not at all (an ack belongs to the connection that asked).
 * A BINARY_ACK: packetLen is the largest of its packets (header, attachments).
 */
export function sioSessionAck(
  s: SioSession,
  m: Readonly<SioManager>,
  packetLen: number,
  transportOpen: boolean,
): number {
  sioSessionClearOut(s);
  if (!s.connected || !transportOpen) {
    return SioSend.NotConnected;
  }
  if (sioSessionTooLarge(s, m, packetLen)) {
    return SioSend.TooLarge;
  }
  return SioSend.Now;
}

/** What the user's close asks of the I/O layer (sioSessionClose), as bits in this order. */
export const enum SioClose {
  None = 0,
  /** Write out[0..s.outLen) (the namespace's DISCONNECT) as a text frame first. */
  Write = 1,
  /** Then finish: drop the transport, final disconnect callback (s.reason), release. */
  Finish = 2,
}

/**
 * The user closes the session (SocketIO_Close): a joined namespace is left
 * with a DISCONNECT packet encoded into out[0..cap) when the transport is
 * OPEN, then the session finishes with "io client disconnect". Returns
 * SioClose bits (None when it was already ending).
 */
export function sioSessionClose(s: SioSession, transportOpen: boolean, out: Uint8Array, cap: number): number {
  sioSessionClearOut(s);
  if (s.finishing) {
    return SioClose.None;
  }
  s.userClosed = true;
  let bits = SioClose.None;
  if (s.connected && transportOpen) {
    const n = sioEncodeDisconnect(out, 0, cap, s.nsp, 0, s.nspLen);
    if (n > 0) {
      s.outLen = n;
      bits = SioClose.Write;
    }
  }
  sioSessionFinish(s, SioReason.IoClientDisconnect);
  return bits | SioClose.Finish;
}

/**
 * The CONNECT for this session's namespace into out[0..cap): its auth JSON, and, once the
 * server offered connection state recovery (a pid in its CONNECT), the pid and the offset
 * of the last event received put in front of the auth members, as socket.io-client does
 * (`Object.assign({ pid, offset }, auth)`; the offset is left out before any event came).
 * Returns the packet's length or a negative SioEncodeError.
 */
export function sioSessionEncodeConnect(s: Readonly<SioSession>, out: Uint8Array, cap: number): number {
  if (s.pidLen === 0) {
    return sioEncodeConnect(out, 0, cap, s.nsp, 0, s.nspLen, s.auth, 0, s.authLen);
  }
  // The header alone (`40` or `40/admin,`), then the merged object.
  let o = sioEncodeConnect(out, 0, cap, s.nsp, 0, s.nspLen, s.auth, 0, 0);
  o = bytesPutAscii(out, o, cap, '{"pid":');
  o = bytesPut(out, o, cap, s.pid, 0, s.pidLen);
  if (s.offsetLen > 0) {
    o = bytesPutAscii(out, o, cap, ',"offset":');
    o = bytesPut(out, o, cap, s.offset, 0, s.offsetLen);
  }
  // The auth object's members (checked as one JSON object by the caller of sioSessionInit).
  const open = jsonSkipWs(s.auth, 0, s.authLen);
  let close = s.authLen - 1;
  while (close > open && s.auth[close] !== "}".charCodeAt(0)) {
    close--;
  }
  const first = jsonSkipWs(s.auth, open + 1, close);
  if (s.authLen > 0 && first < close) {
    o = bytesPutAscii(out, o, cap, ",");
    o = bytesPut(out, o, cap, s.auth, first, close - first);
  }
  o = bytesPutAscii(out, o, cap, "}");
  return o < 0 ? SioEncodeError.NoSpace : o;
}

/**
 * A CONNECT arrived: keeps the pid its data carries (connection state recovery on the
 * server), and whether it is the pid of the previous connection (the session was
 * recovered: the server replays the events missed meanwhile).
 */
function sioSessionKeepPid(s: SioSession, data: Readonly<Uint8Array>, p: Readonly<SioParsed>): void {
  const end = p.dataOff + p.dataLen;
  const v = p.dataLen > 0 ? jsonFindKey(data, p.dataOff, end, "pid") : -1;
  const vEnd = v < 0 ? -1 : jsonSkipString(data, v, end);
  if (vEnd < 0 || vEnd - v > SIO_MAX_RECOVERY_TOKEN) {
    s.recovered = false;
    s.pidLen = 0;
    s.offsetLen = 0;
    return;
  }
  const n = vEnd - v;
  let same = n === s.pidLen;
  for (let i = 0; same && i < n; i++) {
    same = s.pid[i] === data[v + i];
  }
  s.recovered = same;
  for (let i = 0; i < n; i++) {
    s.pid[i] = data[v + i];
  }
  s.pidLen = n;
  if (!same) {
    s.offsetLen = 0;
  }
}

/**
 * An event arrived while the server offers recovery: its last argument, when it is a
 * string, is the offset to send back after a reconnect (socket.io-client keeps it the
 * same way, and hands it to the listener as the last argument too).
 */
function sioSessionKeepOffset(s: SioSession, data: Readonly<Uint8Array>, p: Readonly<SioParsed>): void {
  if (s.pidLen === 0) {
    return;
  }
  const end = p.argsOff + p.argsLen;
  let i = jsonSkipWs(data, p.argsOff, end);
  let last = -1;
  let lastEnd = -1;
  while (i >= 0 && i < end) {
    const v = i;
    i = jsonSkipValue(data, v, end);
    if (i < 0) {
      return;
    }
    last = v;
    lastEnd = i;
    i = jsonSkipWs(data, i, end);
    if (i < end) {
      i = jsonSkipWs(data, i + 1, end);
    }
  }
  if (last < 0 || data[last] !== '"'.charCodeAt(0) || lastEnd - last > SIO_MAX_RECOVERY_TOKEN) {
    return;
  }
  for (let k = 0; k < lastEnd - last; k++) {
    s.offset[k] = data[last + k];
  }
  s.offsetLen = lastEnd - last;
}

/**
 * Gives the acknowledgement just taken by sioSessionEmit (entry s.ack) a timeout of
 * timeoutMs (1..SIO_MAX_ACK_TIMEOUT_MS; socket.io-client's `socket.timeout(ms).emit`):
 * when no ACK came by then, sioSessionTakeFailedAck hands the entry out once, and a late
 * ACK is ignored. Returns false, changing nothing, for a value out of range.
 */
export function sioSessionAckTimeout(s: SioSession, k: number, timeoutMs: number, nowMs: number): boolean {
  if (k < 0 || k >= SIO_MAX_PENDING_ACKS || timeoutMs < 1 || timeoutMs > SIO_MAX_ACK_TIMEOUT_MS) {
    return false;
  }
  s.ackTimeout[k] = timeoutMs;
  s.ackDeadline[k] = (nowMs + timeoutMs) | 0;
  return true;
}

/**
 * The next acknowledgement whose callback is owed a failure, freed, or -1: one whose
 * timeout passed at nowMs, or one lost with its transport (SioAckState.Lost), or, when
 * `ending` (the session finishes), every one that has a timeout. The I/O layer calls
 * its callback once with the failure, and asks again until -1. When the entry's emit was
 * still queued, s.unqueued is set: the I/O layer drops that emit's frames from the queue.
 */
export function sioSessionTakeFailedAck(s: SioSession, nowMs: number, ending: boolean): number {
  s.unqueued = false;
  for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
    const state = s.ackState[k];
    if (state === SioAckState.Free || s.ackTimeout[k] <= 0) {
      continue;
    }
    if (ending || state === SioAckState.Lost || ((nowMs - s.ackDeadline[k]) | 0) >= 0) {
      if (state === SioAckState.Queued && !ending) {
        // socket.io-client's timeout removes the packet from its send buffer: it is never sent.
        s.unqueued = true;
        s.queueLen -= s.ackQueued[k];
      }
      s.ackState[k] = SioAckState.Free;
      s.ackTimeout[k] = 0;
      return k;
    }
  }
  return -1;
}

/**
 * Writes the error text for a SioDrop at out[off..cap) (what the plugin reports with
 * SessionError.Unsupported); returns the offset after it, or -1 when it does not fit.
 */
export function sioDropText(drop: number, out: Uint8Array, off: number, cap: number): number {
  switch (drop) {
    case SioDrop.BinaryMessage:
      return bytesPutAscii(out, off, cap, "binary message dropped: no BINARY_EVENT or BINARY_ACK awaits attachments");
    case SioDrop.NameTooLong:
      return bytesPutAscii(out, off, cap, "event name too long: event dropped");
    case SioDrop.NameNul:
      return bytesPutAscii(out, off, cap, "event name contains a NUL character (\\u0000): event dropped");
    default:
      return bytesPutAscii(out, off, cap, "binary Socket.IO packets are not supported");
  }
}
