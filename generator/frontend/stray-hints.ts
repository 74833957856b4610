/**
 * `@spgen` comments that no pass would read. A `//` hint applies to the statement it stands before (its leading
 * comments: read-statements.ts) and a `/** … *\/` hint to the declaration it documents (docOf), so a hint after
 * the last statement of a block, after code on a line that ends a block, or between `}` and `else` applies to
 * nothing. Without this check such a hint would be a comment that silently asks for nothing.
 */

import { ts } from "../typescript.js";
import type { Diagnostic } from "../diagnostics.js";

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

/** Errors for the `@spgen` comments of `sf` that stand before no statement or declaration. */
export function strayHintComments(sf: ts.SourceFile, path: string): Diagnostic[] {
  const text = sf.text;
  const read = new Set<number>();
  const all = new Map<number, ts.CommentRange>();
  const visit = (node: ts.Node): void => {
    const leading = ts.getLeadingCommentRanges(text, node.pos) ?? [];
    // Every comment is before or after some node, on its own line (leading) or after code on its line (trailing).
    for (const r of [
      ...leading,
      ...(ts.getTrailingCommentRanges(text, node.pos) ?? []),
      ...(ts.getLeadingCommentRanges(text, node.end) ?? []),
      ...(ts.getTrailingCommentRanges(text, node.end) ?? []),
    ]) {
      all.set(r.pos, r);
    }
    for (const r of leading) {
      if (isStatement(node) || (isDocumented(node) && text.startsWith("/**", r.pos))) {
        read.add(r.pos);
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(sf, visit);
  // The file's own doc comment (before the first statement) is read too.
  for (const r of ts.getLeadingCommentRanges(text, 0) ?? []) {
    all.set(r.pos, r);
    if (sf.statements.length === 0 || text.startsWith("/**", r.pos)) {
      read.add(r.pos);
    }
  }
  const out: Diagnostic[] = [];
  for (const r of [...all.values()].sort((a, b) => a.pos - b.pos)) {
    if (read.has(r.pos) || !/@spgen\b/.test(text.slice(r.pos, r.end))) {
      continue;
    }
    const lc = sf.getLineAndCharacterOfPosition(r.pos);
    out.push({
      file: path,
      line: lc.line + 1,
      column: lc.character + 1,
      severity: "error",
      message:
        "this @spgen comment stands before no statement or declaration (after the last statement of a block, or after code on its line), so it applies to nothing: put it on the line before the loop or declaration",
    });
  }
  return out;
}
