/**
 * WebSocket URL parsing (RFC 6455 §3): `ws://host[:port][/path][?query]`,
 * `wss://…`, with `http://`/`https://` accepted as aliases because Socket.IO
 * users are used to writing their backend's http URL. Hosts are names, IPv4
 * addresses or bracketed IPv6 addresses. The parsed host and resource are
 * copied into the record, so the caller's buffer may be reused.
 */

import { asciiLower, bytesEqualsAsciiNoCase, bytesPutAscii, bytesPutUint, isDigit } from "./bytes.js";

/** Longest URL (or separate path) accepted, in bytes. */
export const URL_MAX_LENGTH = 2048;

/** Longest host name (DNS limit) plus room for an IPv6 literal. */
export const URL_MAX_HOST = 255;

/** Why a URL was refused. */
export const enum UrlError {
  None = 0,
  NoScheme = 1,
  UnknownScheme = 2,
  EmptyHost = 3,
  BadPort = 4,
  TooLong = 5,
  BadHost = 6,
  BadPath = 7,
  Fragment = 8,
}

/** A parsed WebSocket URL; `resource` is the request target (path and query) sent in the GET line. */
export class ParsedUrl {
  secure = false;
  host = new Uint8Array(URL_MAX_HOST);
  hostLen = 0;
  /** True when the host was a bracketed IPv6 literal (host holds it without brackets). */
  ipv6 = false;
  port = 0;
  /** True when the URL named a port, even the default one. */
  explicitPort = false;
  resource = new Uint8Array(URL_MAX_LENGTH);
  resourceLen = 0;
}

/** Characters allowed in a registered host name or IPv4 address (RFC 3986 reg-name, without percent-encoding). */
function isHostChar(c: number): boolean {
  if (c >= "a".charCodeAt(0) && c <= "z".charCodeAt(0)) {
    return true;
  }
  if (c >= "A".charCodeAt(0) && c <= "Z".charCodeAt(0)) {
    return true;
  }
  return (
    isDigit(c) ||
    c === "-".charCodeAt(0) ||
    c === ".".charCodeAt(0) ||
    c === "_".charCodeAt(0) ||
    c === "~".charCodeAt(0)
  );
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || (asciiLower(c) >= "a".charCodeAt(0) && asciiLower(c) <= "f".charCodeAt(0));
}

/** Printable ASCII other than space: what a request target may hold (no control bytes, no non-ASCII). */
function isResourceChar(c: number): boolean {
  return c > 32 && c < 127;
}

/**
 * Parses url[off..off+len) into `u`. Returns UrlError.None or the reason.
 * The resource defaults to "/" when the URL has no path.
 */
export function urlParse(u: ParsedUrl, url: Readonly<Uint8Array>, off: number, len: number): number {
  u.secure = false;
  u.hostLen = 0;
  u.ipv6 = false;
  u.port = 0;
  u.explicitPort = false;
  u.resourceLen = 0;
  if (len > URL_MAX_LENGTH) {
    return UrlError.TooLong;
  }
  const end = off + len;
  let i = off;
  while (i < end && url[i] !== ":".charCodeAt(0)) {
    i++;
  }
  if (i + 2 >= end || url[i + 1] !== "/".charCodeAt(0) || url[i + 2] !== "/".charCodeAt(0) || i === off) {
    return UrlError.NoScheme;
  }
  const schemeLen = i - off;
  if (bytesEqualsAsciiNoCase(url, off, schemeLen, "ws") || bytesEqualsAsciiNoCase(url, off, schemeLen, "http")) {
    u.secure = false;
    u.port = 80;
  } else if (
    bytesEqualsAsciiNoCase(url, off, schemeLen, "wss") ||
    bytesEqualsAsciiNoCase(url, off, schemeLen, "https")
  ) {
    u.secure = true;
    u.port = 443;
  } else {
    return UrlError.UnknownScheme;
  }
  i = urlParseHostPort(u, url, i + 3, end);
  if (i < 0) {
    return -i;
  }
  return urlSetResource(u, url, i, end - i);
}

/**
 * Parses the authority `host[:port]` of url[from..end) into u (host, ipv6,
 * port, explicitPort; u.port keeps its default when no port is given): a
 * bracketed IPv6 literal or a name/IPv4 (lowercased), then an optional
 * port 1..65535. It stops at the first "/", "?" or "#" after it. Returns
 * the index where it stopped, or -UrlError (a negative number) when the
 * authority is malformed. Shared by urlParse and the TLS tunnel table.
 */
