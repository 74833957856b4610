/**
 * Socket.IO v5 packets, carried in Engine.IO message packets (`4…`):
 * `<type>[<attachments>-][<nsp>,][<ackId>][JSON data]`.
 *
 * The parser follows socket.io-parser's decoder (what a socket.io 4.x server
 * and client accept) and reports offsets into the input instead of building
 * objects: the glue hands the plugin author the namespace, the decoded event
 * name, the remaining arguments as JSON text and the ack id.
 *
 * Arguments as JSON text: for `42["ev",{"a":1},2]` the args range is the
 * list `{"a":1},2`, i.e. the inside of the data array after the event name
 * (for ACK: the whole inside of the array), white space trimmed. That is the
 * same form the encoders take, so an author can echo what they received;
 * sioArgsArray writes it as an array text (`[{"a":1},2]`) for JSON libraries.
 *
 * Both sides work on whole Engine.IO message texts (starting with `4`), so
 * what the encoders write parses back with sioParse.
 */

import { bytesPut, bytesPutAscii, bytesPutUint } from "./bytes.js";
import { CONFIG_MAX_MESSAGE_SIZE } from "./config.js";
import { EioPacket, eioPacketType } from "./engineio.js";
import {
  JSON_MAX_DEPTH,
  JsonType,
  jsonFindKey,
  jsonIsValid,
  jsonListCount,
  jsonParseInt,
  jsonSkipString,
  jsonSkipValue,
  jsonSkipWs,
  jsonStringDecode,
  jsonStringEncode,
  jsonValueType,
} from "./json.js";

/** Most binary attachments a packet may announce (socket.io-parser's default maxAttachments). */
export const SIO_MAX_ATTACHMENTS = 10;

/** Longest event name, in decoded bytes, that is compared against the reserved names. */
export const SIO_RESERVED_NAME_MAX = 16;

/** Socket.IO packet types: the digit after the Engine.IO `4`. */
export const enum SioPacket {
  Connect = 0,
  Disconnect = 1,
  Event = 2,
  Ack = 3,
  ConnectError = 4,
  BinaryEvent = 5,
  BinaryAck = 6,
}

/** Why sioParse refused a packet (socket.io-client closes the connection on each of these). */
export const enum SioError {
  Ok = 0,
  /** The Engine.IO packet is not a message (`4`). */
  NotMessage = -1,
  /** No type digit, or not 0..6. */
  BadType = -2,
  /** BINARY_*: attachment count missing, not followed by `-`, 0 or above SIO_MAX_ATTACHMENTS. */
  BadAttachments = -3,
  /** The ack id does not fit in 31 bits. */
  AckIdOverflow = -4,
  /** The data after the header is not exactly one JSON value. */
  BadJson = -5,
  /** CONNECT data present but not an object. */
  BadConnectData = -6,
  /** DISCONNECT carries data. */
  BadDisconnectData = -7,
  /** EVENT data missing, not an array, empty, or its first element is not a string. */
  BadEventData = -8,
  /** EVENT name is one of the names Socket.IO reserves (connect, disconnect, …). */
  ReservedEvent = -9,
  /** ACK data missing or not an array. */
  BadAckData = -10,
  /** CONNECT_ERROR data present but neither an object nor a string. */
  BadConnectErrorData = -11,
  /**
   * BINARY_*: a placeholder (`{"_placeholder":true,"num":k}`) whose num is not an integer
   * 0..attachments-1 (socket.io-parser: "illegal attachments").
   */
  BadPlaceholder = -12,
  /**
   * A text packet arrived while a BINARY_* packet still awaited attachments (socket.io-parser:
   * "got plaintext data when reconstructing a packet"); reported by sioManagerOnMessage.
   */
  PlaintextInBinary = -13,
}

