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
  bytesIndexOf,
  bytesPut,
  bytesPutAscii,
  bytesPutUint,
  isDigit,
  isHttpSpace,
  parseUint,
} from "./bytes.js";
import { CONFIG_INFLATE_WINDOW_BITS, CONFIG_MAX_HANDSHAKE_RESPONSE } from "./config.js";
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

/**
 * Longest response line kept for parsing, in bytes. Longer header lines
 * (large Set-Cookie lines from load balancers) are counted and skipped
 * unless they are one of the headers the handshake reads; nothing else of
 * the header block is stored, however large it is (up to
 * CONFIG_MAX_HANDSHAKE_RESPONSE).
 */
export const HANDSHAKE_MAX_LINE = 1024;

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
  /**
   * The server accepted permessage-deflate with a response the client must fail
   * (RFC 7692 §5, §7.1): a parameter not defined for a response or not offered,
   * an invalid value, a parameter twice, or the extension accepted twice.
   */
  BadExtension = 12,
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
  /** The response line being read: its first HANDSHAKE_MAX_LINE bytes. */
  line = new Uint8Array(HANDSHAKE_MAX_LINE);
  /** Where the reader is in the response's header block. */
  reader = new LineReader();
  /** Response lines completed; the status line is line 0. */
  lines = 0;
  /** What the header lines so far established (RFC 6455 section 4.1, the client's checks 2-4). */
  upgrade = false;
  connection = false;
  acceptSeen = false;
  state = 0;
  error = 0;
  status = 0;
  /** permessage-deflate (RFC 7692): offered in the request (handshakeOfferDeflate) and accepted by the response. */
  deflateOffer = false;
  /** The server_max_window_bits offered (15: none offered). */
  deflateOfferBits = 0;
  deflate = false;
  /** The accepted parameters (RFC 7692 §7.1): *_no_context_takeover, and *_max_window_bits (8..15; 15 when absent). */
  deflateServerNoContext = false;
  deflateClientNoContext = false;
  deflateServerBits = 0;
  deflateClientBits = 0;
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
  lineReaderInit(h.reader);
  h.lines = 0;
  h.upgrade = false;
  h.connection = false;
  h.acceptSeen = false;
  h.protocolLen = 0;
  h.protocolsLen = 0;
  h.deflateOffer = false;
  h.deflateOfferBits = 15;
  handshakeDeflateClear(h);
  if (pLen > HANDSHAKE_MAX_PROTOCOLS) {
    return false;
  }
  bytesCopy(h.protocols, 0, protocols, pOff, pLen);
  h.protocolsLen = pLen;
  base64Encode(nonce, nOff, HANDSHAKE_NONCE_SIZE, h.key, 0);
  handshakeAcceptFor(h.sha, h.scratch, h.key, 0, h.accept, 0);
  return true;
}

/** Forgets any accepted permessage-deflate parameters. */
function handshakeDeflateClear(h: Handshake): void {
  h.deflate = false;
  h.deflateServerNoContext = false;
  h.deflateClientNoContext = false;
  h.deflateServerBits = 0;
  h.deflateClientBits = 0;
}

/**
 * Makes the request (handshakeBuildRequest, after handshakeInit) offer
 * permessage-deflate (RFC 7692 §5.1, §7.1):
 * `Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits`, plus
 * `; server_max_window_bits=N` when CONFIG_INFLATE_WINDOW_BITS (N) is below 15
 * so that the server's window fits the inflater's. No *_no_context_takeover is
 * offered: the inflater keeps its window, and the compressor never refers to
 * an earlier message, which is valid whatever the server answers (§7.1.1.2).
 */
export function handshakeOfferDeflate(h: Handshake): void {
  h.deflateOffer = true;
  h.deflateOfferBits = CONFIG_INFLATE_WINDOW_BITS;
}

/**
 * Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 §4.2.2 step 5.4):
 * base64 of the SHA-1 of key[kOff..kOff+24) followed by WS_GUID, written as
 * 28 bytes into out[oOff..). `scratch` (64 bytes) and `sha` are working space.
 * The client computes what it expects, the server what it answers.
 */
