/**
 * The decoder's spill: a msg buffer smaller than the message (msgCap) hands the
 * message out in Spill events of msgCap bytes, the rest stays in msg. Every
 * stream must give the same events at the same stream offsets as with a msg
 * buffer of the whole maxMessage, for every split into reads and every
 * capacity around the message and fragment sizes.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DECODER_MAX_MESSAGE_LIMIT, decoderFeed, decoderInit, FrameDecoder, WsEvent } from "../core/decoder.js";
import { closeFrame, frame, hostileCases, HOSTILE_MAX_MESSAGE } from "./cases/hostile.js";

const TEXT = 1;
const BIN = 2;
const CONT = 0;
const PING = 9;

/** One reported event as text, with the stream offset it ended at. */
type Trace = string[];

function digest(b: Uint8Array): string {
  return b.length <= 64 ? Buffer.from(b).toString("hex") : "sha1:" + createHash("sha1").update(b).digest("hex");
}

interface SpillRun {
  trace: Trace;
  /** Lengths of the Spill events, in order. */
  spills: number[];
}

/**
 * Feeds `stream` cut at `cuts` (increasing offsets) to a decoder with a msg
 * buffer of `msgCap` bytes (DECODER_MAX_MESSAGE_LIMIT: one of maxMessage
 * bytes, no spill), reassembling spilled messages, and checks the contract of
 * every event on the way.
 */
function run(stream: Uint8Array, cuts: number[], maxMessage: number, msgCap: number): SpillRun {
  const d = new FrameDecoder();
  decoderInit(d, maxMessage, msgCap);
  const cap = msgCap === DECODER_MAX_MESSAGE_LIMIT ? Math.max(maxMessage, 1) : msgCap;
  // A guard byte after the buffer catches a write past msgCap.
  const msg = new Uint8Array(cap + 1);
  msg[cap] = 0x5a;
  const out: SpillRun = { trace: [], spills: [] };
  let parts: Uint8Array[] = [];
  let partsLen = 0;
  const bounds = [...cuts, stream.length];
  let pos = 0;
  for (const end of bounds) {
    while (pos < end) {
      const n = decoderFeed(d, stream, pos, end - pos, msg);
      expect(msg[cap]).toBe(0x5a);
      pos += n;
      const ev = d.event;
      if (ev === WsEvent.Spill) {
        expect(d.spillLen).toBe(cap);
        out.spills.push(d.spillLen);
        parts.push(msg.slice(0, d.spillLen));
        partsLen += d.spillLen;
        // The caller owns msg until the next call: scribble over it.
        msg.fill(0xee, 0, cap);
        continue;
      }
      if (ev === WsEvent.Message) {
        expect(d.msgSpilled).toBe(partsLen);
        const tail = d.msgLen - d.msgSpilled;
        expect(tail).toBeGreaterThanOrEqual(0);
        expect(tail).toBeLessThanOrEqual(cap);
        // A message that fits is never spilled; a longer one fills msg before each spill.
        expect(tail === 0 ? d.msgLen === 0 : true).toBe(true);
        const whole = Buffer.concat([...parts, msg.subarray(0, tail)]);
        out.trace.push(`msg@${pos}:${d.msgType}:${d.msgLen}:${digest(whole)}`);
        parts = [];
        partsLen = 0;
      } else if (ev === WsEvent.Ping || ev === WsEvent.Pong) {
        out.trace.push(`${ev === WsEvent.Ping ? "ping" : "pong"}@${pos}:${digest(d.ctl.subarray(0, d.ctlLen))}`);
      } else if (ev === WsEvent.Close) {
        out.trace.push(`close@${pos}:${d.closeCode}`);
      } else if (ev === WsEvent.Error) {
        out.trace.push(`fail@${pos}:${d.errorCode}`);
        return out;
      } else {
        expect(pos).toBe(end);
      }
    }
  }
  out.trace.push(`end:${d.state}:${d.openLen}`);
  return out;
}

