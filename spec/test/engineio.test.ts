import fc from "fast-check";
import { decodePacket, encodePacket } from "engine.io-parser";
import { describe, expect, it } from "vitest";
import {
  EIO_DEFAULT_MAX_PAYLOAD,
  EIO_MAX_SID,
  EioOpenInfo,
  EioPacket,
  eioEncodeMessage,
  eioEncodePong,
  eioPacketType,
  eioParseOpen,
} from "../core/engineio.js";
import { heartbeatExpired, heartbeatRemainingMs, HEARTBEAT_MAX_MS } from "../core/heartbeat.js";

const enc = (s: string): Uint8Array => Buffer.from(s, "utf8");

function open(text: string): EioOpenInfo | null {
  const b = enc(text);
  const info = new EioOpenInfo();
  return eioParseOpen(b, 0, b.length, info) ? info : null;
}

function pong(ping: string, cap = 64): string | null {
  const b = enc(ping);
  const out = new Uint8Array(cap);
  const o = eioEncodePong(out, 0, cap, b, 0, b.length);
  return o < 0 ? null : Buffer.from(out.subarray(0, o)).toString("utf8");
}

const TYPE_NAMES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

describe("engine.io packets", () => {
  it("reads the type digit like engine.io-parser", () => {
    for (const t of ["0{}", "1", "2", "2probe", "3", "3probe", "4hello", "5", "6", "7", "", "x", "/", ":", "40/a,"]) {
      const b = enc(t);
      const ours = eioPacketType(b, 0, b.length);
      const theirs = decodePacket(t);
      if (theirs.type === "error") {
        expect(ours, t).toBe(-1);
      } else {
        expect(TYPE_NAMES[ours], t).toBe(theirs.type);
      }
    }
    expect(eioPacketType(enc("x2"), 1, 1)).toBe(EioPacket.Ping);
    expect(eioPacketType(enc("x2"), 1, 0)).toBe(-1);
  });

  it("parses the open packet a socket.io 4.x server sends", () => {
    const info = open(
      '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}',
    );
    expect(info).not.toBeNull();
    expect(Buffer.from(info!.sid.subarray(0, info!.sidLen)).toString()).toBe("lv_VI97HAXpY6yYWAAAC");
    expect(info!.pingInterval).toBe(25000);
    expect(info!.pingTimeout).toBe(20000);
    expect(info!.maxPayload).toBe(1000000);
  });

  it("parses random open packets written by JSON.stringify, in any member order", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        fc.option(fc.integer({ min: 0, max: 0x7fffffff })),
        fc.boolean(),
        (sid, pi, pt, mp, reversed) => {
          const obj: Record<string, unknown> = { sid, upgrades: ["polling"], pingInterval: pi, pingTimeout: pt };
          if (mp !== null) {
            obj.maxPayload = mp;
          }
          const entries = Object.entries(obj);
          if (reversed) {
            entries.reverse();
          }
          const info = open("0" + JSON.stringify(Object.fromEntries(entries), null, reversed ? 1 : undefined));
          const sidBytes = Buffer.from(sid, "utf8");
          if (sidBytes.length > EIO_MAX_SID) {
            expect(info).toBeNull();
            return;
          }
          expect(info).not.toBeNull();
          expect(Buffer.from(info!.sid.subarray(0, info!.sidLen)).equals(sidBytes)).toBe(true);
          expect(info!.pingInterval).toBe(pi);
          expect(info!.pingTimeout).toBe(pt);
          expect(info!.maxPayload).toBe(mp === null ? EIO_DEFAULT_MAX_PAYLOAD : mp);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("refuses malformed open packets", () => {
    const good = { sid: "abc", upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1000000 };
    expect(open("0" + JSON.stringify(good))).not.toBeNull();
    const bad: Array<Record<string, unknown>> = [
      { ...good, sid: undefined },
      { ...good, sid: "" },
      { ...good, sid: 12 },
      { ...good, sid: "x".repeat(EIO_MAX_SID + 1) },
      { ...good, pingInterval: undefined },
      { ...good, pingTimeout: undefined },
      { ...good, pingInterval: -1 },
      { ...good, pingTimeout: 1.5 },
      { ...good, pingInterval: "25000" },
      { ...good, pingInterval: 2 ** 31 },
      { ...good, maxPayload: -5 },
      { ...good, maxPayload: null },
    ];
    for (const o of bad) {
      expect(open("0" + JSON.stringify(o)), JSON.stringify(o)).toBeNull();
    }
    expect(open("0" + JSON.stringify({ ...good, sid: "x".repeat(EIO_MAX_SID) }))).not.toBeNull();
    for (const t of [
      "0",
      "0[]",
      '0"abc"',
      "0{",
      '0{"sid":"a","pingInterval":1,"pingTimeout":2} x',
      '4{"sid":"a","pingInterval":1,"pingTimeout":2}',
      "",
    ]) {
      expect(open(t), t).toBeNull();
    }
    expect(open('0 {"sid":"a","pingInterval":1,"pingTimeout":2} ')).not.toBeNull();
  });

  it("answers a ping with a pong that echoes its data", () => {
    expect(pong("2")).toBe("3");
    expect(pong("2probe")).toBe("3probe");
    expect(pong("2é")).toBe("3é");
    expect(pong("3")).toBeNull();
    expect(pong("")).toBeNull();
    expect(pong("2probe", 6)).toBe("3probe");
    expect(pong("2probe", 5)).toBeNull();
    expect(pong("2", 0)).toBeNull();
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (data) => {
        const theirs = encodePacket({ type: "pong", data }, false, (s) => s);
        expect(pong("2" + data, 256)).toBe(theirs);
      }),
    );
  });

  it("writes message packets", () => {
    const data = enc("xx hello");
    const out = new Uint8Array(16);
    expect(eioEncodeMessage(out, 1, 16, data, 3, 5)).toBe(7);
    expect(Buffer.from(out.subarray(1, 7)).toString()).toBe("4hello");
    expect(eioEncodeMessage(out, 1, 6, data, 3, 5)).toBe(-1);
    expect(eioEncodeMessage(out, 0, 1, data, 0, 0)).toBe(1);
  });
});

