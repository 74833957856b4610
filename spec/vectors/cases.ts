/**
 * The test vectors: inputs for every group of spec/vectors/runner.ts, built
 * deterministically (a seeded PRNG, never Math.random) so that the generated
 * tables are byte-for-byte stable.
 *
 * The result is a VectorSet: one data array holding every byte input (each
 * distinct input stored once), one int array of parameter rows (the layout of
 * each row is documented on VecKind in runner.ts), and the named cases that
 * point into it. Large inputs (1 MiB messages, 64 KiB frames) are not stored:
 * the runner generates them from a seed.
 *
 * This is plain Node TypeScript (never transpiled).
 */

import { createHash } from "node:crypto";
import { CONFIG_MAX_HANDSHAKE_RESPONSE } from "../core/config.js";
import { SERVER_MAX_REQUEST } from "../core/serverhandshake.js";
import { frame as rawFrame, hostileCases, HOSTILE_MAX_MESSAGE, type FrameOptions } from "../test/cases/hostile.js";
import { VecBytesOp, VecIntOp, VecJsonOp, VecKind, VecSplit, VEC_BIG_SIZE } from "./runner.js";

/** One named vector: its group and where its parameter row starts in VectorSet.params. */
export interface VectorCase {
  readonly name: string;
  readonly group: string;
  /** Index of the row's VecKind in VectorSet.params. */
  readonly p: number;
}

/** Every vector and the tables they point into. */
export interface VectorSet {
  readonly data: Uint8Array;
  readonly params: Int32Array;
  readonly cases: readonly VectorCase[];
  /** Group names in the order they first appear. */
  readonly groups: readonly string[];
}

/** Streams up to this many bytes are replayed split at every position; longer ones at random points. */
export const EXHAUSTIVE_SPLIT_LIMIT = 600;

/** Hostile-table rows below this size are replayed. */
export const HOSTILE_ROW_LIMIT = 4096;

/** Random split variants for a stream above EXHAUSTIVE_SPLIT_LIMIT. */
const RANDOM_SPLITS = 6;

/** A small deterministic PRNG (xorshift32); `seed` must not be 0. */
export class Prng {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0 || 0x9e3779b9;
  }
  /** A uniform 32-bit unsigned int. */
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }
  /** A uniform int in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
  /** n pseudo-random bytes. */
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      b[i] = this.next() & 0xff;
    }
    return b;
  }
}

/** A split spec for the runner (VecSplit) and the suffix it adds to a case name. */
interface Split {
  readonly tag: string;
  readonly spec: readonly number[];
}

/**
 * The ways a stream of `len` bytes is cut: whole, then at every position and
 * one byte per read (len <= EXHAUSTIVE_SPLIT_LIMIT), or at random points (a
 * mix of tiny chunks and longer runs) and in 16 KiB reads.
 */
export function splitsFor(len: number, rng: Prng, exhaustiveLimit = EXHAUSTIVE_SPLIT_LIMIT): Split[] {
  const out: Split[] = [{ tag: "", spec: [VecSplit.Whole] }];
  if (len <= 1) {
    return out;
  }
  if (len <= exhaustiveLimit) {
    for (let k = 1; k < len; k++) {
      out.push({ tag: `@${k}`, spec: [VecSplit.At, k] });
    }
    out.push({ tag: "@bytes", spec: [VecSplit.Every, 1] });
    return out;
  }
  for (let r = 1; r <= RANDOM_SPLITS; r++) {
    const cuts: number[] = [];
    let p = 0;
    for (;;) {
      const kind = rng.below(3);
      p += kind === 0 ? 1 + rng.below(3) : kind === 1 ? 1 + rng.below(200) : 1 + rng.below(Math.max(2, len >> 2));
      if (p >= len || cuts.length >= 200) {
        break;
      }
      cuts.push(p);
    }
    out.push({ tag: `@r${r}`, spec: [VecSplit.List, cuts.length, ...cuts] });
  }
  out.push({ tag: "@bytes", spec: [VecSplit.Every, 1] });
  out.push({ tag: "@16k", spec: [VecSplit.Every, 16384] });
  return out;
}

/** A name in printable ASCII: other characters become `\u{hex}`. */
function printable(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    out += c >= 0x20 && c < 0x7f ? ch : `\\u{${c.toString(16)}}`;
  }
  return out;
}

/** Accumulates the data array, the parameter rows and the cases. */
class Builder {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private readonly index = new Map<string, number>();
  private readonly params: number[] = [];
  private readonly cases: VectorCase[] = [];
  private readonly names = new Set<string>();
  private readonly groups: string[] = [];

  /** Stores bytes (once per distinct content); returns [offset, length]. */
  bytes(b: Uint8Array | string): [number, number] {
    const buf = typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b);
    if (buf.length === 0) {
      return [0, 0];
    }
    const key = buf.toString("latin1");
    const at = this.index.get(key);
    if (at !== undefined) {
      return [at, buf.length];
    }
    const off = this.size;
    this.parts.push(buf);
    this.size += buf.length;
    this.index.set(key, off);
    return [off, buf.length];
  }

  /** Adds one case; the name (made printable ASCII) must be unique. */
  add(group: string, name: string, kind: VecKind, row: readonly number[]): void {
    const full = `${group}/${printable(name)}`;
    if (this.names.has(full)) {
      throw new Error(`bad or duplicate vector name: ${JSON.stringify(full)}`);
    }
    for (const v of row) {
      if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
        throw new Error(`${full}: parameter ${v} is not a 32-bit int`);
      }
    }
    this.names.add(full);
    if (!this.groups.includes(group)) {
      this.groups.push(group);
    }
    this.cases.push({ name: full, group, p: this.params.length });
    this.params.push(kind, ...row);
  }

  build(): VectorSet {
    // A few zero bytes at the end: a zero-length input at the end of the table still has a valid offset.
    const data = Buffer.concat([...this.parts, Buffer.alloc(16)]);
    return {
      data: new Uint8Array(data),
      params: Int32Array.from(this.params),
      cases: this.cases,
      groups: this.groups,
    };
  }
}

// ---------------------------------------------------------------- shared inputs

const RFC_NONCE = Buffer.from("dGhlIHNhbXBsZSBub25jZQ==", "base64");
const RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const KEY = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);

/** A response header block that accepts the RFC nonce, with extra header lines. */
function response(extra = "", status = "HTTP/1.1 101 Switching Protocols"): string {
  return `${status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${RFC_ACCEPT}\r\n${extra}\r\n`;
}

/** A server frame (unmasked, FIN unless told otherwise). */
function frame(b0: number, payload: Buffer | string): Buffer {
  const p = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  if (p.length > 125) {
    const h = Buffer.alloc(4);
    h[0] = b0;
    h[1] = 126;
    h.writeUInt16BE(p.length, 2);
    return Buffer.concat([h, p]);
  }
  return Buffer.concat([Buffer.from([b0, p.length]), p]);
}

const INT_EDGES = [
  0,
  1,
  -1,
  2,
  -2,
  3,
  7,
  -7,
  10,
  -10,
  31,
  32,
  255,
  256,
  -256,
  0xffff,
  0x10000,
  0x7fffffff,
  -0x7fffffff,
  -0x80000000,
  0x12345678,
  -0x12345678,
  0x40000000,
  -0x40000000,
  0xdeadbeef | 0,
  0x01000193,
];

// ---------------------------------------------------------------- groups

