/**
 * The opening handshake (RFC 6455 §4.1): the client's HTTP Upgrade request
 * and an incremental parser/validator for the server's response. The parser
 * stops exactly after the blank line that ends the header block, so bytes
 * that arrived in the same read are left for the frame decoder.
 */

import { base64Encode } from "./base64.js";
import {
  bytesCopy,
  bytesEqual,
  bytesEqualsAsciiNoCase,
  bytesPut,
  bytesPutAscii,
  bytesPutUint,
  isDigit,
  isHttpSpace,
} from "./bytes.js";
import { CONFIG_MAX_HANDSHAKE_RESPONSE } from "./config.js";
import { Sha1, sha1 } from "./sha1.js";
import { ParsedUrl } from "./url.js";

/** The GUID every server appends to the key before hashing (RFC 6455 §1.3). */
export const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/** Bytes of random nonce behind Sec-WebSocket-Key. */
export const HANDSHAKE_NONCE_SIZE = 16;

/** Length of Sec-WebSocket-Key: base64 of the 16-byte nonce. */
export const HANDSHAKE_KEY_LENGTH = 24;

/** Length of Sec-WebSocket-Accept: base64 of a SHA-1 digest. */
export const HANDSHAKE_ACCEPT_LENGTH = 28;

/** Longest Sec-WebSocket-Protocol value kept (the requested list and the chosen one). */
export const HANDSHAKE_MAX_PROTOCOLS = 256;

/** Where the response parser is. */
export const enum HandshakeState {
  Pending = 0,
  Done = 1,
  Failed = 2,
}

/** Why a handshake failed; `status` holds the HTTP status for StatusNot101. */
export const enum HandshakeError {
  None = 0,
  BadStatusLine = 1,
  StatusNot101 = 2,
  BadHeader = 3,
  NoUpgrade = 4,
  NoConnection = 5,
  BadAccept = 6,
  UnrequestedExtension = 7,
  UnrequestedProtocol = 8,
  TooLarge = 9,
  RequestTooLarge = 10,
  BadRequestHeaders = 11,
}

/** State of one opening handshake: the key we sent, what we expect back, and the response so far. */
export class Handshake {
  key = new Uint8Array(HANDSHAKE_KEY_LENGTH);
  accept = new Uint8Array(HANDSHAKE_ACCEPT_LENGTH);
  /** The comma-separated subprotocols we asked for (empty: none). */
  protocols = new Uint8Array(HANDSHAKE_MAX_PROTOCOLS);
  protocolsLen = 0;
  /** The subprotocol the server chose (empty: none). */
  protocol = new Uint8Array(HANDSHAKE_MAX_PROTOCOLS);
  protocolLen = 0;
  response = new Uint8Array(CONFIG_MAX_HANDSHAKE_RESPONSE);
  responseLen = 0;
  state = 0;
  error = 0;
  status = 0;
  sha = new Sha1();
  scratch = new Uint8Array(64);
}

/**
 * Starts a handshake from 16 fresh random bytes nonce[nOff..nOff+16) (the
 * caller's randomness) and the requested subprotocols (comma-separated,
 * may be empty): computes Sec-WebSocket-Key and the expected accept value.
 */
export function handshakeInit(
  h: Handshake,
  nonce: Readonly<Uint8Array>,
  nOff: number,
  protocols: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
): boolean {
  h.state = HandshakeState.Pending;
  h.error = HandshakeError.None;
  h.status = 0;
  h.responseLen = 0;
  h.protocolLen = 0;
  h.protocolsLen = 0;
  if (pLen > HANDSHAKE_MAX_PROTOCOLS) {
    return false;
  }
  bytesCopy(h.protocols, 0, protocols, pOff, pLen);
  h.protocolsLen = pLen;
  base64Encode(nonce, nOff, HANDSHAKE_NONCE_SIZE, h.key, 0);
  bytesCopy(h.scratch, 0, h.key, 0, HANDSHAKE_KEY_LENGTH);
  bytesPutAscii(h.scratch, HANDSHAKE_KEY_LENGTH, 64, WS_GUID);
  const digest = new Uint8Array(20);
  sha1(h.sha, h.scratch, 0, HANDSHAKE_KEY_LENGTH + WS_GUID.length, digest, 0);
  base64Encode(digest, 0, 20, h.accept, 0);
  return true;
}

