import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decoderFeed, decoderInit, FrameDecoder, WsEvent } from "../core/decoder.js";
import { closeFrame, frame } from "./cases/hostile.js";

const TEXT = 1;
const BIN = 2;
const CONT = 0;
const PING = 9;
const PONG = 10;

type Ev =
  | { kind: "text" | "binary"; len: number; data: string }
  | { kind: "ping" | "pong"; data: string }
  | { kind: "close"; code: number; reason: string }
  | { kind: "error"; code: number };

/** Payloads above this size are compared by length and SHA-1 instead of hex. */
const HEX_MAX = 4096;

function show(bytes: Uint8Array): string {
  if (bytes.length <= HEX_MAX) {
    return Buffer.from(bytes).toString("hex");
  }
  return "sha1:" + createHash("sha1").update(bytes).digest("hex");
}

const text = (s: string | Buffer): Ev => {
  const b = typeof s === "string" ? Buffer.from(s, "utf8") : s;
  return { kind: "text", len: b.length, data: show(b) };
};
const binary = (b: Uint8Array): Ev => ({ kind: "binary", len: b.length, data: show(b) });
const ping = (s: string | Buffer = ""): Ev => ({ kind: "ping", data: Buffer.from(s).toString("hex") });
const pong = (s: string | Buffer = ""): Ev => ({ kind: "pong", data: Buffer.from(s).toString("hex") });
const close = (code: number, reason: string | Buffer = ""): Ev => ({
  kind: "close",
  code,
  reason: Buffer.from(reason).toString("hex"),
});
const error = (code: number): Ev => ({ kind: "error", code });

interface Run {
  events: Ev[];
  /** Stream position right after each event. */
  ends: number[];
}

/**
 * Feeds `chunks` (consecutive pieces of one stream, as TCP reads) to a fresh
 * decoder and collects the events, checking the feed contract on the way.
 */
function feedChunks(chunks: Uint8Array[], maxMessage: number, msg?: Uint8Array): Run {
  const d = new FrameDecoder();
  decoderInit(d, maxMessage);
  const buf = msg ?? new Uint8Array(maxMessage);
  const run: Run = { events: [], ends: [] };
  let pos = 0;
  let done = false;
  let closed = false;
  for (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length && !done) {
      const n = decoderFeed(d, chunk, off, chunk.length - off, buf);
      expect(n).toBeGreaterThanOrEqual(0);
      expect(n).toBeLessThanOrEqual(chunk.length - off);
      if (closed) {
        expect(n).toBe(chunk.length - off);
        expect(d.event).toBe(WsEvent.None);
      } else if (d.event === WsEvent.None) {
        expect(n).toBe(chunk.length - off);
      } else if (d.event !== WsEvent.Error) {
        expect(n).toBeGreaterThan(0);
      }
      off += n;
      pos += n;
      switch (d.event) {
        case WsEvent.None:
          break;
        case WsEvent.Message:
          run.events.push(
            d.msgType === TEXT
              ? text(Buffer.from(buf.subarray(0, d.msgLen)))
              : { kind: "binary", len: d.msgLen, data: show(buf.subarray(0, d.msgLen)) },
          );
          expect(d.msgType === TEXT || d.msgType === BIN).toBe(true);
          run.ends.push(pos);
          break;
        case WsEvent.Ping:
          run.events.push(ping(Buffer.from(d.ctl.subarray(0, d.ctlLen))));
          run.ends.push(pos);
          break;
        case WsEvent.Pong:
          run.events.push(pong(Buffer.from(d.ctl.subarray(0, d.ctlLen))));
          run.ends.push(pos);
          break;
        case WsEvent.Close:
          run.events.push(close(d.closeCode, Buffer.from(d.ctl.subarray(2, 2 + d.closeReasonLen))));
          run.ends.push(pos);
          closed = true;
          break;
        case WsEvent.Error:
          expect(d.failed).toBe(true);
          run.events.push(error(d.errorCode));
          run.ends.push(pos);
          // Sticky: further calls consume nothing and repeat the error.
          expect(decoderFeed(d, chunk, 0, chunk.length, buf)).toBe(0);
          expect(d.event).toBe(WsEvent.Error);
          done = true;
          break;
        default:
          throw new Error(`bad event ${d.event}`);
      }
    }
  }
  return run;
}

