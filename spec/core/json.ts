/**
 * A minimal JSON (RFC 8259) scanner over byte ranges: it validates and skips
 * values, finds object members and array elements, reads non-negative
 * integers, and decodes/encodes strings. It never builds a tree: Engine.IO
 * and Socket.IO only need a few fields out of each packet, and the rest is
 * handed to the plugin author as JSON text.
 *
 * Conventions: `end` is the exclusive end of the readable range; `cap` is the
 * exclusive upper bound of the indexes an encoder may write (usually the
 * output array's size). Bytes >= 0x80 inside strings are passed through as
 * they are: UTF-8 validity of the text is checked by the WebSocket layer.
 * Deliberate difference from JSON.parse: arrays/objects nested deeper than
 * JSON_MAX_DEPTH are refused.
 */

/** Deepest nesting of arrays and objects the scanner accepts. */
export const JSON_MAX_DEPTH = 64;

/** Kind of the JSON value that starts at a given offset. */
export const enum JsonType {
  Invalid = 0,
  Object = 1,
  Array = 2,
  String = 3,
  Number = 4,
  True = 5,
  False = 6,
  Null = 7,
}

/** True for the four JSON white-space bytes: space, tab, line feed, carriage return. */
export function jsonIsWs(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Index of the first non-white-space byte in buf[off..end), or end. */
export function jsonSkipWs(buf: Readonly<Uint8Array>, off: number, end: number): number {
  let i = off;
  while (i < end && jsonIsWs(buf[i])) {
    i++;
  }
  return i;
}

/** Value 0..15 of an ASCII hex digit, or -1. */
export function jsonHexValue(c: number): number {
  if (c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0)) {
    return c - "0".charCodeAt(0);
  }
  if (c >= "a".charCodeAt(0) && c <= "f".charCodeAt(0)) {
    return c - "a".charCodeAt(0) + 10;
  }
  if (c >= "A".charCodeAt(0) && c <= "F".charCodeAt(0)) {
    return c - "A".charCodeAt(0) + 10;
  }
  return -1;
}

/** The 16-bit value of the four hex digits at buf[off..off+4), or -1 when they are not all hex or run past end. */
function jsonHex4(buf: Readonly<Uint8Array>, off: number, end: number): number {
  if (off + 4 > end) {
    return -1;
  }
  let v = 0;
  for (let k = 0; k < 4; k++) {
    const h = jsonHexValue(buf[off + k]);
    if (h < 0) {
      return -1;
    }
    v = (v << 4) | h;
  }
  return v;
}

/**
 * Skips the JSON string whose opening quote is at buf[off]; returns the index
 * just after the closing quote, or -1 for a bad escape, a raw control byte
 * (< 0x20) or a string that is not closed before end.
 */
export function jsonSkipString(buf: Readonly<Uint8Array>, off: number, end: number): number {
  if (off >= end || buf[off] !== '"'.charCodeAt(0)) {
    return -1;
  }
  let i = off + 1;
  while (i < end) {
    const c = buf[i];
    if (c === '"'.charCodeAt(0)) {
      return i + 1;
    }
    if (c < 0x20) {
      return -1;
    }
    if (c === "\\".charCodeAt(0)) {
      if (i + 1 >= end) {
        return -1;
      }
      const e = buf[i + 1];
      if (e === "u".charCodeAt(0)) {
        if (jsonHex4(buf, i + 2, end) < 0) {
          return -1;
        }
        i += 6;
      } else if (
        e === '"'.charCodeAt(0) ||
        e === "\\".charCodeAt(0) ||
        e === "/".charCodeAt(0) ||
        e === "b".charCodeAt(0) ||
        e === "f".charCodeAt(0) ||
        e === "n".charCodeAt(0) ||
        e === "r".charCodeAt(0) ||
        e === "t".charCodeAt(0)
      ) {
        i += 2;
      } else {
        return -1;
      }
    } else {
      i++;
    }
  }
  return -1;
}

/** Index just after the ASCII digits that start at buf[off] (off itself when there are none). */
function jsonSkipDigits(buf: Readonly<Uint8Array>, off: number, end: number): number {
  let i = off;
  while (i < end && buf[i] >= "0".charCodeAt(0) && buf[i] <= "9".charCodeAt(0)) {
    i++;
  }
  return i;
}

/**
 * Skips the JSON number that starts at buf[off]
 * (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`); returns the index
 * just after it or -1. A following byte is not checked: "01" scans as "0".
 */
