/**
 * Raw DEFLATE decoder (RFC 1951: stored, fixed and dynamic Huffman blocks) for
 * permessage-deflate (RFC 7692 §7.2.2).
 *
 * All progress lives in an Inflater record the caller owns, one per
 * connection, so input may arrive in pieces of any size and output may be
 * drained in pieces of any size (inflateRun stops when either runs out and
 * resumes exactly there). Every output byte also goes into the record's
 * sliding window, which back-references read from: within a message and,
 * with context takeover (RFC 7692 §7.1.1), across messages.
 *
 * Memory per connection: INFLATE_WINDOW_SIZE bytes of window (2^15 = 32768
 * with the default CONFIG_INFLATE_WINDOW_BITS) plus about 4.3 KiB of state
 * (code tables of 352 ints, lookup tables of 640 ints, 320 code lengths, a
 * few ints): 37148 bytes in all with the default (sizeof in spcomp).
 *
 * The decoder refuses what zlib's inflate refuses (over-subscribed or
 * incomplete codes except a single one-bit code, a missing end-of-block code,
 * more than 286/30 length/distance codes, a repeat with nothing to repeat,
 * codes 286/287 and distance codes 30/31, a stored length whose complement
 * does not match, a distance further back than the bytes seen), and stops
 * before producing byte `limit + 1` of a message (InflateError.TooBig: the
 * caller closes with 1009, decompression bombs never cost memory).
 */

import { CONFIG_INFLATE_WINDOW_BITS } from "./config.js";

/** Bytes of history the inflater keeps (2^CONFIG_INFLATE_WINDOW_BITS; a power of two). */
export const INFLATE_WINDOW_SIZE = 1 << CONFIG_INFLATE_WINDOW_BITS;

/** Largest number of literal/length codes (RFC 1951 §3.2.5: 286 used, 288 in the fixed code). */
export const INFLATE_MAX_LITLEN = 288;

/** Largest number of distance codes (30 used, 32 in the fixed code). */
export const INFLATE_MAX_DIST = 32;

/** Bits of the literal/length lookup table: codes up to this long decode with one table read. */
export const INFLATE_LIT_FAST_BITS = 9;

/** Bits of the distance (and code length code) lookup table. */
export const INFLATE_DIST_FAST_BITS = 7;

/** What inflateRun reports. */
export const enum InflateResult {
  /** Every input byte was used and every byte it gave was written: feed more input. */
  NeedInput = 0,
  /** The output space is full and more output is pending: call again with more space (and the unused input). */
  OutputFull = 1,
  /** A block with BFINAL set ended; the rest of the input is not used. */
  End = 2,
  /** The data is not valid DEFLATE, or the message would exceed its limit: Inflater.error says which. */
  Error = 3,
}

/** Why inflating failed (Inflater.error). TooBig means close code 1009, every other one 1007. */
export const enum InflateError {
  None = 0,
  /** BTYPE 3 (RFC 1951 §3.2.3). */
  BadBlockType = 1,
  /** A stored block's NLEN is not the complement of LEN (§3.2.4). */
  StoredLength = 2,
  /** HLIT above 286 or HDIST above 30 (§3.2.7). */
  TooManyCodes = 3,
  /** The code length code is over-subscribed or incomplete. */
  BadCodeLengths = 4,
  /** A repeat code (16) with no previous length, or a repeat past the last length. */
  BadRepeat = 5,
  /** The literal/length code has no code for end-of-block (256). */
  MissingEndOfBlock = 6,
  /** The literal/length code is over-subscribed or incomplete. */
  BadLiteralCode = 7,
  /** The distance code is over-subscribed or incomplete. */
  BadDistanceCode = 8,
  /** A literal/length code that is not in the code, or symbol 286/287. */
  InvalidLiteral = 9,
  /** A distance code that is not in the code, or symbol 30/31. */
  InvalidDistance = 10,
  /** A distance further back than the bytes the window holds. */
  DistanceTooFar = 11,
  /** The message would be longer than its limit (RFC 6455 close code 1009). */
  TooBig = 12,
  /** The message (with its 00 00 ff ff tail) does not end at the end of a block (RFC 7692 §7.2.2). */
  Truncated = 13,
}

/** Where the inflater is (Inflater.state). */
export const enum InflateState {
  /** Next: the 3-bit block header. */
  Header = 0,
  /** Next: a stored block's LEN. */
  StoredLen = 1,
  /** Next: a stored block's NLEN. */
  StoredNlen = 2,
  /** Copying a stored block's bytes (Inflater.storedLeft left). */
  Stored = 3,
  /** Next: HLIT, HDIST, HCLEN of a dynamic block. */
  DynCounts = 4,
  /** Reading the code length code's lengths (Inflater.idx of hclen). */
  DynClen = 5,
  /** Reading the literal/length and distance code lengths (Inflater.idx of hlit + hdist). */
  DynLens = 6,
  /** Decoding literal/length codes. */
  Codes = 7,
  /** Next: the extra bits of length code Inflater.sym. */
  LenExtra = 8,
  /** Next: a distance code. */
  DistCode = 9,
  /** Next: the extra bits of distance code Inflater.sym. */
  DistExtra = 10,
  /** Copying a match (Inflater.matchLen bytes from Inflater.matchDist back). */
  Copy = 11,
  /** The final block ended. */
  Done = 12,
  /** Failed (Inflater.error). */
  Failed = 13,
}