/** Why an encoder wrote nothing. Encoders otherwise return the offset after the packet. */
export const enum SioEncodeError {
  /** The packet does not fit below cap. */
  NoSpace = -1,
  /** A namespace other than "" or "/" that does not start with `/` or contains `,`. */
  BadNamespace = -2,
  /** Auth that is not one JSON object, or args that are not a list of comma-separated JSON values. */
  BadJson = -3,
  /** A negative ack id where one is required. */
  BadAckId = -4,
  /** An event name Socket.IO reserves (the server would drop the connection). */
  ReservedEvent = -5,
  /** BINARY_*: an attachment count outside 1..SIO_MAX_ATTACHMENTS. */
  BadAttachments = -6,
  /** BINARY_*: a placeholder whose num is not an integer 0..attachments-1 (see sioPlaceholders). */
  BadPlaceholder = -7,
  /** BINARY_*: an attachment no placeholder refers to (the server would never hand it out). */
  UnusedAttachment = -8,
}

/**
 * One parsed Socket.IO packet, as offsets into the parsed buffer.
 * nspLen is 0 for the main namespace `/`, otherwise nsp is the bytes from the
 * leading `/` up to (not including) the `,`. ackId is -1 when absent.
 * data is the JSON value after the header (dataLen 0 when absent), e.g. the
 * `{"sid":…}` of a CONNECT or the error of a CONNECT_ERROR. For EVENT and
 * ACK (and their BINARY_ forms), name is the raw JSON string token of the
 * event name (quotes included; EVENT only), args the list of the remaining
 * arguments (see the file comment; sioArgCount counts them).
 */
export class SioParsed {
  type = 0;
  attachments = 0;
  nspOff = 0;
  nspLen = 0;
  ackId = 0;
  dataOff = 0;
  dataLen = 0;
  nameOff = 0;
  nameLen = 0;
  argsOff = 0;
  argsLen = 0;
}

/** True when the ASCII text s equals buf[off..off+len). */
function sioBytesAre(buf: Readonly<Uint8Array>, off: number, len: number, s: string): boolean {
  if (len !== s.length) {
    return false;
  }
  for (let k = 0; k < len; k++) {
    if (buf[off + k] !== s.charCodeAt(k)) {
      return false;
    }
  }
  return true;
}

/**
 * True when the (decoded) event name buf[off..off+len) is one Socket.IO
 * reserves: connect, connect_error, disconnect, disconnecting, newListener,
 * removeListener. A server drops a client that emits one, and the client
 * library refuses to receive one.
 */
export function sioIsReservedName(buf: Readonly<Uint8Array>, off: number, len: number): boolean {
  return (
    sioBytesAre(buf, off, len, "connect") ||
    sioBytesAre(buf, off, len, "connect_error") ||
    sioBytesAre(buf, off, len, "disconnect") ||
    sioBytesAre(buf, off, len, "disconnecting") ||
    sioBytesAre(buf, off, len, "newListener") ||
    sioBytesAre(buf, off, len, "removeListener")
  );
}

/** True for ASCII digits. */
function sioIsDigit(c: number): boolean {
  return c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0);
}

/** Index of the last non-white-space byte before end, plus one (never below off). */
function sioTrimEnd(buf: Readonly<Uint8Array>, off: number, end: number): number {
  let e = end;
  while (e > off && (buf[e - 1] === 32 || buf[e - 1] === 9 || buf[e - 1] === 10 || buf[e - 1] === 13)) {
    e--;
  }
  return e;
}

/**
 * Fills p.args from the list inside the array whose closing `]` is
 * at buf[close - 1], starting at `from` (just after `[` or after the comma
 * that follows the event name).
 */
function sioSetArgs(buf: Readonly<Uint8Array>, from: number, close: number, p: SioParsed): void {
  const s = jsonSkipWs(buf, from, close - 1);
  const e = sioTrimEnd(buf, s, close - 1);
  p.argsOff = s;
  p.argsLen = e - s;
}

/**
 * Fills the name and args of p from its EVENT data, already known to be a
 * valid JSON array at p.data; returns SioError.Ok, BadEventData when the
 * array is empty or starts with something other than a string, or
 * ReservedEvent.
 */
