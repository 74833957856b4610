/**
 * wss:// through a TLS tunnel: the server operator runs a TLS client beside
 * srcds (stunnel, in client mode, verifying the server's certificate) that
 * listens in plain TCP and forwards to the real origin over TLS. The plugin
 * then connects to the tunnel in plain TCP and speaks the WebSocket protocol
 * as for the origin itself: the request keeps the URL's Host (and Origin),
 * only the TCP destination changes. RFC 6455 leaves the TLS layer to the
 * client (section 4.1, step 5: "perform a TLS handshake"); here a separate
 * process performs it.
 *
 * The table is the operator's text (the sm_websocket_tls_tunnels console
 * variable), entries separated by white space, "," or ";", each
 * `origin=tunnel`: origin is `host[:port]` as in a wss:// or https:// URL
 * (port 443 when absent), tunnel is `host:port` of the tunnel's plain side,
 * e.g. `chat.example.org:8080=127.0.0.1:8443 api.example.org=127.0.0.1:8444`.
 * Host names compare case-insensitively (urlParseHostPort lowercases them).
 */

import { bytesEqual } from "./bytes.js";
import { ParsedUrl, urlParseHostPort } from "./url.js";

/** Port of an origin written without one: the wss:// default. */
export const TUNNEL_DEFAULT_ORIGIN_PORT = 443;

/** Longest tunnel table accepted, in bytes. */
export const TUNNEL_MAX_TABLE = 1024;

/** What tunnelFind found. */
export const enum TunnelResult {
  /** No entry names the origin: connect as usual. */
  None = 0,
  /** `target` holds the tunnel's host and port. */
  Found = 1,
  /** An entry is malformed (see tunnelTableError); nothing is connected. */
  Malformed = 2,
}

/** True for the bytes that separate entries: white space, "," and ";". */
function tunnelSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === ",".charCodeAt(0) || c === ";".charCodeAt(0);
}

/** Index of the first entry at or after `from` (past separators), or `end`. */
function tunnelEntryStart(table: Readonly<Uint8Array>, from: number, end: number): number {
  let i = from;
  while (i < end && tunnelSeparator(table[i])) {
    i++;
  }
  return i;
}

/** Index of the end of the entry that starts at `from` (the next separator or `end`). */
function tunnelEntryEnd(table: Readonly<Uint8Array>, from: number, end: number): number {
  let i = from;
  while (i < end && !tunnelSeparator(table[i])) {
    i++;
  }
  return i;
}

/**
 * Parses the entry table[from..to) into its origin (`origin`, port 443 when
 * absent) and tunnel (`target`, port required). Returns false when it is
 * not `host[:port]=host:port`.
 */
function tunnelParseEntry(
  table: Readonly<Uint8Array>,
  from: number,
  to: number,
  origin: ParsedUrl,
  target: ParsedUrl,
): boolean {
  let eq = from;
  while (eq < to && table[eq] !== "=".charCodeAt(0)) {
    eq++;
  }
  if (eq === from || eq >= to - 1) {
    return false;
  }
  origin.port = TUNNEL_DEFAULT_ORIGIN_PORT;
  if (urlParseHostPort(origin, table, from, eq) !== eq) {
    return false;
  }
  target.port = 0;
  return urlParseHostPort(target, table, eq + 1, to) === to && target.explicitPort;
}

/**
 * Offset of the first malformed entry of table[off..off+len), or -1 when
 * every entry is well formed (an empty table is). `origin` and `target` are
 * scratch records.
 */
export function tunnelTableError(
  table: Readonly<Uint8Array>,
  off: number,
  len: number,
  origin: ParsedUrl,
  target: ParsedUrl,
): number {
  const end = off + len;
  for (let i = tunnelEntryStart(table, off, end); i < end;) {
    const to = tunnelEntryEnd(table, i, end);
    if (!tunnelParseEntry(table, i, to, origin, target)) {
      return i - off;
    }
    i = tunnelEntryStart(table, to, end);
  }
  return -1;
}

/**
 * Looks up the origin of the parsed URL `u` (its host and port) in the
 * table table[off..off+len). Found: `target` holds the tunnel's host and
 * port. Malformed: some entry is not `host[:port]=host:port`, and no
 * connection should be made (a typo must not send a wss:// URL anywhere in
 * plain text). `scratch` is a work record.
 */
export function tunnelFind(
  table: Readonly<Uint8Array>,
  off: number,
  len: number,
  u: Readonly<ParsedUrl>,
  scratch: ParsedUrl,
  target: ParsedUrl,
): number {
  if (tunnelTableError(table, off, len, scratch, target) >= 0) {
    return TunnelResult.Malformed;
  }
  const end = off + len;
  for (let i = tunnelEntryStart(table, off, end); i < end;) {
    const to = tunnelEntryEnd(table, i, end);
    tunnelParseEntry(table, i, to, scratch, target);
    if (
      scratch.port === u.port &&
      scratch.hostLen === u.hostLen &&
      scratch.ipv6 === u.ipv6 &&
      bytesEqual(scratch.host, 0, u.host, 0, u.hostLen)
    ) {
      return TunnelResult.Found;
    }
    i = tunnelEntryStart(table, to, end);
  }
  return TunnelResult.None;
}