function splitAt(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  for (const c of cuts) {
    out.push(stream.subarray(p, c));
    p = c;
  }
  out.push(stream.subarray(p));
  return out;
}

function randomCuts(n: number, count: number, rnd: () => number): number[] {
  const s = new Set<number>();
  for (let i = 0; i < count; i++) {
    s.add(1 + Math.floor(rnd() * Math.max(1, n - 1)));
  }
  return [...s].filter((c) => c < n).sort((a, b) => a - b);
}

function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/**
 * Decodes `stream` whole, then split at every byte position (two reads), then
 * one byte per read; streams above `exhaustive` bytes get random splits
 * instead. Every replay must give `want` with the same event end positions.
 */
function expectStream(stream: Uint8Array, maxMessage: number, want: Ev[], exhaustive = 3000): Run {
  const msg = new Uint8Array(maxMessage);
  const whole = feedChunks([stream], maxMessage, msg);
  expect(whole.events).toEqual(want);
  const n = stream.length;
  if (n <= exhaustive) {
    for (let k = 0; k <= n; k++) {
      const r = feedChunks([stream.subarray(0, k), stream.subarray(k)], maxMessage, msg);
      expect(r.events, `split at ${k}`).toEqual(want);
      expect(r.ends, `split at ${k}`).toEqual(whole.ends);
    }
    const bytes: Uint8Array[] = [];
    for (let k = 0; k < n; k++) {
      bytes.push(stream.subarray(k, k + 1));
    }
    const r = feedChunks(bytes, maxMessage, msg);
    expect(r.events, "one byte per read").toEqual(want);
    expect(r.ends).toEqual(whole.ends);
  } else {
    const rnd = seeded(n);
    for (const count of [1, 3, 50, 1000]) {
      const cuts = randomCuts(n, count, rnd);
      const r = feedChunks(splitAt(stream, cuts), maxMessage, msg);
      expect(r.events, `random cuts ${cuts.slice(0, 10).join(",")}...`).toEqual(want);
      expect(r.ends).toEqual(whole.ends);
    }
    // 16 KiB reads, like the SourceMod socket extension delivers them.
    const reads: number[] = [];
    for (let c = 16384; c < n; c += 16384) {
      reads.push(c);
    }
    const r = feedChunks(splitAt(stream, reads), maxMessage, msg);
    expect(r.events).toEqual(want);
  }
  return whole;
}

/** Valid UTF-8 of exactly n bytes: 1- to 4-byte code points, padded with ASCII. */
function utf8Text(n: number): Buffer {
  const unit = Buffer.from("é€😀a κόσμε ", "utf8");
  const out = Buffer.alloc(n, 0x61);
  for (let o = 0; o + unit.length <= n; o += unit.length) {
    unit.copy(out, o);
  }
  return out;
}

const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const hx = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ""), "hex"));
const END = closeFrame(1000);

describe("RFC 6455 §5.7 examples (server to client, unmasked)", () => {
  it("single-frame text", () => {
    expectStream(hx("81 05 48 65 6c 6c 6f"), 100, [text("Hello")]);
  });

  it("fragmented text", () => {
    const run = expectStream(hx("01 03 48 65 6c  80 02 6c 6f"), 100, [text("Hello")]);
    expect(run.ends).toEqual([9]);
  });

  it("ping", () => {
    expectStream(hx("89 05 48 65 6c 6c 6f"), 100, [ping("Hello")]);
  });

  it("256-byte binary message", () => {
    const payload = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    expectStream(cat(hx("82 7e 01 00"), payload), 256, [binary(payload)]);
  });

  it("64 KiB binary message", () => {
    const payload = Uint8Array.from({ length: 65536 }, (_, i) => (i * 31) & 255);
    expectStream(cat(hx("82 7f 00 00 00 00 00 01 00 00"), payload), 65536, [binary(payload)]);
  });

  it("a masked frame from the server fails with 1002 (RFC masked example)", () => {
    expectStream(hx("81 85 37 fa 21 3d 7f 9f 4d 51 58"), 100, [error(1002)]);
  });
});

