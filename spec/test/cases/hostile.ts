/**
 * Hostile server streams: what a (possibly broken) WebSocket server sends to
 * the client after the opening handshake, and what the client must make of it.
 *
 * The rows follow the Autobahn TestSuite case groups 1-7 and 9 in spirit (the
 * numbering mirrors Autobahn's where a row corresponds to one of its cases):
 *   1 framing: text/binary payload sizes and length forms, bad headers
 *   2 ping/pong: payload sizes up to 125, 126 (too big), unsolicited pongs
 *   3 reserved bits, 4 reserved opcodes
 *   5 fragmentation: interleaved control frames, bad continuations
 *   6 UTF-8: valid and invalid text, code points split across frames, fail-fast
 *   7 close: codes, payload shapes, reasons, data after the close
 *   9 large messages in frames of varied sizes, and the size limit (1009)
 *
 * This file is pure data (built deterministically when imported) so it can be
 * replayed both through the decoder directly and over a real TCP connection.
 * Every row that does not fail ends with a close frame from the server, so a
 * TCP replay knows when the stream is over.
 *
 * Expectations, in stream order:
 *   events     what the client reports: messages ({type, len} plus the payload
 *              as hex, or its SHA-1 for payloads above HEX_LIMIT bytes), pings
 *              and pongs (payload hex) and the close (code, 1005 when the
 *              frame had no payload, and reason hex). Nothing after a close.
 *   fail       the close code the client must fail the connection with
 *              (1002 protocol error, 1007 invalid UTF-8, 1009 too big), after
 *              the events. Absent when the stream is valid.
 *   failAfter  how many bytes of the stream the client needs to read before the
 *              failure is certain: the offending byte is bytes[failAfter - 1].
 *              A client must fail at that point, without waiting for more data.
 *   maxMessage the client's message size limit for this row (default
 *              HOSTILE_MAX_MESSAGE).
 */

import { createHash } from "node:crypto";

/** A message delivered to the application. */
export interface HostileMessage {
  kind: "message";
  type: "text" | "binary";
  len: number;
  /** The payload, when len <= HEX_LIMIT. */
  hex?: string;
  /** SHA-1 of the payload (hex), when len > HEX_LIMIT. */
  sha1?: string;
}

/** A ping or pong frame received, with its payload. */
export interface HostileControl {
  kind: "ping" | "pong";
  hex: string;
}

/** The server's close frame. */
export interface HostileClose {
  kind: "close";
  code: number;
  reasonHex: string;
}

export type HostileEvent = HostileMessage | HostileControl | HostileClose;

export interface HostileCase {
  name: string;
  group: string;
  /** What the server sends after the handshake. */
  bytes: Buffer;
  /** The client's message size limit; HOSTILE_MAX_MESSAGE when absent. */
  maxMessage?: number;
  expect: { events: HostileEvent[]; fail?: number; failAfter?: number };
}

/** Default message size limit of the client in these rows. */
export const HOSTILE_MAX_MESSAGE = 8 * 1024 * 1024;

/** Payloads up to this many bytes are given as hex in the expectations, larger ones as SHA-1. */
export const HEX_LIMIT = 1024;

// Opcodes, close codes (written out here so the table does not depend on the code under test).
const CONT = 0;
const TEXT = 1;
const BIN = 2;
const CLOSE = 8;
const PING = 9;
const PONG = 10;
const PROTOCOL_ERROR = 1002;
const INVALID_PAYLOAD = 1007;
const TOO_BIG = 1009;

/** Options of one raw frame. */
export interface FrameOptions {
  /** FIN bit, default true. */
  fin?: boolean;
  /** RSV1..RSV3 as a 3-bit value (4 = RSV1, 2 = RSV2, 1 = RSV3), default 0. */
  rsv?: number;
  /** Mask key: sets the MASK bit and masks the payload (servers must not). */
  mask?: Buffer;
  /** Length form: 7, 16 or 64 bits; default the minimal one. */
  lenForm?: 7 | 16 | 64;
  /** Declared length when it differs from the payload (header-only frames). */
  declaredLen?: bigint;
}

