import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  JSON_MAX_DEPTH,
  JsonType,
  jsonArrayElement,
  jsonFindKey,
  jsonIsValid,
  jsonListCount,
  jsonParseInt,
  jsonSkipValue,
  jsonSkipWs,
  jsonStringDecode,
  jsonStringEncode,
  jsonValueType,
} from "../core/json.js";

const enc = (s: string): Uint8Array => Buffer.from(s, "utf8");

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function valid(text: string): boolean {
  const b = enc(text);
  return jsonIsValid(b, 0, b.length);
}

function decode(text: string, cap = 1 << 16): Buffer | null {
  const b = enc(text);
  const out = new Uint8Array(cap);
  const n = jsonStringDecode(b, 0, b.length, out, 0, cap);
  return n < 0 ? null : Buffer.from(out.subarray(0, n));
}

function encode(bytes: Uint8Array, cap = 8 * bytes.length + 2): string | null {
  const out = new Uint8Array(cap);
  const o = jsonStringEncode(bytes, 0, bytes.length, out, 0, cap);
  return o < 0 ? null : Buffer.from(out.subarray(0, o)).toString("utf8");
}

/** Value text that starts at `at` in `text` (as a JSON value) or null. */
function valueAt(text: string, at: number): unknown {
  const b = enc(text);
  const e = jsonSkipValue(b, at, b.length);
  if (e < 0) {
    return undefined;
  }
  return JSON.parse(Buffer.from(b.subarray(at, e)).toString("utf8"));
}

// Random JSON texts: fast-check values printed compactly or indented, with
// random white space inserted between tokens.
const jsonText = fc
  .tuple(fc.jsonValue({ maxDepth: 6 }), fc.constantFrom(undefined, 0, 1, 2, "\t", " \r\n"))
  .map(([v, indent]) => JSON.stringify(v, null, indent as string | number | undefined));

const MUT_CHARS = [
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "-",
  "+",
  ".",
  "e",
  "0",
  "1",
  "u",
  "t",
  "n",
  " ",
  "\n",
  "\u0001",
  "x",
  "é",
];

const mutatedText = fc
  .tuple(
    jsonText,
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2), fc.constantFrom(...MUT_CHARS)), {
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([t, muts]) => {
    let s = t;
    for (const [pos, kind, ch] of muts) {
      const at = s.length === 0 ? 0 : pos % (s.length + (kind === 1 ? 1 : 0));
      if (kind === 0) {
        s = s.slice(0, at) + s.slice(at + 1);
      } else if (kind === 1) {
        s = s.slice(0, at) + ch + s.slice(at);
      } else {
        s = s.slice(0, at) + ch + s.slice(at + 1);
      }
    }
    return s;
  });

