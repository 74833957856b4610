/**
 * State shared by the frontend passes: the TypeScript checker, the global
 * symbol tables (constants, enums, records, tables, functions of every
 * module, keyed by their declaration node), diagnostics, positions and
 * comments.
 *
 * The frontend works on the raw TypeScript nodes of the spec program
 * (spec-project.ts): an exhaustive switch over `ts.SyntaxKind` is
 * the clearest way to accept a subset and refuse the rest, and it avoids
 * creating a wrapper object per node.
 */

import { ts } from "../typescript.js";
import { type Diagnostic, type Severity, unsupportedMessage } from "../diagnostics.js";
import type { Doc, Expr, ReturnType, SourcePos, ValueType } from "../model.js";

/** A module-level constant as the other passes need it. */
export interface ConstInfo {
  readonly name: string;
  type: ValueType;
  value: Expr | null;
  /** The text of a string constant, known before the values are read (for `.length` in other constants). */
  readonly text: string | null;
}

/** A constant table. */
export interface TableInfo {
  readonly name: string;
  count: number;
}

/** The signature of a core function. */
export interface FunctionInfo {
  readonly name: string;
  params: { readonly name: string; readonly type: ValueType; readonly hasDefault: boolean }[];
  returnType: ReturnType;
}

/** A record and its field types. */
export interface RecordInfo {
  readonly name: string;
  readonly fields: Map<string, ValueType>;
}

/** A const enum. */
export interface EnumInfo {
  readonly name: string;
  /** Member declarations by name. */
  readonly members: ReadonlyMap<string, ts.EnumMember>;
}

/** What a module-level name refers to. */
export type GlobalInfo =
  | { readonly kind: "const"; readonly info: ConstInfo }
  | { readonly kind: "table"; readonly info: TableInfo }
  | { readonly kind: "function"; readonly info: FunctionInfo }
  | { readonly kind: "record"; readonly info: RecordInfo }
  | { readonly kind: "enum"; readonly info: EnumInfo };

export class ReaderContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly checker: ts.TypeChecker;
  /** Module-level declarations of every loaded module, by declaration node. */
  readonly globals = new Map<ts.Node, GlobalInfo>();
  readonly recordsByName = new Map<string, RecordInfo>();
  /** Display path of each loaded source file. */
  private readonly paths = new Map<ts.SourceFile, string>();

  constructor(checker: ts.TypeChecker) {
    this.checker = checker;
  }

  setPath(sf: ts.SourceFile, display: string): void {
    this.paths.set(sf, display);
  }

  pathOf(sf: ts.SourceFile): string {
    return this.paths.get(sf) ?? sf.fileName;
  }

  pos(node: ts.Node): SourcePos {
    const sf = node.getSourceFile();
    const lc = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    return { file: this.pathOf(sf), line: lc.line + 1, column: lc.character + 1 };
  }

  report(node: ts.Node, message: string, severity: Severity = "error"): void {
    const p = this.pos(node);
    this.diagnostics.push({ file: p.file, line: p.line, column: p.column, severity, message });
  }

  /** Reports `<construct> is not supported in the SourcePawn subset (<hint>)` at `node`. */
  unsupported(node: ts.Node, construct: string, hint: string): void {
    this.report(node, unsupportedMessage(construct, hint));
  }

  /** The declaration an identifier (or property name) refers to, following imports. */
  declarationOf(node: ts.Node): ts.Declaration | undefined {
    let symbol = this.checker.getSymbolAtLocation(node);
    if (symbol === undefined) {
      return undefined;
    }
    if ((symbol.flags & ts.SymbolFlags.Alias) !== 0) {
      symbol = this.checker.getAliasedSymbol(symbol);
    }
    return symbol.valueDeclaration ?? symbol.declarations?.[0];
  }

  /** The module-level declaration an identifier refers to, if any. */
  globalOf(node: ts.Node): GlobalInfo | undefined {
    const decl = this.declarationOf(node);
    return decl === undefined ? undefined : this.globals.get(decl);
  }
}

