/**
 * The session-timeline runner: replays one timeline (a list of timed events)
 * through the sans-I/O session modules (spec/core/wssession.ts with the
 * WsConn of conn.ts, spec/core/siosession.ts) the way an I/O layer drives
 * them, and writes one line per step: `<name>#<step>\t@<time> <what happened>`
 * followed by a summary of the session's state.
 *
 * Written in the SourcePawn subset (spec/README.md), like
 * spec/vectors/runner.ts: the generator transpiles it into out/vectors/runner.inc,
 * the oracle runs it in Node (session-cases.ts builds the timelines and runs
 * them here), and out/vectors/vectors.sp runs the same timelines in the
 * SourcePawn VM. The runner only carries out what the modules return (writes,
 * drops, flushes, the calls the modules' documentation prescribes after an
 * output); it decides nothing.
 *
 * A timeline is a row of SES_PARAMS: [SesKind, nEvents, t0, four kind-specific
 * ints (see SesKind), maxMessage or 0], then nEvents events of SES_EV_WIDTH
 * ints each: [SesEv, time, a, b, c, d, e] (see SesEv for the arguments). In a
 * Socket.IO timeline the event word is SesEv + SES_EV_NS * k for the events of
 * namespace k (SioJoin, SioConfigure, SioEmit, SioClose, SioAckReply).
 *
 * A Socket.IO timeline drives one SioManager (one Engine.IO connection) and up
 * to SES_SIO_NS namespaces (SioSession records) on it, as the glue does:
 * namespace 0 starts at step 0, the others with SioJoin; a started namespace
 * joins the manager on the next tick (the manager is made then when there is
 * none); every packet goes to the namespace it names; a namespace that ends is
 * released, and the last one leaving finishes the manager.
 */

import { bytesPutAscii } from "../../spec/core/bytes.js";
import { frameEncode, frameHeaderSize } from "../../spec/core/frame.js";
import {
  ConnOut,
  WsConn,
  connEncodeClose,
  connEncodeCloseError,
  connEncodeCloseReply,
  connEncodePong,
  connFeed,
  connInit,
  connInitServer,
  connRequest,
} from "../../spec/core/conn.js";
import { Action, ConnEvent } from "../../spec/core/state.js";
import { urlParse } from "../../spec/core/url.js";
import { SioParsed, sioEncodeAck, sioEncodeEvent, sioNspEquals } from "../../spec/core/socketio.js";
import {
  SessionRole,
  WsSend,
  WsSession,
  WsTick,
  WsUserClose,
  reconnectConfigure,
  wsSessionApply,
  wsSessionFed,
  wsSessionAttempt,
  wsSessionClosed,
  wsSessionInit,
  wsSessionOrphan,
  wsSessionReceived,
  wsSessionRequestSent,
  wsSessionSend,
  wsSessionSetKeepalive,
  wsSessionTick,
  wsSessionUserClose,
} from "../../spec/core/wssession.js";
import {
  SIO_MAX_PENDING_ACKS,
  SioAckState,
  SioClose,
  SioClosed,
  SioEio,
  SioManager,
  SioOut,
  SioRetry,
  SioSend,
  SioSession,
  SioTick,
  sioManagerEngineClosed,
  sioManagerFinish,
  sioManagerInit,
  sioManagerOnMessage,
  sioManagerTick,
  sioManagerTransportEndReason,
  sioManagerTransportFailed,
  sioManagerTransportStarted,
  sioReasonText,
  sioSessionAck,
  sioSessionAckIdFor,
  sioSessionAckTimeout,
  sioSessionClose,
  sioSessionEmit,
  sioSessionEngineClosed,
  sioSessionFinish,
  sioSessionInit,
  sioSessionJoin,
  sioSessionOnPacket,
  sioSessionTakeFailedAck,
  sioSessionWantsTransport,
} from "../../spec/core/siosession.js";
import {
  VEC_BIG_SIZE,
  vecFill,
  vecPutBool,
  vecPutChar,
  vecPutEsc,
  vecPutInt,
  vecPutPayload,
} from "../../spec/vectors/runner.js";

/** Ints before the first event of a timeline row. */
export const SES_HEAD = 8;

/** Ints per event. */
export const SES_EV_WIDTH = 7;

/** Size of the buffer one timeline writes its lines into. */
export const SES_OUT_SIZE = 65536;

/** The msg buffer of a WebSocket timeline's connection (connFeed), and the largest message it takes. */
export const SES_MSG_CAP = 1024;

/** Size of the small scratch buffers (control frames, Socket.IO answers). */
export const SES_SMALL_SIZE = 1024;

/** Capacity of the decoded event name buffer of a Socket.IO timeline. */
export const SES_NAME_CAP = 32;

/** What a timeline drives; the first int of its row. */
export const enum SesKind {
  /** A WebSocket client session: [Ws, nEvents, t0, urlOff, urlLen, nonceOff, keyOff, maxMessage]. */
  Ws = 1,
  /**
   * A Socket.IO manager and its namespaces (messages of its transport given as they arrive):
   * [Sio, nEvents, t0, nspOff, nspLen, authOff, authLen, 0], namespace 0's.
   */
  Sio = 2,
}

