import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closeCodeValidOnWire, closePayloadBuild, CloseCode, MAX_CLOSE_REASON } from "../core/close.js";
import {
  frameEncode,
  frameEncodeHeader,
  frameHeaderSize,
  maskBytes,
  MAX_CONTROL_PAYLOAD,
  MAX_FRAME_HEADER,
  Opcode,
  opcodeIsControl,
  opcodeIsKnown,
} from "../core/frame.js";

const NO_KEY = new Uint8Array(4);
const RFC_KEY = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Header only, through frameEncodeHeader. */
function header(fin: boolean, opcode: number, masked: boolean, len: number, key: Uint8Array = NO_KEY): string {
  const out = new Uint8Array(MAX_FRAME_HEADER + 2);
  const n = frameEncodeHeader(out, 1, fin, opcode, masked, len, key, 0);
  expect(n).toBe(frameHeaderSize(len, masked));
  expect(out[0]).toBe(0);
  expect(out[n + 1]).toBe(0);
  return hex(out.subarray(1, 1 + n));
}

/** A complete unmasked frame built from frameEncodeHeader + the payload (what a server sends). */
function unmaskedFrame(fin: boolean, opcode: number, payload: Uint8Array): string {
  return header(fin, opcode, false, payload.length) + hex(payload);
}

/** A complete masked client frame through frameEncode. */
function clientFrame(opcode: number, payload: Uint8Array, key: Uint8Array): Uint8Array {
  const cap = payload.length + MAX_FRAME_HEADER;
  const out = new Uint8Array(cap);
  const n = frameEncode(out, 0, cap, opcode, payload, 0, payload.length, key, 0);
  expect(n).toBeGreaterThan(0);
  return out.subarray(0, n);
}

/** Independent reference: RFC 6455 §5.3 transformed-octet-i = original-octet-i XOR masking-key-octet-(i MOD 4). */
function refMask(payload: Uint8Array, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length);
  for (let i = 0; i < payload.length; i++) {
    out[i] = payload[i] ^ key[i % 4];
  }
  return out;
}

/** Independent reference parse of a masked frame (header fields, key, unmasked payload). */
function refParse(frame: Uint8Array): { fin: boolean; opcode: number; len: number; payload: Uint8Array } {
  const b = Buffer.from(frame);
  const fin = (b[0] & 0x80) !== 0;
  expect(b[0] & 0x70).toBe(0);
  const opcode = b[0] & 15;
  expect(b[1] & 0x80).toBe(0x80);
  let len = b[1] & 127;
  let p = 2;
  if (len === 126) {
    len = b.readUInt16BE(2);
    expect(len).toBeGreaterThan(125);
    p = 4;
  } else if (len === 127) {
    const big = b.readBigUInt64BE(2);
    expect(big).toBeGreaterThan(65535n);
    len = Number(big);
    p = 10;
  }
  const key = b.subarray(p, p + 4);
  p += 4;
  expect(b.length).toBe(p + len);
  return { fin, opcode, len, payload: refMask(b.subarray(p), key) };
}