/** Base lengths of length codes 257..285 (RFC 1951 §3.2.5). */
export const INFLATE_LEN_BASE: readonly number[] = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];

/** Extra bits of length codes 257..285. */
export const INFLATE_LEN_EXTRA: readonly number[] = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];

/** Base distances of distance codes 0..29. */
export const INFLATE_DIST_BASE: readonly number[] = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];

/** Extra bits of distance codes 0..29. */
export const INFLATE_DIST_EXTRA: readonly number[] = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];

/** The order in which a dynamic block lists the code length code's lengths (§3.2.7). */
export const INFLATE_CLEN_ORDER: readonly number[] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * One connection's inflate state (RFC 1951 decoder plus the RFC 7692 window).
 * Size: INFLATE_WINDOW_SIZE bytes of window, 320 bytes of code lengths,
 * 352 ints of code tables and 640 of lookup tables: INFLATE_WINDOW_SIZE + 4380
 * bytes in SourcePawn.
 */
export class Inflater {
  /** The last INFLATE_WINDOW_SIZE bytes produced (circular; winPos is where the next goes). */
  window = new Uint8Array(INFLATE_WINDOW_SIZE);
  winPos = 0;
  /** Bytes of valid history in the window (at most INFLATE_WINDOW_SIZE). */
  winFill = 0;
  /** Current InflateState. */
  state = 0;
  /** The current block has BFINAL set. */
  last = false;
  /** Bits read but not used (the next one is bit 0), and how many. */
  bitBuf = 0;
  bitCnt = 0;
  /** Bytes of the current stored block still to copy. */
  storedLeft = 0;
  /** A dynamic block's counts, and the index of the next code length read. */
  hlit = 0;
  hdist = 0;
  hclen = 0;
  idx = 0;
  /** A code whose extra bits are next (InflateState LenExtra, DistExtra). */
  sym = 0;
  /** The match being copied. */
  matchLen = 0;
  matchDist = 0;
  /** Code lengths of a dynamic block (literal/length then distance), or of the code length code. */
  lens = new Uint8Array(INFLATE_MAX_LITLEN + INFLATE_MAX_DIST);
  /** Canonical Huffman codes as counts per length (1..15) and symbols in code order. */
  litCount = new Int32Array(16);
  litSym = new Int32Array(INFLATE_MAX_LITLEN);
  /** The distance code, or the code length code while a dynamic header is read. */
  distCount = new Int32Array(16);
  distSym = new Int32Array(INFLATE_MAX_DIST);
  /**
   * Lookup tables indexed by the next bits of input: (symbol << 4) | code length
   * for the codes of at most INFLATE_LIT_FAST_BITS / INFLATE_DIST_FAST_BITS bits,
   * 0 for longer codes (decoded bit by bit) and unused code space.
   */
  litFast = new Int32Array(1 << INFLATE_LIT_FAST_BITS);
  distFast = new Int32Array(1 << INFLATE_DIST_FAST_BITS);
  /** Bytes this message produced so far, and its limit. */
  total = 0;
  limit = 0;
  /** InflateError when state is Failed. */
  error = 0;
  /** Outputs of inflateRun: input bytes used and output bytes written by the call. */
  inUsed = 0;
  outMade = 0;
  /** Working positions of inflateRun: next input byte, input end, next output byte, output end. */
  inPos = 0;
  inEnd = 0;
  outPos = 0;
  outEnd = 0;
}

/**
 * Resets `s` for a new connection, or for a message when the peer does not
 * take over its context (RFC 7692 §7.1.1): the window is forgotten, so no
 * distance may reach before the message.
 */
export function inflateReset(s: Inflater): void {
  s.winPos = 0;
  s.winFill = 0;
  s.state = InflateState.Header;
  s.last = false;
  s.bitBuf = 0;
  s.bitCnt = 0;
  s.storedLeft = 0;
  s.matchLen = 0;
  s.matchDist = 0;
  s.total = 0;
  s.limit = 0;
  s.error = InflateError.None;
  s.inUsed = 0;
  s.outMade = 0;
}

/**
 * Starts a message of at most `limit` bytes once decompressed (RFC 7692
 * §7.2.2), keeping the window (context takeover). A previous message that
 * ended with a BFINAL block leaves the inflater at a block header again.
 * A failed inflater stays failed (the connection is being failed).
 */
export function inflateMessageStart(s: Inflater, limit: number): void {
  if (s.state === InflateState.Failed) {
    return;
  }
  if (s.state === InflateState.Done) {
    s.state = InflateState.Header;
    s.bitBuf = 0;
    s.bitCnt = 0;
  }
  s.total = 0;
  s.limit = limit < 0 ? 0 : limit;
}

