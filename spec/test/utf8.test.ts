import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  UTF8_ACCEPT,
  UTF8_CLASS,
  UTF8_CLASSES,
  UTF8_REJECT,
  UTF8_TRANSITION,
  utf8IsValid,
  utf8Step,
  utf8Validate,
} from "../core/utf8.js";

/** Oracle: WHATWG UTF-8 decoder in fatal mode. */
function oracleValid(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Oracle for fail-fast: index of the byte at which a streaming fatal decoder
 * fed one byte at a time reports an error (the WHATWG decoder errors at the
 * first byte outside the allowed range), or -1 when no byte does.
 */
function oracleFailAt(bytes: Uint8Array): number {
  const dec = new TextDecoder("utf-8", { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      dec.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return -1;
}

/** Ours: index of the byte that moves the DFA to REJECT, or -1. */
function ourFailAt(bytes: Uint8Array): number {
  let s = UTF8_ACCEPT;
  for (let i = 0; i < bytes.length; i++) {
    s = utf8Step(s, bytes[i]);
    if (s === UTF8_REJECT) {
      return i;
    }
  }
  return -1;
}

function ourValid(bytes: Uint8Array): boolean {
  return utf8Validate(UTF8_ACCEPT, bytes, 0, bytes.length) === UTF8_ACCEPT;
}

function checkAgainstOracle(bytes: Uint8Array): void {
  const label = Buffer.from(bytes).toString("hex");
  expect(ourValid(bytes), label).toBe(oracleValid(bytes));
  expect(utf8IsValid(bytes, 0, bytes.length), label).toBe(oracleValid(bytes));
  expect(ourFailAt(bytes), label).toBe(oracleFailAt(bytes));
}

function checkSplits(bytes: Uint8Array): void {
  const whole = utf8Validate(UTF8_ACCEPT, bytes, 0, bytes.length);
  for (let k = 0; k <= bytes.length; k++) {
    const s = utf8Validate(utf8Validate(UTF8_ACCEPT, bytes, 0, k), bytes, k, bytes.length - k);
    expect(s).toBe(whole);
  }
  let s = UTF8_ACCEPT;
  for (let i = 0; i < bytes.length; i++) {
    s = utf8Validate(s, bytes, i, 1);
  }
  expect(s).toBe(whole);
}

function cp(c: number): number[] {
  // Deliberately permissive encoder (encodes surrogates and > U+10FFFF too) to build invalid input.
  if (c < 0x80) return [c];
  if (c < 0x800) return [0xc0 | (c >> 6), 0x80 | (c & 63)];
  if (c < 0x10000) return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
  if (c < 0x200000) return [0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
  return [0xf8 | (c >> 24), 0x80 | ((c >> 18) & 63), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)];
}

/** Building blocks for adversarial strings: valid boundaries, invalid forms, truncations. */
const fragments: number[][] = [
  [0x00],
  [0x41],
  [0x7f],
  cp(0x80),
  cp(0x7ff),
  cp(0x800),
  cp(0xd7ff),
  cp(0xe000),
  cp(0xfffd),
  cp(0xfffe),
  cp(0xffff),
  cp(0x10000),
  cp(0x10ffff),
  cp(0x1f600),
  cp(0xd800), // surrogates
  cp(0xdbff),
  cp(0xdc00),
  cp(0xdfff),
  cp(0x110000), // above U+10FFFF
  cp(0x1fffff),
  [0xc0, 0x80], // overlong NUL
  [0xc0, 0xaf], // overlong '/'
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf],
  [0xe0, 0x9f, 0xbf],
  [0xf0, 0x80, 0x80, 0xaf],
  [0xf0, 0x8f, 0xbf, 0xbf],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfc, 0x84, 0x80, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0x80],
  [0xbf],
  [0xc2], // truncated
  [0xe1, 0x80],
  [0xe0],
  [0xed],
  [0xf0, 0x90],
  [0xf4, 0x8f, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xef, 0xbb, 0xbf], // BOM
];

const adversarial = fc
  .array(fc.constantFrom(...fragments), { maxLength: 12 })
  .map((parts) => Uint8Array.from(parts.flat()));

const validThenMutated = fc
  .tuple(fc.string({ unit: "binary", maxLength: 40 }), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
  .map(([s, pos, byte, mutate]) => {
    const b = Uint8Array.from(Buffer.from(s, "utf8"));
    if (mutate && b.length > 0) {
      b[pos % b.length] = byte;
    }
    return b;
  });

describe("utf8 tables", () => {
  it("have the declared shapes and a closed state set", () => {
    expect(UTF8_CLASS.length).toBe(256);
    expect(UTF8_TRANSITION.length % UTF8_CLASSES).toBe(0);
    for (const c of UTF8_CLASS) {
      expect(c >= 0 && c < UTF8_CLASSES).toBe(true);
    }
    for (const s of UTF8_TRANSITION) {
      expect(s % UTF8_CLASSES).toBe(0);
      expect(s < UTF8_TRANSITION.length).toBe(true);
    }
    for (let b = 0; b < 256; b++) {
      expect(utf8Step(UTF8_REJECT, b)).toBe(UTF8_REJECT);
    }
  });
});

describe("utf8 against TextDecoder (fatal)", () => {
  it("every single byte and every two-byte string", () => {
    for (let a = 0; a < 256; a++) {
      checkAgainstOracle(Uint8Array.from([a]));
      for (let b = 0; b < 256; b++) {
        const bytes = Uint8Array.from([a, b]);
        expect(ourValid(bytes)).toBe(oracleValid(bytes));
        expect(ourFailAt(bytes)).toBe(oracleFailAt(bytes));
      }
    }
  });

  it("every three-byte string with a lead byte E0..F4", () => {
    const bytes = new Uint8Array(3);
    for (let a = 0xe0; a <= 0xf4; a++) {
      for (let b = 0x70; b <= 0xc5; b++) {
        for (let c = 0x70; c <= 0xc5; c++) {
          bytes[0] = a;
          bytes[1] = b;
          bytes[2] = c;
          expect(ourFailAt(bytes)).toBe(oracleFailAt(bytes));
          expect(ourValid(bytes)).toBe(oracleValid(bytes));
        }
      }
    }
  });

  it("every code point U+0000..U+10FFFF (and the surrogates rejected)", () => {
    for (let c = 0; c <= 0x10ffff; c++) {
      const bytes = Uint8Array.from(cp(c));
      const valid = c < 0xd800 || c > 0xdfff;
      if (utf8Validate(UTF8_ACCEPT, bytes, 0, bytes.length) !== (valid ? UTF8_ACCEPT : UTF8_REJECT)) {
        throw new Error(`U+${c.toString(16)}`);
      }
    }
    // F4 90.. fails at the second byte, F5..F7 at the lead byte.
    const beyond: Array<[number, number]> = [
      [0x110000, 1],
      [0x13ffff, 1],
      [0x140000, 0],
      [0x1fffff, 0],
    ];
    for (const [c, at] of beyond) {
      const bytes = Uint8Array.from(cp(c));
      expect(ourFailAt(bytes)).toBe(at);
      expect(oracleFailAt(bytes)).toBe(at);
    }
  });

  it("random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => checkAgainstOracle(bytes)),
      { numRuns: 3000 },
    );
  });

  it("random bytes from the high range", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0x7e, max: 0xff }), { maxLength: 32 }), (arr) =>
        checkAgainstOracle(Uint8Array.from(arr)),
      ),
      { numRuns: 3000 },
    );
  });

  it("adversarial concatenations", () => {
    fc.assert(
      fc.property(adversarial, (bytes) => checkAgainstOracle(bytes)),
      { numRuns: 5000 },
    );
  });

  it("valid strings with one byte replaced", () => {
    fc.assert(
      fc.property(validThenMutated, (bytes) => checkAgainstOracle(bytes)),
      { numRuns: 5000 },
    );
  });

  it("valid random text is accepted", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), (s) => {
        const bytes = Buffer.from(s, "utf8");
        // Lone surrogates in a JS string encode to U+FFFD, so the bytes are always valid UTF-8.
        expect(ourValid(bytes)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("utf8 across splits", () => {
  it("every split point gives the same state as one pass", () => {
    fc.assert(
      fc.property(fc.oneof(adversarial, validThenMutated, fc.uint8Array({ maxLength: 40 })), (bytes) =>
        checkSplits(bytes),
      ),
      { numRuns: 2000 },
    );
  });

  it("code points split between calls stay incomplete, then complete", () => {
    for (const c of [0x80, 0x7ff, 0x800, 0xffff, 0x10000, 0x10ffff]) {
      const bytes = Uint8Array.from(cp(c));
      let s = UTF8_ACCEPT;
      for (let i = 0; i < bytes.length - 1; i++) {
        s = utf8Validate(s, bytes, i, 1);
        expect(s).not.toBe(UTF8_ACCEPT);
        expect(s).not.toBe(UTF8_REJECT);
      }
      s = utf8Validate(s, bytes, bytes.length - 1, 1);
      expect(s).toBe(UTF8_ACCEPT);
    }
  });

  it("respects offset and length", () => {
    const buf = Uint8Array.from([0xff, 0x41, 0xc3, 0xa9, 0xff]);
    expect(utf8Validate(UTF8_ACCEPT, buf, 1, 3)).toBe(UTF8_ACCEPT);
    expect(utf8Validate(UTF8_ACCEPT, buf, 1, 2)).not.toBe(UTF8_ACCEPT);
    expect(utf8Validate(UTF8_ACCEPT, buf, 0, 2)).toBe(UTF8_REJECT);
    expect(utf8Validate(UTF8_ACCEPT, buf, 1, 4)).toBe(UTF8_REJECT);
    expect(utf8Validate(UTF8_ACCEPT, buf, 2, 0)).toBe(UTF8_ACCEPT);
  });
});

describe("Autobahn 6.x style cases", () => {
  // [name, hex, index of the failing byte or -1, complete-and-valid]
  const cases: Array<[string, string, number, boolean]> = [
    ["6.2 kosme", "cebae1bdb9cf83cebcceb5", -1, true],
    ["6.3 kosme + bad bytes", "cebae1bdb9cf83cebcceb5eda080656469746564", 12, false],
    ["6.5 first 1-byte", "00", -1, true],
    ["6.5 first 2-byte U+0080", "c280", -1, true],
    ["6.5 first 3-byte U+0800", "e0a080", -1, true],
    ["6.5 first 4-byte U+10000", "f0908080", -1, true],
    ["6.6 first 5-byte", "f888808080", 0, false],
    ["6.6 first 6-byte", "fc8480808080", 0, false],
    ["6.7 last 1-byte", "7f", -1, true],
    ["6.7 last 2-byte", "dfbf", -1, true],
    ["6.7 last 3-byte U+FFFF", "efbfbf", -1, true],
    ["6.7 last valid U+10FFFF", "f48fbfbf", -1, true],
    ["6.8 U+110000", "f4908080", 1, false],
    ["6.8 first 5-byte range", "f7bfbfbf", 0, false],
    ["6.9 U+D7FF", "ed9fbf", -1, true],
    ["6.9 U+E000", "ee8080", -1, true],
    ["6.9 U+FFFD", "efbfbd", -1, true],
    ["6.10 lone continuation 80", "80", 0, false],
    ["6.10 lone continuation bf", "bf", 0, false],
    ["6.10 continuations after ASCII", "41808182", 1, false],
    ["6.11 lead bytes separated by spaces", "c020c120", 0, false],
    ["6.11 2-byte lead followed by space", "c220", 1, false],
    ["6.11 3-byte lead followed by space", "e120", 1, false],
    ["6.11 4-byte lead followed by space", "f120", 1, false],
    ["6.12 truncated 2-byte", "c2", -1, false],
    ["6.12 truncated 3-byte", "e180", -1, false],
    ["6.12 truncated 4-byte", "f09080", -1, false],
    ["6.12 truncated at end of text", "48656c6c6fe282", -1, false],
    ["6.13 impossible FE", "fe", 0, false],
    ["6.13 impossible FF", "ff", 0, false],
    ["6.13 impossible FEFEFFFF", "fefeffff", 0, false],
    ["6.14 overlong / 2-byte", "c0af", 0, false],
    ["6.14 overlong / 3-byte", "e080af", 1, false],
    ["6.14 overlong / 4-byte", "f08080af", 1, false],
    ["6.15 max overlong 2-byte", "c1bf", 0, false],
    ["6.15 max overlong 3-byte", "e09fbf", 1, false],
    ["6.15 max overlong 4-byte", "f08fbfbf", 1, false],
    ["6.16 overlong NUL", "c080", 0, false],
    ["6.17 surrogate D800", "eda080", 1, false],
    ["6.17 surrogate DBFF", "edafbf", 1, false],
    ["6.17 surrogate DC00", "edb080", 1, false],
    ["6.17 surrogate DFFF", "edbfbf", 1, false],
    ["6.18 surrogate pair D800 DC00", "eda080edb080", 1, false],
    ["6.19 noncharacter U+FFFE", "efbfbe", -1, true],
    ["6.19 noncharacter U+FDD0", "efb790", -1, true],
    ["6.19 noncharacter U+10FFFE", "f48fbfbe", -1, true],
    ["6.20 F5 lead", "f5808080", 0, false],
    ["6.22 BOM", "efbbbf41", -1, true],
  ];
  for (const [name, h, failAt, valid] of cases) {
    it(name, () => {
      const bytes = Uint8Array.from(Buffer.from(h, "hex"));
      expect(ourFailAt(bytes)).toBe(failAt);
      expect(ourValid(bytes)).toBe(valid);
      // The table is checked against the oracle too, so it cannot drift from the standard.
      expect(oracleFailAt(bytes)).toBe(failAt);
      expect(oracleValid(bytes)).toBe(valid);
      checkSplits(bytes);
    });
  }
});