/** The events of a timeline: [SesEv, time, a, b, c, d, e]. */
export const enum SesEv {
  /** reconnectConfigure: a enabled, b delayMs, c delayMaxMs, d maxAttempts, e jitterPermille. */
  WsConfigure = 1,
  /** wsSessionSetKeepalive: a intervalMs. */
  WsKeepalive = 2,
  /** A new attempt by the I/O layer (wsSessionAttempt, connInit): a nonceOff. */
  WsAttempt = 3,
  /** TCP is up: the opening request is built and written (wsSessionRequestSent). */
  WsTcpUp = 4,
  /** Bytes from the server: data[a..a+b); c random16 for a close. */
  WsFeed = 5,
  /** The server closed TCP (ConnEvent.TcpClosed): a random16. */
  WsTcpClosed = 6,
  /** The socket reported an error (ConnEvent.SocketError): a random16. */
  WsSocketError = 7,
  /** wsSessionTick: a random16, b the nonceOff of the attempt a due reconnect starts. */
  WsTick = 8,
  /** The user sends a frame of opcode c with b generated bytes (seed a) (wsSessionSend). */
  WsSend = 9,
  /** The user closes with code a and reason data[b..b+c); d random16 (wsSessionUserClose). */
  WsUserClose = 10,
  /** The owner leaves the connection with close code a (wsSessionOrphan); b random16. */
  WsOrphan = 11,
  /** The session starts again in role a (wsSessionInit; a Child's connection in the server role, connInitServer). */
  WsInit = 12,
  /** A tick: waiting namespaces join the manager, then sioManagerTick and the acks whose timeout passed; a random16 for a transport it drops. */
  SioTick = 21,
  /** The transport's WebSocket reached OPEN. */
  SioWsOpen = 22,
  /** A message of the transport: opcode a, data[b..b+c); d random16 for a transport it drops. */
  SioMessage = 23,
  /** The transport's WebSocket closed: a random16. */
  SioWsClosed = 24,
  /** The transport's WebSocket reported an error (sioManagerTransportFailed). */
  SioWsError = 25,
  /**
   * Namespace k emits event data[a..a+b) with JSON args data[c..c+d); e: bit 0 wants an ack,
   * bits 1..8 repeats (0: once), e >> 9 the ack's timeout in ms (0: none; sioSessionAckTimeout).
   */
  SioEmit = 26,
  /** The user closes namespace k (sioSessionClose). */
  SioClose = 27,
  /** Namespace k answers the server's ack id a with JSON args data[b..b+c) (sioSessionAck). */
  SioAckReply = 28,
  /** Namespace k starts (sioSessionInit) for namespace data[a..a+b) with auth data[c..c+d); it joins on the next tick. */
  SioJoin = 29,
  /** Namespace k's reconnect policy (SocketIO_SetReconnect: reconnectConfigure): a enabled, b delayMs, c delayMaxMs, d maxAttempts, e jitterPermille. */
  SioConfigure = 30,
}

/** The event word of namespace k's events: SesEv + SES_EV_NS * k. */
export const SES_EV_NS = 256;

/** Writes the start of a step's line: `<name>#<step>\t@<time> `. */
function sesLine(
  out: Uint8Array,
  o: number,
  cap: number,
  names: Readonly<Uint8Array>,
  nameOff: number,
  step: number,
  t: number,
): number {
  let w = o;
  let i = nameOff;
  while (names[i] !== 0 && w >= 0) {
    w = vecPutChar(out, w, cap, names[i]);
    i++;
  }
  w = vecPutChar(out, w, cap, 35);
  if (step < 10) {
    w = vecPutChar(out, w, cap, 48);
  }
  w = vecPutInt(out, w, cap, step);
  w = bytesPutAscii(out, w, cap, "\t@");
  w = vecPutInt(out, w, cap, t);
  return vecPutChar(out, w, cap, 32);
}

/** Writes ` <label><v>`. */
function sesPutField(out: Uint8Array, o: number, cap: number, label: string, v: number): number {
  const w = bytesPutAscii(out, vecPutChar(out, o, cap, 32), cap, label);
  return vecPutInt(out, w, cap, v);
}

/** Writes ` >` and the bytes written (hex up to 64 bytes, else `~` and FNV-1a), with their length. */
function sesPutWrite(out: Uint8Array, o: number, cap: number, buf: Readonly<Uint8Array>, n: number): number {
  let w = bytesPutAscii(out, o, cap, " >");
  if (n < 0) {
    return vecPutInt(out, w, cap, n);
  }
  w = vecPutInt(out, w, cap, n);
  w = vecPutChar(out, w, cap, 58);
  return vecPutPayload(out, w, cap, buf, 0, n);
}

/** Runs the timeline whose row starts at params[p]; returns the length of its lines in out, or -1 when they do not fit. */
export function sesRun(
  data: Readonly<Uint8Array>,
  params: Readonly<Int32Array>,
  p: number,
  names: Readonly<Uint8Array>,
  nameOff: number,
  big1: Uint8Array,
  big2: Uint8Array,
  out: Uint8Array,
  cap: number,
): number {
  if (params[p] === SesKind.Ws) {
    const s = new WsSession();
    const c = new WsConn();
    return sesRunWs(s, c, data, params, p, params[p + 1], names, nameOff, big1, big2, out, cap);
  }
  const r = new SesSio();
  return sesRunSio(r, data, params, p, params[p + 1], names, nameOff, big1, out, cap);
}

// ---------------------------------------------------------------- WebSocket

/** Writes the state after a WebSocket step: ` | s<ready state> q<queued bytes> rc<reconnect at or -1> n<attempts> ct<close deadline or -1>`. */
function sesWsState(s: WsSession, c: WsConn, out: Uint8Array, o: number, cap: number): number {
  let w = bytesPutAscii(out, o, cap, " |");
  w = sesPutField(out, w, cap, "s", c.state);
  w = sesPutField(out, w, cap, "q", s.queueLen);
  w = sesPutField(out, w, cap, "rc", s.rc.pending ? s.rc.at : -1);
  w = sesPutField(out, w, cap, "n", s.rc.backoff.attempts);
  w = sesPutField(out, w, cap, "ct", s.closeTimer ? s.closeDeadline : -1);
  return sesPutField(out, w, cap, "open", s.wasOpen ? 1 : 0);
}

/**
 * Replays the first nEvents events of a WebSocket timeline through s and c
 * (the oracle's builder reads them afterwards); returns the length of the lines.
 */
export function sesRunWs(
  s: WsSession,
  c: WsConn,
  data: Readonly<Uint8Array>,
  params: Readonly<Int32Array>,
  p: number,
  nEvents: number,
  names: Readonly<Uint8Array>,
  nameOff: number,
  big1: Uint8Array,
  big2: Uint8Array,
  out: Uint8Array,
  cap: number,
): number {
  const msg = new Uint8Array(SES_MSG_CAP);
  const small = new Uint8Array(SES_SMALL_SIZE);
  const t0 = params[p + 2];
  wsSessionInit(s, SessionRole.Client, t0);
  let w = sesLine(out, 0, cap, names, nameOff, 0, t0);
  w = bytesPutAscii(out, w, cap, "init url");
  w = vecPutInt(out, w, cap, urlParse(c.url, data, params[p + 3], params[p + 4]));
  w = bytesPutAscii(out, w, cap, " conn");
  w = vecPutBool(out, w, cap, connInit(c, data, params[p + 5], data, 0, 0, params[p + 7], SES_MSG_CAP));
  w = sesWsState(s, c, out, w, cap);
  w = vecPutChar(out, w, cap, 10);
  for (let i = 0; i < nEvents; i++) {
    const e = p + SES_HEAD + i * SES_EV_WIDTH;
    w = sesLine(out, w, cap, names, nameOff, i + 1, params[e + 1]);
    w = sesWsEvent(s, c, data, params, p, e, msg, small, big1, big2, out, w, cap);
    w = sesWsState(s, c, out, w, cap);
    w = vecPutChar(out, w, cap, 10);
  }
  return w;
}

