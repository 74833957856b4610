/**
 * One connection without I/O (the pattern of Python's wsproto): the
 * I/O layer hands in received bytes and socket events, and gets back events
 * for the user plus the actions of the ready-state machine to carry out.
 * Everything a WebSocket client decides lives here; the Node harness and the
 * SourcePawn glue only move bytes and run timers.
 */

import { CloseCode, closePayloadBuild } from "./close.js";
import {
  DECODER_MAX_MESSAGE_LIMIT,
  WsEvent,
  FrameDecoder,
  decoderFeed,
  decoderInit,
  decoderInitServer,
} from "./decoder.js";
import { Deflater, deflateMessage } from "./deflate.js";
import { FRAME_RSV1_BIT, MAX_CONTROL_PAYLOAD, Opcode, frameEncode, frameEncodeServer } from "./frame.js";
import {
  Handshake,
  HandshakeError,
  HandshakeState,
  handshakeBuildRequest,
  handshakeFeed,
  handshakeInit,
  handshakeOfferDeflate,
} from "./handshake.js";
import {
  InflateError,
  InflateResult,
  Inflater,
  inflateFinish,
  inflateMessageStart,
  inflateReset,
  inflateRun,
} from "./inflate.js";
import {
  ServerHandshake,
  ServerHandshakeError,
  serverHandshakeBuildAccept,
  serverHandshakeFeed,
  serverHandshakeInit,
} from "./serverhandshake.js";
import { Action, ConnEvent, ReadyState, transitionActions, transitionNext } from "./state.js";
import { ParsedUrl } from "./url.js";
import { UTF8_ACCEPT, UTF8_REJECT, utf8Validate } from "./utf8.js";

/** What connFeed or connApply reports to the user. */
export const enum ConnOut {
  None = 0,
  /** The handshake completed; the connection is open. */
  Open = 1,
  /**
   * A whole message (conn.msgType, conn.msgLen): its last msgLen - conn.msgSpilled
   * bytes are in the caller's msg buffer, the first conn.msgSpilled were spilled.
   */
  Message = 2,
  /** A Ping arrived; its payload is in conn.dec.ctl (answer with connEncodePong). */
  Ping = 3,
  /** A Pong arrived; its payload is in conn.dec.ctl. */
  Pong = 4,
  /** The server sent a Close frame (conn.closeCode, reason in conn.dec.ctl[2..]). */
  CloseReceived = 5,
  /** The handshake failed (conn.hs.error, conn.hs.status). */
  HandshakeFailed = 6,
  /** The server broke the protocol; conn.failCode is the close code we send. */
  ProtocolError = 7,
  /** The open message outgrew the msg buffer: take msg[0..conn.spillLen), its next bytes, before feeding on. */
  Spill = 8,
  /**
   * Server role: the client's opening request is complete and valid (conn.shs: target,
   * offered subprotocols). Answer it with connAccept, or refuse it (serverHandshakeBuildStatus,
   * then ConnEvent.UserClose); until then connFeed reads nothing more.
   */
  Request = 9,
}

/** A connection: ready state, handshake, decoder, and what the last step produced. */
export class WsConn {
  state = 0;
  /** Server role (connInitServer): the peer is a client, its frames are masked and ours are not. */
  server = false;
  url = new ParsedUrl();
  hs = new Handshake();
  /** Server role: the client's opening request. */
  shs = new ServerHandshake();
  dec = new FrameDecoder();
  /** Output of the last connFeed/connApply: a ConnOut and the Action bits to carry out. */
  out = 0;
  actions = 0;
  msgType = 0;
  msgLen = 0;
  /** On Message: how many of its first bytes were handed out by Spill outputs. */
  msgSpilled = 0;
  /** On Message: the message is compressed (permessage-deflate, RSV1); inflate it with connInflateMessage. */
  msgCompressed = false;
  /** The message being inflated (connInflateBegin): whether it is text, and its UTF-8 state so far. */
  inflText = false;
  inflUtf8 = 0;
  /** On Spill: how many bytes msg[0..spillLen) holds. */
  spillLen = 0;
  /** The code the server closed with (1005 when its Close had no code), or 1006 for a dropped connection. */
  closeCode = 0;
  closeSent = false;
  closeReceived = false;
  /** Close code we fail the connection with after a protocol error. */
  failCode = 0;
}