/** Fails with `error` and returns InflateResult.Error. */
function inflateFail(s: Inflater, error: number): number {
  s.state = InflateState.Failed;
  s.error = error;
  return InflateResult.Error;
}

/** Moves input bytes into the bit buffer until it holds `n` bits (n ≤ 24) or the input runs out; true when it does. */
function inflateNeed(s: Inflater, inp: Readonly<Uint8Array>, n: number): boolean {
  while (s.bitCnt < n) {
    if (s.inPos >= s.inEnd) {
      return false;
    }
    s.bitBuf |= inp[s.inPos] << s.bitCnt;
    s.inPos++;
    s.bitCnt += 8;
  }
  return true;
}

/** Drops `n` bits from the bit buffer. */
function inflateDrop(s: Inflater, n: number): void {
  s.bitBuf >>= n;
  s.bitCnt -= n;
}

/**
 * Decodes the next symbol of the canonical code counts/symbols from the bit
 * buffer without consuming it (RFC 1951 §3.2.2; codes are read bit by bit
 * from the most significant). Returns (symbol << 4) | code length, -1 when the
 * buffered bits end inside a code (more input needed), or -2 when no code of
 * at most 15 bits matches.
 */
function inflatePeek(
  s: Inflater,
  counts: Readonly<Int32Array>,
  symbols: Readonly<Int32Array>,
  fast: Readonly<Int32Array>,
  fastBits: number,
): number {
  if (s.bitCnt >= fastBits) {
    const e = fast[s.bitBuf & ((1 << fastBits) - 1)];
    if (e !== 0) {
      return e;
    }
  }
  return inflateDecodeSlow(counts, symbols, s.bitBuf, s.bitCnt);
}

/**
 * The canonical-code walk of inflatePeek, on `bitCnt` bits in `bits` (the
 * next one is bit 0): (symbol << 4) | code length, -1 when the bits end
 * inside a code, -2 when no code of at most 15 bits matches (RFC 1951 §3.2.2).
 */
function inflateDecodeSlow(
  counts: Readonly<Int32Array>,
  symbols: Readonly<Int32Array>,
  bits: number,
  bitCnt: number,
): number {
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len < 16; len++) {
    if (len > bitCnt) {
      return -1;
    }
    code |= (bits >> (len - 1)) & 1;
    const count = counts[len];
    if (code - count < first) {
      return (symbols[index + code - first] << 4) | len;
    }
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return -2;
}

/**
 * Builds a canonical code from lens[off..off+n) into counts (16) and symbols
 * (n): RFC 1951 §3.2.2. Returns 0 for a complete code, a positive number for
 * an incomplete one (the unused code space), -1 for an over-subscribed one.
 * A code with no lengths at all returns 0 with counts[0] === n.
 */
function inflateBuild(
  counts: Int32Array,
  symbols: Int32Array,
  lens: Readonly<Uint8Array>,
  off: number,
  n: number,
): number {
  const offs = new Int32Array(16);
  for (let len = 0; len < 16; len++) {
    counts[len] = 0;
  }
  for (let i = 0; i < n; i++) {
    counts[lens[off + i]]++;
  }
  if (counts[0] === n) {
    return 0;
  }
  let left = 1;
  for (let len = 1; len < 16; len++) {
    left <<= 1;
    left -= counts[len];
    if (left < 0) {
      return -1;
    }
  }
  offs[1] = 0;
  for (let len = 1; len < 15; len++) {
    offs[len + 1] = offs[len] + counts[len];
  }
  for (let i = 0; i < n; i++) {
    const l = lens[off + i];
    if (l !== 0) {
      symbols[offs[l]] = i;
      offs[l]++;
    }
  }
  return left;
}

/**
 * Fills the lookup table fast[0..2^bits) for the canonical code counts/symbols
 * (built by inflateBuild, not over-subscribed): the entry of every bit pattern
 * that starts (in input order) with a code of at most `bits` bits is
 * (symbol << 4) | length, the others 0.
 */
function inflateBuildFast(
  counts: Readonly<Int32Array>,
  symbols: Readonly<Int32Array>,
  fast: Int32Array,
  bits: number,
): void {
  const size = 1 << bits;
  for (let i = 0; i < size; i++) {
    fast[i] = 0;
  }
  let code = 0;
  let index = 0;
  for (let len = 1; len <= bits; len++) {
    const count = counts[len];
    for (let k = 0; k < count; k++) {
      // Codes are sent most significant bit first: the table is indexed by the reversed code.
      let rev = 0;
      for (let b = 0; b < len; b++) {
        rev = (rev << 1) | ((code >> b) & 1);
      }
      const entry = (symbols[index + k] << 4) | len;
      for (let fill = rev; fill < size; fill += 1 << len) {
        fast[fill] = entry;
      }
      code++;
    }
    index += count;
    code <<= 1;
  }
}

/**
 * True when a literal/length or distance code with build result `left` is
 * usable: complete, or incomplete with a single one-bit code (what zlib's
 * inflate accepts), or (distance code only, `emptyOk`) with no codes at all.
 */