function sioParseEventData(buf: Readonly<Uint8Array>, p: SioParsed): number {
  const dataEnd = p.dataOff + p.dataLen;
  const nameAt = jsonSkipWs(buf, p.dataOff + 1, dataEnd);
  if (jsonValueType(buf, nameAt, dataEnd) !== JsonType.String) {
    return SioError.BadEventData;
  }
  const nameEnd = jsonSkipValue(buf, nameAt, dataEnd);
  p.nameOff = nameAt;
  p.nameLen = nameEnd - nameAt;
  const name = new Uint8Array(SIO_RESERVED_NAME_MAX);
  const n = jsonStringDecode(buf, nameAt, nameEnd, name, 0, SIO_RESERVED_NAME_MAX);
  if (n >= 0 && sioIsReservedName(name, 0, n)) {
    return SioError.ReservedEvent;
  }
  let after = jsonSkipWs(buf, nameEnd, dataEnd);
  if (buf[after] === ",".charCodeAt(0)) {
    after++;
  }
  sioSetArgs(buf, after, dataEnd, p);
  return SioError.Ok;
}

/**
 * Parses the Engine.IO message buf[off..off+len) (`4` then a Socket.IO packet)
 * into p; returns SioError.Ok (0) or a negative SioError. Follows
 * socket.io-parser: the namespace runs from a leading `/` to the first `,`
 * (or the end), the ack id is the digits after it, and the rest must be one
 * JSON value of the shape the type requires. Differences, on purpose: EVENT
 * and ACK must carry data (the parser lets them be empty), an event name
 * must be a string (the parser also allows a number), ack ids above 2^31-1
 * are refused. BINARY_EVENT/BINARY_ACK are parsed like EVENT/ACK with
 * p.attachments set (1..SIO_MAX_ATTACHMENTS) and their placeholders left in
 * the JSON; the attachments are the next binary messages (sioManagerOnMessage).
 */
export function sioParse(buf: Readonly<Uint8Array>, off: number, len: number, p: SioParsed): number {
  p.type = -1;
  p.attachments = 0;
  p.nspOff = 0;
  p.nspLen = 0;
  p.ackId = -1;
  p.dataOff = 0;
  p.dataLen = 0;
  p.nameOff = 0;
  p.nameLen = 0;
  p.argsOff = 0;
  p.argsLen = 0;
  if (eioPacketType(buf, off, len) !== EioPacket.Message) {
    return SioError.NotMessage;
  }
  const end = off + len;
  let i = off + 1;
  if (i >= end || buf[i] < "0".charCodeAt(0) || buf[i] > "6".charCodeAt(0)) {
    return SioError.BadType;
  }
  const type = buf[i] - "0".charCodeAt(0);
  p.type = type;
  i++;
  if (type === SioPacket.BinaryEvent || type === SioPacket.BinaryAck) {
    const start = i;
    let n = 0;
    while (i < end && sioIsDigit(buf[i])) {
      if (n <= SIO_MAX_ATTACHMENTS) {
        n = n * 10 + (buf[i] - "0".charCodeAt(0));
      }
      i++;
    }
    if (i === start || i >= end || buf[i] !== "-".charCodeAt(0) || n < 1 || n > SIO_MAX_ATTACHMENTS) {
      return SioError.BadAttachments;
    }
    p.attachments = n;
    i++;
  }
  if (i < end && buf[i] === "/".charCodeAt(0)) {
    const start = i;
    while (i < end && buf[i] !== ",".charCodeAt(0)) {
      i++;
    }
    if (i - start > 1) {
      p.nspOff = start;
      p.nspLen = i - start;
    }
    if (i < end) {
      i++;
    }
  }
  if (i < end && sioIsDigit(buf[i])) {
    let id = 0;
    while (i < end && sioIsDigit(buf[i])) {
      const d = buf[i] - "0".charCodeAt(0);
      if (id > (((0x7fffffff - d) / 10) | 0)) {
        return SioError.AckIdOverflow;
      }
      id = id * 10 + d;
      i++;
    }
    p.ackId = id;
  }
  const hasData = i < end;
  if (hasData) {
    // One pass: the value, then nothing but white space up to end.
    p.dataOff = jsonSkipWs(buf, i, end);
    const e = jsonSkipValue(buf, p.dataOff, end);
    if (e < 0 || jsonSkipWs(buf, e, end) !== end) {
      return SioError.BadJson;
    }
    p.dataLen = e - p.dataOff;
  }
  // JsonType.Invalid when there is no data.
  const dataType = jsonValueType(buf, i, end);
  switch (type) {
    case SioPacket.Connect:
      if (hasData && dataType !== JsonType.Object) {
        return SioError.BadConnectData;
      }
      break;
    case SioPacket.Disconnect:
      if (hasData) {
        return SioError.BadDisconnectData;
      }
      break;
    case SioPacket.ConnectError:
      if (hasData && dataType !== JsonType.Object && dataType !== JsonType.String) {
        return SioError.BadConnectErrorData;
      }
      break;
    case SioPacket.Event:
    case SioPacket.BinaryEvent:
      if (!hasData || dataType !== JsonType.Array) {
        return SioError.BadEventData;
      }
      return sioParseEventData(buf, p);
    case SioPacket.Ack:
    case SioPacket.BinaryAck:
      if (!hasData || dataType !== JsonType.Array) {
        return SioError.BadAckData;
      }
      sioSetArgs(buf, p.dataOff + 1, p.dataOff + p.dataLen, p);
      break;
    default:
      return SioError.BadType;
  }
  return SioError.Ok;
}