/** One WebSocket event; see SesEv. */
function sesWsEvent(
  s: WsSession,
  c: WsConn,
  data: Readonly<Uint8Array>,
  params: Readonly<Int32Array>,
  p: number,
  e: number,
  msg: Uint8Array,
  small: Uint8Array,
  big1: Uint8Array,
  big2: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  const t = params[e + 1];
  const a = params[e + 2];
  const b = params[e + 3];
  const keyOff = params[p + 6];
  let w = o;
  switch (params[e]) {
    case SesEv.WsConfigure:
      w = bytesPutAscii(out, w, cap, "configure=");
      return vecPutInt(out, w, cap, reconnectConfigure(s.rc, a !== 0, b, params[e + 4], params[e + 5], params[e + 6]));
    case SesEv.WsKeepalive:
      w = bytesPutAscii(out, w, cap, "keepalive=");
      return vecPutBool(out, w, cap, wsSessionSetKeepalive(s, a, t));
    case SesEv.WsAttempt:
      wsSessionAttempt(s);
      w = bytesPutAscii(out, w, cap, "attempt conn");
      return vecPutBool(out, w, cap, connInit(c, data, a, data, 0, 0, params[p + 7], SES_MSG_CAP));
    case SesEv.WsTcpUp: {
      const n = connRequest(c, big2, VEC_BIG_SIZE, data, 0, 0, data, 0, 0);
      wsSessionRequestSent(s, n > 0);
      w = bytesPutAscii(out, w, cap, "tcp-up request");
      w = sesPutWrite(out, w, cap, big2, n);
      if (n <= 0) {
        w = bytesPutAscii(out, w, cap, " socket-error");
        return sesWsActions(
          s,
          c,
          wsSessionApply(s, c, ConnEvent.SocketError, t),
          0,
          t,
          0,
          data,
          keyOff,
          small,
          out,
          w,
          cap,
        );
      }
      return w;
    }
    case SesEv.WsFeed:
      wsSessionReceived(s, t);
      w = bytesPutAscii(out, w, cap, "feed ");
      w = vecPutInt(out, w, cap, b);
      return sesWsFeed(s, c, data, a, b, params[e + 4], keyOff, t, msg, small, out, w, cap);
    case SesEv.WsTcpClosed:
      w = bytesPutAscii(out, w, cap, "tcp-closed");
      return sesWsActions(
        s,
        c,
        wsSessionApply(s, c, ConnEvent.TcpClosed, t),
        0,
        t,
        a,
        data,
        keyOff,
        small,
        out,
        w,
        cap,
      );
    case SesEv.WsSocketError:
      w = bytesPutAscii(out, w, cap, "socket-error");
      return sesWsActions(
        s,
        c,
        wsSessionApply(s, c, ConnEvent.SocketError, t),
        0,
        t,
        a,
        data,
        keyOff,
        small,
        out,
        w,
        cap,
      );
    case SesEv.WsTick:
      return sesWsTick(s, c, data, params, p, e, small, out, w, cap);
    case SesEv.WsSend: {
      vecFill(big1, 0, b, a);
      const frameLen = frameEncode(big2, 0, VEC_BIG_SIZE, params[e + 4], big1, 0, b, data, keyOff);
      const r = wsSessionSend(s, c, frameLen);
      w = bytesPutAscii(out, w, cap, "send ");
      w = vecPutInt(out, w, cap, frameLen);
      w = bytesPutAscii(out, w, cap, " =");
      w = vecPutInt(out, w, cap, r);
      w = sesPutField(out, w, cap, "err", s.error);
      w = sesPutField(out, w, cap, "detail", s.detail);
      if (r === WsSend.Now) {
        w = sesPutWrite(out, w, cap, big2, frameLen);
      }
      return w;
    }
    case SesEv.WsUserClose: {
      const r = wsSessionUserClose(s, c, a, data, b, params[e + 4], t);
      w = bytesPutAscii(out, w, cap, "user-close =");
      w = vecPutInt(out, w, cap, r);
      if (r === WsUserClose.Apply) {
        return sesWsActions(s, c, s.actions, 0, t, params[e + 5], data, keyOff, small, out, w, cap);
      }
      return w;
    }
    case SesEv.WsInit:
      wsSessionInit(s, a, t);
      w = bytesPutAscii(out, w, cap, "init role");
      w = vecPutInt(out, w, cap, a);
      if (a === SessionRole.Child) {
        connInitServer(c, params[p + 7], SES_MSG_CAP);
        w = bytesPutAscii(out, w, cap, " server");
      }
      return w;
    case SesEv.WsOrphan: {
      const r = wsSessionOrphan(s, c, a, t);
      w = bytesPutAscii(out, w, cap, "orphan =");
      w = vecPutInt(out, w, cap, r);
      w = sesPutField(out, w, cap, "role", s.role);
      if (r === WsUserClose.Apply) {
        return sesWsActions(s, c, s.actions, 0, t, b, data, keyOff, small, out, w, cap);
      }
      return w;
    }
    default:
      return bytesPutAscii(out, w, cap, "event?");
  }
}