describe("RFC 6455 §5.7 examples", () => {
  const hello = Buffer.from("Hello");

  it("single-frame unmasked text message", () => {
    expect(unmaskedFrame(true, Opcode.Text, hello)).toBe("810548656c6c6f");
  });

  it("single-frame masked text message", () => {
    expect(hex(clientFrame(Opcode.Text, hello, RFC_KEY))).toBe("818537fa213d7f9f4d5158");
    expect(header(true, Opcode.Text, true, 5, RFC_KEY)).toBe("818537fa213d");
  });

  it("fragmented unmasked text message", () => {
    expect(unmaskedFrame(false, Opcode.Text, Buffer.from("Hel"))).toBe("010348656c");
    expect(unmaskedFrame(true, Opcode.Continuation, Buffer.from("lo"))).toBe("80026c6f");
  });

  it("unmasked ping and masked pong", () => {
    expect(unmaskedFrame(true, Opcode.Ping, hello)).toBe("890548656c6c6f");
    expect(hex(clientFrame(Opcode.Pong, hello, RFC_KEY))).toBe("8a8537fa213d7f9f4d5158");
  });

  it("256-byte binary message in a single unmasked frame", () => {
    expect(header(true, Opcode.Binary, false, 256)).toBe("827e0100");
  });

  it("64 KiB binary message in a single unmasked frame", () => {
    expect(header(true, Opcode.Binary, false, 65536)).toBe("827f0000000000010000");
  });

  it("close and binary client frames with RFC key", () => {
    const payload = new Uint8Array(4);
    expect(closePayloadBuild(payload, 0, CloseCode.Normal, NO_KEY, 0, 0)).toBe(2);
    expect(hex(clientFrame(Opcode.Close, payload.subarray(0, 2), RFC_KEY))).toBe("888237fa213d" + "3412");
    expect(hex(clientFrame(Opcode.Binary, new Uint8Array(0), RFC_KEY))).toBe("828037fa213d");
  });
});