/**
 * True when extra[off..off+len) is a sequence of complete header lines
 * `Name: value\r\n`: a token name, a colon, a value without CR, LF or other
 * control bytes. This is what keeps user-supplied headers from smuggling a
 * second request into the handshake.
 */
export function handshakeHeadersValid(extra: Readonly<Uint8Array>, off: number, len: number): boolean {
  let i = off;
  const end = off + len;
  while (i < end) {
    const nameStart = i;
    while (i < end && isTokenChar(extra[i])) {
      i++;
    }
    if (i === nameStart || i >= end || extra[i] !== ":".charCodeAt(0)) {
      return false;
    }
    i++;
    while (i < end && extra[i] !== 13) {
      const c = extra[i];
      if ((c < 32 && c !== 9) || c === 127) {
        return false;
      }
      i++;
    }
    if (i + 1 >= end || extra[i + 1] !== 10) {
      return false;
    }
    i += 2;
  }
  return true;
}

/** RFC 7230 tchar: what header names are made of. */
function isTokenChar(c: number): boolean {
  if (c <= 32 || c >= 127) {
    return false;
  }
  return (
    c !== "(".charCodeAt(0) &&
    c !== ")".charCodeAt(0) &&
    c !== "<".charCodeAt(0) &&
    c !== ">".charCodeAt(0) &&
    c !== "@".charCodeAt(0) &&
    c !== ",".charCodeAt(0) &&
    c !== ";".charCodeAt(0) &&
    c !== ":".charCodeAt(0) &&
    c !== "\\".charCodeAt(0) &&
    c !== '"'.charCodeAt(0) &&
    c !== "/".charCodeAt(0) &&
    c !== "[".charCodeAt(0) &&
    c !== "]".charCodeAt(0) &&
    c !== "?".charCodeAt(0) &&
    c !== "=".charCodeAt(0) &&
    c !== "{".charCodeAt(0) &&
    c !== "}".charCodeAt(0)
  );
}

/**
 * Writes the Upgrade request into out[0..cap): request line, Host (with the
 * port when it is not the scheme's default), Upgrade, Connection,
 * Sec-WebSocket-Key, Sec-WebSocket-Version, then the optional Origin,
 * Sec-WebSocket-Protocol and the caller's extra header lines (already in
 * `Name: value\r\n` form, see handshakeHeadersValid). Returns the length, or
 * -HandshakeError.RequestTooLarge / -HandshakeError.BadRequestHeaders.
 */
