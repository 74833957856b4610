/**
 * The opening handshake in the server role (RFC 6455 §4.2): an incremental
 * parser and validator of the client's HTTP Upgrade request, and the two
 * answers a server sends: 101 Switching Protocols with Sec-WebSocket-Accept
 * (§4.2.2) or a refusal (400, 426 with the supported version, 414, 431).
 * Like the client's parser (handshake.ts), it keeps only the current line and
 * the values it reads, and stops exactly after the blank line that ends the
 * header block: bytes after it are the client's first frames.
 */

import { base64Decode } from "./base64.js";
import { bytesCopy, bytesEqualsAsciiNoCase, bytesPut, bytesPutAscii, isDigit } from "./bytes.js";
import {
  HANDSHAKE_ACCEPT_LENGTH,
  HANDSHAKE_KEY_LENGTH,
  HANDSHAKE_MAX_PROTOCOLS,
  HANDSHAKE_NONCE_SIZE,
  handshakeAcceptFor,
  HandshakeState,
  headerColon,
  headerValue,
  LineReader,
  lineReaderFeed,
  lineReaderInit,
  isTokenChar,
  listHasExact,
  listHasToken,
  listItem,
} from "./handshake.js";
import { Sha1 } from "./sha1.js";

/**
 * Longest request target kept, in bytes: it must fit sm-websocket's
 * `char getPath[2000]` incoming-callback argument with its NUL. A longer
 * target is refused with 414 URI Too Long (RFC 9110 §15.5.15).
 */
export const SERVER_MAX_TARGET = 1999;

/** Longest request line or read header line kept: `GET ` + the longest target + ` HTTP/1.1`, rounded up. */
export const SERVER_MAX_LINE = 2048;

/**
 * Largest request header block accepted, in bytes (browsers send 0.5-2 KiB;
 * Node's HTTP server accepts 16 KiB). Larger: 431 Request Header Fields Too
 * Large (RFC 6585 §5), after consuming exactly this many bytes.
 */
export const SERVER_MAX_REQUEST = 16384;

/** Why a request was refused; ServerHandshake.status holds the HTTP status to answer with. */
export const enum ServerHandshakeError {
  None = 0,
  /** Not `METHOD SP target SP HTTP/x.y`. */
  BadRequestLine = 1,
  /** A method other than GET (§4.2.1 item 1). */
  NotGet = 2,
  /** HTTP older than 1.1 (§4.2.1 item 1). */
  OldHttp = 3,
  TargetTooLong = 4,
  /** A header line that is not `name: value`, or a read header longer than SERVER_MAX_LINE. */
  BadHeader = 5,
  /** No Host header (§4.2.1 item 2). */
  NoHost = 6,
  /** No Upgrade header with the token `websocket` (§4.2.1 item 3). */
  NoUpgrade = 7,
  /** No Connection header with the token `Upgrade` (§4.2.1 item 4). */
  NoConnection = 8,
  /** Sec-WebSocket-Key missing, repeated, or not base64 of 16 bytes (§4.2.1 item 5). */
  BadKey = 9,
  /** Sec-WebSocket-Version missing or not 13 (§4.2.1 item 6; answered with 426 and the version we speak, §4.2.2). */
  BadVersion = 10,
  /** The header block exceeds SERVER_MAX_REQUEST. */
  TooLarge = 11,
  /** The offered subprotocols exceed HANDSHAKE_MAX_PROTOCOLS bytes. */
  ProtocolsTooLong = 12,
  /** serverHandshakeBuildAccept: the chosen subprotocol is not one the client offered (§4.2.2 step 5.5). */
  UnofferedProtocol = 13,
  /** serverHandshakeBuild*: the answer does not fit the output buffer. */
  AnswerTooLarge = 14,
}

