/**
 * `@spgen` comments that would silently ask for nothing, reported at the `@spgen` itself:
 * - those that stand before nothing: a `//` hint applies to the statement it stands before (its leading comments:
 *   read-statements.ts) and a `/** … *\/` hint to the declaration it documents (docOf), so a hint after the last
 *   statement of a block, after code on a line that ends a block, or between `}` and `else` applies to nothing;
 * - those whose word names no hint (`@spgen unrol 4`, `@spgen scalarise`, a bare `@spgen`): a misspelled hint would
 *   otherwise be a comment;
 * - known hints where their pass does not read them (HINT_PLACES): `// @spgen inline` before a function, a doc
 *   comment cut from its function by a blank line, `@spgen unroll` in a doc comment.
 * Text in strings, and an `@spgen` quoted in backticks (documentation, which the passes skip too: hintText), are
 * left alone.
 */

import type { Diagnostic } from "../diagnostics.js";
import { HINT_PLACE, HINT_PLACES, KNOWN_HINTS } from "../optimize/hints.js";
import { hintText } from "../optimize/ir.js";
import { ts } from "../typescript.js";
import { docRangeOf } from "./reader-context.js";

/**
 * Statements (TypeScript's isStatement: imports and type aliases included, so that a comment before one stands
 * before something, whether or not a hint there is read) and the declarations inside classes and enums that may
 * carry a doc comment.
 */
function isDocumented(node: ts.Node): boolean {
  return (
    ts.isStatement(node) ||
    ts.isPropertyDeclaration(node) ||
    ts.isEnumMember(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node)
  );
}

/** The comment range of `text` that holds offset `at` among those given, if any. */
function rangeAt(ranges: readonly ts.CommentRange[] | undefined, at: number): ts.CommentRange | undefined {
  return ranges?.find((r) => r.pos <= at && at < r.end);
}

/** The child nodes of `node` (tokens that are not nodes, like `}`, are left out). */
function childrenOf(node: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  ts.forEachChild(node, (c) => {
    out.push(c);
  });
  return out;
}

/** Where an `@spgen` is: in a string (text), in a comment that stands before nothing, or in a comment before `owner`. */
type Place =
  | { readonly kind: "text" }
  | { readonly kind: "stray" }
  | { readonly kind: "comment"; readonly owner: ts.Node; readonly range: ts.CommentRange };

/**
 * Where offset `at` is: inside a token (a string's text), in a leading comment of `owner` (the outermost statement
 * or declaration whose leading comments hold it), or in a comment that stands before nothing (after the last child
 * of a block or the file, between `}` and `else`, inside an expression). Descends only along the nodes whose range
 * holds `at`, so the cost is the depth of the tree per `@spgen`, not a walk of the file.
 */
function placeOf(sf: ts.SourceFile, at: number): Place {
  const text = sf.text;
  let node: ts.Node = sf;
  for (;;) {
    const kids = childrenOf(node);
    const child = kids.find((c) => c.pos <= at && at < c.end);
    if (child === undefined) {
      // Inside a token (a string's text is no comment), or in the trivia after the last child: before a closing
      // brace or the end of the file.
      return kids.length === 0 && node !== sf && at >= node.getStart(sf) ? { kind: "text" } : { kind: "stray" };
    }
    if (at < child.getStart(sf)) {
      // In the trivia before `child`: child and the first descendants that start where it starts share it.
      const range = rangeAt(ts.getLeadingCommentRanges(text, child.pos), at);
      for (let n: ts.Node | undefined = child; range !== undefined && n !== undefined;) {
        if (isDocumented(n)) {
          return { kind: "comment", owner: n, range };
        }
        const first: ts.Node | undefined = childrenOf(n)[0];
        n = first?.pos === n.pos ? first : undefined;
      }
      return { kind: "stray" };
    }
    node = child;
  }
}

/** True when `node` is a statement inside a function's body (its leading comments are the body's comment statements). */
function inFunctionBody(node: ts.Node): boolean {
  if (!ts.isStatement(node)) {
    return false;
  }
  for (let p = node.parent; p !== undefined; p = p.parent) {
    if (ts.isFunctionLike(p)) {
      return true;
    }
  }
  return false;
}

/**
 * The place a comment before `owner` is, as the passes read hints, or null where nothing reads them (the file's own
 * doc, a doc separated from its declaration by a blank line, a `//` comment before a declaration).
 */
function placeRead(owner: ts.Node, range: ts.CommentRange): keyof typeof HINT_PLACES | null {
  if (docRangeOf(owner)?.pos === range.pos) {
    if (ts.isFunctionDeclaration(owner)) {
      return "functionDoc";
    }
    if (ts.isPropertyDeclaration(owner)) {
      return "fieldDoc";
    }
  }
  return inFunctionBody(owner) ? "bodyComment" : null;
}

/** `@spgen` and the word after it on the same line, if any. */
const HINT_WORD = /@spgen\b(?:[^\S\r\n]+([A-Za-z][\w-]*))?/y;

const STRAY =
  "this @spgen comment stands before no statement or declaration (after the last statement of a block, after code on its line, between `}` and `else`, or inside an expression), so it applies to nothing: put it on the line before the loop or declaration it is for";

/** The error for the `@spgen` at offset `at`, or null when it is text or a hint where its pass reads it. */
function hintError(sf: ts.SourceFile, at: number): string | null {
  const place = placeOf(sf, at);
  if (place.kind === "text") {
    return null;
  }
  if (place.kind === "stray") {
    return STRAY;
  }
  HINT_WORD.lastIndex = at;
  const word = HINT_WORD.exec(sf.text)?.[1];
  const known = `(the hints are ${KNOWN_HINTS.join(", ")})`;
  const readAt = word === undefined ? undefined : HINT_PLACE.get(word);
  if (readAt === undefined) {
    return word === undefined ? `\`@spgen\` names no hint ${known}` : `\`@spgen ${word}\` is not a hint ${known}`;
  }
  return placeRead(place.owner, place.range) === readAt
    ? null
    : `\`@spgen ${word}\` is read only ${HINT_PLACES[readAt].where}: here it asks for nothing`;
}

/** True when the `@spgen` at offset `at` is quoted in an inline code span of its line (documentation, as hintText reads it). */
function inCodeSpan(sf: ts.SourceFile, at: number): boolean {
  const lc = sf.getLineAndCharacterOfPosition(at);
  const lineStart = sf.getPositionOfLineAndCharacter(lc.line, 0);
  const lineEnd = sf.text.indexOf("\n", at);
  const line = sf.text.slice(lineStart, lineEnd < 0 ? sf.text.length : lineEnd);
  return !hintText(line).startsWith("@spgen", lc.character);
}

/** Errors for the `@spgen` comments of `sf` that would ask for nothing (see the file's header). */
export function hintCommentErrors(sf: ts.SourceFile, path: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of sf.text.matchAll(/@spgen\b/g)) {
    if (inCodeSpan(sf, m.index)) {
      continue;
    }
    // The passes read a hint at the start of a comment line or after white space only.
    const before = sf.text[m.index - 1] ?? " ";
    const message = /[\s/*]/.test(before)
      ? hintError(sf, m.index)
      : placeOf(sf, m.index).kind === "text"
        ? null
        : `this @spgen follows \`${before}\`, and hints are read only at the start of a comment line or after a space: put a space before it (or quote it in backticks if it is documentation)`;
    if (message !== null) {
      const lc = sf.getLineAndCharacterOfPosition(m.index);
      out.push({ file: path, line: lc.line + 1, column: lc.character + 1, severity: "error", message });
    }
  }
  return out;
}