/** Feeds data[dOff..dOff+len) to the connection, writing every output and carrying out its actions. */
function sesWsFeed(
  s: WsSession,
  c: WsConn,
  data: Readonly<Uint8Array>,
  dOff: number,
  len: number,
  random16: number,
  keyOff: number,
  t: number,
  msg: Uint8Array,
  small: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  let w = o;
  let off = 0;
  while (off < len) {
    const used = connFeed(c, data, dOff + off, len - off, msg);
    off += used;
    const kind = c.out;
    if (kind === ConnOut.None) {
      if (used === 0) {
        return bytesPutAscii(out, w, cap, " stall");
      }
      continue;
    }
    w = sesPutField(out, w, cap, "out", kind);
    w = vecPutChar(out, w, cap, 64);
    w = vecPutInt(out, w, cap, off);
    if (kind === ConnOut.Message) {
      w = vecPutChar(out, w, cap, 58);
      w = vecPutInt(out, w, cap, c.msgType);
      w = vecPutChar(out, w, cap, 58);
      w = vecPutEsc(out, w, cap, msg, 0, c.msgLen);
    } else if (kind === ConnOut.Ping) {
      w = sesPutWrite(out, w, cap, small, connEncodePong(c, small, 0, SES_SMALL_SIZE, data, keyOff));
    } else if (kind === ConnOut.CloseReceived) {
      w = sesPutField(out, w, cap, "code", c.closeCode);
    } else if (kind === ConnOut.HandshakeFailed) {
      w = sesPutField(out, w, cap, "hs", c.hs.error);
    } else if (kind === ConnOut.ProtocolError) {
      w = sesPutField(out, w, cap, "fail", c.failCode);
    }
    // The session's part of what connFeed applied itself (the close timer, NotifyOpen's bookkeeping,
    // which empties the session's queue count: the bytes flushed are the count before).
    const queued = s.queueLen;
    const actions = wsSessionFed(s, c, t);
    w = sesWsActions(s, c, actions, queued, t, random16, data, keyOff, small, out, w, cap);
  }
  return w;
}

/** A tick: what it found, the actions it applied, a keepalive Ping, or the next attempt. */
function sesWsTick(
  s: WsSession,
  c: WsConn,
  data: Readonly<Uint8Array>,
  params: Readonly<Int32Array>,
  p: number,
  e: number,
  small: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  const t = params[e + 1];
  const keyOff = params[p + 6];
  const tick = wsSessionTick(s, c, t);
  let w = bytesPutAscii(out, o, cap, "tick=");
  w = vecPutInt(out, w, cap, tick);
  if (s.error !== 0) {
    w = sesPutField(out, w, cap, "err", s.error);
    w = sesPutField(out, w, cap, "detail", s.detail);
  }
  if (tick === WsTick.Ping) {
    return sesPutWrite(out, w, cap, small, frameEncode(small, 0, SES_SMALL_SIZE, 9, small, 0, 0, data, keyOff));
  }
  if (tick === WsTick.Reconnect) {
    w = bytesPutAscii(out, w, cap, " attempt conn");
    return vecPutBool(out, w, cap, connInit(c, data, params[e + 3], data, 0, 0, params[p + 7], SES_MSG_CAP));
  }
  if (tick !== WsTick.None) {
    return sesWsActions(s, c, s.actions, 0, t, params[e + 2], data, keyOff, small, out, w, cap);
  }
  return w;
}

/**
 * Carries out Action bits as the I/O layer does: writes the Close frames,
 * flushes the queue on NotifyOpen (`queued` bytes, counted before the session
 * emptied its count), drops the socket, and on NotifyClosed asks
 * wsSessionClosed (random16 for the backoff) whether it reconnects.
 */
function sesWsActions(
  s: WsSession,
  c: WsConn,
  actions: number,
  queued: number,
  t: number,
  random16: number,
  data: Readonly<Uint8Array>,
  keyOff: number,
  small: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  let w = sesPutField(out, o, cap, "a", actions);
  if ((actions & Action.SendClose) !== 0) {
    const n = connEncodeClose(small, 0, SES_SMALL_SIZE, s.userCode, s.userReason, 0, s.userReasonLen, data, keyOff);
    w = sesPutWrite(out, w, cap, small, n);
  }
  if ((actions & Action.SendCloseReply) !== 0) {
    w = sesPutWrite(out, w, cap, small, connEncodeCloseReply(c, small, 0, SES_SMALL_SIZE, data, keyOff));
  }
  if ((actions & Action.SendCloseError) !== 0) {
    w = sesPutWrite(out, w, cap, small, connEncodeCloseError(c, small, 0, SES_SMALL_SIZE, data, keyOff));
  }
  if ((actions & Action.NotifyOpen) !== 0) {
    w = sesPutField(out, w, cap, "flush", queued);
  }
  if ((actions & Action.Disconnect) !== 0) {
    w = bytesPutAscii(out, w, cap, " drop");
  }
  if ((actions & Action.NotifyClosed) !== 0) {
    w = sesPutField(out, w, cap, "closed", wsSessionClosed(s, c, t, random16));
  }
  return w;
}

// ---------------------------------------------------------------- Socket.IO

/** Namespaces (SioSession records) a Socket.IO timeline can hold. */
export const SES_SIO_NS = 3;

/** Where namespace k of a Socket.IO timeline is (SesSio.ns). */
export const enum SesNs {
  /** Not started. */
  None = 0,
  /** Started (sioSessionInit): it joins the manager on the next tick. */
  Waiting = 1,
  /** On the manager. */
  Joined = 2,
  /** Ended and released by the I/O layer. */
  Released = 3,
}

/** What sesSioEach does to each namespace. */
export const enum SesEach {
  /** A tick: a waiting namespace joins the manager (made when there is none), with its CONNECT when the Engine.IO connection is open. */
  Attach = 1,
  /** The Engine.IO connection opened: each namespace on the manager writes its CONNECT (sioSessionJoin). */
  Connect = 2,
  /** The transport is gone: sioSessionEngineClosed (arg: the SioRetry), the acks owed a failure, the release of those that end. */
  Closed = 3,
  /** A tick: the acks whose timeout passed (sioSessionTakeFailedAck). */
  Timeouts = 4,
  /** A Socket.IO packet: the namespace it names takes it (sioSessionOnPacket). */
  Packet = 5,
}

/** What a Socket.IO timeline drives: one manager, its namespaces, and what the I/O layer knows of them. */
export class SesSio {
  m = new SioManager();
  s0 = new SioSession();
  s1 = new SioSession();
  s2 = new SioSession();
  /** Each namespace's SesNs. */
  ns = new Int32Array(SES_SIO_NS);
  /** The manager exists (sioManagerInit done; not finished nor given up). */
  live = false;
  /** The current transport's WebSocket is OPEN. */
  open = false;
  /** Namespaces that took the last Socket.IO packet. */
  took = 0;
}