function inflateCodeUsable(left: number, counts: Readonly<Int32Array>, n: number, emptyOk: boolean): boolean {
  if (counts[0] === n) {
    return emptyOk;
  }
  if (left === 0) {
    return true;
  }
  return left > 0 && counts[1] === 1 && counts[0] === n - 1;
}

/** The 3-bit block header (RFC 1951 §3.2.3). Returns -1 to go on, or an InflateResult. */
function inflateHeader(s: Inflater, inp: Readonly<Uint8Array>): number {
  if (!inflateNeed(s, inp, 3)) {
    return InflateResult.NeedInput;
  }
  s.last = (s.bitBuf & 1) !== 0;
  const type = (s.bitBuf >> 1) & 3;
  inflateDrop(s, 3);
  if (type === 0) {
    // Stored: the rest of the current byte is skipped (§3.2.4).
    inflateDrop(s, s.bitCnt & 7);
    s.state = InflateState.StoredLen;
  } else if (type === 1) {
    inflateFixedTables(s);
    s.state = InflateState.Codes;
  } else if (type === 2) {
    s.state = InflateState.DynCounts;
  } else {
    return inflateFail(s, InflateError.BadBlockType);
  }
  return -1;
}

/** The fixed codes of RFC 1951 §3.2.6 into the record's tables. */
function inflateFixedTables(s: Inflater): void {
  for (let i = 0; i < INFLATE_MAX_LITLEN; i++) {
    s.lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  }
  inflateBuild(s.litCount, s.litSym, s.lens, 0, INFLATE_MAX_LITLEN);
  inflateBuildFast(s.litCount, s.litSym, s.litFast, INFLATE_LIT_FAST_BITS);
  for (let i = 0; i < 30; i++) {
    s.lens[i] = 5;
  }
  // 30 of the 32 five-bit codes: 30 and 31 decode as invalid distances.
  inflateBuild(s.distCount, s.distSym, s.lens, 0, 30);
  inflateBuildFast(s.distCount, s.distSym, s.distFast, INFLATE_DIST_FAST_BITS);
}

/** A stored block's LEN or NLEN (16 bits, byte-aligned). Returns -1 to go on, or an InflateResult. */
function inflateStoredLength(s: Inflater, inp: Readonly<Uint8Array>): number {
  if (!inflateNeed(s, inp, 16)) {
    return InflateResult.NeedInput;
  }
  const v = s.bitBuf & 0xffff;
  inflateDrop(s, 16);
  if (s.state === InflateState.StoredLen) {
    s.storedLeft = v;
    s.state = InflateState.StoredNlen;
  } else if ((v ^ 0xffff) !== s.storedLeft) {
    return inflateFail(s, InflateError.StoredLength);
  } else {
    s.state = s.storedLeft === 0 ? inflateBlockEnd(s) : InflateState.Stored;
  }
  return -1;
}

/** Copies a stored block's bytes (from the bit buffer first, then the input in runs). Returns -1 to go on, or an InflateResult. */
function inflateStored(s: Inflater, inp: Readonly<Uint8Array>, out: Uint8Array): number {
  while (s.storedLeft > 0) {
    if (s.total >= s.limit) {
      return inflateFail(s, InflateError.TooBig);
    }
    if (s.outPos >= s.outEnd) {
      return InflateResult.OutputFull;
    }
    if (s.bitCnt >= 8) {
      // At most two bytes of the block were read ahead into the bit buffer.
      inflatePut(s, out, s.bitBuf & 255);
      inflateDrop(s, 8);
      s.storedLeft--;
      continue;
    }
    if (s.inPos >= s.inEnd) {
      return InflateResult.NeedInput;
    }
    let n = s.storedLeft;
    n = n < s.inEnd - s.inPos ? n : s.inEnd - s.inPos;
    n = n < s.outEnd - s.outPos ? n : s.outEnd - s.outPos;
    n = n < s.limit - s.total ? n : s.limit - s.total;
    inflateCopyIn(s, inp, s.inPos, out, n);
    s.inPos += n;
    s.storedLeft -= n;
  }
  s.state = inflateBlockEnd(s);
  return -1;
}

/** Writes src[srcOff..srcOff+n) to out at s.outPos and to the window (n fits both the output and the limit). */
function inflateCopyIn(s: Inflater, src: Readonly<Uint8Array>, srcOff: number, out: Uint8Array, n: number): void {
  const mask = INFLATE_WINDOW_SIZE - 1;
  let to = s.winPos;
  const o = s.outPos;
  // @spgen unroll 4
  for (let i = 0; i < n; i++) {
    const b = src[srcOff + i];
    out[o + i] = b;
    s.window[to] = b;
    to = (to + 1) & mask;
  }
  s.winPos = to;
  s.outPos = o + n;
  s.total += n;
  s.winFill = s.winFill > INFLATE_WINDOW_SIZE - n ? INFLATE_WINDOW_SIZE : s.winFill + n;
}

/** The state after a block: Done after the BFINAL block, else the next header. */
function inflateBlockEnd(s: Inflater): number {
  return s.last ? InflateState.Done : InflateState.Header;
}