/** State of one client's opening handshake as the server reads it. */
export class ServerHandshake {
  /** The request line or header line being read: its first SERVER_MAX_LINE bytes. */
  line = new Uint8Array(SERVER_MAX_LINE);
  /** Where the reader is in the request's header block. */
  reader = new LineReader();
  /** Lines completed; the request line is line 0. */
  lines = 0;
  /** The request target as sent (origin-form `/path?query`, or absolute-form). */
  target = new Uint8Array(SERVER_MAX_TARGET);
  targetLen = 0;
  /** Sec-WebSocket-Key as sent (24 base64 characters). */
  key = new Uint8Array(HANDSHAKE_KEY_LENGTH);
  /** The subprotocols the client offered, as one comma-separated list (empty: none). */
  protocols = new Uint8Array(HANDSHAKE_MAX_PROTOCOLS);
  protocolsLen = 0;
  host = false;
  upgrade = false;
  connection = false;
  keySeen = false;
  versionSeen = false;
  version13 = false;
  /** HandshakeState: Pending, Done (valid request) or Failed (error, status). */
  state = 0;
  error = 0;
  /** On Failed: the HTTP status to answer with (400, 414, 426 or 431). */
  status = 0;
  sha = new Sha1();
  scratch = new Uint8Array(64);
  nonce = new Uint8Array(HANDSHAKE_NONCE_SIZE + 2);
}

/** Resets `h` for a new client connection. */
export function serverHandshakeInit(h: ServerHandshake): void {
  lineReaderInit(h.reader);
  h.lines = 0;
  h.targetLen = 0;
  h.protocolsLen = 0;
  h.host = false;
  h.upgrade = false;
  h.connection = false;
  h.keySeen = false;
  h.versionSeen = false;
  h.version13 = false;
  h.state = HandshakeState.Pending;
  h.error = ServerHandshakeError.None;
  h.status = 0;
}

/** The HTTP status a refusal for `error` is answered with. */
export function serverHandshakeStatus(error: number): number {
  switch (error) {
    case ServerHandshakeError.TargetTooLong:
      return 414;
    case ServerHandshakeError.BadVersion:
      return 426;
    case ServerHandshakeError.TooLarge:
    case ServerHandshakeError.ProtocolsTooLong:
      return 431;
    default:
      return 400;
  }
}

function serverFail(h: ServerHandshake, error: number): void {
  h.state = HandshakeState.Failed;
  h.error = error;
  h.status = serverHandshakeStatus(error);
}

/** Keeps the first problem; it is reported when the header block ends, however the bytes arrive. */
function serverProblem(h: ServerHandshake, error: number): void {
  if (h.error === ServerHandshakeError.None) {
    h.error = error;
  }
}

/**
 * Feeds request bytes data[off..off+len). Consumes bytes up to and including
 * the blank line that ends the header block; returns how many were consumed.
 * Check h.state afterwards: Pending (need more), Done (a valid request: the
 * rest of data belongs to the frame decoder) or Failed (h.error, h.status:
 * answer with serverHandshakeBuildRefusal and close). A header block longer
 * than SERVER_MAX_REQUEST fails with TooLarge after consuming exactly that
 * many bytes.
 */
export function serverHandshakeFeed(h: ServerHandshake, data: Readonly<Uint8Array>, off: number, len: number): number {
  if (h.state !== HandshakeState.Pending) {
    return 0;
  }
  let i = 0;
  while (i < len) {
    i += lineReaderFeed(h.reader, h.line, SERVER_MAX_LINE, data, off + i, len - i, SERVER_MAX_REQUEST);
    if (h.reader.overflow) {
      serverFail(h, ServerHandshakeError.TooLarge);
      return i;
    }
    if (!h.reader.complete) {
      return len;
    }
    serverLine(h, h.reader.length);
    h.lines++;
    if (h.state !== HandshakeState.Pending) {
      return i;
    }
  }
  return len;
}

/** One complete line of n bytes (its first SERVER_MAX_LINE in h.line). */
function serverLine(h: ServerHandshake, n: number): void {
  if (h.lines === 0) {
    serverRequestLine(h, n);
  } else if (n === 0) {
    serverEnd(h);
  } else if (h.error === ServerHandshakeError.None) {
    serverHeaderLine(h, n);
  }
}

