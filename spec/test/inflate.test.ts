/**
 * The DEFLATE decoder and encoder of spec/core (inflate.ts, deflate.ts)
 * against node:zlib: raw streams of every level, strategy and window size,
 * random and adversarial inputs, every split of the input and of the output
 * space, the RFC 7692 tail, context takeover across messages, decompression
 * bombs refused before the limit is passed, and malformed streams refused
 * where zlib refuses them.
 */

import { deflateRawSync, inflateRawSync, constants as Z } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Deflater, deflateMessage } from "../core/deflate.js";
import {
  INFLATE_WINDOW_SIZE,
  InflateError,
  InflateResult,
  Inflater,
  inflateFinish,
  inflateMessage,
  inflateMessageStart,
  inflateReset,
  inflateRun,
} from "../core/inflate.js";

/** A deterministic pseudo-random generator (xorshift32), so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
  return b;
}

/** Text-like data with repeats near and far (words from a small vocabulary). */
function textLike(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const words = ["alpha", "beta", "gamma", "delta", '{"k":', "12345", " ", "\n", "round", "player_", "ü€", "score"];
  let s = "";
  while (s.length < n) s += words[Math.floor(r() * words.length)];
  return new Uint8Array(Buffer.from(s).subarray(0, n));
}

/** Inflates one whole raw stream (no tail) with output space `outCap`; returns the bytes or the InflateError. */
function inflateAll(data: Uint8Array, limit = 1 << 24): Uint8Array | { error: number; written: number } {
  const s = new Inflater();
  inflateReset(s);
  inflateMessageStart(s, limit);
  const out = new Uint8Array(limit + 16);
  const r = inflateRun(s, data, 0, data.length, out, 0, limit);
  if (r === InflateResult.Error) return { error: s.error, written: s.outMade };
  if (r !== InflateResult.End) return { error: InflateError.Truncated, written: s.outMade };
  return out.subarray(0, s.outMade);
}

/** Inflates a raw stream fed in input pieces of `inStep` bytes into output pieces of `outStep` bytes. */
function inflateSplit(data: Uint8Array, inStep: number, outStep: number): Uint8Array {
  const s = new Inflater();
  inflateReset(s);
  inflateMessageStart(s, 1 << 24);
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const n = Math.min(inStep, data.length - pos);
    const out = new Uint8Array(outStep);
    const r = inflateRun(s, data, pos, n, out, 0, outStep);
    parts.push(Buffer.from(out.subarray(0, s.outMade)));
    pos += s.inUsed;
    if (r === InflateResult.End) break;
    if (r === InflateResult.Error) throw new Error(`error ${s.error}`);
    if (r === InflateResult.NeedInput) {
      expect(s.inUsed).toBe(n);
      if (pos >= data.length) throw new Error("truncated");
    }
  }
  return new Uint8Array(Buffer.concat(parts));
}

const corpus: [string, Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["one byte", new Uint8Array([0x41])],
  ["two bytes", new Uint8Array([0, 255])],
  ["incompressible 40000", randomBytes(40000, 7)],
  ["zeros 70000", new Uint8Array(70000)],
  ["text 40000", textLike(40000, 3)],
  ["period 3", new Uint8Array(Buffer.from("abc".repeat(5000)))],
  [
    "max distance",
    (() => {
      const a = randomBytes(32768, 11);
      const b = new Uint8Array(32768 * 3);
      b.set(a, 0);
      b.set(a, 32768);
      b.set(a, 65536);
      return b;
    })(),
  ],
];