/** Builds one frame as a server would send it (unmasked unless told otherwise). */
export function frame(opcode: number, payload: Buffer | string = Buffer.alloc(0), o: FrameOptions = {}): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const len = o.declaredLen ?? BigInt(body.length);
  const form = o.lenForm ?? (len < 126n ? 7 : len < 65536n ? 16 : 64);
  const b0 = ((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | (opcode & 15);
  const maskBit = o.mask ? 0x80 : 0;
  let head: Buffer;
  if (form === 7) {
    head = Buffer.from([b0, maskBit | Number(len)]);
  } else if (form === 16) {
    head = Buffer.alloc(4);
    head[0] = b0;
    head[1] = maskBit | 126;
    head.writeUInt16BE(Number(len), 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(len, 2);
  }
  if (!o.mask) {
    return Buffer.concat([head, body]);
  }
  const masked = Buffer.alloc(body.length);
  for (let i = 0; i < body.length; i++) {
    masked[i] = body[i] ^ o.mask[i & 3];
  }
  return Buffer.concat([head, o.mask, masked]);
}

/** Size of the header of a raw frame built by `frame`. */
export function headerSize(f: Buffer): number {
  const len7 = f[1] & 127;
  const masked = (f[1] & 0x80) !== 0 ? 4 : 0;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + masked;
}

/** A close frame with a code and an optional reason (raw bytes or text). */
export function closeFrame(code: number, reason: Buffer | string = ""): Buffer {
  const r = typeof reason === "string" ? Buffer.from(reason, "utf8") : reason;
  const p = Buffer.alloc(2 + r.length);
  p.writeUInt16BE(code, 0);
  r.copy(p, 2);
  return frame(CLOSE, p);
}

/** The normal end of a row: close 1000 with no reason. */
const END = closeFrame(1000);

function msg(type: "text" | "binary", payload: Buffer): HostileMessage {
  if (payload.length <= HEX_LIMIT) {
    return { kind: "message", type, len: payload.length, hex: payload.toString("hex") };
  }
  return { kind: "message", type, len: payload.length, sha1: createHash("sha1").update(payload).digest("hex") };
}

function textMsg(s: Buffer | string): HostileMessage {
  return msg("text", typeof s === "string" ? Buffer.from(s, "utf8") : s);
}

function binMsg(b: Buffer): HostileMessage {
  return msg("binary", b);
}

function pingEv(b: Buffer | string = ""): HostileControl {
  return { kind: "ping", hex: (typeof b === "string" ? Buffer.from(b, "utf8") : b).toString("hex") };
}

function pongEv(b: Buffer | string = ""): HostileControl {
  return { kind: "pong", hex: (typeof b === "string" ? Buffer.from(b, "utf8") : b).toString("hex") };
}

function closeEv(code: number, reason: Buffer | string = ""): HostileClose {
  return {
    kind: "close",
    code,
    reasonHex: (typeof reason === "string" ? Buffer.from(reason, "utf8") : reason).toString("hex"),
  };
}

const CLOSED_NORMALLY = closeEv(1000);

/** Total length of parts[0..n). */
function before(parts: Buffer[], n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    s += parts[i].length;
  }
  return s;
}

/** Deterministic bytes: every value 0..255 appears, NUL and 0xFF included. */
function binaryPattern(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = i % 7 === 0 ? (i % 14 === 0 ? 0x00 : 0xff) : x & 0xff;
  }
  return b;
}

/** Deterministic valid UTF-8 text of exactly n bytes, mixing 1- to 4-byte code points. */
function textPattern(n: number): Buffer {
  const unit = Buffer.from("Hello-µ@ßöäüàá-UTF-8!! κόσμε 😀 €∑ ", "utf8");
  const out = Buffer.alloc(n, 0x2a);
  let o = 0;
  while (o + unit.length <= n) {
    unit.copy(out, o);
    o += unit.length;
  }
  return out;
}

/** Splits a payload into frames of `size` bytes: first `opcode` (FIN=0), then continuations, last FIN=1. */
function fragments(opcode: number, payload: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  if (payload.length === 0) {
    return [frame(opcode, payload)];
  }
  for (let p = 0; p < payload.length; p += size) {
    const last = p + size >= payload.length;
    out.push(frame(p === 0 ? opcode : CONT, payload.subarray(p, p + size), { fin: last }));
  }
  return out;
}

export const hostileCases: HostileCase[] = [];

function add(
  group: string,
  name: string,
  parts: Buffer[],
  events: HostileEvent[],
  fail?: { code: number; after: number },
  maxMessage?: number,
): void {
  const row: HostileCase = { name, group, bytes: Buffer.concat(parts), expect: { events } };
  if (fail) {
    row.expect.fail = fail.code;
    row.expect.failAfter = fail.after;
  }
  if (maxMessage !== undefined) {
    row.maxMessage = maxMessage;
  }
  hostileCases.push(row);
}

/** The failure is detected at the first header byte of parts[i]. */
function atByte0(parts: Buffer[], i: number, code = PROTOCOL_ERROR): { code: number; after: number } {
  return { code, after: before(parts, i) + 1 };
}

/** The failure is detected at the second header byte of parts[i]. */
function atByte1(parts: Buffer[], i: number, code = PROTOCOL_ERROR): { code: number; after: number } {
  return { code, after: before(parts, i) + 2 };
}

/** The failure is detected when the header of parts[i] is complete. */
function atHeaderEnd(parts: Buffer[], i: number, code: number): { code: number; after: number } {
  return { code, after: before(parts, i) + headerSize(parts[i]) };
}

/** The failure is detected when all of parts[i] has arrived. */
function atFrameEnd(parts: Buffer[], i: number, code: number): { code: number; after: number } {
  return { code, after: before(parts, i + 1) };
}

/** The failure is detected at payload byte `k` of parts[i]. */
function atPayloadByte(parts: Buffer[], i: number, k: number, code: number): { code: number; after: number } {
  return { code, after: before(parts, i) + headerSize(parts[i]) + k + 1 };
}

// ---------------------------------------------------------------- 1 framing