/** Writes one output byte to out and to the window. */
function inflatePut(s: Inflater, out: Uint8Array, b: number): void {
  out[s.outPos] = b;
  s.outPos++;
  s.window[s.winPos] = b;
  s.winPos = (s.winPos + 1) & (INFLATE_WINDOW_SIZE - 1);
  if (s.winFill < INFLATE_WINDOW_SIZE) {
    s.winFill++;
  }
  s.total++;
}

/** HLIT, HDIST and HCLEN of a dynamic block (§3.2.7). Returns -1 to go on, or an InflateResult. */
function inflateDynCounts(s: Inflater, inp: Readonly<Uint8Array>): number {
  if (!inflateNeed(s, inp, 14)) {
    return InflateResult.NeedInput;
  }
  s.hlit = (s.bitBuf & 31) + 257;
  s.hdist = ((s.bitBuf >> 5) & 31) + 1;
  s.hclen = ((s.bitBuf >> 10) & 15) + 4;
  inflateDrop(s, 14);
  if (s.hlit > 286 || s.hdist > 30) {
    return inflateFail(s, InflateError.TooManyCodes);
  }
  for (let i = 0; i < 19; i++) {
    s.lens[i] = 0;
  }
  s.idx = 0;
  s.state = InflateState.DynClen;
  return -1;
}

/** The code length code's lengths, 3 bits each, then its table. Returns -1 to go on, or an InflateResult. */
function inflateDynClen(s: Inflater, inp: Readonly<Uint8Array>): number {
  while (s.idx < s.hclen) {
    if (!inflateNeed(s, inp, 3)) {
      return InflateResult.NeedInput;
    }
    s.lens[INFLATE_CLEN_ORDER[s.idx]] = s.bitBuf & 7;
    inflateDrop(s, 3);
    s.idx++;
  }
  if (inflateBuild(s.distCount, s.distSym, s.lens, 0, 19) !== 0 || s.distCount[0] === 19) {
    return inflateFail(s, InflateError.BadCodeLengths);
  }
  inflateBuildFast(s.distCount, s.distSym, s.distFast, INFLATE_DIST_FAST_BITS);
  s.idx = 0;
  s.state = InflateState.DynLens;
  return -1;
}

/**
 * The literal/length and distance code lengths, coded with the code length
 * code (symbols 16-18 repeat), then both tables. Returns -1 to go on, or an
 * InflateResult.
 */
function inflateDynLens(s: Inflater, inp: Readonly<Uint8Array>): number {
  const n = s.hlit + s.hdist;
  while (s.idx < n) {
    inflateNeed(s, inp, 14);
    const p = inflatePeek(s, s.distCount, s.distSym, s.distFast, INFLATE_DIST_FAST_BITS);
    if (p === -2) {
      return inflateFail(s, InflateError.BadCodeLengths);
    }
    if (p === -1) {
      return InflateResult.NeedInput;
    }
    const sym = p >> 4;
    const clen = p & 15;
    if (sym < 16) {
      inflateDrop(s, clen);
      s.lens[s.idx] = sym;
      s.idx++;
      continue;
    }
    const extra = sym === 16 ? 2 : sym === 17 ? 3 : 7;
    if (!inflateNeed(s, inp, clen + extra)) {
      return InflateResult.NeedInput;
    }
    let count = ((s.bitBuf >> clen) & ((1 << extra) - 1)) + (sym === 18 ? 11 : 3);
    inflateDrop(s, clen + extra);
    let value = 0;
    if (sym === 16) {
      if (s.idx === 0) {
        return inflateFail(s, InflateError.BadRepeat);
      }
      value = s.lens[s.idx - 1];
    }
    if (count > n - s.idx) {
      return inflateFail(s, InflateError.BadRepeat);
    }
    while (count > 0) {
      s.lens[s.idx] = value;
      s.idx++;
      count--;
    }
  }
  if (s.lens[256] === 0) {
    return inflateFail(s, InflateError.MissingEndOfBlock);
  }
  const litLeft = inflateBuild(s.litCount, s.litSym, s.lens, 0, s.hlit);
  if (!inflateCodeUsable(litLeft, s.litCount, s.hlit, false)) {
    return inflateFail(s, InflateError.BadLiteralCode);
  }
  inflateBuildFast(s.litCount, s.litSym, s.litFast, INFLATE_LIT_FAST_BITS);
  const distLeft = inflateBuild(s.distCount, s.distSym, s.lens, s.hlit, s.hdist);
  if (!inflateCodeUsable(distLeft, s.distCount, s.hdist, true)) {
    return inflateFail(s, InflateError.BadDistanceCode);
  }
  inflateBuildFast(s.distCount, s.distSym, s.distFast, INFLATE_DIST_FAST_BITS);
  s.state = InflateState.Codes;
  return -1;
}

/**
 * Literal/length codes: literals and matches are written until the output is
 * full, the input runs out, or end-of-block. Returns -1 to go on, or an
 * InflateResult.
 */