describe("json scanner: validity matches JSON.parse", () => {
  it("accepts what JSON.stringify produces", () => {
    fc.assert(
      fc.property(jsonText, (t) => {
        expect(valid(t)).toBe(true);
        // The whole value is skipped, and nothing more.
        const b = enc(t);
        expect(jsonSkipValue(b, 0, b.length)).toBe(b.length);
      }),
      { numRuns: 3000 },
    );
  });

  it("agrees with JSON.parse on mutated (mostly invalid) texts", () => {
    let invalid = 0;
    fc.assert(
      fc.property(mutatedText, (t) => {
        const p = parses(t);
        if (!p) {
          invalid++;
        }
        expect(valid(t), JSON.stringify(t)).toBe(p);
      }),
      { numRuns: 5000 },
    );
    // The mutations really exercise the rejection paths.
    expect(invalid).toBeGreaterThan(2000);
  });

  it("agrees with JSON.parse on short texts over a JSON-ish alphabet", () => {
    const alpha = fc.constantFrom(
      '"',
      "\\",
      "{",
      "}",
      "[",
      "]",
      ",",
      ":",
      "-",
      ".",
      "e",
      "E",
      "+",
      "0",
      "1",
      "9",
      "a",
      "u",
      "true",
      "null",
      "false",
      " ",
    );
    fc.assert(
      fc.property(fc.array(alpha, { maxLength: 12 }), (parts) => {
        const t = parts.join("");
        expect(valid(t), JSON.stringify(t)).toBe(parses(t));
      }),
      { numRuns: 20000 },
    );
  });

  it("handles the edge cases of the grammar", () => {
    const cases = [
      "0",
      "-0",
      "01",
      "-",
      "1.",
      ".5",
      "1.5",
      "1e5",
      "1E+5",
      "1e-5",
      "1e",
      "1e+",
      "-01",
      "2.e3",
      "1.0e0",
      "true",
      "tru",
      "truex",
      "nul",
      "null",
      "false",
      '""',
      '"a',
      '"\\"',
      '"\\u12"',
      '"\\u12G4"',
      '"\\x"',
      '"\\/"',
      '"\u0001"',
      '"\t"',
      '"\u007f"',
      "[]",
      "[,]",
      "[1,]",
      "[1 2]",
      "{}",
      "{,}",
      '{"a"}',
      '{"a":}',
      '{"a":1,}',
      '{"a":1 "b":2}',
      "{1:2}",
      ' [ 1 , { "a" : [ ] } ] ',
      "",
      " ",
      "1 2",
      "[1]]",
      "[[1]",
      '{"a":1}}',
      "\ufeff1",
      "\u00a01",
      "[\u000b]",
      "nulll",
      "[true,false,null]",
      '"\\ud800"',
      '"\\udc00\\ud800"',
      '{"":""}',
    ];
    for (const t of cases) {
      expect(valid(t), JSON.stringify(t)).toBe(parses(t));
    }
  });

  it("limits nesting to JSON_MAX_DEPTH (a deliberate difference from JSON.parse)", () => {
    const ok = "[".repeat(JSON_MAX_DEPTH) + "]".repeat(JSON_MAX_DEPTH);
    const deep = "[".repeat(JSON_MAX_DEPTH + 1) + "]".repeat(JSON_MAX_DEPTH + 1);
    expect(valid(ok)).toBe(true);
    expect(parses(deep)).toBe(true);
    expect(valid(deep)).toBe(false);
    const objs = '{"a":'.repeat(JSON_MAX_DEPTH) + "1" + "}".repeat(JSON_MAX_DEPTH);
    expect(valid(objs)).toBe(true);
    expect(valid('{"a":' + objs + "}")).toBe(false);
  });

  it("stops at end: a value cut anywhere is invalid unless what remains is itself complete", () => {
    fc.assert(
      fc.property(jsonText, fc.nat(), (t, cut) => {
        const b = enc(t);
        const end = b.length === 0 ? 0 : cut % b.length;
        const text = Buffer.from(b.subarray(0, end)).toString("utf8");
        // Compare on the bytes up to end only (UTF-8 sequences may be cut: such texts are invalid either way).
        const ok = jsonIsValid(b, 0, end);
        if (!text.includes("\ufffd") || ok) {
          expect(ok, JSON.stringify(text)).toBe(parses(text));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("skips one value inside a larger buffer", () => {
    const b = enc('xx  {"a":[1,2,{"b":"}"}]} ,7');
    expect(jsonSkipValue(b, 2, b.length)).toBe(b.indexOf(" ,".charCodeAt(0), 20));
    expect(jsonSkipWs(b, 2, b.length)).toBe(4);
    expect(jsonSkipValue(b, 2, 10)).toBe(-1);
    expect(jsonSkipValue(b, 0, b.length)).toBe(-1);
  });
});

describe("json value access", () => {
  it("classifies values by their first byte", () => {
    const cases: Array<[string, number]> = [
      [" {}", JsonType.Object],
      ["[", JsonType.Array],
      ['"x"', JsonType.String],
      ["-1", JsonType.Number],
      ["7", JsonType.Number],
      ["true", JsonType.True],
      ["false", JsonType.False],
      ["null", JsonType.Null],
      ["", JsonType.Invalid],
      ["x", JsonType.Invalid],
    ];
    for (const [t, ty] of cases) {
      const b = enc(t);
      expect(jsonValueType(b, 0, b.length), t).toBe(ty);
    }
  });

  it("finds top-level keys only, last duplicate wins, in valid objects only", () => {
    const t = '{"a":{"sid":1},"sid":"x","n":[{"sid":2}], "sid" : "y" }';
    const b = enc(t);
    const at = jsonFindKey(b, 0, b.length, "sid");
    expect(valueAt(t, at)).toBe("y");
    expect(valueAt(t, jsonFindKey(b, 0, b.length, "a"))).toEqual({ sid: 1 });
    expect(jsonFindKey(b, 0, b.length, "si")).toBe(-1);
    expect(jsonFindKey(b, 0, b.length, "sidx")).toBe(-1);
    for (const bad of ['{"sid":1', '{"sid":1,}', '[{"sid":1}]', '{"sid" 1}', '{"x":01,"sid":1}', "", "{}", '"sid"']) {
      const bb = enc(bad);
      expect(jsonFindKey(bb, 0, bb.length, "sid"), bad).toBe(-1);
    }
    // Raw comparison: an escaped spelling of the key does not match (documented).
    const esc = enc('{"\\u0073id":1}');
    expect(jsonFindKey(esc, 0, esc.length, "sid")).toBe(-1);
  });

  it("finds keys in random objects like JSON.parse", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("a", "b", "sid", "pingInterval", "x y", "é"), fc.jsonValue({ maxDepth: 3 })),
        fc.constantFrom("a", "b", "sid", "pingInterval", "x y", "é", "zz"),
        (obj, key) => {
          const t = JSON.stringify(obj, null, 1);
          const b = enc(t);
          const at = jsonFindKey(b, 0, b.length, key === "é" ? "\u00c3\u00a9" : key);
          if (key === "é") {
            // Non-ASCII keys: pass their UTF-8 bytes as the (byte) string.
            if (Object.hasOwn(obj, key)) {
              expect(valueAt(t, at)).toEqual(JSON.parse(JSON.stringify(obj[key])));
            } else {
              expect(at).toBe(-1);
            }
            return;
          }
          if (Object.hasOwn(obj, key)) {
            expect(valueAt(t, at)).toEqual(JSON.parse(t)[key]);
          } else {
            expect(at).toBe(-1);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("indexes array elements like JSON.parse", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 6 }), fc.nat(7), (arr, idx) => {
        const t = JSON.stringify(arr, null, idx % 2 === 0 ? undefined : 2);
        const b = enc(t);
        const at = jsonArrayElement(b, 0, b.length, idx);
        const parsed = JSON.parse(t) as unknown[];
        if (idx < parsed.length) {
          expect(valueAt(t, at)).toEqual(parsed[idx]);
        } else {
          expect(at).toBe(-1);
        }
      }),
      { numRuns: 1000 },
    );
    for (const bad of ["[1,", "[1,]", "{}", "[1 2]", ""]) {
      const b = enc(bad);
      expect(jsonArrayElement(b, 0, b.length, 0), bad).toBe(-1);
    }
  });

  it("counts comma-separated value lists", () => {
    const cases: Array<[string, number]> = [
      ["", 0],
      ["  ", 0],
      ["1", 1],
      ['{"round":3}', 1],
      [' 1 , "a" ,[2,3], {} ', 4],
      ["1,", -1],
      [",1", -1],
      ["1 2", -1],
      ["[1", -1],
      ["1,,2", -1],
    ];
    for (const [t, n] of cases) {
      const b = enc(t);
      expect(jsonListCount(b, 0, b.length), t).toBe(n);
    }
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }), (arr) => {
        const t = JSON.stringify(arr).slice(1, -1);
        const b = enc(t);
        expect(jsonListCount(b, 0, b.length)).toBe(arr.length);
      }),
      { numRuns: 500 },
    );
  });

  it("reads non-negative 31-bit integers and refuses everything else", () => {
    const cases: Array<[string, number]> = [
      ["25000", 25000],
      [" 0", 0],
      ["2147483647", 2147483647],
      ["2147483648", -1],
      ["99999999999", -1],
      ["-1", -1],
      ["-0", -1],
      ["1.5", -1],
      ["25000.0", -1],
      ["2e4", -1],
      ['"1"', -1],
      ["", -1],
      ["x", -1],
      ["1000000", 1000000],
    ];
    for (const [t, v] of cases) {
      const b = enc(t);
      expect(jsonParseInt(b, 0, b.length), t).toBe(v);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (v) => {
        const b = enc(`${v},`);
        expect(jsonParseInt(b, 0, b.length)).toBe(v);
      }),
    );
  });
});