function int32Group(b: Builder, rng: Prng): void {
  const binary: [string, VecIntOp][] = [
    ["add", VecIntOp.Add],
    ["sub", VecIntOp.Sub],
    ["imul", VecIntOp.Imul],
    ["and", VecIntOp.And],
    ["or", VecIntOp.Or],
    ["xor", VecIntOp.Xor],
    ["less", VecIntOp.Less],
  ];
  const vals = [
    0,
    1,
    -1,
    2,
    -7,
    31,
    255,
    0x7fffffff,
    -0x80000000,
    0x12345678,
    -0x12345678,
    0xdeadbeef | 0,
    rng.next() | 0,
    rng.next() | 0,
  ];
  for (const [name, op] of binary) {
    for (const a of vals) {
      for (const c of vals) {
        b.add("int32", `${name}(${a},${c})`, VecKind.Int32, [op, a, c]);
      }
    }
  }
  for (const [name, op] of [
    ["div", VecIntOp.Div],
    ["mod", VecIntOp.Mod],
  ] as [string, VecIntOp][]) {
    for (const a of vals) {
      for (const c of vals) {
        // 0 traps in both; INT_MIN / -1 overflows: JavaScript gives INT_MIN, SourcePawn throws (see the report).
        if (c === 0 || (a === -0x80000000 && c === -1)) {
          continue;
        }
        b.add("int32", `${name}(${a},${c})`, VecKind.Int32, [op, a, c]);
      }
    }
  }
  const shiftCounts = [0, 1, 2, 4, 7, 8, 13, 16, 17, 24, 30, 31];
  for (const [name, op] of [
    ["shl", VecIntOp.Shl],
    ["sar", VecIntOp.Sar],
    ["shr", VecIntOp.Shr],
    ["shror", VecIntOp.ShrOr],
  ] as [string, VecIntOp][]) {
    for (const a of vals) {
      for (const c of shiftCounts) {
        b.add("int32", `${name}(${a},${c})`, VecKind.Int32, [op, a, c]);
      }
    }
  }
  for (const a of vals) {
    for (const c of [1, 5, 8, 13, 16, 30, 31]) {
      b.add("int32", `rotl(${a},${c})`, VecKind.Int32, [VecIntOp.Rotl, a, c]);
    }
  }
  for (const a of [...INT_EDGES, 128, 383, -129, 0x1ff, 0xff00]) {
    b.add("int32", `not(${a})`, VecKind.Int32, [VecIntOp.Not, a, 0]);
    b.add("int32", `neg(${a})`, VecKind.Int32, [VecIntOp.Neg, a, 0]);
    b.add("int32", `u8store(${a})`, VecKind.Int32, [VecIntOp.ByteStore, a, 0]);
    b.add("int32", `i32store(${a})`, VecKind.Int32, [VecIntOp.IntStore, a, 0]);
    b.add("int32", `u8xor(${a},0x5a)`, VecKind.Int32, [VecIntOp.ByteXorStore, a, 0x5a]);
    b.add("int32", `u8xor(${a},-1)`, VecKind.Int32, [VecIntOp.ByteXorStore, a, -1]);
    b.add("int32", `u8add(${a},200)`, VecKind.Int32, [VecIntOp.ByteAddStore, a, 200]);
  }
}

function bytesGroup(b: Builder): void {
  for (const [v, cap] of [
    [0, 8],
    [7, 1],
    [10, 1],
    [10, 2],
    [99999, 5],
    [100000, 5],
    [0x7fffffff, 10],
    [0x7fffffff, 32],
    [-1, 8],
  ]) {
    b.add("bytes", `putuint(${v},cap${cap})`, VecKind.Bytes, [VecBytesOp.PutUint, v, cap, 0, 0]);
  }
  for (const [s, limit] of [
    ["0", 10],
    ["101", 999],
    ["1000", 999],
    ["65535", 65535],
    ["65536", 65535],
    ["", 10],
    ["12a", 1000],
    ["-1", 1000],
    ["214748364", 214748364],
    ["2147483647", 2000000000],
    ["00000000000000000000042", 100],
  ] as [string, number][]) {
    const [off, len] = b.bytes(s);
    b.add("bytes", `parseuint(${JSON.stringify(s)},${limit})`, VecKind.Bytes, [
      VecBytesOp.ParseUint,
      limit,
      0,
      off,
      len,
    ]);
  }
  for (const s of ["Upgrade", "upgrade", "UPGRADE", "Upgrad", "Upgrades", "Upgr@de", ""]) {
    const [off, len] = b.bytes(s);
    b.add("bytes", `nocase(${JSON.stringify(s)})`, VecKind.Bytes, [VecBytesOp.EqualsNoCase, 0, 0, off, len]);
  }
  const [off, len] = b.bytes("abc\r\ndef\r\n\r\n");
  for (const c of [10, 13, 97, 102, 0]) {
    b.add("bytes", `indexof(${c})`, VecKind.Bytes, [VecBytesOp.IndexOf, c, 0, off, len]);
  }
}

function sha1Group(b: Builder, rng: Prng): void {
  const lens = [0, 1, 2, 3, 4, 19, 20, 55, 56, 57, 63, 64, 65, 100, 119, 120, 127, 128, 129, 183, 184, 191, 192, 1000];
  for (const n of lens) {
    const [off, len] = b.bytes(rng.bytes(n));
    b.add("sha1", `random-len${n}`, VecKind.Sha1, [off, len]);
  }
  for (const s of [
    "abc",
    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
    `dGhlIHNhbXBsZSBub25jZQ==${GUID}`,
  ]) {
    const [off, len] = b.bytes(s);
    b.add("sha1", `text(${s.slice(0, 24)})`, VecKind.Sha1, [off, len]);
  }
  const [zoff] = b.bytes(Buffer.alloc(64));
  b.add("sha1", "zeros-len64", VecKind.Sha1, [zoff, 64]);
  const [foff] = b.bytes(Buffer.alloc(128, 0xff));
  b.add("sha1", "ff-len128", VecKind.Sha1, [foff, 128]);
  for (const [seed, n] of [
    [1, 4096],
    [2, 65535],
    [3, 65536],
    [4, 262144],
  ]) {
    b.add("sha1", `synth-seed${seed}-len${n}`, VecKind.Sha1Synth, [seed, n]);
  }
}

function base64Group(b: Builder, rng: Prng): void {
  for (let n = 0; n <= 20; n++) {
    const [off, len] = b.bytes(rng.bytes(n));
    b.add("base64", `encode-len${n}`, VecKind.Base64Encode, [off, len]);
  }
  for (const n of [32, 100, 255, 1000]) {
    const [off, len] = b.bytes(rng.bytes(n));
    b.add("base64", `encode-len${n}`, VecKind.Base64Encode, [off, len]);
  }
  {
    const [off, len] = b.bytes(Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x3e, 0x3f]));
    b.add("base64", "encode-plus-slash", VecKind.Base64Encode, [off, len]);
  }
  const valid = [0, 1, 2, 3, 4, 5, 16, 20, 33].map((n) => rng.bytes(n).toString("base64"));
  const invalid = [
    "A",
    "AB",
    "ABC",
    "ABCDE",
    "AB=C",
    "A===",
    "====",
    "=AAA",
    "AA==AAAA",
    "QR==",
    "QUF=",
    "QUI=",
    "QUJ=",
    "QQ=",
    "QQ",
    "Q Q=",
    "QUJD\n",
    "-_-_",
    "QUJD!",
    "AAAA====",
    "\u00c0AAA",
  ];
  for (const s of [...valid, ...invalid, "QUJD", "Zm9vYmFy", "//8=", "+/+/"]) {
    const [off, len] = b.bytes(Buffer.from(s, "latin1"));
    b.add("base64", `decode(${JSON.stringify(s)})`, VecKind.Base64Decode, [off, len]);
  }
}

function handshakeKeyGroup(b: Builder, rng: Prng): void {
  b.add("hs-key", "rfc6455-example", VecKind.HandshakeKey, [b.bytes(RFC_NONCE)[0]]);
  b.add("hs-key", "zeros", VecKind.HandshakeKey, [b.bytes(Buffer.alloc(16))[0]]);
  b.add("hs-key", "ff", VecKind.HandshakeKey, [b.bytes(Buffer.alloc(16, 0xff))[0]]);
  for (let i = 1; i <= 16; i++) {
    b.add("hs-key", `random${i}`, VecKind.HandshakeKey, [b.bytes(rng.bytes(16))[0]]);
  }
}