describe("heartbeat", () => {
  it("expires strictly after pingInterval + pingTimeout without a ping", () => {
    expect(heartbeatExpired(1000, 1000, 25000, 20000)).toBe(false);
    expect(heartbeatExpired(46000, 1000, 25000, 20000)).toBe(false);
    expect(heartbeatExpired(46001, 1000, 25000, 20000)).toBe(true);
    expect(heartbeatRemainingMs(46000, 1000, 25000, 20000)).toBe(0);
    expect(heartbeatRemainingMs(1000, 1000, 25000, 20000)).toBe(45000);
    expect(heartbeatRemainingMs(47000, 1000, 25000, 20000)).toBe(-1000);
    expect(heartbeatExpired(0, 0, 0, 0)).toBe(false);
    expect(heartbeatExpired(1, 0, 0, 0)).toBe(true);
  });

  it("works across the wrap-around of a 32-bit tick counter", () => {
    const last = 0x7fffffff - 100; // just before the wrap to negative
    const now = (last + 45000) | 0;
    expect(now).toBeLessThan(0);
    expect(heartbeatExpired(now, last, 25000, 20000)).toBe(false);
    expect(heartbeatExpired((now + 1) | 0, last, 25000, 20000)).toBe(true);
    const last2 = -50; // unsigned counter passing 2^32
    expect(heartbeatExpired((last2 + 45000) | 0, last2, 25000, 20000)).toBe(false);
    expect(heartbeatExpired((last2 + 45001) | 0, last2, 25000, 20000)).toBe(true);
    fc.assert(
      fc.property(fc.integer(), fc.nat(50000), fc.nat(50000), fc.nat(200000), (last, pi, pt, gap) => {
        const now = (last + gap) | 0;
        expect(heartbeatExpired(now, last, pi, pt)).toBe(gap > pi + pt);
        expect(heartbeatRemainingMs(now, last, pi, pt)).toBe(pi + pt - gap);
      }),
      { numRuns: 2000 },
    );
  });

  it("treats a clock running backwards as no time elapsed and saturates large settings", () => {
    expect(heartbeatExpired(900, 1000, 0, 0)).toBe(false);
    expect(heartbeatRemainingMs(900, 1000, 10, 20)).toBe(30);
    expect(heartbeatRemainingMs(0, 0, 0x7fffffff, 0x7fffffff)).toBe(HEARTBEAT_MAX_MS);
    expect(heartbeatExpired(0x7fffffff, 0, 0x7fffffff, 0x7fffffff)).toBe(false);
    expect(heartbeatExpired(0x7fffffff, 0, 0x7ffffffe, 0)).toBe(true);
  });
});