describe("frame sequences", () => {
  it("many frames in one chunk, each call stops right after its event", () => {
    const frames = [
      frame(TEXT, "one"),
      frame(BIN, Buffer.from([0, 255])),
      frame(PING, "p"),
      frame(PONG),
      frame(TEXT, ""),
      END,
    ];
    const stream = cat(...frames);
    const run = expectStream(stream, 100, [
      text("one"),
      binary(Uint8Array.from([0, 255])),
      ping("p"),
      pong(),
      text(""),
      close(1000),
    ]);
    let p = 0;
    const ends = frames.map((f) => (p += f.length));
    expect(run.ends).toEqual(ends);
  });

  it("fragmented messages with interleaved control frames", () => {
    const stream = cat(
      frame(TEXT, "Hel", { fin: false }),
      frame(PING, "a"),
      frame(CONT, "lo ", { fin: false }),
      frame(PONG, "b"),
      frame(PING),
      frame(CONT, "world"),
      frame(BIN, Buffer.from([1]), { fin: false }),
      frame(CONT, Buffer.alloc(0), { fin: false }),
      frame(PING, Buffer.alloc(125, 0xff)),
      frame(CONT, Buffer.from([0, 0xff])),
      END,
    );
    expectStream(stream, 64, [
      ping("a"),
      pong("b"),
      ping(),
      text("Hello world"),
      ping(Buffer.alloc(125, 0xff)),
      binary(Uint8Array.from([1, 0, 0xff])),
      close(1000),
    ]);
  });

  it("zero-length messages, pings and pongs", () => {
    expectStream(
      cat(
        frame(TEXT, ""),
        frame(BIN, ""),
        frame(PING),
        frame(PONG),
        frame(TEXT, "", { fin: false }),
        frame(CONT, ""),
        END,
      ),
      0,
      [text(""), binary(new Uint8Array(0)), ping(), pong(), text(""), close(1000)],
    );
  });

  it("binary with NUL and 0xFF bytes is delivered intact", () => {
    const b = Uint8Array.from([0, 0, 0xff, 0x00, 0xfe, 0xff, 0x80, 0, 0x7f, 0xc0, 0xaf]);
    expectStream(cat(frame(BIN, Buffer.from(b)), frame(BIN, Buffer.alloc(3)), END), 64, [
      binary(b),
      binary(new Uint8Array(3)),
      close(1000),
    ]);
  });

  it("text with NUL characters", () => {
    expectStream(cat(frame(TEXT, "a\u0000b"), END), 16, [text("a\u0000b"), close(1000)]);
  });

  for (const n of [125, 126, 127, 65535, 65536]) {
    it(`text and binary messages of ${n} bytes`, () => {
      const t = utf8Text(n);
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) {
        b[i] = (i * 7 + 3) & 255;
      }
      const stream = cat(frame(TEXT, t), frame(BIN, b), END);
      const headers = n < 126 ? 2 : n < 65536 ? 4 : 10;
      const run = expectStream(stream, n, [text(t), binary(b), close(1000)], 1200);
      expect(run.ends[0]).toBe(headers + n);
    });
  }

  it("1 MiB messages, whole and in fragments", () => {
    const n = 1024 * 1024;
    const t = utf8Text(n);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      b[i] = (i ^ (i >>> 8)) & 255;
    }
    const parts: Buffer[] = [frame(TEXT, t)];
    for (let p = 0; p < n; p += 100000) {
      parts.push(frame(p === 0 ? BIN : CONT, b.subarray(p, p + 100000), { fin: p + 100000 >= n }));
      if (p === 300000) {
        parts.push(frame(PING, "mid"));
      }
    }
    parts.push(END);
    expectStream(cat(...parts), n, [text(t), ping("mid"), binary(b), close(1000)]);
  });

  it("offsets into the input buffer are honoured", () => {
    const d = new FrameDecoder();
    decoderInit(d, 10);
    const msg = new Uint8Array(10);
    const data = cat(Buffer.from([0xff, 0xff]), frame(TEXT, "abc"), Buffer.from([0xff]));
    expect(decoderFeed(d, data, 2, 5, msg)).toBe(5);
    expect(d.event).toBe(WsEvent.Message);
    expect(d.msgType).toBe(TEXT);
    expect(Buffer.from(msg.subarray(0, d.msgLen)).toString()).toBe("abc");
  });

  it("an empty feed reports nothing", () => {
    const d = new FrameDecoder();
    decoderInit(d, 10);
    expect(decoderFeed(d, new Uint8Array(4), 0, 0, new Uint8Array(10))).toBe(0);
    expect(d.event).toBe(WsEvent.None);
  });
});