{
  const sizes = [0, 1, 125, 126, 127, 128, 65535, 65536];
  sizes.forEach((n, i) => {
    const t = textPattern(n);
    add("1", `1.1.${i + 1} text message of ${n} bytes`, [frame(TEXT, t), END], [textMsg(t), CLOSED_NORMALLY]);
  });
  sizes.forEach((n, i) => {
    const b = binaryPattern(n, n + 1);
    add("1", `1.2.${i + 1} binary message of ${n} bytes`, [frame(BIN, b), END], [binMsg(b), CLOSED_NORMALLY]);
  });
  {
    const b = Buffer.from([0, 0, 0xff, 0, 0xfe, 0xff, 0, 0x80, 0x7f]);
    add("1", "1.2.9 binary message with NUL and 0xFF bytes", [frame(BIN, b), END], [binMsg(b), CLOSED_NORMALLY]);
  }
  {
    const t = Buffer.from("a\u0000b\u0000", "utf8");
    add("1", "1.1.9 text message with NUL characters", [frame(TEXT, t), END], [textMsg(t), CLOSED_NORMALLY]);
  }
  {
    const parts: Buffer[] = [];
    const events: HostileEvent[] = [];
    for (let i = 0; i < 50; i++) {
      const t = `message ${i}`;
      parts.push(i % 2 === 0 ? frame(TEXT, t) : frame(BIN, Buffer.from(t)));
      events.push(i % 2 === 0 ? textMsg(t) : binMsg(Buffer.from(t)));
    }
    parts.push(END);
    events.push(CLOSED_NORMALLY);
    add("1", "1.3.1 fifty small messages back to back", parts, events);
  }
  {
    const parts = [frame(TEXT, "Hello", { mask: Buffer.from([0x37, 0xfa, 0x21, 0x3d]) }), END];
    add("1", "1.4.1 masked frame from the server", parts, [], atByte1(parts, 0));
  }
  {
    const parts = [frame(TEXT, "ok"), frame(BIN, Buffer.from([1, 2, 3]), { mask: Buffer.from([1, 2, 3, 4]) }), END];
    add("1", "1.4.2 masked binary frame after a valid message", parts, [textMsg("ok")], atByte1(parts, 1));
  }
  {
    const parts = [frame(TEXT, "Hello", { lenForm: 16 }), END];
    add("1", "1.5.1 length 5 in the 16-bit form (not minimal)", parts, [], atHeaderEnd(parts, 0, PROTOCOL_ERROR));
  }
  {
    const parts = [frame(TEXT, "x".repeat(125), { lenForm: 16 }), END];
    add("1", "1.5.2 length 125 in the 16-bit form (not minimal)", parts, [], atHeaderEnd(parts, 0, PROTOCOL_ERROR));
  }
  {
    const parts = [frame(BIN, binaryPattern(200), { lenForm: 64 }), END];
    add("1", "1.5.3 length 200 in the 64-bit form (not minimal)", parts, [], atHeaderEnd(parts, 0, PROTOCOL_ERROR));
  }
  {
    const parts = [frame(BIN, binaryPattern(65535), { lenForm: 64 }), END];
    add("1", "1.5.4 length 65535 in the 64-bit form (not minimal)", parts, [], atHeaderEnd(parts, 0, PROTOCOL_ERROR));
  }
  {
    const t = textPattern(126);
    add(
      "1",
      "1.5.5 length 126 in the 16-bit form (minimal)",
      [frame(TEXT, t, { lenForm: 16 }), END],
      [textMsg(t), CLOSED_NORMALLY],
    );
  }
  {
    const parts = [frame(BIN, Buffer.alloc(0), { declaredLen: 1n << 63n }), END];
    add("1", "1.6.1 64-bit length with the most significant bit set", parts, [], atHeaderEnd(parts, 0, PROTOCOL_ERROR));
  }
  {
    const parts = [frame(BIN, Buffer.alloc(0), { declaredLen: 1n << 31n }), END];
    add("1", "1.6.2 64-bit length of 2^31 (too big for an int)", parts, [], atHeaderEnd(parts, 0, TOO_BIG));
  }
  {
    const parts = [frame(TEXT, "hi"), frame(TEXT, Buffer.alloc(0), { declaredLen: 0xffffffffn }), END];
    add("1", "1.6.3 64-bit length of 2^32-1 after a message", parts, [textMsg("hi")], atHeaderEnd(parts, 1, TOO_BIG));
  }
  {
    const parts = [frame(BIN, Buffer.alloc(0), { declaredLen: 0x7fffffffffffffffn }), END];
    add("1", "1.6.4 64-bit length of 2^63-1", parts, [], atHeaderEnd(parts, 0, TOO_BIG));
  }
}

// ---------------------------------------------------------------- 2 ping/pong

{
  add("2", "2.1 ping without payload", [frame(PING), END], [pingEv(), CLOSED_NORMALLY]);
  add(
    "2",
    "2.2 ping with a text payload",
    [frame(PING, "Hello, world!"), END],
    [pingEv("Hello, world!"), CLOSED_NORMALLY],
  );
  {
    const b = Buffer.from([0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff]);
    add("2", "2.3 ping with a binary payload", [frame(PING, b), END], [pingEv(b), CLOSED_NORMALLY]);
  }
  {
    const b = binaryPattern(125, 7);
    add("2", "2.4 ping with a 125-byte payload", [frame(PING, b), END], [pingEv(b), CLOSED_NORMALLY]);
  }
  {
    const parts = [frame(PING, binaryPattern(126, 8)), END];
    add("2", "2.5 ping with a 126-byte payload", parts, [], atByte1(parts, 0));
  }
  {
    const parts = [frame(TEXT, "a"), frame(PING, Buffer.alloc(0), { lenForm: 16, declaredLen: 3n }), END];
    add("2", "2.5.2 ping with the 16-bit length form", parts, [textMsg("a")], atByte1(parts, 1));
  }
  add("2", "2.7 unsolicited pong without payload", [frame(PONG), END], [pongEv(), CLOSED_NORMALLY]);
  add(
    "2",
    "2.8 unsolicited pong with payload",
    [frame(PONG, "unsolicited pong payload"), END],
    [pongEv("unsolicited pong payload"), CLOSED_NORMALLY],
  );
  add(
    "2",
    "2.9 unsolicited pong, then ping",
    [frame(PONG, "unsolicited"), frame(PING, "ping"), END],
    [pongEv("unsolicited"), pingEv("ping"), CLOSED_NORMALLY],
  );
  {
    const parts: Buffer[] = [];
    const events: HostileEvent[] = [];
    for (let i = 0; i < 10; i++) {
      parts.push(frame(PING, `payload-${i}`));
      events.push(pingEv(`payload-${i}`));
    }
    parts.push(END);
    events.push(CLOSED_NORMALLY);
    add("2", "2.10 ten pings back to back", parts, events);
  }
  {
    const parts = [frame(PONG, binaryPattern(126, 9)), END];
    add("2", "2.12 pong with a 126-byte payload", parts, [], atByte1(parts, 0));
  }
}