/** Writes the state of namespace k: ` ns<k>:<SesNs> cn<connected> q<queued> ack<queued>/<sent>/<lost> next<ack id> fin<finishing>`, and its recovery state once it has a pid. */
function sesSioNsState(s: SioSession, k: number, where: number, out: Uint8Array, o: number, cap: number): number {
  let queued = 0;
  let sent = 0;
  let lost = 0;
  for (let i = 0; i < SIO_MAX_PENDING_ACKS; i++) {
    if (s.ackState[i] === SioAckState.Queued) {
      queued++;
    } else if (s.ackState[i] === SioAckState.Sent) {
      sent++;
    } else if (s.ackState[i] === SioAckState.Lost) {
      lost++;
    }
  }
  let w = sesPutField(out, o, cap, "ns", k);
  w = vecPutChar(out, w, cap, 58);
  w = vecPutInt(out, w, cap, where);
  w = sesPutField(out, w, cap, "cn", s.connected ? 1 : 0);
  w = sesPutField(out, w, cap, "q", s.queueLen);
  w = sesPutField(out, w, cap, "ack", queued);
  w = vecPutChar(out, w, cap, 47);
  w = vecPutInt(out, w, cap, sent);
  w = vecPutChar(out, w, cap, 47);
  w = vecPutInt(out, w, cap, lost);
  w = sesPutField(out, w, cap, "next", s.nextAckId);
  w = sesPutField(out, w, cap, "fin", s.finishing ? 1 : 0);
  if (s.pidLen > 0) {
    w = bytesPutAscii(out, w, cap, " pid=");
    w = vecPutEsc(out, w, cap, s.pid, 0, s.pidLen);
    w = bytesPutAscii(out, w, cap, " off=");
    w = vecPutEsc(out, w, cap, s.offset, 0, s.offsetLen);
    w = sesPutField(out, w, cap, "rec", s.recovered ? 1 : 0);
  }
  return w;
}

/**
 * Writes the state after a Socket.IO step: ` | mgr<live> eo<engine open> rc<at or -1> n<attempts> mf<finishing>`,
 * then each namespace started (sesSioNsState).
 */
function sesSioState(r: SesSio, out: Uint8Array, o: number, cap: number): number {
  let w = bytesPutAscii(out, o, cap, " |");
  w = sesPutField(out, w, cap, "mgr", r.live ? 1 : 0);
  w = sesPutField(out, w, cap, "eo", r.m.engineOpen ? 1 : 0);
  w = sesPutField(out, w, cap, "rc", r.m.rc.pending ? r.m.rc.at : -1);
  w = sesPutField(out, w, cap, "n", r.m.rc.backoff.attempts);
  w = sesPutField(out, w, cap, "mf", r.m.finishing ? 1 : 0);
  if (r.ns[0] !== SesNs.None) {
    w = sesSioNsState(r.s0, 0, r.ns[0], out, w, cap);
  }
  if (r.ns[1] !== SesNs.None) {
    w = sesSioNsState(r.s1, 1, r.ns[1], out, w, cap);
  }
  if (r.ns[2] !== SesNs.None) {
    w = sesSioNsState(r.s2, 2, r.ns[2], out, w, cap);
  }
  return w;
}

/** Writes ` reason=<socket.io-client's text>`. */
function sesPutReason(out: Uint8Array, o: number, cap: number, reason: number): number {
  const w = bytesPutAscii(out, o, cap, " reason=");
  if (w < 0) {
    return -1;
  }
  return sioReasonText(reason, out, w, cap);
}

/** Writes ` ns<k>:`. */
function sesPutNs(out: Uint8Array, o: number, cap: number, k: number): number {
  const w = sesPutField(out, o, cap, "ns", k);
  return vecPutChar(out, w, cap, 58);
}

/** The acks of namespace k owed a failure (all with a timeout when `ending`): ` ns<k>:ackfail<entry>` each, until none is left. */
function sesSioFailedAcks(
  s: SioSession,
  k: number,
  t: number,
  ending: boolean,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  let w = o;
  let entry = sioSessionTakeFailedAck(s, t, ending);
  while (entry >= 0) {
    w = sesPutNs(out, w, cap, k);
    w = bytesPutAscii(out, w, cap, "ackfail");
    w = vecPutInt(out, w, cap, entry);
    entry = sioSessionTakeFailedAck(s, t, ending);
  }
  return w;
}

/**
 * Namespace k ended: the I/O layer releases it (` release<k>`); when no
 * namespace is left on the manager, the manager finishes and its transport is
 * dropped (` mgr-finish=<sioManagerFinish> drop`).
 */
function sesSioRelease(r: SesSio, k: number, out: Uint8Array, o: number, cap: number): number {
  r.ns[k] = SesNs.Released;
  let w = sesPutField(out, o, cap, "release", k);
  if (!r.live) {
    return w;
  }
  for (let i = 0; i < SES_SIO_NS; i++) {
    if (r.ns[i] === SesNs.Joined) {
      return w;
    }
  }
  w = bytesPutAscii(out, w, cap, " mgr-finish=");
  w = vecPutBool(out, w, cap, sioManagerFinish(r.m));
  r.live = false;
  r.open = false;
  return bytesPutAscii(out, w, cap, " drop");
}

/** Does `what` (a SesEach) to each namespace in turn. */
function sesSioEach(
  r: SesSio,
  what: number,
  arg: number,
  t: number,
  data: Readonly<Uint8Array>,
  pk: SioParsed,
  name: Uint8Array,
  small: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  let w = sesSioOne(r, r.s0, 0, what, arg, t, data, pk, name, small, out, o, cap);
  w = sesSioOne(r, r.s1, 1, what, arg, t, data, pk, name, small, out, w, cap);
  return sesSioOne(r, r.s2, 2, what, arg, t, data, pk, name, small, out, w, cap);
}