function inflateCodes(s: Inflater, inp: Readonly<Uint8Array>, out: Uint8Array): number {
  inflateFast(s, inp, out, s.window, s.litFast, s.litCount, s.litSym, s.distFast, s.distCount, s.distSym);
  for (;;) {
    if (s.bitCnt < 15) {
      inflateNeed(s, inp, 15);
    }
    const p = inflatePeek(s, s.litCount, s.litSym, s.litFast, INFLATE_LIT_FAST_BITS);
    if (p === -2) {
      return inflateFail(s, InflateError.InvalidLiteral);
    }
    if (p === -1) {
      return InflateResult.NeedInput;
    }
    const sym = p >> 4;
    if (sym < 256) {
      if (s.total >= s.limit) {
        return inflateFail(s, InflateError.TooBig);
      }
      if (s.outPos >= s.outEnd) {
        return InflateResult.OutputFull;
      }
      inflateDrop(s, p & 15);
      inflatePut(s, out, sym);
      continue;
    }
    inflateDrop(s, p & 15);
    if (sym === 256) {
      s.state = inflateBlockEnd(s);
      return -1;
    }
    if (sym > 285) {
      return inflateFail(s, InflateError.InvalidLiteral);
    }
    s.sym = sym - 257;
    s.state = InflateState.LenExtra;
    // The rest of the match in line (each step saves its state; inflateRun resumes where one stops).
    let r = inflateLenExtra(s, inp);
    if (r < 0) {
      r = inflateDistCode(s, inp);
    }
    if (r < 0) {
      r = inflateDistExtra(s, inp);
    }
    if (r < 0) {
      r = inflateCopy(s, out);
    }
    if (r >= 0) {
      return r;
    }
  }
}

/** Input bytes the fast loop needs in hand per symbol: four refills of at most two bytes (code, extra, distance, extra). */
const INFLATE_FAST_IN = 8;

/** Output room (and room below the message's limit) the fast loop needs per symbol: the longest match. */
const INFLATE_FAST_OUT = 258;

/**
 * The common case of inflateCodes in one loop over local copies of the bit
 * buffer and the positions (the structure of zlib's inflate_fast): it runs
 * while at least INFLATE_FAST_IN input bytes, and INFLATE_FAST_OUT bytes of
 * output room and of the message's limit, remain, so that no symbol can run
 * out of input or output or pass the limit halfway. It takes literals and
 * valid matches only; at end-of-block, at an invalid code or distance, or
 * at a distance further back than the window holds, it stops with the state
 * as it was before that symbol, and inflateCodes decodes it (and reports
 * it) as it always does. So the results are inflateCodes' alone; only more
 * input may wait in the bit buffer (at most 22 bits, as inflateNeed leaves).
 * As in zlib, matches copy from the output this call wrote where they can
 * and from the window only for bytes before it; the window takes the last
 * INFLATE_WINDOW_SIZE bytes written once, at the end. The tables and the
 * window come as parameters so that SourcePawn reads them without the
 * record's offset on every access.
 */