// ---------------------------------------------------------------- 3 reserved bits

{
  const cases: Array<[string, number, number, Buffer | string]> = [
    ["3.1 RSV1 on a text frame", 4, TEXT, "Hello"],
    ["3.2 RSV2 on a text frame", 2, TEXT, "Hello"],
    ["3.3 RSV3 on a text frame", 1, TEXT, "Hello"],
    ["3.4 RSV1+RSV3 on a text frame", 5, TEXT, "Hello"],
    ["3.5 RSV1+RSV2 on a binary frame", 6, BIN, Buffer.from([0, 0xff])],
    ["3.6 RSV1+RSV2+RSV3 on a ping", 7, PING, "ping"],
    ["3.7 RSV2+RSV3 on a close", 3, CLOSE, Buffer.from([0x03, 0xe8])],
  ];
  for (const [name, rsv, op, payload] of cases) {
    const parts = [frame(TEXT, "before"), frame(op, payload, { rsv }), frame(PING, "after"), END];
    add("3", name, parts, [textMsg("before")], atByte0(parts, 1));
  }
  {
    const parts = [frame(TEXT, "Hel", { fin: false }), frame(CONT, "lo", { rsv: 4 }), END];
    add("3", "3.8 RSV1 on a continuation frame", parts, [], atByte0(parts, 1));
  }
}

// ---------------------------------------------------------------- 4 reserved opcodes

{
  [3, 4, 5, 6, 7].forEach((op, i) => {
    const parts = [frame(TEXT, "before"), frame(op, i % 2 === 0 ? "" : "reserved"), frame(PING, "after"), END];
    add("4", `4.1.${i + 1} reserved data opcode ${op}`, parts, [textMsg("before")], atByte0(parts, 1));
  });
  [11, 12, 13, 14, 15].forEach((op, i) => {
    const parts = [frame(TEXT, "before"), frame(op, i % 2 === 0 ? "" : "reserved"), frame(PING, "after"), END];
    add("4", `4.2.${i + 1} reserved control opcode ${op}`, parts, [textMsg("before")], atByte0(parts, 1));
  });
  {
    const parts = [frame(TEXT, "Hel", { fin: false }), frame(5, "x"), END];
    add("4", "4.3.1 reserved opcode inside a fragmented message", parts, [], atByte0(parts, 1));
  }
}

// ---------------------------------------------------------------- 5 fragmentation