/** Does `what` (a SesEach) to namespace k, whose record is s. */
function sesSioOne(
  r: SesSio,
  s: SioSession,
  k: number,
  what: number,
  arg: number,
  t: number,
  data: Readonly<Uint8Array>,
  pk: SioParsed,
  name: Uint8Array,
  small: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  let w = o;
  if (what === SesEach.Attach) {
    if (r.ns[k] !== SesNs.Waiting) {
      return w;
    }
    if (!r.live) {
      sioManagerInit(r.m, s.rc, t);
      r.live = true;
      w = bytesPutAscii(out, w, cap, " mgr");
    }
    r.ns[k] = SesNs.Joined;
    w = sesPutField(out, w, cap, "join", k);
    if (r.m.engineOpen) {
      const n = sioSessionJoin(s, small, SES_SMALL_SIZE);
      w = bytesPutAscii(out, w, cap, " >");
      w = vecPutEsc(out, w, cap, small, 0, n);
    }
    return w;
  }
  if (r.ns[k] !== SesNs.Joined) {
    return w;
  }
  switch (what) {
    case SesEach.Connect: {
      const n = sioSessionJoin(s, small, SES_SMALL_SIZE);
      w = sesPutNs(out, w, cap, k);
      w = vecPutChar(out, w, cap, 62);
      return vecPutEsc(out, w, cap, small, 0, n);
    }
    case SesEach.Closed: {
      const bits = sioSessionEngineClosed(s, r.m.reason, arg === SioRetry.Retry);
      w = sesPutNs(out, w, cap, k);
      w = bytesPutAscii(out, w, cap, "closed");
      w = vecPutInt(out, w, cap, bits);
      w = sesSioFailedAcks(s, k, t, (bits & SioClosed.Finish) !== 0, out, w, cap);
      if ((bits & SioClosed.Finish) !== 0) {
        w = sesSioRelease(r, k, out, w, cap);
      }
      return w;
    }
    case SesEach.Timeouts:
      return sesSioFailedAcks(s, k, t, false, out, w, cap);
    case SesEach.Packet: {
      if (!sioNspEquals(data, pk, s.nsp, 0, s.nspLen)) {
        return w;
      }
      r.took++;
      const res = sioSessionOnPacket(s, data, pk, name, SES_NAME_CAP);
      w = sesPutNs(out, w, cap, k);
      w = bytesPutAscii(out, w, cap, "out=");
      w = vecPutInt(out, w, cap, res);
      return sesSioOut(r, s, k, res, t, data, pk, name, out, w, cap);
    }
    default:
      return w;
  }
}

/**
 * The transport is gone for `reason`: sioManagerEngineClosed (` closed<SioRetry> reason=...`),
 * then what it means for each namespace on the manager.
 */
function sesSioEngineClosed(
  r: SesSio,
  reason: number,
  t: number,
  random16: number,
  data: Readonly<Uint8Array>,
  pk: SioParsed,
  name: Uint8Array,
  small: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  const wanted =
    (r.ns[0] === SesNs.Joined && sioSessionWantsTransport(r.s0)) ||
    (r.ns[1] === SesNs.Joined && sioSessionWantsTransport(r.s1)) ||
    (r.ns[2] === SesNs.Joined && sioSessionWantsTransport(r.s2));
  const retry = sioManagerEngineClosed(r.m, reason, wanted, t, random16);
  r.open = false;
  let w = sesPutField(out, o, cap, "closed", retry);
  if (retry === SioRetry.None) {
    return w;
  }
  w = sesPutReason(out, w, cap, r.m.reason);
  if (retry === SioRetry.GiveUp) {
    // The manager is released with its last namespace.
    r.live = false;
  }
  return sesSioEach(r, SesEach.Closed, retry, t, data, pk, name, small, out, w, cap);
}

/**
 * Replays the first nEvents events of a Socket.IO timeline through r (the
 * oracle's builder reads it afterwards); returns the length of the lines.
 * big1 (VEC_BIG_SIZE bytes) holds the packets the user emits.
 */
export function sesRunSio(
  r: SesSio,
  data: Readonly<Uint8Array>,
  params: Readonly<Int32Array>,
  p: number,
  nEvents: number,
  names: Readonly<Uint8Array>,
  nameOff: number,
  big1: Uint8Array,
  out: Uint8Array,
  cap: number,
): number {
  const pk = new SioParsed();
  const name = new Uint8Array(SES_NAME_CAP);
  const small = new Uint8Array(SES_SMALL_SIZE);
  const t0 = params[p + 2];
  r.live = false;
  r.open = false;
  for (let k = 0; k < SES_SIO_NS; k++) {
    r.ns[k] = SesNs.None;
  }
  let w = sesLine(out, 0, cap, names, nameOff, 0, t0);
  w = bytesPutAscii(out, w, cap, "init=");
  const ok = sioSessionInit(r.s0, data, params[p + 3], params[p + 4], data, params[p + 5], params[p + 6]);
  if (ok) {
    r.ns[0] = SesNs.Waiting;
  }
  w = vecPutBool(out, w, cap, ok);
  w = sesSioState(r, out, w, cap);
  w = vecPutChar(out, w, cap, 10);
  for (let i = 0; i < nEvents; i++) {
    const e = p + SES_HEAD + i * SES_EV_WIDTH;
    const t = params[e + 1];
    const a = params[e + 2];
    const k = (params[e] / SES_EV_NS) | 0;
    w = sesLine(out, w, cap, names, nameOff, i + 1, t);
    switch (params[e] % SES_EV_NS) {
      case SesEv.SioTick:
        w = sesSioTick(r, t, a, data, pk, name, small, out, w, cap);
        break;
      case SesEv.SioWsOpen:
        r.open = true;
        w = bytesPutAscii(out, w, cap, "ws-open");
        break;
      case SesEv.SioMessage:
        w = sesSioMessage(r, data, params, e, pk, name, small, out, w, cap);
        break;
      case SesEv.SioWsClosed:
        r.open = false;
        w = bytesPutAscii(out, w, cap, "ws-closed");
        w = sesSioEngineClosed(r, sioManagerTransportEndReason(r.m), t, a, data, pk, name, small, out, w, cap);
        break;
      case SesEv.SioWsError:
        sioManagerTransportFailed(r.m);
        w = bytesPutAscii(out, w, cap, "ws-error");
        break;
      default:
        if (k === 0) {
          w = sesSioNsEvent(r, r.s0, 0, data, params, e, small, big1, out, w, cap);
        } else if (k === 1) {
          w = sesSioNsEvent(r, r.s1, 1, data, params, e, small, big1, out, w, cap);
        } else {
          w = sesSioNsEvent(r, r.s2, 2, data, params, e, small, big1, out, w, cap);
        }
        break;
    }
    w = sesSioState(r, out, w, cap);
    w = vecPutChar(out, w, cap, 10);
  }
  return w;
}