/**
 * True when the parsed packet belongs to the namespace nsp[nspOff..nspOff+nspLen);
 * "" and "/" both name the main namespace.
 */
export function sioNspEquals(
  buf: Readonly<Uint8Array>,
  p: SioParsed,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
): boolean {
  let len = nspLen;
  if (len === 1 && nsp[nspOff] === "/".charCodeAt(0)) {
    len = 0;
  }
  if (len !== p.nspLen) {
    return false;
  }
  for (let k = 0; k < len; k++) {
    if (buf[p.nspOff + k] !== nsp[nspOff + k]) {
      return false;
    }
  }
  return true;
}

/** Number of arguments of a parsed EVENT/ACK (the values in its args list). */
export function sioArgCount(buf: Readonly<Uint8Array>, p: SioParsed): number {
  return jsonListCount(buf, p.argsOff, p.argsOff + p.argsLen);
}

/**
 * Decodes the event name of a parsed EVENT into out[outOff..cap) as UTF-8;
 * returns its length in bytes, or -1 when it does not fit (or p is no event).
 */
export function sioEventName(
  buf: Readonly<Uint8Array>,
  p: SioParsed,
  out: Uint8Array,
  outOff: number,
  cap: number,
): number {
  if (p.nameLen <= 0) {
    return -1;
  }
  return jsonStringDecode(buf, p.nameOff, p.nameOff + p.nameLen, out, outOff, cap);
}

/**
 * Writes the arguments of a parsed EVENT/ACK as a JSON array text
 * (`[` args `]`, e.g. `[{"a":1},2]`, or `[]`) at out[outOff..cap); returns
 * the offset after it or -1 when it does not fit.
 */
export function sioArgsArray(
  buf: Readonly<Uint8Array>,
  p: SioParsed,
  out: Uint8Array,
  outOff: number,
  cap: number,
): number {
  if (outOff < 0 || p.argsLen + 2 > cap - outOff) {
    return -1;
  }
  out[outOff] = "[".charCodeAt(0);
  const o = bytesPut(out, outOff + 1, cap, buf, p.argsOff, p.argsLen);
  out[o] = "]".charCodeAt(0);
  return o + 1;
}