/** `GET SP request-target SP HTTP/1.1` (RFC 9112 §3; RFC 6455 §4.2.1 item 1). */
function serverRequestLine(h: ServerHandshake, n: number): void {
  const kept = n < SERVER_MAX_LINE ? n : SERVER_MAX_LINE;
  let sp1 = 0;
  while (sp1 < kept && h.line[sp1] !== 32) {
    sp1++;
  }
  if (sp1 === 0 || sp1 >= kept) {
    serverProblem(h, n > kept ? ServerHandshakeError.TargetTooLong : ServerHandshakeError.BadRequestLine);
    return;
  }
  for (let i = 0; i < sp1; i++) {
    if (!isTokenChar(h.line[i])) {
      serverProblem(h, ServerHandshakeError.BadRequestLine);
      return;
    }
  }
  // The version is the last 8 bytes; the target is everything between the two spaces.
  if (n > kept) {
    serverProblem(h, ServerHandshakeError.TargetTooLong);
    return;
  }
  const sp2 = n - 9;
  if (
    sp2 <= sp1 + 1 ||
    h.line[sp2] !== 32 ||
    !bytesEqualsAsciiNoCase(h.line, sp2 + 1, 5, "HTTP/") ||
    !isDigit(h.line[sp2 + 6]) ||
    h.line[sp2 + 7] !== ".".charCodeAt(0) ||
    !isDigit(h.line[sp2 + 8])
  ) {
    serverProblem(h, ServerHandshakeError.BadRequestLine);
    return;
  }
  for (let i = sp1 + 1; i < sp2; i++) {
    // RFC 9112 §3.2: the target has no white space or control bytes.
    if (h.line[i] <= 32 || h.line[i] >= 127) {
      serverProblem(h, ServerHandshakeError.BadRequestLine);
      return;
    }
  }
  // Methods are case-sensitive (RFC 9110 §9.1).
  if (
    sp1 !== 3 ||
    h.line[0] !== "G".charCodeAt(0) ||
    h.line[1] !== "E".charCodeAt(0) ||
    h.line[2] !== "T".charCodeAt(0)
  ) {
    serverProblem(h, ServerHandshakeError.NotGet);
    return;
  }
  const major = h.line[sp2 + 6] - 48;
  const minor = h.line[sp2 + 8] - 48;
  if (major < 1 || (major === 1 && minor < 1)) {
    serverProblem(h, ServerHandshakeError.OldHttp);
    return;
  }
  if (sp2 - sp1 - 1 > SERVER_MAX_TARGET) {
    serverProblem(h, ServerHandshakeError.TargetTooLong);
    return;
  }
  h.targetLen = bytesCopy(h.target, 0, h.line, sp1 + 1, sp2 - sp1 - 1);
}

/** The blank line: decide (§4.2.1 items 2-6, in that order). */
function serverEnd(h: ServerHandshake): void {
  if (h.error !== ServerHandshakeError.None) {
    serverFail(h, h.error);
  } else if (!h.host) {
    serverFail(h, ServerHandshakeError.NoHost);
  } else if (!h.upgrade) {
    serverFail(h, ServerHandshakeError.NoUpgrade);
  } else if (!h.connection) {
    serverFail(h, ServerHandshakeError.NoConnection);
  } else if (!h.keySeen) {
    serverFail(h, ServerHandshakeError.BadKey);
  } else if (!h.versionSeen || !h.version13) {
    serverFail(h, ServerHandshakeError.BadVersion);
  } else {
    h.state = HandshakeState.Done;
  }
}

/**
 * One header line of n bytes. Host, Upgrade, Connection, Sec-WebSocket-Key,
 * -Version and -Protocol are read; other lines (cookies, Origin, extension
 * offers: we accept none) may be of any length up to SERVER_MAX_REQUEST.
 */
