/**
 * Streaming decoder for the frames a WebSocket server sends to this client
 * (RFC 6455 §5, §6.2, §8.1), and, in the server role (decoderInitServer), for
 * the frames a client sends to this server: the same checks, except that every
 * client frame must be masked (§5.1) and is unmasked as it is read.
 *
 * Bytes arrive in TCP reads of any size with arbitrary boundaries: a read may
 * hold many frames, or a frame may span many reads. The decoder keeps all its
 * progress in a FrameDecoder record, so feeding a stream in any split gives the
 * same events. Each decoderFeed call stops right after the next event (a
 * complete message, a ping, a pong, a close or an error) so that the caller can
 * act on it before feeding the rest.
 *
 * Every protocol violation fails the connection (§7.1.7) with the close code
 * the client must send: 1002 for framing errors, 1007 for invalid UTF-8, 1009
 * for a message larger than the configured limit. Detection is as early as the
 * bytes allow: header errors at the header byte that shows them, invalid UTF-8
 * at the first byte that cannot be part of valid text, even inside an
 * unfinished fragment, and oversize at the end of the header, before any
 * payload is stored.
 */

import { closeCodeValidOnWire, CloseCode } from "./close.js";
import {
  FRAME_FIN_BIT,
  FRAME_LEN16_MARK,
  FRAME_LEN64_MARK,
  FRAME_LEN7_MAX,
  FRAME_MASK_BIT,
  FRAME_RSV1_BIT,
  FRAME_RSV_BITS,
  MAX_CONTROL_PAYLOAD,
  maskBytes,
  Opcode,
  opcodeIsControl,
  opcodeIsKnown,
} from "./frame.js";
import { UTF8_ACCEPT, UTF8_CLASS, UTF8_REJECT, UTF8_TRANSITION, utf8Validate } from "./utf8.js";

/** What a decoderFeed call produced; fields of FrameDecoder say more. */
export const enum WsEvent {
  /** The input ran out before the next event; feed more bytes. */
  None = 0,
  /** A complete message: msgType, and msg[0..msgLen) in the caller's buffer. */
  Message = 1,
  /** A ping: reply with a pong carrying ctl[0..ctlLen). */
  Ping = 2,
  /** A pong with payload ctl[0..ctlLen); unsolicited pongs need no action. */
  Pong = 3,
  /** A close frame: closeCode, reason ctl[2..2+closeReasonLen). Reply with a close. */
  Close = 4,
  /** The server broke the protocol: fail the connection with errorCode. */
  Error = 5,
  /**
   * The message being assembled outgrew the caller's msg buffer (msgCap bytes):
   * msg[0..spillLen) are its next bytes; move them elsewhere before the next
   * call, which writes the message's following bytes from msg[0] again.
   */
  Spill = 6,
}

/** Where the decoder is inside the current frame. */
export const enum DecoderState {
  /** Waiting for the first header byte (FIN, RSV, opcode). */
  HeaderByte0 = 0,
  /** Waiting for the second header byte (MASK, 7-bit length). */
  HeaderByte1 = 1,
  /** Collecting the 2- or 8-byte extended length. */
  ExtLength = 2,
  /** Reading payload bytes. */
  Payload = 3,
  /** A close frame was received; the rest of the stream is ignored. */
  Closed = 4,
  /** The connection failed; nothing more is decoded. */
  Failed = 5,
  /** Collecting the 4-byte masking key of a client frame (server role). */
  MaskKey = 6,
}

/** Size of the extended length bytes kept while a header is collected. */
export const DECODER_EXT_MAX = 8;

/** Largest message size a decoder accepts as maxMessage (the largest int). */
export const DECODER_MAX_MESSAGE_LIMIT = 0x7fffffff;

/**
 * All the state of one connection's incoming frame stream, plus the outputs of
 * the last decoderFeed call (event, msgType, msgLen, closeCode,
 * closeReasonLen, errorCode; ctl holds ping/pong/close payloads).
 */
