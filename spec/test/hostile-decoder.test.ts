import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decoderFeed, decoderInit, FrameDecoder, WsEvent } from "../core/decoder.js";
import { HEX_LIMIT, HOSTILE_MAX_MESSAGE, hostileCases, type HostileCase, type HostileEvent } from "./cases/hostile.js";

/** Rows below this size are replayed split at every byte position. */
const EXHAUSTIVE_LIMIT = 2048;

interface Outcome {
  events: HostileEvent[];
  fail?: number;
  failAfter?: number;
}

/** One message buffer shared by all replays (capacity >= every row's maxMessage). */
const msgBuf = new Uint8Array(HOSTILE_MAX_MESSAGE);

function payloadEvent(type: "text" | "binary", bytes: Uint8Array): HostileEvent {
  if (bytes.length <= HEX_LIMIT) {
    return { kind: "message", type, len: bytes.length, hex: Buffer.from(bytes).toString("hex") };
  }
  return { kind: "message", type, len: bytes.length, sha1: createHash("sha1").update(bytes).digest("hex") };
}

/**
 * Feeds `bytes` to a fresh decoder in chunks ending at the sorted `cuts`, the
 * way TCP reads would arrive, and collects what the decoder reports.
 */
function replay(row: HostileCase, cuts: number[]): Outcome {
  const d = new FrameDecoder();
  decoderInit(d, row.maxMessage ?? HOSTILE_MAX_MESSAGE);
  const out: Outcome = { events: [] };
  const data = row.bytes;
  let closed = false;
  let start = 0;
  const ends = [...cuts, data.length];
  for (const end of ends) {
    let off = start;
    while (off < end) {
      const n = decoderFeed(d, data, off, end - off, msgBuf);
      if (out.fail !== undefined) {
        // Sticky error: nothing more is consumed.
        expect(n).toBe(0);
        expect(d.event).toBe(WsEvent.Error);
        return out;
      }
      if (closed) {
        // After the close everything is ignored.
        expect(n).toBe(end - off);
        expect(d.event).toBe(WsEvent.None);
        off += n;
        continue;
      }
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(end - off);
      off += n;
      switch (d.event) {
        case WsEvent.None:
          // No event means the whole chunk was consumed.
          expect(off).toBe(end);
          break;
        case WsEvent.Message:
          expect(d.msgType === 1 || d.msgType === 2).toBe(true);
          out.events.push(payloadEvent(d.msgType === 1 ? "text" : "binary", msgBuf.subarray(0, d.msgLen)));
          break;
        case WsEvent.Ping:
        case WsEvent.Pong:
          expect(d.ctlLen).toBeLessThanOrEqual(125);
          out.events.push({
            kind: d.event === WsEvent.Ping ? "ping" : "pong",
            hex: Buffer.from(d.ctl.subarray(0, d.ctlLen)).toString("hex"),
          });
          break;
        case WsEvent.Close:
          out.events.push({
            kind: "close",
            code: d.closeCode,
            reasonHex: Buffer.from(d.ctl.subarray(2, 2 + d.closeReasonLen)).toString("hex"),
          });
          closed = true;
          break;
        case WsEvent.Error:
          expect(d.failed).toBe(true);
          out.fail = d.errorCode;
          out.failAfter = off;
          break;
        default:
          throw new Error(`unexpected event ${d.event}`);
      }
    }
    start = end;
  }
  if (out.fail !== undefined) {
    // Feeding more after the error still reports the error and consumes nothing.
    expect(decoderFeed(d, data, 0, data.length, msgBuf)).toBe(0);
    expect(d.event).toBe(WsEvent.Error);
  }
  return out;
}

function expected(row: HostileCase): Outcome {
  const o: Outcome = { events: row.expect.events };
  if (row.expect.fail !== undefined) {
    o.fail = row.expect.fail;
    o.failAfter = row.expect.failAfter;
  }
  return o;
}

/** Deterministic pseudo-random cut points: a mix of tiny, medium and 16 KiB (socket read) chunks. */
function randomCuts(n: number, seed: number): number[] {
  let x = seed * 2654435761 || 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const cuts: number[] = [];
  let p = 0;
  for (;;) {
    const r = next();
    const kind = r % 4;
    const step =
      kind === 0
        ? 1 + ((r >>> 8) % 3)
        : kind === 1
          ? 1 + ((r >>> 8) % 200)
          : kind === 2
            ? 16384
            : 1 + ((r >>> 8) % 70000);
    p += step;
    if (p >= n) {
      return cuts;
    }
    cuts.push(p);
  }
}

describe("hostile table", () => {
  it("is well formed", () => {
    expect(hostileCases.length).toBeGreaterThan(150);
    const names = new Set<string>();
    const groups = new Set<string>();
    for (const row of hostileCases) {
      expect(names.has(row.name), row.name).toBe(false);
      names.add(row.name);
      groups.add(row.group);
      expect(row.bytes.length).toBeGreaterThan(0);
      expect((row.maxMessage ?? HOSTILE_MAX_MESSAGE) <= HOSTILE_MAX_MESSAGE).toBe(true);
      if (row.expect.fail !== undefined) {
        expect([1002, 1007, 1009]).toContain(row.expect.fail);
        expect(row.expect.failAfter).toBeGreaterThan(0);
        expect(row.expect.failAfter! <= row.bytes.length).toBe(true);
        expect(row.expect.events.some((e) => e.kind === "close")).toBe(false);
      } else {
        // Valid rows end with the server's close, so a TCP replay knows the stream is over.
        expect(row.expect.events[row.expect.events.length - 1].kind, row.name).toBe("close");
      }
    }
    expect([...groups].sort()).toEqual(["1", "2", "3", "4", "5", "6", "7", "9"]);
  });
});

for (const group of [...new Set(hostileCases.map((r) => r.group))]) {
  describe(`hostile group ${group}`, () => {
    for (const row of hostileCases.filter((r) => r.group === group)) {
      it(row.name, () => {
        const want = expected(row);
        expect(replay(row, [])).toEqual(want);
        const n = row.bytes.length;
        if (n < EXHAUSTIVE_LIMIT) {
          for (let k = 1; k < n; k++) {
            expect(replay(row, [k]), `split at ${k}`).toEqual(want);
          }
          const everyByte: number[] = [];
          for (let k = 1; k < n; k++) {
            everyByte.push(k);
          }
          expect(replay(row, everyByte), "one byte per read").toEqual(want);
        } else {
          const rounds = n > 1_000_000 ? 2 : 6;
          for (let s = 1; s <= rounds; s++) {
            expect(replay(row, randomCuts(n, s * 7919 + n)), `random splits, seed ${s}`).toEqual(want);
          }
          if (want.failAfter !== undefined) {
            // Split right before and right after the offending byte.
            expect(replay(row, [want.failAfter - 1])).toEqual(want);
            expect(replay(row, [want.failAfter])).toEqual(want);
          }
        }
      });
    }
  });
}