/**
 * Writes `4`, the type digit, for BINARY_* the attachment count and `-`
 * (attachments > 0), the namespace with its `,` (omitted for "" and "/") and
 * the ack id (omitted when negative); returns the offset after them
 * or a negative SioEncodeError.
 */
function sioPutHeader(
  out: Uint8Array,
  off: number,
  cap: number,
  type: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
  ackId: number,
  attachments: number,
): number {
  const isMain = nspLen === 0 || (nspLen === 1 && nsp[nspOff] === "/".charCodeAt(0));
  if (!isMain) {
    if (nspLen < 0 || nsp[nspOff] !== "/".charCodeAt(0)) {
      return SioEncodeError.BadNamespace;
    }
    for (let k = 0; k < nspLen; k++) {
      if (nsp[nspOff + k] === ",".charCodeAt(0)) {
        return SioEncodeError.BadNamespace;
      }
    }
  }
  if (off < 0 || 2 > cap - off) {
    return SioEncodeError.NoSpace;
  }
  out[off] = "4".charCodeAt(0);
  out[off + 1] = "0".charCodeAt(0) + type;
  let o = off + 2;
  if (attachments > 0) {
    o = bytesPutUint(out, o, cap, attachments);
    o = bytesPutAscii(out, o, cap, "-");
    if (o < 0) {
      return SioEncodeError.NoSpace;
    }
  }
  if (!isMain) {
    o = bytesPut(out, o, cap, nsp, nspOff, nspLen);
    o = bytesPutAscii(out, o, cap, ",");
    if (o < 0) {
      return SioEncodeError.NoSpace;
    }
  }
  if (ackId >= 0) {
    o = bytesPutUint(out, o, cap, ackId);
    if (o < 0) {
      return SioEncodeError.NoSpace;
    }
  }
  return o;
}

/**
 * Writes a CONNECT for namespace nsp with optional auth data:
 * `40`, `40/admin,`, `40{"token":"abc"}`, `40/admin,{"token":"abc"}`.
 * auth (authLen 0 for none) must be one JSON object, copied as it is.
 * Returns the offset after the packet or a negative SioEncodeError.
 */
export function sioEncodeConnect(
  out: Uint8Array,
  off: number,
  cap: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
  auth: Readonly<Uint8Array>,
  authOff: number,
  authLen: number,
): number {
  if (authLen > 0) {
    if (
      jsonValueType(auth, authOff, authOff + authLen) !== JsonType.Object ||
      !jsonIsValid(auth, authOff, authOff + authLen)
    ) {
      return SioEncodeError.BadJson;
    }
  }
  const o = sioPutHeader(out, off, cap, SioPacket.Connect, nsp, nspOff, nspLen, -1, 0);
  if (o < 0 || authLen <= 0) {
    return o;
  }
  const e = bytesPut(out, o, cap, auth, authOff, authLen);
  return e < 0 ? SioEncodeError.NoSpace : e;
}

/** Writes a DISCONNECT for namespace nsp: `41` or `41/admin,`. Returns the offset after it or a negative SioEncodeError. */
export function sioEncodeDisconnect(
  out: Uint8Array,
  off: number,
  cap: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
): number {
  return sioPutHeader(out, off, cap, SioPacket.Disconnect, nsp, nspOff, nspLen, -1, 0);
}

/**
 * Writes `[` + prefix + args + `]` where args is a list of zero or more
 * comma-separated JSON values (validated; surrounding white space dropped)
 * and a comma separates it from a non-empty prefix already written; used by
 * the EVENT and ACK encoders. `o` is where the list starts, after `[` and
 * the optional prefix; `hasPrefix` tells whether a comma is needed.
 */
function sioPutArgs(
  out: Uint8Array,
  o: number,
  cap: number,
  hasPrefix: boolean,
  args: Readonly<Uint8Array>,
  argsOff: number,
  argsLen: number,
): number {
  const s = jsonSkipWs(args, argsOff, argsOff + argsLen);
  const e = sioTrimEnd(args, s, argsOff + argsLen);
  let w = o;
  if (e > s) {
    if (hasPrefix) {
      w = bytesPutAscii(out, w, cap, ",");
    }
    w = bytesPut(out, w, cap, args, s, e - s);
  }
  w = bytesPutAscii(out, w, cap, "]");
  return w < 0 ? SioEncodeError.NoSpace : w;
}