export function handshakeBuildRequest(
  h: Handshake,
  u: ParsedUrl,
  out: Uint8Array,
  cap: number,
  origin: Readonly<Uint8Array>,
  oOff: number,
  oLen: number,
  extra: Readonly<Uint8Array>,
  eOff: number,
  eLen: number,
): number {
  if (!handshakeHeadersValid(extra, eOff, eLen)) {
    return -HandshakeError.BadRequestHeaders;
  }
  for (let i = 0; i < oLen; i++) {
    if (origin[oOff + i] < 33 || origin[oOff + i] > 126) {
      return -HandshakeError.BadRequestHeaders;
    }
  }
  let p = bytesPutAscii(out, 0, cap, "GET ");
  p = bytesPut(out, p, cap, u.resource, 0, u.resourceLen);
  p = bytesPutAscii(out, p, cap, " HTTP/1.1\r\nHost: ");
  if (u.ipv6) {
    p = bytesPutAscii(out, p, cap, "[");
  }
  p = bytesPut(out, p, cap, u.host, 0, u.hostLen);
  if (u.ipv6) {
    p = bytesPutAscii(out, p, cap, "]");
  }
  if ((u.secure && u.port !== 443) || (!u.secure && u.port !== 80)) {
    p = bytesPutAscii(out, p, cap, ":");
    p = bytesPutUint(out, p, cap, u.port);
  }
  p = bytesPutAscii(out, p, cap, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ");
  p = bytesPut(out, p, cap, h.key, 0, HANDSHAKE_KEY_LENGTH);
  p = bytesPutAscii(out, p, cap, "\r\nSec-WebSocket-Version: 13\r\n");
  if (oLen > 0) {
    p = bytesPutAscii(out, p, cap, "Origin: ");
    p = bytesPut(out, p, cap, origin, oOff, oLen);
    p = bytesPutAscii(out, p, cap, "\r\n");
  }
  if (h.protocolsLen > 0) {
    p = bytesPutAscii(out, p, cap, "Sec-WebSocket-Protocol: ");
    p = bytesPut(out, p, cap, h.protocols, 0, h.protocolsLen);
    p = bytesPutAscii(out, p, cap, "\r\n");
  }
  p = bytesPut(out, p, cap, extra, eOff, eLen);
  p = bytesPutAscii(out, p, cap, "\r\n");
  if (p < 0) {
    return -HandshakeError.RequestTooLarge;
  }
  return p;
}

function handshakeFail(h: Handshake, error: number): void {
  h.state = HandshakeState.Failed;
  h.error = error;
}

/**
 * Feeds response bytes data[off..off+len). Consumes bytes up to and
 * including the blank line that ends the header block, then validates the
 * response; returns how many bytes were consumed. Check h.state afterwards:
 * Pending (need more), Done (the rest of data belongs to the frame decoder)
 * or Failed (h.error, h.status).
 */
export function handshakeFeed(h: Handshake, data: Readonly<Uint8Array>, off: number, len: number): number {
  if (h.state !== HandshakeState.Pending) {
    return 0;
  }
  for (let i = 0; i < len; i++) {
    if (h.responseLen >= CONFIG_MAX_HANDSHAKE_RESPONSE) {
      handshakeFail(h, HandshakeError.TooLarge);
      return i;
    }
    const c = data[off + i];
    h.response[h.responseLen] = c;
    h.responseLen++;
    const n = h.responseLen;
    if (c === 10 && n >= 4 && h.response[n - 2] === 13 && h.response[n - 3] === 10 && h.response[n - 4] === 13) {
      handshakeValidate(h);
      return i + 1;
    }
  }
  return len;
}

/** Index of the CR of the next CRLF at or after `from` in the response, or -1. */
function lineEnd(h: Handshake, from: number): number {
  for (let i = from; i + 1 < h.responseLen; i++) {
    if (h.response[i] === 13 && h.response[i + 1] === 10) {
      return i;
    }
  }
  return -1;
}

/**
 * Finds the item of the comma-separated list buf[from..end) that starts at
 * `from`, trimmed of HTTP white space, and writes its bounds into
 * span[0..2) (start, end). Returns where the next item starts (past the
 * comma), which is above `end` after the last item.
 */
function listItem(buf: Readonly<Uint8Array>, from: number, end: number, span: Int32Array): number {
  let i = from;
  while (i < end && buf[i] !== ",".charCodeAt(0)) {
    i++;
  }
  let s = from;
  let e = i;
  while (s < e && isHttpSpace(buf[s])) {
    s++;
  }
  while (e > s && isHttpSpace(buf[e - 1])) {
    e--;
  }
  span[0] = s;
  span[1] = e;
  return i + 1;
}

/** True when the comma-separated list buf[off..end) holds `token` (ASCII case-insensitive, white space trimmed). */
function listHasToken(buf: Readonly<Uint8Array>, off: number, end: number, token: string): boolean {
  const span = new Int32Array(2);
  let i = off;
  while (i <= end) {
    i = listItem(buf, i, end, span);
    if (bytesEqualsAsciiNoCase(buf, span[0], span[1] - span[0], token)) {
      return true;
    }
  }
  return false;
}

/** True when the requested protocol list holds exactly buf[off..off+len) (subprotocol names are case-sensitive). */
function protocolWasRequested(h: Handshake, buf: Readonly<Uint8Array>, off: number, len: number): boolean {
  const span = new Int32Array(2);
  let i = 0;
  while (i <= h.protocolsLen) {
    i = listItem(h.protocols, i, h.protocolsLen, span);
    if (span[1] - span[0] === len && len > 0 && bytesEqual(h.protocols, span[0], buf, off, len)) {
      return true;
    }
  }
  return false;
}

function handshakeValidate(h: Handshake): void {
  // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF
  const first = lineEnd(h, 0);
  if (
    first < 12 ||
    !bytesEqualsAsciiNoCase(h.response, 0, 7, "HTTP/1.") ||
    !isDigit(h.response[7]) ||
    h.response[8] !== 32
  ) {
    handshakeFail(h, HandshakeError.BadStatusLine);
    return;
  }
  if (
    !isDigit(h.response[9]) ||
    !isDigit(h.response[10]) ||
    !isDigit(h.response[11]) ||
    (first > 12 && h.response[12] !== 32)
  ) {
    handshakeFail(h, HandshakeError.BadStatusLine);
    return;
  }
  h.status = (h.response[9] - 48) * 100 + (h.response[10] - 48) * 10 + (h.response[11] - 48);
  if (h.status !== 101) {
    handshakeFail(h, HandshakeError.StatusNot101);
    return;
  }
  let upgrade = false;
  let connection = false;
  let accept = false;
  let pos = first + 2;
  while (pos < h.responseLen - 2) {
    const end = lineEnd(h, pos);
    let colon = pos;
    while (colon < end && h.response[colon] !== ":".charCodeAt(0)) {
      colon++;
    }
    if (colon === pos || colon >= end || !isTokenChar(h.response[colon - 1])) {
      handshakeFail(h, HandshakeError.BadHeader);
      return;
    }
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && isHttpSpace(h.response[vs])) {
      vs++;
    }
    while (ve > vs && isHttpSpace(h.response[ve - 1])) {
      ve--;
    }
    const nameLen = colon - pos;
    if (bytesEqualsAsciiNoCase(h.response, pos, nameLen, "upgrade")) {
      upgrade = upgrade || listHasToken(h.response, vs, ve, "websocket");
    } else if (bytesEqualsAsciiNoCase(h.response, pos, nameLen, "connection")) {
      connection = connection || listHasToken(h.response, vs, ve, "upgrade");
    } else if (bytesEqualsAsciiNoCase(h.response, pos, nameLen, "sec-websocket-accept")) {
      if (
        accept ||
        ve - vs !== HANDSHAKE_ACCEPT_LENGTH ||
        !bytesEqual(h.response, vs, h.accept, 0, HANDSHAKE_ACCEPT_LENGTH)
      ) {
        handshakeFail(h, HandshakeError.BadAccept);
        return;
      }
      accept = true;
    } else if (bytesEqualsAsciiNoCase(h.response, pos, nameLen, "sec-websocket-extensions")) {
      if (ve > vs) {
        handshakeFail(h, HandshakeError.UnrequestedExtension);
        return;
      }
    } else if (bytesEqualsAsciiNoCase(h.response, pos, nameLen, "sec-websocket-protocol")) {
      if (h.protocolLen > 0 || !protocolWasRequested(h, h.response, vs, ve - vs)) {
        handshakeFail(h, HandshakeError.UnrequestedProtocol);
        return;
      }
      h.protocolLen = bytesCopy(h.protocol, 0, h.response, vs, ve - vs);
    }
    pos = end + 2;
  }
  if (!upgrade) {
    handshakeFail(h, HandshakeError.NoUpgrade);
    return;
  }
  if (!connection) {
    handshakeFail(h, HandshakeError.NoConnection);
    return;
  }
  if (!accept) {
    handshakeFail(h, HandshakeError.BadAccept);
    return;
  }
  h.state = HandshakeState.Done;
}