{
  {
    const parts = [frame(PING, "frag", { fin: false }), frame(CONT, "ment"), END];
    add("5", "5.1 fragmented ping", parts, [], atByte0(parts, 0));
  }
  {
    const parts = [frame(PONG, "frag", { fin: false }), frame(CONT, "ment"), END];
    add("5", "5.2 fragmented pong", parts, [], atByte0(parts, 0));
  }
  {
    const parts = [frame(CLOSE, Buffer.from([0x03, 0xe8]), { fin: false }), frame(CONT, ""), END];
    add("5", "5.2.2 fragmented close", parts, [], atByte0(parts, 0));
  }
  add(
    "5",
    "5.3 text in two fragments",
    [frame(TEXT, "frag", { fin: false }), frame(CONT, "ment1"), END],
    [textMsg("fragment1"), CLOSED_NORMALLY],
  );
  {
    const t = "fragmented into one-byte frames";
    add(
      "5",
      "5.5 text in one-byte fragments",
      [...fragments(TEXT, Buffer.from(t), 1), END],
      [textMsg(t), CLOSED_NORMALLY],
    );
  }
  add(
    "5",
    "5.6 text in two fragments with a ping in between",
    [frame(TEXT, "frag", { fin: false }), frame(PING, "ping"), frame(CONT, "ment1"), END],
    [pingEv("ping"), textMsg("fragment1"), CLOSED_NORMALLY],
  );
  add(
    "5",
    "5.8 text in two fragments with a pong in between",
    [frame(TEXT, "frag", { fin: false }), frame(PONG, "pong"), frame(CONT, "ment1"), END],
    [pongEv("pong"), textMsg("fragment1"), CLOSED_NORMALLY],
  );
  {
    const parts = [frame(CONT, "non-continuation payload"), frame(TEXT, "Hello, world!"), END];
    add("5", "5.9 continuation (FIN) with no message open", parts, [], atByte0(parts, 0));
  }
  {
    const parts = [frame(CONT, "non-continuation payload", { fin: false }), frame(TEXT, "Hello, world!"), END];
    add("5", "5.12 continuation (no FIN) with no message open", parts, [], atByte0(parts, 0));
  }
  {
    const parts = [frame(TEXT, "Hello, world!"), frame(CONT, "after a complete message"), END];
    add("5", "5.14 continuation after a complete message", parts, [textMsg("Hello, world!")], atByte0(parts, 1));
  }
  {
    const parts = [
      frame(TEXT, "fragment1", { fin: false }),
      frame(CONT, "fragment2"),
      frame(CONT, "fragment3", { fin: false }),
      frame(TEXT, "fragment4"),
      END,
    ];
    add("5", "5.15 continuation after the message finished", parts, [textMsg("fragment1fragment2")], atByte0(parts, 2));
  }
  {
    const parts = [frame(TEXT, "fragment1", { fin: false }), frame(TEXT, "fragment2", { fin: false }), END];
    add("5", "5.16 text frame while a text message is open", parts, [], atByte0(parts, 1));
  }
  {
    const parts = [
      frame(TEXT, "fragment1", { fin: false }),
      frame(CONT, "fragment2", { fin: false }),
      frame(BIN, "x"),
      END,
    ];
    add("5", "5.17 binary frame while a text message is open", parts, [], atByte0(parts, 2));
  }
  {
    const parts = [frame(BIN, "fragment1", { fin: false }), frame(TEXT, "fragment2"), END];
    add("5", "5.18 text frame (FIN) while a binary message is open", parts, [], atByte0(parts, 1));
  }
  add(
    "5",
    "5.19 text in five fragments with pings in between",
    [
      frame(TEXT, "fragment1", { fin: false }),
      frame(CONT, "fragment2", { fin: false }),
      frame(PING, "pongme 1!"),
      frame(CONT, "fragment3", { fin: false }),
      frame(PING, "pongme 2!"),
      frame(CONT, "fragment4", { fin: false }),
      frame(CONT, "fragment5"),
      END,
    ],
    [
      pingEv("pongme 1!"),
      pingEv("pongme 2!"),
      textMsg("fragment1fragment2fragment3fragment4fragment5"),
      CLOSED_NORMALLY,
    ],
  );
  {
    const b = binaryPattern(300, 3);
    const parts = fragments(BIN, b, 7);
    parts.splice(5, 0, frame(PING, Buffer.from([0, 0xff])));
    parts.splice(20, 0, frame(PONG));
    add(
      "5",
      "5.20 binary in 7-byte fragments with ping and pong in between",
      [...parts, END],
      [pingEv(Buffer.from([0, 0xff])), pongEv(), binMsg(b), CLOSED_NORMALLY],
    );
  }
  add(
    "5",
    "5.21 text from empty fragments",
    [frame(TEXT, "", { fin: false }), frame(CONT, "", { fin: false }), frame(CONT, ""), END],
    [textMsg(""), CLOSED_NORMALLY],
  );
  add(
    "5",
    "5.22 binary with empty first and last fragments",
    [frame(BIN, "", { fin: false }), frame(CONT, Buffer.from([0, 1, 0xff]), { fin: false }), frame(CONT, ""), END],
    [binMsg(Buffer.from([0, 1, 0xff])), CLOSED_NORMALLY],
  );
  add(
    "5",
    "5.23 two fragmented messages in a row",
    [
      frame(TEXT, "one", { fin: false }),
      frame(CONT, "-1"),
      frame(BIN, Buffer.from([2]), { fin: false }),
      frame(PING),
      frame(CONT, Buffer.from([0xfe])),
      END,
    ],
    [textMsg("one-1"), pingEv(), binMsg(Buffer.from([2, 0xfe])), CLOSED_NORMALLY],
  );
  add(
    "5",
    "5.24 close while a fragmented message is open (message dropped)",
    [frame(TEXT, "never", { fin: false }), closeFrame(1001, "bye"), frame(CONT, "finished")],
    [closeEv(1001, "bye")],
  );
}

// ---------------------------------------------------------------- 6 UTF-8