export class FrameDecoder {
  /** Current DecoderState. */
  state = 0;
  /** Extended length bytes collected so far, and how many are still expected. */
  ext = new Uint8Array(DECODER_EXT_MAX);
  extLen = 0;
  extNeed = 0;
  /** Header of the current frame. */
  fin = false;
  opcode = 0;
  masked = false;
  /** Server role: frames come from a client and must be masked (§5.1); client role: they must not be. */
  server = false;
  /** The masking key of the current frame, and how many of its bytes were read. */
  maskKey = new Uint8Array(4);
  maskLen = 0;
  payloadLen = 0;
  payloadRead = 0;
  /** The data message being assembled: its opcode (0 = none open), length so far and UTF-8 state. */
  openType = 0;
  openLen = 0;
  utf8 = 0;
  /** Capacity of the caller's msg buffer, bytes of the open message in it now, and bytes of it already spilled. */
  msgCap = 0;
  msgFill = 0;
  spilled = 0;
  /** Payload of the current or last control frame. */
  ctl = new Uint8Array(MAX_CONTROL_PAYLOAD);
  ctlLen = 0;
  /** Output: the WsEvent of the last decoderFeed call. */
  event = 0;
  /** Output on Message: Opcode.Text or Opcode.Binary, and the length in the caller's buffer. */
  msgType = 0;
  msgLen = 0;
  /** Output on Message: bytes of the message reported by Spill events before; msg[0..msgLen-msgSpilled) holds the rest. */
  msgSpilled = 0;
  /** Output on Spill: msg[0..spillLen) are the next bytes of the open message. */
  spillLen = 0;
  /** Output on Close: the received code, or 1005 when the close frame had no payload. */
  closeCode = 0;
  /** Output on Close: the reason is ctl[2..2+closeReasonLen). */
  closeReasonLen = 0;
  /** Output on Error: the close code to fail the connection with (1002, 1007 or 1009). */
  errorCode = 0;
  /** Largest message (sum of its fragments) accepted, in bytes. */
  maxMessage = 0;
  /** Sticky: set on the first error. */
  failed = false;
  /** permessage-deflate was negotiated: RSV1 may mark the first frame of a data message as compressed (RFC 7692 §6). */
  deflate = false;
  /** The current frame has RSV1 set, and the open message is compressed (its payload is not checked as UTF-8). */
  frameRsv1 = false;
  openCompressed = false;
  /** Output on Message: the message was compressed (RSV1): msg holds DEFLATE data to inflate (inflate.ts). */
  msgCompressed = false;
}

/**
 * Resets `d` for a new connection that accepts messages of up to `maxMessage`
 * bytes (clamped to 0..DECODER_MAX_MESSAGE_LIMIT). The msg buffer passed to
 * decoderFeed holds `msgCap` bytes (at least 1): a message that does not fit
 * is handed out in Spill events of msgCap bytes each, the last part stays in
 * msg. With msgCap ≥ maxMessage (the default) nothing is ever spilled.
 */
export function decoderInit(d: FrameDecoder, maxMessage: number, msgCap: number = DECODER_MAX_MESSAGE_LIMIT): void {
  d.state = DecoderState.HeaderByte0;
  d.extLen = 0;
  d.extNeed = 0;
  d.fin = false;
  d.opcode = 0;
  d.masked = false;
  d.payloadLen = 0;
  d.payloadRead = 0;
  d.openType = 0;
  d.openLen = 0;
  d.utf8 = UTF8_ACCEPT;
  d.msgCap = msgCap < 1 ? 1 : msgCap;
  d.msgFill = 0;
  d.spilled = 0;
  d.ctlLen = 0;
  d.event = WsEvent.None;
  d.msgType = 0;
  d.msgLen = 0;
  d.msgSpilled = 0;
  d.spillLen = 0;
  d.closeCode = 0;
  d.closeReasonLen = 0;
  d.errorCode = 0;
  d.maxMessage = maxMessage < 0 ? 0 : maxMessage;
  d.failed = false;
  d.server = false;
  d.maskLen = 0;
  d.deflate = false;
  d.frameRsv1 = false;
  d.openCompressed = false;
  d.msgCompressed = false;
}

/**
 * decoderInit for the server role: the stream is a client's, so every frame
 * must carry a masking key (an unmasked frame fails with 1002, §5.1) and its
 * payload is unmasked before it is checked and stored.
 */
export function decoderInitServer(
  d: FrameDecoder,
  maxMessage: number,
  msgCap: number = DECODER_MAX_MESSAGE_LIMIT,
): void {
  decoderInit(d, maxMessage, msgCap);
  d.server = true;
}

/** Fails the connection with close code `code`: sticky Error event. */
function decoderFail(d: FrameDecoder, code: number): void {
  d.state = DecoderState.Failed;
  d.failed = true;
  d.errorCode = code;
  d.event = WsEvent.Error;
}