describe("json strings", () => {
  it("decodes every escape like JSON.parse followed by UTF-8 encoding", () => {
    const cases = [
      '""',
      '"abc"',
      '"\\"\\\\\\/\\b\\f\\n\\r\\t"',
      '"\\u0000\\u001f\\u0041\\u00e9\\u20ac"',
      '"\\ud83d\\ude00"',
      '"\\uD83D\\uDE00x"',
      '"\\ud800"',
      '"\\udc00"',
      '"\\ud800\\u0041"',
      '"\\ud800\\ud800\\udc00"',
      '"\\udbff\\udfff"',
      '"\\ud800x"',
      '"é€😀"',
    ];
    for (const t of cases) {
      expect(decode(t), t).toEqual(Buffer.from(JSON.parse(t) as string, "utf8"));
    }
  });

  it("decodes random strings and random escape soups like JSON.parse", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 60 }), (s) => {
        const t = JSON.stringify(s);
        expect(decode(t)).toEqual(Buffer.from(s, "utf8"));
      }),
      { numRuns: 3000 },
    );
    const piece = fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((u) => "\\u" + u.toString(16).padStart(4, "0")),
      fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => "\\u" + u.toString(16).toUpperCase()),
      fc.constantFrom('\\"', "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "a", "é", "😀", " "),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
        const t = '"' + parts.join("") + '"';
        expect(decode(t), t).toEqual(Buffer.from(JSON.parse(t) as string, "utf8"));
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses invalid strings and output that does not fit", () => {
    for (const bad of ['"abc', "abc", '"\\x"', '"\\u12"', '"a\nb"', '"\\', "", '"\u0000"']) {
      expect(decode(bad), bad).toBeNull();
    }
    expect(decode('"abcd"', 4)).toEqual(Buffer.from("abcd"));
    expect(decode('"abcd"', 3)).toBeNull();
    expect(decode('"\\u20ac"', 3)).toEqual(Buffer.from("€"));
    expect(decode('"\\u20ac"', 2)).toBeNull();
    expect(decode('"\\ud83d\\ude00"', 3)).toBeNull();
    // Writes at an offset and stays below cap.
    const b = enc('  "hé"');
    const out = new Uint8Array(10).fill(0xaa);
    expect(jsonStringDecode(b, 0, b.length, out, 5, 8)).toBe(3);
    expect([...out]).toEqual([0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0x68, 0xc3, 0xa9, 0xaa, 0xaa]);
  });

  it("encodes exactly like JSON.stringify and round-trips through JSON.parse", () => {
    const all = new Uint8Array(128).map((_, i) => i);
    expect(encode(all)).toBe(JSON.stringify(Buffer.from(all).toString("latin1")));
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (s) => {
        const bytes = Buffer.from(s, "utf8");
        const t = encode(bytes);
        expect(t).toBe(JSON.stringify(s));
        expect(Buffer.from(JSON.parse(t!) as string, "utf8").equals(bytes)).toBe(true);
        expect(decode(t!)).toEqual(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses to write past cap and returns the offset after the closing quote", () => {
    const src = enc('a"\n');
    // a " LF quoted is the 7 bytes "a\"\n".
    for (let cap = 0; cap < 7; cap++) {
      expect(jsonStringEncode(src, 0, src.length, new Uint8Array(16), 0, cap), String(cap)).toBe(-1);
    }
    const out = new Uint8Array(16);
    expect(jsonStringEncode(src, 0, src.length, out, 2, 9)).toBe(9);
    expect(Buffer.from(out.subarray(2, 9)).toString()).toBe('"a\\"\\n"');
    expect(jsonStringEncode(enc("\u0001"), 0, 1, out, 0, 16)).toBe(8);
    expect(Buffer.from(out.subarray(0, 8)).toString()).toBe('"\\u0001"');
  });
});
