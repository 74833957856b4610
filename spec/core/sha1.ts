/**
 * SHA-1 (FIPS 180-4) over a byte range, as needed for Sec-WebSocket-Accept.
 * Written with explicit 32-bit wrapping (`| 0`, `>>>`) so that the
 * transpiled SourcePawn computes bit-identical results.
 */

/** Size of a SHA-1 digest in bytes. */
export const SHA1_DIGEST_SIZE = 20;

/** Working state of one SHA-1 computation. */
export class Sha1 {
  h = new Int32Array(5);
  /** The message schedule of the block being hashed. @spgen scratch: SourcePawn keeps it in locals of sha1Block. */
  w = new Int32Array(80);
  block = new Uint8Array(64);
}

/** 32-bit rotate left of x by n (1..31). @spgen inline: SourcePawn has no inliner and this runs 160 times a block. */
function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

function sha1Block(s: Sha1): void {
  // @spgen unroll full: every index below becomes a constant.
  for (let t = 0; t < 16; t++) {
    const j = t * 4;
    s.w[t] = (s.block[j] << 24) | (s.block[j + 1] << 16) | (s.block[j + 2] << 8) | s.block[j + 3];
  }
  // @spgen unroll full
  for (let t = 16; t < 80; t++) {
    s.w[t] = rotl(s.w[t - 3] ^ s.w[t - 8] ^ s.w[t - 14] ^ s.w[t - 16], 1);
  }
  let a = s.h[0];
  let b = s.h[1];
  let c = s.h[2];
  let d = s.h[3];
  let e = s.h[4];
  // @spgen unroll full: the tests of t resolve in each copy.
  for (let t = 0; t < 80; t++) {
    let f = 0;
    let k = 0;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const temp = (((((rotl(a, 5) + f) | 0) + e) | 0) + ((k + s.w[t]) | 0)) | 0;
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  s.h[0] = (s.h[0] + a) | 0;
  s.h[1] = (s.h[1] + b) | 0;
  s.h[2] = (s.h[2] + c) | 0;
  s.h[3] = (s.h[3] + d) | 0;
  s.h[4] = (s.h[4] + e) | 0;
}

/**
 * Writes SHA-1(data[off..off+len)) into out[outOff..outOff+20).
 * `len` must be below 2^28 (the bit length is kept in one 32-bit int).
 */
export function sha1(
  s: Sha1,
  data: Readonly<Uint8Array>,
  off: number,
  len: number,
  out: Uint8Array,
  outOff: number,
): void {
  s.h[0] = 0x67452301;
  s.h[1] = 0xefcdab89 | 0;
  s.h[2] = 0x98badcfe | 0;
  s.h[3] = 0x10325476;
  s.h[4] = 0xc3d2e1f0 | 0;
  let pos = 0;
  while (len - pos >= 64) {
    // @spgen unroll 64 outline
    for (let i = 0; i < 64; i++) {
      s.block[i] = data[off + pos + i];
    }
    sha1Block(s);
    pos += 64;
  }
  const rest = len - pos;
  // @spgen unroll full
  for (let i = 0; i < 64; i++) {
    s.block[i] = 0;
  }
  // @spgen unroll 16 4 outline
  for (let i = 0; i < rest; i++) {
    s.block[i] = data[off + pos + i];
  }
  s.block[rest] = 0x80;
  if (rest >= 56) {
    sha1Block(s);
    // @spgen unroll full
    for (let i = 0; i < 64; i++) {
      s.block[i] = 0;
    }
  }
  const bits = len << 3;
  s.block[60] = bits >>> 24;
  s.block[61] = bits >>> 16;
  s.block[62] = bits >>> 8;
  s.block[63] = bits;
  sha1Block(s);
  // @spgen unroll full
  for (let i = 0; i < 5; i++) {
    const v = s.h[i];
    out[outOff + i * 4] = v >>> 24;
    out[outOff + i * 4 + 1] = v >>> 16;
    out[outOff + i * 4 + 2] = v >>> 8;
    out[outOff + i * 4 + 3] = v;
  }
}
