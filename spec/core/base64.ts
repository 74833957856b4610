/**
 * Base64 (RFC 4648 §4, with padding) encode and decode over byte ranges.
 */

/** Bytes needed to base64-encode `len` bytes. */
export function base64EncodedLength(len: number): number {
  return (((len + 2) / 3) | 0) * 4;
}

/** The base64 character of the 6-bit value v. @spgen table 64: four calls per 3 input bytes otherwise. */
function base64Char(v: number): number {
  if (v < 26) {
    return "A".charCodeAt(0) + v;
  }
  if (v < 52) {
    return "a".charCodeAt(0) + v - 26;
  }
  if (v < 62) {
    return "0".charCodeAt(0) + v - 52;
  }
  if (v === 62) {
    return "+".charCodeAt(0);
  }
  return "/".charCodeAt(0);
}

/** Value 0..63 of a base64 character, or -1. @spgen table 256: one read per character instead of five range tests. */
function base64Value(c: number): number {
  if (c >= "A".charCodeAt(0) && c <= "Z".charCodeAt(0)) {
    return c - "A".charCodeAt(0);
  }
  if (c >= "a".charCodeAt(0) && c <= "z".charCodeAt(0)) {
    return c - "a".charCodeAt(0) + 26;
  }
  if (c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0)) {
    return c - "0".charCodeAt(0) + 52;
  }
  if (c === "+".charCodeAt(0)) {
    return 62;
  }
  if (c === "/".charCodeAt(0)) {
    return 63;
  }
  return -1;
}

/** Encodes src[off..off+len) into out[outOff..]; returns the number of bytes written. */
export function base64Encode(
  src: Readonly<Uint8Array>,
  off: number,
  len: number,
  out: Uint8Array,
  outOff: number,
): number {
  // Group g: 3 bytes from src[off + 3g], 4 characters to out[outOff + 4g].
  const groups = (len / 3) | 0;
  // @spgen unroll 16 4 outline
  for (let g = 0; g < groups; g++) {
    const v = (src[off + 3 * g] << 16) | (src[off + 3 * g + 1] << 8) | src[off + 3 * g + 2];
    out[outOff + 4 * g] = base64Char((v >> 18) & 63);
    out[outOff + 4 * g + 1] = base64Char((v >> 12) & 63);
    out[outOff + 4 * g + 2] = base64Char((v >> 6) & 63);
    out[outOff + 4 * g + 3] = base64Char(v & 63);
  }
  const i = groups * 3;
  let o = outOff + groups * 4;
  const rest = len - i;
  if (rest === 1) {
    const v = src[off + i] << 16;
    out[o] = base64Char((v >> 18) & 63);
    out[o + 1] = base64Char((v >> 12) & 63);
    out[o + 2] = "=".charCodeAt(0);
    out[o + 3] = "=".charCodeAt(0);
    o += 4;
  } else if (rest === 2) {
    const v = (src[off + i] << 16) | (src[off + i + 1] << 8);
    out[o] = base64Char((v >> 18) & 63);
    out[o + 1] = base64Char((v >> 12) & 63);
    out[o + 2] = base64Char((v >> 6) & 63);
    out[o + 3] = "=".charCodeAt(0);
    o += 4;
  }
  return o - outOff;
}

/**
 * Decodes canonical padded base64 src[off..off+len) into out[outOff..];
 * returns the number of bytes written, or -1 for a length that is not a
 * multiple of 4, a bad character, misplaced padding or non-zero pad bits.
 */
export function base64Decode(
  src: Readonly<Uint8Array>,
  off: number,
  len: number,
  out: Uint8Array,
  outOff: number,
): number {
  if (len % 4 !== 0) {
    return -1;
  }
  let o = outOff;
  for (let i = 0; i < len; i += 4) {
    const last = i + 4 === len;
    const a = base64Value(src[off + i]);
    const b = base64Value(src[off + i + 1]);
    if (a < 0 || b < 0) {
      return -1;
    }
    const pad3 = src[off + i + 2] === "=".charCodeAt(0);
    const pad4 = src[off + i + 3] === "=".charCodeAt(0);
    if ((pad3 || pad4) && !last) {
      return -1;
    }
    if (pad3 && !pad4) {
      return -1;
    }
    const c = pad3 ? 0 : base64Value(src[off + i + 2]);
    const d = pad4 ? 0 : base64Value(src[off + i + 3]);
    if (c < 0 || d < 0) {
      return -1;
    }
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = v >> 16;
    o++;
    if (pad3) {
      if ((v & 0xffff) !== 0) {
        return -1;
      }
    } else {
      out[o] = v >> 8;
      o++;
      if (pad4) {
        if ((v & 0xff) !== 0) {
          return -1;
        }
      } else {
        out[o] = v;
        o++;
      }
    }
  }
  return o - outOff;
}
