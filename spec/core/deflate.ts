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
 * Matches of at most this many bytes have every position they cover hashed for later matches; longer ones
 * only their first (zlib's max_insert_length, 4 at level 1): the covered positions of a long match rarely
 * start a better one, and hashing them is most of the time spent on repetitive input.
 */
export const DEFLATE_MAX_INSERT = 4;

/** The fixed literal/length code of each symbol 0..287 (RFC 1951 §3.2.6), bit-reversed for sending: (reversed code << 4) | length. */
export const DEFLATE_FIXED_CODE: readonly number[] = [
  200, 2248, 1224, 3272, 712, 2760, 1736, 3784, 456, 2504, 1480, 3528, 968, 3016, 1992, 4040, 40, 2088, 1064, 3112, 552,
  2600, 1576, 3624, 296, 2344, 1320, 3368, 808, 2856, 1832, 3880, 168, 2216, 1192, 3240, 680, 2728, 1704, 3752, 424,
  2472, 1448, 3496, 936, 2984, 1960, 4008, 104, 2152, 1128, 3176, 616, 2664, 1640, 3688, 360, 2408, 1384, 3432, 872,
  2920, 1896, 3944, 232, 2280, 1256, 3304, 744, 2792, 1768, 3816, 488, 2536, 1512, 3560, 1000, 3048, 2024, 4072, 24,
  2072, 1048, 3096, 536, 2584, 1560, 3608, 280, 2328, 1304, 3352, 792, 2840, 1816, 3864, 152, 2200, 1176, 3224, 664,
  2712, 1688, 3736, 408, 2456, 1432, 3480, 920, 2968, 1944, 3992, 88, 2136, 1112, 3160, 600, 2648, 1624, 3672, 344,
  2392, 1368, 3416, 856, 2904, 1880, 3928, 216, 2264, 1240, 3288, 728, 2776, 1752, 3800, 472, 2520, 1496, 3544, 984,
  3032, 2008, 4056, 313, 4409, 2361, 6457, 1337, 5433, 3385, 7481, 825, 4921, 2873, 6969, 1849, 5945, 3897, 7993, 185,
  4281, 2233, 6329, 1209, 5305, 3257, 7353, 697, 4793, 2745, 6841, 1721, 5817, 3769, 7865, 441, 4537, 2489, 6585, 1465,
  5561, 3513, 7609, 953, 5049, 3001, 7097, 1977, 6073, 4025, 8121, 121, 4217, 2169, 6265, 1145, 5241, 3193, 7289, 633,
  4729, 2681, 6777, 1657, 5753, 3705, 7801, 377, 4473, 2425, 6521, 1401, 5497, 3449, 7545, 889, 4985, 2937, 7033, 1913,
  6009, 3961, 8057, 249, 4345, 2297, 6393, 1273, 5369, 3321, 7417, 761, 4857, 2809, 6905, 1785, 5881, 3833, 7929, 505,
  4601, 2553, 6649, 1529, 5625, 3577, 7673, 1017, 5113, 3065, 7161, 2041, 6137, 4089, 8185, 7, 1031, 519, 1543, 263,
  1287, 775, 1799, 135, 1159, 647, 1671, 391, 1415, 903, 1927, 71, 1095, 583, 1607, 327, 1351, 839, 1863, 56, 2104,
  1080, 3128, 568, 2616, 1592, 3640,
];

/** Index into INFLATE_LEN_BASE of the length code for each match length 0..258 (0 for lengths 0..2, which are not matches). */
export const DEFLATE_LEN_SYM: readonly number[] = [
  0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14, 15, 15,
  15, 15, 16, 16, 16, 16, 16, 16, 16, 16, 17, 17, 17, 17, 17, 17, 17, 17, 18, 18, 18, 18, 18, 18, 18, 18, 19, 19, 19,
  19, 19, 19, 19, 19, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 21, 21, 21, 21, 21, 21, 21, 21,
  21, 21, 21, 21, 21, 21, 21, 21, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 22, 23, 23, 23, 23, 23,
  23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 23, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
  24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25,
  25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26,
  26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 27, 27, 27, 27, 27, 27, 27, 27, 27,
  27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 28,
];

/** Distance code of distance d: entry d - 1 when d ≤ 256, else entry 256 + ((d - 1) >> 7) (zlib's two-level table; distance codes above 16 start at multiples of 128 + 1). */
export const DEFLATE_DIST_SYM: readonly number[] = [
  0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10,
  10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 12, 12,
  12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12,
  12, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13,
  13, 13, 13, 13, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
  14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 14,
  14, 14, 14, 14, 14, 14, 14, 14, 14, 14, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
  15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15,
  15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 0, 14, 16, 17, 18, 18, 19, 19, 20, 20, 20, 20, 21, 21,
  21, 21, 22, 22, 22, 22, 22, 22, 22, 22, 23, 23, 23, 23, 23, 23, 23, 23, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24,
  24, 24, 24, 24, 24, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 25, 26, 26, 26, 26, 26, 26, 26, 26,
  26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 26, 27, 27, 27, 27, 27,
  27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 28, 28,
  28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  28, 28, 28, 28, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29,
  29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29, 29,
  29, 29, 29, 29, 29, 29, 29, 29, 29, 29,
];

/** The 5-bit fixed distance codes 0..31, bit-reversed for sending. */
export const DEFLATE_DIST_REV: readonly number[] = [
  0, 16, 8, 24, 4, 20, 12, 28, 2, 18, 10, 26, 6, 22, 14, 30, 1, 17, 9, 25, 5, 21, 13, 29, 3, 19, 11, 27, 7, 23, 15, 31,
];

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

/**
 * Empties the matcher's hash table (DEFLATE_HASH_SIZE ints; a fresh record is
 * already empty). deflateMessage calls it itself when its position counter
 * would overflow; otherwise it is never needed, since entries of earlier
 * messages are ignored (no context takeover, RFC 7692 §7.1.1.2).
 */
export function deflateReset(z: Deflater): void {
  for (let i = 0; i < DEFLATE_HASH_SIZE; i++) {
    z.head[i] = 0;
  }
  z.base = 0;
}

/** Hash of the 3 bytes at buf[i..i+3) into 0..DEFLATE_HASH_SIZE-1. @spgen inline: one call per input byte otherwise. */
function deflateHash(buf: Readonly<Uint8Array>, i: number): number {
  return (
    (Math.imul((buf[i] << 16) | (buf[i + 1] << 8) | buf[i + 2], -1640531535) >> (32 - DEFLATE_HASH_BITS)) &
    (DEFLATE_HASH_SIZE - 1)
  );
}

/** How many of the `max` bytes from inp[a] and from inp[b] are equal, counted from the first. */
function deflateMatchLength(inp: Readonly<Uint8Array>, a: number, b: number, max: number): number {
  // @spgen unroll 64 16 4 outline
  for (let k = 0; k < max; k++) {
    if (inp[a + k] !== inp[b + k]) {
      return k;
    }
  }
  return max;
}

/** Writes byte b at z.outPos, or records that the output is full (nothing is written past z.outEnd). @spgen inline */
function deflatePutByte(z: Deflater, out: Uint8Array, b: number): void {
  if (z.outPos >= z.outEnd) {
    z.overflow = true;
  } else {
    out[z.outPos] = b;
    z.outPos++;
  }
}

/**
 * Appends the low `n` bits of `v` (n ≤ 16) to the output, least significant
 * first (RFC 1951 §3.1.1). Up to 15 bits wait in z.bitBuf and go out two
 * bytes at a time, as zlib's send_bits does (at most 31 bits are ever held).
 * @spgen inline: SourcePawn pays a call per code otherwise (four a match).
 */
function deflateBits(z: Deflater, out: Uint8Array, v: number, n: number): void {
  z.bitBuf |= (v & ((1 << n) - 1)) << z.bitCnt;
  z.bitCnt += n;
  if (z.bitCnt >= 16) {
    deflatePutByte(z, out, z.bitBuf & 255);
    deflatePutByte(z, out, (z.bitBuf >> 8) & 255);
    z.bitBuf >>= 16;
    z.bitCnt -= 16;
  }
}

/** Appends literal/length symbol `sym` (0..285) in the fixed code (§3.2.6). */
function deflateFixedSymbol(z: Deflater, out: Uint8Array, sym: number): void {
  const e = DEFLATE_FIXED_CODE[sym];
  deflateBits(z, out, e >> 4, e & 15);
}

/** Appends a match of `len` (3..258) bytes at distance `dist` (1..32768) in the fixed code. */
function deflateMatch(z: Deflater, out: Uint8Array, len: number, dist: number): void {
  const l = DEFLATE_LEN_SYM[len];
  deflateFixedSymbol(z, out, 257 + l);
  deflateBits(z, out, len - INFLATE_LEN_BASE[l], INFLATE_LEN_EXTRA[l]);
  const d = dist <= 256 ? DEFLATE_DIST_SYM[dist - 1] : DEFLATE_DIST_SYM[256 + ((dist - 1) >> 7)];
  deflateBits(z, out, DEFLATE_DIST_REV[d], 5);
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
    // @spgen scalarize: the bit buffer and output position stay in locals of SourcePawn while the loop runs.
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
          len = deflateMatchLength(inp, cand, i, max);
          dist = i - cand;
        }
      }
      if (len >= DEFLATE_MIN_MATCH) {
        deflateMatch(z, out, len, dist);
        if (len <= DEFLATE_MAX_INSERT) {
          for (let k = 1; k < len && i + k + DEFLATE_MIN_MATCH <= end; k++) {
            z.head[deflateHash(inp, i + k)] = base + (i + k - inOff) + 1;
          }
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
  if ((z.bitCnt & 7) !== 0) {
    deflateBits(z, out, 0, 8 - (z.bitCnt & 7));
  }
  if (z.bitCnt === 8) {
    deflatePutByte(z, out, z.bitBuf & 255);
  }
  if (z.overflow) {
    return -1;
  }
  return z.outPos - outOff;
}