/** Checks the spilled run against the unspilled one, and the number of spills of each message. */
function agree(stream: Uint8Array, cuts: number[], maxMessage: number, msgCap: number): void {
  const ref = run(stream, cuts, maxMessage, DECODER_MAX_MESSAGE_LIMIT);
  expect(ref.spills).toEqual([]);
  const got = run(stream, cuts, maxMessage, msgCap);
  expect(got.trace).toEqual(ref.trace);
  // Spills happen only for bytes past a full buffer: a message of L bytes spills ceil(L / cap) - 1
  // times, so does the message left open when the stream ends; a stream that fails mid-message
  // may also have spilled part of the failing message.
  const spills = (len: number): number => (len === 0 ? 0 : Math.ceil(len / msgCap) - 1);
  let expected = 0;
  for (const t of ref.trace) {
    if (t.startsWith("msg@")) {
      expected += spills(Number(t.split(":")[2]));
    }
  }
  const last = ref.trace[ref.trace.length - 1];
  if (last.startsWith("end:")) {
    expect(got.spills.length).toBe(expected + spills(Number(last.split(":")[2])));
  } else {
    expect(last.startsWith("fail@")).toBe(true);
    expect(got.spills.length).toBeGreaterThanOrEqual(expected);
  }
}

/** `n` bytes of valid UTF-8 mixing 1-, 2-, 3- and 4-byte code points, so that code points straddle every boundary. */
function utf8Text(n: number, seed: number): Buffer {
  const pieces = ["a", "é", "€", "😀", "z", "ß"];
  const out: Buffer[] = [];
  let len = 0;
  let i = seed;
  while (len < n) {
    let p = Buffer.from(pieces[i % pieces.length], "utf8");
    if (p.length > n - len) {
      p = Buffer.from("a".repeat(n - len));
    }
    out.push(p);
    len += p.length;
    i++;
  }
  return Buffer.concat(out);
}

function binaryBytes(n: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => (i * 131 + seed * 7 + (i >> 3)) & 0xff));
}

/** A message of `payload` in fragments of `frag` bytes, with a ping after every other fragment. */
function fragmented(opcode: number, payload: Buffer, frag: number): Buffer {
  const frames: Buffer[] = [];
  let p = 0;
  let k = 0;
  do {
    const n = Math.min(frag, payload.length - p);
    const fin = p + n >= payload.length;
    frames.push(frame(k === 0 ? opcode : CONT, payload.subarray(p, p + n), { fin }));
    if (!fin && k % 2 === 1) {
      frames.push(frame(PING, "p" + k));
    }
    p += n;
    k++;
  } while (p < payload.length);
  return Buffer.concat(frames);
}

/** Every cut into two reads, plus byte-at-a-time. */
function everySplit(len: number): number[][] {
  const all: number[][] = [[]];
  for (let i = 1; i < len; i++) {
    all.push([i]);
  }
  all.push(Array.from({ length: Math.max(len - 1, 0) }, (_, i) => i + 1));
  return all;
}

