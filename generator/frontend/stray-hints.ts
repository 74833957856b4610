/**
 * `@spgen` comments that would silently ask for nothing, reported at the `@spgen` itself:
 * - those no pass would read: a `//` hint applies to the statement it stands before (its leading comments:
 *   read-statements.ts) and a `/** … *\/` hint to the declaration it documents (docOf), so a hint after the last
 *   statement of a block, after code on a line that ends a block, or between `}` and `else` applies to nothing;
 * - those whose word names no hint (`@spgen unrol 4`, `@spgen scalarise`, a bare `@spgen`), in any comment that is
 *   read: a misspelled hint would otherwise be a comment.
 * Text in strings is no comment and is left alone.
 */

import type { Diagnostic } from "../diagnostics.js";
import { KNOWN_HINTS } from "../optimize/hints.js";
import { ts } from "../typescript.js";

/** Statements: their leading comments are read (hints, and comments kept in the output). */
function isStatement(node: ts.Node): boolean {
  return (
    (node.kind >= ts.SyntaxKind.FirstStatement && node.kind <= ts.SyntaxKind.LastStatement) ||
    ts.isFunctionDeclaration(node) ||
    ts.isClassDeclaration(node) ||
    ts.isEnumDeclaration(node)
  );
}

/** Declarations whose doc comment is read. */
function isDocumented(node: ts.Node): boolean {
  return (
    isStatement(node) ||
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

/**
 * Where offset `at` is: `"read"` in a comment that is read (a leading comment, on its own line, of a statement, or
 * the `/** … *\/` doc of a declaration), `"text"` inside a token (a string's text), `"stray"` in any other comment.
 * Descends only along the nodes whose range holds `at`, so the cost is the depth of the tree per `@spgen`, not a
 * walk of the file.
 */
function placeOf(sf: ts.SourceFile, at: number): "read" | "text" | "stray" {
  const text = sf.text;
  if (at < (sf.statements[0]?.getStart(sf) ?? text.length) && rangeAt(ts.getLeadingCommentRanges(text, 0), at)) {
    return "read"; // before the first statement: that statement's, or the file's own doc comment
  }
  let node: ts.Node = sf;
  for (;;) {
    const kids = childrenOf(node);
    const child = kids.find((c) => c.pos <= at && at < c.end);
    if (child === undefined) {
      // Inside a token (a string's text is no comment), or in the trivia after the last child: before a closing
      // brace or the end of the file.
      return kids.length === 0 && node !== sf && at >= node.getStart(sf) ? "text" : "stray";
    }
    if (at < child.getStart(sf)) {
      // In the trivia before `child`: read when it is a leading comment of a statement or a declaration's doc
      // (child and the first descendants that start where it starts share that trivia).
      const r = rangeAt(ts.getLeadingCommentRanges(text, child.pos), at);
      for (let n: ts.Node | undefined = child; r !== undefined && n !== undefined;) {
        if (isStatement(n) || (isDocumented(n) && text.startsWith("/**", r.pos))) {
          return "read";
        }
        const first: ts.Node | undefined = childrenOf(n)[0];
        n = first?.pos === n.pos ? first : undefined;
      }
      return "stray";
    }
    node = child;
  }
}

/** `@spgen` and the word after it on the same line, if any. */
const HINT_WORD = /@spgen\b(?:[ \t]+([A-Za-z][\w-]*))?/y;

const STRAY =
  "this @spgen comment stands before no statement or declaration (after the last statement of a block, or after code on its line), so it applies to nothing: put it on the line before the loop or declaration";

/** Errors for the `@spgen` comments of `sf` that apply to nothing or name no hint (see the file's header). */
export function hintCommentErrors(sf: ts.SourceFile, path: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const m of sf.text.matchAll(/@spgen\b/g)) {
    const place = placeOf(sf, m.index);
    if (place === "text") {
      continue;
    }
    HINT_WORD.lastIndex = m.index;
    const word = HINT_WORD.exec(sf.text)?.[1];
    const known = `(the hints are ${KNOWN_HINTS.join(", ")})`;
    const message =
      place === "stray"
        ? STRAY
        : word === undefined
          ? `\`@spgen\` names no hint ${known}`
          : KNOWN_HINTS.includes(word)
            ? null
            : `\`@spgen ${word}\` is not a hint ${known}`;
    if (message !== null) {
      const lc = sf.getLineAndCharacterOfPosition(m.index);
      out.push({ file: path, line: lc.line + 1, column: lc.character + 1, severity: "error", message });
    }
  }
  return out;
}
