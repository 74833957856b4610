import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { base64Decode, base64Encode, base64EncodedLength } from "../core/base64.js";
import { Sha1, sha1 } from "../core/sha1.js";

function ourSha1(data: Uint8Array): string {
  const out = new Uint8Array(20);
  sha1(new Sha1(), data, 0, data.length, out, 0);
  return Buffer.from(out).toString("hex");
}

function ourBase64(data: Uint8Array): string {
  const out = new Uint8Array(base64EncodedLength(data.length));
  const n = base64Encode(data, 0, data.length, out, 0);
  return Buffer.from(out.subarray(0, n)).toString("latin1");
}

function ourBase64Decode(text: string): Uint8Array | null {
  const src = Buffer.from(text, "latin1");
  const out = new Uint8Array(src.length);
  const n = base64Decode(src, 0, src.length, out, 0);
  return n < 0 ? null : out.subarray(0, n);
}

describe("sha1", () => {
  it("matches FIPS examples", () => {
    expect(ourSha1(Buffer.from("abc"))).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect(ourSha1(Buffer.from(""))).toBe("da39a3ee5e6b4b0d3255bfef95601890afd80709");
    expect(ourSha1(Buffer.from("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))).toBe(
      "84983e441c3bd26ebaae4aa1f95129e5e54670f1",
    );
  });

  it("matches node:crypto on every length 0..200 and on random inputs", () => {
    for (let n = 0; n <= 200; n++) {
      const data = Buffer.alloc(n, n & 0xff);
      expect(ourSha1(data)).toBe(createHash("sha1").update(data).digest("hex"));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (data) => {
        expect(ourSha1(data)).toBe(createHash("sha1").update(data).digest("hex"));
      }),
      { numRuns: 2000 },
    );
  });

  it("works at an offset inside a larger buffer", () => {
    const buf = Buffer.from("xxabcxx");
    const out = new Uint8Array(24);
    sha1(new Sha1(), buf, 2, 3, out, 4);
    expect(Buffer.from(out.subarray(4)).toString("hex")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
    expect([...out.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
  });
});

describe("base64", () => {
  it("matches RFC 4648 test vectors", () => {
    const cases: Array<[string, string]> = [
      ["", ""],
      ["f", "Zg=="],
      ["fo", "Zm8="],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg=="],
      ["fooba", "Zm9vYmE="],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, enc] of cases) {
      expect(ourBase64(Buffer.from(plain))).toBe(enc);
      expect(Buffer.from(ourBase64Decode(enc)!).toString()).toBe(plain);
    }
  });

  it("round-trips and matches Buffer on random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        const enc = ourBase64(data);
        expect(enc).toBe(Buffer.from(data).toString("base64"));
        expect(Buffer.from(ourBase64Decode(enc)!).equals(Buffer.from(data))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it("rejects malformed input", () => {
    for (const bad of ["Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "Zh==", "Zm9=", "=AAA", "A=AA"]) {
      expect(ourBase64Decode(bad), bad).toBeNull();
    }
  });
});