describe("limits", () => {
  it("a single frame over maxMessage fails with 1009 as soon as its header is complete", () => {
    const big = frame(BIN, Buffer.alloc(1001));
    const run = expectStream(cat(frame(BIN, Buffer.alloc(1000)), big, END), 1000, [
      binary(new Uint8Array(1000)),
      error(1009),
    ]);
    expect(run.ends[1]).toBe(1004 + 4);
    // The header alone is enough: no payload byte needs to arrive.
    expect(feedChunks([big.subarray(0, 4)], 1000).events).toEqual([error(1009)]);
    expect(feedChunks([big.subarray(0, 3)], 1000).events).toEqual([]);
  });

  it("fragments adding up to more than maxMessage fail with 1009", () => {
    const stream = cat(
      frame(TEXT, "x".repeat(60), { fin: false }),
      frame(PING, "p"),
      frame(CONT, "x".repeat(40), { fin: false }),
      frame(CONT, "y"),
      END,
    );
    expectStream(stream, 100, [ping("p"), error(1009)]);
    expectStream(stream, 101, [ping("p"), text("x".repeat(100) + "y"), close(1000)]);
  });

  it("the limit applies per message, not per connection", () => {
    const parts: Buffer[] = [];
    const want: Ev[] = [];
    for (let i = 0; i < 20; i++) {
      parts.push(frame(BIN, Buffer.alloc(50, i), { fin: false }), frame(CONT, Buffer.alloc(50, i)));
      want.push(binary(new Uint8Array(100).fill(i)));
    }
    parts.push(END);
    want.push(close(1000));
    expectStream(cat(...parts), 100, want, 500);
  });

  it("64-bit lengths of 2^31 and more fail with 1009 even when maxMessage is the largest int", () => {
    for (const len of [1n << 31n, 0xffffffffn, 1n << 32n, (1n << 63n) - 1n]) {
      const f = frame(BIN, Buffer.alloc(0), { declaredLen: len });
      expectStream(cat(f, Buffer.alloc(20, 0x41)), 0x7fffffff, [error(1009)], 40);
    }
    // Just below 2^31 is accepted as a header (the payload would follow).
    const d = new FrameDecoder();
    decoderInit(d, 0x7fffffff);
    const f = frame(BIN, Buffer.alloc(0), { declaredLen: 0x7fffffffn });
    expect(decoderFeed(d, f, 0, f.length, new Uint8Array(16))).toBe(10);
    expect(d.event).toBe(WsEvent.None);
    expect(d.failed).toBe(false);
  });

  it("a 64-bit length with the top bit set is a protocol error", () => {
    expectStream(frame(BIN, Buffer.alloc(0), { declaredLen: 1n << 63n }), 100, [error(1002)]);
  });

  it("non-minimal lengths are protocol errors", () => {
    expectStream(frame(TEXT, "abc", { lenForm: 16 }), 100, [error(1002)]);
    expectStream(frame(TEXT, "x".repeat(125), { lenForm: 16 }), 200, [error(1002)]);
    expectStream(frame(BIN, Buffer.alloc(126), { lenForm: 64 }), 200, [error(1002)]);
    expectStream(frame(BIN, Buffer.alloc(65535), { lenForm: 64 }), 65535, [error(1002)], 100);
    expectStream(frame(BIN, Buffer.alloc(126), { lenForm: 16 }), 200, [binary(new Uint8Array(126))]);
  });
});