{
  add("6", "6.1.1 empty text message", [frame(TEXT, ""), END], [textMsg(""), CLOSED_NORMALLY]);
  add(
    "6",
    "6.1.3 empty fragments around a non-empty one",
    [frame(TEXT, "", { fin: false }), frame(CONT, "middle", { fin: false }), frame(CONT, ""), END],
    [textMsg("middle"), CLOSED_NORMALLY],
  );
  const hello = Buffer.from("Hello-µ@ßöäüàá-UTF-8!!", "utf8");
  add("6", "6.2.1 valid UTF-8 in one frame", [frame(TEXT, hello), END], [textMsg(hello), CLOSED_NORMALLY]);
  add(
    "6",
    "6.2.2 valid UTF-8 fragmented at code points",
    [...fragments(TEXT, hello, 3), END],
    [textMsg(hello), CLOSED_NORMALLY],
  );
  add(
    "6",
    "6.2.3 valid UTF-8 in one-byte fragments",
    [...fragments(TEXT, hello, 1), END],
    [textMsg(hello), CLOSED_NORMALLY],
  );
  {
    const emoji = Buffer.from("😀€ß", "utf8");
    add(
      "6",
      "6.2.4 four-byte code point split over four frames",
      [...fragments(TEXT, emoji, 1), END],
      [textMsg(emoji), CLOSED_NORMALLY],
    );
  }
  {
    const bad = Buffer.from("cebae1bdb9cf83cebcceb5eda080656469746564", "hex");
    const parts = [frame(TEXT, bad), END];
    add("6", "6.3.1 invalid UTF-8 (surrogate) in one frame", parts, [], atPayloadByte(parts, 0, 12, INVALID_PAYLOAD));
    const parts2 = [...fragments(TEXT, bad, 1), END];
    add("6", "6.3.2 invalid UTF-8 in one-byte fragments", parts2, [], atPayloadByte(parts2, 12, 0, INVALID_PAYLOAD));
  }
  {
    // Fail-fast: the invalid bytes come in the second of three fragments; the
    // client must fail there, before the third fragment arrives.
    const kosme = Buffer.from("κόσμε", "utf8");
    const parts = [
      frame(TEXT, kosme, { fin: false }),
      frame(CONT, Buffer.from("f4908080", "hex"), { fin: false }),
      frame(CONT, "edited"),
      END,
    ];
    add(
      "6",
      "6.4.1 fail fast: bad code point in the middle fragment",
      parts,
      [],
      atPayloadByte(parts, 1, 1, INVALID_PAYLOAD),
    );
    const parts2 = [
      frame(TEXT, Buffer.concat([kosme, Buffer.from("f4", "hex")]), { fin: false }),
      frame(CONT, Buffer.from("90", "hex"), { fin: false }),
      frame(CONT, Buffer.from("8080656469746564", "hex")),
      END,
    ];
    add(
      "6",
      "6.4.2 fail fast: bad code point split across fragments",
      parts2,
      [],
      atPayloadByte(parts2, 1, 0, INVALID_PAYLOAD),
    );
    const parts3 = [frame(TEXT, Buffer.concat([kosme, Buffer.from("f4908080656469746564", "hex")])), END];
    add(
      "6",
      "6.4.3 fail fast: bad code point inside one frame",
      parts3,
      [],
      atPayloadByte(parts3, 0, kosme.length + 1, INVALID_PAYLOAD),
    );
    const parts4 = [
      frame(TEXT, Buffer.concat([kosme, Buffer.from("ed", "hex")]), { fin: false }),
      frame(PING, "interleaved"),
      frame(CONT, Buffer.from("a080", "hex")),
      END,
    ];
    add(
      "6",
      "6.4.4 fail fast: surrogate split around a ping",
      parts4,
      [pingEv("interleaved")],
      atPayloadByte(parts4, 2, 0, INVALID_PAYLOAD),
    );
  }
  // [hex, index of the first invalid byte or -1 when valid, complete]; written out from RFC 3629.
  const sequences: Array<[string, string, number, boolean]> = [
    ["6.5.1 first 2-byte code point U+0080", "c280", -1, true],
    ["6.5.2 first 3-byte code point U+0800", "e0a080", -1, true],
    ["6.5.3 first 4-byte code point U+10000", "f0908080", -1, true],
    ["6.5.4 last code point U+10FFFF", "f48fbfbf", -1, true],
    ["6.5.5 U+D7FF and U+E000 around the surrogates", "ed9fbfee8080", -1, true],
    ["6.5.6 noncharacters U+FFFE U+FFFF", "efbfbeefbfbf", -1, true],
    ["6.6.1 5-byte sequence", "f888808080", 0, false],
    ["6.6.2 6-byte sequence", "fc8480808080", 0, false],
    ["6.8.1 U+110000", "f4908080", 1, false],
    ["6.8.2 F7 BF BF BF", "f7bfbfbf", 0, false],
    ["6.10.1 lone continuation byte", "41bf42", 1, false],
    ["6.10.2 continuation bytes after a complete code point", "c3a980", 2, false],
    ["6.11.1 two-byte lead followed by ASCII", "c341", 1, false],
    ["6.11.2 three-byte lead and one continuation, then ASCII", "e28241", 2, false],
    ["6.13.1 byte FE", "41fe", 1, false],
    ["6.13.2 byte FF", "ff", 0, false],
    ["6.14.1 overlong '/' in 2 bytes", "c0af", 0, false],
    ["6.14.2 overlong '/' in 3 bytes", "e080af", 1, false],
    ["6.14.3 overlong '/' in 4 bytes", "f08080af", 1, false],
    ["6.15.1 maximal overlong 2 bytes", "c1bf", 0, false],
    ["6.15.2 maximal overlong 3 bytes", "e09fbf", 1, false],
    ["6.15.3 maximal overlong 4 bytes", "f08fbfbf", 1, false],
    ["6.16.1 overlong NUL", "c080", 0, false],
    ["6.17.1 high surrogate U+D800", "eda080", 1, false],
    ["6.17.2 low surrogate U+DFFF", "edbfbf", 1, false],
    ["6.18.1 surrogate pair U+D800 U+DC00", "eda080edb080", 1, false],
    ["6.20.1 lead byte F5", "f5808080", 0, false],
    ["6.21.1 truncated 2-byte code point at the end", "48c3", -1, false],
    ["6.21.2 truncated 3-byte code point at the end", "48e282", -1, false],
    ["6.21.3 truncated 4-byte code point at the end", "48f09f98", -1, false],
  ];
  for (const [name, h, badAt, valid] of sequences) {
    const payload = Buffer.from(h, "hex");
    const one = [frame(TEXT, payload), END];
    const split = [...fragments(TEXT, payload, 1), END];
    if (valid) {
      add("6", `${name} (one frame)`, one, [textMsg(payload), CLOSED_NORMALLY]);
      add("6", `${name} (one-byte fragments)`, split, [textMsg(payload), CLOSED_NORMALLY]);
    } else if (badAt >= 0) {
      add("6", `${name} (one frame)`, one, [], atPayloadByte(one, 0, badAt, INVALID_PAYLOAD));
      add("6", `${name} (one-byte fragments)`, split, [], atPayloadByte(split, badAt, 0, INVALID_PAYLOAD));
    } else {
      // Truncated: only the end of the message shows it.
      add("6", `${name} (one frame)`, one, [], atFrameEnd(one, 0, INVALID_PAYLOAD));
      add("6", `${name} (one-byte fragments)`, split, [], atFrameEnd(split, payload.length - 1, INVALID_PAYLOAD));
    }
  }
  {
    const parts = [frame(BIN, Buffer.from("c0afeda080ff", "hex")), END];
    add("6", "6.23.1 invalid UTF-8 in a binary message is fine", parts, [
      binMsg(Buffer.from("c0afeda080ff", "hex")),
      CLOSED_NORMALLY,
    ]);
  }
  {
    const b = Buffer.from("f09f", "hex");
    const parts = [frame(TEXT, b, { fin: false }), frame(PING, "p"), frame(CONT, Buffer.from("9880", "hex")), END];
    add("6", "6.23.2 code point split around a ping", parts, [
      pingEv("p"),
      textMsg(Buffer.from("f09f9880", "hex")),
      CLOSED_NORMALLY,
    ]);
  }
}

