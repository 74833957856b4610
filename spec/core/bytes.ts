/**
 * Byte-array helpers shared by every other core module.
 * Everything works on (array, offset, length) triples because SourcePawn
 * arrays do not know their length when passed as parameters.
 */

/** Copies `len` bytes from `src[srcOff..]` to `dst[dstOff..]`; returns dstOff + len. */
export function bytesCopy(
  dst: Uint8Array,
  dstOff: number,
  src: Readonly<Uint8Array>,
  srcOff: number,
  len: number,
): number {
  // @spgen unroll 16 4 outline
  for (let i = 0; i < len; i++) {
    dst[dstOff + i] = src[srcOff + i];
  }
  return dstOff + len;
}

/** Writes the ASCII text `s` at `dst[off..]`; returns the offset after it, or -1 when it does not fit in `cap`. */
export function bytesPutAscii(dst: Uint8Array, off: number, cap: number, s: string): number {
  const n = s.length;
  if (off < 0 || n > cap - off) {
    return -1;
  }
  // @spgen unroll 16 4 outline
  for (let i = 0; i < n; i++) {
    dst[off + i] = s.charCodeAt(i);
  }
  return off + n;
}

/** Writes bytes `src[srcOff..srcOff+len)` at `dst[off..]`; returns the new offset or -1 when they do not fit in `cap`. */
export function bytesPut(
  dst: Uint8Array,
  off: number,
  cap: number,
  src: Readonly<Uint8Array>,
  srcOff: number,
  len: number,
): number {
  if (off < 0 || len > cap - off) {
    return -1;
  }
  return bytesCopy(dst, off, src, srcOff, len);
}

/** Writes the decimal form of a non-negative int at `dst[off..]`; returns the new offset or -1 when it does not fit. */
export function bytesPutUint(dst: Uint8Array, off: number, cap: number, value: number): number {
  if (off < 0 || value < 0) {
    return -1;
  }
  let digits = 1;
  let rest = (value / 10) | 0;
  while (rest > 0) {
    digits++;
    rest = (rest / 10) | 0;
  }
  if (digits > cap - off) {
    return -1;
  }
  let v = value;
  for (let i = digits - 1; i >= 0; i--) {
    dst[off + i] = "0".charCodeAt(0) + (v % 10);
    v = (v / 10) | 0;
  }
  return off + digits;
}

/** ASCII lower case of one byte; other bytes unchanged. */
export function asciiLower(c: number): number {
  if (c >= "A".charCodeAt(0) && c <= "Z".charCodeAt(0)) {
    return c + 32;
  }
  return c;
}

/** True when `buf[off..off+len)` equals the ASCII text `s`, ignoring ASCII case. */
export function bytesEqualsAsciiNoCase(buf: Readonly<Uint8Array>, off: number, len: number, s: string): boolean {
  if (len !== s.length) {
    return false;
  }
  for (let i = 0; i < len; i++) {
    if (asciiLower(buf[off + i]) !== asciiLower(s.charCodeAt(i))) {
      return false;
    }
  }
  return true;
}

/** True when `a[aOff..aOff+len)` equals `b[bOff..bOff+len)`. */
export function bytesEqual(
  a: Readonly<Uint8Array>,
  aOff: number,
  b: Readonly<Uint8Array>,
  bOff: number,
  len: number,
): boolean {
  for (let i = 0; i < len; i++) {
    if (a[aOff + i] !== b[bOff + i]) {
      return false;
    }
  }
  return true;
}

/** Index of the first `c` in `buf[from..end)`, or -1. */
export function bytesIndexOf(buf: Readonly<Uint8Array>, from: number, end: number, c: number): number {
  for (let i = from; i < end; i++) {
    if (buf[i] === c) {
      return i;
    }
  }
  return -1;
}

/** True for ASCII space and horizontal tab (HTTP optional white space). */
export function isHttpSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/** True for ASCII decimal digits. */
export function isDigit(c: number): boolean {
  return c >= "0".charCodeAt(0) && c <= "9".charCodeAt(0);
}

/**
 * Parses the unsigned decimal `buf[off..off+len)`; returns -1 for an empty,
 * non-digit or too large (> limit) number. `limit` must be below 2^31 / 10 * 10.
 */
export function parseUint(buf: Readonly<Uint8Array>, off: number, len: number, limit: number): number {
  if (len <= 0) {
    return -1;
  }
  let v = 0;
  for (let i = 0; i < len; i++) {
    const c = buf[off + i];
    if (!isDigit(c)) {
      return -1;
    }
    if (v > ((limit / 10) | 0)) {
      return -1;
    }
    v = v * 10 + (c - "0".charCodeAt(0));
    if (v > limit) {
      return -1;
    }
  }
  return v;
}

/**
 * Packs `src[off..off+len)` and one NUL after it into cells the way SourcePawn
 * stores a char array (four bytes a cell, lowest address in the low byte: x86
 * is little-endian), so that a native can hand binary data to a plugin's char
 * buffer with SetNativeArray, which copies whole cells. Writes
 * `bytesPackedCells(len)` cells to `dst[0..]` and returns that count, or -1
 * when they do not fit in `cap` cells. Never reads past `src[off+len-1]`.
 */
export function bytesPackCells(
  dst: Int32Array,
  cap: number,
  src: Readonly<Uint8Array>,
  off: number,
  len: number,
): number {
  const cells = bytesPackedCells(len);
  if (len < 0 || cells > cap) {
    return -1;
  }
  const whole = len >> 2;
  for (let c = 0; c < whole; c++) {
    const b = off + c * 4;
    dst[c] = src[b] | (src[b + 1] << 8) | (src[b + 2] << 16) | (src[b + 3] << 24);
  }
  // The last cell holds the 0-3 bytes left, the NUL, and zeros after it.
  let last = 0;
  const rest = len & 3;
  for (let k = 0; k < rest; k++) {
    last = last | (src[off + whole * 4 + k] << (k * 8));
  }
  dst[whole] = last;
  return cells;
}

/**
 * The inverse of bytesPackCells: unpacks `len` bytes from the cells
 * src[0..(len+3)/4) (four bytes a cell, lowest address in the low byte) into
 * dst[off..off+len). Returns len, or -1 (nothing written) when they do not fit
 * in dst's `cap` bytes or len < 0.
 */
export function bytesUnpackCells(
  dst: Uint8Array,
  off: number,
  cap: number,
  src: Readonly<Int32Array>,
  len: number,
): number {
  if (len < 0 || off < 0 || len > cap - off) {
    return -1;
  }
  const whole = len >> 2;
  for (let c = 0; c < whole; c++) {
    const v = src[c];
    const b = off + c * 4;
    dst[b] = v;
    dst[b + 1] = v >> 8;
    dst[b + 2] = v >> 16;
    dst[b + 3] = v >> 24;
  }
  const rest = len & 3;
  if (rest > 0) {
    const v = src[whole];
    for (let k = 0; k < rest; k++) {
      dst[off + whole * 4 + k] = v >> (k * 8);
    }
  }
  return len;
}

/** Cells that bytesPackCells writes for `len` bytes: the bytes and their NUL, rounded up to whole cells. */
export function bytesPackedCells(len: number): number {
  return (len >> 2) + 1;
}
