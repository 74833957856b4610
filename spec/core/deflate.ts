/**
 * DEFLATE compression of outgoing messages for permessage-deflate (RFC 7692
 * §7.2.1), without context takeover: every message is compressed on its own
 * (never referring to an earlier one, which is valid whatever was negotiated,
 * §7.1.1.2), so one Deflater can serve every connection.
 *
 * The output is one fixed-Huffman block (RFC 1951 §3.2.6) of literals and
 * LZ77 matches from a one-candidate hash matcher, then the start of an empty
 * stored block that byte-aligns it, as a sync flush does; the stored block's
 * 00 00 ff ff is not written (RFC 7692 §7.2.1: the sender removes it, the
 * receiver appends it back).
 */

import { INFLATE_DIST_BASE, INFLATE_DIST_EXTRA, INFLATE_LEN_BASE, INFLATE_LEN_EXTRA } from "./inflate.js";

/** log2 of the matcher's hash table entries. */
export const DEFLATE_HASH_BITS = 12;

/** Entries of the matcher's hash table (16 KiB of ints in SourcePawn). */
export const DEFLATE_HASH_SIZE = 1 << DEFLATE_HASH_BITS;

/** Shortest and longest match (RFC 1951 §3.2.5). */
export const DEFLATE_MIN_MATCH = 3;
export const DEFLATE_MAX_MATCH = 258;

/**
 * The compressor's working state: the hash table (where each 3-byte prefix
 * was last seen, as base + position + 1; entries not above `base` are from an
 * earlier message) and the bit writer. One record serves any number of
 * connections, one message at a time: DEFLATE_HASH_SIZE ints (16 KiB).
 */
export class Deflater {
  head = new Int32Array(DEFLATE_HASH_SIZE);
  base = 0;
  bitBuf = 0;
  bitCnt = 0;
  outPos = 0;
  outEnd = 0;
  /** The output did not fit. */
  overflow = false;
}

/** Empties the hash table (a fresh record is already empty). */
export function deflateReset(z: Deflater): void {
  for (let i = 0; i < DEFLATE_HASH_SIZE; i++) {
    z.head[i] = 0;
  }
  z.base = 0;
}

/** Hash of the 3 bytes at buf[i..i+3) into 0..DEFLATE_HASH_SIZE-1. */
function deflateHash(buf: Readonly<Uint8Array>, i: number): number {
  const v = (buf[i] << 16) | (buf[i + 1] << 8) | buf[i + 2];
  return (Math.imul(v, -1640531535) >> (32 - DEFLATE_HASH_BITS)) & (DEFLATE_HASH_SIZE - 1);
}

/** Appends the low `n` bits of `v` (n ≤ 16) to the output, least significant first (RFC 1951 §3.1.1). */
function deflateBits(z: Deflater, out: Uint8Array, v: number, n: number): void {
  z.bitBuf |= (v & ((1 << n) - 1)) << z.bitCnt;
  z.bitCnt += n;
  while (z.bitCnt >= 8) {
    if (z.outPos >= z.outEnd) {
      z.overflow = true;
    } else {
      out[z.outPos] = z.bitBuf & 255;
      z.outPos++;
    }
    z.bitBuf >>= 8;
    z.bitCnt -= 8;
  }
}

/** Appends a Huffman code of `n` bits (sent most significant bit first, §3.1.1). */
function deflateCode(z: Deflater, out: Uint8Array, code: number, n: number): void {
  let rev = 0;
  for (let i = 0; i < n; i++) {
    rev = (rev << 1) | ((code >> i) & 1);
  }
  deflateBits(z, out, rev, n);
}

/** Appends literal/length symbol `sym` (0..285) in the fixed code (§3.2.6). */
function deflateFixedSymbol(z: Deflater, out: Uint8Array, sym: number): void {
  if (sym < 144) {
    deflateCode(z, out, 0x30 + sym, 8);
  } else if (sym < 256) {
    deflateCode(z, out, 0x190 + sym - 144, 9);
  } else if (sym < 280) {
    deflateCode(z, out, sym - 256, 7);
  } else {
    deflateCode(z, out, 0xc0 + sym - 280, 8);
  }
}