// ---------------------------------------------------------------- 7 close

{
  add("7", "7.1.1 message, then close", [frame(TEXT, "Hello World!"), END], [textMsg("Hello World!"), CLOSED_NORMALLY]);
  add("7", "7.1.2 two close frames", [END, closeFrame(1001)], [CLOSED_NORMALLY]);
  add("7", "7.1.3 ping after close", [END, frame(PING, "ignored")], [CLOSED_NORMALLY]);
  add("7", "7.1.4 text after close", [END, frame(TEXT, "ignored")], [CLOSED_NORMALLY]);
  add(
    "7",
    "7.1.5 close inside a fragmented message, then the last fragment",
    [frame(TEXT, "fragment1", { fin: false }), END, frame(CONT, "fragment2")],
    [CLOSED_NORMALLY],
  );
  {
    const t = textPattern(256 * 1024);
    add(
      "7",
      "7.1.6 large message, close, ping",
      [frame(TEXT, t), END, frame(PING, "ignored")],
      [textMsg(t), CLOSED_NORMALLY],
    );
  }
  add("7", "7.1.7 garbage after close", [END, Buffer.from("ff00ff7e8f", "hex")], [CLOSED_NORMALLY]);
  add("7", "7.3.1 close without payload", [frame(CLOSE)], [closeEv(1005)]);
  {
    const parts = [frame(CLOSE, Buffer.from([0x03]))];
    add("7", "7.3.2 close with a 1-byte payload", parts, [], atHeaderEnd(parts, 0, PROTOCOL_ERROR));
  }
  add("7", "7.3.3 close with a code only", [closeFrame(1000)], [closeEv(1000)]);
  add("7", "7.3.4 close with code and reason", [closeFrame(1000, "Hello World!")], [closeEv(1000, "Hello World!")]);
  {
    const reason = "*".repeat(120) + "µ@";
    add("7", "7.3.5 close with a 123-byte reason", [closeFrame(1000, reason)], [closeEv(1000, reason)]);
  }
  {
    const p = Buffer.alloc(126, 0x2a);
    p.writeUInt16BE(1000, 0);
    const parts = [frame(CLOSE, p)];
    add("7", "7.3.6 close with a 124-byte reason (126-byte payload)", parts, [], atByte1(parts, 0));
  }
  {
    const parts = [closeFrame(1000, Buffer.from("cebae1bdb9cf83cebcceb5eda080656469746564", "hex"))];
    add("7", "7.5.1 close reason is not UTF-8", parts, [], atFrameEnd(parts, 0, INVALID_PAYLOAD));
  }
  {
    const parts = [closeFrame(1000, Buffer.from("4142e282", "hex"))];
    add("7", "7.5.2 close reason ends inside a code point", parts, [], atFrameEnd(parts, 0, INVALID_PAYLOAD));
  }
  {
    const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
    valid.forEach((code, i) => {
      add("7", `7.7.${i + 1} close with valid code ${code}`, [closeFrame(code, "bye")], [closeEv(code, "bye")]);
    });
    const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
    invalid.forEach((code, i) => {
      const parts = [closeFrame(code)];
      add("7", `7.9.${i + 1} close with invalid code ${code}`, parts, [], atFrameEnd(parts, 0, PROTOCOL_ERROR));
    });
  }
  {
    const parts = [frame(PING, "p"), closeFrame(1000, "x"), frame(TEXT, "late")];
    add("7", "7.10.1 ping, close with reason, data after close", parts, [pingEv("p"), closeEv(1000, "x")]);
  }
}