function handshakeResponseGroup(b: Builder, rng: Prng): void {
  const nonce = b.bytes(RFC_NONCE)[0];
  const rows: [string, string, string, boolean][] = [
    // name, requested protocols, response, split at every position
    ["ok", "", response(), true],
    ["ok-trailing-frame", "", `${response()}\x81\x02hi`, true],
    [
      "ok-case-and-space",
      "",
      `HTTP/1.1 101 Switching Protocols\r\nupgrade:\tWebSocket \r\nCONNECTION:   keep-alive, Upgrade\r\nsec-websocket-accept: ${RFC_ACCEPT}  \r\n\r\n`,
      true,
    ],
    ["ok-no-reason", "", response("", "HTTP/1.1 101"), false],
    ["ok-http10", "", response("", "HTTP/1.0 101 Switching Protocols"), false],
    ["ok-extra-headers", "", response("Server: test\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nX-Empty:\r\n"), false],
    ["ok-empty-extensions", "", response("Sec-WebSocket-Extensions: \r\n"), false],
    ["ok-protocol", "chat, superchat", response("Sec-WebSocket-Protocol: superchat\r\n"), true],
    ["ok-no-protocol-chosen", "chat", response(), false],
    ["bad-protocol-unrequested", "", response("Sec-WebSocket-Protocol: chat\r\n"), false],
    ["bad-protocol-other", "chat", response("Sec-WebSocket-Protocol: Chat\r\n"), false],
    [
      "bad-protocol-twice",
      "chat, superchat",
      response("Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: superchat\r\n"),
      false,
    ],
    ["bad-extension", "", response("Sec-WebSocket-Extensions: permessage-deflate\r\n"), false],
    ["status-200", "", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false],
    ["status-401", "", "HTTP/1.1 401 Unauthorized\r\n\r\n", true],
    ["status-301", "", "HTTP/1.1 301 Moved Permanently\r\nLocation: wss://example.org/\r\n\r\n", false],
    ["status-503", "", "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\r\n", false],
    ["bad-status-http2", "", "HTTP/2 101 Switching Protocols\r\n\r\n", false],
    ["bad-status-4digits", "", "HTTP/1.1 1010 Nope\r\n\r\n", false],
    ["bad-status-letters", "", "HTTP/1.1 1O1 Nope\r\n\r\n", false],
    ["bad-status-garbage", "", "hello\r\n\r\n", false],
    ["bad-status-short", "", "HTTP/1.1\r\n\r\n", false],
    [
      "no-upgrade",
      "",
      `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${RFC_ACCEPT}\r\n\r\n`,
      false,
    ],
    [
      "upgrade-wrong",
      "",
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${RFC_ACCEPT}\r\n\r\n`,
      false,
    ],
    [
      "no-connection",
      "",
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: ${RFC_ACCEPT}\r\n\r\n`,
      false,
    ],
    [
      "connection-close",
      "",
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: close\r\nSec-WebSocket-Accept: ${RFC_ACCEPT}\r\n\r\n`,
      false,
    ],
    ["no-accept", "", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", false],
    [
      "wrong-accept",
      "",
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOp=\r\n\r\n",
      true,
    ],
    ["accept-twice", "", response(`Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\n`), false],
    [
      "accept-lowercase",
      "",
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${RFC_ACCEPT.toLowerCase()}\r\n\r\n`,
      false,
    ],
    ["header-no-colon", "", response("Broken header line\r\n"), false],
    ["header-space-before-colon", "", response("X-Bad : 1\r\n"), false],
    ["header-empty-name", "", response(": value\r\n"), false],
    ["lf-only", "", response().replace(/\r\n/g, "\n"), false],
    ["incomplete", "", response().slice(0, -2), false],
    // Header lines the handshake does not read may be longer than it keeps (HANDSHAKE_MAX_LINE).
    ["long-cookie", "", response(`Set-Cookie: a=${"a".repeat(20000)}\r\n`), false],
    ["long-read-header", "", response(`Upgrade: websocket${",x".repeat(600)}\r\n`), false],
    ["too-large", "", response(`X-Filler: ${"a".repeat(CONFIG_MAX_HANDSHAKE_RESPONSE)}\r\n`), false],
    [
      "exactly-limit",
      "",
      response(`X-Filler: ${"b".repeat(CONFIG_MAX_HANDSHAKE_RESPONSE - response("X-Filler: \r\n").length)}\r\n`),
      false,
    ],
  ];
  for (const [name, protocols, text, everySplit] of rows) {
    const [pOff, pLen] = b.bytes(protocols);
    const [dOff, dLen] = b.bytes(Buffer.from(text, "latin1"));
    for (const s of splitsFor(dLen, rng, everySplit ? EXHAUSTIVE_SPLIT_LIMIT : 0)) {
      b.add("hs-response", `${name}${s.tag}`, VecKind.HandshakeResponse, [nonce, pOff, pLen, dOff, dLen, ...s.spec]);
    }
  }
}

function urlGroup(b: Builder): void {
  const urls: [string, string][] = [
    ["ws://example.org", ""],
    ["ws://example.org/chat", ""],
    ["wss://example.org:8443/a/b?c=d&e=f", ""],
    ["WS://Example.ORG:80/Path", ""],
    ["wss://example.org:443", ""],
    ["http://localhost:3000", "/socket.io/?EIO=4&transport=websocket"],
    ["https://chat.example.org:8080", "/socket.io"],
    ["https://chat.example.org:8080/ignored", "?x=1"],
    ["ws://[::1]:9000/x", ""],
    ["ws://[2001:db8::1]", ""],
    ["ws://127.0.0.1:1/", ""],
    ["ws://host?query", ""],
    ["ws://host:65535", ""],
    ["ws://a_b-c~d.e", ""],
    ["example.org", ""],
    ["ftp://example.org", ""],
    ["ws:/example.org", ""],
    ["://example.org", ""],
    ["ws://", ""],
    ["ws://:80", ""],
    ["ws://host:0", ""],
    ["ws://host:65536", ""],
    ["ws://host:123456", ""],
    ["ws://host:", ""],
    ["ws://host:80x", ""],
    ["ws://ho st/", ""],
    ["ws://host/pa th", ""],
    ["ws://host/#frag", ""],
    ["ws://host/p", "#frag"],
    ["ws://[::1", ""],
    ["ws://[]:80", ""],
    ["ws://[::g]/", ""],
    ["ws://host/\u00e9", ""],
    ["ws://" + "h".repeat(255), ""],
    ["ws://" + "h".repeat(256), ""],
    ["ws://host/" + "p".repeat(2030), ""],
    ["ws://host/" + "p".repeat(2040), ""],
  ];
  for (const [url, path] of urls) {
    const [uOff, uLen] = b.bytes(Buffer.from(url, "utf8"));
    const [pOff, pLen] = b.bytes(path);
    const label = url.length > 40 ? `${url.slice(0, 30)}...(${url.length})` : url;
    b.add("url", `${label}${path === "" ? "" : ` + ${path}`}`, VecKind.Url, [uOff, uLen, pOff, pLen]);
  }
}

function requestGroup(b: Builder, rng: Prng): void {
  const rows: [string, string, string, Buffer, string, string, string, number][] = [
    // name, url, path, nonce, protocols, origin, extra, cap
    ["rfc-example", "ws://server.example.com/chat", "", RFC_NONCE, "chat, superchat", "http://example.com", "", 1024],
    ["plain", "ws://example.org", "", rng.bytes(16), "", "", "", 1024],
    ["port", "wss://example.org:8443/a?b=c", "", rng.bytes(16), "", "", "", 1024],
    ["default-port-explicit", "wss://example.org:443/", "", rng.bytes(16), "", "", "", 1024],
    ["ipv6", "ws://[::1]:9000/x", "", rng.bytes(16), "", "", "", 1024],
    [
      "socketio-path",
      "http://localhost:3000",
      "/socket.io/?EIO=4&transport=websocket",
      rng.bytes(16),
      "",
      "",
      "",
      1024,
    ],
    [
      "extra-headers",
      "ws://example.org/",
      "",
      rng.bytes(16),
      "",
      "",
      "Authorization: Bearer abc.def\r\nX-Game: tf2\r\n",
      1024,
    ],
    ["bad-extra-no-crlf", "ws://example.org/", "", rng.bytes(16), "", "", "X-A: 1", 1024],
    ["bad-extra-injection", "ws://example.org/", "", rng.bytes(16), "", "", "X-A: 1\r\nGET / HTTP/1.1\r\n", 1024],
    ["bad-extra-lf", "ws://example.org/", "", rng.bytes(16), "", "", "X-A: 1\nX-B: 2\r\n", 1024],
    ["bad-origin-space", "ws://example.org/", "", rng.bytes(16), "", "http://a b", "", 1024],
    ["too-small", "ws://example.org/chat", "", rng.bytes(16), "", "", "", 100],
    ["exact-fit", "ws://e.org/", "", RFC_NONCE, "", "", "", 151],
    ["one-short", "ws://e.org/", "", RFC_NONCE, "", "", "", 150],
    ["bad-url", "ws://exa mple.org/", "", rng.bytes(16), "", "", "", 1024],
  ];
  for (const [name, url, path, nonce, protocols, origin, extra, cap] of rows) {
    const [uOff, uLen] = b.bytes(url);
    const [pathOff, pathLen] = b.bytes(path);
    const [nOff] = b.bytes(nonce);
    const [prOff, prLen] = b.bytes(protocols);
    const [oOff, oLen] = b.bytes(origin);
    const [eOff, eLen] = b.bytes(extra);
    b.add("request", name, VecKind.Request, [
      uOff,
      uLen,
      pathOff,
      pathLen,
      nOff,
      prOff,
      prLen,
      oOff,
      oLen,
      eOff,
      eLen,
      cap,
    ]);
  }
}