/**
 * Starts a connection to an already parsed URL (copy it into conn.url first)
 * with 16 random nonce bytes and the requested subprotocols. The msg buffer
 * given to connFeed holds `msgCap` bytes; a longer message is handed out in
 * Spill outputs (see decoderInit).
 */
export function connInit(
  c: WsConn,
  nonce: Readonly<Uint8Array>,
  nOff: number,
  protocols: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
  maxMessage: number,
  msgCap: number = DECODER_MAX_MESSAGE_LIMIT,
): boolean {
  connReset(c);
  c.server = false;
  decoderInit(c.dec, maxMessage, msgCap);
  return handshakeInit(c.hs, nonce, nOff, protocols, pOff, pLen);
}

/**
 * Starts the server side of a connection a client just opened: the opening
 * request is read first (ConnOut.Request), then the client's masked frames.
 * msgCap as for connInit.
 */
export function connInitServer(c: WsConn, maxMessage: number, msgCap: number = DECODER_MAX_MESSAGE_LIMIT): void {
  connReset(c);
  c.server = true;
  decoderInitServer(c.dec, maxMessage, msgCap);
  serverHandshakeInit(c.shs);
}

/** The state every connection starts in (CONNECTING, nothing received or sent). */
function connReset(c: WsConn): void {
  c.state = ReadyState.Connecting;
  c.out = ConnOut.None;
  c.actions = Action.None;
  c.msgType = 0;
  c.msgLen = 0;
  c.msgSpilled = 0;
  c.msgCompressed = false;
  c.inflText = false;
  c.inflUtf8 = 0;
  c.spillLen = 0;
  c.closeCode = CloseCode.Abnormal;
  c.closeSent = false;
  c.closeReceived = false;
  c.failCode = 0;
}

/** Writes the opening handshake request; see handshakeBuildRequest for the result. */
export function connRequest(
  c: WsConn,
  out: Uint8Array,
  cap: number,
  origin: Readonly<Uint8Array>,
  oOff: number,
  oLen: number,
  extra: Readonly<Uint8Array>,
  eOff: number,
  eLen: number,
): number {
  return handshakeBuildRequest(c.hs, c.url, out, cap, origin, oOff, oLen, extra, eOff, eLen);
}

/** Applies a ready-state event: sets conn.state and conn.actions, and returns the actions. */
export function connApply(c: WsConn, event: number): number {
  const actions = transitionActions(c.state, event);
  c.state = transitionNext(c.state, event);
  c.actions = actions;
  if ((actions & (Action.SendClose | Action.SendCloseReply | Action.SendCloseError)) !== 0) {
    c.closeSent = true;
  }
  return actions;
}

/**
 * Feeds received bytes data[off..off+len); returns how many were consumed
 * (call again while bytes remain). Sets conn.out and conn.actions. Message
 * payloads are reassembled into msg (capacity: the msgCap given to connInit;
 * ConnOut.Spill when a message outgrows it).
 */
