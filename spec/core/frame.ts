/**
 * RFC 6455 §5.2 frame layout on the sending side: header encoding, masking
 * (§5.3) and complete masked client frames.
 *
 * Lengths are ints (0 .. 2^31-1): a client never sends more than that, so the
 * 64-bit length form always has a zero high word.
 */

/** Frame opcodes (RFC 6455 §5.2, §11.8). 3-7 and 11-15 are reserved. */
export const enum Opcode {
  Continuation = 0,
  Text = 1,
  Binary = 2,
  Close = 8,
  Ping = 9,
  Pong = 10,
}

/** Largest payload of a control frame (close, ping, pong), RFC 6455 §5.5. */
export const MAX_CONTROL_PAYLOAD = 125;

/** Largest frame header: 2 fixed bytes, an 8-byte extended length and a 4-byte mask key. */
export const MAX_FRAME_HEADER = 14;

/** Largest payload length that fits the 7-bit length field. */
export const FRAME_LEN7_MAX = 125;

/** 7-bit length value announcing a 16-bit extended length. */
export const FRAME_LEN16_MARK = 126;

/** 7-bit length value announcing a 64-bit extended length. */
export const FRAME_LEN64_MARK = 127;

/** Largest payload length that fits the 16-bit extended length field. */
export const FRAME_LEN16_MAX = 65535;

/** FIN bit in the first header byte. */
export const FRAME_FIN_BIT = 0x80;

/** RSV1, RSV2 and RSV3 bits in the first header byte (extensions only). */
export const FRAME_RSV_BITS = 0x70;

/** RSV1 bit in the first header byte: "Per-Message Compressed" under permessage-deflate (RFC 7692 §6). */
export const FRAME_RSV1_BIT = 0x40;

/** MASK bit in the second header byte. */
export const FRAME_MASK_BIT = 0x80;

/** True for opcodes 8-15 (control frames), RFC 6455 §5.5. @spgen inline */
export function opcodeIsControl(opcode: number): boolean {
  return (opcode & 8) !== 0;
}

/** True for the six opcodes RFC 6455 defines; the others are reserved and fail the connection. @spgen inline */
export function opcodeIsKnown(opcode: number): boolean {
  return (
    opcode === Opcode.Continuation ||
    opcode === Opcode.Text ||
    opcode === Opcode.Binary ||
    opcode === Opcode.Close ||
    opcode === Opcode.Ping ||
    opcode === Opcode.Pong
  );
}

/**
 * Size in bytes of the header of a frame with `payloadLen` payload bytes
 * (minimal length encoding), with room for a mask key when `masked`.
 */
export function frameHeaderSize(payloadLen: number, masked: boolean): number {
  let size = 2;
  if (payloadLen > FRAME_LEN16_MAX) {
    size += 8;
  } else if (payloadLen > FRAME_LEN7_MAX) {
    size += 2;
  }
  if (masked) {
    size += 4;
  }
  return size;
}

/**
 * Writes a frame header at out[off..] and returns the number of bytes written
 * (frameHeaderSize(payloadLen, masked), at most MAX_FRAME_HEADER). The length
 * uses the shortest form, as RFC 6455 §5.2 requires; the 64-bit form writes a
 * zero high word because payloadLen is a non-negative int. When `masked`, the
 * four key bytes maskKey[keyOff..keyOff+4) follow the length. RSV bits are 0
 * (connEncodeDeflated sets RSV1 on a compressed message's frame afterwards,
 * RFC 7692 §6). The caller guarantees the room.
 */
export function frameEncodeHeader(
  out: Uint8Array,
  off: number,
  fin: boolean,
  opcode: number,
  masked: boolean,
  payloadLen: number,
  maskKey: Readonly<Uint8Array>,
  keyOff: number,
): number {
  let o = off;
  out[o] = (fin ? FRAME_FIN_BIT : 0) | (opcode & 15);
  o++;
  const maskBit = masked ? FRAME_MASK_BIT : 0;
  if (payloadLen <= FRAME_LEN7_MAX) {
    out[o] = maskBit | payloadLen;
    o++;
  } else if (payloadLen <= FRAME_LEN16_MAX) {
    out[o] = maskBit | FRAME_LEN16_MARK;
    out[o + 1] = payloadLen >> 8;
    out[o + 2] = payloadLen;
    o += 3;
  } else {
    out[o] = maskBit | FRAME_LEN64_MARK;
    out[o + 1] = 0;
    out[o + 2] = 0;
    out[o + 3] = 0;
    out[o + 4] = 0;
    out[o + 5] = payloadLen >>> 24;
    out[o + 6] = payloadLen >> 16;
    out[o + 7] = payloadLen >> 8;
    out[o + 8] = payloadLen;
    o += 9;
  }
  if (masked) {
    out[o] = maskKey[keyOff];
    out[o + 1] = maskKey[keyOff + 1];
    out[o + 2] = maskKey[keyOff + 2];
    out[o + 3] = maskKey[keyOff + 3];
    o += 4;
  }
  return o - off;
}