/** First header byte: FIN, RSV1-3 and the opcode, checked against the fragmentation state. */
function decoderByte0(d: FrameDecoder, b: number): void {
  const fin = (b & FRAME_FIN_BIT) !== 0;
  const opcode = b & 15;
  const rsv = b & FRAME_RSV_BITS;
  if (
    rsv !== 0 &&
    (rsv !== FRAME_RSV1_BIT || !d.deflate || opcode === Opcode.Continuation || opcodeIsControl(opcode))
  ) {
    // RSV bits are 0 unless an extension gives them a meaning (§5.2); permessage-deflate gives RSV1
    // one on the first frame of a data message only, never on control or continuation frames
    // (RFC 7692 §6.1; ws fails those with 1002, "RSV1 must be clear").
    decoderFail(d, CloseCode.ProtocolError);
    return;
  }
  d.frameRsv1 = rsv !== 0;
  if (!opcodeIsKnown(opcode)) {
    decoderFail(d, CloseCode.ProtocolError);
    return;
  }
  if (opcodeIsControl(opcode)) {
    if (!fin) {
      // Control frames must not be fragmented (§5.5).
      decoderFail(d, CloseCode.ProtocolError);
      return;
    }
  } else if (opcode === Opcode.Continuation) {
    if (d.openType === 0) {
      decoderFail(d, CloseCode.ProtocolError);
      return;
    }
  } else if (d.openType !== 0) {
    // A new Text/Binary frame while a fragmented message is still open (§5.4).
    decoderFail(d, CloseCode.ProtocolError);
    return;
  }
  d.fin = fin;
  d.opcode = opcode;
  d.state = DecoderState.HeaderByte1;
}

/** Second header byte: the MASK bit and the 7-bit length. */
function decoderByte1(d: FrameDecoder, b: number): void {
  const len7 = b & 127;
  d.masked = (b & FRAME_MASK_BIT) !== 0;
  if (d.masked !== d.server) {
    // A server must not mask the frames it sends, and a client must mask all of its frames (§5.1).
    decoderFail(d, CloseCode.ProtocolError);
    return;
  }
  if (opcodeIsControl(d.opcode) && len7 > MAX_CONTROL_PAYLOAD) {
    decoderFail(d, CloseCode.ProtocolError);
    return;
  }
  d.extLen = 0;
  if (len7 === FRAME_LEN16_MARK) {
    d.extNeed = 2;
    d.state = DecoderState.ExtLength;
  } else if (len7 === FRAME_LEN64_MARK) {
    d.extNeed = 8;
    d.state = DecoderState.ExtLength;
  } else {
    decoderHeaderDone(d, len7);
  }
}

/** One byte of the extended length; decodes and checks the length when it is complete. */
function decoderExtByte(d: FrameDecoder, b: number): void {
  d.ext[d.extLen] = b;
  d.extLen++;
  if (d.extLen < d.extNeed) {
    return;
  }
  if (d.extNeed === 2) {
    const len16 = (d.ext[0] << 8) | d.ext[1];
    if (len16 <= FRAME_LEN7_MAX) {
      // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the
      // length". Autobahn does not test this, but accepting a padded length
      // would let one payload have several encodings; the client fails instead.
      decoderFail(d, CloseCode.ProtocolError);
      return;
    }
    decoderHeaderDone(d, len16);
    return;
  }
  if ((d.ext[0] & 0x80) !== 0) {
    // §5.2: the most significant bit of a 64-bit length MUST be 0.
    decoderFail(d, CloseCode.ProtocolError);
    return;
  }
  if ((d.ext[0] | d.ext[1] | d.ext[2] | d.ext[3]) !== 0 || (d.ext[4] & 0x80) !== 0) {
    // 2^31 bytes or more: cannot be held in an int, let alone in memory.
    decoderFail(d, CloseCode.TooBig);
    return;
  }
  const len64 = (d.ext[4] << 24) | (d.ext[5] << 16) | (d.ext[6] << 8) | d.ext[7];
  if (len64 <= 65535) {
    // Non-minimal 64-bit form of a length that fits 16 bits (see above).
    decoderFail(d, CloseCode.ProtocolError);
    return;
  }
  decoderHeaderDone(d, len64);
}