/**
 * Writes an EVENT: `42` [nsp `,`] [ackId] `["name",args]`, e.g.
 * `42/chat,17["msg",{"round":3}]`. name is raw bytes (JSON-escaped here);
 * args is zero or more comma-separated JSON values as text (argsLen 0 for
 * none); ackId -1 asks for no acknowledgement. Returns the offset after the
 * packet or a negative SioEncodeError.
 */
export function sioEncodeEvent(
  out: Uint8Array,
  off: number,
  cap: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
  name: Readonly<Uint8Array>,
  nameOff: number,
  nameLen: number,
  args: Readonly<Uint8Array>,
  argsOff: number,
  argsLen: number,
  ackId: number,
): number {
  return sioEncodeEventAs(out, off, cap, nsp, nspOff, nspLen, name, nameOff, nameLen, args, argsOff, argsLen, ackId, 0);
}

/**
 * Writes a BINARY_EVENT: `45` attachments `-` [nsp `,`] [ackId] `["name",args]`, e.g.
 * `452-/chat,17["file",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`, the
 * header that the `attachments` binary messages follow (socket.io-parser's encoding). args
 * holds one placeholder per attachment, `{"_placeholder":true,"num":k}`; every num must be
 * 0..attachments-1 and every attachment referred to (sioPlaceholders). Otherwise as
 * sioEncodeEvent. Returns the offset after the header packet or a negative SioEncodeError.
 */
export function sioEncodeBinaryEvent(
  out: Uint8Array,
  off: number,
  cap: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
  name: Readonly<Uint8Array>,
  nameOff: number,
  nameLen: number,
  args: Readonly<Uint8Array>,
  argsOff: number,
  argsLen: number,
  ackId: number,
  attachments: number,
): number {
  if (attachments < 1 || attachments > SIO_MAX_ATTACHMENTS) {
    return SioEncodeError.BadAttachments;
  }
  return sioEncodeEventAs(
    out,
    off,
    cap,
    nsp,
    nspOff,
    nspLen,
    name,
    nameOff,
    nameLen,
    args,
    argsOff,
    argsLen,
    ackId,
    attachments,
  );
}

/** EVENT (attachments 0) or BINARY_EVENT (attachments 1..SIO_MAX_ATTACHMENTS). */
function sioEncodeEventAs(
  out: Uint8Array,
  off: number,
  cap: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
  name: Readonly<Uint8Array>,
  nameOff: number,
  nameLen: number,
  args: Readonly<Uint8Array>,
  argsOff: number,
  argsLen: number,
  ackId: number,
  attachments: number,
): number {
  if (sioIsReservedName(name, nameOff, nameLen)) {
    return SioEncodeError.ReservedEvent;
  }
  if (argsLen < 0 || jsonListCount(args, argsOff, argsOff + argsLen) < 0) {
    return SioEncodeError.BadJson;
  }
  const check = sioCheckAttachments(args, argsOff, argsLen, attachments);
  if (check < 0) {
    return check;
  }
  const type = attachments > 0 ? SioPacket.BinaryEvent : SioPacket.Event;
  let o = sioPutHeader(out, off, cap, type, nsp, nspOff, nspLen, ackId < 0 ? -1 : ackId, attachments);
  if (o < 0) {
    return o;
  }
  o = bytesPutAscii(out, o, cap, "[");
  if (o < 0) {
    return SioEncodeError.NoSpace;
  }
  o = jsonStringEncode(name, nameOff, nameLen, out, o, cap);
  if (o < 0) {
    return SioEncodeError.NoSpace;
  }
  return sioPutArgs(out, o, cap, true, args, argsOff, argsLen);
}