function frameGroup(b: Builder, rng: Prng): void {
  const [keyOff] = b.bytes(KEY);
  const lens = [0, 1, 125, 126, 127, 65535, 65536, 65537, 1048576, 0x7fffffff];
  for (const len of lens) {
    for (const masked of [0, 1]) {
      for (const [fin, op] of [
        [1, 1],
        [0, 2],
        [1, 0],
        [1, 9],
      ]) {
        b.add("frame-header", `len${len}-fin${fin}-op${op}-mask${masked}`, VecKind.FrameHeader, [
          fin,
          op,
          masked,
          len,
          keyOff,
        ]);
      }
    }
  }
  for (const op of [3, 8, 10, 15]) {
    b.add("frame-header", `len5-op${op}`, VecKind.FrameHeader, [1, op, 1, 5, keyOff]);
  }
  // Masking: every phase, splits inside the payload, lengths around the key period.
  for (const len of [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 64]) {
    const [dOff] = b.bytes(rng.bytes(Math.max(len, 1)));
    for (let phase = 0; phase < 4; phase++) {
      for (const split of [...new Set([0, len >> 1, len])]) {
        b.add("mask", `len${len}-phase${phase}-split${split}`, VecKind.Mask, [dOff, len, keyOff, phase, split]);
      }
    }
  }
  {
    const [dOff] = b.bytes(rng.bytes(100));
    b.add("mask", "len100-phase7-split33", VecKind.Mask, [dOff, 100, keyOff, 7, 33]);
    b.add("mask", "len100-phase-1-split1", VecKind.Mask, [dOff, 100, keyOff, -1, 1]);
  }
  {
    const [zk] = b.bytes(Buffer.from([0, 0, 0, 0]));
    const [dOff] = b.bytes(rng.bytes(40));
    b.add("mask", "zero-key", VecKind.Mask, [dOff, 40, zk, 0, 13]);
  }
  for (const [len, split] of [
    [262147, 131073],
    [65539, 3],
    [1000, 999],
  ]) {
    b.add("mask", `synth-len${len}-split${split}`, VecKind.MaskSynth, [len + 11, len, keyOff, split]);
  }
  // Whole client frames.
  for (const op of [1, 2, 8, 9, 10]) {
    for (const len of [0, 1, 2, 125, 126, 200]) {
      const [dOff] = b.bytes(rng.bytes(Math.max(len, 1)));
      b.add("frame-encode", `op${op}-len${len}`, VecKind.FrameEncode, [op, dOff, len, keyOff, 1024]);
    }
  }
  {
    const [dOff] = b.bytes(rng.bytes(20));
    b.add("frame-encode", "cap-exact", VecKind.FrameEncode, [2, dOff, 20, keyOff, 26]);
    b.add("frame-encode", "cap-one-short", VecKind.FrameEncode, [2, dOff, 20, keyOff, 25]);
    b.add("frame-encode", "cap-header-only", VecKind.FrameEncode, [2, dOff, 20, keyOff, 6]);
    b.add("frame-encode", "negative-len", VecKind.FrameEncode, [2, dOff, -1, keyOff, 1024]);
  }
  for (const [op, len] of [
    [1, 100],
    [2, 65535],
    [2, 65536],
    [1, 65536],
    [2, 1048576],
  ]) {
    b.add("frame-encode", `synth-op${op}-len${len}`, VecKind.FrameEncodeSynth, [
      op,
      len + 5,
      len,
      keyOff,
      VEC_BIG_SIZE,
    ]);
  }
  b.add("frame-encode", "synth-cap-too-small", VecKind.FrameEncodeSynth, [2, 9, 70000, keyOff, 70000]);
}