export function handshakeAcceptFor(
  sha: Sha1,
  scratch: Uint8Array,
  key: Readonly<Uint8Array>,
  kOff: number,
  out: Uint8Array,
  oOff: number,
): void {
  bytesCopy(scratch, 0, key, kOff, HANDSHAKE_KEY_LENGTH);
  bytesPutAscii(scratch, HANDSHAKE_KEY_LENGTH, 64, WS_GUID);
  const digest = new Uint8Array(20);
  sha1(sha, scratch, 0, HANDSHAKE_KEY_LENGTH + WS_GUID.length, digest, 0);
  base64Encode(digest, 0, 20, out, oOff);
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
export function isTokenChar(c: number): boolean {
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
  if (h.deflateOffer) {
    p = bytesPutAscii(out, p, cap, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
    if (h.deflateOfferBits < 15) {
      p = bytesPutAscii(out, p, cap, "; server_max_window_bits=");
      p = bytesPutUint(out, p, cap, h.deflateOfferBits);
    }
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
 * including the blank line that ends the header block, checking each line
 * as it completes (only the current line is kept); returns how many bytes
 * were consumed. Check h.state afterwards: Pending (need more), Done (the
 * rest of data belongs to the frame decoder) or Failed (h.error, h.status).
 * A header block longer than CONFIG_MAX_HANDSHAKE_RESPONSE fails with
 * TooLarge after consuming exactly that many bytes.
 */
export function handshakeFeed(h: Handshake, data: Readonly<Uint8Array>, off: number, len: number): number {
  if (h.state !== HandshakeState.Pending) {
    return 0;
  }
  let i = 0;
  while (i < len) {
    i += lineReaderFeed(h.reader, h.line, HANDSHAKE_MAX_LINE, data, off + i, len - i, CONFIG_MAX_HANDSHAKE_RESPONSE);
    if (h.reader.overflow) {
      handshakeFail(h, HandshakeError.TooLarge);
      return i;
    }
    if (!h.reader.complete) {
      return len;
    }
    handshakeLine(h, h.reader.length);
    h.lines++;
    if (h.state !== HandshakeState.Pending) {
      return i;
    }
  }
  return len;
}

/**
 * Where a reader of an HTTP/1.1 header block is (RFC 9112 §2.2: lines end
 * with CRLF): the current line's length so far, whether its last byte was a
 * CR, and the bytes of the block consumed. Shared by the client's response
 * parser and the server's request parser (serverhandshake.ts).
 */
export class LineReader {
  /** Bytes of the current line so far, kept or not. */
  lineLen = 0;
  /** True when the last byte consumed was a CR (a LF now ends the line). */
  lastCr = false;
  /** Bytes of the header block consumed so far. */
  total = 0;
  /** Output of lineReaderFeed: a line ended at the last byte consumed; its length without CRLF. */
  complete = false;
  length = 0;
  /** Output of lineReaderFeed: the block reached its limit before its end. */
  overflow = false;
}

export function lineReaderInit(r: LineReader): void {
  r.lineLen = 0;
  r.lastCr = false;
  r.total = 0;
  r.complete = false;
  r.length = 0;
  r.overflow = false;
}

/**
 * Consumes data[off..off+len) up to and including the LF that ends the next
 * line, keeping the line's first `keep` bytes in line[0..keep) (longer lines
 * are counted, not stored). Returns the bytes consumed; then r.complete says
 * whether a line ended (r.length bytes, CRLF excluded), else all of data was
 * consumed. Once `limit` bytes of the block were consumed, stops before the
 * next byte with r.overflow set.
 */
export function lineReaderFeed(
  r: LineReader,
  line: Uint8Array,
  keep: number,
  data: Readonly<Uint8Array>,
  off: number,
  len: number,
  limit: number,
): number {
  r.complete = false;
  for (let i = 0; i < len; i++) {
    if (r.total >= limit) {
      r.overflow = true;
      return i;
    }
    const c = data[off + i];
    r.total++;
    if (c === 10 && r.lastCr) {
      r.length = r.lineLen - 1;
      r.lineLen = 0;
      r.lastCr = false;
      r.complete = true;
      return i + 1;
    }
    if (r.lineLen < keep) {
      line[r.lineLen] = c;
    }
    r.lineLen++;
    r.lastCr = c === 13;
  }
  return len;
}

/**
 * Checks one complete response line of n bytes (its first HANDSHAKE_MAX_LINE
 * in h.line). The first problem found is kept in h.error and reported when
 * the header block ends, so that a response fails the same way however its
 * bytes arrive.
 */
function handshakeLine(h: Handshake, n: number): void {
  if (h.lines === 0) {
    handshakeStatusLine(h, n);
  } else if (n === 0) {
    handshakeEnd(h);
  } else if (h.error === HandshakeError.None && h.status === 101) {
    handshakeHeaderLine(h, n);
  }
}

/** The status line: HTTP/1.x SP 3DIGIT [SP reason]. */
function handshakeStatusLine(h: Handshake, n: number): void {
  if (n < 12 || !bytesEqualsAsciiNoCase(h.line, 0, 7, "HTTP/1.") || !isDigit(h.line[7]) || h.line[8] !== 32) {
    h.error = HandshakeError.BadStatusLine;
    return;
  }
  if (!isDigit(h.line[9]) || !isDigit(h.line[10]) || !isDigit(h.line[11]) || (n > 12 && h.line[12] !== 32)) {
    h.error = HandshakeError.BadStatusLine;
    return;
  }
  h.status = (h.line[9] - 48) * 100 + (h.line[10] - 48) * 10 + (h.line[11] - 48);
}

/** The blank line: the header block is complete. */
function handshakeEnd(h: Handshake): void {
  if (h.error !== HandshakeError.None) {
    handshakeFail(h, h.error);
  } else if (h.status !== 101) {
    handshakeFail(h, HandshakeError.StatusNot101);
  } else if (!h.upgrade) {
    handshakeFail(h, HandshakeError.NoUpgrade);
  } else if (!h.connection) {
    handshakeFail(h, HandshakeError.NoConnection);
  } else if (!h.acceptSeen) {
    handshakeFail(h, HandshakeError.BadAccept);
  } else if (h.deflate && h.deflateServerBits === 0 && h.deflateOfferBits < 15) {
    // We offered server_max_window_bits: a server accepting the offer answers it (RFC 7692
    // §7.1.2.1); without it the server's window (32 KiB) would not fit the inflater's.
    handshakeFail(h, HandshakeError.BadExtension);
  } else {
    if (h.deflate) {
      // Absent *_max_window_bits mean 15 (RFC 7692 §7.1.2).
      h.deflateServerBits = h.deflateServerBits === 0 ? 15 : h.deflateServerBits;
      h.deflateClientBits = h.deflateClientBits === 0 ? 15 : h.deflateClientBits;
    }
    h.state = HandshakeState.Done;
  }
}

/**
 * One header line of n bytes: `name: value`. Only Upgrade, Connection and
 * Sec-WebSocket-Accept, -Extensions and -Protocol are read; other lines may
 * be of any length. One of those five longer than HANDSHAKE_MAX_LINE is
 * refused (BadHeader) since its value was not kept.
 */
function handshakeHeaderLine(h: Handshake, n: number): void {
  const kept = n < HANDSHAKE_MAX_LINE ? n : HANDSHAKE_MAX_LINE;
  const colon = headerColon(h.line, kept);
  if (colon < 0 || !isTokenChar(h.line[colon - 1])) {
    h.error = HandshakeError.BadHeader;
    return;
  }
  const upgrade = bytesEqualsAsciiNoCase(h.line, 0, colon, "upgrade");
  const connection = bytesEqualsAsciiNoCase(h.line, 0, colon, "connection");
  const accept = bytesEqualsAsciiNoCase(h.line, 0, colon, "sec-websocket-accept");
  const extensions = bytesEqualsAsciiNoCase(h.line, 0, colon, "sec-websocket-extensions");
  const protocol = bytesEqualsAsciiNoCase(h.line, 0, colon, "sec-websocket-protocol");
  if (!upgrade && !connection && !accept && !extensions && !protocol) {
    return;
  }
  if (n > kept) {
    h.error = HandshakeError.BadHeader;
    return;
  }
  const span = new Int32Array(2);
  headerValue(h.line, colon, n, span);
  const vs = span[0];
  const ve = span[1];
  if (upgrade) {
    h.upgrade = h.upgrade || listHasToken(h.line, vs, ve, "websocket");
  } else if (connection) {
    h.connection = h.connection || listHasToken(h.line, vs, ve, "upgrade");
  } else if (accept) {
    if (
      h.acceptSeen ||
      ve - vs !== HANDSHAKE_ACCEPT_LENGTH ||
      !bytesEqual(h.line, vs, h.accept, 0, HANDSHAKE_ACCEPT_LENGTH)
    ) {
      h.error = HandshakeError.BadAccept;
      return;
    }
    h.acceptSeen = true;
  } else if (extensions) {
    if (ve > vs) {
      h.error = h.deflateOffer ? handshakeDeflateResponse(h, h.line, vs, ve) : HandshakeError.UnrequestedExtension;
    }
  } else if (h.protocolLen > 0 || !listHasExact(h.protocols, h.protocolsLen, h.line, vs, ve - vs)) {
    h.error = HandshakeError.UnrequestedProtocol;
  } else {
    h.protocolLen = bytesCopy(h.protocol, 0, h.line, vs, ve - vs);
  }
}

/** Where the colon of the header line line[0..kept) is, or -1 when it has none or no name (RFC 9112 §5.1). */
export function headerColon(line: Readonly<Uint8Array>, kept: number): number {
  let colon = 0;
  while (colon < kept && line[colon] !== ":".charCodeAt(0)) {
    colon++;
  }
  return colon === 0 || colon >= kept ? -1 : colon;
}

/** The value of the header line line[0..n) after its colon, without surrounding white space: span[0..2) = start, end. */
export function headerValue(line: Readonly<Uint8Array>, colon: number, n: number, span: Int32Array): void {
  let vs = colon + 1;
  let ve = n;
  while (vs < ve && isHttpSpace(line[vs])) {
    vs++;
  }
  while (ve > vs && isHttpSpace(line[ve - 1])) {
    ve--;
  }
  span[0] = vs;
  span[1] = ve;
}

/**
 * Finds the item of the comma-separated list buf[from..end) that starts at
 * `from`, trimmed of HTTP white space, and writes its bounds into
 * span[0..2) (start, end). Returns where the next item starts (past the
 * comma), which is above `end` after the last item.
 */
export function listItem(buf: Readonly<Uint8Array>, from: number, end: number, span: Int32Array): number {
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
export function listHasToken(buf: Readonly<Uint8Array>, off: number, end: number, token: string): boolean {
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

/**
 * True when the comma-separated list list[0..listLen) holds exactly buf[off..off+len) (len > 0;
 * compared byte for byte: subprotocol names are case-sensitive, RFC 6455 §4.1). Used for the
 * protocols a client requested and a server was offered.
 */
export function listHasExact(
  list: Readonly<Uint8Array>,
  listLen: number,
  buf: Readonly<Uint8Array>,
  off: number,
  len: number,
): boolean {
  const span = new Int32Array(2);
  let i = 0;
  while (i <= listLen) {
    i = listItem(list, i, listLen, span);
    if (span[1] - span[0] === len && len > 0 && bytesEqual(list, span[0], buf, off, len)) {
      return true;
    }
  }
  return false;
}

/**
 * One Sec-WebSocket-Extensions value line[vs..ve) of a response to a request
 * that offered permessage-deflate (RFC 7692 §7.1, grammar of RFC 6455 §9.1):
 * a comma-separated list whose only allowed element is `permessage-deflate`,
 * once, with `;`-separated parameters, each at most once:
 * server_no_context_takeover and client_no_context_takeover without a value
 * (§7.1.1; accepted even though not offered), server_max_window_bits=8..15
 * (§7.1.2.1; at most the offered value when one was offered),
 * client_max_window_bits=8..15 (§7.1.2.2; a value is required in a response).
 * A value may be a quoted string. Sets h.deflate and the parameters; returns
 * HandshakeError.None, UnrequestedExtension (another extension) or
 * BadExtension (anything else the client must fail the connection for).
 */
export function handshakeDeflateResponse(h: Handshake, line: Readonly<Uint8Array>, vs: number, ve: number): number {
  const span = new Int32Array(2);
  let i = vs;
  while (i <= ve) {
    i = listItem(line, i, ve, span);
    if (span[1] > span[0]) {
      const e = handshakeDeflateElement(h, line, span[0], span[1]);
      if (e !== HandshakeError.None) {
        return e;
      }
    }
  }
  return HandshakeError.None;
}

/** One element of the list (see handshakeDeflateResponse): the extension name and its parameters. */
function handshakeDeflateElement(h: Handshake, line: Readonly<Uint8Array>, s: number, e: number): number {
  let semi = bytesIndexOf(line, s, e, ";".charCodeAt(0));
  if (semi < 0) {
    semi = e;
  }
  const name = new Int32Array(2);
  trimSpan(line, s, semi, name);
  if (!bytesEqualsAsciiNoCase(line, name[0], name[1] - name[0], "permessage-deflate")) {
    return HandshakeError.UnrequestedExtension;
  }
  if (h.deflate) {
    return HandshakeError.BadExtension;
  }
  h.deflate = true;
  let p = semi + 1;
  while (p <= e) {
    let next = bytesIndexOf(line, p, e, ";".charCodeAt(0));
    if (next < 0) {
      next = e;
    }
    if (!handshakeDeflateParam(h, line, p, next)) {
      return HandshakeError.BadExtension;
    }
    p = next + 1;
  }
  return HandshakeError.None;
}

/** The bounds of line[s..e) without HTTP white space around it, into span[0..2). */
function trimSpan(line: Readonly<Uint8Array>, s: number, e: number, span: Int32Array): void {
  let a = s;
  let b = e;
  while (a < b && isHttpSpace(line[a])) {
    a++;
  }
  while (b > a && isHttpSpace(line[b - 1])) {
    b--;
  }
  span[0] = a;
  span[1] = b;
}

/** One parameter line[s..e) (`name` or `name=value`, value maybe quoted); false when the response must be refused. */
function handshakeDeflateParam(h: Handshake, line: Readonly<Uint8Array>, s: number, e: number): boolean {
  let eq = bytesIndexOf(line, s, e, "=".charCodeAt(0));
  const hasValue = eq >= 0;
  if (!hasValue) {
    eq = e;
  }
  const name = new Int32Array(2);
  trimSpan(line, s, eq, name);
  const n0 = name[0];
  const nLen = name[1] - name[0];
  let bits = -1;
  if (hasValue) {
    const value = new Int32Array(2);
    trimSpan(line, eq + 1, e, value);
    let v0 = value[0];
    let v1 = value[1];
    if (v1 - v0 >= 2 && line[v0] === '"'.charCodeAt(0) && line[v1 - 1] === '"'.charCodeAt(0)) {
      v0++;
      v1--;
    }
    bits = parseUint(line, v0, v1 - v0, 99);
    if (bits < 8 || bits > 15) {
      return false;
    }
  }
  if (bytesEqualsAsciiNoCase(line, n0, nLen, "server_no_context_takeover")) {
    if (hasValue || h.deflateServerNoContext) {
      return false;
    }
    h.deflateServerNoContext = true;
  } else if (bytesEqualsAsciiNoCase(line, n0, nLen, "client_no_context_takeover")) {
    if (hasValue || h.deflateClientNoContext) {
      return false;
    }
    h.deflateClientNoContext = true;
  } else if (bytesEqualsAsciiNoCase(line, n0, nLen, "server_max_window_bits")) {
    if (!hasValue || h.deflateServerBits !== 0 || bits > h.deflateOfferBits) {
      return false;
    }
    h.deflateServerBits = bits;
  } else if (bytesEqualsAsciiNoCase(line, n0, nLen, "client_max_window_bits")) {
    if (!hasValue || h.deflateClientBits !== 0) {
      return false;
    }
    h.deflateClientBits = bits;
  } else {
    return false;
  }
  return true;
}