function serverHeaderLine(h: ServerHandshake, n: number): void {
  const kept = n < SERVER_MAX_LINE ? n : SERVER_MAX_LINE;
  const colon = headerColon(h.line, kept);
  if (colon < 0) {
    serverProblem(h, ServerHandshakeError.BadHeader);
    return;
  }
  for (let i = 0; i < colon; i++) {
    // RFC 9112 §5.1: no white space between the field name and the colon.
    if (!isTokenChar(h.line[i])) {
      serverProblem(h, ServerHandshakeError.BadHeader);
      return;
    }
  }
  const host = bytesEqualsAsciiNoCase(h.line, 0, colon, "host");
  const upgrade = bytesEqualsAsciiNoCase(h.line, 0, colon, "upgrade");
  const connection = bytesEqualsAsciiNoCase(h.line, 0, colon, "connection");
  const key = bytesEqualsAsciiNoCase(h.line, 0, colon, "sec-websocket-key");
  const version = bytesEqualsAsciiNoCase(h.line, 0, colon, "sec-websocket-version");
  const protocol = bytesEqualsAsciiNoCase(h.line, 0, colon, "sec-websocket-protocol");
  if (!host && !upgrade && !connection && !key && !version && !protocol) {
    return;
  }
  if (n > kept) {
    serverProblem(h, protocol ? ServerHandshakeError.ProtocolsTooLong : ServerHandshakeError.BadHeader);
    return;
  }
  const span = new Int32Array(2);
  headerValue(h.line, colon, n, span);
  const vs = span[0];
  const ve = span[1];
  if (host) {
    // RFC 9112 §3.2: exactly one Host.
    if (h.host) {
      serverProblem(h, ServerHandshakeError.BadHeader);
    }
    h.host = true;
  } else if (upgrade) {
    h.upgrade = h.upgrade || listHasToken(h.line, vs, ve, "websocket");
  } else if (connection) {
    h.connection = h.connection || listHasToken(h.line, vs, ve, "upgrade");
  } else if (key) {
    serverKeyLine(h, vs, ve);
  } else if (version) {
    // Several values (one header or several) must all be 13 to be read as 13.
    h.version13 = (!h.versionSeen || h.version13) && serverVersionIs13(h.line, vs, ve);
    h.versionSeen = true;
  } else {
    serverProtocolLine(h, vs, ve);
  }
}

/** Sec-WebSocket-Key: once, 24 characters that decode to 16 bytes (§4.2.1 item 5). */
function serverKeyLine(h: ServerHandshake, vs: number, ve: number): void {
  if (h.keySeen || ve - vs !== HANDSHAKE_KEY_LENGTH) {
    serverProblem(h, ServerHandshakeError.BadKey);
    return;
  }
  if (base64Decode(h.line, vs, HANDSHAKE_KEY_LENGTH, h.nonce, 0) !== HANDSHAKE_NONCE_SIZE) {
    serverProblem(h, ServerHandshakeError.BadKey);
    return;
  }
  bytesCopy(h.key, 0, h.line, vs, HANDSHAKE_KEY_LENGTH);
  h.keySeen = true;
}

/** True when every item of the list buf[vs..ve) is `13`. */
function serverVersionIs13(buf: Readonly<Uint8Array>, vs: number, ve: number): boolean {
  const span = new Int32Array(2);
  let i = vs;
  let items = 0;
  while (i <= ve) {
    i = listItem(buf, i, ve, span);
    if (span[1] - span[0] !== 2 || buf[span[0]] !== "1".charCodeAt(0) || buf[span[0] + 1] !== "3".charCodeAt(0)) {
      return false;
    }
    items++;
  }
  return items > 0;
}

/** Sec-WebSocket-Protocol: appended to the offered list; several header lines form one list (RFC 9110 §5.3). */
function serverProtocolLine(h: ServerHandshake, vs: number, ve: number): void {
  if (ve === vs) {
    return;
  }
  const sep = h.protocolsLen > 0 ? 2 : 0;
  if (h.protocolsLen + sep + ve - vs > HANDSHAKE_MAX_PROTOCOLS - 1) {
    serverProblem(h, ServerHandshakeError.ProtocolsTooLong);
    return;
  }
  if (sep > 0) {
    h.protocols[h.protocolsLen] = ",".charCodeAt(0);
    h.protocols[h.protocolsLen + 1] = 32;
    h.protocolsLen += 2;
  }
  h.protocolsLen = bytesCopy(h.protocols, h.protocolsLen, h.line, vs, ve - vs);
}