/**
 * Writes an ACK answering ackId: `43` [nsp `,`] ackId `[args]`, e.g.
 * `43/chat,17["ok"]`. args is zero or more comma-separated JSON values as
 * text. Returns the offset after the packet or a negative SioEncodeError.
 */
export function sioEncodeAck(
  out: Uint8Array,
  off: number,
  cap: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
  ackId: number,
  args: Readonly<Uint8Array>,
  argsOff: number,
  argsLen: number,
): number {
  return sioEncodeAckAs(out, off, cap, nsp, nspOff, nspLen, ackId, args, argsOff, argsLen, 0);
}

/**
 * Writes a BINARY_ACK answering ackId: `46` attachments `-` [nsp `,`] ackId `[args]`, e.g.
 * `461-/chat,17[{"_placeholder":true,"num":0}]`, the header the `attachments` binary
 * messages follow; the placeholders are checked as for sioEncodeBinaryEvent. Returns the
 * offset after the header packet or a negative SioEncodeError.
 */
export function sioEncodeBinaryAck(
  out: Uint8Array,
  off: number,
  cap: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
  ackId: number,
  args: Readonly<Uint8Array>,
  argsOff: number,
  argsLen: number,
  attachments: number,
): number {
  if (attachments < 1 || attachments > SIO_MAX_ATTACHMENTS) {
    return SioEncodeError.BadAttachments;
  }
  return sioEncodeAckAs(out, off, cap, nsp, nspOff, nspLen, ackId, args, argsOff, argsLen, attachments);
}

/** ACK (attachments 0) or BINARY_ACK (attachments 1..SIO_MAX_ATTACHMENTS). */
function sioEncodeAckAs(
  out: Uint8Array,
  off: number,
  cap: number,
  nsp: Readonly<Uint8Array>,
  nspOff: number,
  nspLen: number,
  ackId: number,
  args: Readonly<Uint8Array>,
  argsOff: number,
  argsLen: number,
  attachments: number,
): number {
  if (ackId < 0) {
    return SioEncodeError.BadAckId;
  }
  if (argsLen < 0 || jsonListCount(args, argsOff, argsOff + argsLen) < 0) {
    return SioEncodeError.BadJson;
  }
  const check = sioCheckAttachments(args, argsOff, argsLen, attachments);
  if (check < 0) {
    return check;
  }
  const type = attachments > 0 ? SioPacket.BinaryAck : SioPacket.Ack;
  let o = sioPutHeader(out, off, cap, type, nsp, nspOff, nspLen, ackId, attachments);
  if (o < 0) {
    return o;
  }
  o = bytesPutAscii(out, o, cap, "[");
  if (o < 0) {
    return SioEncodeError.NoSpace;
  }
  return sioPutArgs(out, o, cap, false, args, argsOff, argsLen);
}

/**
 * The placeholders in the valid JSON text buf[off..end) (the args of a BINARY_* packet):
 * every object whose member `_placeholder` is `true` is one, and its member `num` must be
 * an integer 0..count-1 (written without fraction or exponent), as socket.io-parser's
 * reconstruction requires. Other members of such an object are ignored, as there. Returns
 * the bit mask of the attachments referred to (bit k for num k, count is at most
 * SIO_MAX_ATTACHMENTS), or -1 when a placeholder's num is missing or out of range.
 */