/** A tick: waiting namespaces join, sioManagerTick and what it found, then the acks whose timeout passed. */
function sesSioTick(
  r: SesSio,
  t: number,
  random16: number,
  data: Readonly<Uint8Array>,
  pk: SioParsed,
  name: Uint8Array,
  small: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  let w = bytesPutAscii(out, o, cap, "tick");
  w = sesSioEach(r, SesEach.Attach, 0, t, data, pk, name, small, out, w, cap);
  if (!r.live) {
    return bytesPutAscii(out, w, cap, " idle");
  }
  const tick = sioManagerTick(r.m, t);
  w = bytesPutAscii(out, w, cap, " tick=");
  w = vecPutInt(out, w, cap, tick);
  if (tick === SioTick.OpenTimeout) {
    w = sesPutField(out, w, cap, "err", r.m.error);
    w = sesPutField(out, w, cap, "detail", r.m.detail);
  }
  if (tick === SioTick.PingTimeout || tick === SioTick.OpenTimeout) {
    w = bytesPutAscii(out, w, cap, " drop");
    w = sesSioEngineClosed(r, r.m.reason, t, random16, data, pk, name, small, out, w, cap);
  } else if (tick === SioTick.Open) {
    r.open = false;
    sioManagerTransportStarted(r.m, t);
    w = bytesPutAscii(out, w, cap, " transport");
  }
  return sesSioEach(r, SesEach.Timeouts, 0, t, data, pk, name, small, out, w, cap);
}

/** A message of the transport: sioManagerOnMessage and what it asks for. */
function sesSioMessage(
  r: SesSio,
  data: Readonly<Uint8Array>,
  params: Readonly<Int32Array>,
  e: number,
  pk: SioParsed,
  name: Uint8Array,
  small: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  const t = params[e + 1];
  let w = bytesPutAscii(out, o, cap, "msg ");
  w = vecPutEsc(out, w, cap, data, params[e + 3], params[e + 4]);
  const res = sioManagerOnMessage(r.m, params[e + 2], data, params[e + 3], params[e + 4], pk, small, SES_SMALL_SIZE, t);
  w = sesPutField(out, w, cap, "out=", res);
  switch (res) {
    case SioEio.Write:
      w = bytesPutAscii(out, w, cap, " >");
      return vecPutEsc(out, w, cap, small, 0, r.m.outLen);
    case SioEio.Error:
      w = sesPutField(out, w, cap, "err", r.m.error);
      w = sesPutField(out, w, cap, "detail", r.m.detail);
      return sesPutField(out, w, cap, "drop", r.m.drop);
    case SioEio.Fail:
      w = sesPutField(out, w, cap, "err", r.m.error);
      w = sesPutField(out, w, cap, "detail", r.m.detail);
      w = bytesPutAscii(out, w, cap, " drop");
      return sesSioEngineClosed(r, r.m.reason, t, params[e + 5], data, pk, name, small, out, w, cap);
    case SioEio.CloseTransport:
      w = bytesPutAscii(out, w, cap, " drop");
      return sesSioEngineClosed(r, r.m.reason, t, params[e + 5], data, pk, name, small, out, w, cap);
    case SioEio.Open:
      return sesSioEach(r, SesEach.Connect, 0, t, data, pk, name, small, out, w, cap);
    case SioEio.Packet:
      r.took = 0;
      w = sesSioEach(r, SesEach.Packet, 0, t, data, pk, name, small, out, w, cap);
      if (r.took === 0) {
        w = bytesPutAscii(out, w, cap, " ns-");
      }
      return w;
    default:
      return w;
  }
}

/** Writes what a SioOut of namespace k asks for (the error, the event, the ack, its end). */
function sesSioOut(
  r: SesSio,
  s: SioSession,
  k: number,
  res: number,
  t: number,
  data: Readonly<Uint8Array>,
  pk: SioParsed,
  name: Readonly<Uint8Array>,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  let w = o;
  switch (res) {
    case SioOut.Error:
      w = sesPutField(out, w, cap, "err", s.error);
      w = sesPutField(out, w, cap, "detail", s.detail);
      return sesPutField(out, w, cap, "drop", s.drop);
    case SioOut.Connected:
      w = bytesPutAscii(out, w, cap, " flush connect=");
      w = vecPutEsc(out, w, cap, data, pk.dataOff, pk.dataLen);
      return sesPutField(out, w, cap, "recovered", s.recovered ? 1 : 0);
    case SioOut.ConnectError: {
      w = bytesPutAscii(out, w, cap, " connect-error=");
      w = vecPutEsc(out, w, cap, data, pk.dataOff, pk.dataLen);
      w = bytesPutAscii(out, w, cap, " finish=");
      w = vecPutBool(out, w, cap, sioSessionFinish(s, s.reason));
      w = sesPutReason(out, w, cap, s.reason);
      w = sesSioFailedAcks(s, k, t, true, out, w, cap);
      return sesSioRelease(r, k, out, w, cap);
    }
    case SioOut.Finish:
      w = sesPutReason(out, w, cap, s.reason);
      w = sesSioFailedAcks(s, k, t, true, out, w, cap);
      return sesSioRelease(r, k, out, w, cap);
    case SioOut.Event:
      w = bytesPutAscii(out, w, cap, " event=");
      w = vecPutEsc(out, w, cap, name, 0, s.nameLen);
      w = bytesPutAscii(out, w, cap, " args=");
      w = vecPutEsc(out, w, cap, data, pk.argsOff, pk.argsLen);
      return sesPutField(out, w, cap, "id", pk.ackId);
    case SioOut.Ack:
      w = sesPutField(out, w, cap, "entry", s.ack);
      w = bytesPutAscii(out, w, cap, " args=");
      return vecPutEsc(out, w, cap, data, pk.argsOff, pk.argsLen);
    default:
      return w;
  }
}