/** Builds UTF-8 of a code point, permissively (surrogates and > U+10FFFF too), to make invalid input. */
function cp(c: number): number[] {
  if (c < 0x80) return [c];
  if (c < 0x800) return [0xc0 | (c >> 6), 0x80 | (c & 63)];
  if (c < 0x10000) return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
  return [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
}

function utf8Group(b: Builder): void {
  const rows: [string, number[]][] = [
    ["empty", []],
    ["ascii", [...Buffer.from("Hello, world")]],
    ["kosme", [...Buffer.from("κόσμε", "utf8")]],
    ["all-lengths", [...Buffer.from("a\u00e9\u20ac\u{1f600}z", "utf8")]],
    ["u+0000", [0]],
    ["u+007f", cp(0x7f)],
    ["u+0080", cp(0x80)],
    ["u+07ff", cp(0x7ff)],
    ["u+0800", cp(0x800)],
    ["u+d7ff", cp(0xd7ff)],
    ["u+d800-surrogate", cp(0xd800)],
    ["u+dfff-surrogate", cp(0xdfff)],
    ["u+e000", cp(0xe000)],
    ["u+fffd", cp(0xfffd)],
    ["u+ffff", cp(0xffff)],
    ["u+10000", cp(0x10000)],
    ["u+10ffff", cp(0x10ffff)],
    ["u+110000-too-big", cp(0x110000)],
    ["overlong-slash-2", [0xc0, 0xaf]],
    ["overlong-slash-3", [0xe0, 0x80, 0xaf]],
    ["overlong-slash-4", [0xf0, 0x80, 0x80, 0xaf]],
    ["overlong-max-2", [0xc1, 0xbf]],
    ["overlong-max-3", [0xe0, 0x9f, 0xbf]],
    ["overlong-max-4", [0xf0, 0x8f, 0xbf, 0xbf]],
    ["lone-continuation", [0x80]],
    ["continuations", [0x80, 0xbf, 0x80]],
    ["lead-then-ascii", [0xc3, 0x41]],
    ["truncated-2", [0xc3]],
    ["truncated-3", [0xe2, 0x82]],
    ["truncated-4", [0xf0, 0x9f, 0x98]],
    ["f5", [0xf5, 0x80, 0x80, 0x80]],
    ["fe", [0xfe]],
    ["ff", [0xff]],
    ["f4-90", [0xf4, 0x90, 0x80, 0x80]],
    ["ed-a0", [0xed, 0xa0, 0x80]],
    ["ed-9f", [0xed, 0x9f, 0xbf]],
    ["valid-then-invalid", [...Buffer.from("κόσμε", "utf8"), 0xed, 0xa0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64]],
    ["surrogate-pair-encoded", [...cp(0xd83d), ...cp(0xde00)]],
  ];
  for (const [name, bytes] of rows) {
    const [dOff, len] = b.bytes(Buffer.from(bytes));
    for (const s of splitsFor(len, new Prng(len + 1))) {
      b.add("utf8", `${name}${s.tag}`, VecKind.Utf8, [dOff, len, ...s.spec]);
    }
  }
}

/** Bytes kept after the failure point of a large malformed hostile row (the client never reads them). */
const HOSTILE_TAIL = 32;

/**
 * The hostile table: every row below HOSTILE_ROW_LIMIT bytes, and the
 * malformed rows above it cut HOSTILE_TAIL bytes after the byte that fails
 * the connection (a failed decoder reads nothing more, so the events are
 * those of the whole row). The large valid rows are covered by the generated
 * streams of the decoder-synth group.
 */
function hostileGroup(b: Builder, rng: Prng): void {
  for (const row of hostileCases) {
    let bytes = row.bytes;
    let label = row.name;
    const extra: Split[] = [];
    if (bytes.length >= HOSTILE_ROW_LIMIT) {
      const after = row.expect.failAfter;
      if (after === undefined) {
        continue;
      }
      bytes = bytes.subarray(0, Math.min(bytes.length, after + HOSTILE_TAIL));
      label = `${row.name} [first ${bytes.length} bytes]`;
      // Split right before and right after the offending byte.
      extra.push(
        { tag: `@${after - 1}`, spec: [VecSplit.At, after - 1] },
        { tag: `@${after}`, spec: [VecSplit.At, after] },
      );
    }
    const [dOff, len] = b.bytes(bytes);
    const max = row.maxMessage ?? HOSTILE_MAX_MESSAGE;
    const splits = splitsFor(len, rng);
    for (const s of [...splits, ...extra.filter((e) => !splits.some((x) => x.tag === e.tag))]) {
      b.add("hostile", `${label}${s.tag}`, VecKind.Decoder, [dOff, len, max, ...s.spec]);
    }
  }
}

function decoderSynthGroup(b: Builder): void {
  const MiB = 1048576;
  const rows: [string, number, number, number, number, number, number, number[]][] = [
    // name, seed, msgLen, fragSize, opcode, pingEvery, maxMessage, split
    ["binary-256KiB-one-frame-16k-reads", 1, MiB >> 2, MiB >> 2, 2, 0, MiB, [VecSplit.Every, 16384]],
    ["binary-256KiB-16k-frags-16k-reads", 2, MiB >> 2, 16384, 2, 0, MiB, [VecSplit.Every, 16384]],
    ["binary-1MiB-16k-frags-odd-reads", 3, MiB, 16384, 2, 4, MiB, [VecSplit.Every, 9973]],
    ["text-256KiB-1000-frags-16k-reads", 4, MiB >> 2, 1000, 1, 100, MiB, [VecSplit.Every, 16384]],
    ["text-65535-one-frame", 5, 65535, 65535, 1, 0, MiB, [VecSplit.Every, 1000]],
    ["binary-65536-one-frame", 6, 65536, 65536, 2, 0, MiB, [VecSplit.List, 3, 1, 5, 65000]],
    ["binary-65536-at-limit", 7, 65536, 65536, 2, 0, 65536, [VecSplit.Whole]],
    ["binary-65537-over-limit", 8, 65537, 65537, 2, 0, 65536, [VecSplit.Whole]],
    ["binary-64KiB+1-over-limit-in-frags", 9, 65537, 16384, 2, 0, 65536, [VecSplit.Every, 4096]],
    ["text-126-one-frame-bytes", 10, 126, 126, 1, 0, 1024, [VecSplit.Every, 1]],
    ["binary-empty", 11, 0, 1, 2, 0, 1024, [VecSplit.Whole]],
    ["text-300-in-7-byte-frags-with-pings", 12, 300, 7, 1, 3, 1024, [VecSplit.Every, 5]],
  ];
  for (const [name, seed, msgLen, frag, op, pingEvery, max, split] of rows) {
    b.add("decoder-synth", name, VecKind.DecoderSynth, [seed, msgLen, frag, op, pingEvery, max, ...split]);
  }
}

/**
 * The decoder with a msg buffer smaller than the messages (Spill events): the
 * hostile rows below HOSTILE_ROW_LIMIT through buffers of 1, 7 and 126 bytes,
 * and generated messages through buffers around their fragment sizes.
 */
function decoderSpillGroup(b: Builder): void {
  for (const row of hostileCases) {
    if (row.bytes.length >= HOSTILE_ROW_LIMIT) {
      continue;
    }
    const [dOff, len] = b.bytes(row.bytes);
    const max = row.maxMessage ?? HOSTILE_MAX_MESSAGE;
    const rows: [number, string, number[]][] = [
      [1, "", [VecSplit.Whole]],
      [7, "@3s", [VecSplit.Every, 3]],
      [126, "@7s", [VecSplit.Every, 7]],
    ];
    for (const [msgCap, tag, split] of rows) {
      b.add("decoder-spill", `${row.name} cap ${msgCap}${tag}`, VecKind.DecoderSpill, [
        dOff,
        len,
        max,
        msgCap,
        ...split,
      ]);
    }
  }
  const MiB = 1048576;
  const synth: [string, number, number, number, number, number, number, number, number[]][] = [
    // name, seed, msgLen, fragSize, opcode, pingEvery, maxMessage, msgCap, split
    ["binary-64KiB-one-frame-16k-reads-cap-1024", 21, 65536, 65536, 2, 0, MiB, 1024, [VecSplit.Every, 16384]],
    ["binary-64KiB+1-16k-frags-odd-reads-cap-1000", 22, 65537, 16384, 2, 4, MiB, 1000, [VecSplit.Every, 9973]],
    ["text-40000-1000-frags-cap-999", 23, 40000, 1000, 1, 10, MiB, 999, [VecSplit.Every, 16384]],
    ["text-40000-1000-frags-cap-1000", 24, 40000, 1000, 1, 10, MiB, 1000, [VecSplit.Every, 777]],
    ["text-300-in-7-byte-frags-cap-6", 12, 300, 7, 1, 3, 1024, 6, [VecSplit.Every, 5]],
    ["text-300-in-7-byte-frags-cap-7", 12, 300, 7, 1, 3, 1024, 7, [VecSplit.Every, 5]],
    ["text-300-in-7-byte-frags-cap-8", 12, 300, 7, 1, 3, 1024, 8, [VecSplit.Every, 1]],
    ["text-300-cap-299", 25, 300, 300, 1, 0, 1024, 299, [VecSplit.Every, 1]],
    ["text-300-cap-300", 25, 300, 300, 1, 0, 1024, 300, [VecSplit.Every, 1]],
    ["text-300-cap-301", 25, 300, 300, 1, 0, 1024, 301, [VecSplit.Whole]],
    ["binary-65537-over-limit-in-frags-cap-1024", 9, 65537, 16384, 2, 0, 65536, 1024, [VecSplit.Every, 4096]],
    ["binary-empty-cap-1", 11, 0, 1, 2, 0, 1024, 1, [VecSplit.Whole]],
  ];
  for (const [name, seed, msgLen, frag, op, pingEvery, max, msgCap, split] of synth) {
    b.add("decoder-spill", name, VecKind.DecoderSynthSpill, [seed, msgLen, frag, op, pingEvery, max, msgCap, ...split]);
  }
}

function connGroup(b: Builder, rng: Prng): void {
  const nonce = b.bytes(RFC_NONCE)[0];
  const OK = response();
  const rows: [string, string, Buffer, number, number[]][] = [
    // name, protocols, server bytes, maxMessage, ConnEvents applied afterwards
    [
      "session",
      "",
      Buffer.concat([
        Buffer.from(OK, "latin1"),
        frame(0x81, "hello"),
        frame(0x89, "p"),
        frame(0x01, "frag"),
        frame(0x80, "ment"),
        frame(0x82, Buffer.from([0, 255, 0])),
        frame(0x88, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65])),
        frame(0x81, "after close is ignored"),
      ]),
      1024,
      [5],
    ],
    [
      "invalid-utf8",
      "",
      Buffer.concat([Buffer.from(OK, "latin1"), frame(0x81, Buffer.from([0xc0, 0x80])), frame(0x81, "x")]),
      1024,
      [5],
    ],
    ["refused-401", "", Buffer.from("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n\r\n"), 1024, [5]],
    ["bad-accept", "", Buffer.from(response().replace(RFC_ACCEPT, "AAAAAAAAAAAAAAAAAAAAAAAAAAA="), "latin1"), 1024, []],
    [
      "protocol-and-frames",
      "chat, superchat",
      Buffer.concat([
        Buffer.from(response("Sec-WebSocket-Protocol: chat\r\n"), "latin1"),
        frame(0x82, Buffer.from([1, 2, 3])),
        frame(0x8a, "unsolicited"),
        frame(0x88, Buffer.alloc(0)),
      ]),
      1024,
      [5],
    ],
    [
      "masked-server-frame",
      "",
      Buffer.concat([Buffer.from(OK, "latin1"), Buffer.from([0x81, 0x82, 1, 2, 3, 4, 0x69 ^ 1, 0x69 ^ 2])]),
      1024,
      [7],
    ],
    [
      "too-big",
      "",
      Buffer.concat([Buffer.from(OK, "latin1"), frame(0x81, "0123456789abcdef"), frame(0x81, "0123456789abcdefg")]),
      16,
      [5],
    ],
    [
      "ping-125-then-close-4000",
      "",
      Buffer.concat([
        Buffer.from(OK, "latin1"),
        frame(0x89, rng.bytes(125)),
        frame(0x88, Buffer.concat([Buffer.from([0x0f, 0xa0]), Buffer.from("bye \u20ac", "utf8")])),
      ]),
      1024,
      [5],
    ],
    [
      "close-bad-code",
      "",
      Buffer.concat([Buffer.from(OK, "latin1"), frame(0x88, Buffer.from([0x03, 0xed]))]),
      1024,
      [5],
    ],
    ["open-then-tcp-closed", "", Buffer.from(OK, "latin1"), 1024, [5]],
    ["open-then-user-close-timeout", "", Buffer.concat([Buffer.from(OK, "latin1"), frame(0x81, "x")]), 1024, [2, 7, 5]],
    ["open-then-socket-error", "", Buffer.from(OK, "latin1"), 1024, [6, 5]],
    ["handshake-then-garbage", "", Buffer.concat([Buffer.from(OK, "latin1"), Buffer.from([0xf3, 0x00])]), 1024, [7]],
  ];
  for (const [name, protocols, bytes, max, events] of rows) {
    const [pOff, pLen] = b.bytes(protocols);
    const [dOff, len] = b.bytes(bytes);
    for (const s of splitsFor(len, rng)) {
      b.add("conn", `${name}${s.tag}`, VecKind.Conn, [
        nonce,
        pOff,
        pLen,
        dOff,
        len,
        max,
        events.length,
        ...events,
        ...s.spec,
      ]);
    }
  }
}