export function connFeed(c: WsConn, data: Readonly<Uint8Array>, off: number, len: number, msg: Uint8Array): number {
  c.out = ConnOut.None;
  c.actions = Action.None;
  if (c.state === ReadyState.Closed) {
    return len;
  }
  if (c.state === ReadyState.Connecting && c.server) {
    if (c.shs.state !== HandshakeState.Pending) {
      // The request was reported; no frame is read before the answer (connAccept).
      return 0;
    }
    const used = serverHandshakeFeed(c.shs, data, off, len);
    const after: number = c.shs.state;
    if (after === HandshakeState.Done) {
      c.out = ConnOut.Request;
    } else if (after === HandshakeState.Failed) {
      c.out = ConnOut.HandshakeFailed;
      connApply(c, ConnEvent.HandshakeFailed);
      return len;
    }
    return used;
  }
  if (c.state === ReadyState.Connecting) {
    const used = handshakeFeed(c.hs, data, off, len);
    if (c.hs.state === HandshakeState.Done) {
      c.dec.deflate = c.hs.deflate;
      c.out = ConnOut.Open;
      connApply(c, ConnEvent.HandshakeOk);
    } else if (c.hs.state === HandshakeState.Failed) {
      c.out = ConnOut.HandshakeFailed;
      connApply(c, ConnEvent.HandshakeFailed);
      return len;
    }
    return used;
  }
  if (c.closeReceived || c.failCode !== 0) {
    // Nothing may follow a Close frame (RFC 6455 §5.5.1), and after failing the
    // connection we only wait for the server to close TCP (§7.1.7): ignore it.
    return len;
  }
  const used = decoderFeed(c.dec, data, off, len, msg);
  const ev = c.dec.event;
  if (ev === WsEvent.Message) {
    c.out = ConnOut.Message;
    c.msgType = c.dec.msgType;
    c.msgLen = c.dec.msgLen;
    c.msgSpilled = c.dec.msgSpilled;
    c.msgCompressed = c.dec.msgCompressed;
  } else if (ev === WsEvent.Spill) {
    c.out = ConnOut.Spill;
    c.spillLen = c.dec.spillLen;
  } else if (ev === WsEvent.Ping) {
    c.out = ConnOut.Ping;
  } else if (ev === WsEvent.Pong) {
    c.out = ConnOut.Pong;
  } else if (ev === WsEvent.Close) {
    c.out = ConnOut.CloseReceived;
    c.closeReceived = true;
    c.closeCode = c.dec.closeCode;
    connApply(c, c.server ? ConnEvent.ServerCloseReceived : ConnEvent.CloseReceived);
  } else if (ev === WsEvent.Error) {
    c.out = ConnOut.ProtocolError;
    c.failCode = c.dec.errorCode;
    connApply(c, c.server ? ConnEvent.ServerProtocolError : ConnEvent.ProtocolError);
    return len;
  }
  return used;
}

/**
 * Server role: answers the request reported by ConnOut.Request with 101, choosing
 * protocol[pOff..pOff+pLen) (pLen 0: none; otherwise one the client offered), into
 * out[0..cap). On success the connection is OPEN (conn.actions: NotifyOpen) and the
 * length is returned; otherwise -ServerHandshakeError (UnofferedProtocol,
 * AnswerTooLarge) and nothing changes.
 */
export function connAccept(
  c: WsConn,
  protocol: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
  out: Uint8Array,
  cap: number,
): number {
  c.out = ConnOut.None;
  c.actions = Action.None;
  if (!c.server || c.state !== ReadyState.Connecting || c.shs.state !== HandshakeState.Done) {
    return -ServerHandshakeError.BadRequestLine;
  }
  const n = serverHandshakeBuildAccept(c.shs, protocol, pOff, pLen, out, cap);
  if (n < 0) {
    return n;
  }
  c.out = ConnOut.Open;
  connApply(c, ConnEvent.HandshakeOk);
  return n;
}

/**
 * Encodes one complete frame as this side sends it: masked with maskKey[kOff..kOff+4)
 * by a client, unmasked by a server (RFC 6455 §5.1). Returns bytes written or -1.
 */
export function connEncodeFrame(
  server: boolean,
  out: Uint8Array,
  off: number,
  cap: number,
  opcode: number,
  payload: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
  maskKey: Readonly<Uint8Array>,
  kOff: number,
): number {
  if (server) {
    return frameEncodeServer(out, off, cap, opcode, payload, pOff, pLen);
  }
  return frameEncode(out, off, cap, opcode, payload, pOff, pLen, maskKey, kOff);
}

/** True when the closing handshake finished both ways (a clean close in the sense of RFC 6455 §7.1.4). */
export function connWasClean(c: WsConn): boolean {
  return c.closeSent && c.closeReceived;
}

/** Encodes the Pong answering the Ping just reported (same payload). Returns bytes written or -1. */
export function connEncodePong(
  c: WsConn,
  out: Uint8Array,
  off: number,
  cap: number,
  maskKey: Readonly<Uint8Array>,
  kOff: number,
): number {
  return connEncodeFrame(c.server, out, off, cap, Opcode.Pong, c.dec.ctl, 0, c.dec.ctlLen, maskKey, kOff);
}

/**
 * Encodes a Close frame with `code` and reason[rOff..rOff+rLen) (reason at
 * most 123 bytes; code 0 sends an empty Close), unmasked when `server`.
 * Returns bytes written or -1.
 */