/** An event of namespace k (SioJoin, SioConfigure, SioEmit, SioClose, SioAckReply), whose record is s. */
function sesSioNsEvent(
  r: SesSio,
  s: SioSession,
  k: number,
  data: Readonly<Uint8Array>,
  params: Readonly<Int32Array>,
  e: number,
  small: Uint8Array,
  big1: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  const t = params[e + 1];
  const a = params[e + 2];
  let w = o;
  switch (params[e] % SES_EV_NS) {
    case SesEv.SioJoin: {
      const ok = sioSessionInit(s, data, a, params[e + 3], data, params[e + 4], params[e + 5]);
      if (ok) {
        r.ns[k] = SesNs.Waiting;
      }
      w = bytesPutAscii(out, w, cap, "init");
      w = vecPutInt(out, w, cap, k);
      w = vecPutChar(out, w, cap, 61);
      return vecPutBool(out, w, cap, ok);
    }
    case SesEv.SioConfigure:
      w = bytesPutAscii(out, w, cap, "configure");
      w = vecPutInt(out, w, cap, k);
      w = vecPutChar(out, w, cap, 61);
      return vecPutInt(
        out,
        w,
        cap,
        reconnectConfigure(s.rc, a !== 0, params[e + 3], params[e + 4], params[e + 5], params[e + 6]),
      );
    case SesEv.SioEmit:
      w = bytesPutAscii(out, w, cap, "emit");
      w = vecPutInt(out, w, cap, k);
      return sesSioEmit(r, s, data, params, e, big1, out, w, cap);
    case SesEv.SioAckReply: {
      // The Engine.IO message: `4` and the Socket.IO ACK packet.
      small[0] = 52;
      const n = sioEncodeAck(small, 1, SES_SMALL_SIZE, s.nsp, 0, s.nspLen, a, data, params[e + 3], params[e + 4]);
      const res = sioSessionAck(s, r.m, n, r.open);
      w = bytesPutAscii(out, w, cap, "ack-reply");
      w = vecPutInt(out, w, cap, k);
      w = vecPutChar(out, w, cap, 32);
      w = vecPutInt(out, w, cap, n);
      w = bytesPutAscii(out, w, cap, " =");
      w = vecPutInt(out, w, cap, res);
      if (s.error !== 0) {
        w = sesPutField(out, w, cap, "err", s.error);
        w = sesPutField(out, w, cap, "detail", s.detail);
      }
      if (res === SioSend.Now) {
        w = bytesPutAscii(out, w, cap, " >");
        w = vecPutEsc(out, w, cap, small, 0, n);
      }
      return w;
    }
    case SesEv.SioClose: {
      const bits = sioSessionClose(s, r.open, small, SES_SMALL_SIZE);
      w = bytesPutAscii(out, w, cap, "close");
      w = vecPutInt(out, w, cap, k);
      w = vecPutChar(out, w, cap, 61);
      w = vecPutInt(out, w, cap, bits);
      if ((bits & SioClose.Write) !== 0) {
        w = bytesPutAscii(out, w, cap, " >");
        w = vecPutEsc(out, w, cap, small, 0, s.outLen);
      }
      if ((bits & SioClose.Finish) !== 0) {
        w = sesPutReason(out, w, cap, s.reason);
        w = sesSioFailedAcks(s, k, t, true, out, w, cap);
        w = sesSioRelease(r, k, out, w, cap);
      }
      return w;
    }
    default:
      return bytesPutAscii(out, w, cap, "event?");
  }
}

/** Namespace s emits (once, or repeatedly): the ack id, the packet, what sioSessionEmit decided, the ack's timeout. */
function sesSioEmit(
  r: SesSio,
  s: SioSession,
  data: Readonly<Uint8Array>,
  params: Readonly<Int32Array>,
  e: number,
  big1: Uint8Array,
  out: Uint8Array,
  o: number,
  cap: number,
): number {
  const t = params[e + 1];
  const flags = params[e + 6];
  const wantAck = (flags & 1) !== 0;
  const timeout = flags >> 9;
  let times = (flags >> 1) & 255;
  if (times < 1) {
    times = 1;
  }
  let w = o;
  for (let i = 0; i < times; i++) {
    const ackId = sioSessionAckIdFor(s, wantAck);
    w = vecPutChar(out, w, cap, 32);
    w = vecPutInt(out, w, cap, ackId);
    if (ackId === -2) {
      w = bytesPutAscii(out, w, cap, ":full");
      continue;
    }
    // The Engine.IO message: `4` and the Socket.IO packet.
    big1[0] = 52;
    const n = sioEncodeEvent(
      big1,
      1,
      VEC_BIG_SIZE,
      s.nsp,
      0,
      s.nspLen,
      data,
      params[e + 2],
      params[e + 3],
      data,
      params[e + 4],
      params[e + 5],
      ackId,
    );
    if (n < 0) {
      w = bytesPutAscii(out, w, cap, ":encode");
      w = vecPutInt(out, w, cap, n);
      continue;
    }
    // sioEncodeEvent returns the offset after the packet, which started at 1.
    const packetLen = n;
    // The masked text frame it goes out in.
    const frameLen = packetLen + frameHeaderSize(packetLen, true);
    const res = sioSessionEmit(s, r.m, packetLen, frameLen, ackId, r.open);
    w = vecPutChar(out, w, cap, 61);
    w = vecPutInt(out, w, cap, res);
    if (ackId >= 0 && (res === SioSend.Now || res === SioSend.Queue)) {
      w = bytesPutAscii(out, w, cap, ":entry");
      w = vecPutInt(out, w, cap, s.ack);
      if (timeout > 0) {
        w = bytesPutAscii(out, w, cap, ":timeout");
        w = vecPutBool(out, w, cap, sioSessionAckTimeout(s, s.ack, timeout, t));
      }
    }
    if (s.error !== 0) {
      w = bytesPutAscii(out, w, cap, ":err");
      w = vecPutInt(out, w, cap, s.error);
      w = vecPutChar(out, w, cap, 47);
      w = vecPutInt(out, w, cap, s.detail);
    }
    if (res === SioSend.Now && times === 1) {
      w = vecPutChar(out, w, cap, 62);
      w = vecPutEsc(out, w, cap, big1, 0, packetLen);
    }
  }
  return w;
}