export function urlParseHostPort(u: ParsedUrl, url: Readonly<Uint8Array>, from: number, end: number): number {
  let i = from;
  u.hostLen = 0;
  u.ipv6 = false;
  u.explicitPort = false;
  // Host: a bracketed IPv6 literal or a run of host characters.
  if (i < end && url[i] === "[".charCodeAt(0)) {
    i++;
    const start = i;
    while (i < end && url[i] !== "]".charCodeAt(0)) {
      const c = url[i];
      if (!isHexDigit(c) && c !== ":".charCodeAt(0) && c !== ".".charCodeAt(0)) {
        return -UrlError.BadHost;
      }
      i++;
    }
    if (i >= end) {
      return -UrlError.BadHost;
    }
    if (i === start) {
      return -UrlError.EmptyHost;
    }
    if (i - start > URL_MAX_HOST) {
      return -UrlError.TooLong;
    }
    u.ipv6 = true;
    for (let k = start; k < i; k++) {
      u.host[u.hostLen] = url[k];
      u.hostLen++;
    }
    i++;
  } else {
    const start = i;
    while (
      i < end &&
      url[i] !== ":".charCodeAt(0) &&
      url[i] !== "/".charCodeAt(0) &&
      url[i] !== "?".charCodeAt(0) &&
      url[i] !== "#".charCodeAt(0)
    ) {
      if (!isHostChar(url[i])) {
        return -UrlError.BadHost;
      }
      i++;
    }
    if (i === start) {
      return -UrlError.EmptyHost;
    }
    if (i - start > URL_MAX_HOST) {
      return -UrlError.TooLong;
    }
    for (let k = start; k < i; k++) {
      u.host[u.hostLen] = asciiLower(url[k]);
      u.hostLen++;
    }
  }
  // Optional port.
  if (i < end && url[i] === ":".charCodeAt(0)) {
    i++;
    const start = i;
    let port = 0;
    while (i < end && isDigit(url[i])) {
      if (i - start >= 5) {
        return -UrlError.BadPort;
      }
      port = port * 10 + (url[i] - "0".charCodeAt(0));
      i++;
    }
    if (i === start || port === 0 || port > 65535) {
      return -UrlError.BadPort;
    }
    if (i < end && url[i] !== "/".charCodeAt(0) && url[i] !== "?".charCodeAt(0) && url[i] !== "#".charCodeAt(0)) {
      return -UrlError.BadPort;
    }
    u.port = port;
    u.explicitPort = true;
  } else if (i < end && url[i] !== "/".charCodeAt(0) && url[i] !== "?".charCodeAt(0) && url[i] !== "#".charCodeAt(0)) {
    return -UrlError.BadHost;
  }
  return i;
}

/**
 * Sets the request target from path[off..off+len) (path and optional query).
 * An empty path means "/"; a path that starts with "?" gets "/" in front,
 * and one that starts with neither "/" nor "?" too. Fragments are refused
 * (RFC 6455 §3: they must not be used in WebSocket URIs).
 */
export function urlSetResource(u: ParsedUrl, path: Readonly<Uint8Array>, off: number, len: number): number {
  u.resourceLen = 0;
  if (len + 1 > URL_MAX_LENGTH) {
    return UrlError.TooLong;
  }
  if (len === 0 || path[off] !== "/".charCodeAt(0)) {
    u.resource[0] = "/".charCodeAt(0);
    u.resourceLen = 1;
  }
  for (let k = 0; k < len; k++) {
    const c = path[off + k];
    if (c === "#".charCodeAt(0)) {
      u.resourceLen = 0;
      return UrlError.Fragment;
    }
    if (!isResourceChar(c)) {
      u.resourceLen = 0;
      return UrlError.BadPath;
    }
    u.resource[u.resourceLen] = c;
    u.resourceLen++;
  }
  return UrlError.None;
}

/**
 * The seed API's form `Websocket_Connect(url, path, …)`: parses the URL and,
 * when `path` is not empty, lets it replace the URL's own path and query.
 */
export function urlParseWithPath(
  u: ParsedUrl,
  url: Readonly<Uint8Array>,
  off: number,
  len: number,
  path: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
): number {
  const err = urlParse(u, url, off, len);
  if (err !== UrlError.None || pLen === 0) {
    return err;
  }
  return urlSetResource(u, path, pOff, pLen);
}

/**
 * Writes the text the plugin reports for a UrlError at out[off..cap) ("empty host", "bad port",
 * ...; "error N" for a code it does not know); returns the offset after it, or -1 when it does
 * not fit.
 */
export function urlErrorText(err: number, out: Uint8Array, off: number, cap: number): number {
  switch (err) {
    case UrlError.NoScheme:
      return bytesPutAscii(out, off, cap, "no scheme (expected ws://, wss://, http:// or https://)");
    case UrlError.UnknownScheme:
      return bytesPutAscii(out, off, cap, "unknown scheme (expected ws://, wss://, http:// or https://)");
    case UrlError.EmptyHost:
      return bytesPutAscii(out, off, cap, "empty host");
    case UrlError.BadPort:
      return bytesPutAscii(out, off, cap, "bad port");
    case UrlError.TooLong:
      return bytesPutAscii(out, off, cap, "too long");
    case UrlError.BadHost:
      return bytesPutAscii(out, off, cap, "bad host");
    case UrlError.BadPath:
      return bytesPutAscii(out, off, cap, "bad path (spaces, control or non-ASCII characters)");
    case UrlError.Fragment:
      return bytesPutAscii(out, off, cap, "fragment (#) not allowed");
    default:
      return bytesPutUint(out, bytesPutAscii(out, off, cap, "error "), cap, err < 0 ? 0 : err);
  }
}