/** Appends a match of `len` (3..258) bytes at distance `dist` (1..32768) in the fixed code. */
function deflateMatch(z: Deflater, out: Uint8Array, len: number, dist: number): void {
  let l = 28;
  while (INFLATE_LEN_BASE[l] > len) {
    l--;
  }
  deflateFixedSymbol(z, out, 257 + l);
  deflateBits(z, out, len - INFLATE_LEN_BASE[l], INFLATE_LEN_EXTRA[l]);
  let d = 29;
  while (INFLATE_DIST_BASE[d] > dist) {
    d--;
  }
  deflateCode(z, out, d, 5);
  deflateBits(z, out, dist - INFLATE_DIST_BASE[d], INFLATE_DIST_EXTRA[d]);
}

/**
 * Compresses the message inp[inOff..inOff+inLen) into out[outOff..outOff+outCap)
 * as RFC 7692 §7.2.1 says: raw DEFLATE ending in an empty stored block whose
 * 00 00 ff ff is removed. Matches reach at most 2^windowBits bytes back
 * (windowBits: the negotiated client_max_window_bits, 8..15). Returns the
 * compressed length, or -1 when it does not fit in outCap bytes: with
 * outCap < inLen the caller sends the message uncompressed (RSV1 clear,
 * §6.1) whenever compressing would not make it smaller. An empty message is
 * the single byte 00.
 */
export function deflateMessage(
  z: Deflater,
  inp: Readonly<Uint8Array>,
  inOff: number,
  inLen: number,
  out: Uint8Array,
  outOff: number,
  outCap: number,
  windowBits: number,
): number {
  z.bitBuf = 0;
  z.bitCnt = 0;
  z.outPos = outOff;
  z.outEnd = outOff + outCap;
  z.overflow = false;
  if (z.base > 0x3fffffff - inLen) {
    deflateReset(z);
  }
  const base = z.base;
  z.base = base + inLen + 1;
  const maxDist = 1 << (windowBits < 8 ? 8 : windowBits > 15 ? 15 : windowBits);
  if (inLen > 0) {
    // BFINAL 0, BTYPE 01 (fixed Huffman codes).
    deflateBits(z, out, 2, 3);
    const end = inOff + inLen;
    let i = inOff;
    while (i < end && !z.overflow) {
      let len = 0;
      let dist = 0;
      if (end - i >= DEFLATE_MIN_MATCH) {
        const h = deflateHash(inp, i);
        const cand = z.head[h] - base - 1 + inOff;
        z.head[h] = base + (i - inOff) + 1;
        if (cand >= inOff && i - cand <= maxDist) {
          let max = end - i;
          if (max > DEFLATE_MAX_MATCH) {
            max = DEFLATE_MAX_MATCH;
          }
          while (len < max && inp[cand + len] === inp[i + len]) {
            len++;
          }
          dist = i - cand;
        }
      }
      if (len >= DEFLATE_MIN_MATCH) {
        deflateMatch(z, out, len, dist);
        for (let k = 1; k < len && i + k + DEFLATE_MIN_MATCH <= end; k++) {
          z.head[deflateHash(inp, i + k)] = base + (i + k - inOff) + 1;
        }
        i += len;
      } else {
        deflateFixedSymbol(z, out, inp[i]);
        i++;
      }
    }
    deflateFixedSymbol(z, out, 256);
  }
  // BFINAL 0, BTYPE 00 (stored), then padding to the byte boundary; its LEN/NLEN are the removed tail.
  deflateBits(z, out, 0, 3);
  if (z.bitCnt > 0) {
    deflateBits(z, out, 0, 8 - z.bitCnt);
  }
  if (z.overflow) {
    return -1;
  }
  return z.outPos - outOff;
}