export function connEncodeClose(
  out: Uint8Array,
  off: number,
  cap: number,
  code: number,
  reason: Readonly<Uint8Array>,
  rOff: number,
  rLen: number,
  maskKey: Readonly<Uint8Array>,
  kOff: number,
  server: boolean = false,
): number {
  const payload = new Uint8Array(MAX_CONTROL_PAYLOAD);
  let n = 0;
  if (code !== 0) {
    n = closePayloadBuild(payload, 0, code, reason, rOff, rLen);
    if (n < 0) {
      return -1;
    }
  }
  return connEncodeFrame(server, out, off, cap, Opcode.Close, payload, 0, n, maskKey, kOff);
}

/** Encodes the reply to the server's Close: its code echoed, no reason (empty when it sent no code). */
export function connEncodeCloseReply(
  c: WsConn,
  out: Uint8Array,
  off: number,
  cap: number,
  maskKey: Readonly<Uint8Array>,
  kOff: number,
): number {
  let code = c.closeCode;
  if (code === CloseCode.NoStatus) {
    code = 0;
  }
  return connEncodeClose(out, off, cap, code, c.dec.ctl, 0, 0, maskKey, kOff, c.server);
}

/** Encodes the Close we fail the connection with after a protocol error (conn.failCode). */
export function connEncodeCloseError(
  c: WsConn,
  out: Uint8Array,
  off: number,
  cap: number,
  maskKey: Readonly<Uint8Array>,
  kOff: number,
): number {
  return connEncodeClose(out, off, cap, c.failCode, c.dec.ctl, 0, 0, maskKey, kOff, c.server);
}

/** True when the handshake failed because the server answered with another HTTP status. */
export function connRefusedStatus(c: Readonly<WsConn>): number {
  if (c.hs.error === HandshakeError.StatusNot101) {
    return c.hs.status;
  }
  return 0;
}

/**
 * Makes the opening request offer permessage-deflate (RFC 7692; see
 * handshakeOfferDeflate). Call after connInit, before connRequest. Whether the
 * server accepted it, and with which parameters, is in conn.hs.deflate* once
 * the connection is open; only then may messages arrive compressed
 * (conn.msgCompressed) and may connEncodeDeflated compress.
 */
export function connOfferDeflate(c: WsConn): void {
  handshakeOfferDeflate(c.hs);
}

/** Fails the connection from outside connFeed with close code `code` (as a protocol error). */
function connFailWith(c: WsConn, code: number): void {
  c.out = ConnOut.ProtocolError;
  c.failCode = code;
  connApply(c, c.server ? ConnEvent.ServerProtocolError : ConnEvent.ProtocolError);
}

/**
 * Starts inflating the compressed message being received (RFC 7692 §7.2.2):
 * call it at the first Spill of a message whose conn.dec.openCompressed is
 * set, or at its Message (conn.msgCompressed) when nothing was spilled. `inf`
 * is this connection's Inflater (inflateReset when the connection opened); it
 * is reset here when the server does not take over its context
 * (server_no_context_takeover, §7.1.1.1). `limit` is the largest decompressed
 * message accepted, in bytes (1009 beyond it, before it is written).
 */
export function connInflateBegin(c: WsConn, inf: Inflater, limit: number): void {
  if (c.hs.deflateServerNoContext) {
    inflateReset(inf);
  }
  inflateMessageStart(inf, limit);
  c.inflText = c.dec.openType !== 0 ? c.dec.openType === Opcode.Text : c.msgType === Opcode.Text;
  c.inflUtf8 = UTF8_ACCEPT;
}

/**
 * Inflates a piece of the message's payload, inp[inOff..inOff+inLen) (a
 * Spill's msg[0..spillLen), or at Message msg[0..msgLen-msgSpilled)), into
 * out[outOff..outOff+outLen); text is checked as UTF-8 as it is produced.
 * Returns an InflateResult: NeedInput (the piece is used up; inf.outMade
 * bytes were written), OutputFull (take out[outOff..outOff+inf.outMade) and
 * call again with the input from inOff + inf.inUsed), End (a BFINAL block
 * ended the data), or Error after failing the connection (ConnOut.ProtocolError,
 * conn.failCode 1009 for a message over the limit, 1007 for data that is not
 * DEFLATE (as ws does; RFC 7692 §8 only says to fail) or text that is not UTF-8).
 */