/** True when the client offered exactly buf[off..off+len) (subprotocol names are case-sensitive). */
export function serverProtocolOffered(
  h: ServerHandshake,
  buf: Readonly<Uint8Array>,
  off: number,
  len: number,
): boolean {
  return listHasExact(h.protocols, h.protocolsLen, buf, off, len);
}

/**
 * Writes the 101 answer to a Done request into out[0..cap) (§4.2.2 step 5):
 * status line, Upgrade, Connection, Sec-WebSocket-Accept and, when
 * pLen > 0, Sec-WebSocket-Protocol with the chosen subprotocol
 * protocol[pOff..pOff+pLen), which must be one the client offered. No
 * extension is accepted. Returns the length, or -UnofferedProtocol /
 * -AnswerTooLarge.
 */
export function serverHandshakeBuildAccept(
  h: ServerHandshake,
  protocol: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
  out: Uint8Array,
  cap: number,
): number {
  if (pLen > 0 && !serverProtocolOffered(h, protocol, pOff, pLen)) {
    return -ServerHandshakeError.UnofferedProtocol;
  }
  let p = bytesPutAscii(
    out,
    0,
    cap,
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ",
  );
  const accept = new Uint8Array(HANDSHAKE_ACCEPT_LENGTH);
  handshakeAcceptFor(h.sha, h.scratch, h.key, 0, accept, 0);
  p = bytesPut(out, p, cap, accept, 0, HANDSHAKE_ACCEPT_LENGTH);
  if (pLen > 0) {
    p = bytesPutAscii(out, p, cap, "\r\nSec-WebSocket-Protocol: ");
    p = bytesPut(out, p, cap, protocol, pOff, pLen);
  }
  p = bytesPutAscii(out, p, cap, "\r\n\r\n");
  return p < 0 ? -ServerHandshakeError.AnswerTooLarge : p;
}

/**
 * Writes the refusal of a Failed request into out[0..cap): its status
 * (h.status), see serverHandshakeBuildStatus. The server closes the TCP
 * connection after sending it. Returns the length, or -AnswerTooLarge.
 */
export function serverHandshakeBuildRefusal(h: ServerHandshake, out: Uint8Array, cap: number): number {
  return serverHandshakeBuildStatus(h.status, out, cap);
}

/**
 * Writes an HTTP answer that refuses an upgrade with `status` into out[0..cap):
 * the status with its standard reason phrase, `Connection: close`, an empty
 * body and, for 426, `Sec-WebSocket-Version: 13` (§4.2.2 step 4). Besides the
 * request errors (400, 414, 426, 431) the server itself refuses with 403 (the
 * application turned the client away) and 503 (no room for another
 * connection). Another status is answered as 400. Returns the length, or
 * -AnswerTooLarge.
 */
export function serverHandshakeBuildStatus(status: number, out: Uint8Array, cap: number): number {
  let p = 0;
  if (status === 426) {
    p = bytesPutAscii(out, p, cap, "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n");
  } else if (status === 414) {
    p = bytesPutAscii(out, p, cap, "HTTP/1.1 414 URI Too Long\r\n");
  } else if (status === 431) {
    p = bytesPutAscii(out, p, cap, "HTTP/1.1 431 Request Header Fields Too Large\r\n");
  } else if (status === 403) {
    p = bytesPutAscii(out, p, cap, "HTTP/1.1 403 Forbidden\r\n");
  } else if (status === 503) {
    p = bytesPutAscii(out, p, cap, "HTTP/1.1 503 Service Unavailable\r\n");
  } else {
    p = bytesPutAscii(out, p, cap, "HTTP/1.1 400 Bad Request\r\n");
  }
  p = bytesPutAscii(out, p, cap, "Connection: close\r\nContent-Length: 0\r\n\r\n");
  return p < 0 ? -ServerHandshakeError.AnswerTooLarge : p;
}