export function sioPlaceholders(buf: Readonly<Uint8Array>, off: number, end: number, count: number): number {
  // The offsets of the open objects (-1 for an open array), innermost last.
  const open = new Int32Array(JSON_MAX_DEPTH + 1);
  let depth = 0;
  let mask = 0;
  let i = off;
  while (i < end) {
    const c = buf[i];
    if (c === '"'.charCodeAt(0)) {
      const e = jsonSkipString(buf, i, end);
      if (e < 0) {
        return -1;
      }
      const colon = jsonSkipWs(buf, e, end);
      if (
        depth > 0 &&
        open[depth - 1] >= 0 &&
        colon < end &&
        buf[colon] === ":".charCodeAt(0) &&
        sioBytesAre(buf, i, e - i, '"_placeholder"')
      ) {
        const k = sioPlaceholderNum(buf, open[depth - 1], end);
        if (k === -2 || k >= count) {
          return -1;
        }
        if (k >= 0) {
          mask |= 1 << k;
        }
      }
      i = e;
    } else if (c === "{".charCodeAt(0) || c === "[".charCodeAt(0)) {
      if (depth > JSON_MAX_DEPTH) {
        return -1;
      }
      open[depth] = c === "{".charCodeAt(0) ? i : -1;
      depth++;
      i++;
    } else {
      if ((c === "}".charCodeAt(0) || c === "]".charCodeAt(0)) && depth > 0) {
        depth--;
      }
      i++;
    }
  }
  return mask;
}

/**
 * The object at buf[obj] has a `_placeholder` member: its num when `_placeholder` is true
 * (the last one wins, as in JSON.parse), -1 when it is not true (no placeholder), -2 when
 * num is missing or not a non-negative integer.
 */
function sioPlaceholderNum(buf: Readonly<Uint8Array>, obj: number, end: number): number {
  const v = jsonFindKey(buf, obj, end, "_placeholder");
  if (v < 0 || jsonValueType(buf, v, end) !== JsonType.True) {
    return -1;
  }
  const n = jsonFindKey(buf, obj, end, "num");
  if (n < 0) {
    return -2;
  }
  const k = jsonParseInt(buf, n, end);
  return k < 0 ? -2 : k;
}

/** For the encoders: SioEncodeError.BadPlaceholder or UnusedAttachment when args do not fit `attachments`, else 0. */
function sioCheckAttachments(
  args: Readonly<Uint8Array>,
  argsOff: number,
  argsLen: number,
  attachments: number,
): number {
  if (attachments === 0) {
    return 0;
  }
  const mask = sioPlaceholders(args, argsOff, argsOff + argsLen, attachments);
  if (mask < 0) {
    return SioEncodeError.BadPlaceholder;
  }
  if (mask !== (1 << attachments) - 1) {
    return SioEncodeError.UnusedAttachment;
  }
  return 0;
}

/**
 * Writes the native error text for a negative SioEncodeError at out[off..cap) (what the plugin
 * throws when SocketIO_Connect, SocketIO_Emit or SocketIO_Ack cannot encode its packet); returns
 * the offset after it, or -1 when it does not fit.
 */
export function sioEncodeErrorText(err: number, out: Uint8Array, off: number, cap: number): number {
  switch (err) {
    case SioEncodeError.NoSpace: {
      const o = bytesPutAscii(out, off, cap, "Packet larger than the maximum message size of ");
      return bytesPutAscii(out, bytesPutUint(out, o, cap, CONFIG_MAX_MESSAGE_SIZE), cap, " bytes");
    }
    case SioEncodeError.BadNamespace:
      return bytesPutAscii(out, off, cap, 'Bad namespace: "/", or one starting with "/" and without ","');
    case SioEncodeError.BadJson:
      return bytesPutAscii(
        out,
        off,
        cap,
        "Arguments are not JSON: expected zero or more comma-separated JSON values (auth: one JSON object)",
      );
    case SioEncodeError.ReservedEvent:
      return bytesPutAscii(
        out,
        off,
        cap,
        "Reserved event name (connect, connect_error, disconnect, disconnecting, newListener, removeListener)",
      );
    case SioEncodeError.BadPlaceholder:
      return bytesPutAscii(
        out,
        off,
        cap,
        'Arguments hold a placeholder whose num is not an attachment: {"_placeholder":true,"num":k} needs k from 0 to the attachments staged with SocketIO_AddAttachment minus 1',
      );
    default: {
      const o = bytesPutAscii(out, off, cap, "Cannot encode the packet (error -");
      return bytesPutAscii(out, bytesPutUint(out, o, cap, err < 0 ? -err : err), cap, ")");
    }
  }
}