export function jsonSkipNumber(buf: Readonly<Uint8Array>, off: number, end: number): number {
  let i = off;
  if (i < end && buf[i] === "-".charCodeAt(0)) {
    i++;
  }
  if (i >= end) {
    return -1;
  }
  if (buf[i] === "0".charCodeAt(0)) {
    i++;
  } else if (buf[i] >= "1".charCodeAt(0) && buf[i] <= "9".charCodeAt(0)) {
    i = jsonSkipDigits(buf, i + 1, end);
  } else {
    return -1;
  }
  if (i < end && buf[i] === ".".charCodeAt(0)) {
    const d = jsonSkipDigits(buf, i + 1, end);
    if (d === i + 1) {
      return -1;
    }
    i = d;
  }
  if (i < end && (buf[i] === "e".charCodeAt(0) || buf[i] === "E".charCodeAt(0))) {
    i++;
    if (i < end && (buf[i] === "+".charCodeAt(0) || buf[i] === "-".charCodeAt(0))) {
      i++;
    }
    const d = jsonSkipDigits(buf, i, end);
    if (d === i) {
      return -1;
    }
    i = d;
  }
  return i;
}

/** Index just after the ASCII word `s` when buf[off..end) starts with it, else -1. */
function jsonSkipWord(buf: Readonly<Uint8Array>, off: number, end: number, s: string): number {
  const n = s.length;
  if (n > end - off) {
    return -1;
  }
  for (let k = 0; k < n; k++) {
    if (buf[off + k] !== s.charCodeAt(k)) {
      return -1;
    }
  }
  return off + n;
}

/**
 * Type of the value that starts at buf[off] after white space, judged by its
 * first byte only (the value itself is not validated).
 */
export function jsonValueType(buf: Readonly<Uint8Array>, off: number, end: number): number {
  const i = jsonSkipWs(buf, off, end);
  if (i >= end) {
    return JsonType.Invalid;
  }
  const c = buf[i];
  if (c === "{".charCodeAt(0)) {
    return JsonType.Object;
  }
  if (c === "[".charCodeAt(0)) {
    return JsonType.Array;
  }
  if (c === '"'.charCodeAt(0)) {
    return JsonType.String;
  }
  if (c === "-".charCodeAt(0) || (c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0))) {
    return JsonType.Number;
  }
  if (c === "t".charCodeAt(0)) {
    return JsonType.True;
  }
  if (c === "f".charCodeAt(0)) {
    return JsonType.False;
  }
  if (c === "n".charCodeAt(0)) {
    return JsonType.Null;
  }
  return JsonType.Invalid;
}

/** Skips one string, number or literal (true/false/null) at buf[off]; returns the index after it or -1. */
function jsonSkipScalar(buf: Readonly<Uint8Array>, off: number, end: number): number {
  const c = buf[off];
  if (c === '"'.charCodeAt(0)) {
    return jsonSkipString(buf, off, end);
  }
  if (c === "t".charCodeAt(0)) {
    return jsonSkipWord(buf, off, end, "true");
  }
  if (c === "f".charCodeAt(0)) {
    return jsonSkipWord(buf, off, end, "false");
  }
  if (c === "n".charCodeAt(0)) {
    return jsonSkipWord(buf, off, end, "null");
  }
  return jsonSkipNumber(buf, off, end);
}

/**
 * Skips an object key (a string), the white space around it and the colon;
 * returns the index after the colon or -1.
 */
function jsonSkipKeyColon(buf: Readonly<Uint8Array>, off: number, end: number): number {
  let i = jsonSkipWs(buf, off, end);
  i = jsonSkipString(buf, i, end);
  if (i < 0) {
    return -1;
  }
  i = jsonSkipWs(buf, i, end);
  if (i >= end || buf[i] !== ":".charCodeAt(0)) {
    return -1;
  }
  return i + 1;
}

/**
 * Validates and skips one complete JSON value that starts at buf[off] after
 * white space; returns the index just after it (trailing white space is not
 * skipped), or -1 when the value is invalid, truncated by end, or nested
 * deeper than JSON_MAX_DEPTH. Iterative: a small stack of bracket kinds
 * replaces recursion.
 */