function engineIoGroup(b: Builder): void {
  for (const s of ["0", "1", "2", "2probe", "3", "4hello", "5", "6", "7", "", "a", "/", "9"]) {
    const [off, len] = b.bytes(s);
    b.add("eio", `type(${JSON.stringify(s)})`, VecKind.EioType, [off, len]);
  }
  const opens = [
    '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
    '0{"sid":"abc","pingInterval":300,"pingTimeout":200}',
    '0 { "pingTimeout" : 5 , "sid" : "x\\"y" , "pingInterval" : 10 , "maxPayload" : 0 } ',
    '0{"sid":"\\u00e9\\ud83d\\ude00","pingInterval":1,"pingTimeout":2,"maxPayload":2147483647}',
    '0{"sid":"","pingInterval":1,"pingTimeout":2}',
    '0{"sid":1,"pingInterval":1,"pingTimeout":2}',
    '0{"sid":"a","pingInterval":-1,"pingTimeout":2}',
    '0{"sid":"a","pingInterval":1.5,"pingTimeout":2}',
    '0{"sid":"a","pingInterval":1}',
    '0{"sid":"a","pingInterval":1,"pingTimeout":2,"maxPayload":"x"}',
    '0{"sid":"a","pingInterval":1,"pingTimeout":2,"maxPayload":2147483648}',
    '0{"sid":"a","pingInterval":1,"pingTimeout":2',
    '0{"sid":"a","pingInterval":1,"pingTimeout":2}x',
    '0["sid"]',
    '0{"sid":"' + "s".repeat(64) + '","pingInterval":1,"pingTimeout":2}',
    '0{"sid":"' + "s".repeat(65) + '","pingInterval":1,"pingTimeout":2}',
    '4{"sid":"a","pingInterval":1,"pingTimeout":2}',
    "0",
  ];
  opens.forEach((s, i) => {
    const [off, len] = b.bytes(s);
    b.add("eio", `open${i}`, VecKind.EioOpen, [off, len]);
  });
  for (const [s, cap] of [
    ["2", 16],
    ["2probe", 16],
    ["2probe", 6],
    ["2probe", 5],
    ["3", 16],
    ["", 16],
    ["2", 0],
  ] as [string, number][]) {
    const [off, len] = b.bytes(s);
    b.add("eio", `pong(${JSON.stringify(s)},cap${cap})`, VecKind.EioPong, [off, len, cap]);
  }
  for (const [s, cap] of [
    ['2["ev"]', 64],
    ["", 64],
    ["", 1],
    ['40{"token":"abc"}', 17],
    ['40{"token":"abc"}', 18],
  ] as [string, number][]) {
    const [off, len] = b.bytes(s);
    b.add("eio", `message(${JSON.stringify(s)},cap${cap})`, VecKind.EioMessage, [off, len, cap]);
  }
}

function socketIoGroup(b: Builder): void {
  const packets = [
    "40",
    '40{"sid":"abc"}',
    "40/admin,",
    '40/admin,{"sid":"x"}',
    "40[1]",
    '40"x"',
    "41",
    "41/admin,",
    "41{}",
    '42["match_event",{"round":3}]',
    '42/chat,17["msg","hi"]',
    '42 [ "spaced" , 1 , [2] ] ',
    '42["only"]',
    '42["esc\\"aped\\u00e9",null]',
    "42[]",
    "42[1]",
    '42{"a":1}',
    "42",
    '42["connect"]',
    '42["disconnecting",1]',
    '42["newListener"]',
    '42["connect_errors"]',
    '42["a",]',
    '42["a" 1]',
    '42["a"]x',
    '4212345678901["x"]',
    '422147483647["x"]',
    '422147483648["x"]',
    '43/chat,17["ok"]',
    "431[]",
    "43[]",
    '43"x"',
    '44{"message":"Not authorized"}',
    '44"plain"',
    "44",
    "44[1]",
    '451-["ev",{"_placeholder":true,"num":0}]',
    '4510-["ev"]',
    '4511-["ev"]',
    '450-["ev"]',
    '45-["ev"]',
    '45["ev"]',
    '461-/nsp,7[{"_placeholder":true,"num":0}]',
    "47",
    "4",
    "4x",
    "3",
    "",
    '42/a,b,["x"]',
    '42/,["x"]',
    '42/nsp["x"]',
    '42["' + "n".repeat(40) + '",1,2,3,4,5]',
    '42["deep",' + "[".repeat(70) + "]".repeat(70) + "]",
  ];
  packets.forEach((s, i) => {
    const [off, len] = b.bytes(s);
    b.add("sio-parse", `${i}:${s.length > 40 ? `${s.slice(0, 36)}...` : s}`, VecKind.SioParse, [off, len]);
  });
  const enc: [string, number, string, string, string, number, number][] = [
    // name, type, nsp, name/auth, args, ackId, cap
    ["connect", 0, "", "", "", -1, 64],
    ["connect-slash", 0, "/", "", "", -1, 64],
    ["connect-nsp", 0, "/admin", "", "", -1, 64],
    ["connect-auth", 0, "", '{"token":"abc"}', "", -1, 64],
    ["connect-nsp-auth", 0, "/admin", '{"token":"abc"}', "", -1, 64],
    ["connect-bad-auth", 0, "", "[1]", "", -1, 64],
    ["connect-bad-nsp", 0, "admin", "", "", -1, 64],
    ["connect-nsp-comma", 0, "/a,b", "", "", -1, 64],
    ["connect-nospace", 0, "/admin", '{"token":"abc"}', "", -1, 20],
    ["disconnect", 1, "", "", "", -1, 64],
    ["disconnect-nsp", 1, "/chat", "", "", -1, 64],
    ["disconnect-cap1", 1, "", "", "", -1, 1],
    ["event", 2, "", "match_event", '{"round":3}', -1, 64],
    ["event-ack-nsp", 2, "/chat", "msg", '"hi"', 17, 64],
    ["event-no-args", 2, "", "ping", "", -1, 64],
    ["event-args-spaces", 2, "", "ev", '  1 , [2] , "x"  ', 0, 64],
    ["event-escape-name", 2, "", 'a"b\\c\n\u0001', "", -1, 64],
    ["event-utf8-name", 2, "", "caf\u00e9", "null", -1, 64],
    ["event-reserved", 2, "", "connect", "", -1, 64],
    ["event-reserved-2", 2, "", "removeListener", "", -1, 64],
    ["event-bad-args", 2, "", "ev", "1,", -1, 64],
    ["event-bad-args-2", 2, "", "ev", "{", -1, 64],
    ["event-nospace", 2, "", "match_event", '{"round":3}', -1, 30],
    ["event-fits", 2, "", "e", "1", 123, 13],
    ["event-one-short", 2, "", "e", "1", 123, 12],
    ["ack", 3, "", "", '"ok"', 17, 64],
    ["ack-nsp-empty", 3, "/chat", "", "", 0, 64],
    ["ack-negative-id", 3, "", "", "", -1, 64],
    ["ack-max-id", 3, "", "", "1,2", 2147483647, 64],
    ["ack-bad-args", 3, "", "", "]", 1, 64],
    ["ack-nospace", 3, "/chat", "", '"ok"', 17, 10],
  ];
  for (const [name, type, nsp, nm, args, ackId, cap] of enc) {
    const [nOff, nLen] = b.bytes(nsp);
    const [mOff, mLen] = b.bytes(nm);
    const [aOff, aLen] = b.bytes(args);
    b.add("sio-encode", name, VecKind.SioEncode, [type, nOff, nLen, mOff, mLen, aOff, aLen, ackId, cap]);
  }
}