/** The header is complete with payload length `len`: check it against limits and start the payload. */
function decoderHeaderDone(d: FrameDecoder, len: number): void {
  d.payloadLen = len;
  d.payloadRead = 0;
  if (opcodeIsControl(d.opcode)) {
    if (d.opcode === Opcode.Close && len === 1) {
      // A close payload starts with a 2-byte code, so 1 byte is malformed (§5.5.1).
      decoderFail(d, CloseCode.ProtocolError);
      return;
    }
    d.ctlLen = 0;
  } else {
    if (len > d.maxMessage - d.openLen) {
      decoderFail(d, CloseCode.TooBig);
      return;
    }
    if (d.opcode !== Opcode.Continuation) {
      d.openCompressed = d.frameRsv1;
      d.openType = d.opcode;
      d.openLen = 0;
      d.msgFill = 0;
      d.spilled = 0;
      d.utf8 = UTF8_ACCEPT;
    }
  }
  if (d.masked) {
    d.maskLen = 0;
    d.state = DecoderState.MaskKey;
  } else {
    decoderPayloadStart(d);
  }
}

/** One byte of a client frame's masking key; the payload starts after the fourth. */
function decoderMaskByte(d: FrameDecoder, b: number): void {
  d.maskKey[d.maskLen] = b;
  d.maskLen++;
  if (d.maskLen === 4) {
    decoderPayloadStart(d);
  }
}

/** The header (and masking key) is complete: read the payload, or finish an empty frame. */
function decoderPayloadStart(d: FrameDecoder): void {
  if (d.payloadLen === 0) {
    decoderFrameDone(d);
  } else {
    d.state = DecoderState.Payload;
  }
}

/**
 * Reads payload bytes of the current frame from data[off..off+len); returns the
 * number consumed. Data bytes go to msg after the bytes of the open message
 * that it holds, with text checked byte by byte; when msg is full, nothing is
 * consumed and its bytes are spilled (WsEvent.Spill). Control bytes go to d.ctl.
 */
function decoderPayload(
  d: FrameDecoder,
  data: Readonly<Uint8Array>,
  off: number,
  len: number,
  msg: Uint8Array,
): number {
  let n = d.payloadLen - d.payloadRead;
  if (n > len) {
    n = len;
  }
  if (opcodeIsControl(d.opcode)) {
    for (let i = 0; i < n; i++) {
      d.ctl[d.ctlLen + i] = data[off + i];
    }
    if (d.masked) {
      maskBytes(d.ctl, d.ctlLen, n, d.maskKey, 0, d.payloadRead & 3);
    }
    d.ctlLen += n;
  } else {
    const room = d.msgCap - d.msgFill;
    if (room === 0) {
      // Only when more bytes must be stored: a message that ends exactly at
      // msgCap is never spilled.
      d.spillLen = d.msgFill;
      d.spilled += d.msgFill;
      d.msgFill = 0;
      d.event = WsEvent.Spill;
      return 0;
    }
    if (n > room) {
      n = room;
    }
    const base = d.msgFill;
    if (d.masked) {
      const bad = decoderUnmaskInto(d, data, off, n, msg, base);
      if (bad >= 0) {
        return bad;
      }
    } else if (d.openType === Opcode.Text && !d.openCompressed) {
      let s = d.utf8;
      // @spgen unroll 8: the copy and the UTF-8 steps of 8 bytes per test of the bound.
      for (let i = 0; i < n; i++) {
        const b = data[off + i];
        msg[base + i] = b;
        s = UTF8_TRANSITION[s + UTF8_CLASS[b]];
        if (s === UTF8_REJECT) {
          // Fail fast (Autobahn 6.4.x): at the first invalid byte, even mid-fragment.
          d.utf8 = s;
          decoderFail(d, CloseCode.InvalidPayload);
          return i + 1;
        }
      }
      d.utf8 = s;
    } else {
      // @spgen unroll 64 16 outline
      for (let i = 0; i < n; i++) {
        msg[base + i] = data[off + i];
      }
    }
    d.msgFill += n;
    d.openLen += n;
  }
  d.payloadRead += n;
  if (d.payloadRead === d.payloadLen) {
    decoderFrameDone(d);
  }
  return n;
}

/**
 * Server role: copies n payload bytes of a masked frame from data[off..) to
 * msg[base..), unmasks them (the key's phase is where this frame's payload
 * is), and checks text byte by byte. Returns -1, or on invalid UTF-8 the
 * number of bytes consumed up to the bad one (the connection has failed).
 */