export function jsonSkipValue(buf: Readonly<Uint8Array>, off: number, end: number): number {
  const stack = new Uint8Array(JSON_MAX_DEPTH);
  let depth = 0;
  let i = off;
  let done = false;
  while (!done) {
    i = jsonSkipWs(buf, i, end);
    if (i >= end) {
      return -1;
    }
    const c = buf[i];
    if (c === "{".charCodeAt(0) || c === "[".charCodeAt(0)) {
      if (depth >= JSON_MAX_DEPTH) {
        return -1;
      }
      const isObject = c === "{".charCodeAt(0);
      stack[depth] = isObject ? 1 : 0;
      depth++;
      i = jsonSkipWs(buf, i + 1, end);
      if (i >= end) {
        return -1;
      }
      if (buf[i] === (isObject ? "}".charCodeAt(0) : "]".charCodeAt(0))) {
        depth--;
        i++;
      } else if (isObject) {
        i = jsonSkipKeyColon(buf, i, end);
        if (i < 0) {
          return -1;
        }
        continue;
      } else {
        continue;
      }
    } else {
      i = jsonSkipScalar(buf, i, end);
      if (i < 0) {
        return -1;
      }
    }
    // A value just ended at i: close containers until one expects another value.
    let more = false;
    while (depth > 0) {
      i = jsonSkipWs(buf, i, end);
      if (i >= end) {
        return -1;
      }
      const d = buf[i];
      const inObject = stack[depth - 1] === 1;
      if (d === ",".charCodeAt(0)) {
        i++;
        if (inObject) {
          i = jsonSkipKeyColon(buf, i, end);
          if (i < 0) {
            return -1;
          }
        }
        more = true;
        break;
      }
      if (d !== (inObject ? "}".charCodeAt(0) : "]".charCodeAt(0))) {
        return -1;
      }
      depth--;
      i++;
    }
    done = !more;
  }
  return i;
}

/** True when buf[off..end) is exactly one valid JSON value with optional white space around it (what JSON.parse accepts). */
export function jsonIsValid(buf: Readonly<Uint8Array>, off: number, end: number): boolean {
  const i = jsonSkipValue(buf, off, end);
  if (i < 0) {
    return false;
  }
  return jsonSkipWs(buf, i, end) === end;
}

/**
 * Counts the values in buf[off..end) when it is a list of zero or more
 * comma-separated JSON values with optional white space (the inside of an
 * array, without brackets); returns -1 when it is not.
 */
export function jsonListCount(buf: Readonly<Uint8Array>, off: number, end: number): number {
  let i = jsonSkipWs(buf, off, end);
  if (i >= end) {
    return 0;
  }
  let n = 0;
  while (i < end) {
    i = jsonSkipValue(buf, i, end);
    if (i < 0) {
      return -1;
    }
    n++;
    i = jsonSkipWs(buf, i, end);
    if (i >= end) {
      return n;
    }
    if (buf[i] !== ",".charCodeAt(0)) {
      return -1;
    }
    i++;
  }
  // A trailing comma.
  return -1;
}

/**
 * Finds the member `key` of the object that starts at buf[objOff] after white
 * space; returns the index where its value starts, or -1 when the key is
 * absent or the object is invalid (the whole object is validated). Keys are
 * compared as raw bytes between the quotes, without unescaping: a key written
 * with escapes (e.g. "\u0073id") does not match "sid". JSON.stringify only
 * escapes quotes, backslashes and control characters, so the ASCII keys of
 * Engine.IO/Socket.IO always match. With duplicate keys the last one wins,
 * as in JSON.parse.
 */
export function jsonFindKey(buf: Readonly<Uint8Array>, objOff: number, end: number, key: string): number {
  let i = jsonSkipWs(buf, objOff, end);
  if (i >= end || buf[i] !== "{".charCodeAt(0)) {
    return -1;
  }
  i = jsonSkipWs(buf, i + 1, end);
  if (i >= end) {
    return -1;
  }
  if (buf[i] === "}".charCodeAt(0)) {
    return -1;
  }
  const keyLen = key.length;
  let found = -1;
  while (i < end) {
    const ks = i;
    i = jsonSkipString(buf, i, end);
    if (i < 0) {
      return -1;
    }
    let match = i - ks - 2 === keyLen;
    for (let k = 0; match && k < keyLen; k++) {
      if (buf[ks + 1 + k] !== key.charCodeAt(k)) {
        match = false;
      }
    }
    i = jsonSkipWs(buf, i, end);
    if (i >= end || buf[i] !== ":".charCodeAt(0)) {
      return -1;
    }
    const vs = jsonSkipWs(buf, i + 1, end);
    i = jsonSkipValue(buf, vs, end);
    if (i < 0) {
      return -1;
    }
    if (match) {
      found = vs;
    }
    i = jsonSkipWs(buf, i, end);
    if (i >= end) {
      return -1;
    }
    if (buf[i] === "}".charCodeAt(0)) {
      return found;
    }
    if (buf[i] !== ",".charCodeAt(0)) {
      return -1;
    }
    i = jsonSkipWs(buf, i + 1, end);
  }
  return -1;
}