function inflateFast(
  s: Inflater,
  inp: Readonly<Uint8Array>,
  out: Uint8Array,
  window: Uint8Array,
  litFast: Readonly<Int32Array>,
  litCount: Readonly<Int32Array>,
  litSym: Readonly<Int32Array>,
  distFast: Readonly<Int32Array>,
  distCount: Readonly<Int32Array>,
  distSym: Readonly<Int32Array>,
): void {
  const o0 = s.outPos;
  const room = s.limit - s.total < s.outEnd - o0 ? s.limit - s.total : s.outEnd - o0;
  const oStop = o0 + room - INFLATE_FAST_OUT;
  const inStop = s.inEnd - INFLATE_FAST_IN;
  const mask = INFLATE_WINDOW_SIZE - 1;
  // History before this call; the bytes written here add to it (winFill is capped below).
  const fillBase = s.winFill - o0;
  let buf = s.bitBuf;
  let cnt = s.bitCnt;
  let pos = s.inPos;
  let o = o0;
  const wp0 = s.winPos;
  while (o <= oStop && pos <= inStop) {
    while (cnt < 15) {
      buf |= inp[pos] << cnt;
      pos++;
      cnt += 8;
    }
    let e = litFast[buf & ((1 << INFLATE_LIT_FAST_BITS) - 1)];
    if (e === 0) {
      e = inflateDecodeSlow(litCount, litSym, buf, cnt);
      if (e < 0) {
        break;
      }
    }
    const sym = e >> 4;
    if (sym < 256) {
      buf >>= e & 15;
      cnt -= e & 15;
      out[o] = sym;
      o++;
      continue;
    }
    if (sym === 256 || sym > 285) {
      break;
    }
    // A match: kept undone (buf, cnt, pos as before its code) until it proves valid.
    let b = buf >> (e & 15);
    let c = cnt - (e & 15);
    let p = pos;
    while (c < 15) {
      b |= inp[p] << c;
      p++;
      c += 8;
    }
    const lenExtra = INFLATE_LEN_EXTRA[sym - 257];
    const len = INFLATE_LEN_BASE[sym - 257] + (b & ((1 << lenExtra) - 1));
    b >>= lenExtra;
    c -= lenExtra;
    while (c < 15) {
      b |= inp[p] << c;
      p++;
      c += 8;
    }
    let d = distFast[b & ((1 << INFLATE_DIST_FAST_BITS) - 1)];
    if (d === 0) {
      d = inflateDecodeSlow(distCount, distSym, b, c);
    }
    if (d < 0 || d >> 4 >= 30) {
      break;
    }
    b >>= d & 15;
    c -= d & 15;
    while (c < 15) {
      b |= inp[p] << c;
      p++;
      c += 8;
    }
    const distExtra = INFLATE_DIST_EXTRA[d >> 4];
    const dist = INFLATE_DIST_BASE[d >> 4] + (b & ((1 << distExtra) - 1));
    if (dist > fillBase + o || dist > INFLATE_WINDOW_SIZE) {
      break;
    }
    buf = b >> distExtra;
    cnt = c - distExtra;
    pos = p;
    // The match's bytes before this call's output come from the window (the byte before o0 is at wp0 - 1).
    const before = o0 - (o - dist);
    let i = 0;
    if (before > 0) {
      const k = before < len ? before : len;
      let from = (wp0 - before) & mask;
      for (; i < k; i++) {
        out[o + i] = window[from];
        from = (from + 1) & mask;
      }
    }
    // Byte by byte in order: a match may overlap the bytes it produces (distance < length), so each byte may read
    // one this loop has just written. SourcePawn copies with literal indices (the copies stay in this order).
    const from = o - dist;
    // @spgen unroll 16 4 outline
    for (let j = i; j < len; j++) {
      out[o + j] = out[from + j];
    }
    o += len;
  }
  const made = o - o0;
  const keep = made < INFLATE_WINDOW_SIZE ? made : INFLATE_WINDOW_SIZE;
  let to = (wp0 + made - keep) & mask;
  for (let k = o - keep; k < o; k++) {
    window[to] = out[k];
    to = (to + 1) & mask;
  }
  s.bitBuf = buf;
  s.bitCnt = cnt;
  s.inPos = pos;
  s.outPos = o;
  s.winPos = (wp0 + made) & mask;
  s.total += made;
  s.winFill = fillBase + o > INFLATE_WINDOW_SIZE ? INFLATE_WINDOW_SIZE : fillBase + o;
}

/** The extra bits of a length code. Returns -1 to go on, or an InflateResult. */
function inflateLenExtra(s: Inflater, inp: Readonly<Uint8Array>): number {
  const extra = INFLATE_LEN_EXTRA[s.sym];
  if (!inflateNeed(s, inp, extra)) {
    return InflateResult.NeedInput;
  }
  s.matchLen = INFLATE_LEN_BASE[s.sym] + (s.bitBuf & ((1 << extra) - 1));
  inflateDrop(s, extra);
  s.state = InflateState.DistCode;
  return -1;
}

/** A distance code. Returns -1 to go on, or an InflateResult. */
function inflateDistCode(s: Inflater, inp: Readonly<Uint8Array>): number {
  inflateNeed(s, inp, 15);
  const p = inflatePeek(s, s.distCount, s.distSym, s.distFast, INFLATE_DIST_FAST_BITS);
  if (p === -2 || (p >= 0 && p >> 4 >= 30)) {
    return inflateFail(s, InflateError.InvalidDistance);
  }
  if (p === -1) {
    return InflateResult.NeedInput;
  }
  inflateDrop(s, p & 15);
  s.sym = p >> 4;
  s.state = InflateState.DistExtra;
  return -1;
}

/** The extra bits of a distance code, checked against the history and the limit. Returns -1 to go on, or an InflateResult. */
function inflateDistExtra(s: Inflater, inp: Readonly<Uint8Array>): number {
  const extra = INFLATE_DIST_EXTRA[s.sym];
  if (!inflateNeed(s, inp, extra)) {
    return InflateResult.NeedInput;
  }
  const dist = INFLATE_DIST_BASE[s.sym] + (s.bitBuf & ((1 << extra) - 1));
  inflateDrop(s, extra);
  if (dist > s.winFill) {
    return inflateFail(s, InflateError.DistanceTooFar);
  }
  if (s.matchLen > s.limit - s.total) {
    // Refused before any byte of the match is written.
    return inflateFail(s, InflateError.TooBig);
  }
  s.matchDist = dist;
  s.state = InflateState.Copy;
  return -1;
}

/** Copies the match from the window. Returns -1 to go on, or an InflateResult. */
function inflateCopy(s: Inflater, out: Uint8Array): number {
  let n = s.matchLen;
  const room = s.outEnd - s.outPos;
  if (n > room) {
    n = room;
  }
  const mask = INFLATE_WINDOW_SIZE - 1;
  let from = (s.winPos - s.matchDist) & mask;
  let to = s.winPos;
  const o = s.outPos;
  // Byte by byte: a match may overlap the bytes it produces (distance < length).
  for (let i = 0; i < n; i++) {
    const b = s.window[from];
    out[o + i] = b;
    s.window[to] = b;
    from = (from + 1) & mask;
    to = (to + 1) & mask;
  }
  s.winPos = to;
  s.outPos = o + n;
  s.total += n;
  s.winFill = s.winFill > INFLATE_WINDOW_SIZE - n ? INFLATE_WINDOW_SIZE : s.winFill + n;
  s.matchLen -= n;
  if (s.matchLen > 0) {
    return InflateResult.OutputFull;
  }
  s.state = InflateState.Codes;
  return -1;
}