/** Strips parentheses around an expression. */
export function skipParens(node: ts.Expression): ts.Expression {
  let n = node;
  while (ts.isParenthesizedExpression(n)) {
    n = n.expression;
  }
  return n;
}

/** The parent of an expression, skipping the parentheses around it. */
export function parentSkippingParens(node: ts.Node): ts.Node {
  let p = node.parent;
  while (ts.isParenthesizedExpression(p)) {
    p = p.parent;
  }
  return p;
}

/** The text lines of a `/** … *\/` comment, without the markers and the leading ` * `. */
export function docLines(commentText: string): string[] {
  const body = commentText.replace(/^\/\*\*/, "").replace(/\*\/$/, "");
  const lines = body.split(/\r?\n/).map((l) => l.replace(/^\s*\* ?/, "").replace(/\s+$/, ""));
  const first = lines.findIndex((l) => l.trim() !== "");
  if (first < 0) {
    return [];
  }
  let last = lines.length - 1;
  while (lines[last].trim() === "") {
    last--;
  }
  return lines.slice(first, last + 1).map((l, i) => (i === 0 && first === 0 ? l.trim() : l));
}

/** Leading comment ranges of a node. */
function leadingComments(node: ts.Node): readonly ts.CommentRange[] {
  const sf = node.getSourceFile();
  return ts.getLeadingCommentRanges(sf.text, node.pos) ?? [];
}

/**
 * The doc comment of a declaration: the last `/** *\/` comment before it with
 * no blank line in between (other comments, like `// prettier-ignore`, may sit
 * between the doc comment and the declaration).
 */
export function docOf(node: ts.Node): Doc {
  const r = docRangeOf(node);
  return r === undefined ? [] : docLines(node.getSourceFile().text.slice(r.pos, r.end));
}

/** Where the doc comment docOf reads lies in the file, if the declaration has one. */
export function docRangeOf(node: ts.Node): ts.CommentRange | undefined {
  const sf = node.getSourceFile();
  const ranges = leadingComments(node);
  for (let i = ranges.length - 1; i >= 0; i--) {
    const r = ranges[i];
    const text = sf.text.slice(r.pos, r.end);
    if (text.startsWith("/**") && !text.startsWith("/**/")) {
      const between = sf.text.slice(r.end, node.getStart(sf));
      return /\n[ \t]*\r?\n/.test(between) ? undefined : r;
    }
  }
  return undefined;
}

/** The file's own doc comment: a `/** *\/` comment before the first statement that is not that statement's doc. */
export function moduleDocOf(sf: ts.SourceFile): Doc {
  const first = sf.statements[0];
  const ranges = ts.getLeadingCommentRanges(sf.text, 0) ?? [];
  const r = ranges.find((c) => sf.text.startsWith("/**", c.pos));
  if (r === undefined) {
    return [];
  }
  if (first !== undefined) {
    const between = sf.text.slice(r.end, first.getStart(sf));
    const isDeclDoc =
      !/\n[ \t]*\r?\n/.test(between) && ranges.filter((c) => sf.text.startsWith("/**", c.pos)).length === 1;
    if (isDeclDoc) {
      return [];
    }
  }
  return docLines(sf.text.slice(r.pos, r.end));
}

/** Plain (non-doc) comments before a statement, as text lines; tool directives such as `prettier-ignore` are dropped. */
export function statementComments(node: ts.Node): string[] {
  const sf = node.getSourceFile();
  const lines: string[] = [];
  for (const r of leadingComments(node)) {
    const text = sf.text.slice(r.pos, r.end);
    if (r.kind === ts.SyntaxKind.SingleLineCommentTrivia) {
      const line = text.replace(/^\/\/ ?/, "").replace(/\s+$/, "");
      if (!/^\s*(prettier-ignore|eslint-|@ts-)/.test(line)) {
        lines.push(line);
      }
    } else {
      lines.push(...docLines(text.replace(/^\/\*+/, "/**")));
    }
  }
  return lines;
}