describe("frameHeaderSize and length forms", () => {
  const cases: Array<[number, number, string]> = [
    [0, 2, "8200"],
    [1, 2, "8201"],
    [125, 2, "827d"],
    [126, 4, "827e007e"],
    [127, 4, "827e007f"],
    [65535, 4, "827effff"],
    [65536, 10, "827f0000000000010000"],
    [0x12345678, 10, "827f0000000012345678"],
    [0x7fffffff, 10, "827f000000007fffffff"],
  ];
  for (const [len, size, hdr] of cases) {
    it(`length ${len}`, () => {
      expect(frameHeaderSize(len, false)).toBe(size);
      expect(frameHeaderSize(len, true)).toBe(size + 4);
      expect(header(true, Opcode.Binary, false, len)).toBe(hdr);
      const masked = header(true, Opcode.Binary, true, len, Uint8Array.from([1, 2, 3, 4]));
      expect(masked.length / 2).toBe(size + 4);
      expect(parseInt(masked.slice(2, 4), 16) & 0x80).toBe(0x80);
      expect(masked.endsWith("01020304")).toBe(true);
    });
  }

  it("never exceeds MAX_FRAME_HEADER", () => {
    expect(frameHeaderSize(0x7fffffff, true)).toBe(MAX_FRAME_HEADER);
  });

  it("encodes FIN and opcode bits", () => {
    for (let op = 0; op < 16; op++) {
      expect(header(false, op, false, 0)).toBe(op.toString(16).padStart(2, "0") + "00");
      expect(header(true, op, false, 0)).toBe((0x80 | op).toString(16) + "00");
    }
  });

  it("matches an independent length encoder for random lengths", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.boolean(), (len, masked) => {
        const key = Uint8Array.from([9, 8, 7, 6]);
        const got = header(true, Opcode.Text, masked, len, key);
        let want: Buffer;
        if (len < 126) {
          want = Buffer.from([0x81, (masked ? 0x80 : 0) | len]);
        } else if (len < 65536) {
          want = Buffer.alloc(4);
          want[0] = 0x81;
          want[1] = (masked ? 0x80 : 0) | 126;
          want.writeUInt16BE(len, 2);
        } else {
          want = Buffer.alloc(10);
          want[0] = 0x81;
          want[1] = (masked ? 0x80 : 0) | 127;
          want.writeBigUInt64BE(BigInt(len), 2);
        }
        if (masked) {
          want = Buffer.concat([want, Buffer.from(key)]);
        }
        expect(got).toBe(want.toString("hex"));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("opcode helpers", () => {
  it("classifies all 16 opcodes", () => {
    const known = [0, 1, 2, 8, 9, 10];
    for (let op = 0; op < 16; op++) {
      expect(opcodeIsKnown(op)).toBe(known.includes(op));
      expect(opcodeIsControl(op)).toBe(op >= 8);
    }
  });
});

describe("masking", () => {
  it("frameEncode round-trips through an independent parser", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 70000 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.constantFrom(Opcode.Text, Opcode.Binary),
        (payload, key, opcode) => {
          const frame = clientFrame(opcode, payload, key);
          const parsed = refParse(frame);
          expect(parsed.fin).toBe(true);
          expect(parsed.opcode).toBe(opcode);
          expect(parsed.len).toBe(payload.length);
          expect(Buffer.from(parsed.payload).equals(Buffer.from(payload))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("frameEncode leaves the payload intact and respects offsets", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.nat({ max: 20 }),
        fc.nat({ max: 20 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        fc.nat({ max: 6 }),
        (payload, pre, outOff, keyBuf, keyOff) => {
          const src = new Uint8Array(pre + payload.length + 3).fill(0xee);
          src.set(payload, pre);
          const before = Uint8Array.from(src);
          const cap = outOff + MAX_FRAME_HEADER + payload.length + 5;
          const out = new Uint8Array(cap).fill(0xcc);
          const n = frameEncode(out, outOff, cap, Opcode.Text, src, pre, payload.length, keyBuf, keyOff);
          expect(n).toBe(frameHeaderSize(payload.length, true) + payload.length);
          expect(Buffer.from(src).equals(Buffer.from(before))).toBe(true);
          expect(out.subarray(0, outOff).every((b) => b === 0xcc)).toBe(true);
          expect(out.subarray(outOff + n).every((b) => b === 0xcc)).toBe(true);
          const parsed = refParse(out.subarray(outOff, outOff + n));
          expect(parsed.opcode).toBe(Opcode.Text);
          expect(Buffer.from(parsed.payload).equals(Buffer.from(payload))).toBe(true);
          const keyInFrame = out.subarray(outOff + n - payload.length - 4, outOff + n - payload.length);
          expect(hex(keyInFrame)).toBe(hex(keyBuf.subarray(keyOff, keyOff + 4)));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("maskBytes matches the reference and is its own inverse", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.uint8Array({ minLength: 4, maxLength: 4 }), (data, key) => {
        const buf = Uint8Array.from(data);
        maskBytes(buf, 0, buf.length, key, 0, 0);
        expect(hex(buf)).toBe(hex(refMask(data, key)));
        maskBytes(buf, 0, buf.length, key, 0, 0);
        expect(hex(buf)).toBe(hex(data));
      }),
      { numRuns: 1000 },
    );
  });

  it("maskBytes in pieces with phases equals one-shot masking", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.nat({ max: 4 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
        (data, keyBuf, keyOff, cuts) => {
          const key = keyBuf.subarray(keyOff, keyOff + 4);
          const oneShot = Uint8Array.from(data);
          maskBytes(oneShot, 0, oneShot.length, keyBuf, keyOff, 0);
          expect(hex(oneShot)).toBe(hex(refMask(data, key)));
          const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
          const pieces = Uint8Array.from(data);
          let prev = 0;
          for (const p of [...points, data.length]) {
            maskBytes(pieces, prev, p - prev, keyBuf, keyOff, prev);
            prev = p;
          }
          expect(hex(pieces)).toBe(hex(oneShot));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("maskBytes touches only its range and handles phases beyond 3", () => {
    const buf = new Uint8Array(12).fill(0xff);
    maskBytes(buf, 2, 5, Uint8Array.from([1, 2, 4, 8]), 0, 6);
    // phase 6 starts at key[2].
    expect([...buf]).toEqual([0xff, 0xff, 0xfb, 0xf7, 0xfe, 0xfd, 0xfb, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });
});

describe("frameEncode capacity", () => {
  it("returns -1 when the frame does not fit, and writes it when it exactly fits", () => {
    const payload = new Uint8Array(200).fill(7);
    const need = 4 + 4 + 200;
    const out = new Uint8Array(need + 10);
    expect(frameEncode(out, 10, need + 9, Opcode.Binary, payload, 0, 200, RFC_KEY, 0)).toBe(-1);
    expect(frameEncode(out, 10, need + 10, Opcode.Binary, payload, 0, 200, RFC_KEY, 0)).toBe(need);
    expect(frameEncode(out, 0, 3, Opcode.Binary, payload, 0, 0, RFC_KEY, 0)).toBe(-1);
    expect(frameEncode(out, 0, 6, Opcode.Binary, payload, 0, 0, RFC_KEY, 0)).toBe(6);
    expect(frameEncode(out, -1, 100, Opcode.Binary, payload, 0, 0, RFC_KEY, 0)).toBe(-1);
    expect(frameEncode(out, 0, 100, Opcode.Binary, payload, 0, -1, RFC_KEY, 0)).toBe(-1);
  });

  it("refuses control frames above 125 bytes", () => {
    const payload = new Uint8Array(200);
    const out = new Uint8Array(300);
    for (const op of [Opcode.Ping, Opcode.Pong, Opcode.Close]) {
      expect(frameEncode(out, 0, 300, op, payload, 0, MAX_CONTROL_PAYLOAD + 1, RFC_KEY, 0)).toBe(-1);
      expect(frameEncode(out, 0, 300, op, payload, 0, MAX_CONTROL_PAYLOAD, RFC_KEY, 0)).toBe(2 + 4 + 125);
    }
    expect(frameEncode(out, 0, 300, Opcode.Text, payload, 0, 126, RFC_KEY, 0)).toBe(4 + 4 + 126);
  });
});

describe("close codes", () => {
  it("closeCodeValidOnWire follows RFC 6455 §7.4 and the IANA registry", () => {
    const valid = (c: number): boolean =>
      (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
    for (let c = -1; c <= 70000; c++) {
      expect(closeCodeValidOnWire(c), String(c)).toBe(valid(c));
    }
    for (const c of [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]) {
      expect(closeCodeValidOnWire(c), String(c)).toBe(false);
    }
    for (const c of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999]) {
      expect(closeCodeValidOnWire(c), String(c)).toBe(true);
    }
  });

  it("closePayloadBuild writes code and reason", () => {
    const reason = Buffer.from("xxbye ünïcode");
    const out = new Uint8Array(130).fill(0xaa);
    const n = closePayloadBuild(out, 3, 4321, reason, 2, reason.length - 2);
    expect(n).toBe(2 + reason.length - 2);
    expect(hex(out.subarray(3, 3 + n))).toBe("10e1" + hex(reason.subarray(2)));
    expect(out[2]).toBe(0xaa);
    expect(out[3 + n]).toBe(0xaa);
    expect(closePayloadBuild(out, 0, CloseCode.GoingAway, reason, 0, 0)).toBe(2);
    expect(hex(out.subarray(0, 2))).toBe("03e9");
  });

  it("closePayloadBuild refuses long reasons, bad UTF-8 and codes that may not be sent", () => {
    const long = new Uint8Array(200).fill(0x61);
    const out = new Uint8Array(200);
    expect(MAX_CLOSE_REASON).toBe(123);
    expect(closePayloadBuild(out, 0, 1000, long, 0, 123)).toBe(125);
    expect(closePayloadBuild(out, 0, 1000, long, 0, 124)).toBe(-1);
    expect(closePayloadBuild(out, 0, 1000, long, 0, -1)).toBe(-1);
    expect(closePayloadBuild(out, 0, 1000, Uint8Array.from([0xc3]), 0, 1)).toBe(-1);
    expect(closePayloadBuild(out, 0, 1000, Uint8Array.from([0xed, 0xa0, 0x80]), 0, 3)).toBe(-1);
    for (const code of [CloseCode.NoStatus, CloseCode.Abnormal, CloseCode.TlsFailure, 1004, 999, 2000, 5000]) {
      expect(closePayloadBuild(out, 0, code, long, 0, 0), String(code)).toBe(-1);
    }
  });
});
