/**
 * Engine.IO v4 packets over a WebSocket: one packet per text frame, written
 * `<type digit>[data]`. Only the websocket transport is spoken, so there is
 * no payload framing, no upgrade and no base64 binary form: binary Engine.IO
 * messages arrive as binary WebSocket frames and are not handled here.
 * Every function takes the whole packet text (type digit included).
 */

import { bytesIndexOf, bytesPut, bytesPutAscii, bytesPutUint } from "./bytes.js";
import { JsonType, jsonFindKey, jsonIsValid, jsonParseInt, jsonStringDecode, jsonValueType } from "./json.js";

/** Largest Engine.IO session id, in bytes, kept from the open packet (Engine.IO ids are 20 bytes). */
export const EIO_MAX_SID = 64;

/** maxPayload assumed when the open packet does not state it (the Engine.IO server default). */
export const EIO_DEFAULT_MAX_PAYLOAD = 1000000;

/** Engine.IO protocol revision put in the `EIO=` query parameter of the connection URL. */
export const EIO_PROTOCOL = 4;

/**
 * Turns the Socket.IO path path[0..len) (e.g. `/socket.io/`) into the
 * request target of a websocket-only Engine.IO connection by appending
 * `?EIO=4&transport=websocket` (`&…` when the path already has a query), in
 * place within path[0..cap). Returns the new length, or -1 when it does not fit.
 */
export function eioResource(path: Uint8Array, len: number, cap: number): number {
  if (len < 0 || len >= cap) {
    return -1;
  }
  const hasQuery = bytesIndexOf(path, 0, len, "?".charCodeAt(0)) >= 0;
  path[len] = hasQuery ? "&".charCodeAt(0) : "?".charCodeAt(0);
  let o = bytesPutAscii(path, len + 1, cap, "EIO=");
  o = bytesPutUint(path, o, cap, EIO_PROTOCOL);
  return bytesPutAscii(path, o, cap, "&transport=websocket");
}

/** Engine.IO packet types: the first byte of each packet is the ASCII digit of one of these. */
export const enum EioPacket {
  Open = 0,
  Close = 1,
  Ping = 2,
  Pong = 3,
  Message = 4,
  Upgrade = 5,
  Noop = 6,
}

/** What the server's open packet tells the client: the session id, the heartbeat timing and the largest packet it accepts. */
export class EioOpenInfo {
  sid = new Uint8Array(EIO_MAX_SID);
  sidLen = 0;
  pingInterval = 0;
  pingTimeout = 0;
  maxPayload = 0;
}

/**
 * Largest Engine.IO packet (bytes, type digit included) the client may send:
 * the server's `maxPayload` from its open packet, or the Engine.IO default
 * before one arrived. Engine.IO closes the whole connection on a larger one
 * (the `ws` server's maxPayload, close code 1009), so callers refuse it locally.
 */
export function eioMaxPacket(info: Readonly<EioOpenInfo>): number {
  if (info.maxPayload > 0) {
    return info.maxPayload;
  }
  return EIO_DEFAULT_MAX_PAYLOAD;
}

/** Type (EioPacket) of the packet buf[off..off+len), or -1 when it is empty or does not start with a digit 0..6. */
export function eioPacketType(buf: Readonly<Uint8Array>, off: number, len: number): number {
  if (len <= 0) {
    return -1;
  }
  const c = buf[off];
  if (c < "0".charCodeAt(0) || c > "6".charCodeAt(0)) {
    return -1;
  }
  return c - "0".charCodeAt(0);
}

/**
 * Parses the open packet `0{"sid":…,"pingInterval":…,"pingTimeout":…,"maxPayload":…}`
 * into `info`. The data must be one valid JSON object with a non-empty string
 * `sid` (at most EIO_MAX_SID bytes once decoded) and non-negative integer
 * `pingInterval` and `pingTimeout`; `maxPayload` is optional (default
 * EIO_DEFAULT_MAX_PAYLOAD) but must be a non-negative integer when present.
 * Other members (`upgrades`) are ignored. Returns false when any of that does
 * not hold; `info` may then be partly written.
 */
export function eioParseOpen(buf: Readonly<Uint8Array>, off: number, len: number, info: EioOpenInfo): boolean {
  if (eioPacketType(buf, off, len) !== EioPacket.Open) {
    return false;
  }
  const end = off + len;
  const data = off + 1;
  if (jsonValueType(buf, data, end) !== JsonType.Object || !jsonIsValid(buf, data, end)) {
    return false;
  }
  const sidAt = jsonFindKey(buf, data, end, "sid");
  if (sidAt < 0) {
    return false;
  }
  const sidLen = jsonStringDecode(buf, sidAt, end, info.sid, 0, EIO_MAX_SID);
  if (sidLen <= 0) {
    return false;
  }
  info.sidLen = sidLen;
  const intervalAt = jsonFindKey(buf, data, end, "pingInterval");
  const timeoutAt = jsonFindKey(buf, data, end, "pingTimeout");
  if (intervalAt < 0 || timeoutAt < 0) {
    return false;
  }
  info.pingInterval = jsonParseInt(buf, intervalAt, end);
  info.pingTimeout = jsonParseInt(buf, timeoutAt, end);
  if (info.pingInterval < 0 || info.pingTimeout < 0) {
    return false;
  }
  const maxAt = jsonFindKey(buf, data, end, "maxPayload");
  if (maxAt < 0) {
    info.maxPayload = EIO_DEFAULT_MAX_PAYLOAD;
  } else {
    info.maxPayload = jsonParseInt(buf, maxAt, end);
    if (info.maxPayload < 0) {
      return false;
    }
  }
  return true;
}

/**
 * Writes the pong that answers a ping: `3` followed by the ping's data, if any
 * (`2` → `3`, `2probe` → `3probe`). `ping`/`pingOff`/`pingLen` is the whole
 * ping packet, type digit included. Returns the offset after the pong, or -1
 * when the packet is not a ping or the pong does not fit below cap.
 */
export function eioEncodePong(
  out: Uint8Array,
  off: number,
  cap: number,
  ping: Readonly<Uint8Array>,
  pingOff: number,
  pingLen: number,
): number {
  if (eioPacketType(ping, pingOff, pingLen) !== EioPacket.Ping) {
    return -1;
  }
  if (off < 0 || off >= cap) {
    return -1;
  }
  out[off] = "3".charCodeAt(0);
  return bytesPut(out, off + 1, cap, ping, pingOff + 1, pingLen - 1);
}

/**
 * Writes an Engine.IO message packet: `4` followed by data[dataOff..dataOff+dataLen).
 * Returns the offset after it, or -1 when it does not fit below cap.
 */
export function eioEncodeMessage(
  out: Uint8Array,
  off: number,
  cap: number,
  data: Readonly<Uint8Array>,
  dataOff: number,
  dataLen: number,
): number {
  if (off < 0 || off >= cap || dataLen < 0) {
    return -1;
  }
  out[off] = "4".charCodeAt(0);
  return bytesPut(out, off + 1, cap, data, dataOff, dataLen);
}