function jsonGroup(b: Builder): void {
  const values = [
    "",
    " ",
    "{}",
    "[]",
    '""',
    "0",
    "-0",
    "1.5e-3",
    "01",
    "1.",
    ".5",
    "-",
    "1e",
    "true",
    "false",
    "null",
    "tru",
    "nul",
    '{"a":1,"b":[true,false,null],"c":{"d":"e"}}',
    ' { "a" : 1 , "a" : 2 } ',
    '{"a":1,}',
    '{"a" 1}',
    "{1:2}",
    "[1,2,3]",
    "[1,,2]",
    "[1 2]",
    "[",
    "]",
    '"\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/"',
    '"\\ud800"',
    '"\\udc00x"',
    '"\\u12"',
    '"\\x"',
    '"a\nb"',
    '"caf\u00e9"',
    "[" + "[".repeat(63) + "]".repeat(63) + "]",
    "[" + "[".repeat(64) + "]".repeat(64) + "]",
    "2147483647",
    "2147483648",
    "123456789012",
    "  42  ",
    "-1",
    '{"sid":"x","pingInterval":25000}',
    '{"key with space":[1,{"a":2}],"":0}',
    '{"\\u0061":1,"a":2}',
    "1 2",
  ];
  values.forEach((s, i) => {
    const [off, len] = b.bytes(Buffer.from(s, "utf8"));
    const label = `${i}`;
    b.add("json", `type:${label}`, VecKind.Json, [VecJsonOp.ValueType, off, len, 0]);
    b.add("json", `skip:${label}`, VecKind.Json, [VecJsonOp.SkipValue, off, len, 0]);
    b.add("json", `valid:${label}`, VecKind.Json, [VecJsonOp.IsValid, off, len, 0]);
    b.add("json", `int:${label}`, VecKind.Json, [VecJsonOp.ParseInt, off, len, 0]);
    b.add("json", `ws:${label}`, VecKind.Json, [VecJsonOp.SkipWs, off, len, 0]);
    if (s.startsWith("{") || s.startsWith(" {")) {
      for (let k = 0; k <= 6; k++) {
        b.add("json", `key${k}:${label}`, VecKind.Json, [VecJsonOp.FindKey, off, len, k]);
      }
    }
    if (s.startsWith("[")) {
      for (const k of [0, 1, 2, 3]) {
        b.add("json", `elem${k}:${label}`, VecKind.Json, [VecJsonOp.ArrayElement, off, len, k]);
      }
    }
    if (s.startsWith('"')) {
      for (const cap of [0, 1, 4, 64]) {
        b.add("json", `decode-cap${cap}:${label}`, VecKind.Json, [VecJsonOp.StringDecode, off, len, cap]);
      }
    }
  });
  for (const s of ["1,2,3", "", " ", "1,", ",1", '"a",{"b":[1]},null', "1 2", "[1],[2", "  true  ,  false  "]) {
    const [off, len] = b.bytes(s);
    b.add("json", `list(${JSON.stringify(s)})`, VecKind.Json, [VecJsonOp.ListCount, off, len, 0]);
  }
  const raw = Buffer.from([0x61, 0x22, 0x5c, 0x08, 0x0c, 0x0a, 0x0d, 0x09, 0x00, 0x1f, 0x7f, 0xc3, 0xa9, 0x2f]);
  const [rOff, rLen] = b.bytes(raw);
  for (const cap of [0, 1, 2, 10, 30, 40, 100]) {
    b.add("json", `encode-raw-cap${cap}`, VecKind.Json, [VecJsonOp.StringEncode, rOff, rLen, cap]);
  }
  const [eOff] = b.bytes("x");
  b.add("json", "encode-empty", VecKind.Json, [VecJsonOp.StringEncode, eOff, 0, 10]);
  for (let c = 0; c < 0x20; c++) {
    const [off, len] = b.bytes(Buffer.from([c]));
    b.add("json", `encode-ctl-${c}`, VecKind.Json, [VecJsonOp.StringEncode, off, len, 16]);
  }
}

function heartbeatGroup(b: Builder): void {
  const rows: [number, number, number, number][] = [
    [0, 0, 25000, 20000],
    [45000, 0, 25000, 20000],
    [45001, 0, 25000, 20000],
    [100, 200, 25000, 20000],
    [-2147483648, 2147483600, 25000, 20000],
    [2147483647, -2147483648, 1, 1],
    [10, 0, 0, 0],
    [0, 0, 0x7fffffff, 0x7fffffff],
    [5, 0, 0x7fffffff, 10],
    [0, 0, 10, 0x7fffffff],
    [1000000, 0, 500000, 400000],
    [1000000, 0, 600000, 400000],
    [-5, 5, 100, 100],
  ];
  for (const [now, last, interval, timeout] of rows) {
    b.add("heartbeat", `now${now}-last${last}-i${interval}-t${timeout}`, VecKind.Heartbeat, [
      now,
      last,
      interval,
      timeout,
    ]);
  }
}

function backoffGroup(b: Builder, rng: Prng): void {
  const rows: [string, number, number, number, number, number, number[]][] = [
    ["defaults-r0", 1000, 5000, 500, 0, -1, new Array(8).fill(0)],
    ["defaults-rmax", 1000, 5000, 500, 0, -1, new Array(8).fill(65535)],
    ["defaults-random", 1000, 5000, 500, 0, -1, Array.from({ length: 12 }, () => rng.below(65536))],
    ["max-attempts-3", 1000, 5000, 500, 3, -1, [1, 2, 3, 4, 5]],
    ["reset", 100, 100000, 0, 0, 4, [0, 0, 0, 0, 0, 0]],
    ["no-jitter-long", 1, 3600000, 0, 0, -1, new Array(40).fill(12345)],
    ["full-jitter", 3000, 3600000, 1000, 0, -1, [6553, 6554, 13107, 32768, 58981, 65535]],
    ["limits", 3600000, 3600000, 1000, 0, -1, [65535, 0, 40000]],
    ["zero-base", 0, 5000, 500, 0, -1, [1, 2]],
    ["random16-out-of-range", 1000, 5000, 500, 0, -1, [65536, -1, 0x7fffffff]],
    ["bad-base", -1, 5000, 500, 0, -1, []],
    ["bad-max", 0, 3600001, 500, 0, -1, []],
    ["bad-jitter", 1000, 5000, 1001, 0, -1, []],
    ["bad-attempts", 1000, 5000, 500, -1, -1, []],
  ];
  for (const [name, base, max, jitter, attempts, resetAt, randoms] of rows) {
    b.add("backoff", name, VecKind.Backoff, [base, max, jitter, attempts, resetAt, randoms.length, ...randoms]);
  }
  for (let i = 0; i < 6; i++) {
    // Past 1000 attempts (where backo2's float delay turns into NaN), with a reset near the end.
    const randoms = Array.from({ length: 1100 }, () => rng.below(65536));
    b.add("backoff", `long-${i}`, VecKind.Backoff, [
      1000 * (i + 1),
      5000 * (i + 1),
      100 * i,
      0,
      1050,
      1100,
      ...randoms,
    ]);
  }
}

function stateGroup(b: Builder): void {
  for (let s = -1; s <= 4; s++) {
    for (let e = -1; e <= 8; e++) {
      b.add("state", `s${s}-e${e}`, VecKind.State, [s, e]);
    }
  }
}

function closeGroup(b: Builder): void {
  const codes = [
    -1, 0, 999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 1016,
    2000, 2999, 3000, 3999, 4000, 4999, 5000, 65535, 65536,
  ];
  for (const c of codes) {
    b.add("close", `valid(${c})`, VecKind.CloseCode, [c]);
  }
  const [keyOff] = b.bytes(KEY);
  const reasons: [string, Buffer][] = [
    ["none", Buffer.alloc(0)],
    ["bye", Buffer.from("bye")],
    ["utf8", Buffer.from("d\u00e9j\u00e0 vu \u20ac", "utf8")],
    ["invalid-utf8", Buffer.from([0x61, 0xc0, 0x80])],
    ["max-123", Buffer.alloc(123, 0x72)],
    ["too-long-124", Buffer.alloc(124, 0x72)],
  ];
  for (const [rname, r] of reasons) {
    const [off, len] = b.bytes(r);
    for (const c of [0, 1000, 1005, 1011, 3000, 4999, 5000]) {
      b.add("close", `payload(${c},${rname})`, VecKind.ClosePayload, [c, off, len, keyOff]);
    }
  }
}

/** A client request as browsers and `ws` send it, with `extra` header lines and another request line. */
function clientRequest(extra = "", requestLine = "GET /chat?room=1 HTTP/1.1", drop = ""): string {
  const lines = [
    "Host: server.example.com",
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
  ].filter((l) => drop === "" || !l.startsWith(drop));
  return `${requestLine}\r\n${lines.map((l) => `${l}\r\n`).join("")}${extra}\r\n`;
}

