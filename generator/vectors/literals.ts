/**
 * SourcePawn constant tables for the vector programs: byte arrays as string
 * literals (the only form spcomp accepts for a `char[]` initialiser; `{…}`
 * lists are refused for char arrays) and int arrays as brace lists.
 */

/** Bytes per line of a byte-string literal. */
const BYTES_PER_LINE = 48;

/** Ints per line of an int table. */
const INTS_PER_LINE = 16;

/**
 * One byte as it goes inside a SourcePawn string literal: printable ASCII as
 * it is, except `"`, `\` and `;`; everything else as `\xHH;`. The `;` ends the
 * escape explicitly, so a following hex digit is never taken into it (spcomp
 * reads at most two hex digits and then swallows one optional `;`, which is
 * also why a literal `;` is escaped).
 */
function byteChar(b: number): string {
  if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x3b) {
    return String.fromCharCode(b);
  }
  return `\\x${b.toString(16).padStart(2, "0")};`;
}

/**
 * A byte array as a SourcePawn string-literal initialiser, split over lines
 * joined with spcomp's `...` concatenation. The array gets one extra NUL at
 * the end (sizeof is bytes.length + 1); embedded NULs are kept.
 */
export function spBytesInitializer(bytes: Uint8Array, indent = "\t"): string {
  if (bytes.length === 0) {
    return '""';
  }
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += BYTES_PER_LINE) {
    let s = "";
    for (const b of bytes.subarray(i, i + BYTES_PER_LINE)) {
      s += byteChar(b);
    }
    lines.push(`"${s}"`);
  }
  return lines.length === 1 ? lines[0] : `\n${indent}${lines.join(`\n${indent}... `)}`;
}

/** A `static const char NAME[] = …;` declaration. */
export function spByteTable(name: string, bytes: Uint8Array, doc: string): string {
  return `/** ${doc} */\nstatic const char ${name}[] = ${spBytesInitializer(bytes)};\n`;
}

/** A `static const int NAME[] = { … };` declaration (at least one element). */
export function spIntTable(name: string, values: ArrayLike<number>, doc: string): string {
  const vals = Array.from(values);
  if (vals.length === 0) {
    vals.push(0);
  }
  const lines: string[] = [];
  for (let i = 0; i < vals.length; i += INTS_PER_LINE) {
    lines.push(
      `\t${vals
        .slice(i, i + INTS_PER_LINE)
        .map(spInt)
        .join(", ")}`,
    );
  }
  return `/** ${doc} */\nstatic const int ${name}[] = {\n${lines.join(",\n")}\n};\n`;
}

/** An int literal that spcomp reads back as the same 32-bit value (-2147483648 is written in hex). */
export function spInt(v: number): string {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
    throw new Error(`not a 32-bit int: ${v}`);
  }
  return v === -2147483648 ? "0x80000000" : String(v);
}

/**
 * Strings packed into one byte table separated by NULs, with the offset of
 * each: `print(TABLE[OFF[i]])` prints string i.
 */
export function packStrings(strings: readonly string[]): { bytes: Uint8Array; offsets: number[] } {
  const offsets: number[] = [];
  const parts: Buffer[] = [];
  let size = 0;
  for (const s of strings) {
    const b = Buffer.from(s, "latin1");
    if (b.includes(0)) {
      throw new Error(`a packed string may not contain NUL: ${JSON.stringify(s)}`);
    }
    offsets.push(size);
    parts.push(b, Buffer.alloc(1));
    size += b.length + 1;
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), offsets };
}