// ---------------------------------------------------------------- 9 large messages and limits

{
  const KiB = 1024;
  const MiB = 1024 * KiB;
  [64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB].forEach((n, i) => {
    const t = textPattern(n);
    add(
      "9",
      `9.1.${i + 1} text message of ${n} bytes in one frame`,
      [frame(TEXT, t), END],
      [textMsg(t), CLOSED_NORMALLY],
    );
  });
  [64 * KiB, 256 * KiB, 1 * MiB, 4 * MiB].forEach((n, i) => {
    const b = binaryPattern(n, 90 + i);
    add(
      "9",
      `9.2.${i + 1} binary message of ${n} bytes in one frame`,
      [frame(BIN, b), END],
      [binMsg(b), CLOSED_NORMALLY],
    );
  });
  const t1 = textPattern(1 * MiB);
  const b1 = binaryPattern(1 * MiB, 77);
  [64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 1 * MiB].forEach((size, i) => {
    add(
      "9",
      `9.3.${i + 1} 1 MiB text message in frames of ${size} bytes`,
      [...fragments(TEXT, t1, size), END],
      [textMsg(t1), CLOSED_NORMALLY],
    );
    add(
      "9",
      `9.4.${i + 1} 1 MiB binary message in frames of ${size} bytes`,
      [...fragments(BIN, b1, size), END],
      [binMsg(b1), CLOSED_NORMALLY],
    );
  });
  {
    // Frames of varied sizes (1 byte to 70 000 bytes, every length form), with pings in between.
    const t = textPattern(300 * KiB + 17);
    const sizes = [1, 125, 126, 127, 65535, 65536, 2, 70000, 3, 500];
    const parts: Buffer[] = [];
    const events: HostileEvent[] = [];
    let p = 0;
    let k = 0;
    while (p < t.length) {
      const size = sizes[k % sizes.length];
      const last = p + size >= t.length;
      parts.push(frame(p === 0 ? TEXT : CONT, t.subarray(p, p + size), { fin: last }));
      if (k % 3 === 1 && !last) {
        parts.push(frame(PING, `p${k}`));
        events.push(pingEv(`p${k}`));
      }
      p += size;
      k++;
    }
    parts.push(END);
    events.push(textMsg(t), CLOSED_NORMALLY);
    add("9", "9.5.1 text in frames of varied sizes with pings in between", parts, events);
  }
  {
    const parts: Buffer[] = [];
    const events: HostileEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      const b = binaryPattern(1 + (i % 40), i);
      parts.push(frame(BIN, b));
      events.push(binMsg(b));
    }
    parts.push(END);
    events.push(CLOSED_NORMALLY);
    add("9", "9.7.1 a thousand small binary messages in one stream", parts, events);
  }
  {
    const limit = 64 * KiB;
    const ok = binaryPattern(limit, 5);
    add(
      "9",
      "9.8.1 message of exactly maxMessage bytes",
      [frame(BIN, ok), END],
      [binMsg(ok), CLOSED_NORMALLY],
      undefined,
      limit,
    );
    const parts = [frame(BIN, binaryPattern(limit + 1, 6)), END];
    add("9", "9.8.2 single frame one byte over maxMessage", parts, [], atHeaderEnd(parts, 0, TOO_BIG), limit);
    const tparts = [frame(TEXT, "fits"), frame(TEXT, textPattern(limit + 1000)), END];
    add(
      "9",
      "9.8.3 text frame over maxMessage after a message",
      tparts,
      [textMsg("fits")],
      atHeaderEnd(tparts, 1, TOO_BIG),
      limit,
    );
    const frags = fragments(BIN, binaryPattern(limit + 1, 7), 4 * KiB);
    const fparts = [...frags, END];
    add(
      "9",
      "9.8.4 fragments adding up to one byte over maxMessage",
      fparts,
      [],
      atHeaderEnd(fparts, frags.length - 1, TOO_BIG),
      limit,
    );
    const iparts = [
      frame(TEXT, textPattern(limit - 10), { fin: false }),
      frame(PING, "still here"),
      frame(CONT, textPattern(10), { fin: false }),
      frame(CONT, ""),
      frame(BIN, Buffer.alloc(0), { fin: false }),
      frame(CONT, "x"),
      END,
    ];
    add(
      "9",
      "9.8.5 fragments adding up to exactly maxMessage, then one more",
      iparts,
      [
        pingEv("still here"),
        textMsg(Buffer.concat([textPattern(limit - 10), textPattern(10)])),
        binMsg(Buffer.from("x")),
        CLOSED_NORMALLY,
      ],
      undefined,
      limit,
    );
    const hparts = [frame(BIN, Buffer.alloc(0), { declaredLen: 1n << 40n }), END];
    add("9", "9.8.6 64-bit length far above maxMessage", hparts, [], atHeaderEnd(hparts, 0, TOO_BIG), limit);
    const zparts = [frame(TEXT, "x"), END];
    add("9", "9.8.7 maxMessage 0 refuses any non-empty message", zparts, [], atHeaderEnd(zparts, 0, TOO_BIG), 0);
    add(
      "9",
      "9.8.8 maxMessage 0 accepts empty messages",
      [frame(TEXT, ""), frame(BIN, ""), END],
      [textMsg(""), binMsg(Buffer.alloc(0)), CLOSED_NORMALLY],
      undefined,
      0,
    );
  }
}