/**
 * Masks (or unmasks: XOR is its own inverse) buf[off..off+len) in place with
 * the key maskKey[keyOff..keyOff+4), RFC 6455 §5.3: byte i is XORed with
 * key[(phase + i) & 3]. `phase` is the number of payload bytes masked before
 * this piece, so a payload can be masked in several pieces.
 */
export function maskBytes(
  buf: Uint8Array,
  off: number,
  len: number,
  key: Readonly<Uint8Array>,
  keyOff: number,
  phase: number,
): void {
  // @spgen unroll 64 16 4 outline: the four key bytes, rotated by the phase, are then read once before the loops.
  for (let i = 0; i < len; i++) {
    buf[off + i] ^= key[keyOff + ((phase + i) & 3)];
  }
}

/**
 * The header size of a whole frame of pLen payload bytes written at
 * out[off..cap), or -1 when it cannot be written: off or pLen negative, a
 * control frame over MAX_CONTROL_PAYLOAD bytes (RFC 6455 §5.5), or no room.
 */
function frameFits(off: number, cap: number, opcode: number, pLen: number, masked: boolean): number {
  if (off < 0 || pLen < 0) {
    return -1;
  }
  if (opcodeIsControl(opcode) && pLen > MAX_CONTROL_PAYLOAD) {
    return -1;
  }
  const hlen = frameHeaderSize(pLen, masked);
  if (hlen > cap - off || pLen > cap - off - hlen) {
    return -1;
  }
  return hlen;
}

/**
 * Writes one complete client frame at out[off..]: FIN set, the given opcode,
 * a masked header with the key maskKey[keyOff..keyOff+4), then the payload
 * payload[pOff..pOff+pLen) masked with that key (the payload itself is left
 * unchanged). Returns the number of bytes written, or -1 when the frame does
 * not fit in `cap` (the capacity of out counted from index 0), when pLen is
 * negative, or when a control opcode gets more than MAX_CONTROL_PAYLOAD bytes.
 * The key must be fresh and unpredictable for every frame (RFC 6455 §5.3); it
 * is passed in because the core has no randomness.
 */
export function frameEncode(
  out: Uint8Array,
  off: number,
  cap: number,
  opcode: number,
  payload: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
  maskKey: Readonly<Uint8Array>,
  keyOff: number,
): number {
  const hlen = frameFits(off, cap, opcode, pLen, true);
  if (hlen < 0) {
    return -1;
  }
  frameEncodeHeader(out, off, true, opcode, true, pLen, maskKey, keyOff);
  const p = off + hlen;
  // @spgen unroll 64 16 4 outline: the four key bytes are then read once before the loops.
  for (let i = 0; i < pLen; i++) {
    out[p + i] = payload[pOff + i] ^ maskKey[keyOff + (i & 3)];
  }
  return hlen + pLen;
}

/**
 * Writes one complete unmasked frame (FIN set) with payload
 * payload[pOff..pOff+pLen) into out[off..cap): what a server sends (RFC 6455
 * §5.1: a server MUST NOT mask its frames). Returns the number of bytes
 * written, or -1 under the same conditions as frameEncode.
 */
export function frameEncodeServer(
  out: Uint8Array,
  off: number,
  cap: number,
  opcode: number,
  payload: Readonly<Uint8Array>,
  pOff: number,
  pLen: number,
): number {
  const hlen = frameFits(off, cap, opcode, pLen, false);
  if (hlen < 0) {
    return -1;
  }
  frameEncodeHeader(out, off, true, opcode, false, pLen, payload, pOff);
  const p = off + hlen;
  // @spgen unroll 4
  for (let i = 0; i < pLen; i++) {
    out[p + i] = payload[pOff + i];
  }
  return hlen + pLen;
}