function decoderUnmaskInto(
  d: FrameDecoder,
  data: Readonly<Uint8Array>,
  off: number,
  n: number,
  msg: Uint8Array,
  base: number,
): number {
  // @spgen unroll 4
  for (let i = 0; i < n; i++) {
    msg[base + i] = data[off + i];
  }
  maskBytes(msg, base, n, d.maskKey, 0, d.payloadRead & 3);
  if (d.openType !== Opcode.Text || d.openCompressed) {
    return -1;
  }
  let s = d.utf8;
  for (let i = 0; i < n; i++) {
    s = UTF8_TRANSITION[s + UTF8_CLASS[msg[base + i]]];
    if (s === UTF8_REJECT) {
      d.utf8 = s;
      decoderFail(d, CloseCode.InvalidPayload);
      return i + 1;
    }
  }
  d.utf8 = s;
  return -1;
}

/** The close frame payload in d.ctl is complete: check it and report Close or Error. */
function decoderCloseDone(d: FrameDecoder): void {
  if (d.ctlLen === 0) {
    d.closeCode = CloseCode.NoStatus;
    d.closeReasonLen = 0;
  } else {
    const code = (d.ctl[0] << 8) | d.ctl[1];
    if (!closeCodeValidOnWire(code)) {
      decoderFail(d, CloseCode.ProtocolError);
      return;
    }
    if (utf8Validate(UTF8_ACCEPT, d.ctl, 2, d.ctlLen - 2) !== UTF8_ACCEPT) {
      decoderFail(d, CloseCode.InvalidPayload);
      return;
    }
    d.closeCode = code;
    d.closeReasonLen = d.ctlLen - 2;
  }
  d.state = DecoderState.Closed;
  d.event = WsEvent.Close;
}

/** The current frame is complete: emit its event, or wait for the next fragment. */
function decoderFrameDone(d: FrameDecoder): void {
  d.state = DecoderState.HeaderByte0;
  switch (d.opcode) {
    case Opcode.Ping:
      d.event = WsEvent.Ping;
      return;
    case Opcode.Pong:
      d.event = WsEvent.Pong;
      return;
    case Opcode.Close:
      decoderCloseDone(d);
      return;
    default:
      break;
  }
  if (!d.fin) {
    return;
  }
  if (d.openType === Opcode.Text && d.utf8 !== UTF8_ACCEPT) {
    // The text ends in the middle of a code point (§8.1).
    decoderFail(d, CloseCode.InvalidPayload);
    return;
  }
  d.msgType = d.openType;
  d.msgLen = d.openLen;
  d.msgSpilled = d.spilled;
  d.msgCompressed = d.openCompressed;
  d.openCompressed = false;
  d.openType = 0;
  d.openLen = 0;
  d.msgFill = 0;
  d.spilled = 0;
  d.utf8 = UTF8_ACCEPT;
  d.event = WsEvent.Message;
}

/**
 * Decodes bytes from data[off..off+len) until the end of the next event, or
 * until the input runs out. Returns the number of bytes consumed and sets
 * d.event: None when the input ran out first (everything was consumed and kept
 * in d), otherwise the event that ended at the last consumed byte. The caller
 * loops while bytes remain and handles each event before the next call.
 *
 * Message payload bytes are stored in `msg` (capacity d.msgCap); on a
 * Message event msg[0..msgLen-msgSpilled) is the reassembled message after
 * the bytes handed out by Spill events (all of it when nothing was spilled),
 * valid until the next call. On a Spill event msg[0..spillLen) must be taken
 * before the next call. Ping, pong and close payloads go to d.ctl (also valid
 * until the next call). After an Error every call returns 0 with event Error;
 * after a Close every call consumes and ignores all its input (returns len,
 * event None), since a peer sends nothing after its close frame.
 */
export function decoderFeed(
  d: FrameDecoder,
  data: Readonly<Uint8Array>,
  off: number,
  len: number,
  msg: Uint8Array,
): number {
  d.event = WsEvent.None;
  if (d.failed) {
    d.event = WsEvent.Error;
    return 0;
  }
  if (d.state === DecoderState.Closed) {
    return len;
  }
  let i = 0;
  while (i < len && d.event === WsEvent.None) {
    switch (d.state) {
      case DecoderState.HeaderByte0:
        decoderByte0(d, data[off + i]);
        i++;
        break;
      case DecoderState.HeaderByte1:
        decoderByte1(d, data[off + i]);
        i++;
        break;
      case DecoderState.ExtLength:
        decoderExtByte(d, data[off + i]);
        i++;
        break;
      case DecoderState.Payload:
        i += decoderPayload(d, data, off + i, len - i, msg);
        break;
      case DecoderState.MaskKey:
        decoderMaskByte(d, data[off + i]);
        i++;
        break;
      default:
        return i;
    }
  }
  return i;
}