/**
 * Finds element `index` (from 0) of the array that starts at buf[arrOff]
 * after white space; returns the index where it starts, or -1 when the array
 * is shorter, invalid (the whole array is validated) or not an array.
 */
export function jsonArrayElement(buf: Readonly<Uint8Array>, arrOff: number, end: number, index: number): number {
  let i = jsonSkipWs(buf, arrOff, end);
  if (i >= end || buf[i] !== "[".charCodeAt(0)) {
    return -1;
  }
  i = jsonSkipWs(buf, i + 1, end);
  if (i >= end) {
    return -1;
  }
  if (buf[i] === "]".charCodeAt(0)) {
    return -1;
  }
  let found = -1;
  let n = 0;
  while (i < end) {
    if (n === index) {
      found = i;
    }
    i = jsonSkipValue(buf, i, end);
    if (i < 0) {
      return -1;
    }
    n++;
    i = jsonSkipWs(buf, i, end);
    if (i >= end) {
      return -1;
    }
    if (buf[i] === "]".charCodeAt(0)) {
      return found;
    }
    if (buf[i] !== ",".charCodeAt(0)) {
      return -1;
    }
    i = jsonSkipWs(buf, i + 1, end);
  }
  return -1;
}

/**
 * Reads the JSON number at buf[off] (after white space) when it is a
 * non-negative integer written without fraction or exponent and below 2^31
 * (pingInterval, pingTimeout, maxPayload); returns it, or -1 for anything
 * else (negative, fractional, exponent, too large, not a number).
 */
export function jsonParseInt(buf: Readonly<Uint8Array>, off: number, end: number): number {
  const i = jsonSkipWs(buf, off, end);
  const e = jsonSkipNumber(buf, i, end);
  if (e < 0 || buf[i] === "-".charCodeAt(0)) {
    return -1;
  }
  let v = 0;
  for (let k = i; k < e; k++) {
    const c = buf[k];
    if (c < "0".charCodeAt(0) || c > "9".charCodeAt(0)) {
      return -1;
    }
    const d = c - "0".charCodeAt(0);
    if (v > (((0x7fffffff - d) / 10) | 0)) {
      return -1;
    }
    v = v * 10 + d;
  }
  return v;
}

/** Writes code point cp as UTF-8 at out[o..]; returns the new offset or -1 when it does not fit below cap. */
function jsonPutUtf8(out: Uint8Array, o: number, cap: number, cp: number): number {
  if (cp < 0x80) {
    if (o + 1 > cap) {
      return -1;
    }
    out[o] = cp;
    return o + 1;
  }
  if (cp < 0x800) {
    if (o + 2 > cap) {
      return -1;
    }
    out[o] = 0xc0 | (cp >> 6);
    out[o + 1] = 0x80 | (cp & 0x3f);
    return o + 2;
  }
  if (cp < 0x10000) {
    if (o + 3 > cap) {
      return -1;
    }
    out[o] = 0xe0 | (cp >> 12);
    out[o + 1] = 0x80 | ((cp >> 6) & 0x3f);
    out[o + 2] = 0x80 | (cp & 0x3f);
    return o + 3;
  }
  if (o + 4 > cap) {
    return -1;
  }
  out[o] = 0xf0 | (cp >> 18);
  out[o + 1] = 0x80 | ((cp >> 12) & 0x3f);
  out[o + 2] = 0x80 | ((cp >> 6) & 0x3f);
  out[o + 3] = 0x80 | (cp & 0x3f);
  return o + 4;
}

/**
 * Decodes the JSON string at buf[off] (after white space) into UTF-8 bytes
 * at out[outOff..cap); returns the number of bytes written, or -1 when the
 * string is invalid or does not fit. No NUL terminator is written (the
 * string may itself contain "\u0000"). Escaped surrogate pairs become one
 * 4-byte sequence; a lone escaped surrogate becomes U+FFFD (EF BF BD), which
 * is what Node's UTF-8 encoder makes of the string JSON.parse returns.
 */
