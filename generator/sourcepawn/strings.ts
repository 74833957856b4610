/**
 * The one SourcePawn string-literal escaper: every string that comes from the
 * spec or from generation options goes through it before it reaches output.
 */

/** A SourcePawn string literal (with the quotes) for `value`. */
export function spStringLiteral(value: string): string {
  let out = '"';
  for (const ch of value) {
    const c = ch.codePointAt(0) as number;
    if (ch === "\\") {
      out += "\\\\";
    } else if (ch === '"') {
      out += '\\"';
    } else if (ch === "\n") {
      out += "\\n";
    } else if (ch === "\r") {
      out += "\\r";
    } else if (ch === "\t") {
      out += "\\t";
    } else if (c < 0x20 || c === 0x7f) {
      // `\xHH;`: the `;` ends the escape so that a following hex digit is not swallowed.
      out += `\\x${c.toString(16).padStart(2, "0")};`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/** A SourcePawn character literal for a character code, or the plain number when it has no simple spelling. */
export function spCharLiteral(code: number): string {
  switch (code) {
    case 0x27:
      return "'\\''";
    case 0x5c:
      return "'\\\\'";
    case 0x0a:
      return "'\\n'";
    case 0x0d:
      return "'\\r'";
    case 0x09:
      return "'\\t'";
    default:
      return code >= 0x20 && code < 0x7f ? `'${String.fromCharCode(code)}'` : String(code);
  }
}
