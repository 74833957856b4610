/**
 * WebSocket close status codes (RFC 6455 §7.4 and the IANA "WebSocket Close
 * Code Number" registry) and the close frame payload (§5.5.1).
 */

import { utf8IsValid } from "./utf8.js";

/** Close status codes the client uses or reports. */
export const enum CloseCode {
  /** Normal closure: the purpose of the connection is fulfilled. */
  Normal = 1000,
  /** The endpoint is going away (server shutdown, plugin unload, map change). */
  GoingAway = 1001,
  /** The peer broke the protocol (bad framing, reserved bits or opcodes, ...). */
  ProtocolError = 1002,
  /** A data type the endpoint cannot accept. */
  Unsupported = 1003,
  /** Reported locally when a close frame carried no status code; never on the wire. */
  NoStatus = 1005,
  /** Reported locally when the connection dropped without a close frame; never on the wire. */
  Abnormal = 1006,
  /** A text message or close reason was not valid UTF-8. */
  InvalidPayload = 1007,
  /** A message violated the endpoint's policy. */
  PolicyViolation = 1008,
  /** A message was larger than the endpoint accepts. */
  TooBig = 1009,
  /** The client expected an extension the server did not negotiate. */
  MandatoryExtension = 1010,
  /** The server hit an unexpected condition. */
  InternalError = 1011,
  /** The server is restarting (IANA registry). */
  ServiceRestart = 1012,
  /** The server is overloaded for now (IANA registry). */
  TryAgainLater = 1013,
  /** A gateway got an invalid answer from the server behind it (IANA registry). */
  BadGateway = 1014,
  /** Reported locally when the TLS handshake failed; never on the wire. */
  TlsFailure = 1015,
}

/**
 * True when a server that closed with `code` asks, in effect, to be tried
 * again later: it went away or restarts, or failed for a while (1001,
 * 1011-1014). After any other code it closed on purpose (1000, 1005 without
 * a code, the policy and protocol codes 1002-1010, application codes
 * 3000-4999), and a reconnect would be refused again.
 */
export function closeCodeInvitesReconnect(code: number): boolean {
  return code === CloseCode.GoingAway || (code >= CloseCode.InternalError && code <= CloseCode.BadGateway);
}

/** Longest close reason: a control payload holds at most 125 bytes, 2 of them for the code. */
export const MAX_CLOSE_REASON = 123;

/**
 * True when `code` may appear in a close frame, sent or received.
 *
 * Valid: 1000-1003 and 1007-1011 (RFC 6455 §7.4.1); 1012 (Service Restart),
 * 1013 (Try Again Later) and 1014 (Bad Gateway), which fall in the range §7.4.2
 * reserves for the protocol but which IANA has registered since, so real servers
 * send them (the `ws` library and the Autobahn test suite accept them too);
 * 3000-3999 (registered by libraries and frameworks) and 4000-4999 (private use).
 *
 * Invalid: below 1000 (unused), 1004 (reserved), 1005, 1006 and 1015 (reserved
 * for local reporting, "MUST NOT be set as a status code in a Close control
 * frame"), 1016-2999 (reserved for future revisions and extensions, nothing
 * registered), 5000 and above (not defined). Receiving one fails the
 * connection with 1002.
 */
export function closeCodeValidOnWire(code: number): boolean {
  if (code >= 1000 && code <= 1003) {
    return true;
  }
  if (code >= 1007 && code <= 1014) {
    return true;
  }
  return code >= 3000 && code <= 4999;
}

/**
 * Writes a close frame payload at out[off..]: the 2-byte big-endian `code`
 * followed by the reason bytes reason[rOff..rOff+rLen). Returns the payload
 * length (2 + rLen), or -1 when the reason is longer than MAX_CLOSE_REASON
 * (it is never truncated, since that could cut a code point in half), when the
 * reason is not valid UTF-8 (§5.5.1) or when the code may not be sent
 * (closeCodeValidOnWire). A close frame without any payload needs no call.
 */
export function closePayloadBuild(
  out: Uint8Array,
  off: number,
  code: number,
  reason: Readonly<Uint8Array>,
  rOff: number,
  rLen: number,
): number {
  if (rLen < 0 || rLen > MAX_CLOSE_REASON) {
    return -1;
  }
  if (!closeCodeValidOnWire(code)) {
    return -1;
  }
  if (!utf8IsValid(reason, rOff, rLen)) {
    return -1;
  }
  out[off] = code >> 8;
  out[off + 1] = code;
  for (let i = 0; i < rLen; i++) {
    out[off + 2 + i] = reason[rOff + i];
  }
  return 2 + rLen;
}
