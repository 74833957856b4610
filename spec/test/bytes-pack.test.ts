/**
 * bytesPackCells: the byte layout SourcePawn gives a char array (little-endian
 * cells), checked against Node's own little-endian view of the same bytes.
 */
import { describe, expect, it } from "vitest";
import { bytesPackCells, bytesPackedCells, bytesUnpackCells } from "../core/bytes.js";

/** What a char array of `len + 1` bytes (the data and its NUL) looks like as cells, from Node's Buffer. */
function reference(src: Uint8Array, off: number, len: number): number[] {
  const cells = bytesPackedCells(len);
  const buf = Buffer.alloc(cells * 4);
  buf.set(src.subarray(off, off + len));
  return Array.from({ length: cells }, (_, i) => buf.readInt32LE(i * 4));
}

describe("bytesPackCells", () => {
  it("packs every length 0..64 at several offsets, NUL and binary bytes included", () => {
    const src = Uint8Array.from({ length: 80 }, (_, i) => (i * 73 + 11) & 0xff);
    src[5] = 0;
    src[9] = 0xff;
    for (let off = 0; off < 4; off++) {
      for (let len = 0; len <= 64; len++) {
        const dst = new Int32Array(40).fill(0x5a5a5a5a);
        const n = bytesPackCells(dst, dst.length, src, off, len);
        expect(n).toBe(bytesPackedCells(len));
        expect(Array.from(dst.subarray(0, n))).toEqual(reference(src, off, len));
        // Nothing past the cells it reports is written.
        expect(dst[n]).toBe(0x5a5a5a5a);
      }
    }
  });

  it("never reads past the data: a view ending at the data's last byte works", () => {
    for (let len = 0; len <= 9; len++) {
      const src = Uint8Array.from({ length: len }, (_, i) => 0xf0 + i);
      const dst = new Int32Array(4);
      expect(bytesPackCells(dst, 4, src, 0, len)).toBe((len >> 2) + 1);
      expect(Array.from(dst.subarray(0, (len >> 2) + 1))).toEqual(reference(src, 0, len));
    }
  });

  it("refuses what does not fit and negative lengths", () => {
    const src = new Uint8Array(16);
    expect(bytesPackCells(new Int32Array(4), 4, src, 0, 16)).toBe(-1);
    expect(bytesPackCells(new Int32Array(4), 4, src, 0, 15)).toBe(4);
    expect(bytesPackCells(new Int32Array(4), 4, src, 0, 11)).toBe(3);
    expect(bytesPackCells(new Int32Array(4), 4, src, 0, -1)).toBe(-1);
  });
});

describe("bytesUnpackCells", () => {
  it("undoes bytesPackCells for every length 0..64 at several offsets, writing nothing else", () => {
    const src = Uint8Array.from({ length: 80 }, (_, i) => (i * 73 + 11) & 0xff);
    src[5] = 0;
    src[9] = 0xff;
    for (let off = 0; off < 4; off++) {
      for (let len = 0; len <= 64; len++) {
        const cells = new Int32Array(40);
        bytesPackCells(cells, cells.length, src, 0, len);
        const dst = new Uint8Array(80).fill(0xa5);
        expect(bytesUnpackCells(dst, off, dst.length, cells, len)).toBe(len);
        expect(Array.from(dst.subarray(off, off + len))).toEqual(Array.from(src.subarray(0, len)));
        expect(dst.subarray(0, off).every((b) => b === 0xa5)).toBe(true);
        expect(dst.subarray(off + len).every((b) => b === 0xa5)).toBe(true);
      }
    }
  });

  it("refuses what does not fit, and negative lengths, writing nothing", () => {
    const cells = Int32Array.from([0x04030201, 0x08070605]);
    const dst = new Uint8Array(8);
    expect(bytesUnpackCells(dst, 1, 8, cells, 8)).toBe(-1);
    expect(bytesUnpackCells(dst, 0, 8, cells, -1)).toBe(-1);
    expect(bytesUnpackCells(dst, 9, 8, cells, 0)).toBe(-1);
    expect(Array.from(dst)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(bytesUnpackCells(dst, 0, 8, cells, 8)).toBe(8);
    expect(Array.from(dst)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});