export function connInflatePiece(
  c: WsConn,
  inf: Inflater,
  inp: Readonly<Uint8Array>,
  inOff: number,
  inLen: number,
  out: Uint8Array,
  outOff: number,
  outLen: number,
): number {
  c.out = ConnOut.None;
  c.actions = Action.None;
  const r = inflateRun(inf, inp, inOff, inLen, out, outOff, outLen);
  if (r === InflateResult.Error) {
    connFailWith(c, inf.error === InflateError.TooBig ? CloseCode.TooBig : CloseCode.InvalidPayload);
    return r;
  }
  if (c.inflText) {
    c.inflUtf8 = utf8Validate(c.inflUtf8, out, outOff, inf.outMade);
    if (c.inflUtf8 === UTF8_REJECT) {
      connFailWith(c, CloseCode.InvalidPayload);
      return InflateResult.Error;
    }
  }
  return r;
}

/**
 * Ends the message after its last piece (RFC 7692 §7.2.2: the 00 00 ff ff
 * tail completes the data; inflateFinish) and checks that text ends on a
 * whole code point. Returns true (the message has inf.total bytes), or false
 * after failing the connection with 1007.
 */
export function connInflateEnd(c: WsConn, inf: Inflater): boolean {
  c.out = ConnOut.None;
  c.actions = Action.None;
  if (!inflateFinish(inf) || (c.inflText && c.inflUtf8 !== UTF8_ACCEPT)) {
    connFailWith(c, CloseCode.InvalidPayload);
    return false;
  }
  return true;
}

/**
 * The whole of connInflateBegin, connInflatePiece and connInflateEnd for a
 * compressed message held in one buffer: inflates inp[inOff..inOff+inLen)
 * (the payload of the Message just reported) into out[outOff..outOff+outCap),
 * outCap being the largest message accepted (nothing is written past it).
 * Returns the message's length, or -1 after failing the connection
 * (ConnOut.ProtocolError, conn.failCode 1009 or 1007; see connInflatePiece).
 */
export function connInflateMessage(
  c: WsConn,
  inf: Inflater,
  inp: Readonly<Uint8Array>,
  inOff: number,
  inLen: number,
  out: Uint8Array,
  outOff: number,
  outCap: number,
): number {
  connInflateBegin(c, inf, outCap);
  const r = connInflatePiece(c, inf, inp, inOff, inLen, out, outOff, outCap);
  if (r === InflateResult.Error) {
    return -1;
  }
  if (r === InflateResult.OutputFull) {
    // Not reached: with the limit at outCap the inflater stops with TooBig first.
    connFailWith(c, CloseCode.TooBig);
    return -1;
  }
  if (!connInflateEnd(c, inf)) {
    return -1;
  }
  return inf.total;
}

/**
 * Encodes one complete data message of payload[pOff..pOff+pLen) as this side
 * sends it (see connEncodeFrame), compressed when permessage-deflate was
 * accepted (conn.hs.deflate) and compression makes it smaller: the DEFLATE
 * data (RFC 7692 §7.2.1, at most 2^client_max_window_bits back, no reference
 * to earlier messages) goes into scratch[0..scratchCap) first, then into a
 * frame with RSV1 set (§6). Otherwise the frame is the plain one (RSV1 clear,
 * which §6.1 allows for any message). `z` may be shared by all connections.
 * Returns bytes written to out or -1 (as connEncodeFrame).
 */
export function connEncodeDeflated(
  c: WsConn,
  z: Deflater,
  scratch: Uint8Array,
  scratchCap: number,
  out: Uint8Array,
  off: number,
  cap: number,
  opcode: number,
  payload: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
  maskKey: Readonly<Uint8Array>,
  kOff: number,
): number {
  if (c.hs.deflate && pLen > 0 && (opcode === Opcode.Text || opcode === Opcode.Binary)) {
    const room = scratchCap < pLen - 1 ? scratchCap : pLen - 1;
    const n = deflateMessage(z, payload, pOff, pLen, scratch, 0, room, c.hs.deflateClientBits);
    if (n > 0) {
      const w = connEncodeFrame(c.server, out, off, cap, opcode, scratch, 0, n, maskKey, kOff);
      if (w > 0) {
        out[off] = out[off] | FRAME_RSV1_BIT;
      }
      return w;
    }
  }
  return connEncodeFrame(c.server, out, off, cap, opcode, payload, pOff, pLen, maskKey, kOff);
}