/**
 * Inflates raw DEFLATE data inp[inOff..inOff+inLen) into out[outOff..outOff+outLen)
 * (RFC 1951 §3.2), continuing where the last call stopped. Returns an
 * InflateResult; s.inUsed and s.outMade say how many input bytes were used
 * and output bytes written by this call. NeedInput: all input used, all
 * output written. OutputFull: call again with new output space and
 * inp[inOff + s.inUsed..). End: a BFINAL block ended (RFC 7692 allows it; the
 * rest of the message is ignored). Error: s.error (an InflateError; TooBig
 * when the message would pass the limit given to inflateMessageStart, checked
 * before the byte is written). Every later call returns Error.
 */
export function inflateRun(
  s: Inflater,
  inp: Readonly<Uint8Array>,
  inOff: number,
  inLen: number,
  out: Uint8Array,
  outOff: number,
  outLen: number,
): number {
  s.inPos = inOff;
  s.inEnd = inOff + inLen;
  s.outPos = outOff;
  s.outEnd = outOff + outLen;
  let r = -1;
  while (r < 0) {
    switch (s.state) {
      case InflateState.Header:
        r = inflateHeader(s, inp);
        break;
      case InflateState.StoredLen:
      case InflateState.StoredNlen:
        r = inflateStoredLength(s, inp);
        break;
      case InflateState.Stored:
        r = inflateStored(s, inp, out);
        break;
      case InflateState.DynCounts:
        r = inflateDynCounts(s, inp);
        break;
      case InflateState.DynClen:
        r = inflateDynClen(s, inp);
        break;
      case InflateState.DynLens:
        r = inflateDynLens(s, inp);
        break;
      case InflateState.Codes:
        r = inflateCodes(s, inp, out);
        break;
      case InflateState.LenExtra:
        r = inflateLenExtra(s, inp);
        break;
      case InflateState.DistCode:
        r = inflateDistCode(s, inp);
        break;
      case InflateState.DistExtra:
        r = inflateDistExtra(s, inp);
        break;
      case InflateState.Copy:
        r = inflateCopy(s, out);
        break;
      case InflateState.Done:
        r = InflateResult.End;
        break;
      default:
        r = InflateResult.Error;
        break;
    }
  }
  s.inUsed = s.inPos - inOff;
  s.outMade = s.outPos - outOff;
  return r;
}

/**
 * Ends a message (RFC 7692 §7.2.2): feeds the 00 00 ff ff tail, which must
 * complete an empty stored block at the end of the message's data, or
 * follows a BFINAL block (then it is ignored). Call it after the message's
 * last inflateRun returned NeedInput or End. Returns true, or false with
 * s.error set (Truncated when the data does not end where a block may end).
 */
export function inflateFinish(s: Inflater): boolean {
  if (s.state === InflateState.Failed) {
    return false;
  }
  if (s.state === InflateState.Done) {
    return true;
  }
  const tail = new Uint8Array(4);
  tail[2] = 255;
  tail[3] = 255;
  const none = new Uint8Array(1);
  const r = inflateRun(s, tail, 0, 4, none, 0, 0);
  if (r === InflateResult.Error) {
    return false;
  }
  if (r === InflateResult.End || (r === InflateResult.NeedInput && s.state === InflateState.Header && s.bitCnt === 0)) {
    return true;
  }
  inflateFail(s, InflateError.Truncated);
  return false;
}

/**
 * One whole compressed message in one buffer: starts a message, inflates
 * inp[inOff..inOff+inLen) into out[outOff..outOff+outCap) (the limit is outCap)
 * and finishes it (RFC 7692 §7.2.2). Returns the decompressed length, or
 * -InflateError (-InflateError.TooBig when it would be longer than outCap;
 * nothing past out[outOff + outCap - 1] is ever written). The window is kept for
 * the next message; call inflateReset first when the peer does not take over
 * its context.
 */
export function inflateMessage(
  s: Inflater,
  inp: Readonly<Uint8Array>,
  inOff: number,
  inLen: number,
  out: Uint8Array,
  outOff: number,
  outCap: number,
): number {
  inflateMessageStart(s, outCap);
  const r = inflateRun(s, inp, inOff, inLen, out, outOff, outCap);
  if (r === InflateResult.Error) {
    return -s.error;
  }
  if (r === InflateResult.OutputFull) {
    // Unreachable with limit = outCap (TooBig is checked first); kept as an error.
    inflateFail(s, InflateError.TooBig);
    return -s.error;
  }
  if (!inflateFinish(s)) {
    return -s.error;
  }
  return s.total;
}