describe("protocol errors", () => {
  const cases: Array<[string, Uint8Array, Ev[]]> = [
    ["RSV1", frame(TEXT, "a", { rsv: 4 }), [error(1002)]],
    ["RSV3 on ping", frame(PING, "a", { rsv: 1 }), [error(1002)]],
    ["opcode 3", frame(3, "a"), [error(1002)]],
    ["opcode 11", frame(11), [error(1002)]],
    ["opcode 15", frame(15), [error(1002)]],
    ["masked frame", frame(BIN, "a", { mask: Buffer.from([1, 2, 3, 4]) }), [error(1002)]],
    ["fragmented ping", frame(PING, "a", { fin: false }), [error(1002)]],
    ["ping of 126 bytes", frame(PING, Buffer.alloc(126)), [error(1002)]],
    ["close of 126 bytes", frame(8, Buffer.alloc(126, 0x41)), [error(1002)]],
    ["continuation without a message", frame(CONT, "a"), [error(1002)]],
    ["text while a message is open", cat(frame(TEXT, "a", { fin: false }), frame(TEXT, "b")), [error(1002)]],
    ["binary while a message is open", cat(frame(BIN, "a", { fin: false }), frame(BIN, "b")), [error(1002)]],
    ["close with a 1-byte payload", frame(8, Buffer.from([3])), [error(1002)]],
    ["close with code 1005", closeFrame(1005), [error(1002)]],
    ["close with code 999", closeFrame(999), [error(1002)]],
    ["close with code 5000", closeFrame(5000), [error(1002)]],
    ["close with a non-UTF-8 reason", closeFrame(1000, Buffer.from([0x41, 0xff])), [error(1007)]],
    ["text not UTF-8", frame(TEXT, Buffer.from([0x41, 0xc0, 0x80])), [error(1007)]],
    ["text ends inside a code point", cat(frame(TEXT, Buffer.from([0xe2, 0x82]))), [error(1007)]],
    [
      "fragmented text ends inside a code point",
      cat(frame(TEXT, Buffer.from([0xf0, 0x9f]), { fin: false }), frame(CONT, Buffer.from([0x98]))),
      [error(1007)],
    ],
  ];
  for (const [name, stream, want] of cases) {
    it(name, () => {
      expectStream(cat(frame(TEXT, "ok"), stream, END), 200, [text("ok"), ...want]);
    });
  }

  it("invalid UTF-8 fails at the first bad byte, before the fragment or message ends", () => {
    const f1 = frame(TEXT, "κόσμε", { fin: false });
    const f2 = frame(CONT, Buffer.from("f4908080", "hex"), { fin: false });
    const f3 = frame(CONT, "edited");
    const stream = cat(f1, f2, f3);
    const run = expectStream(stream, 100, [error(1007)]);
    // F4 is a possible lead byte; 90 after F4 is the first byte that cannot be valid.
    expect(run.ends).toEqual([f1.length + 2 + 2]);
    // Feeding up to just before it gives no event yet.
    expect(feedChunks([stream.subarray(0, f1.length + 2 + 1)], 100).events).toEqual([]);
  });

  it("a truncated code point is only an error at the end of the message", () => {
    const stream = cat(
      frame(TEXT, Buffer.from([0x41, 0xe2]), { fin: false }),
      frame(PING),
      frame(CONT, Buffer.from([0x82, 0xac])),
    );
    expectStream(stream, 10, [ping(), text(Buffer.from([0x41, 0xe2, 0x82, 0xac]))]);
  });

  it("a new decoderInit clears a failure", () => {
    const d = new FrameDecoder();
    const msg = new Uint8Array(10);
    decoderInit(d, 10);
    const bad = frame(3);
    expect(decoderFeed(d, bad, 0, bad.length, msg)).toBe(1);
    expect(d.event).toBe(WsEvent.Error);
    expect(d.errorCode).toBe(1002);
    decoderInit(d, 10);
    expect(d.failed).toBe(false);
    const good = frame(TEXT, "hi");
    expect(decoderFeed(d, good, 0, good.length, msg)).toBe(good.length);
    expect(d.event).toBe(WsEvent.Message);
  });
});