/** The server role's request parser and answers (spec/core/serverhandshake.ts). */
function serverHandshakeGroup(b: Builder, rng: Prng): void {
  const rows: [string, string, string, boolean][] = [
    // name, request, chosen subprotocol, split at every position
    ["ok", clientRequest(), "", true],
    ["ok-trailing-frame", `${clientRequest()}\x81\x85\x00\x00\x00\x00hello`, "", true],
    ["ok-protocol", clientRequest("Sec-WebSocket-Protocol: chat, superchat\r\n"), "superchat", true],
    ["ok-protocol-lines", clientRequest("Sec-WebSocket-Protocol: a\r\nSec-WebSocket-Protocol: b\r\n"), "b", false],
    ["unoffered-protocol", clientRequest("Sec-WebSocket-Protocol: chat\r\n"), "Chat", false],
    [
      "ok-case-and-lists",
      "GET / HTTP/1.1\r\nhost: a\r\nUPGRADE: WebSocket\r\nconnection: keep-alive, upgrade\r\nsec-websocket-key:   dGhlIHNhbXBsZSBub25jZQ==  \r\nSEC-WEBSOCKET-VERSION: 13\r\n\r\n",
      "",
      true,
    ],
    ["ok-http12", clientRequest("", "GET / HTTP/1.2"), "", false],
    ["ok-extensions-ignored", clientRequest("Sec-WebSocket-Extensions: permessage-deflate\r\n"), "", false],
    ["ok-long-cookie", clientRequest(`Cookie: ${"k".repeat(9000)}\r\n`), "", false],
    ["ok-target-1999", clientRequest("", `GET /${"t".repeat(1998)} HTTP/1.1`), "", false],
    ["target-2000", clientRequest("", `GET /${"t".repeat(1999)} HTTP/1.1`), "", false],
    ["target-5000", clientRequest("", `GET /${"t".repeat(5000)} HTTP/1.1`), "", false],
    ["post", clientRequest("", "POST /chat HTTP/1.1"), "", true],
    ["get-lowercase", clientRequest("", "get /chat HTTP/1.1"), "", false],
    ["http10", clientRequest("", "GET / HTTP/1.0"), "", false],
    ["no-version-in-line", clientRequest("", "GET /"), "", false],
    ["space-in-target", clientRequest("", "GET /a b HTTP/1.1"), "", false],
    ["tls-hello", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", "", false],
    ["no-host", clientRequest("", undefined, "Host"), "", false],
    ["two-hosts", clientRequest("Host: b\r\n"), "", false],
    ["no-upgrade", clientRequest("", undefined, "Upgrade"), "", false],
    ["upgrade-h2c", clientRequest("Upgrade: h2c\r\n", undefined, "Upgrade"), "", false],
    ["no-connection", clientRequest("", undefined, "Connection"), "", false],
    ["no-key", clientRequest("", undefined, "Sec-WebSocket-Key"), "", false],
    ["key-short", clientRequest("Sec-WebSocket-Key: AAAAAAAAAAAAAAAA\r\n", undefined, "Sec-WebSocket-Key"), "", false],
    [
      "key-not-base64",
      clientRequest("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!!\r\n", undefined, "Sec-WebSocket-Key"),
      "",
      false,
    ],
    ["key-twice", clientRequest("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"), "", false],
    ["no-ws-version", clientRequest("", undefined, "Sec-WebSocket-Version"), "", true],
    ["ws-version-8", clientRequest("Sec-WebSocket-Version: 8\r\n", undefined, "Sec-WebSocket-Version"), "", false],
    ["header-no-colon", clientRequest("Bogus\r\n"), "", false],
    ["protocols-too-long", clientRequest(`Sec-WebSocket-Protocol: ${"p".repeat(300)}\r\n`), "", false],
    ["too-large", clientRequest(`Cookie: ${"c".repeat(SERVER_MAX_REQUEST)}\r\n`), "", false],
    ["lf-only", clientRequest().replace(/\r\n/g, "\n"), "", false],
    ["incomplete", clientRequest().slice(0, -2), "", false],
  ];
  for (const [name, text, chosen, everySplit] of rows) {
    const [cOff, cLen] = b.bytes(chosen);
    const [dOff, dLen] = b.bytes(Buffer.from(text, "latin1"));
    for (const s of splitsFor(dLen, rng, everySplit ? EXHAUSTIVE_SPLIT_LIMIT : 0)) {
      b.add("server-request", `${name}${s.tag}`, VecKind.ServerRequest, [dOff, dLen, cOff, cLen, ...s.spec]);
    }
  }
}

/** Client streams (masked frames) through the decoder in the server role (RFC 6455 §5.1, §5.3). */
function serverDecoderGroup(b: Builder, rng: Prng): void {
  const key = (): Buffer => Buffer.from(rng.bytes(4));
  const m = (opcode: number, payload: Buffer | string, o: FrameOptions = {}): Buffer =>
    rawFrame(opcode, payload, { ...o, mask: key() });
  const big = Buffer.from(rng.bytes(70000));
  const rows: [string, Buffer, number, number, boolean][] = [
    // name, stream, maxMessage, msgCap, split at every position
    ["text", m(1, "hello"), 1024, 1024, true],
    ["binary-nul-ff", m(2, Buffer.from([0, 255, 0, 128, 1])), 1024, 1024, true],
    ["empty-text", m(1, ""), 1024, 1024, true],
    ["zero-key", rawFrame(1, "plain", { mask: Buffer.alloc(4) }), 1024, 1024, false],
    [
      "fragments-ping-between",
      Buffer.concat([m(1, "h\u00e9l", { fin: false }), m(9, "p"), m(0, "lo \u20ac")]),
      1024,
      1024,
      true,
    ],
    ["close-with-reason", m(8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from("bye")])), 1024, 1024, true],
    ["pong-then-close-1005", Buffer.concat([m(10, "x"), m(8, "")]), 1024, 1024, true],
    ["len16", m(2, big.subarray(0, 300)), 1024, 1024, false],
    ["len64-70000-spilled", m(2, big), 100000, 16384, false],
    [
      "text-70000-fragmented-spilled",
      Buffer.concat([m(1, "a".repeat(40000), { fin: false }), m(0, "b".repeat(30000))]),
      100000,
      4096,
      false,
    ],
    ["unmasked-text", rawFrame(1, "hi"), 1024, 1024, true],
    ["unmasked-ping", rawFrame(9, ""), 1024, 1024, false],
    ["masked-then-unmasked", Buffer.concat([m(2, "ok"), rawFrame(2, "no")]), 1024, 1024, true],
    ["bad-utf8-masked", m(1, Buffer.from([0x61, 0xc0, 0x80])), 1024, 1024, true],
    ["truncated-utf8-masked", m(1, Buffer.from([0x61, 0xe2, 0x82])), 1024, 1024, false],
    ["too-big", m(2, Buffer.alloc(2000, 7)), 1024, 1024, false],
    ["rsv1-masked", m(1, "x", { rsv: 4 }), 1024, 1024, false],
    ["ping-126-masked", m(9, Buffer.alloc(126)), 1024, 1024, false],
    ["close-bad-code-masked", m(8, Buffer.from([0x03, 0xed])), 1024, 1024, false],
    ["continuation-first", m(0, "x"), 1024, 1024, false],
  ];
  for (const [name, stream, max, msgCap, everySplit] of rows) {
    const [dOff, len] = b.bytes(stream);
    for (const s of splitsFor(len, rng, everySplit ? EXHAUSTIVE_SPLIT_LIMIT : 0)) {
      b.add("server-decoder", `${name}${s.tag}`, VecKind.ServerDecoder, [dOff, len, max, msgCap, ...s.spec]);
    }
  }
}

/** Every vector, in a fixed order. */
export function buildVectors(): VectorSet {
  const b = new Builder();
  const rng = new Prng(0x5eed1234);
  int32Group(b, rng);
  bytesGroup(b);
  sha1Group(b, rng);
  base64Group(b, rng);
  handshakeKeyGroup(b, rng);
  handshakeResponseGroup(b, rng);
  urlGroup(b);
  requestGroup(b, rng);
  frameGroup(b, rng);
  utf8Group(b);
  hostileGroup(b, rng);
  decoderSynthGroup(b);
  decoderSpillGroup(b);
  connGroup(b, rng);
  engineIoGroup(b);
  socketIoGroup(b);
  jsonGroup(b);
  heartbeatGroup(b);
  backoffGroup(b, rng);
  stateGroup(b);
  closeGroup(b);
  serverHandshakeGroup(b, rng);
  serverDecoderGroup(b, rng);
  return b.build();
}

/** SHA-1 (hex) of a vector set's tables: changes whenever any input changes. */
export function vectorSetDigest(set: VectorSet): string {
  const h = createHash("sha1");
  h.update(set.data);
  h.update(Buffer.from(set.params.buffer, set.params.byteOffset, set.params.byteLength));
  for (const c of set.cases) {
    h.update(`${c.name}\0${c.p}\n`);
  }
  return h.digest("hex");
}