export function jsonStringDecode(
  buf: Readonly<Uint8Array>,
  off: number,
  end: number,
  out: Uint8Array,
  outOff: number,
  cap: number,
): number {
  let i = jsonSkipWs(buf, off, end);
  if (i >= end || buf[i] !== '"'.charCodeAt(0)) {
    return -1;
  }
  i++;
  let o = outOff;
  while (i < end) {
    const c = buf[i];
    if (c === '"'.charCodeAt(0)) {
      return o - outOff;
    }
    if (c < 0x20) {
      return -1;
    }
    if (c !== "\\".charCodeAt(0)) {
      if (o >= cap) {
        return -1;
      }
      out[o] = c;
      o++;
      i++;
      continue;
    }
    if (i + 1 >= end) {
      return -1;
    }
    const e = buf[i + 1];
    let cp = -1;
    switch (e) {
      case 34: // "
      case 47: // /
      case 92: // backslash
        cp = e;
        break;
      case 98: // b
        cp = 8;
        break;
      case 102: // f
        cp = 12;
        break;
      case 110: // n
        cp = 10;
        break;
      case 114: // r
        cp = 13;
        break;
      case 116: // t
        cp = 9;
        break;
      case 117: // u
        cp = jsonHex4(buf, i + 2, end);
        break;
      default:
        return -1;
    }
    if (cp < 0) {
      return -1;
    }
    if (e !== "u".charCodeAt(0)) {
      i += 2;
    } else {
      i += 6;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        // A high surrogate pairs with an immediately following escaped low surrogate.
        let low = -1;
        if (i + 1 < end && buf[i] === "\\".charCodeAt(0) && buf[i + 1] === "u".charCodeAt(0)) {
          low = jsonHex4(buf, i + 2, end);
        }
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = (0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00)) | 0;
          i += 6;
        } else {
          cp = 0xfffd;
        }
      } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        cp = 0xfffd;
      }
    }
    o = jsonPutUtf8(out, o, cap, cp);
    if (o < 0) {
      return -1;
    }
  }
  // Not closed before end.
  return -1;
}

/** Lower-case ASCII hex digit of the value 0..15. */
function jsonHexDigit(v: number): number {
  if (v < 10) {
    return "0".charCodeAt(0) + v;
  }
  return "a".charCodeAt(0) + v - 10;
}

/**
 * Writes src[sOff..sOff+sLen) as a quoted JSON string at out[outOff..cap),
 * escaping exactly as JSON.stringify does: \" \\ \b \f \n \r \t and the other
 * bytes below 0x20 as \u00xx; every other byte (UTF-8 included) is copied.
 * Returns the offset just after the closing quote, or -1 when it does not fit.
 */
export function jsonStringEncode(
  src: Readonly<Uint8Array>,
  sOff: number,
  sLen: number,
  out: Uint8Array,
  outOff: number,
  cap: number,
): number {
  let o = outOff;
  if (o < 0 || o >= cap) {
    return -1;
  }
  out[o] = '"'.charCodeAt(0);
  o++;
  for (let k = 0; k < sLen; k++) {
    const c = src[sOff + k];
    let esc = 0;
    switch (c) {
      case 34: // "
      case 92: // backslash
        esc = c;
        break;
      case 8:
        esc = "b".charCodeAt(0);
        break;
      case 12:
        esc = "f".charCodeAt(0);
        break;
      case 10:
        esc = "n".charCodeAt(0);
        break;
      case 13:
        esc = "r".charCodeAt(0);
        break;
      case 9:
        esc = "t".charCodeAt(0);
        break;
      default:
        if (c < 0x20) {
          esc = "u".charCodeAt(0);
        }
        break;
    }
    if (esc === 0) {
      if (o >= cap) {
        return -1;
      }
      out[o] = c;
      o++;
    } else if (esc !== "u".charCodeAt(0)) {
      if (o + 2 > cap) {
        return -1;
      }
      out[o] = "\\".charCodeAt(0);
      out[o + 1] = esc;
      o += 2;
    } else {
      if (o + 6 > cap) {
        return -1;
      }
      out[o] = "\\".charCodeAt(0);
      out[o + 1] = "u".charCodeAt(0);
      out[o + 2] = "0".charCodeAt(0);
      out[o + 3] = "0".charCodeAt(0);
      out[o + 4] = jsonHexDigit(c >> 4);
      out[o + 5] = jsonHexDigit(c & 15);
      o += 6;
    }
  }
  if (o >= cap) {
    return -1;
  }
  out[o] = '"'.charCodeAt(0);
  return o + 1;
}