describe("close", () => {
  it("reports 1005 for an empty close, the code and reason otherwise", () => {
    expectStream(frame(8), 10, [close(1005)]);
    expectStream(closeFrame(1001), 10, [close(1001)]);
    expectStream(closeFrame(4000, "bye µ"), 10, [close(4000, "bye µ")]);
    const d = new FrameDecoder();
    decoderInit(d, 10);
    const f = closeFrame(3001, "why");
    decoderFeed(d, f, 0, f.length, new Uint8Array(10));
    expect(d.event).toBe(WsEvent.Close);
    expect(d.closeCode).toBe(3001);
    expect(d.closeReasonLen).toBe(3);
    expect(Buffer.from(d.ctl.subarray(2, 5)).toString()).toBe("why");
  });

  it("ignores everything after the close", () => {
    const stream = cat(
      frame(TEXT, "a"),
      closeFrame(1000, "done"),
      frame(TEXT, "b"),
      frame(3),
      Buffer.from([0xff, 0xff]),
    );
    expectStream(stream, 10, [text("a"), close(1000, "done")]);
  });
});

/** Model of a server stream: messages fragmented at random, control frames interleaved. */
const messageArb = fc.record({
  binary: fc.boolean(),
  textValue: fc.string({ unit: "binary", maxLength: 60 }),
  bytes: fc.uint8Array({ maxLength: 60 }),
  cuts: fc.array(fc.nat({ max: 200 }), { maxLength: 4 }),
  controls: fc.array(
    fc.record({ at: fc.nat({ max: 4 }), pong: fc.boolean(), payload: fc.uint8Array({ maxLength: 125 }) }),
    { maxLength: 3 },
  ),
});

describe("properties", () => {
  it("random valid streams decode to the model under random splits", () => {
    fc.assert(
      fc.property(
        fc.array(messageArb, { maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (messages, withClose, cutSeeds) => {
          const parts: Buffer[] = [];
          const want: Ev[] = [];
          for (const m of messages) {
            const payload = m.binary ? Buffer.from(m.bytes) : Buffer.from(m.textValue, "utf8");
            const points = [...new Set(m.cuts.map((c) => c % (payload.length + 1)))].sort((a, b) => a - b);
            const bounds = [0, ...points, payload.length];
            const pieces: Buffer[] = [];
            for (let i = 0; i + 1 < bounds.length; i++) {
              pieces.push(payload.subarray(bounds[i], bounds[i + 1]));
            }
            pieces.forEach((piece, i) => {
              parts.push(frame(i === 0 ? (m.binary ? BIN : TEXT) : CONT, piece, { fin: i === pieces.length - 1 }));
              for (const c of m.controls) {
                if (c.at === i && i < pieces.length - 1) {
                  parts.push(frame(c.pong ? PONG : PING, Buffer.from(c.payload)));
                  want.push(c.pong ? pong(Buffer.from(c.payload)) : ping(Buffer.from(c.payload)));
                }
              }
            });
            want.push(m.binary ? binary(payload) : text(payload));
          }
          if (withClose) {
            parts.push(closeFrame(1000, "end"), frame(TEXT, "after"));
            want.push(close(1000, "end"));
          }
          const stream = cat(...parts);
          const whole = feedChunks([stream], 400);
          expect(whole.events).toEqual(want);
          const cuts = [...new Set(cutSeeds.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const split = feedChunks(splitAt(stream, cuts), 400);
          expect(split.events).toEqual(want);
          expect(split.ends).toEqual(whole.ends);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("arbitrary bytes: same outcome however the stream is split", () => {
    // Bytes biased towards header-like values so that frames, errors and closes all occur.
    const byte = fc.oneof(
      fc.constantFrom(
        0x00,
        0x01,
        0x02,
        0x08,
        0x09,
        0x0a,
        0x80,
        0x81,
        0x82,
        0x88,
        0x89,
        0x8a,
        0x7e,
        0x7f,
        0x03,
        0xe8,
        0xc3,
        0xa9,
        0xff,
      ),
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 6 }),
    );
    fc.assert(
      fc.property(fc.array(byte, { maxLength: 80 }), fc.array(fc.nat(), { maxLength: 10 }), (arr, cutSeeds) => {
        const stream = Uint8Array.from(arr);
        const whole = feedChunks([stream], 64);
        const cuts = [...new Set(cutSeeds.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const split = feedChunks(splitAt(stream, cuts), 64);
        expect(split.events).toEqual(whole.events);
        expect(split.ends).toEqual(whole.ends);
      }),
      { numRuns: 5000 },
    );
  });
});