describe("decoder spill (msg buffer smaller than the message)", () => {
  it("gives the same events at every split, for messages around 1x, 2x, 3x the capacity", () => {
    for (const cap of [1, 2, 3, 4, 5, 7, 8, 16, 17]) {
      for (const len of [0, 1, cap - 1, cap, cap + 1, 2 * cap - 1, 2 * cap, 2 * cap + 1, 3 * cap]) {
        if (len < 0) {
          continue;
        }
        for (const opcode of [TEXT, BIN]) {
          const payload = opcode === TEXT ? utf8Text(len, len + cap) : binaryBytes(len, cap);
          for (const frag of [len || 1, Math.max(1, cap - 1), cap, cap + 1]) {
            const stream = Buffer.concat([
              fragmented(opcode, payload, frag),
              frame(opcode, opcode === TEXT ? "ok" : Buffer.from([0, 1])),
              closeFrame(1000),
            ]);
            for (const cuts of everySplit(stream.length)) {
              agree(stream, cuts, 1024, cap);
            }
          }
        }
      }
    }
  });

  it("fails at the same byte after a spill: invalid UTF-8, too big, a bad continuation", () => {
    const cases: [string, Buffer, number][] = [
      [
        "invalid UTF-8 in the third buffer",
        Buffer.concat([frame(TEXT, Buffer.concat([utf8Text(20, 1), Buffer.from([0xff]), Buffer.from("tail")]))]),
        64,
      ],
      [
        "code point cut by the message end",
        Buffer.concat([frame(TEXT, Buffer.concat([Buffer.from("abcdefghij"), Buffer.from([0xe2, 0x82])]))]),
        64,
      ],
      [
        "too big in the second fragment",
        Buffer.concat([frame(BIN, binaryBytes(20, 3), { fin: false }), frame(CONT, binaryBytes(20, 4))]),
        30,
      ],
      [
        "new data frame while one is open",
        Buffer.concat([frame(BIN, binaryBytes(20, 3), { fin: false }), frame(BIN, binaryBytes(5, 4))]),
        64,
      ],
    ];
    for (const [, stream, max] of cases) {
      for (const cap of [1, 3, 7, 8, 9, 20, 21]) {
        for (const cuts of everySplit(stream.length)) {
          agree(stream, cuts, max, cap);
        }
      }
    }
  });

  it("spills a message of exactly the capacity zero times, and one byte more once", () => {
    for (const cap of [1, 125, 126, 4096]) {
      expect(run(frame(BIN, binaryBytes(cap, 1)), [], 8192, cap).spills).toEqual([]);
      expect(run(frame(BIN, binaryBytes(cap + 1, 1)), [], 8192, cap).spills).toEqual([cap]);
    }
  });

  it("hands out a 1 MiB message in 16 KiB reads through a 16 KiB buffer, 63 spills", () => {
    const payload = binaryBytes(1048576, 9);
    const stream = Buffer.concat([frame(BIN, payload), closeFrame(1000)]);
    const cuts = Array.from({ length: Math.floor(stream.length / 16384) }, (_, i) => (i + 1) * 16384).filter(
      (c) => c < stream.length,
    );
    const got = run(stream, cuts, 1048576, 16384);
    expect(got.spills.length).toBe(63);
    expect(got.trace[0]).toBe(`msg@${stream.length - 4}:2:1048576:${digest(payload)}`);
  });

  it("agrees with the unspilled decoder on every hostile row (whole, 1000-byte and 7-byte reads)", () => {
    for (const row of hostileCases) {
      const max = row.maxMessage ?? HOSTILE_MAX_MESSAGE;
      const len = row.bytes.length;
      const splits: number[][] = [[], Array.from({ length: Math.floor((len - 1) / 1000) }, (_, i) => (i + 1) * 1000)];
      if (len <= 4096) {
        splits.push(Array.from({ length: Math.floor((len - 1) / 7) }, (_, i) => (i + 1) * 7));
      }
      for (const cap of len <= 4096 ? [1, 7, 125, 126, 4096] : [4096, 16384]) {
        for (const cuts of splits) {
          agree(row.bytes, cuts, max, cap);
        }
      }
    }
  });

  it("property: random fragmented messages, capacities and reads", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            text: fc.boolean(),
            len: fc.integer({ min: 0, max: 200 }),
            frag: fc.integer({ min: 1, max: 90 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.integer({ min: 1, max: 130 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
        (msgs, cap, reads) => {
          const stream = Buffer.concat([
            ...msgs.map((m, i) =>
              fragmented(m.text ? TEXT : BIN, m.text ? utf8Text(m.len, i) : binaryBytes(m.len, i), m.frag),
            ),
            closeFrame(1000),
          ]);
          const cuts: number[] = [];
          let p = 0;
          for (let i = 0; p < stream.length; i++) {
            p += reads[i % reads.length];
            if (p < stream.length) {
              cuts.push(p);
            }
          }
          agree(stream, cuts, 1024, cap);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("clamps a capacity below 1 to 1", () => {
    const d = new FrameDecoder();
    decoderInit(d, 100, 0);
    expect(d.msgCap).toBe(1);
    decoderInit(d, 100, -5);
    expect(d.msgCap).toBe(1);
    decoderInit(d, 100);
    expect(d.msgCap).toBe(DECODER_MAX_MESSAGE_LIMIT);
  });
});