describe("inflate against node:zlib", () => {
  for (const [name, data] of corpus) {
    it(`${name}: every level, strategy and window size`, () => {
      // Large inputs get fewer combinations (the oracle is plain TypeScript, a busy machine runs it slowly).
      const big = data.length > 10000;
      for (const level of big ? [0, 1, 9] : [0, 1, 6, 9]) {
        for (const strategy of [Z.Z_DEFAULT_STRATEGY, Z.Z_FILTERED, Z.Z_HUFFMAN_ONLY, Z.Z_RLE, Z.Z_FIXED]) {
          for (const windowBits of big ? [9, 15] : [9, 12, 15]) {
            const z = deflateRawSync(data, { level, strategy, windowBits });
            const got = inflateAll(new Uint8Array(z));
            expect(got, `level ${level} strategy ${strategy} window ${windowBits}`).toEqual(data);
          }
        }
      }
    });
  }

  it("streams split at every input and output size give the same bytes", () => {
    const data = textLike(3000, 5);
    for (const level of [0, 1, 9]) {
      const z = new Uint8Array(deflateRawSync(data, { level }));
      for (let step = 1; step <= 17; step++) {
        expect(inflateSplit(z, step, 1 << 20)).toEqual(data);
        expect(inflateSplit(z, 1 << 20, step)).toEqual(data);
        expect(inflateSplit(z, step, 18 - step)).toEqual(data);
      }
    }
  });

  it("random data of random shapes (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 9, max: 15 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        (data, level, windowBits, inStep, outStep) => {
          // Repeat a slice so that matches occur too.
          const d = new Uint8Array(data.length * 2);
          d.set(data, 0);
          d.set(data, data.length);
          const z = new Uint8Array(deflateRawSync(d, { level, windowBits }));
          expect(inflateSplit(z, inStep, outStep)).toEqual(d);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("mutated streams: the same bytes as zlib, or an error where zlib has one", { timeout: 120_000 }, () => {
    const r = rng(99);
    let errors = 0;
    for (let t = 0; t < 1500; t++) {
      const data = t % 3 === 0 ? randomBytes(200, t) : textLike(400, t);
      const z = new Uint8Array(deflateRawSync(data, { level: t % 10, strategy: t % 5 === 4 ? Z.Z_FIXED : 0 }));
      const flips = 1 + Math.floor(r() * 3);
      for (let f = 0; f < flips; f++) {
        z[Math.floor(r() * z.length)] ^= 1 << Math.floor(r() * 8);
      }
      let want: Uint8Array | null = null;
      try {
        want = new Uint8Array(inflateRawSync(z, { finishFlush: Z.Z_SYNC_FLUSH }));
      } catch {
        want = null;
      }
      const got = inflateAll(z);
      if (want === null) {
        errors++;
        expect(got instanceof Uint8Array, `case ${t}`).toBe(false);
      } else if (got instanceof Uint8Array) {
        expect(got, `case ${t}`).toEqual(want);
      } else {
        // zlib with a sync flush accepts a stream that stops early; ours must say Truncated then.
        expect(got.error, `case ${t}`).toBe(InflateError.Truncated);
      }
    }
    expect(errors).toBeGreaterThan(50);
  });
});

describe("the fast loop (inflateFast) decides nothing of its own", () => {
  /**
   * Fed one input byte per call, inflateRun never has the 8 bytes in hand that
   * inflateFast needs, so inflateCodes alone decodes: the reference. Fed whole,
   * most symbols go through inflateFast. Both must write the same bytes and end
   * with the same result, error and count, also for streams damaged anywhere.
   */
  interface Outcome {
    r: number;
    error: number;
    bytes: Uint8Array;
    /** The history the next message would see: window, position and fill. */
    history: string;
  }

  const history = (s: Inflater): string => `${s.winPos} ${s.winFill} ${Buffer.from(s.window).toString("hex")}`;

  function byteAtATime(data: Uint8Array, limit: number): Outcome {
    const s = new Inflater();
    inflateReset(s);
    inflateMessageStart(s, limit);
    const out = new Uint8Array(limit + 16);
    let made = 0;
    let r: number = InflateResult.NeedInput;
    for (let pos = 0; pos < data.length && r === InflateResult.NeedInput; pos++) {
      r = inflateRun(s, data, pos, 1, out, made, limit - made);
      made += s.outMade;
    }
    return { r, error: s.error, bytes: out.subarray(0, made), history: history(s) };
  }

  function whole(data: Uint8Array, limit: number): Outcome {
    const s = new Inflater();
    inflateReset(s);
    inflateMessageStart(s, limit);
    const out = new Uint8Array(limit + 16);
    const r = inflateRun(s, data, 0, data.length, out, 0, limit);
    return { r, error: s.error, bytes: out.subarray(0, s.outMade), history: history(s) };
  }

  it("damaged streams of every level and strategy: same bytes, result, error and window", { timeout: 120_000 }, () => {
    const r = rng(1234);
    const kinds = new Set<number>();
    for (let t = 0; t < 600; t++) {
      // Every 50th is longer than the window, so the window keeps only the last INFLATE_WINDOW_SIZE bytes.
      const data = t % 50 === 7 ? textLike(100000, t) : t % 4 === 0 ? randomBytes(3000, t) : textLike(6000, t);
      const z = new Uint8Array(
        deflateRawSync(data, { level: t % 10, strategy: t % 5 === 4 ? Z.Z_FIXED : 0, windowBits: 9 + (t % 7) }),
      );
      // Long ones mostly intact, so the fast loop writes past the window's size.
      if (t % 6 !== 0 && (data.length < 100000 || t % 100 === 7)) {
        const flips = 1 + Math.floor(r() * 3);
        for (let f = 0; f < flips; f++) {
          z[Math.floor(r() * z.length)] ^= 1 << Math.floor(r() * 8);
        }
      }
      // Some limits fall inside the message, so TooBig is met inside the fast loop's range too.
      const limit = t % 3 === 0 ? 1 + Math.floor(r() * data.length) : 1 << 17;
      const a = byteAtATime(z, limit);
      const b = whole(z, limit);
      expect(b.r, `case ${t}`).toBe(a.r);
      expect(b.error, `case ${t}`).toBe(a.error);
      expect(b.bytes, `case ${t}`).toEqual(a.bytes);
      expect(b.history === a.history, `case ${t}: window`).toBe(true);
      if (a.r === InflateResult.Error) kinds.add(a.error);
    }
    // The damage reached the fast loop's kinds of stop: bad codes, bad distances, too far, too big.
    for (const k of [
      InflateError.InvalidLiteral,
      InflateError.InvalidDistance,
      InflateError.DistanceTooFar,
      InflateError.TooBig,
    ]) {
      expect(kinds.has(k), `error ${k} met`).toBe(true);
    }
  });
});

describe("RFC 7692 messages", () => {
  /** What `ws` sends: raw deflate with a sync flush, the final 00 00 ff ff removed (§7.2.1). */
  function wsCompress(data: Uint8Array, opts = {}): Uint8Array {
    const z = deflateRawSync(data, { ...opts, finishFlush: Z.Z_SYNC_FLUSH });
    expect([...z.subarray(z.length - 4)]).toEqual([0, 0, 255, 255]);
    return new Uint8Array(z.subarray(0, z.length - 4));
  }

  it("inflateMessage appends the tail and returns the length", () => {
    for (const [, data] of corpus) {
      const s = new Inflater();
      inflateReset(s);
      const c = wsCompress(data);
      const out = new Uint8Array(data.length + 1);
      expect(inflateMessage(s, c, 0, c.length, out, 0, out.length)).toBe(data.length);
      expect(out.subarray(0, data.length)).toEqual(data);
    }
  });

  it("a payload that stops inside a block fails (ws would deliver a prefix)", () => {
    const c = wsCompress(textLike(1000, 1));
    for (let cut = 1; cut < c.length; cut++) {
      const s = new Inflater();
      inflateReset(s);
      const out = new Uint8Array(2000);
      const n = inflateMessage(s, c, 0, c.length - cut, out, 0, 2000);
      // Truncated, or whatever the tail bytes read as inside the block; never TooBig, never a length.
      expect(n, `cut ${cut}`).toBeLessThan(0);
      expect(n).not.toBe(-InflateError.TooBig);
    }
    const s = new Inflater();
    inflateReset(s);
    expect(inflateMessage(s, c, 0, 0, new Uint8Array(1), 0, 1)).toBe(-InflateError.Truncated);
  });

  it("a final block with BFINAL set is accepted and the next message starts afresh", () => {
    const s = new Inflater();
    inflateReset(s);
    const a = new Uint8Array(deflateRawSync(Buffer.from("hello hello hello")));
    const out = new Uint8Array(100);
    expect(inflateMessage(s, a, 0, a.length, out, 0, 100)).toBe(17);
    const b = wsCompress(new Uint8Array(Buffer.from("again")));
    expect(inflateMessage(s, b, 0, b.length, out, 0, 100)).toBe(5);
    expect(Buffer.from(out.subarray(0, 5)).toString()).toBe("again");
  });

  it("references into the previous message need the window (context takeover)", () => {
    // Message 2 is a stored-free stream that refers back into message 1 via a preset dictionary.
    const m1 = randomBytes(20000, 4);
    const m2 = m1.subarray(5000, 9000);
    const c1 = wsCompress(m1);
    const c2 = new Uint8Array(deflateRawSync(m2, { dictionary: m1, finishFlush: Z.Z_SYNC_FLUSH }));
    const c2p = c2.subarray(0, c2.length - 4);
    expect(c2p.length).toBeLessThan(100);
    const s = new Inflater();
    inflateReset(s);
    const out = new Uint8Array(30000);
    expect(inflateMessage(s, c1, 0, c1.length, out, 0, out.length)).toBe(20000);
    expect(inflateMessage(s, c2p, 0, c2p.length, out, 0, out.length)).toBe(4000);
    expect(out.subarray(0, 4000)).toEqual(m2);
    // Without the window (server_no_context_takeover reset) the same bytes reach too far back.
    inflateReset(s);
    expect(inflateMessage(s, c2p, 0, c2p.length, out, 0, out.length)).toBe(-InflateError.DistanceTooFar);
  });

  it(`the window is ${INFLATE_WINDOW_SIZE} bytes`, () => {
    expect(new Inflater().window.length).toBe(INFLATE_WINDOW_SIZE);
  });
});

describe("decompression bombs", () => {
  it("1 MiB of zeros with a 64 KiB limit: TooBig, nothing written past the limit", () => {
    const z = new Uint8Array(deflateRawSync(new Uint8Array(1 << 20), { level: 9, finishFlush: Z.Z_SYNC_FLUSH }));
    const c = z.subarray(0, z.length - 4);
    expect(c.length).toBeLessThan(2000);
    const s = new Inflater();
    inflateReset(s);
    const out = new Uint8Array(65536 + 1024).fill(0xaa);
    expect(inflateMessage(s, c, 0, c.length, out, 0, 65536)).toBe(-InflateError.TooBig);
    expect(s.total).toBeLessThanOrEqual(65536);
    expect(out.subarray(65536).every((b) => b === 0xaa)).toBe(true);
    // A later call stays failed.
    expect(inflateRun(s, c, 0, c.length, out, 0, 10)).toBe(InflateResult.Error);
  });

  it("exactly at the limit is fine, one byte more is TooBig; stored and literal paths too", () => {
    for (const level of [0, 1, 9]) {
      const data = level === 0 ? randomBytes(5000, 1) : new Uint8Array(5000).fill(7);
      const z = new Uint8Array(deflateRawSync(data, { level, finishFlush: Z.Z_SYNC_FLUSH }));
      const c = z.subarray(0, z.length - 4);
      const out = new Uint8Array(6000);
      const s = new Inflater();
      inflateReset(s);
      expect(inflateMessage(s, c, 0, c.length, out, 0, 5000)).toBe(5000);
      inflateReset(s);
      expect(inflateMessage(s, c, 0, c.length, out, 0, 4999)).toBe(-InflateError.TooBig);
    }
  });

  it("streaming with a small output buffer stops at the limit too", () => {
    const z = new Uint8Array(deflateRawSync(new Uint8Array(1 << 20), { level: 9 }));
    const s = new Inflater();
    inflateReset(s);
    inflateMessageStart(s, 100000);
    const out = new Uint8Array(4096);
    let pos = 0;
    let total = 0;
    for (;;) {
      const r = inflateRun(s, z, pos, z.length - pos, out, 0, out.length);
      pos += s.inUsed;
      total += s.outMade;
      if (r !== InflateResult.OutputFull) {
        expect(r).toBe(InflateResult.Error);
        break;
      }
    }
    expect(s.error).toBe(InflateError.TooBig);
    expect(total).toBeLessThanOrEqual(100000);
  });
});

describe("malformed streams", () => {
  const cases: [string, number[], number][] = [
    ["block type 3", [0x07], InflateError.BadBlockType],
    ["stored NLEN mismatch", [0x01, 0x05, 0x00, 0xfa, 0xfe], InflateError.StoredLength],
    // Dynamic: HLIT = 287 (30 + 257), HDIST 1, HCLEN 4.
    ["too many length codes", [0x05 | (30 << 3), 0x00, 0x00], InflateError.TooManyCodes],
    // Dynamic, HLIT 257, HDIST 1, HCLEN 4, all code length code lengths 0.
    ["empty code length code", [0x05, 0x00, 0x00, 0x00], InflateError.BadCodeLengths],
  ];
  for (const [name, bytes, error] of cases) {
    it(name, () => {
      const got = inflateAll(new Uint8Array(bytes));
      expect(got).toEqual({ error, written: 0 });
      // zlib refuses it too.
      expect(() => inflateRawSync(Buffer.from(bytes))).toThrow();
    });
  }

  it("a distance before the first byte", () => {
    // Fixed block: literal 'a', then length 3 distance 2 (only 1 byte of history), end.
    const bits: number[] = [];
    const put = (v: number, n: number) => {
      for (let i = 0; i < n; i++) bits.push((v >> i) & 1);
    };
    const code = (c: number, n: number) => {
      for (let i = n - 1; i >= 0; i--) bits.push((c >> i) & 1);
    };
    put(1, 1);
    put(1, 2);
    code(0x30 + 0x61, 8);
    code(1, 7); // length 3 (symbol 257)
    code(1, 5); // distance 2
    code(0, 7);
    const bytes = new Uint8Array(Math.ceil(bits.length / 8));
    bits.forEach((b, i) => (bytes[i >> 3] |= b << (i & 7)));
    expect(inflateAll(bytes)).toEqual({ error: InflateError.DistanceTooFar, written: 1 });
    expect(() => inflateRawSync(Buffer.from(bytes))).toThrow(/too far/);
  });

  it("fixed distance codes 30 and 31 and literal codes 286 and 287 are invalid", () => {
    // `around` literals before and after: 0 tests the byte-by-byte loop, 400 the fast loop (inflateFast).
    const make = (litCode: number, litLen: number, dist: number | null, around: number): Uint8Array => {
      const bits: number[] = [1, 1, 0];
      const code = (c: number, n: number) => {
        for (let i = n - 1; i >= 0; i--) bits.push((c >> i) & 1);
      };
      for (let i = 0; i <= around; i++) code(0x30 + 0x61, 8);
      code(litCode, litLen);
      if (dist !== null) code(dist, 5);
      for (let i = 0; i < around; i++) code(0x30 + 0x62, 8);
      code(0, 7);
      const bytes = new Uint8Array(Math.ceil(bits.length / 8) + 1);
      bits.forEach((b, i) => (bytes[i >> 3] |= b << (i & 7)));
      return bytes;
    };
    for (const around of [0, 400]) {
      const at = { written: around + 1 };
      expect(inflateAll(make(0xc6, 8, null, around))).toEqual({ error: InflateError.InvalidLiteral, ...at });
      expect(inflateAll(make(0xc7, 8, null, around))).toEqual({ error: InflateError.InvalidLiteral, ...at });
      expect(inflateAll(make(1, 7, 30, around))).toEqual({ error: InflateError.InvalidDistance, ...at });
      expect(inflateAll(make(1, 7, 31, around))).toEqual({ error: InflateError.InvalidDistance, ...at });
      // The same stream with a valid distance (1) decodes on: 'a' x (around + 4), then the b's.
      const ok = inflateAll(make(1, 7, 0, around));
      expect(ok).toEqual(new Uint8Array([...Array(around + 4).fill(0x61), ...Array(around).fill(0x62)]));
    }
  });
});

describe("deflate (RFC 7692 §7.2.1)", () => {
  function roundTrip(data: Uint8Array, windowBits = 15): Uint8Array {
    const z = new Deflater();
    const out = new Uint8Array(data.length * 2 + 16);
    const n = deflateMessage(z, data, 0, data.length, out, 0, out.length, windowBits);
    expect(n).toBeGreaterThan(0);
    const c = out.subarray(0, n);
    const back = new Uint8Array(
      inflateRawSync(Buffer.concat([Buffer.from(c), Buffer.from([0, 0, 255, 255])]), {
        finishFlush: Z.Z_SYNC_FLUSH,
        windowBits: Math.max(windowBits, 9),
      }),
    );
    expect(back).toEqual(data);
    // Our own inflater agrees.
    const s = new Inflater();
    inflateReset(s);
    const mine = new Uint8Array(data.length + 1);
    expect(inflateMessage(s, c, 0, n, mine, 0, mine.length)).toBe(data.length);
    return c;
  }

  for (const [name, data] of corpus) {
    it(`${name} round-trips through node:zlib`, () => {
      const c = roundTrip(data);
      if (name.startsWith("zeros") || name.startsWith("text") || name.startsWith("period")) {
        expect(c.length).toBeLessThan(data.length / 2);
      }
    });
  }

  it("the empty message is the byte 00", () => {
    expect(roundTrip(new Uint8Array(0))).toEqual(new Uint8Array([0]));
  });

  it("matches stay within 2^windowBits (8..15) and random data round-trips", () => {
    for (const wb of [8, 9, 10, 15]) {
      roundTrip(textLike(20000, wb), wb);
      roundTrip(randomBytes(3000, wb), wb);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 0, max: 5 }), (d, rep) => {
        const parts: Uint8Array[] = [];
        for (let i = 0; i <= rep; i++) parts.push(d);
        roundTrip(new Uint8Array(Buffer.concat(parts)));
      }),
      { numRuns: 200 },
    );
  });

  it("returns -1 when the output does not fit, never writing past it", () => {
    const data = randomBytes(1000, 3);
    const z = new Deflater();
    const out = new Uint8Array(1100).fill(0xaa);
    expect(deflateMessage(z, data, 0, 1000, out, 0, 999, 15)).toBe(-1);
    expect(out.subarray(999).every((b) => b === 0xaa)).toBe(true);
  });

  it("one Deflater serves many messages (stale hash entries are ignored)", () => {
    const z = new Deflater();
    for (let i = 0; i < 50; i++) {
      const data = textLike(100 + i * 37, i);
      const out = new Uint8Array(data.length * 2 + 16);
      const n = deflateMessage(z, data, 0, data.length, out, 0, out.length, 15);
      const back = inflateRawSync(Buffer.concat([Buffer.from(out.subarray(0, n)), Buffer.from([0, 0, 255, 255])]), {
        finishFlush: Z.Z_SYNC_FLUSH,
      });
      expect(new Uint8Array(back)).toEqual(data);
    }
  });
});
